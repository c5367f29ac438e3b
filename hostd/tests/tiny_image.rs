//! The `tiny` image boots under QEMU (TCG) and applies a config drive made
//! by this crate: hostname, address and SSH keys, seen on the serial console.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use overcast_hostd::configdrive::{ConfigDrive, Network};

fn tiny() -> PathBuf {
    let dir = std::env::var("OVERCAST_IMAGES_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/images"))
        .join("tiny");
    assert!(
        dir.join("vmlinuz").exists() && dir.join("initrd.img").exists(),
        "the tiny image is missing from {}: run `cargo xtask images`",
        dir.display()
    );
    dir
}

#[test]
fn tiny_boots_and_applies_the_config_drive() {
    let image = tiny();
    let scratch = std::env::temp_dir().join(format!("overcast-tiny-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).unwrap();
    let iso = scratch.join("cidata.iso");
    ConfigDrive {
        instance_id: uuid::Uuid::new_v4(),
        hostname: "web-1".into(),
        ssh_keys: vec![
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f me@laptop".into(),
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f ci@runner".into(),
        ],
        network: Some(Network {
            address_cidr: "10.0.2.15/24".into(),
            gateway: Some("10.0.2.2".into()),
        }),
        user_data: "#cloud-config\n".into(),
    }
    .write_iso(&iso)
    .unwrap();

    let started = Instant::now();
    let mut qemu = Command::new("qemu-system-x86_64")
        .args([
            "-accel",
            "tcg",
            "-m",
            "256",
            "-nographic",
            "-no-reboot",
            "-nodefaults",
            "-serial",
            "stdio",
        ])
        .arg("-kernel")
        .arg(image.join("vmlinuz"))
        .arg("-initrd")
        .arg(image.join("initrd.img"))
        .args(["-append", "console=ttyS0 quiet panic=-1"])
        .arg("-drive")
        .arg(format!(
            "file={},if=virtio,format=raw,readonly=on",
            iso.display()
        ))
        .args([
            "-netdev",
            "user,id=n0",
            "-device",
            "virtio-net-pci,netdev=n0",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .stdin(Stdio::null())
        .spawn()
        .expect("qemu-system-x86_64 runs (install it with `cargo xtask setup`)");
    let (tx, rx) = mpsc::channel();
    let stdout = qemu.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Duration::from_secs(120);
    let mut console = Vec::new();
    let ready = loop {
        match rx.recv_timeout(deadline.saturating_sub(started.elapsed())) {
            Ok(line) if line.contains("OVERCAST-READY") => break Some(line),
            Ok(line) => console.push(line),
            Err(_) => break None,
        }
    };
    let _ = qemu.kill();
    let _ = qemu.wait();
    let _ = std::fs::remove_dir_all(&scratch);
    let ready = ready.unwrap_or_else(|| {
        panic!(
            "no readiness marker within {deadline:?}; console:\n{}",
            console.join("\n")
        )
    });
    let marker = &ready[ready.find("OVERCAST-READY").unwrap()..];
    assert_eq!(
        marker.trim(),
        "OVERCAST-READY hostname=web-1 address=10.0.2.15/24 ssh_keys=2 disks=vda:0M"
    );
    eprintln!(
        "tiny reached its readiness marker {:?} after qemu started",
        started.elapsed()
    );
}
