//! A `tiny` instance under a private libvirtd, its drive served over iSCSI
//! by a private tgtd, as hostd will run it: it boots and sees the drive;
//! afterwards no domain, target or drive file remains.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use overcast_hostd::configdrive::ConfigDrive;
use overcast_hostd::daemons::HostDaemons;
use overcast_hostd::domain::{Accelerator, DirectKernel, Disk, DiskAuth, InstanceSpec, IscsiDisk};
use overcast_hostd::libvirt::{Libvirt, Secret, secret_usage};
use overcast_hostd::tgt::Chap;

fn tiny() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/images/tiny");
    assert!(
        dir.join("vmlinuz").exists(),
        "the tiny image is missing from {}: run `cargo xtask images`",
        dir.display()
    );
    dir.canonicalize().unwrap()
}

#[test]
fn tiny_instance_boots_from_an_iscsi_drive_and_leaves_nothing_behind() {
    let image = tiny();
    let dir = std::env::temp_dir().join(format!("overcast-host-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut host = HostDaemons::start(&dir.join("daemons"))
        .expect("a private libvirtd and tgtd start (as root)");

    let drive_id = uuid::Uuid::new_v4();
    let drive_file = dir.join(format!("{drive_id}.raw"));
    std::fs::File::create(&drive_file)
        .unwrap()
        .set_len(64 << 20)
        .unwrap();
    let chap = Chap {
        user: "oc-instance-test".into(),
        secret: "instance-test-secret-0123".into(),
    };
    let export = host
        .tgt
        .ensure_export(&drive_id, &drive_file, &["127.0.0.1".to_string()], &chap)
        .unwrap();
    let again = host
        .tgt
        .ensure_export(&drive_id, &drive_file, &["127.0.0.1".to_string()], &chap)
        .unwrap();
    assert_eq!(export, again, "exports are idempotent");

    let instance_id = uuid::Uuid::new_v4();
    let cidata = dir.join("cidata.iso");
    ConfigDrive {
        instance_id,
        hostname: "web-1".into(),
        ssh_keys: vec![],
        network: None,
        user_data: String::new(),
    }
    .write_iso(&cidata)
    .unwrap();
    let serial = dir.join("serial.log");
    let spec = InstanceSpec {
        uuid: instance_id,
        name: format!("instance-{instance_id}"),
        vcpus: 1,
        memory_mib: 256,
        accelerator: Accelerator::Tcg,
        boot: DirectKernel {
            kernel: image.join("vmlinuz"),
            initrd: image.join("initrd.img"),
            cmdline: "console=ttyS0 quiet panic=-1".into(),
        },
        disks: vec![Disk::Iscsi(IscsiDisk {
            host: "127.0.0.1".into(),
            port: host.portal_port,
            iqn: export.iqn.clone(),
            lun: 1,
            chap: Some(DiskAuth {
                user: chap.user.clone(),
                secret_usage: secret_usage(&instance_id, &drive_id),
            }),
        })],
        config_drive: Some(cidata.clone()),
        serial_log: serial.clone(),
        bridge: None,
    };
    let libvirt = Libvirt::connect(&host.libvirt_uri).unwrap();
    libvirt
        .ensure_secrets(
            &instance_id,
            &[Secret::Iscsi {
                usage: secret_usage(&instance_id, &drive_id),
                password: chap.secret.clone(),
            }],
        )
        .unwrap();
    let started = Instant::now();
    libvirt.ensure_running(&spec).unwrap();
    libvirt.ensure_running(&spec).expect("ensure is idempotent");
    let marker = loop {
        let log = std::fs::read_to_string(&serial).unwrap_or_default();
        if let Some(at) = log.find("OVERCAST-READY") {
            break log[at..].lines().next().unwrap().trim().to_string();
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "no readiness marker; console:\n{log}"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    eprintln!("ready {:?} after define+start", started.elapsed());
    assert_eq!(
        marker,
        "OVERCAST-READY hostname=web-1 address=none ssh_keys=0 disks=vda:64M,vdb:0M"
    );
    let inventory = libvirt.inventory().unwrap();
    assert_eq!(inventory.len(), 1);
    assert!(inventory[0].running);

    // Delete: the domain, then the export, then the file.
    libvirt.remove(&spec.name).unwrap();
    libvirt.remove(&spec.name).expect("remove is idempotent");
    host.tgt.remove_export(&drive_id).unwrap();
    std::fs::remove_file(&drive_file).unwrap();
    assert!(libvirt.inventory().unwrap().is_empty(), "no domain remains");
    assert!(host.tgt.exports().unwrap().is_empty(), "no target remains");
    assert!(!drive_file.exists(), "no drive file remains");
    host.stop();
    let _ = std::fs::remove_dir_all(&dir);
}
