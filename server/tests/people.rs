//! People who log in, against a real server on SQLite and on a PostgreSQL
//! the tests start: invitation links, passwords, login sessions in a
//! cookie, the CSRF defence on changes made with that cookie, roles, and
//! the rate limit on failed logins; partner and operator staff.

use overcast_testkit::{Backend, Hosts, Reply, Tenant, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use overcast_testkit::on_both_backends;

on_both_backends!(
    invitation_login_and_cookie_sessions,
    staff_log_in_as_partner_admins_and_operators,
    suspended_accounts_are_refused,
    a_second_factor_guards_the_login,
    failed_logins_are_rate_limited,
    behind_a_load_balancer_the_client_is_who_it_forwards_for,
    brands_follow_the_host_name,
    stale_login_data_is_purged,
);

const PASSWORD: &str = "correct horse battery staple";

/// A logged-in browser: its cookie and CSRF token.
struct Browser {
    cookie: String,
    csrf: String,
    session_id: String,
}

impl Browser {
    async fn call(&self, t: &TestServer, method: Method, path: &str, body: Option<Value>) -> Reply {
        let origin = t.base.clone();
        let headers = [
            ("cookie", self.cookie.as_str()),
            ("origin", origin.as_str()),
            ("x-csrf-token", self.csrf.as_str()),
        ];
        t.call(method, path, None, body.as_ref(), &headers).await
    }
}

async fn login(t: &TestServer, email: &str, password: &str) -> Reply {
    let body = json!({ "email": email, "password": password });
    t.call(Method::POST, "/v1/login", None, Some(&body), &[])
        .await
}

async fn logged_in(t: &TestServer, email: &str, password: &str) -> Browser {
    let r = login(t, email, password).await;
    assert_eq!(r.status, StatusCode::OK, "login: {}", r.body);
    let set = r.headers["set-cookie"].to_str().unwrap().to_string();
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(set.contains(attribute), "{attribute} missing from {set}");
    }
    let cookie = set.split(';').next().unwrap().to_string();
    assert!(cookie.starts_with("overcast_session=oc_ses_"), "{cookie}");
    Browser {
        cookie,
        csrf: r.body["csrf_token"].as_str().unwrap().to_string(),
        session_id: r.body["session"]["id"].as_str().unwrap().to_string(),
    }
}

/// Account `acme` with user alice (`role`), her password set through her
/// invitation.
async fn acme_with_alice(t: &TestServer, role: &str) -> Tenant {
    let acme = t.tenant("acme").await;
    t.create(
        "/v1/users",
        &acme.rw,
        json!({"name": "alice", "email": "alice@acme.example", "role": role}),
    )
    .await;
    invite_and_accept(t, &acme.rw, "alice", PASSWORD).await;
    acme
}

/// Invite `user` with `token`, and set `password` through the link.
async fn invite_and_accept(t: &TestServer, token: &str, user: &str, password: &str) -> Value {
    let inv = t
        .create(&format!("/v1/users/{user}/invitations"), token, json!({}))
        .await;
    let secret = inv["secret"].as_str().unwrap();
    let url = inv["url"].as_str().unwrap();
    assert_eq!(url, format!("{}/invitation#{secret}", t.base));
    let r = t
        .call(
            Method::POST,
            "/v1/invitations/accept",
            None,
            Some(&json!({ "secret": secret, "password": password })),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "accept: {}", r.body);
    inv
}

