//! Integration tests of the public API against a real server on port 0
//! with a simulated host (the real internal API, an in-memory host): no
//! root, QEMU, libvirtd or tgtd needed. Every test runs twice: on SQLite
//! and on a PostgreSQL the tests start.

use std::collections::HashSet;

use diesel::RunQueryDsl;

use overcast_server::storage::object_pg;
use overcast_testkit::{Backend, Reply, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use overcast_testkit::on_both_backends;

on_both_backends!(
    health_metrics_and_document,
    tenancy_and_tokens,
    drives_ips_and_instances,
    bad_input_is_rejected_whole,
    pagination_over_many_items,
    idempotency_keys,
    concurrent_updates_one_winner,
    authorization_sweep,
    snapshots_and_replication,
);

const KEY: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f alice@laptop";

fn assert_problem(reply: &Reply, status: StatusCode, code: &str) {
    assert_eq!(reply.status, status, "body: {}", reply.body);
    assert_eq!(reply.code(), code, "body: {}", reply.body);
    assert_eq!(
        reply.headers.get("content-type").unwrap(),
        "application/json"
    );
    let rid = reply.headers.get("x-request-id").unwrap().to_str().unwrap();
    assert_eq!(
        reply.body["request_id"], rid,
        "error carries the request id"
    );
    assert_eq!(reply.body["status"], status.as_u16());
    assert!(
        reply.body["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty())
    );
}

/// [`assert_problem`], and its message says `words`.
fn assert_problem_says(reply: &Reply, status: StatusCode, code: &str, words: &str) {
    assert_problem(reply, status, code);
    let message = reply.body["message"].as_str().unwrap_or_default();
    assert!(message.contains(words), "{words:?} not in {}", reply.body);
}

async fn event_count(t: &TestServer) -> usize {
    let mut n = 0;
    let mut token: Option<String> = None;
    loop {
        let path = match &token {
            Some(tok) => format!("/v1/events?limit=1000&page_token={tok}"),
            None => "/v1/events?limit=1000".into(),
        };
        let r = t.get(&path, &t.operator_token).await;
        assert_eq!(r.status, 200);
        n += r.body["items"].as_array().unwrap().len();
        match r.body["next_page"].as_str() {
            Some(next) => token = Some(next.to_string()),
            None => return n,
        }
    }
}

async fn health_metrics_and_document(backend: Backend) {
    let t = TestServer::start(backend).await.unwrap();
    let r = t.call(Method::GET, "/healthz", None, None, &[]).await;
    assert_eq!(r.status, 200);
    let expected = if backend == Backend::Sqlite {
        "sqlite"
    } else {
        "postgres"
    };
    assert_eq!(r.body["database"], expected);

    // The client's request id is echoed; a hostile one is replaced.
    let r = t
        .call(
            Method::GET,
            "/healthz",
            None,
            None,
            &[("x-request-id", "abc-123")],
        )
        .await;
    assert_eq!(r.headers["x-request-id"], "abc-123");
    let r = t
        .call(
            Method::GET,
            "/healthz",
            None,
            None,
            &[("x-request-id", "a b\"c")],
        )
        .await;
    assert_ne!(r.headers["x-request-id"], "a b\"c");

    let r = t
        .call(Method::GET, "/v1/nothing-here", None, None, &[])
        .await;
    assert_problem(&r, StatusCode::NOT_FOUND, "no_such_route");
    let r = t.call(Method::PATCH, "/v1/drives", None, None, &[]).await;
    assert_problem(&r, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");

    let r = t.call(Method::GET, "/metrics", None, None, &[]).await;
    let text = r.body.as_str().unwrap();
    assert!(
        text.contains(
            r#"overcast_http_requests_total{method="GET",route="/healthz",status="200"} 3"#
        ),
        "{text}"
    );
    assert!(text.contains("overcast_http_request_duration_seconds_bucket"));

    // Readiness needs every migration this server carries; liveness only
    // the process. A database missing its newest migration (restored from
    // an older backup, say) is not ready.
    let newest: String = t
        .server
        .app
        .db
        .write(|c| {
            #[derive(diesel::QueryableByName)]
            struct V {
                #[diesel(sql_type = diesel::sql_types::Text)]
                version: String,
            }
            let v: V = diesel::sql_query(
                "SELECT MAX(version) AS version FROM __diesel_schema_migrations",
            )
            .get_result(c)?;
            diesel::sql_query(format!(
                "UPDATE __diesel_schema_migrations SET version = '00000000000000' WHERE version = '{}'",
                v.version
            ))
            .execute(c)?;
            Ok(v.version)
        })
        .await
        .unwrap();
    let r = t.call(Method::GET, "/healthz", None, None, &[]).await;
    assert_problem(&r, StatusCode::SERVICE_UNAVAILABLE, "migrations_pending");
    let r = t.call(Method::GET, "/livez", None, None, &[]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    t.server
        .app
        .db
        .write(move |c| {
            diesel::sql_query(format!(
                "UPDATE __diesel_schema_migrations SET version = '{newest}' WHERE version = '00000000000000'"
            ))
            .execute(c)?;
            Ok(())
        })
        .await
        .unwrap();
    let r = t.call(Method::GET, "/healthz", None, None, &[]).await;
    assert_eq!(r.status, 200, "{}", r.body);

    let r = t.call(Method::GET, "/openapi.json", None, None, &[]).await;
    let committed: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../api-spec/openapi.json"
        ))
        .unwrap(),
    )
    .unwrap();
    assert_eq!(
        r.body, committed,
        "served document equals api-spec/openapi.json"
    );

    let docs = t
        .http
        .get(format!("{}/docs/", t.base))
        .send()
        .await
        .unwrap();
    assert_eq!(docs.status(), 200);
    assert!(docs.text().await.unwrap().contains("swagger-ui"));

    // The operator token file is private and works.
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&t.server.operator_token_path)
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    assert_eq!(t.get("/v1/accounts", &t.operator_token).await.status, 200);
    t.stop().await;
}

async fn tenancy_and_tokens(backend: Backend) {
    let t = TestServer::start(backend).await.unwrap();
    let op = t.operator_token.clone();
    let partner = t
        .create(
            "/v1/partners",
            &op,
            json!({"name": "cloudco", "brand": {"display_name": "CloudCo",
                "primary_color": "#112233", "accent_color": "#445566",
                "support_email": "help@cloudco.example"}}),
        )
        .await;
    assert_eq!(partner["brand"]["display_name"], "CloudCo");
    let padmin = t
        .create(
            "/v1/tokens",
            &op,
            json!({"scope": "partner_admin", "partner": "cloudco"}),
        )
        .await;
    let padmin = padmin["secret"].as_str().unwrap().to_string();
    assert!(padmin.starts_with("oc_"));

    // A partner admin makes accounts under its own partner.
    let acme = t
        .create("/v1/accounts", &padmin, json!({"name": "acme"}))
        .await;
    assert_eq!(acme["partner_id"], partner["id"]);
    let direct = t
        .create("/v1/accounts", &op, json!({"name": "direct"}))
        .await;
    assert!(direct["partner_id"].is_null());
    let seen = t.get("/v1/accounts", &padmin).await;
    let names: Vec<&str> = seen.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["acme"], "a partner sees only its own accounts");
    assert_eq!(t.get("/v1/accounts/direct", &padmin).await.status, 404);

    let rw = t
        .create(
            "/v1/tokens",
            &padmin,
            json!({"scope": "account_read_write", "account": "acme"}),
        )
        .await;
    let rw_id = rw["id"].as_str().unwrap().to_string();
    let rw = rw["secret"].as_str().unwrap().to_string();
    let ro = t
        .create(
            "/v1/tokens",
            &rw,
            json!({"scope": "account_read_only", "description": "dashboards"}),
        )
        .await["secret"]
        .as_str()
        .unwrap()
        .to_string();
    // An account token cannot mint an operator or partner token.
    let r = t
        .post("/v1/tokens", &rw, json!({"scope": "operator"}))
        .await;
    assert_problem(&r, StatusCode::FORBIDDEN, "forbidden");

    let project = t
        .create(
            "/v1/projects",
            &rw,
            json!({"name": "web", "description": "Web tier"}),
        )
        .await;
    let key = t
        .create(
            "/v1/ssh-keys",
            &rw,
            json!({"name": "laptop", "public_key": KEY}),
        )
        .await;
    assert!(key["fingerprint"].as_str().unwrap().starts_with("SHA256:"));
    t.create(
        "/v1/users",
        &rw,
        json!({"name": "alice", "email": "alice@acme.example"}),
    )
    .await;

    // Name or id in the path.
    let by_name = t.get("/v1/projects/web", &ro).await;
    let by_id = t
        .get(
            &format!("/v1/projects/{}", project["id"].as_str().unwrap()),
            &ro,
        )
        .await;
    assert_eq!(by_name.body, by_id.body);
    assert_eq!(by_name.etag(), "\"1\"");

    // Read-only tokens read but never change.
    let r = t.post("/v1/projects", &ro, json!({"name": "nope"})).await;
    assert_problem(&r, StatusCode::FORBIDDEN, "forbidden");
    let r = t
        .put(
            "/v1/projects/web",
            &rw,
            json!({"description": "Web and API"}),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["description"], "Web and API");
    assert_eq!(r.etag(), "\"2\"");

    // Tokens are listed without secrets, and revocation is immediate.
    let list = t.get("/v1/tokens", &rw).await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 2);
    assert!(
        !list.body.to_string().contains("oc_"),
        "no secrets in lists"
    );
    assert_eq!(
        t.delete(&format!("/v1/tokens/{rw_id}"), &padmin)
            .await
            .status,
        204
    );
    let r = t.get("/v1/projects", &rw).await;
    assert_problem(&r, StatusCode::UNAUTHORIZED, "unauthorized");

    // The audit log: who, what, when, and the request id.
    let events = t.get("/v1/events", &ro).await;
    let items = events.body["items"].as_array().unwrap();
    let actions: Vec<&str> = items
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for expected in [
        "account.create",
        "token.create",
        "project.create",
        "ssh_key.create",
        "user.create",
        "project.update",
        "token.revoke",
    ] {
        assert!(
            actions.contains(&expected),
            "{expected} missing from {actions:?}"
        );
    }
    assert!(
        items
            .iter()
            .all(|e| !e["request_id"].as_str().unwrap().is_empty())
    );
    assert!(
        !actions.contains(&"partner.create"),
        "an account sees only its own events"
    );

    // Filtered by action and by kind of resource, and newest first across
    // pages.
    let only = t.get("/v1/events?action=project.update", &ro).await;
    let only = only.body["items"].as_array().unwrap();
    assert_eq!(only.len(), 1, "{only:?}");
    assert_eq!(only[0]["action"], "project.update");
    let tokens = t.get("/v1/events?resource_type=token", &ro).await;
    let tokens = tokens.body["items"].as_array().unwrap();
    assert!(tokens.len() >= 2, "{tokens:?}");
    assert!(tokens.iter().all(|e| e["resource_type"] == "token"));
    let oldest_first: Vec<&str> = items.iter().map(|e| e["id"].as_str().unwrap()).collect();
    let mut newest_first = Vec::new();
    let mut url = "/v1/events?order=newest_first&limit=2".to_string();
    loop {
        let page = t.get(&url, &ro).await;
        assert_eq!(page.status, 200, "{}", page.body);
        for e in page.body["items"].as_array().unwrap() {
            newest_first.push(e["id"].as_str().unwrap().to_string());
        }
        match page.body["next_page"].as_str() {
            Some(token) => url = format!("/v1/events?limit=2&page_token={token}"),
            None => break,
        }
    }
    let reversed: Vec<&str> = oldest_first.iter().rev().copied().collect();
    assert_eq!(newest_first, reversed);
    let r = t.get("/v1/events?order=sideways", &ro).await;
    assert_eq!(r.status, 400, "{}", r.body);

    // A partner admin sees the events of its accounts, not of others.
    let events = t.get("/v1/events?limit=1000", &padmin).await;
    let seen: Vec<(String, String)> = events.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_string(),
                e["resource_name"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        seen.contains(&("project.create".into(), "web".into())),
        "{seen:?}"
    );
    assert!(
        seen.contains(&("account.create".into(), "acme".into())),
        "{seen:?}"
    );
    assert!(!seen.iter().any(|(_, name)| name == "direct"), "{seen:?}");

    // Partners cannot be deleted while they own accounts.
    let r = t.delete("/v1/partners/cloudco", &op).await;
    assert_problem(&r, StatusCode::CONFLICT, "not_empty");
    t.stop().await;
}

