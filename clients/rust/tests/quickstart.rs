//! The README's quick start, run against a live server.

use overcast_testkit::{Backend, TestServer};

// BEGIN QUICKSTART
use futures::TryStreamExt;
use overcast_client::{ApiErrorExt, Client, types};

async fn quickstart(
    base_url: &str,
    token: &str,
    public_key: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::with_token(base_url, token);

    let project = client
        .project_create()
        .body_map(|b| b.name("web"))
        .send()
        .await?;
    println!("project {}", project.id);

    client
        .ssh_key_create()
        .body_map(|b| b.name("laptop").public_key(public_key))
        .send()
        .await?;
    let ip = client
        .ip_address_create()
        .project("web")
        .body_map(|b| b.name("web-1-public").pool("public"))
        .send()
        .await?;
    println!("address {}", ip.address);
    for i in 0..25 {
        client
            .drive_create()
            .project("web")
            .idempotency_key(format!("quickstart-drive-{i}"))
            .body_map(|b| b.name(format!("data-{i}")).size_bytes(1u64 << 30))
            .send()
            .await?;
    }

    // Every list streams through all its pages.
    let drives: Vec<types::Drive> = client
        .drive_list()
        .project("web")
        .limit(10)
        .stream()
        .try_collect()
        .await?;
    assert_eq!(drives.len(), 25);

    // An instance from the `tiny` OS template, with the key and the address.
    let mut instance = client
        .instance_create()
        .project("web")
        .body_map(|b| {
            b.name("web-1")
                .image("tiny".to_string())
                .vcpus(1u32)
                .memory_mib(256u64)
                .ssh_keys(vec!["laptop".to_string()])
                .ip_addresses(vec!["web-1-public".to_string()])
        })
        .send()
        .await?
        .into_inner();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while instance.state != types::InstanceState::Running && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        instance = client
            .instance_get()
            .instance(instance.id.to_string())
            .send()
            .await?
            .into_inner();
    }
    println!("instance {} is {:?}", instance.name, instance.state);
    assert_eq!(instance.state, types::InstanceState::Running);

    // Errors carry the API's error code and the request id.
    match client
        .drive_get()
        .drive("no-such-drive")
        .project("web")
        .send()
        .await
    {
        Err(e) if e.error_code() == Some("not_found") => {
            println!("not found (request {})", e.request_id().unwrap_or_default());
        }
        other => panic!("expected a 404, got {other:?}"),
    }
    Ok(())
}
// END QUICKSTART

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quickstart_runs_against_a_live_server() {
    let t = TestServer::start(Backend::Sqlite).await.unwrap();
    let tenant = t.tenant("acme").await;
    t.create(
        "/v1/ip-pools",
        &t.operator_token,
        serde_json::json!({"name": "public", "first_address": "203.0.113.10",
            "last_address": "203.0.113.20", "prefix_len": 24, "gateway": "203.0.113.1"}),
    )
    .await;
    let key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f me@laptop";
    quickstart(&t.base, &tenant.rw, key)
        .await
        .expect("the quick start runs");
}

#[test]
fn readme_shows_this_quickstart() {
    let source = include_str!("quickstart.rs");
    let start = source.find("// BEGIN QUICKSTART\n").unwrap() + "// BEGIN QUICKSTART\n".len();
    let end = source.find("// END QUICKSTART").unwrap();
    let readme = include_str!("../README.md");
    assert!(
        readme.contains(&source[start..end]),
        "clients/rust/README.md must show the quick start of tests/quickstart.rs verbatim"
    );
}
