//! The `overcast-server` binary itself: logs without colour codes when its
//! output is not a terminal, and the offline recovery of the operator
//! token (`admin operator-token`) after the last one was revoked.

use std::io::{BufRead, BufReader, Read};
use std::process::{ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use overcast_testkit::{Api, TempDir, free_port};
use reqwest::StatusCode;

const BIN: &str = env!("CARGO_BIN_EXE_overcast-server");

/// What [`serve`] gives: the process, its API address, what it printed up
/// to its banner, and the rest of its standard output.
type Served = (std::process::Child, String, String, BufReader<ChildStdout>);

/// Start the binary on `data`, wait until it serves, and return it with
/// its API address and everything it printed so far.
fn serve(data: &std::path::Path) -> Served {
    let port = free_port().unwrap();
    let internal = free_port().unwrap();
    let mut child = Command::new(BIN)
        .arg("--data-dir")
        .arg(data)
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .args(["--internal-listen", &format!("127.0.0.1:{internal}")])
        .env_remove("OVERCAST_LOG_FORMAT")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the server binary starts");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut printed = String::new();
    let started = Instant::now();
    loop {
        let mut line = String::new();
        if stdout.read_line(&mut line).unwrap() == 0 {
            break;
        }
        let line = line.trim_end();
        printed.push_str(line);
        printed.push('\n');
        if line.starts_with("Internal API:") {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the server did not start: {printed}"
        );
    }
    (child, format!("http://127.0.0.1:{port}"), printed, stdout)
}

fn stop(mut child: std::process::Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_have_no_colour_codes_off_a_terminal() {
    let data = TempDir::new("overcast-bin").unwrap();
    let (child, _, mut printed, mut rest) = serve(&data.0);
    stop(child);
    // The log is written by a thread of its own: its lines may come after
    // the banner.
    rest.read_to_string(&mut printed).unwrap();
    assert!(
        printed.contains("serving the Overcast API"),
        "the log line is there: {printed}"
    );
    assert!(
        !printed.contains('\u{1b}'),
        "no ANSI escape codes in redirected output: {printed:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_last_operator_token_is_kept_and_can_be_recovered_offline() {
    let data = TempDir::new("overcast-bin").unwrap();
    let (child, base, _, _) = serve(&data.0);
    let token = std::fs::read_to_string(data.0.join("operator.token"))
        .unwrap()
        .trim()
        .to_string();
    let api = Api::new(base, token.clone()).unwrap();
    let tokens = api.get("/v1/tokens", &token).await;
    let first = tokens.body["items"][0]["id"].as_str().unwrap().to_string();

    // The only operator token cannot be revoked.
    let r = api.delete(&format!("/v1/tokens/{first}"), &token).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(r.body["error_code"], "last_operator_token");
    assert_eq!(api.get("/v1/tokens", &token).await.status, 200);

    // One that expires does not count as a way back in.
    let expiring = api
        .create(
            "/v1/tokens",
            &token,
            serde_json::json!({"scope": "operator", "expires_in_seconds": 3600}),
        )
        .await;
    let r = api.delete(&format!("/v1/tokens/{first}"), &token).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);

    // With a second lasting one, the first can go.
    let second = api
        .create(
            "/v1/tokens",
            &token,
            serde_json::json!({"scope": "operator"}),
        )
        .await;
    let second_secret = second["secret"].as_str().unwrap().to_string();
    let r = api.delete(&format!("/v1/tokens/{first}"), &token).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert_eq!(api.get("/v1/tokens", &token).await.status, 401);
    // The expiring one stays, the lasting one cannot be revoked by it.
    let r = api
        .delete(
            &format!("/v1/tokens/{}", second["id"].as_str().unwrap()),
            expiring["secret"].as_str().unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    stop(child);

    // Offline recovery: a new token, written 0600, that works.
    let before = std::fs::read_to_string(data.0.join("operator.token")).unwrap();
    let out = Command::new(BIN)
        .arg("--data-dir")
        .arg(&data.0)
        .args(["admin", "operator-token"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("operator.token"));
    let path = data.0.join("operator.token");
    let recovered = std::fs::read_to_string(&path).unwrap().trim().to_string();
    assert_ne!(recovered, before.trim());
    assert_ne!(recovered, second_secret);
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let (child, base, _, _) = serve(&data.0);
    let api = Api::new(base, recovered.clone()).unwrap();
    assert_eq!(api.get("/v1/tokens", &recovered).await.status, 200);
    // The recovery is in the audit log.
    let events = api.get("/v1/events?limit=1000", &recovered).await;
    assert!(
        events.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "token.create"
                && e["request_id"].as_str().unwrap().starts_with("admin-")),
        "{}",
        events.body
    );
    stop(child);
}