async fn drives_ips_and_instances(backend: Backend) {
    let t = TestServer::start(backend).await.unwrap();
    let op = t.operator_token.clone();
    let a = t.tenant("acme").await;
    let q = "?project=main";
    t.create(
        "/v1/ip-pools",
        &op,
        json!({"name": "public", "first_address": "203.0.113.10", "last_address": "203.0.113.12",
               "prefix_len": 24, "gateway": "203.0.113.1"}),
    )
    .await;
    // `tiny` is the all-in-one's system image (64 MiB minimum).
    t.create(
        "/v1/ssh-keys",
        &a.rw,
        json!({"name": "laptop", "public_key": KEY}),
    )
    .await;

    // IPs come from the pool lowest first, and the pool runs out with a 507.
    let mut addresses = Vec::new();
    for name in ["ip-a", "ip-b", "ip-c"] {
        let ip = t
            .create(
                &format!("/v1/ip-addresses{q}"),
                &a.rw,
                json!({"name": name, "pool": "public"}),
            )
            .await;
        addresses.push(ip["address"].as_str().unwrap().to_string());
    }
    assert_eq!(addresses, ["203.0.113.10", "203.0.113.11", "203.0.113.12"]);
    let r = t
        .post(
            &format!("/v1/ip-addresses{q}"),
            &a.rw,
            json!({"name": "ip-d", "pool": "public"}),
        )
        .await;
    assert_problem(&r, StatusCode::INSUFFICIENT_STORAGE, "pool_exhausted");
    assert_eq!(
        t.delete(&format!("/v1/ip-addresses/ip-c{q}"), &a.rw)
            .await
            .status,
        204
    );

    // Drives: grow, never shrink; image minimum enforced.
    let data = t
        .create(
            &format!("/v1/drives{q}"),
            &a.rw,
            json!({"name": "data", "size_bytes": 1073741824_u64, "replicas": 1}),
        )
        .await;
    assert_eq!(data["state"], "available");
    assert_eq!(data["replicas"], 1);
    assert_eq!(data["storage_class"], "local");
    let r = t
        .put(
            &format!("/v1/drives/data{q}"),
            &a.rw,
            json!({"size_bytes": 2147483648_u64}),
        )
        .await;
    assert_eq!(r.body["size_bytes"], 2147483648_u64);
    let grown = r.body["generation"].clone();
    let r = t
        .put(
            &format!("/v1/drives/data{q}"),
            &a.rw,
            json!({"size_bytes": 1073741824_u64}),
        )
        .await;
    assert_problem(&r, StatusCode::BAD_REQUEST, "invalid_request");
    assert_eq!(r.body["field"], "size_bytes");
    // A local drive grows on its host's storage (4 TiB here): past it, a
    // 507 that says so, and the drive as it was.
    let r = t
        .put(
            &format!("/v1/drives/data{q}"),
            &a.rw,
            json!({"size_bytes": 5_u64 << 40}),
        )
        .await;
    assert_problem_says(
        &r,
        StatusCode::INSUFFICIENT_STORAGE,
        "insufficient_capacity",
        "storage ran out on the drive's host",
    );
    let d = t.get(&format!("/v1/drives/data{q}"), &a.rw).await.body;
    assert_eq!(
        (&d["size_bytes"], &d["generation"]),
        (&json!(2147483648_u64), &grown)
    );
    let r = t
        .post(
            &format!("/v1/drives{q}"),
            &a.rw,
            json!({"name": "small", "size_bytes": 1048576, "image": "tiny"}),
        )
        .await;
    assert_problem(&r, StatusCode::BAD_REQUEST, "invalid_request");

    // Quick form: the boot drive is made from the image.
    let web = t
        .create(
            &format!("/v1/instances{q}"),
            &a.rw,
            json!({"name": "web-1", "vcpus": 1, "memory_mib": 512, "image": "tiny",
                   "ip_addresses": ["ip-a"], "ssh_keys": ["laptop"], "start": false}),
        )
        .await;
    assert_eq!(web["state"], "creating");
    assert_eq!(web["host_id"], t.wait_for_host().await.unwrap()["id"]);
    t.wait_state(&format!("/v1/instances/web-1{q}"), &a.rw, "stopped")
        .await;
    assert_eq!(web["drive_ids"].as_array().unwrap().len(), 1);
    let boot = t.get(&format!("/v1/drives/web-1-boot{q}"), &a.rw).await;
    assert_eq!(boot.body["state"], "attached");
    assert_eq!(boot.body["slot"], 0);
    assert_eq!(boot.body["size_bytes"], 67108864);

    // Composition: attach and detach while stopped.
    let r = t
        .post(
            &format!("/v1/instances/web-1/drives/attach{q}"),
            &a.rw,
            json!({"drive": "data"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["drive_ids"][1], data["id"]);
    let r = t.delete(&format!("/v1/drives/data{q}"), &a.rw).await;
    assert_problem(&r, StatusCode::CONFLICT, "in_use");
    let r = t
        .post(
            &format!("/v1/instances/web-1/ip-addresses/attach{q}"),
            &a.rw,
            json!({"ip_address": "ip-b"}),
        )
        .await;
    assert_eq!(r.body["ip_address_ids"].as_array().unwrap().len(), 2);
    let r = t
        .post(
            &format!("/v1/instances/web-1/drives/detach{q}"),
            &a.rw,
            json!({"drive": "web-1-boot"}),
        )
        .await;
    assert_problem(&r, StatusCode::CONFLICT, "boot_drive");

    // Composed form, from drives allocated beforehand.
    t.create(
        &format!("/v1/drives{q}"),
        &a.rw,
        json!({"name": "root2", "size_bytes": 67108864, "image": "tiny"}),
    )
    .await;
    let r = t.post(&format!("/v1/instances{q}"), &a.rw,
        json!({"name": "web-2", "vcpus": 2, "memory_mib": 1024, "boot_drive": "data", "start": false})).await;
    assert_problem(&r, StatusCode::CONFLICT, "in_use");
    assert_eq!(r.body["field"], "boot_drive");
    t.create(
        &format!("/v1/drives{q}"),
        &a.rw,
        json!({"name": "blank", "size_bytes": 1048576}),
    )
    .await;
    let r = t
        .post(
            &format!("/v1/instances{q}"),
            &a.rw,
            json!({"name": "web-2", "vcpus": 1, "memory_mib": 256, "boot_drive": "blank"}),
        )
        .await;
    assert_problem(&r, StatusCode::BAD_REQUEST, "invalid_request");
    assert_eq!(r.body["field"], "boot_drive");
    let d = t.get(&format!("/v1/drives/blank{q}"), &a.rw).await;
    assert!(
        d.body["instance_id"].is_null(),
        "a refused create attaches nothing"
    );
    let web2 = t
        .create(
            &format!("/v1/instances{q}"),
            &a.rw,
            json!({"name": "web-2", "vcpus": 2, "memory_mib": 1024, "boot_drive": "root2",
               "ha_policy": "none", "start": false}),
        )
        .await;
    assert_eq!(web2["state"], "creating");
    // The only host runs web-1: avoiding it leaves nowhere to go.
    let r = t
        .post(
            &format!("/v1/instances{q}"),
            &a.rw,
            json!({"name": "web-9", "vcpus": 1, "memory_mib": 256, "image": "tiny",
               "avoid_instances": ["web-1"], "start": false}),
        )
        .await;
    assert_problem_says(
        &r,
        StatusCode::INSUFFICIENT_STORAGE,
        "insufficient_capacity",
        "avoid",
    );
    let r = t.post(&format!("/v1/instances{q}"), &a.rw,
        json!({"name": "web-9", "vcpus": 1, "memory_mib": 1048576, "image": "tiny", "start": false})).await;
    assert_problem_says(
        &r,
        StatusCode::INSUFFICIENT_STORAGE,
        "insufficient_capacity",
        "memory ran out",
    );
    let r = t.get(&format!("/v1/drives/web-9-boot{q}"), &a.rw).await;
    assert_eq!(
        r.status, 404,
        "a refused create leaves no boot drive behind"
    );
    t.wait_state(&format!("/v1/instances/web-2{q}"), &a.rw, "stopped")
        .await;

    // References are confined to the instance's project (and account), by id too.
    t.create("/v1/projects", &a.rw, json!({"name": "other"}))
        .await;
    let elsewhere = t
        .create(
            "/v1/drives?project=other",
            &a.rw,
            json!({"name": "far", "size_bytes": 1048576}),
        )
        .await;
    let r = t.post(&format!("/v1/instances{q}"), &a.rw,
        json!({"name": "web-3", "vcpus": 1, "memory_mib": 512, "boot_drive": elsewhere["id"], "start": false})).await;
    assert_problem(&r, StatusCode::NOT_FOUND, "not_found");
    assert_eq!(r.body["field"], "boot_drive");
    let r = t
        .get(
            &format!("/v1/drives/{}{q}", elsewhere["id"].as_str().unwrap()),
            &a.rw,
        )
        .await;
    assert_eq!(r.status, 404, "an id outside the named project");
    // The same by the projects' ids (which PostgreSQL answers from the
    // row alone, on its pipelined reads), and with no project named.
    let far = elsewhere["id"].as_str().unwrap();
    let main_id = t.get("/v1/projects/main", &a.rw).await.body["id"].clone();
    let other_id = &elsewhere["project_id"];
    for (project, status) in [(&main_id, 404), (other_id, 200)] {
        let path = format!("/v1/drives/{far}?project={}", project.as_str().unwrap());
        assert_eq!(t.get(&path, &a.rw).await.status, status, "{path}");
    }
    let r = t.get(&format!("/v1/drives/{far}"), &a.rw).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["name"], "far");
    let r = t
        .get(&format!("/v1/drives/{far}"), &t.tenant("rival").await.rw)
        .await;
    assert_eq!(r.status, 404, "another account's drive by id");
    let b = t.tenant("bravo").await;
    let b_key = t
        .create(
            "/v1/ssh-keys",
            &b.rw,
            json!({"name": "bkey", "public_key": KEY}),
        )
        .await;
    let r = t.post(&format!("/v1/instances?project=main&account={}", a.account_id), &op,
        json!({"name": "web-3", "vcpus": 1, "memory_mib": 512, "image": "tiny", "ssh_keys": [b_key["id"]], "start": false})).await;
    assert_problem(&r, StatusCode::NOT_FOUND, "not_found");
    assert_eq!(r.body["field"], "ssh_keys[0]");

    // Lifecycle rules.
    let r = t
        .post(
            &format!("/v1/instances/web-2/resize{q}"),
            &a.rw,
            json!({"vcpus": 4}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    t.wait_state(&format!("/v1/instances/web-2{q}"), &a.rw, "stopped")
        .await;
    let r = t
        .post(&format!("/v1/instances/web-2/reboot{q}"), &a.rw, json!({}))
        .await;
    assert_problem(&r, StatusCode::CONFLICT, "invalid_state");
    let r = t
        .post(
            &format!("/v1/instances/web-2/resize{q}"),
            &a.rw,
            json!({"vcpus": 4, "memory_mib": 2048}),
        )
        .await;
    assert_eq!(
        (r.body["vcpus"].as_u64(), r.body["memory_mib"].as_u64()),
        (Some(4), Some(2048))
    );
    let r = t
        .post(&format!("/v1/instances/web-1/reboot{q}"), &a.rw, json!({}))
        .await;
    assert_problem(&r, StatusCode::CONFLICT, "invalid_state");

    // Deleting an instance keeps its composed drives and IPs, detached;
    // the boot drive the quick form made goes with it, from the host too.
    let boot = t.get(&format!("/v1/drives/web-1-boot{q}"), &a.rw).await;
    assert_eq!(boot.body["delete_with_instance"], true);
    let boot_id = boot.id();
    assert!(t.sims[0].drives().contains_key(&boot_id));
    assert_eq!(
        t.delete(&format!("/v1/instances/web-1{q}"), &a.rw)
            .await
            .status,
        204
    );
    let d = t.get(&format!("/v1/drives/data{q}"), &a.rw).await;
    assert_eq!(d.body["state"], "available");
    assert!(d.body["instance_id"].is_null());
    assert_eq!(d.body["delete_with_instance"], false);
    let ip = t.get(&format!("/v1/ip-addresses/ip-a{q}"), &a.rw).await;
    assert!(ip.body["instance_id"].is_null());
    let r = t.get(&format!("/v1/drives/{boot_id}"), &a.rw).await;
    assert_problem(&r, StatusCode::NOT_FOUND, "not_found");
    assert!(!t.sims[0].drives().contains_key(&boot_id));
    // A quick-form create may keep its boot drive; a composed one cannot ask.
    t.create(
        &format!("/v1/instances{q}"),
        &a.rw,
        json!({"name": "keep", "vcpus": 1, "memory_mib": 256, "image": "tiny",
               "boot_drive_delete_with_instance": false, "start": false}),
    )
    .await;
    t.wait_state(&format!("/v1/instances/keep{q}"), &a.rw, "stopped")
        .await;
    assert_eq!(
        t.delete(&format!("/v1/instances/keep{q}"), &a.rw)
            .await
            .status,
        204
    );
    let kept = t.get(&format!("/v1/drives/keep-boot{q}"), &a.rw).await;
    assert_eq!(kept.status, 200, "{}", kept.body);
    assert_eq!(kept.body["delete_with_instance"], false);
    assert!(kept.body["instance_id"].is_null());
    let r = t
        .post(
            &format!("/v1/instances{q}"),
            &a.rw,
            json!({"name": "web-4", "vcpus": 1, "memory_mib": 256, "boot_drive": "keep-boot",
               "boot_drive_delete_with_instance": true, "start": false}),
        )
        .await;
    assert_problem(&r, StatusCode::BAD_REQUEST, "invalid_request");
    assert_eq!(r.body["field"], "boot_drive_delete_with_instance");
    let r = t.delete("/v1/projects/main", &a.rw).await;
    assert_problem(&r, StatusCode::CONFLICT, "not_empty");

    // Hosts are the operator's: the simulated host enrolled and reports.
    let h = t.wait_for_host().await.unwrap();
    assert_eq!(h["name"], "sim-1");
    assert!(h["cpus"].as_u64().unwrap() >= 1 && h["memory_mib"].as_u64().unwrap() > 0);
    // The host shows what is placed on it: a new instance (stopped, so it
    // keeps its place) adds its vCPUs, memory and boot drive, and its
    // deletion takes them away again.
    let used = |h: &Value| {
        [
            "vcpus_allocated",
            "memory_allocated_mib",
            "storage_allocated_bytes",
        ]
        .map(|f| h[f].as_u64().unwrap_or_else(|| panic!("{f} in {h}")))
    };
    let before = used(&t.get("/v1/hosts/sim-1", &op).await.body);
    t.create(
        &format!("/v1/instances{q}"),
        &a.rw,
        json!({"name": "counted", "vcpus": 3, "memory_mib": 768, "image": "tiny",
               "boot_drive_size_bytes": 134217728, "start": false}),
    )
    .await;
    t.wait_state(&format!("/v1/instances/counted{q}"), &a.rw, "stopped")
        .await;
    let listed = t.get("/v1/hosts", &op).await.body;
    let with = used(&listed["items"][0]);
    assert_eq!(
        with,
        [before[0] + 3, before[1] + 768, before[2] + 134217728],
        "the listing counts the new instance: {listed}"
    );
    assert_eq!(used(&t.get("/v1/hosts/sim-1", &op).await.body), with);
    assert_eq!(
        t.delete(&format!("/v1/instances/counted{q}"), &a.rw)
            .await
            .status,
        204
    );
    t.wait_gone(&format!("/v1/instances/counted{q}"), &a.rw)
        .await;
    assert_eq!(used(&t.get("/v1/hosts/sim-1", &op).await.body), before);
    let e = t
        .create(
            "/v1/host-enrollments",
            &op,
            json!({"description": "rack 2"}),
        )
        .await;
    assert!(e["token"].as_str().unwrap().len() > 20);
    let r = t.post("/v1/host-enrollments", &a.rw, json!({})).await;
    assert_problem(&r, StatusCode::FORBIDDEN, "forbidden");
    let r = t
        .put("/v1/hosts/sim-1", &op, json!({"state": "draining"}))
        .await;
    assert_eq!(r.body["state"], "draining");
    let r = t
        .post(
            &format!("/v1/drives{q}"),
            &a.rw,
            json!({"name": "nowhere", "size_bytes": 1048576}),
        )
        .await;
    assert_problem(
        &r,
        StatusCode::INSUFFICIENT_STORAGE,
        "insufficient_capacity",
    );
    let r = t.delete("/v1/hosts/sim-1", &op).await;
    assert_problem(&r, StatusCode::CONFLICT, "not_empty");
    let r = t.get("/v1/hosts", &a.rw).await;
    assert_problem(&r, StatusCode::FORBIDDEN, "forbidden");
    t.stop().await;
}

async fn bad_input_is_rejected_whole(backend: Backend) {
    let t = TestServer::start(backend).await.unwrap();
    let a = t.tenant("acme").await;
    let before = event_count(&t).await;
    let path = "/v1/drives?project=main";
    let send = |body: &'static [u8], content_type: &'static str| {
        let req = t
            .http
            .post(format!("{}{path}", t.base))
            .bearer_auth(&a.rw)
            .header("content-type", content_type)
            .body(body);
        async move {
            let resp = req.send().await.unwrap();
            let status = resp.status();
            let headers = resp.headers().clone();
            let body: Value = resp.json().await.unwrap();
            Reply {
                status,
                headers,
                body,
            }
        }
    };
    assert_problem(
        &send(b"{\"name\": \"x\",", "application/json").await,
        StatusCode::BAD_REQUEST,
        "malformed_json",
    );
    assert_problem(
        &send(b"[1,2]", "application/json").await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
    );
    assert_problem(
        &send(b"name=x", "application/x-www-form-urlencoded").await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    );
    assert_problem(
        &send(b"{}", "text/plain").await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    );

    let cases: Vec<(Value, &str)> = vec![
        (
            json!({"name": "data", "size_bytes": 1048576, "colour": "red"}),
            "colour",
        ),
        (json!({"name": "Data", "size_bytes": 1048576}), "name"),
        (json!({"name": "-data", "size_bytes": 1048576}), "name"),
        (
            json!({"name": "a".repeat(64), "size_bytes": 1048576}),
            "name",
        ),
        (
            json!({"name": "0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b", "size_bytes": 1048576}),
            "name",
        ),
        (json!({"name": "data", "size_bytes": -1}), "size_bytes"),
        (json!({"name": "data", "size_bytes": 0}), "size_bytes"),
        (json!({"name": "data", "size_bytes": 1000}), "size_bytes"),
        (
            json!({"name": "data", "size_bytes": 18446744073709551615_u64}),
            "size_bytes",
        ),
        (json!({"name": "data", "size_bytes": 1e30}), "size_bytes"),
        (json!({"name": "data", "size_bytes": "1G"}), "size_bytes"),
        (
            json!({"name": "data", "size_bytes": 1048576, "replicas": 4}),
            "replicas",
        ),
        (
            json!({"name": "data", "size_bytes": 1048576, "replicas": 2}),
            "replicas",
        ),
        (
            json!({"name": "data", "size_bytes": 1048576, "storage_class": "mirrored"}),
            "storage_class",
        ),
        // This server has no Ceph: a 422 that says so.
        (
            json!({"name": "data", "size_bytes": 1048576, "storage_class": "replicated"}),
            "storage_class",
        ),
        (
            json!({"name": "data", "size_bytes": 1048576, "avoid_drives": ["nope"]}),
            "avoid_drives[0]",
        ),
        (json!({"size_bytes": 1048576}), "name"),
    ];
    for (body, field) in cases {
        let r = t.post(path, &a.rw, body.clone()).await;
        assert!(r.status.is_client_error(), "{body} gave {}", r.status);
        assert!(r.body["error_code"].is_string(), "{body}: {}", r.body);
        assert_eq!(r.body["field"], field, "{body}: {}", r.body);
    }
    // An oversized body is a 413 in the error shape, with or without an idempotency key.
    let huge = json!({"name": "data", "size_bytes": 1048576, "description": "x".repeat(2 << 20)});
    let r = t.post(path, &a.rw, huge.clone()).await;
    assert_problem(&r, StatusCode::PAYLOAD_TOO_LARGE, "body_too_large");
    let r = t
        .call(
            Method::POST,
            path,
            Some(&a.rw),
            Some(&huge),
            &[("idempotency-key", "k1")],
        )
        .await;
    assert_problem(&r, StatusCode::PAYLOAD_TOO_LARGE, "body_too_large");
    // Query strings and references.
    let r = t.get("/v1/drives?project=main&limit=0", &a.rw).await;
    assert_eq!(r.body["field"], "limit");
    let r = t.get("/v1/drives?project=main&limit=-3", &a.rw).await;
    assert_eq!(r.status, 400);
    let r = t
        .get("/v1/drives?project=main&page_token=garbage", &a.rw)
        .await;
    assert_eq!(r.body["field"], "page_token");
    let r = t.get("/v1/drives?project=main&sort=up", &a.rw).await;
    assert_eq!(r.body["field"], "sort");
    let r = t.get("/v1/drives/Not_A_Name?project=main", &a.rw).await;
    assert_eq!(r.status, 400);
    let r = t.get("/v1/drives/data", &a.rw).await;
    assert_eq!(r.body["field"], "project");
    let r = t
        .call(
            Method::PUT,
            "/v1/projects/main",
            Some(&a.rw),
            Some(&json!({})),
            &[("if-match", "garbage")],
        )
        .await;
    assert_eq!(r.status, 400);
    // A resource id that is not a UUID names the parameter.
    let r = t.get("/v1/events?resource_id=nope", &a.rw).await;
    assert_problem(&r, StatusCode::BAD_REQUEST, "invalid_query");
    assert_eq!(r.body["field"], "resource_id", "{}", r.body);
    // An instance naming a drive that is not there changes nothing at all.
    let r = t
        .post(
            "/v1/instances?project=main",
            &a.rw,
            json!({"name": "web", "vcpus": 1, "memory_mib": 512, "boot_drive": "missing"}),
        )
        .await;
    assert_problem(&r, StatusCode::NOT_FOUND, "not_found");
    assert_eq!(r.body["field"], "boot_drive");
    let r = t
        .post(
            "/v1/instances?project=main",
            &a.rw,
            json!({"name": "web", "vcpus": 0, "memory_mib": 512, "image": "x"}),
        )
        .await;
    assert_eq!(r.body["field"], "vcpus");
    let r = t
        .post(
            "/v1/ssh-keys",
            &a.rw,
            json!({"name": "k", "public_key": "ssh-ed25519 AAAA"}),
        )
        .await;
    assert_eq!(r.body["field"], "public_key");

    assert_eq!(
        event_count(&t).await,
        before,
        "no bad request wrote anything"
    );
    let drives = t.get("/v1/drives?project=main", &a.rw).await;
    assert_eq!(drives.body["items"], json!([]));
    let instances = t.get("/v1/instances?project=main", &a.rw).await;
    assert_eq!(instances.body["items"], json!([]));
    t.stop().await;
}

async fn pagination_over_many_items(backend: Backend) {
    let t = TestServer::start(backend).await.unwrap();
    let a = t.tenant("acme").await;
    const N: usize = 1050;
    let names: Vec<String> = (0..N).map(|i| format!("d{i:05}")).collect();
    let t = std::sync::Arc::new(t);
    let mut tasks = Vec::new();
    for chunk in names.chunks(N / 8 + 1) {
        let (t, rw, chunk) = (t.clone(), a.rw.clone(), chunk.to_vec());
        tasks.push(tokio::spawn(async move {
            for name in chunk {
                t.create(
                    "/v1/drives?project=main",
                    &rw,
                    json!({"name": name, "size_bytes": 1048576}),
                )
                .await;
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    for limit in [1000, 100, 7] {
        let mut seen = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut path = format!("/v1/drives?project=main&limit={limit}");
            if let Some(tok) = &token {
                path += &format!("&page_token={tok}");
            }
            let r = t.get(&path, &a.rw).await;
            assert_eq!(r.status, 200, "{}", r.body);
            let items = r.body["items"].as_array().unwrap();
            assert!(items.len() <= limit);
            seen.extend(
                items
                    .iter()
                    .map(|d| d["name"].as_str().unwrap().to_string()),
            );
            match r.body["next_page"].as_str() {
                Some(next) => token = Some(next.to_string()),
                None => break,
            }
        }
        assert_eq!(seen.len(), N, "limit {limit}: every item once");
        assert_eq!(
            seen.iter().collect::<HashSet<_>>().len(),
            N,
            "limit {limit}: no duplicates"
        );
        assert_eq!(seen, names, "limit {limit}: stable name order");
    }
    // The token alone continues the listing; it cannot be moved to another one.
    let first = t.get("/v1/drives?project=main&limit=3", &a.rw).await;
    let token = first.body["next_page"].as_str().unwrap().to_string();
    let r = t
        .get(&format!("/v1/drives?limit=3&page_token={token}"), &a.rw)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["items"][0]["name"], "d00003");
    t.create("/v1/projects", &a.rw, json!({"name": "second"}))
        .await;
    let r = t
        .get(
            &format!("/v1/drives?project=second&page_token={token}"),
            &a.rw,
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["field"], "page_token");
    let r = t.get("/v1/drives", &a.rw).await;
    assert_eq!(r.body["field"], "project", "the first page needs a project");

    // Items created between pages are neither lost nor repeated before the cursor.
    let r = t.get("/v1/drives?project=main&limit=2", &a.rw).await;
    t.create(
        "/v1/drives?project=main",
        &a.rw,
        json!({"name": "a-first", "size_bytes": 1048576}),
    )
    .await;
    let next = r.body["next_page"].as_str().unwrap();
    let r2 = t
        .get(
            &format!("/v1/drives?project=main&limit=2&page_token={next}"),
            &a.rw,
        )
        .await;
    assert_eq!(r2.body["items"][0]["name"], "d00002");
}

async fn idempotency_keys(backend: Backend) {
    let t = TestServer::start(backend).await.unwrap();
    let a = t.tenant("acme").await;
    let body = json!({"name": "data", "size_bytes": 1048576});
    let key = [("idempotency-key", "create-data-1")];
    let first = t
        .call(
            Method::POST,
            "/v1/drives?project=main",
            Some(&a.rw),
            Some(&body),
            &key,
        )
        .await;
    assert_eq!(first.status, 201);
    let again = t
        .call(
            Method::POST,
            "/v1/drives?project=main",
            Some(&a.rw),
            Some(&body),
            &key,
        )
        .await;
    assert_eq!(again.status, 201);
    assert_eq!(again.body, first.body, "the first response is replayed");
    assert_eq!(again.headers["idempotent-replayed"], "true");
    let other = json!({"name": "data", "size_bytes": 2097152});
    let r = t
        .call(
            Method::POST,
            "/v1/drives?project=main",
            Some(&a.rw),
            Some(&other),
            &key,
        )
        .await;
    assert_problem(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "idempotency_key_reused",
    );
    let list = t.get("/v1/drives?project=main", &a.rw).await;
    assert_eq!(
        list.body["items"].as_array().unwrap().len(),
        1,
        "one drive made"
    );
    // Errors are replayed too; a new key is a new request.
    let r = t
        .call(
            Method::POST,
            "/v1/drives?project=main",
            Some(&a.rw),
            Some(&body),
            &[("idempotency-key", "k2")],
        )
        .await;
    assert_problem(&r, StatusCode::CONFLICT, "already_exists");
    let r2 = t
        .call(
            Method::POST,
            "/v1/drives?project=main",
            Some(&a.rw),
            Some(&body),
            &[("idempotency-key", "k2")],
        )
        .await;
    assert_eq!(r2.body["error_code"], "already_exists");
    // Keys are per token: another tenant's same key is independent.
    let b = t.tenant("other").await;
    let r = t
        .call(
            Method::POST,
            "/v1/drives?project=main",
            Some(&b.rw),
            Some(&body),
            &key,
        )
        .await;
    assert_eq!(r.status, 201);
    assert_ne!(r.body["id"], first.body["id"]);
    // Concurrent requests with one key make one resource.
    let body = json!({"name": "race", "size_bytes": 1048576});
    let calls = (0..8).map(|_| {
        t.call(
            Method::POST,
            "/v1/drives?project=main",
            Some(&a.rw),
            Some(&body),
            &[("idempotency-key", "race")],
        )
    });
    let replies = futures::future::join_all(calls).await;
    let ids: HashSet<String> = replies
        .iter()
        .filter(|r| r.status == 201)
        .map(|r| r.id())
        .collect();
    assert_eq!(
        ids.len(),
        1,
        "{:?}",
        replies.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    assert!(
        replies
            .iter()
            .all(|r| r.status == 201 || r.code() == "idempotency_key_in_flight")
    );

    // A client that gives up mid-request does not leave its key in flight:
    // the request runs to its end (here the host takes 600 ms to make the
    // drive, the client waits 200 ms) and the retry replays its answer.
    for sim in &t.sims {
        sim.set_behavior(
            overcast_testkit::sim::CommandKind::EnsureDrive,
            overcast_testkit::sim::Behavior::Delay(std::time::Duration::from_millis(600)),
        );
    }
    let body = json!({"name": "gave-up", "size_bytes": 1048576});
    let impatient = reqwest::Client::builder()
        .timeout(std::time::Duration::from_millis(200))
        .build()
        .unwrap();
    let cut = impatient
        .post(format!("{}/v1/drives?project=main", t.base))
        .bearer_auth(&a.rw)
        .header("idempotency-key", "gave-up")
        .json(&body)
        .send()
        .await;
    assert!(cut.is_err(), "the client was meant to give up: {cut:?}");
    let started = std::time::Instant::now();
    let replayed = loop {
        let r = t
            .call(
                Method::POST,
                "/v1/drives?project=main",
                Some(&a.rw),
                Some(&body),
                &[("idempotency-key", "gave-up")],
            )
            .await;
        if r.code() != "idempotency_key_in_flight" {
            break r;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "the key is still in flight 5 s after its client gave up"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(replayed.status, 201, "{}", replayed.body);
    assert_eq!(replayed.headers["idempotent-replayed"], "true");
    assert_eq!(replayed.body["state"], "available", "{}", replayed.body);
}

async fn concurrent_updates_one_winner(backend: Backend) {
    let t = TestServer::start(backend).await.unwrap();
    let a = t.tenant("acme").await;
    let r = t.get("/v1/projects/main", &a.rw).await;
    let etag = r.etag();
    let calls = (0..10).map(|i| {
        let body = json!({"description": format!("writer {i}")});
        let etag = etag.clone();
        let t = &t;
        let rw = a.rw.clone();
        async move {
            t.call(
                Method::PUT,
                "/v1/projects/main",
                Some(&rw),
                Some(&body),
                &[("if-match", &etag)],
            )
            .await
        }
    });
    let replies = futures::future::join_all(calls).await;
    let winners: Vec<&Reply> = replies.iter().filter(|r| r.status == 200).collect();
    assert_eq!(
        winners.len(),
        1,
        "{:?}",
        replies
            .iter()
            .map(|r| (r.status, r.code().to_string()))
            .collect::<Vec<_>>()
    );
    assert!(
        replies
            .iter()
            .all(|r| r.status == 200 || r.code() == "precondition_failed")
    );
    let now = t.get("/v1/projects/main", &a.rw).await;
    assert_eq!(now.body["description"], winners[0].body["description"]);
    // Without If-Match, concurrent writers never lose an update silently:
    // each either applies on the latest version or is told to retry.
    let calls = (0..10).map(|i| {
        t.put(
            "/v1/projects/main",
            &a.rw,
            json!({"description": format!("free {i}")}),
        )
    });
    let replies = futures::future::join_all(calls).await;
    let ok = replies.iter().filter(|r| r.status == 200).count();
    assert!(ok >= 1);
    let final_gen: i64 = t
        .get("/v1/projects/main", &a.rw)
        .await
        .etag()
        .trim_matches('"')
        .parse()
        .unwrap();
    assert_eq!(
        final_gen,
        2 + ok as i64,
        "every accepted update bumped the generation once"
    );
}

/// Things owned by tenant A, by the path parameter name that addresses them.
struct World {
    params: Vec<(&'static str, String, bool)>,
    account_id: String,
    partner_id: String,
    a_ro: String,
    b_rw: String,
}

async fn build_world(t: &TestServer) -> World {
    let op = t.operator_token.clone();
    let partner = t.create("/v1/partners", &op, json!({"name": "cloudco", "brand": {"display_name": "CloudCo", "primary_color": "#112233", "accent_color": "#445566"}})).await;
    let account = t
        .create(
            "/v1/accounts",
            &op,
            json!({"name": "acme", "partner": "cloudco"}),
        )
        .await;
    let acc = account["id"].as_str().unwrap().to_string();
    let rw = t
        .create(
            "/v1/tokens",
            &op,
            json!({"scope": "account_read_write", "account": acc}),
        )
        .await["secret"]
        .as_str()
        .unwrap()
        .to_string();
    let ro_token = t
        .create(
            "/v1/tokens",
            &op,
            json!({"scope": "account_read_only", "account": acc}),
        )
        .await;
    let project = t.create("/v1/projects", &rw, json!({"name": "web"})).await;
    let key = t
        .create(
            "/v1/ssh-keys",
            &rw,
            json!({"name": "laptop", "public_key": KEY}),
        )
        .await;
    let user = t
        .create(
            "/v1/users",
            &rw,
            json!({"name": "alice", "email": "alice@acme.example"}),
        )
        .await;
    let image = t.create("/v1/images", &rw, json!({"name": "debian-12", "os_family": "debian", "architecture": "x86_64", "boot_mode": "firmware", "min_size_bytes": 2147483648_u64, "source_url": "https://images.example/debian-12.raw"})).await;
    let pool = t.create("/v1/ip-pools", &op, json!({"name": "public", "first_address": "203.0.113.10", "last_address": "203.0.113.250", "prefix_len": 24, "gateway": "203.0.113.1"})).await;
    let ip = t
        .create(
            "/v1/ip-addresses?project=web",
            &rw,
            json!({"name": "web-1-public", "pool": "public"}),
        )
        .await;
    let drive = t
        .create(
            "/v1/drives?project=web",
            &rw,
            json!({"name": "data", "size_bytes": 10737418240_u64}),
        )
        .await;
    let instance = t.create("/v1/instances?project=web", &rw, json!({"name": "web-1", "vcpus": 1, "memory_mib": 512, "image": "debian-12", "start": false})).await;
    t.create(
        "/v1/drives?project=web",
        &rw,
        json!({"name": "vol", "size_bytes": 1073741824, "storage_class": "replicated"}),
    )
    .await;
    t.wait_state("/v1/drives/vol?project=web", &rw, "available")
        .await;
    let snapshot = t
        .create(
            "/v1/snapshots?project=web",
            &rw,
            json!({"name": "vol-1", "drive": "vol"}),
        )
        .await;
    let host = t.wait_for_host().await.unwrap();
    let other = t.tenant("other").await;
    let id = |v: &Value| v["id"].as_str().unwrap().to_string();
    World {
        params: vec![
            ("partner", id(&partner), true),
            ("account", acc.clone(), true),
            ("user", id(&user), true),
            ("token", id(&ro_token), true),
            ("project", id(&project), true),
            ("ssh_key", id(&key), true),
            ("image", id(&image), true),
            ("pool", id(&pool), false),
            ("ip_address", id(&ip), true),
            ("drive", id(&drive), true),
            ("snapshot", id(&snapshot), true),
            ("instance", id(&instance), true),
            ("host", id(&host), false),
        ],
        account_id: acc,
        partner_id: id(&partner),
        a_ro: ro_token["secret"].as_str().unwrap().to_string(),
        b_rw: other.rw,
    }
}

/// Resolve `$ref`s and `allOf` into one object schema.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> Vec<&'a Value> {
    if let Some(r) = schema["$ref"].as_str() {
        let name = r.rsplit('/').next().unwrap();
        return resolve(doc, &doc["components"]["schemas"][name]);
    }
    if let Some(all) = schema["allOf"].as_array() {
        return all.iter().flat_map(|s| resolve(doc, s)).collect();
    }
    vec![schema]
}

/// A request body built from the examples in the spec.
fn example_body(doc: &Value, schema: &Value) -> Value {
    let mut out = serde_json::Map::new();
    for part in resolve(doc, schema) {
        if let Some(props) = part["properties"].as_object() {
            for (name, prop) in props {
                if let Some(ex) = prop.get("example").or_else(|| prop["examples"].get(0)) {
                    out.insert(name.clone(), ex.clone());
                } else if prop.get("$ref").is_some()
                    || prop.get("allOf").is_some()
                    || prop.get("properties").is_some()
                {
                    out.insert(name.clone(), example_body(doc, prop));
                }
            }
        }
    }
    Value::Object(out)
}

async fn authorization_sweep(backend: Backend) {
    let t = TestServer::start_with_storage(backend, 1).await.unwrap();
    let w = build_world(&t).await;
    let doc: Value = serde_json::to_value(overcast_testkit::openapi_document()).unwrap();
    let mut swept = 0;
    for (template, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap();
            // The sweep is about tokens: it leaves out what needs none
            // (system, login, invitation links) and what only a login
            // session has (tests/people.rs covers both).
            let takes_tokens = op["security"]
                .as_array()
                .is_some_and(|s| s.iter().any(|r| r.get("bearer").is_some()));
            if op["tags"][0] == "system" || !takes_tokens {
                continue;
            }
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let mut path = template.clone();
            let mut refers_to_a = false;
            let mut query = Vec::new();
            for p in op["parameters"].as_array().into_iter().flatten() {
                let name = p["name"].as_str().unwrap();
                match p["in"].as_str().unwrap() {
                    "path" => {
                        let (_, value, owned) = w
                            .params
                            .iter()
                            .find(|(n, _, _)| *n == name)
                            .unwrap_or_else(|| {
                                panic!("{id}: the sweep has no fixture for path parameter `{name}`")
                            });
                        path = path.replace(&format!("{{{name}}}"), value);
                        refers_to_a |= *owned;
                    }
                    "query" if name == "project" => {
                        query.push(format!("project={}", w.params[4].1));
                        refers_to_a = true;
                    }
                    "query" if name == "account" => {
                        query.push(format!("account={}", w.account_id));
                        refers_to_a = true;
                    }
                    _ => {}
                }
            }
            if !query.is_empty() {
                path = format!("{path}?{}", query.join("&"));
            }
            let body = op["requestBody"]["content"]["application/json"]["schema"]
                .as_object()
                .map(|_| {
                    let mut b = example_body(
                        &doc,
                        &op["requestBody"]["content"]["application/json"]["schema"],
                    );
                    for (field, value) in [("account", &w.account_id), ("partner", &w.partner_id)] {
                        if b.get(field).is_some() {
                            b[field] = json!(value);
                            refers_to_a = true;
                        }
                    }
                    b
                });
            let operator_only = op["x-overcast-role"] == "operator";
            let mutation = method != Method::GET;

            let r = t
                .call(method.clone(), &path, None, body.as_ref(), &[])
                .await;
            assert_problem(&r, StatusCode::UNAUTHORIZED, "unauthorized");
            let r = t
                .call(method.clone(), &path, Some("oc_forged"), body.as_ref(), &[])
                .await;
            assert_eq!(r.status, 401, "{id}: a forged token");

            if mutation {
                let r = t
                    .call(method.clone(), &path, Some(&w.a_ro), body.as_ref(), &[])
                    .await;
                assert_eq!(
                    r.status, 403,
                    "{id} {path}: read-only token on a mutation: {}",
                    r.body
                );
            } else {
                // The fixtures are right: the owner can read what the other tenant cannot.
                let r = t
                    .call(method.clone(), &path, Some(&w.a_ro), None, &[])
                    .await;
                let expect_ok = !operator_only;
                assert_eq!(
                    r.status.is_success(),
                    expect_ok,
                    "{id} {path} read by its owner: {}",
                    r.body
                );
            }

            let r = t
                .call(method.clone(), &path, Some(&w.b_rw), body.as_ref(), &[])
                .await;
            if refers_to_a {
                assert_eq!(
                    r.status, 404,
                    "{id} {path}: another tenant must get 404: {}",
                    r.body
                );
            } else if operator_only {
                assert_eq!(r.status, 403, "{id} {path}: operator-only: {}", r.body);
            } else {
                assert!(
                    r.status.is_success() || r.status == 403,
                    "{id} {path}: {} {}",
                    r.status,
                    r.body
                );
                let text = r.body.to_string();
                assert!(
                    !text.contains(&w.account_id) && !text.contains(&w.partner_id),
                    "{id}: leaks tenant A: {text}"
                );
            }
            swept += 1;
        }
    }
    assert!(swept >= 60, "swept {swept} operations");
}

/// Replicated drives on a simulated storage cluster: snapshots, rollback,
/// drives and images made from snapshots, their refusals, and replication
/// health in drive views, the operator's storage status, events and
/// metrics. (What only Ceph can prove runs in `tests/ceph.rs`.)
async fn snapshots_and_replication(backend: Backend) {
    let t = TestServer::start_with_storage(backend, 1).await.unwrap();
    let storage = t.storage.clone().unwrap();
    let a = t.tenant("acme").await;
    let q = "?project=main";
    let gib = 1073741824_u64;
    let data = t
        .create(
            &format!("/v1/drives{q}"),
            &a.rw,
            json!({"name": "data", "size_bytes": gib, "storage_class": "replicated"}),
        )
        .await;
    assert_eq!(data["replicas"], 3);
    let data_id = data["id"].as_str().unwrap().to_string();
    let volume = format!("overcast-r3/drive-{data_id}");
    t.wait_state(&format!("/v1/drives/data{q}"), &a.rw, "available")
        .await;
    // The health is read every 0.2 s here.
    let healthy = wait_for(|| async {
        let d = t.get(&format!("/v1/drives/data{q}"), &a.rw).await.body;
        (d["replication"]["state"] == "healthy").then_some(d)
    })
    .await;
    assert_eq!(healthy["replication"]["degraded_ratio"], 0.0);
    assert_eq!(healthy["snapshots_size_bytes"], 0);
    assert_eq!(healthy["total_size_bytes"], gib);
    let local = t
        .create(
            &format!("/v1/drives{q}"),
            &a.rw,
            json!({"name": "scratch", "size_bytes": gib}),
        )
        .await;
    assert!(local["replication"].is_null(), "{local}");

    // Snapshots: of a local drive, a 409 naming the class.
    let r = t
        .post(
            &format!("/v1/snapshots{q}"),
            &a.rw,
            json!({"name": "s0", "drive": "scratch"}),
        )
        .await;
    assert_problem(&r, StatusCode::CONFLICT, "storage_class_unsupported");
    assert_eq!(r.body["field"], "drive");
    assert!(r.body["message"].as_str().unwrap().contains("local"));
    for (body, field) in [
        (json!({"name": "Bad Name", "drive": "data"}), "name"),
        (json!({"name": "s0", "drive": "nope"}), "drive"),
        (json!({"name": "s0"}), "drive"),
    ] {
        let r = t.post(&format!("/v1/snapshots{q}"), &a.rw, body).await;
        assert!(r.status.is_client_error(), "{}", r.body);
        assert_eq!(r.body["field"], field, "{}", r.body);
    }
    let s1 = t
        .create(
            &format!("/v1/snapshots{q}"),
            &a.rw,
            json!({"name": "s1", "drive": "data", "description": "before"}),
        )
        .await;
    assert_eq!(s1["state"], "available");
    assert_eq!(s1["size_bytes"], gib);
    assert_eq!(s1["drive_id"], data_id.as_str());
    let s1_id = s1["id"].as_str().unwrap().to_string();
    assert_eq!(
        storage.images()[&volume],
        vec![format!("snap-{s1_id}")],
        "the RBD snapshot exists"
    );
    let r = t
        .post(
            &format!("/v1/snapshots{q}"),
            &a.rw,
            json!({"name": "s1", "drive": "data"}),
        )
        .await;
    assert_problem(&r, StatusCode::CONFLICT, "already_exists");
    let list = t.get(&format!("/v1/snapshots{q}"), &a.ro).await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
    // Snapshots count toward the drive's size.
    let d = t.get(&format!("/v1/drives/data{q}"), &a.rw).await.body;
    assert_eq!(d["snapshots_size_bytes"], gib);
    assert_eq!(d["total_size_bytes"], 2 * gib);
    // A drive with snapshots is not deleted.
    let r = t.delete(&format!("/v1/drives/data{q}"), &a.rw).await;
    assert_problem_says(&r, StatusCode::CONFLICT, "has_snapshots", "s1");

    // A drive from the snapshot: replicated, at least its size, not with
    // an image too.
    for (body, status, code) in [
        (
            json!({"name": "copy", "size_bytes": gib, "snapshot": "s1"}),
            StatusCode::CONFLICT,
            "storage_class_unsupported",
        ),
        (
            json!({"name": "copy", "size_bytes": gib, "snapshot": "s1", "image": "tiny",
                   "storage_class": "replicated"}),
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            json!({"name": "copy", "size_bytes": gib / 2, "snapshot": "s1",
                   "storage_class": "replicated"}),
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            json!({"name": "copy", "size_bytes": gib, "snapshot": "nope",
                   "storage_class": "replicated"}),
            StatusCode::NOT_FOUND,
            "not_found",
        ),
    ] {
        let r = t.post(&format!("/v1/drives{q}"), &a.rw, body).await;
        assert_problem(&r, status, code);
    }
    let copy = t
        .create(
            &format!("/v1/drives{q}"),
            &a.rw,
            json!({"name": "copy", "size_bytes": 2 * gib, "snapshot": "s1",
                   "storage_class": "replicated", "replicas": 2}),
        )
        .await;
    assert_eq!(copy["state"], "available");
    assert_eq!(copy["snapshot_id"], s1_id.as_str());
    let copy_volume = format!("overcast-r2/drive-{}", copy["id"].as_str().unwrap());
    assert_eq!(
        storage.origin(&copy_volume),
        Some(format!("copy:{volume}@snap-{s1_id}"))
    );
    assert_eq!(storage.size(&copy_volume), Some(2 * gib));

    // Rollback: not while an instance runs with the drive.
    t.create(
        &format!("/v1/instances{q}"),
        &a.rw,
        json!({"name": "vm", "vcpus": 1, "memory_mib": 256, "image": "tiny",
                   "drives": ["data"], "start": true}),
    )
    .await;
    t.wait_state(&format!("/v1/instances/vm{q}"), &a.rw, "running")
        .await;
    let r = t
        .post(
            &format!("/v1/drives/data/rollback{q}"),
            &a.rw,
            json!({"snapshot": "s1"}),
        )
        .await;
    assert_problem_says(&r, StatusCode::CONFLICT, "invalid_state", "stop it first");
    t.post(&format!("/v1/instances/vm/stop{q}"), &a.rw, json!({}))
        .await;
    t.wait_state(&format!("/v1/instances/vm{q}"), &a.rw, "stopped")
        .await;
    let other = t
        .create(
            &format!("/v1/snapshots{q}"),
            &a.rw,
            json!({"name": "c1", "drive": "copy"}),
        )
        .await;
    let r = t
        .post(
            &format!("/v1/drives/data/rollback{q}"),
            &a.rw,
            json!({"snapshot": "c1"}),
        )
        .await;
    assert_problem(&r, StatusCode::BAD_REQUEST, "invalid_request");
    assert_eq!(r.body["field"], "snapshot");
    let r = t
        .post(
            &format!("/v1/drives/scratch/rollback{q}"),
            &a.rw,
            json!({"snapshot": "s1"}),
        )
        .await;
    assert_problem(&r, StatusCode::CONFLICT, "storage_class_unsupported");
    let r = t
        .post(
            &format!("/v1/drives/data/rollback{q}"),
            &a.rw,
            json!({"snapshot": "s1"}),
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.body);
    t.wait_state(&format!("/v1/drives/data{q}"), &a.rw, "attached")
        .await;
    let events = t
        .get(&format!("/v1/events?resource_id={data_id}"), &a.rw)
        .await;
    assert!(
        events.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "drive.rollback"),
        "{}",
        events.body
    );

    // An image from a snapshot of a boot drive; not of a blank drive.
    let r = t
        .post(
            &format!("/v1/snapshots/s1/image{q}"),
            &a.rw,
            json!({"name": "golden"}),
        )
        .await;
    assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "not_bootable");
    t.create(
        &format!("/v1/drives{q}"),
        &a.rw,
        json!({"name": "boot", "size_bytes": 67108864, "image": "tiny",
               "storage_class": "replicated"}),
    )
    .await;
    t.wait_state(&format!("/v1/drives/boot{q}"), &a.rw, "available")
        .await;
    t.create(
        &format!("/v1/snapshots{q}"),
        &a.rw,
        json!({"name": "boot-1", "drive": "boot"}),
    )
    .await;
    let golden = t
        .create(
            &format!("/v1/snapshots/boot-1/image{q}"),
            &a.rw,
            json!({"name": "golden"}),
        )
        .await;
    assert_eq!(golden["min_size_bytes"], 67108864);
    assert_eq!(golden["account_id"], a.account_id.as_str());
    assert_eq!(golden["os_family"], "linux");
    let r = t
        .post(
            &format!("/v1/drives{q}"),
            &a.rw,
            json!({"name": "g-local", "size_bytes": 67108864, "image": "golden"}),
        )
        .await;
    assert_problem(&r, StatusCode::CONFLICT, "storage_class_unsupported");
    assert_eq!(r.body["field"], "storage_class");
    // Deleting the snapshot first gives the image its own copy.
    let r = t.delete(&format!("/v1/snapshots/boot-1{q}"), &a.rw).await;
    assert_eq!(r.status, 204, "{}", r.body);
    let golden_base = format!("overcast-r3/image-{}", golden["id"].as_str().unwrap());
    assert!(
        storage
            .origin(&golden_base)
            .is_some_and(|o| o.starts_with("copy:")),
        "{:?}",
        storage.images()
    );
    let g = t
        .create(
            &format!("/v1/drives{q}"),
            &a.rw,
            json!({"name": "g", "size_bytes": 67108864, "image": "golden",
                   "storage_class": "replicated"}),
        )
        .await;
    assert_eq!(g["state"], "available");
    assert_eq!(
        storage.origin(&format!("overcast-r3/drive-{}", g["id"].as_str().unwrap())),
        Some(format!("clone:{golden_base}@base")),
        "a copy-on-write clone of the image's base"
    );

    // Health: a degraded pool shows in its drives, the operator's status,
    // events and metrics. Every placement group of the 3-copy pool is
    // missing a third of its copies.
    let all: Vec<(u32, &str, f64)> = (0..32)
        .map(|seed| (seed, "active+undersized+degraded", 0.3333))
        .collect();
    storage.set_pgs("overcast-r3", 32, &all, false);
    let d = wait_for(|| async {
        let d = t.get(&format!("/v1/drives/data{q}"), &a.rw).await.body;
        (d["replication"]["state"] == "degraded").then_some(d)
    })
    .await;
    let share = |d: &Value, key: &str| d["replication"][key].as_f64().unwrap();
    assert!((share(&d, "degraded_ratio") - 0.3333).abs() < 1e-9, "{d}");
    assert_eq!(share(&d, "recovery_progress"), 0.0, "{d}");
    let c = t.get(&format!("/v1/drives/copy{q}"), &a.rw).await.body;
    assert_eq!(
        c["replication"]["state"], "healthy",
        "the 2-copy pool is fine"
    );
    let r = t.get("/v1/system/storage", &a.rw).await;
    assert_problem(&r, StatusCode::FORBIDDEN, "forbidden");
    let st = t.get("/v1/system/storage", &t.operator_token).await.body;
    assert_eq!(st["health"], "warn", "{st}");
    assert_eq!(st["osds"], 3);
    let r3 = st["pools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "overcast-r3")
        .unwrap()
        .clone();
    assert_eq!(r3["state"], "degraded");
    assert_eq!(r3["drives"], 3, "data, boot, g");
    assert_eq!(st["degraded_drive_count"], 3);
    assert!(
        st["degraded_drives"]
            .as_array()
            .unwrap()
            .contains(&json!(data_id)),
        "{st}"
    );
    let metrics = reqwest::get(format!("{}/metrics", t.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for line in [
        "overcast_storage_up 1",
        "overcast_storage_health 1",
        "overcast_storage_pool_degraded_ratio{pool=\"overcast-r3\"} 0.3333",
        "overcast_storage_pool_state{pool=\"overcast-r3\",state=\"degraded\"} 1",
        "overcast_storage_osds{kind=\"up\"} 2",
        "overcast_storage_degraded_drives 3",
    ] {
        assert!(metrics.contains(line), "{line} in:\n{metrics}");
    }
    // A drive's health is its own objects' (and a clone's, its parent's
    // that it reads through to): in a pool of 4,096 groups, some of those
    // that hold objects of `data` but none of `g` (a clone of `golden`)
    // recover (a tenth of their copies missing); `g` is healthy, `data`
    // recovering, and `boot` (a clone of `tiny`) as its objects fall.
    let (data_pgs, mut g_pgs, mut boot_pgs) = (
        drive_pgs(&t, &a.rw, &storage, &format!("data{q}"), gib).await,
        drive_pgs(&t, &a.rw, &storage, &format!("g{q}"), 64 << 20).await,
        drive_pgs(&t, &a.rw, &storage, &format!("boot{q}"), 64 << 20).await,
    );
    let g_parent = parent_pgs(&t, &a.rw, &storage, &format!("g{q}"), 64 << 20).await;
    g_pgs.extend(&g_parent);
    boot_pgs.extend(parent_pgs(&t, &a.rw, &storage, &format!("boot{q}"), 64 << 20).await);
    // Not the group of data's first object either: some of it stays clean.
    let unclean: HashSet<u32> = data_pgs
        .iter()
        .filter(|pg| !g_pgs.contains(pg) && **pg != data_pgs[0])
        .copied()
        .collect();
    let in_unclean = data_pgs.iter().filter(|pg| unclean.contains(pg)).count() as f64;
    assert!(in_unclean > 0.0 && in_unclean < data_pgs.len() as f64);
    let recovering: Vec<(u32, &str, f64)> = unclean
        .iter()
        .map(|&seed| (seed, "active+recovering+degraded", 0.1))
        .collect();
    storage.set_pgs("overcast-r3", 4096, &recovering, true);
    let d = wait_for(|| async {
        let d = t.get(&format!("/v1/drives/data{q}"), &a.rw).await.body;
        (d["replication"]["state"] == "recovering").then_some(d)
    })
    .await;
    let n = data_pgs.len() as f64;
    assert!(
        (share(&d, "recovery_progress") - (1.0 - in_unclean / n)).abs() < 1e-9,
        "{d}"
    );
    assert!(
        (share(&d, "degraded_ratio") - 0.1 * in_unclean / n).abs() < 1e-9,
        "{d}"
    );
    let g = t.get(&format!("/v1/drives/g{q}"), &a.rw).await.body;
    assert_eq!(g["replication"]["state"], "healthy", "{g}");
    assert_eq!(share(&g, "recovery_progress"), 1.0);
    let boot_hit = boot_pgs.iter().any(|pg| unclean.contains(pg));
    let boot = t.get(&format!("/v1/drives/boot{q}"), &a.rw).await.body;
    assert_eq!(
        boot["replication"]["state"],
        if boot_hit { "recovering" } else { "healthy" },
        "{boot}"
    );
    let st = t.get("/v1/system/storage", &t.operator_token).await.body;
    assert_eq!(st["degraded_drive_count"], 1 + u64::from(boot_hit), "{st}");
    assert!(
        !st["degraded_drives"].as_array().unwrap().contains(&g["id"]),
        "{st}"
    );
    // Groups that only `g`'s parent has objects in: `g` reads through to
    // them, so it is recovering, and `data` stays healthy.
    let (g_own, data_all): (HashSet<u32>, HashSet<u32>) = (
        drive_pgs(&t, &a.rw, &storage, &format!("g{q}"), 64 << 20)
            .await
            .into_iter()
            .collect(),
        data_pgs.iter().copied().collect(),
    );
    let parent_only: Vec<(u32, &str, f64)> = g_parent
        .iter()
        .filter(|pg| !g_own.contains(pg) && !data_all.contains(pg))
        .map(|&seed| (seed, "active+recovering+degraded", 0.1))
        .collect();
    assert!(!parent_only.is_empty());
    storage.set_pgs("overcast-r3", 4096, &parent_only, true);
    let g = wait_for(|| async {
        let g = t.get(&format!("/v1/drives/g{q}"), &a.rw).await.body;
        (g["replication"]["state"] == "recovering").then_some(g)
    })
    .await;
    assert!(share(&g, "recovery_progress") < 1.0, "{g}");
    let d = t.get(&format!("/v1/drives/data{q}"), &a.rw).await.body;
    assert_eq!(d["replication"]["state"], "healthy", "{d}");
    let st = t.get("/v1/system/storage", &t.operator_token).await.body;
    assert!(
        st["degraded_drives"].as_array().unwrap().contains(&g["id"]),
        "{st}"
    );
    storage.set_pgs("overcast-r3", 32, &[], true);
    wait_for(|| async {
        let g = t.get(&format!("/v1/drives/g{q}"), &a.rw).await.body;
        (g["replication"]["state"] == "healthy").then_some(g)
    })
    .await;
    let pool_id = r3["id"].as_str().unwrap();
    let events = t
        .get(
            &format!("/v1/events?resource_id={pool_id}"),
            &t.operator_token,
        )
        .await
        .body;
    let actions: Vec<&str> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "storage_pool.degraded",
            "storage_pool.recovering",
            "storage_pool.healthy"
        ],
        "{events}"
    );
    // Changes are counted from the log, not from this replica's last
    // reading: a `degraded` that another replica recorded before it died
    // (written here directly) while this one read the pool as healthy all
    // along is followed by `healthy`, which the next holder records.
    let id = pool_id.to_string();
    t.server
        .app
        .db
        .write(move |c| {
            overcast_server::app::record_system_event(
                c,
                "degraded",
                overcast_server::app::Subject {
                    resource_type: "storage_pool",
                    id: &id,
                    name: "overcast-r3",
                    account_id: None,
                    partner_id: None,
                },
                "recorded by a replica that died".into(),
            )
        })
        .await
        .unwrap();
    wait_for(|| async {
        let events = t
            .get(
                &format!("/v1/events?resource_id={pool_id}"),
                &t.operator_token,
            )
            .await
            .body;
        let actions: Vec<String> = events["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap().to_string())
            .collect();
        (actions.len() == 5).then(|| assert_eq!(actions[4], "storage_pool.healthy", "{events}"))
    })
    .await;

    // Snapshot deletion: gone from the API and the storage.
    for name in ["s1", "c1"] {
        let r = t.delete(&format!("/v1/snapshots/{name}{q}"), &a.rw).await;
        assert_eq!(r.status, 204, "{}", r.body);
    }
    assert!(other["id"].is_string());
    assert!(storage.images()[&volume].is_empty());
    let r = t.get(&format!("/v1/snapshots/s1{q}"), &a.rw).await;
    assert_problem(&r, StatusCode::NOT_FOUND, "not_found");

    // A deleted image's base leaves the cluster, once no drive is a clone
    // of it.
    assert!(storage.images().contains_key(&golden_base));
    let r = t.delete("/v1/images/golden", &a.rw).await;
    assert_problem(&r, StatusCode::CONFLICT, "in_use");
    let r = t.delete(&format!("/v1/drives/g{q}"), &a.rw).await;
    assert!(r.status.is_success(), "{}", r.body);
    t.wait_gone(&format!("/v1/drives/g{q}"), &a.rw).await;
    let r = t.delete("/v1/images/golden", &a.rw).await;
    assert_eq!(r.status, 204, "{}", r.body);
    wait_for(|| async { (!storage.images().contains_key(&golden_base)).then_some(()) }).await;

    // Without a storage cluster, the operator's status says so.
    let plain = TestServer::start(backend).await.unwrap();
    let st = plain
        .get("/v1/system/storage", &plain.operator_token)
        .await
        .body;
    assert_eq!(st["health"], "not_configured", "{st}");
    plain.stop().await;
    t.stop().await;
}

/// Poll `check` until it yields something (10 s at most).
async fn wait_for<T, F, Fut>(check: F) -> T
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let started = std::time::Instant::now();
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "timed out waiting"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// The RBD image (`pool/name`) of replicated drive `drive` (name and
/// query) with 3 copies.
async fn drive_image(t: &TestServer, token: &str, drive: &str) -> String {
    let view = t.get(&format!("/v1/drives/{drive}"), token).await.body;
    format!("overcast-r3/drive-{}", view["id"].as_str().unwrap())
}

/// The placement group, in a 3-copy pool of 4,096, of each object drive
/// `drive` (name and query) of `size` bytes can have in the simulated
/// cluster.
async fn drive_pgs(
    t: &TestServer,
    token: &str,
    storage: &overcast_testkit::sim_storage::SimStorage,
    drive: &str,
    size: u64,
) -> Vec<u32> {
    image_pgs(storage, &drive_image(t, token, drive).await, size)
}

/// The placement groups, in a 3-copy pool of 4,096, of the objects of
/// image `spec` up to `size` bytes.
fn image_pgs(
    storage: &overcast_testkit::sim_storage::SimStorage,
    spec: &str,
    size: u64,
) -> Vec<u32> {
    let id = storage.image_id(spec).expect("the image");
    (0..size.div_ceil(4 << 20))
        .map(|n| object_pg(&format!("rbd_data.{id}.{n:016x}"), 4096))
        .collect()
}

/// The groups of the objects drive `drive` (a clone) of `size` bytes
/// reads through to in its parent.
async fn parent_pgs(
    t: &TestServer,
    token: &str,
    storage: &overcast_testkit::sim_storage::SimStorage,
    drive: &str,
    size: u64,
) -> Vec<u32> {
    let origin = storage
        .origin(&drive_image(t, token, drive).await)
        .expect("a clone");
    let parent = origin
        .strip_prefix("clone:")
        .and_then(|o| o.strip_suffix("@base"))
        .expect("a clone of an image's base");
    let through = storage.size(parent).expect("the parent").min(size);
    image_pgs(storage, parent, through)
}
