//! A host driven command by command, on daemons it did not start (as on a
//! production host where libvirtd and tgtd are system services): ensure a
//! drive and an instance, read the console, refuse stale and malformed
//! commands without touching anything, and remove everything again.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use overcast_hostd::daemons::HostDaemons;
use overcast_hostd::domain::Accelerator;
use overcast_hostd::host::{Host, HostSettings, SystemDaemons};
use overcast_internal_api::v1::{self as api, ErrorKind, server_message::Command as Cmd};

fn tiny() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/images/tiny");
    assert!(
        dir.join("vmlinuz").exists(),
        "the tiny image is missing from {}: run `cargo xtask images`",
        dir.display()
    );
    dir.canonicalize().unwrap()
}

/// The drive's CHAP credentials, then the ones a fence rotates to.
const CHAP: (&str, &str) = ("oc-first", "first-secret-0123456789");
const ROTATED: (&str, &str) = ("oc-second", "second-secret-0123456789");

/// Whether an initiator logs in to the drive's target on this host's
/// portal with `chap` (none: no CHAP at all), through QEMU's libiscsi.
fn logs_in(port: u16, drive: &str, chap: Option<(&str, &str)>) -> Result<(), String> {
    let auth = chap.map_or(String::new(), |(u, p)| format!("{u}%{p}@"));
    let out = std::process::Command::new("qemu-img")
        .arg("info")
        .arg(format!(
            "iscsi://{auth}127.0.0.1:{port}/{}/1",
            overcast_hostd::tgt::drive_iqn(&drive.parse().unwrap())
        ))
        .output()
        .expect("qemu-img runs");
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// The drive exported to this host alone, `mib` MiB, admitting `chap`.
fn ensure_drive(drive: &str, generation: u64, mib: u64, chap: (&str, &str)) -> Cmd {
    Cmd::EnsureDrive(api::EnsureDrive {
        drive_id: drive.into(),
        generation,
        size_bytes: mib << 20,
        image_source: String::new(),
        initiators: vec!["127.0.0.1".into()],
        chap_user: chap.0.into(),
        chap_secret: chap.1.into(),
    })
}

/// The usage ids of the libvirt secrets.
fn secrets(libvirt_uri: &str) -> String {
    let out = std::process::Command::new("virsh")
        .args(["-c", libvirt_uri, "secret-list"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn ensure_instance(id: &str, drive: &str, generation: u64, port: u16, power: api::Power) -> Cmd {
    let mut c = api::EnsureInstance {
        instance_id: id.into(),
        generation,
        hostname: "cmd-1".into(),
        vcpus: 1,
        memory_mib: 256,
        image_source: format!("file://{}", tiny().display()),
        disks: vec![api::Disk {
            source: Some(api::disk::Source::Iscsi(api::IscsiDisk {
                drive_id: drive.into(),
                portal_host: "127.0.0.1".into(),
                portal_port: u32::from(port),
                chap_user: CHAP.0.into(),
                chap_secret: CHAP.1.into(),
            })),
        }],
        ..Default::default()
    };
    c.set_power(power);
    Cmd::EnsureInstance(c)
}

#[test]
fn commands_on_system_daemons() {
    let dir = std::env::temp_dir().join(format!("overcast-cmds-{}", uuid::Uuid::new_v4()));
    // Stand-ins for the system's libvirtd and tgtd.
    let system =
        HostDaemons::start(&dir.join("system")).expect("libvirtd and tgtd start (as root)");
    let host = Host::open(HostSettings {
        state_dir: dir.join("host"),
        accelerator: Accelerator::Tcg,
        bridge: None,
        stop_grace: Duration::from_secs(1),
        system_daemons: Some(SystemDaemons {
            libvirt_uri: system.libvirt_uri.clone(),
            tgt_control_port: system.tgt.control_port,
            iscsi_port: system.portal_port,
        }),
        address: "127.0.0.1".into(),
    })
    .unwrap();
    assert!(
        !dir.join("host/daemons").exists(),
        "no private daemons on a host with system ones"
    );
    let drive = uuid::Uuid::new_v4().to_string();
    let instance = uuid::Uuid::new_v4().to_string();
    let ok = |cmd: Cmd| {
        let r = host.execute(1, Some(cmd));
        assert!(r.error.is_empty(), "{}", r.error);
        r
    };
    ok(ensure_drive(&drive, 2, 32, CHAP));
    ok(ensure_instance(
        &instance,
        &drive,
        5,
        system.portal_port,
        api::Power::Running,
    ));

    let started = Instant::now();
    let console = loop {
        let r = ok(Cmd::ReadSerial(api::ReadSerial {
            instance_id: instance.clone(),
            offset: 0,
            max_bytes: 65536,
        }));
        let text = String::from_utf8_lossy(&r.serial.unwrap().data).into_owned();
        if text.contains("OVERCAST-READY") {
            break text;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "no marker:\n{text}"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(
        console.contains("OVERCAST-READY hostname=cmd-1"),
        "{console}"
    );

    // The guest logged in with CHAP; without it, or with a wrong secret,
    // the target refuses (the initiator address is in the ACL).
    let port = system.portal_port;
    let refused = logs_in(port, &drive, None).unwrap_err();
    assert!(refused.contains("Authentication failure"), "{refused}");
    let refused = logs_in(port, &drive, Some((CHAP.0, "not-the-secret-0000"))).unwrap_err();
    assert!(refused.contains("Authentication failure"), "{refused}");
    logs_in(port, &drive, Some(CHAP)).expect("the drive's own credentials log in");
    let listed = secrets(&system.libvirt_uri);
    assert!(
        listed.contains(&format!("overcast-{instance}-{drive}")),
        "the guest's CHAP secret is a libvirt secret: {listed}"
    );

    // Stale and malformed commands are refused and change nothing.
    let before = host.inventory().unwrap();
    let stale = host.execute(
        2,
        Some(ensure_instance(
            &instance,
            &drive,
            4,
            system.portal_port,
            api::Power::Stopped,
        )),
    );
    assert_eq!(stale.error_kind(), ErrorKind::Stale, "{}", stale.error);
    let stale = host.execute(
        3,
        Some(Cmd::RemoveDrive(api::RemoveDrive {
            drive_id: drive.clone(),
            generation: 1,
        })),
    );
    assert_eq!(stale.error_kind(), ErrorKind::Stale, "{}", stale.error);
    let bad = host.execute(
        4,
        Some(Cmd::RemoveInstance(api::RemoveInstance {
            instance_id: "../etc".into(),
            generation: 9,
        })),
    );
    assert_eq!(bad.error_kind(), ErrorKind::Invalid, "{}", bad.error);
    let empty = host.execute(5, None);
    assert_eq!(empty.error_kind(), ErrorKind::Invalid);
    let after = host.inventory().unwrap();
    assert_eq!(before, after, "refused commands changed nothing");
    assert_eq!(after.domains.len(), 1);
    assert!(after.domains[0].running);

    // Growing a drive in use keeps its LUN as the guest sees it...
    let grow = |generation: u64, mib: u64| ensure_drive(&drive, generation, mib, CHAP);
    ok(grow(3, 48));
    let lun_mb = || system.tgt.exports().unwrap()[0].size_mb;
    assert_eq!(lun_mb(), Some(34), "32 MiB while the guest runs");
    // New credentials (a fence) remake the target: the guest's session is
    // dropped, and the old secret no longer logs in.
    let in_use = |tgt: &overcast_hostd::tgt::Tgt| tgt.exports().unwrap()[0].connections.len();
    assert!(in_use(&system.tgt) > 0, "the guest is connected");
    ok(ensure_drive(&drive, 4, 48, ROTATED));
    let export = system.tgt.exports().unwrap().remove(0);
    assert_eq!(export.accounts, vec![ROTATED.0.to_string()]);
    // libiscsi in the guest's QEMU logs in again with the old secret and
    // is refused; give it a moment to try.
    std::thread::sleep(Duration::from_secs(2));
    assert!(
        system.tgt.exports().unwrap()[0].connections.is_empty(),
        "no session with the old secret survives the rotation"
    );
    let refused = logs_in(port, &drive, Some(CHAP)).unwrap_err();
    assert!(refused.contains("Authentication failure"), "{refused}");
    logs_in(port, &drive, Some(ROTATED)).expect("the new credentials log in");
    ok(Cmd::RemoveInstance(api::RemoveInstance {
        instance_id: instance.clone(),
        generation: 6,
    }));
    let listed = secrets(&system.libvirt_uri);
    assert!(
        !listed.contains("overcast-"),
        "a removed instance leaves no secret: {listed}"
    );
    // ...and once nobody uses it, the LUN is made again at the new size.
    // (with the credentials it has now: the account survives the remake)
    ok(ensure_drive(&drive, 5, 64, ROTATED));
    assert_eq!(
        system.tgt.exports().unwrap()[0].accounts,
        vec![ROTATED.0.to_string()]
    );
    logs_in(port, &drive, Some(ROTATED)).expect("the same credentials after a grow");
    assert_eq!(lun_mb(), Some(67), "64 MiB once the guest is gone");
    ok(Cmd::RemoveDrive(api::RemoveDrive {
        drive_id: drive.clone(),
        generation: 6,
    }));
    let left = host.inventory().unwrap();
    assert!(
        left.domains.is_empty() && left.drives.is_empty(),
        "{left:?}"
    );
    assert!(system.tgt.exports().unwrap().is_empty());
    drop(host);
    drop(system);
    let _ = std::fs::remove_dir_all(&dir);
}
