//! Drive exports with tgt: one iSCSI target per drive, its ACL naming the
//! initiators that may attach it, and one CHAP account (made by the server)
//! that they must log in with. New CHAP credentials remake the target:
//! tgtd 1.0.85 crashed when an account was unbound from a target, so an
//! account is only ever deleted once its target is gone.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

/// The IQN of a drive's target.
pub fn drive_iqn(drive_id: &uuid::Uuid) -> String {
    format!("iqn.2026-11.dev.overcast:drive-{drive_id}")
}

/// Held while targets are added or removed.
static TARGET_CHANGES: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// A tgtd, addressed by its control port.
#[derive(Debug, Clone)]
pub struct Tgt {
    pub control_port: u16,
}

/// An export as tgtd reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Export {
    pub tid: u32,
    pub iqn: String,
    pub backing_file: Option<String>,
    /// The initiator addresses the target admits.
    pub acl: Vec<String>,
    /// The size tgtd gives the drive's LUN, in (decimal) megabytes: tgtd
    /// reads the file's size when the LUN is made.
    pub size_mb: Option<u64>,
    /// Whether an initiator is logged in.
    pub in_use: bool,
    /// The open connections: (session id, connection id, initiator address).
    pub connections: Vec<(u32, u32, String)>,
    /// The CHAP accounts (user names) bound to it.
    pub accounts: Vec<String>,
}

/// The CHAP credentials a target admits initiators with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chap {
    pub user: String,
    pub secret: String,
}

