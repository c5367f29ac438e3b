//! The provider against a real all-in-one host (hostd, libvirtd and tgtd;
//! guests under TCG; needs root and the `tiny` image): what only a real
//! host proves. Apply returns once the guest runs; a stop, an IP attached
//! to a stopped guest, a resize (stop, change, start), an import and a
//! replacement reach the real domain; destroy leaves no domain, iSCSI
//! target or drive file behind. Everything else is proven on simulated
//! hosts in `acceptance.rs`.

mod common;

use common::{KEY, Tf, setup_pool};
use overcast_testkit::{Backend, Hosts, TestServer, look_at_host, virsh};
use serde_json::json;
use std::path::Path;

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

/// The state of the domain of instance `id` on the host, if it has one.
fn domain_state(dir: &Path, id: &str) -> Option<String> {
    let name = format!("instance-{id}");
    look_at_host(dir)
        .domains
        .into_iter()
        .find(|(n, _)| *n == name)
        .map(|(_, state)| state)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instance_changes_reach_the_real_domain() {
    let server = TestServer::start_with(Backend::Sqlite, Hosts::Real)
        .await
        .expect("a real host needs root, QEMU, libvirtd, tgtd and `cargo xtask images`");
    setup_pool(&server).await;
    let tenant = server.api.tenant("acme").await;
    let api = &server.api;
    let dir = server.host_dir().expect("a real host").to_path_buf();
    let tf = Tf::new("instance", &api.base, &tenant.rw);
    let instance = || async {
        api.get("/v1/instances/app?project=main", &tenant.rw)
            .await
            .body
    };
    tf.apply(&[]).await;
    let first = instance().await;
    let id = first["id"].as_str().unwrap().to_string();
    assert_eq!(first["state"], "running");
    assert_eq!(domain_state(&dir, &id).as_deref(), Some("running"));

    // Stopped through power_state, then an IP attached in place while it
    // is stopped: no stop warning, and it stays stopped.
    tf.apply(&["-var=power_state=stopped"]).await;
    assert_eq!(instance().await["state"], "stopped");
    assert_eq!(domain_state(&dir, &id).as_deref(), Some("shut off"));
    let vars = ["-var=power_state=stopped", "-var=attach_ip=true"];
    let plan = tf.plan(&vars).await;
    assert_eq!(plan.code, 2, "{}", plan.out);
    assert!(
        plan.out.contains("will be updated in-place"),
        "{}",
        plan.out
    );
    assert!(!plan.out.contains("stops the instance"), "{}", plan.out);
    tf.apply(&vars).await;
    let now = instance().await;
    assert_eq!(now["state"], "stopped");
    assert_eq!(now["id"], first["id"], "updated in place, not replaced");
    assert_eq!(now["ip_address_ids"].as_array().unwrap().len(), 1);
    assert_eq!(domain_state(&dir, &id).as_deref(), Some("shut off"));
    assert_eq!(tf.plan(&vars).await.code, 0);

    // Running again; then two vCPUs: the plan warns that the resize stops
    // the instance, and apply stops, resizes and starts the real domain.
    tf.apply(&["-var=attach_ip=true"]).await;
    assert_eq!(domain_state(&dir, &id).as_deref(), Some("running"));
    let vars = ["-var=attach_ip=true", "-var=vcpus=2"];
    let plan = tf.plan(&vars).await;
    assert_eq!(plan.code, 2, "{}", plan.out);
    assert!(
        plan.out.contains("Changing vcpus stops the instance"),
        "{}",
        plan.out
    );
    tf.apply(&vars).await;
    let now = instance().await;
    assert_eq!(
        (now["vcpus"].as_i64(), now["state"].as_str()),
        (Some(2), Some("running"))
    );
    assert_eq!(now["id"], first["id"]);
    assert_eq!(domain_state(&dir, &id).as_deref(), Some("running"));
    let info = virsh(&dir, &["dominfo", &format!("instance-{id}")]);
    assert!(
        info.lines()
            .any(|l| l.starts_with("CPU(s):") && l.trim_end().ends_with(" 2")),
        "the domain has two vCPUs: {info}"
    );
    assert_eq!(tf.plan(&vars).await.code, 0);

    // Forgotten by Terraform and adopted again by `project/name`: the plan
    // right after is empty, write-once inputs (image) included.
    let r = tf.run(&["state", "rm", "overcast_instance.app"]).await;
    assert_eq!(r.code, 0, "{}", r.out);
    let mut args = vec!["import"];
    args.extend(vars);
    args.extend(["overcast_instance.app", "main/app"]);
    let r = tf.run(&args).await;
    assert_eq!(r.code, 0, "{}", r.out);
    let plan = tf.plan(&vars).await;
    assert_eq!(
        plan.code, 0,
        "a plan right after import is empty:\n{}",
        plan.out
    );

    // Another image means another instance: the old domain goes, the new
    // one runs.
    let tiny = api.get("/v1/images/tiny", &api.operator_token).await;
    let op = api.operator_token.clone();
    api.create(
        "/v1/images",
        &op,
        json!({"name": "tiny-2", "os_family": "linux", "architecture": "x86_64",
               "boot_mode": "direct_kernel", "min_size_bytes": tiny.body["min_size_bytes"],
               "source_url": tiny.body["source_url"], "system": true}),
    )
    .await;
    let vars = ["-var=attach_ip=true", "-var=vcpus=2", "-var=image=tiny-2"];
    let plan = tf.plan(&vars).await;
    assert_eq!(plan.code, 2, "{}", plan.out);
    assert!(plan.out.contains("# forces replacement"), "{}", plan.out);
    tf.apply(&vars).await;
    let now = instance().await;
    let new_id = now["id"].as_str().unwrap().to_string();
    assert_ne!(new_id, id, "replaced");
    assert_eq!(now["state"], "running");
    assert_eq!(domain_state(&dir, &id), None, "the old domain is gone");
    assert_eq!(domain_state(&dir, &new_id).as_deref(), Some("running"));
    assert_eq!(tf.plan(&vars).await.code, 0);

    let r = tf.run(&["destroy", "-auto-approve", vars[2]]).await;
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
