//! The provider against a real all-in-one host (hostd, libvirtd and tgtd;
//! guests under TCG; needs root and the `tiny` image): what only a real
//! host proves. Apply returns once the guest runs, and destroy leaves no
//! domain, iSCSI target or drive file behind. Everything else is proven on
//! simulated hosts in `acceptance.rs`.

mod common;

use common::{KEY, Tf, setup_pool};
use overcast_testkit::{Backend, Hosts, TestServer, look_at_host};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_runs_a_real_guest_and_destroy_leaves_the_host_clean() {
    let server = TestServer::start_with(Backend::Sqlite, Hosts::Real)
        .await
        .expect("a real host needs root, QEMU, libvirtd, tgtd and `cargo xtask images`");
    setup_pool(&server).await;
    let tenant = server.api.tenant("acme").await;
    let api = &server.api;
    let tf = Tf::new("basic", &api.base, &tenant.rw);
    let key = format!("-var=public_key={KEY}");
    tf.apply(&[&key]).await;

    let instance = api.get("/v1/instances/web-1?project=web", &tenant.rw).await;
    assert_eq!(instance.body["state"], "running", "{:?}", instance.body);
    let dir = server.host_dir().expect("a real host").to_path_buf();
    let view = look_at_host(&dir);
    let domain = format!("instance-{}", instance.id());
    assert!(
        view.domains
            .iter()
            .any(|(name, state)| *name == domain && state == "running"),
        "the guest runs on the host: {view:?}"
    );
    assert_eq!(
        view.targets, 2,
        "the boot and data drives are exported: {view:?}"
    );
    let plan = tf.plan(&[&key]).await;
    assert_eq!(plan.code, 0, "{}", plan.out);

    let r = tf.run(&["destroy", "-auto-approve", &key]).await;
    assert_eq!(r.code, 0, "{}", r.out);
    let view = look_at_host(&dir);
    assert!(view.domains.is_empty(), "no domain remains: {view:?}");
    assert_eq!(view.targets, 0, "no target remains: {view:?}");
    assert!(
        view.drive_files.is_empty(),
        "no drive file remains: {view:?}"
    );
    server.stop().await;
}