impl Tgt {
    fn tgtadm(&self, args: &[&str]) -> Result<String> {
        let out = Command::new("tgtadm")
            .args(["-C", &self.control_port.to_string(), "--lld", "iscsi"])
            .args(args)
            .output()
            .context("running tgtadm (install tgt with `cargo xtask setup`)")?;
        if !out.status.success() {
            // Never a CHAP secret in a message: it could reach an event.
            let shown: Vec<&str> = args
                .iter()
                .enumerate()
                .map(|(i, a)| {
                    if i > 0 && args[i - 1] == "--password" {
                        "<secret>"
                    } else {
                        a
                    }
                })
                .collect();
            bail!(
                "tgtadm {shown:?}: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Every target this tgtd exports.
    pub fn exports(&self) -> Result<Vec<Export>> {
        let text = self.tgtadm(&["--op", "show", "--mode", "target"])?;
        let mut out: Vec<Export> = Vec::new();
        let mut in_acl = false;
        let mut in_accounts = false;
        let mut sid_cid = (0u32, 0u32);
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("Target ") {
                let (tid, iqn) = rest.split_once(": ").context("a target line")?;
                in_acl = false;
                in_accounts = false;
                out.push(Export {
                    tid: tid.parse()?,
                    iqn: iqn.trim().to_string(),
                    backing_file: None,
                    acl: Vec::new(),
                    size_mb: None,
                    in_use: false,
                    connections: Vec::new(),
                    accounts: Vec::new(),
                });
            } else if let Some(sid) = line.trim().strip_prefix("I_T nexus: ") {
                if let Some(last) = out.last_mut() {
                    last.in_use = true;
                    sid_cid = (sid.trim().parse().unwrap_or(0), 0);
                }
            } else if let Some(cid) = line.trim().strip_prefix("Connection: ") {
                sid_cid.1 = cid.trim().parse().unwrap_or(0);
            } else if let Some(address) = line.trim().strip_prefix("IP Address: ") {
                if let Some(last) = out.last_mut() {
                    last.connections
                        .push((sid_cid.0, sid_cid.1, address.trim().to_string()));
                }
            } else if let Some(size) = line.trim().strip_prefix("Size: ")
                && let Some(mb) = size.split_once(" MB").and_then(|(n, _)| n.parse().ok())
            {
                // LUN 0 is the controller (size 0); the disk is LUN 1.
                if let Some(last) = out.last_mut()
                    && mb > 0
                {
                    last.size_mb = Some(mb);
                }
            } else if let Some(path) = line.trim().strip_prefix("Backing store path: ") {
                if path != "None"
                    && let Some(last) = out.last_mut()
                {
                    last.backing_file = Some(path.to_string());
                }
            } else if line.trim_end() == "    ACL information:" {
                (in_acl, in_accounts) = (true, false);
            } else if line.trim_end() == "    Account information:" {
                (in_acl, in_accounts) = (false, true);
            } else if (in_acl || in_accounts) && line.starts_with("        ") {
                if let Some(last) = out.last_mut() {
                    let list = if in_acl {
                        &mut last.acl
                    } else {
                        &mut last.accounts
                    };
                    list.push(line.trim().to_string());
                }
            } else {
                (in_acl, in_accounts) = (false, false);
            }
        }
        Ok(out)
    }

    /// The CHAP accounts tgtd has.
    fn accounts(&self) -> Result<Vec<String>> {
        let text = self.tgtadm(&["--op", "show", "--mode", "account"])?;
        Ok(text
            .lines()
            .skip_while(|l| !l.starts_with("Account list:"))
            .skip(1)
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty())
            .collect())
    }

    fn ensure_account(&self, chap: &Chap) -> Result<()> {
        if !self.accounts()?.contains(&chap.user) {
            self.tgtadm(&[
                "--op",
                "new",
                "--mode",
                "account",
                "--user",
                &chap.user,
                "--password",
                &chap.secret,
            ])?;
        }
        Ok(())
    }

    /// Delete a target (closing its sessions), then the accounts that were
    /// bound to it.
    fn delete_target(&self, e: &Export) -> Result<()> {
        self.tgtadm(&[
            "--op",
            "delete",
            "--force",
            "--mode",
            "target",
            "--tid",
            &e.tid.to_string(),
        ])?;
        for user in &e.accounts {
            self.tgtadm(&["--op", "delete", "--mode", "account", "--user", user])?;
        }
        Ok(())
    }

    /// Export `file` as the drive's target (idempotent), admitting only
    /// `initiators` (IP addresses of the hosts that may attach it) that log
    /// in with `chap`.
    pub fn ensure_export(
        &self,
        drive_id: &uuid::Uuid,
        file: &Path,
        initiators: &[String],
        chap: &Chap,
    ) -> Result<Export> {
        if chap.user.is_empty() || chap.secret.len() < 12 {
            bail!("a drive's CHAP user and secret (12 characters or more) are required");
        }
        // Target ids are picked as the highest in use plus one: changes are
        // serialized so two exports never pick the same id.
        let _changing = TARGET_CHANGES.lock().unwrap_or_else(|e| e.into_inner());
        let iqn = drive_iqn(drive_id);
        let mut existing = self.exports()?;
        // A drive grown since it was exported shows its new size once no
        // initiator uses it (an instance's next start): make the LUN again.
        // New CHAP credentials (a fence) also make it again, which closes
        // every session the old ones opened. A target without an account
        // (exported before CHAP) is given one as it is.
        let file_mb = (std::fs::metadata(file)?.len() + 500_000) / 1_000_000;
        if let Some(at) = existing.iter().position(|e| {
            e.iqn == iqn
                && ((!e.in_use && e.size_mb.is_some_and(|mb| mb < file_mb))
                    || (!e.accounts.is_empty() && e.accounts != [chap.user.clone()]))
        }) {
            let stale = existing.remove(at);
            self.delete_target(&stale)?;
        }
        // After any remake, which deletes the accounts of the old target
        // (the drive's own among them when only the size changed).
        self.ensure_account(chap)?;
        if let Some(e) = existing.iter().find(|e| e.iqn == iqn) {
            // A target exported before CHAP gets its account once idle: a
            // guest using it without CHAP could not log in again.
            if e.accounts.is_empty() && !e.in_use {
                self.tgtadm(&[
                    "--op",
                    "bind",
                    "--mode",
                    "account",
                    "--tid",
                    &e.tid.to_string(),
                    "--user",
                    &chap.user,
                ])?;
            }
            // Make the ACL exactly `initiators`: bind first, then unbind,
            // so a host that stays admitted never loses access.
            let tid = e.tid.to_string();
            for addr in initiators.iter().filter(|a| !e.acl.contains(a)) {
                self.tgtadm(&[
                    "--op", "bind", "--mode", "target", "--tid", &tid, "-I", addr,
                ])?;
            }
            for addr in e.acl.iter().filter(|a| !initiators.contains(a)) {
                self.tgtadm(&[
                    "--op", "unbind", "--mode", "target", "--tid", &tid, "-I", addr,
                ])?;
            }
            // An ACL only checks logins: connections a removed initiator
            // already has are dropped, so it cannot write through them (the
            // fence of a failed host).
            for (sid, cid, addr) in e.connections.iter().filter(|c| !initiators.contains(&c.2)) {
                let dropped = self.tgtadm(&[
                    "--op",
                    "delete",
                    "--mode",
                    "conn",
                    "--tid",
                    &tid,
                    "--sid",
                    &sid.to_string(),
                    "--cid",
                    &cid.to_string(),
                ]);
                // A connection that closed by itself meanwhile is as good.
                if let Err(err) = dropped {
                    let still = self.exports()?.into_iter().any(|x| {
                        x.tid == e.tid && x.connections.iter().any(|c| (c.0, c.1) == (*sid, *cid))
                    });
                    if still {
                        return Err(err.context(format!("dropping {addr}'s connection")));
                    }
                }
            }
            let mut e = e.clone();
            e.acl = initiators.to_vec();
            if !e.in_use {
                e.accounts = vec![chap.user.clone()];
            }
            e.connections.retain(|c| initiators.contains(&c.2));
            return Ok(e);
        }
        let tid = existing.iter().map(|e| e.tid).max().unwrap_or(0) + 1;
        let tid_s = tid.to_string();
        self.tgtadm(&[
            "--op", "new", "--mode", "target", "--tid", &tid_s, "-T", &iqn,
        ])?;
        let file_s = file.to_string_lossy().to_string();
        let added = self
            .tgtadm(&[
                "--op",
                "new",
                "--mode",
                "logicalunit",
                "--tid",
                &tid_s,
                "--lun",
                "1",
                "-b",
                &file_s,
            ])
            .and_then(|_| {
                initiators.iter().try_for_each(|addr| {
                    self.tgtadm(&[
                        "--op", "bind", "--mode", "target", "--tid", &tid_s, "-I", addr,
                    ])
                    .map(|_| ())
                })
            })
            .and_then(|()| {
                self.tgtadm(&[
                    "--op", "bind", "--mode", "account", "--tid", &tid_s, "--user", &chap.user,
                ])
                .map(|_| ())
            });
        if let Err(e) = added {
            // Undo the half-made target so nothing leaks.
            let _ = self.tgtadm(&[
                "--op", "delete", "--force", "--mode", "target", "--tid", &tid_s,
            ]);
            let _ = self.tgtadm(&["--op", "delete", "--mode", "account", "--user", &chap.user]);
            return Err(e);
        }
        Ok(Export {
            tid,
            iqn,
            backing_file: Some(file_s),
            acl: initiators.to_vec(),
            size_mb: Some(file_mb),
            in_use: false,
            connections: Vec::new(),
            accounts: vec![chap.user.clone()],
        })
    }

    /// Remove a drive's export (idempotent).
    pub fn remove_export(&self, drive_id: &uuid::Uuid) -> Result<()> {
        let _changing = TARGET_CHANGES.lock().unwrap_or_else(|e| e.into_inner());
        let iqn = drive_iqn(drive_id);
        if let Some(e) = self.exports()?.into_iter().find(|e| e.iqn == iqn) {
            self.delete_target(&e)?;
        }
        Ok(())
    }
}