async fn invitation_login_and_cookie_sessions(backend: Backend) {
    let t = TestServer::start(backend).await.unwrap();
    let acme = t.tenant("acme").await;
    let other = t.tenant("other").await;
    let alice = t
        .create(
            "/v1/users",
            &acme.rw,
            json!({ "name": "alice", "email": "Alice@acme.example" }),
        )
        .await;
    assert_eq!(alice["role"], "account_member");
    assert_eq!(alice["password_set"], false);

    // No password yet: no login, and the same answer as an unknown e-mail.
    let before = login(&t, "alice@acme.example", PASSWORD).await;
    let unknown = login(&t, "nobody@acme.example", PASSWORD).await;
    assert_eq!(before.status, StatusCode::UNAUTHORIZED);
    assert_eq!(before.body["message"], unknown.body["message"]);

    // The link: a short password is refused and leaves it usable; it works once.
    let inv = t
        .create("/v1/users/alice/invitations", &acme.rw, json!({}))
        .await;
    assert_eq!(inv["kind"], "invitation");
    let secret = inv["secret"].as_str().unwrap();
    let accept = |password: &'static str| {
        let body = json!({ "secret": secret, "password": password });
        let t = &t;
        async move {
            t.call(
                Method::POST,
                "/v1/invitations/accept",
                None,
                Some(&body),
                &[],
            )
            .await
        }
    };
    let short = accept("short").await;
    assert_eq!(short.status, StatusCode::BAD_REQUEST, "{}", short.body);
    assert_eq!(short.body["field"], "password");
    assert_eq!(accept(PASSWORD).await.status, StatusCode::NO_CONTENT);
    let again = accept(PASSWORD).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert_eq!(again.body["error_code"], "invalid_invitation");
    let user = t.get("/v1/users/alice", &acme.rw).await;
    assert_eq!(user.body["password_set"], true);

    // Wrong password and unknown e-mail answer alike; the e-mail's case does not matter.
    let wrong = login(&t, "alice@acme.example", "not the password at all").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.body["message"], unknown.body["message"]);
    let b = logged_in(&t, "ALICE@acme.example", PASSWORD).await;

    // The cookie acts as the user, with the member role's powers.
    let me = b.call(&t, Method::GET, "/v1/me", None).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.body);
    assert_eq!(me.body["user"]["name"], "alice");
    assert_eq!(me.body["scope"], "account_read_write");
    assert_eq!(me.body["account_id"], acme.account_id.as_str());
    assert_eq!(me.body["csrf_token"], b.csrf.as_str());
    let by_token = t.get("/v1/me", &acme.rw).await;
    assert_eq!(by_token.body["user"], Value::Null, "{}", by_token.body);
    assert_eq!(by_token.body["csrf_token"], Value::Null);
    let projects = b.call(&t, Method::GET, "/v1/projects", None).await;
    assert_eq!(projects.body["items"][0]["name"], "main");
    // Another account's project is not there, by id either.
    let theirs = format!("/v1/projects/{}", other.project_id);
    assert_eq!(
        b.call(&t, Method::GET, &theirs, None).await.status,
        StatusCode::NOT_FOUND
    );

    // CSRF: a change with the cookie needs this origin and the token.
    let new_project = json!({ "name": "web" });
    let bare = t
        .call(
            Method::POST,
            "/v1/projects",
            None,
            Some(&new_project),
            &[("cookie", &b.cookie), ("x-csrf-token", &b.csrf)],
        )
        .await;
    assert_eq!(
        bare.status,
        StatusCode::FORBIDDEN,
        "no Origin: {}",
        bare.body
    );
    let cross = t
        .call(
            Method::POST,
            "/v1/projects",
            None,
            Some(&new_project),
            &[
                ("cookie", &b.cookie),
                ("origin", "https://evil.example"),
                ("x-csrf-token", &b.csrf),
            ],
        )
        .await;
    assert_eq!(
        cross.status,
        StatusCode::FORBIDDEN,
        "cross-origin: {}",
        cross.body
    );
    let no_token = t
        .call(
            Method::POST,
            "/v1/projects",
            None,
            Some(&new_project),
            &[("cookie", &b.cookie), ("origin", &t.base)],
        )
        .await;
    assert_eq!(no_token.status, StatusCode::FORBIDDEN, "{}", no_token.body);
    let made = b
        .call(&t, Method::POST, "/v1/projects", Some(new_project))
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    // The audit log names the user behind the change.
    let events = t
        .get(
            &format!(
                "/v1/events?resource_id={}",
                made.body["id"].as_str().unwrap()
            ),
            &acme.rw,
        )
        .await;
    assert_eq!(events.body["items"][0]["actor_user_id"], alice["id"]);

    // A member does not manage people.
    for (path, body) in [
        (
            "/v1/users",
            json!({ "name": "mallory", "email": "m@acme.example" }),
        ),
        ("/v1/tokens", json!({ "scope": "account_read_write" })),
    ] {
        let r = b.call(&t, Method::POST, path, Some(body)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}: {}", r.body);
    }

    // Sessions: listed, one ended from another, logout kills the cookie.
    let b2 = logged_in(&t, "alice@acme.example", PASSWORD).await;
    let list = b.call(&t, Method::GET, "/v1/sessions", None).await;
    let items = list.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{}", list.body);
    let current: Vec<&Value> = items.iter().filter(|s| s["current"] == true).collect();
    assert_eq!(current.len(), 1);
    assert_eq!(current[0]["id"], b.session_id.as_str());
    let end = b
        .call(
            &t,
            Method::DELETE,
            &format!("/v1/sessions/{}", b2.session_id),
            None,
        )
        .await;
    assert_eq!(end.status, StatusCode::NO_CONTENT, "{}", end.body);
    assert_eq!(
        b2.call(&t, Method::GET, "/v1/me", None).await.status,
        StatusCode::UNAUTHORIZED
    );
    let out = b.call(&t, Method::POST, "/v1/logout", None).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT, "{}", out.body);
    assert!(
        out.headers["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    assert_eq!(
        b.call(&t, Method::GET, "/v1/me", None).await.status,
        StatusCode::UNAUTHORIZED
    );
    // A token has no session to list or end.
    let r = t.get("/v1/sessions", &acme.rw).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);

    // A reset link replaces the password and ends the user's sessions.
    let b3 = logged_in(&t, "alice@acme.example", PASSWORD).await;
    let reset = invite_and_accept(&t, &acme.rw, "alice", "a brand new passphrase").await;
    assert_eq!(reset["kind"], "reset");
    assert_eq!(
        b3.call(&t, Method::GET, "/v1/me", None).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        login(&t, "alice@acme.example", PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    logged_in(&t, "alice@acme.example", "a brand new passphrase").await;

    // A read-only user reads and changes nothing, even with the CSRF token.
    t.create(
        "/v1/users",
        &acme.rw,
        json!({ "name": "bob", "email": "bob@acme.example", "role": "account_read_only" }),
    )
    .await;
    invite_and_accept(&t, &acme.rw, "bob", PASSWORD).await;
    let bob = logged_in(&t, "bob@acme.example", PASSWORD).await;
    assert_eq!(
        bob.call(&t, Method::GET, "/v1/projects", None).await.status,
        StatusCode::OK
    );
    let r = bob
        .call(
            &t,
            Method::POST,
            "/v1/projects",
            Some(json!({ "name": "nope" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);

    // An admin user manages people.
    t.create(
        "/v1/users",
        &acme.rw,
        json!({ "name": "ada", "email": "ada@acme.example", "role": "account_admin" }),
    )
    .await;
    invite_and_accept(&t, &acme.rw, "ada", PASSWORD).await;
    let ada = logged_in(&t, "ada@acme.example", PASSWORD).await;
    let r = ada
        .call(
            &t,
            Method::POST,
            "/v1/users",
            Some(json!({ "name": "cy", "email": "cy@acme.example" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);

    // Two users who can log in never share an e-mail.
    t.create(
        "/v1/users",
        &other.rw,
        json!({ "name": "alice", "email": "alice@ACME.example" }),
    )
    .await;
    let inv = t
        .create("/v1/users/alice/invitations", &other.rw, json!({}))
        .await;
    let r = t
        .call(
            Method::POST,
            "/v1/invitations/accept",
            None,
            Some(&json!({ "secret": inv["secret"], "password": PASSWORD })),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(r.body["error_code"], "email_taken");

    // Deleting a user ends its sessions.
    let r = ada.call(&t, Method::DELETE, "/v1/users/bob", None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert_eq!(
        bob.call(&t, Method::GET, "/v1/me", None).await.status,
        StatusCode::UNAUTHORIZED
    );
}

async fn failed_logins_are_rate_limited(backend: Backend) {
    let t = TestServer::start(backend).await.unwrap();
    acme_with_alice(&t, "account_member").await;
    // (A client's own `X-Forwarded-Proto` is not believed: no proxy is
    // trusted here, so its cookie is not `Secure`.)
    let cookie = login_cookie_over(&t, "https").await;
    assert!(!cookie.contains("Secure"), "{cookie}");
    for i in 0..5 {
        let r = login(&t, "alice@acme.example", "not the password at all").await;
        assert_eq!(
            r.status,
            StatusCode::UNAUTHORIZED,
            "attempt {i}: {}",
            r.body
        );
    }
    // Locked: even the right password is refused until the window ends.
    let r = login(&t, "alice@acme.example", PASSWORD).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    assert_eq!(r.body["error_code"], "too_many_logins");
    let wait: u64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(wait > 800 && wait <= 900, "Retry-After {wait}");
    // An e-mail nobody has is limited the same way (no hint it is unknown).
    for _ in 0..5 {
        let r = login(&t, "ghost@acme.example", PASSWORD).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let r = login(&t, "ghost@acme.example", PASSWORD).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    // Past 20 failures from one address, every e-mail is refused from it.
    for i in 0..10 {
        let r = login(&t, &format!("n{i}@acme.example"), PASSWORD).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let r = login(&t, "n-last@acme.example", PASSWORD).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    // With no trusted proxies, a forwarded address is not believed.
    let r = login_via(&t, "203.0.113.77", "n-last@acme.example", PASSWORD).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
}

/// A login through a load balancer that forwards for `client`.
async fn login_via(t: &TestServer, client: &str, email: &str, password: &str) -> Reply {
    let body = json!({ "email": email, "password": password });
    t.call(
        Method::POST,
        "/v1/login",
        None,
        Some(&body),
        &[("x-forwarded-for", client)],
    )
    .await
}

/// The `Set-Cookie` of alice's login with `X-Forwarded-Proto: <proto>`.
async fn login_cookie_over(t: &TestServer, proto: &str) -> String {
    let body = json!({ "email": "alice@acme.example", "password": PASSWORD });
    let r = t
        .call(
            Method::POST,
            "/v1/login",
            None,
            Some(&body),
            &[("x-forwarded-proto", proto)],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.headers["set-cookie"].to_str().unwrap().to_string()
}

async fn behind_a_load_balancer_the_client_is_who_it_forwards_for(backend: Backend) {
    // The tests reach the server from loopback: here, the load balancer.
    let t = TestServer::start_configured(backend, Hosts::Simulated(1), |c| {
        c.trusted_proxies = vec!["127.0.0.0/8".parse().unwrap()];
    })
    .await
    .unwrap();
    acme_with_alice(&t, "account_member").await;
    // 20 failures from one client lock that client out, whatever address
    // it writes in front of the balancer's.
    for i in 0..20 {
        let r = login_via(&t, "203.0.113.1", &format!("n{i}@acme.example"), PASSWORD).await;
        assert_eq!(
            r.status,
            StatusCode::UNAUTHORIZED,
            "attempt {i}: {}",
            r.body
        );
    }
    for forwarded in ["203.0.113.1", "192.0.2.9, 203.0.113.1"] {
        let r = login_via(&t, forwarded, "alice@acme.example", PASSWORD).await;
        assert_eq!(
            r.status,
            StatusCode::TOO_MANY_REQUESTS,
            "{forwarded}: {}",
            r.body
        );
    }
    // Everyone else behind the same balancer still logs in, and the
    // session records the client, not the balancer.
    let r = login_via(&t, "203.0.113.2", "alice@acme.example", PASSWORD).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["session"]["client"], "203.0.113.2", "{}", r.body);
    // The balancer ends TLS and says so: the cookie is `Secure`.
    let cookie = login_cookie_over(&t, "https").await;
    assert!(cookie.contains("; Secure"), "{cookie}");
    let cookie = login_cookie_over(&t, "http").await;
    assert!(!cookie.contains("Secure"), "{cookie}");
}

async fn brand_on(t: &TestServer, host: &str) -> Reply {
    t.call(Method::GET, "/v1/brand", None, None, &[("host", host)])
        .await
}

async fn brands_follow_the_host_name(backend: Backend) {
    let t = TestServer::start(backend).await.unwrap();
    let op = t.operator_token.clone();
    // A fresh install shows Overcast's brand, to anyone, on any host.
    let plain = brand_on(&t, "127.0.0.1").await;
    assert_eq!(plain.status, StatusCode::OK, "{}", plain.body);
    assert_eq!(plain.body["brand"]["display_name"], "Overcast");
    assert_eq!(plain.body["partner_id"], Value::Null);
    assert_eq!(plain.body["warnings"], json!([]));
    assert!(
        plain.headers["cache-control"]
            .to_str()
            .unwrap()
            .contains("max-age")
    );

    let brand = json!({
        "display_name": "CloudCo",
        "logo_url": "https://cloudco.example/logo.svg",
        "favicon_url": "https://cloudco.example/favicon.png",
        "primary_color": "#a0c4ff",
        "accent_color": "#0f766e",
        "support_email": "help@cloudco.example",
        "support_phone": "+61 2 5550 1234",
        "footer_links": [{ "label": "Terms", "url": "https://cloudco.example/terms" }],
        "navigation": "top",
        "hidden_sections": ["events"],
    });
    let cloudco = t
        .create(
            "/v1/partners",
            &op,
            json!({ "name": "cloudco", "brand": brand, "host_names": ["Cloud.CloudCo.example"] }),
        )
        .await;
    assert_eq!(cloudco["host_names"], json!(["cloud.cloudco.example"]));
    assert_eq!(cloudco["brand"]["navigation"], "top");
    assert_eq!(cloudco["brand"]["footer_links"][0]["label"], "Terms");
    let warnings = cloudco["brand_warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].as_str().unwrap().contains("primary_color"));

    // A host name has one partner; bad ones are refused whole.
    let again = t
        .post(
            "/v1/partners",
            &op,
            json!({ "name": "rival", "brand": brand, "host_names": ["cloud.cloudco.example"] }),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert_eq!(again.body["error_code"], "host_name_taken");
    assert_eq!(
        t.get("/v1/partners/rival", &op).await.status,
        StatusCode::NOT_FOUND
    );
    for bad in ["https://x.example", "x.example:8080", "-x.example", ""] {
        let r = t
            .post(
                "/v1/partners",
                &op,
                json!({ "name": "bad", "brand": brand, "host_names": [bad] }),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}: {}", r.body);
        assert_eq!(r.body["field"], "host_names[0]");
    }
    let mut phone = brand.clone();
    phone["support_phone"] = json!("call us");
    let r = t
        .post(
            "/v1/partners",
            &op,
            json!({ "name": "bad", "brand": phone }),
        )
        .await;
    assert_eq!(r.body["field"], "brand.support_phone", "{}", r.body);

    // The partner's host name shows its brand, with or without a port.
    for host in ["cloud.cloudco.example", "cloud.cloudco.example:8080"] {
        let r = brand_on(&t, host).await;
        assert_eq!(r.body["brand"]["display_name"], "CloudCo", "{host}");
        assert_eq!(r.body["partner_id"], cloudco["id"]);
        assert_eq!(r.body["warnings"].as_array().unwrap().len(), 1);
    }

    // The operator's brand: set by operators only, shown elsewhere.
    let acme = t.tenant("acme").await;
    let mut own = brand.clone();
    own["display_name"] = json!("OpCloud");
    own["primary_color"] = json!("#1d4ed8");
    assert_eq!(
        t.put("/v1/brand", &acme.rw, own.clone()).await.status,
        StatusCode::FORBIDDEN
    );
    let set = t.put("/v1/brand", &op, own.clone()).await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    assert_eq!(set.headers["etag"], "\"1\"");
    let stale = t
        .call(
            Method::PUT,
            "/v1/brand",
            Some(&op),
            Some(&own),
            &[("if-match", "\"0\"")],
        )
        .await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(
        brand_on(&t, "127.0.0.1").await.body["brand"]["display_name"],
        "OpCloud"
    );
    assert_eq!(
        brand_on(&t, "cloud.cloudco.example").await.body["brand"]["display_name"],
        "CloudCo"
    );

    // Releasing the host name hands it back to the operator's brand.
    let r = t
        .put("/v1/partners/cloudco", &op, json!({ "host_names": [] }))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        brand_on(&t, "cloud.cloudco.example").await.body["brand"]["display_name"],
        "OpCloud"
    );
}

async fn staff_log_in_as_partner_admins_and_operators(backend: Backend) {
    let t = TestServer::start(backend).await.unwrap();
    let op = t.operator_token.clone();
    let brand =
        json!({"display_name": "CloudCo", "primary_color": "#0b6e4f", "accent_color": "#6b21a8"});
    let cloudco = t
        .create(
            "/v1/partners",
            &op,
            json!({"name": "cloudco", "brand": brand}),
        )
        .await;

    // The operator makes its own staff and a partner's admin.
    let olga = t
        .create(
            "/v1/users",
            &op,
            json!({"name": "olga", "email": "olga@operator.example", "role": "operator"}),
        )
        .await;
    assert!(
        olga["account_id"].is_null() && olga["partner_id"].is_null(),
        "{olga}"
    );
    let pat = t
        .create(
            "/v1/users",
            &op,
            json!({"name": "pat", "email": "pat@cloudco.example", "role": "partner_admin", "partner": "cloudco"}),
        )
        .await;
    assert_eq!(pat["partner_id"], cloudco["id"]);
    // A partner admin needs a partner; only a partner admin has one.
    let r = t
        .post(
            "/v1/users",
            &op,
            json!({"name": "x", "email": "x@example.com", "role": "partner_admin"}),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::BAD_REQUEST, "invalid_request"),
        "{}",
        r.body
    );
    assert_eq!(r.body["field"], "partner");
    let staff = t.get("/v1/users", &op).await;
    let names: Vec<&str> = staff.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["olga", "pat"]);
    invite_and_accept(&t, &op, "olga", PASSWORD).await;
    invite_and_accept(&t, &op, pat["id"].as_str().unwrap(), PASSWORD).await;

    // Logged in, the operator's staff have the operator's powers.
    let olga = logged_in(&t, "olga@operator.example", PASSWORD).await;
    let me = olga.call(&t, Method::GET, "/v1/me", None).await;
    assert_eq!(
        (me.body["scope"].as_str(), me.body["user"]["role"].as_str()),
        (Some("operator"), Some("operator"))
    );
    assert_eq!(
        olga.call(&t, Method::GET, "/v1/hosts", None).await.status,
        StatusCode::OK
    );
    let direct = olga
        .call(
            &t,
            Method::POST,
            "/v1/accounts",
            Some(json!({"name": "direct"})),
        )
        .await;
    assert_eq!(direct.status, StatusCode::CREATED, "{}", direct.body);

    // A partner's admin has its partner's, and sees no other staff.
    let pat = logged_in(&t, "pat@cloudco.example", PASSWORD).await;
    let me = pat.call(&t, Method::GET, "/v1/me", None).await;
    assert_eq!(me.body["scope"], "partner_admin");
    assert_eq!(me.body["partner_id"], cloudco["id"]);
    assert_eq!(
        pat.call(&t, Method::GET, "/v1/hosts", None).await.status,
        StatusCode::FORBIDDEN
    );
    let tenant = pat
        .call(
            &t,
            Method::POST,
            "/v1/accounts",
            Some(json!({"name": "tenant"})),
        )
        .await;
    assert_eq!(tenant.status, StatusCode::CREATED, "{}", tenant.body);
    assert_eq!(tenant.body["partner_id"], cloudco["id"]);
    let accounts = pat.call(&t, Method::GET, "/v1/accounts", None).await;
    let names: Vec<&str> = accounts.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["tenant"]);
    let quinn = pat
        .call(
            &t,
            Method::POST,
            "/v1/users",
            Some(
                json!({"name": "quinn", "email": "quinn@cloudco.example", "role": "partner_admin"}),
            ),
        )
        .await;
    assert_eq!(quinn.status, StatusCode::CREATED, "{}", quinn.body);
    assert_eq!(quinn.body["partner_id"], cloudco["id"]);
    let r = pat
        .call(
            &t,
            Method::POST,
            "/v1/users",
            Some(json!({"name": "evil", "email": "evil@cloudco.example", "role": "operator"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let staff = pat.call(&t, Method::GET, "/v1/users", None).await;
    let names: Vec<&str> = staff.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["pat", "quinn"]);
    let olga_id = me_id(&t, &olga).await;
    for path in ["/v1/users/olga".to_string(), format!("/v1/users/{olga_id}")] {
        let r = pat.call(&t, Method::GET, &path, None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.body);
    }
    let r = pat
        .call(
            &t,
            Method::PUT,
            "/v1/partners/cloudco",
            Some(json!({"brand": {"display_name": "CloudCo Cloud", "primary_color": "#0b6e4f", "accent_color": "#6b21a8"}})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    // An account's admin makes no staff.
    let tenant_rw = t
        .create(
            "/v1/tokens",
            &op,
            json!({"scope": "account_read_write", "account": "tenant"}),
        )
        .await;
    let tenant_rw = tenant_rw["secret"].as_str().unwrap();
    for role in ["partner_admin", "operator"] {
        let r = t
            .post(
                "/v1/users",
                tenant_rw,
                json!({"name": "sneaky", "email": "sneaky@tenant.example", "role": role}),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{role}: {}", r.body);
    }

    // A partner that goes takes its staff and their sessions with it.
    assert_eq!(
        t.delete("/v1/accounts/tenant", &op).await.status,
        StatusCode::NO_CONTENT
    );
    let r = t.delete("/v1/partners/cloudco", &op).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let r = pat.call(&t, Method::GET, "/v1/me", None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let staff = t.get("/v1/users", &op).await;
    assert_eq!(
        staff.body["items"].as_array().unwrap().len(),
        1,
        "{}",
        staff.body
    );
}

async fn me_id(t: &TestServer, who: &Browser) -> String {
    let me = who.call(t, Method::GET, "/v1/me", None).await;
    me.body["user"]["id"].as_str().unwrap().to_string()
}

async fn suspended_accounts_are_refused(backend: Backend) {
    let t = TestServer::start(backend).await.unwrap();
    let op = t.operator_token.clone();
    let acme = acme_with_alice(&t, "account_admin").await;
    let alice = logged_in(&t, "alice@acme.example", PASSWORD).await;
    assert_eq!(t.get("/v1/projects", &acme.rw).await.status, StatusCode::OK);

    // Only its partner or the operator suspends an account.
    let r = t
        .put("/v1/accounts/acme", &acme.rw, json!({"suspended": true}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = t
        .put("/v1/accounts/acme", &op, json!({"suspended": true}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["suspended"], true);

    // At once, its tokens (cached or not) and its logins are refused.
    for token in [&acme.rw, &acme.ro] {
        let r = t.get("/v1/projects", token).await;
        assert_eq!(
            (r.status, r.code()),
            (StatusCode::FORBIDDEN, "account_suspended"),
            "{}",
            r.body
        );
    }
    let r = alice.call(&t, Method::GET, "/v1/me", None).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::FORBIDDEN, "account_suspended"),
        "{}",
        r.body
    );
    let other = t.tenant("other").await;
    assert_eq!(
        t.get("/v1/projects", &other.rw).await.status,
        StatusCode::OK
    );

    let r = t
        .put("/v1/accounts/acme", &op, json!({"suspended": false}))
        .await;
    assert_eq!(
        (r.status, &r.body["suspended"]),
        (StatusCode::OK, &json!(false)),
        "{}",
        r.body
    );
    assert_eq!(t.get("/v1/projects", &acme.rw).await.status, StatusCode::OK);
    assert_eq!(
        alice.call(&t, Method::GET, "/v1/me", None).await.status,
        StatusCode::OK
    );
    let events = t
        .get("/v1/events?resource_type=account&limit=1000", &op)
        .await;
    let actions: Vec<&str> = events.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(
        actions.contains(&"account.suspend") && actions.contains(&"account.resume"),
        "{actions:?}"
    );
}

/// The code an authenticator app shows `steps` steps of 30 s from now.
fn totp_code(secret: &str, steps: i64) -> String {
    let bytes = totp_rs::Secret::Encoded(secret.to_string())
        .to_bytes()
        .unwrap();
    let t = totp_rs::TOTP::new_unchecked(
        totp_rs::Algorithm::SHA1,
        6,
        1,
        30,
        bytes,
        None,
        String::new(),
    );
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    t.generate((now + steps * 30) as u64)
}

async fn login_with(t: &TestServer, extra: Value) -> Reply {
    let mut body = json!({ "email": "alice@acme.example", "password": PASSWORD });
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    t.call(Method::POST, "/v1/login", None, Some(&body), &[])
        .await
}

async fn a_second_factor_guards_the_login(backend: Backend) {
    let t = TestServer::start(backend).await.unwrap();
    let acme = acme_with_alice(&t, "account_admin").await;
    let alice = logged_in(&t, "alice@acme.example", PASSWORD).await;

    // A second factor belongs to a person, not to a token.
    let r = t.post("/v1/me/totp", &acme.rw, json!({})).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::BAD_REQUEST, "not_a_session"),
        "{}",
        r.body
    );
    let r = alice.call(&t, Method::POST, "/v1/me/totp", None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let secret = r.body["secret"].as_str().unwrap().to_string();
    let url = r.body["otpauth_url"].as_str().unwrap();
    assert!(
        url.starts_with("otpauth://totp/")
            && url.contains(&secret)
            && url.contains("issuer=Overcast"),
        "{url}"
    );
    // Until a code confirms it, logins are as before.
    assert_eq!(login_with(&t, json!({})).await.status, StatusCode::OK);
    let code = totp_code(&secret, 0);
    let wrong = format!(
        "{:06}",
        (code.parse::<u32>().unwrap() + 500_000) % 1_000_000
    );
    let r = alice
        .call(
            &t,
            Method::POST,
            "/v1/me/totp/confirm",
            Some(json!({"code": wrong})),
        )
        .await;
    assert_eq!(
        (r.status, r.body["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("code")),
        "{}",
        r.body
    );
    let r = alice
        .call(
            &t,
            Method::POST,
            "/v1/me/totp/confirm",
            Some(json!({"code": code})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let recovery: Vec<String> = r.body["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    assert_eq!(recovery.len(), 10);
    let me = alice.call(&t, Method::GET, "/v1/me", None).await;
    assert_eq!(me.body["user"]["totp_enabled"], true);

    // Now the password alone is not enough, and a code works once.
    let r = login_with(&t, json!({})).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNAUTHORIZED, "totp_required"),
        "{}",
        r.body
    );
    assert!(r.headers.get("set-cookie").is_none());
    let r = login_with(&t, json!({"totp_code": code})).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNAUTHORIZED, "wrong_second_factor"),
        "replayed: {}",
        r.body
    );
    let r = login_with(&t, json!({"totp_code": totp_code(&secret, 1)})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // A recovery code stands in for the app, once, however it is typed.
    let typed = recovery[0].to_uppercase().replace('-', " ");
    assert_eq!(
        login_with(&t, json!({"recovery_code": typed})).await.status,
        StatusCode::OK
    );
    let r = login_with(&t, json!({"recovery_code": recovery[0]})).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);

    // Turned off with a recovery code, the password is enough again.
    let r = alice
        .call(
            &t,
            Method::POST,
            "/v1/me/totp/disable",
            Some(json!({"code": recovery[1]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert_eq!(login_with(&t, json!({})).await.status, StatusCode::OK);

    // Alice turns it on again and loses her phone and her codes: an admin
    // of her account turns it off; a member may not, nor another account.
    let r = alice.call(&t, Method::POST, "/v1/me/totp", None).await;
    let secret = r.body["secret"].as_str().unwrap().to_string();
    let r = alice
        .call(
            &t,
            Method::POST,
            "/v1/me/totp/confirm",
            Some(json!({"code": totp_code(&secret, 0)})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        login_with(&t, json!({})).await.code(),
        "totp_required",
        "on again"
    );
    t.create(
        "/v1/users",
        &acme.rw,
        json!({"name": "bob", "email": "bob@acme.example", "role": "account_member"}),
    )
    .await;
    invite_and_accept(&t, &acme.rw, "bob", PASSWORD).await;
    let bob = logged_in(&t, "bob@acme.example", PASSWORD).await;
    let r = bob
        .call(&t, Method::DELETE, "/v1/users/alice/totp", None)
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::FORBIDDEN, "forbidden"),
        "{}",
        r.body
    );
    let other = t.tenant("other").await;
    let r = t.delete("/v1/users/alice/totp", &other.rw).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    assert_eq!(
        login_with(&t, json!({})).await.code(),
        "totp_required",
        "still on after refused resets"
    );
    let r = t.delete("/v1/users/alice/totp", &acme.rw).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert_eq!(login_with(&t, json!({})).await.status, StatusCode::OK);
    let user = t.get("/v1/users/alice", &acme.rw).await.body;
    assert_eq!(user["totp_enabled"], false, "{user}");
    let r = t.delete("/v1/users/alice/totp", &acme.rw).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::CONFLICT, "totp_disabled"),
        "{}",
        r.body
    );
    let events = t
        .get("/v1/events?action=user.totp_reset", &acme.rw)
        .await
        .body;
    assert_eq!(
        events["items"].as_array().map(Vec::len),
        Some(1),
        "the reset is in the audit log: {events}"
    );
}

/// The purge the `host-watch` holder runs, at chosen times: only what can no
/// longer be used goes, and what is live keeps working. (The tables are
/// counted rather than the purge's own figures: the holder's purge at
/// start may already have taken what was stale then.)
async fn stale_login_data_is_purged(backend: Backend) {
    use diesel::prelude::*;
    use overcast_db::schema::{login_failures, user_invitations, user_sessions};
    use overcast_server::app::people::purge_stale;
    let t = TestServer::start(backend).await.unwrap();
    acme_with_alice(&t, "account_admin").await;
    let live = logged_in(&t, "alice@acme.example", PASSWORD).await;
    let ended = logged_in(&t, "alice@acme.example", PASSWORD).await;
    let r = ended.call(&t, Method::POST, "/v1/logout", None).await;
    assert!(r.status.is_success(), "{}", r.body);
    let r = login(&t, "alice@acme.example", "not the password at all").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let db = &t.server.app.db;
    // (sessions, links, failed-login counts)
    let rows = || {
        db.read(|c| {
            Ok((
                user_sessions::table.count().get_result::<i64>(c)?,
                user_invitations::table.count().get_result::<i64>(c)?,
                login_failures::table.count().get_result::<i64>(c)?,
            ))
        })
    };
    let purge = |at: i64| db.write(move |c| purge_stale(c, at));
    let now = overcast_db::now_micros();
    purge(now).await.unwrap();
    assert_eq!(
        rows().await.unwrap(),
        (1, 0, 2),
        "the logged-out session and the used link go"
    );
    let me = live.call(&t, Method::GET, "/v1/me", None).await;
    assert_eq!(me.status, StatusCode::OK, "the live session works on");
    // The failed-login window (15 min) closes: its counts, per e-mail and
    // per address, go; the session, used a moment ago, stays.
    let minute = 60 * 1_000_000;
    purge(now + 16 * minute).await.unwrap();
    assert_eq!(rows().await.unwrap(), (1, 0, 0));
    assert_eq!(
        live.call(&t, Method::GET, "/v1/me", None).await.status,
        StatusCode::OK
    );
    // Idle for longer than two hours, it goes too, and its cookie with it.
    purge(now + 3 * 60 * minute).await.unwrap();
    assert_eq!(rows().await.unwrap(), (0, 0, 0));
    assert_eq!(
        live.call(&t, Method::GET, "/v1/me", None).await.status,
        StatusCode::UNAUTHORIZED
    );
    t.stop().await;
}
