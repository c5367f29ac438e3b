//! Drive files and their iSCSI exports on a real tgtd: blank and from an
//! image (sparse), grow but never shrink, data written over iSCSI survives
//! the export being stopped and started, and deletion leaves nothing.

use std::os::unix::fs::MetadataExt;
use std::process::Command;

use overcast_hostd::daemons::HostDaemons;
use overcast_hostd::drives::DriveStore;
use overcast_hostd::tgt::Chap;

fn qemu_io(target: &str, op: &str) -> String {
    let out = Command::new("qemu-io")
        .args(["-f", "raw", "-c", op, target])
        .output()
        .expect("qemu-io runs (qemu-utils)");
    assert!(
        out.status.success(),
        "qemu-io {op}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn drives_are_sparse_grow_keep_data_and_leave_nothing() {
    let dir = std::env::temp_dir().join(format!("overcast-drives-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut host =
        HostDaemons::start(&dir.join("daemons")).expect("tgtd and libvirtd start (as root)");
    let store = DriveStore::new(dir.join("storage")).unwrap();

    // Blank and sparse.
    let blank = uuid::Uuid::new_v4();
    let path = store.ensure(&blank, 1 << 30, None).unwrap();
    assert_eq!(
        store.ensure(&blank, 1 << 30, None).unwrap(),
        path,
        "idempotent"
    );
    let meta = std::fs::metadata(&path).unwrap();
    assert_eq!(meta.len(), 1 << 30);
    assert!(
        meta.blocks() * 512 < 1 << 20,
        "a blank drive allocates nothing"
    );

    // From an image: its contents, then sparse space up to the size.
    let image = dir.join("image.raw");
    std::fs::write(&image, vec![7u8; 1 << 20]).unwrap();
    let from_image = uuid::Uuid::new_v4();
    let p2 = store.ensure(&from_image, 64 << 20, Some(&image)).unwrap();
    assert_eq!(std::fs::metadata(&p2).unwrap().len(), 64 << 20);
    assert_eq!(&std::fs::read(&p2).unwrap()[..4], &[7, 7, 7, 7]);
    assert!(
        store
            .ensure(&uuid::Uuid::new_v4(), 1 << 19, Some(&image))
            .is_err(),
        "too small for the image"
    );

    // Grow, never shrink.
    store.grow(&blank, 2 << 30).unwrap();
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 2 << 30);
    assert!(store.grow(&blank, 1 << 30).is_err());

    // Data written over iSCSI is read back after the export stops and starts.
    let chap = Chap {
        user: "oc-drives-test".into(),
        secret: "drives-test-secret-0123".into(),
    };
    let login = format!("{}%{}@", chap.user, chap.secret);
    let export = host
        .tgt
        .ensure_export(&blank, &path, &["127.0.0.1".to_string()], &chap)
        .unwrap();
    let url = format!(
        "iscsi://{login}127.0.0.1:{}/{}/1",
        host.portal_port, export.iqn
    );
    qemu_io(&url, "write -P 0x5a 1M 64k");
    host.tgt.remove_export(&blank).unwrap();
    let export = host
        .tgt
        .ensure_export(&blank, &path, &["127.0.0.1".to_string()], &chap)
        .unwrap();
    let url = format!(
        "iscsi://{login}127.0.0.1:{}/{}/1",
        host.portal_port, export.iqn
    );
    let read = qemu_io(&url, "read -P 0x5a 1M 64k");
    assert!(read.contains("read 65536/65536 bytes"), "{read}");

    // An initiator outside the ACL is refused, even with the secret.
    let other_chap = Chap {
        user: "oc-drives-other".into(),
        secret: "drives-other-secret-0123".into(),
    };
    let other = host
        .tgt
        .ensure_export(&from_image, &p2, &["10.9.9.9".to_string()], &other_chap)
        .unwrap();
    let refused = Command::new("qemu-io")
        .args(["-f", "raw", "-c", "read 0 4k"])
        .arg(format!(
            "iscsi://{}%{}@127.0.0.1:{}/{}/1",
            other_chap.user, other_chap.secret, host.portal_port, other.iqn
        ))
        .output()
        .unwrap();
    assert!(
        !refused.status.success(),
        "an initiator outside the ACL must not read"
    );

    // Delete: exports first, then files; nothing remains.
    assert_eq!(store.inventory().unwrap().len(), 2);
    store.delete(&blank, &host.tgt).unwrap();
    store.delete(&from_image, &host.tgt).unwrap();
    store.delete(&from_image, &host.tgt).expect("idempotent");
    assert!(host.tgt.exports().unwrap().is_empty());
    let accounts = Command::new("tgtadm")
        .args(["-C", &host.tgt.control_port.to_string(), "--lld", "iscsi"])
        .args(["--op", "show", "--mode", "account"])
        .output()
        .unwrap();
    let accounts = String::from_utf8_lossy(&accounts.stdout).into_owned();
    assert!(
        !accounts.contains("oc-"),
        "no CHAP account is left: {accounts}"
    );
    assert!(store.inventory().unwrap().is_empty());
    host.stop();
    let _ = std::fs::remove_dir_all(&dir);
}
