//! `overcast-sim` as the console's scale test uses it: it prints the API's
//! address and the operator token, its hosts come up, and SIGTERM stops it
//! cleanly. (Being an integration test also makes `cargo test` build the
//! binary the console's tests run.)

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[tokio::test]
async fn overcast_sim_serves_its_hosts_and_stops_on_sigterm() {
    let mut sim = Command::new(env!("CARGO_BIN_EXE_overcast-sim"))
        .args(["--hosts", "2"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("overcast-sim starts");
    let mut lines = BufReader::new(sim.stdout.take().unwrap()).lines();
    let mut base = None;
    let mut token = None;
    while token.is_none() {
        let line = lines.next().expect("more output").expect("a line");
        if let Some(rest) = line.strip_prefix("Overcast API: ") {
            base = Some(rest.trim_end_matches("/v1").to_string());
        }
        if let Some(rest) = line.strip_prefix("operator token: ") {
            token = Some(rest.to_string());
        }
    }
    let (base, token) = (base.expect("the API line"), token.unwrap());
    let http = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let hosts: serde_json::Value = http
            .get(format!("{base}/v1/hosts"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let items = hosts["items"].as_array().unwrap();
        let active = items.iter().filter(|h| h["state"] == "active").count();
        if items.len() == 3 && active == 3 {
            let big = items.iter().filter(|h| h["cpus"] == 256).count();
            assert_eq!(big, 2, "{hosts}");
            break;
        }
        assert!(Instant::now() < deadline, "hosts did not come up: {hosts}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    rustix::process::kill_process(
        rustix::process::Pid::from_raw(sim.id() as i32).unwrap(),
        rustix::process::Signal::TERM,
    )
    .unwrap();
    let status = sim.wait().unwrap();
    assert!(status.success(), "overcast-sim exited with {status}");
}
