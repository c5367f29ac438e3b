//! The `tiny` image boots under QEMU and applies a config drive made by
//! this crate (hostname, address, SSH keys, seen on the serial console);
//! the `auto` accelerator setting resolves to one that really boots it.

use std::path::PathBuf;
use std::time::Duration;

use overcast_hostd::accel::{AcceleratorSetting, boot_tiny, resolve};
use overcast_hostd::configdrive::{ConfigDrive, Network};
use overcast_hostd::domain::Accelerator;

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
    let extra: Vec<String> = [
        "-drive".to_string(),
        format!("file={},if=virtio,format=raw,readonly=on", iso.display()),
        "-netdev".into(),
        "user,id=n0".into(),
        "-device".into(),
        "virtio-net-pci,netdev=n0".into(),
    ]
    .into();
    let boot = boot_tiny(Accelerator::Tcg, &image, &extra, Duration::from_secs(120)).unwrap();
    let _ = std::fs::remove_dir_all(&scratch);
    let boot = boot.expect("tiny reaches its readiness marker under TCG within 120 s");
    assert_eq!(
        boot.ready_line,
        "OVERCAST-READY hostname=web-1 address=10.0.2.15/24 ssh_keys=2 disks=vda:0M"
    );
    eprintln!(
        "tiny reached its readiness marker {:?} after qemu started",
        boot.elapsed
    );
}

#[test]
fn auto_accelerator_is_one_that_boots() {
    let image = tiny();
    let chosen = resolve(AcceleratorSetting::Auto, &image, Duration::from_secs(20)).unwrap();
    eprintln!("auto resolved to {chosen:?}");
    let boot = boot_tiny(chosen, &image, &[], Duration::from_secs(120)).unwrap();
    assert!(
        boot.is_some(),
        "the accelerator auto chose ({chosen:?}) does not boot tiny"
    );
}
