//! The spec is as precise as the server: for every parameter of every
//! operation, values generated from the parameter's schema alone (its
//! pattern, lengths, bounds) are sent to a live server, one parameter at a
//! time, the others at their examples. A schema-valid value must never be
//! refused with a 400 that blames it, unless the parameter's description
//! says when it is a 400 (an opaque page token, a conditional selector).
//! A parameter without a pattern gets arbitrary strings, so a spec that
//! forgets what the server enforces fails here.

use rand::SeedableRng;
use rand::rngs::StdRng;
use reqwest::Method;
use serde_json::Value;

use overcast_testkit::{Backend, TestServer};

/// Schema-valid values of one parameter, derived from its schema only.
fn values(schema: &Value, rng: &mut StdRng) -> Vec<String> {
    let min = schema["minLength"].as_u64().unwrap_or(0) as usize;
    let max = schema["maxLength"].as_u64().unwrap_or(80) as usize;
    let fits = |s: &String| (min..=max).contains(&s.chars().count());
    match schema["type"].as_str() {
        Some("integer") => {
            let lo = schema["minimum"].as_i64().unwrap_or(0);
            let hi = schema["maximum"].as_i64().unwrap_or(lo + 1_000_000);
            [lo, lo + 1, (lo + hi) / 2, hi]
                .iter()
                .map(ToString::to_string)
                .collect()
        }
        // An enum allows its members and nothing else.
        _ if schema["enum"].is_array() => schema["enum"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        _ if schema["format"] == "uuid" => {
            (0..4).map(|_| uuid::Uuid::new_v4().to_string()).collect()
        }
        _ => {
            let mut out: Vec<String> = match schema["pattern"].as_str() {
                Some(pattern) => {
                    // The generator wants the body of an anchored pattern.
                    let body = pattern.strip_prefix('^').unwrap_or(pattern);
                    let body = body.strip_suffix('$').unwrap_or(body);
                    let generator = rand_regex::Regex::compile(body, 70)
                        .unwrap_or_else(|e| panic!("pattern {pattern}: {e}"));
                    use rand::Rng;
                    (0..40)
                        .map(|_| rng.sample::<String, _>(&generator))
                        .collect()
                }
                // No pattern: anything of the allowed length is valid.
                None => [
                    "x",
                    "Web 1",
                    "web_1",
                    "-lead",
                    "ü-name",
                    "a/b",
                    &"z".repeat(max.min(200)),
                ]
                .iter()
                .map(ToString::to_string)
                .collect(),
            };
            out.retain(fits);
            out
        }
    }
}

fn example(param: &Value) -> Option<String> {
    let ex = param
        .get("example")
        .or_else(|| param["schema"].get("example"))?;
    Some(match ex {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    })
}

fn encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_valid_parameters_are_never_refused_unexplained() {
    let t = TestServer::start(Backend::Sqlite).await.unwrap();
    let doc: Value = serde_json::to_value(overcast_testkit::openapi_document()).unwrap();
    let mut rng = StdRng::seed_from_u64(8);
    let mut unexplained = Vec::new();
    let mut sent = 0;
    for (template, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let params: Vec<&Value> = op["parameters"]
                .as_array()
                .map(|a| a.iter().collect())
                .unwrap_or_default();
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            for varied in &params {
                let name = varied["name"].as_str().unwrap();
                let explained = varied["description"]
                    .as_str()
                    .is_some_and(|d| d.contains("400"));
                for value in values(&varied["schema"], &mut rng) {
                    let mut path = template.clone();
                    let mut query = Vec::new();
                    let mut headers = Vec::new();
                    for p in &params {
                        let pname = p["name"].as_str().unwrap();
                        let v = if pname == name {
                            Some(value.clone())
                        } else {
                            example(p)
                        };
                        let Some(v) = v else { continue };
                        match p["in"].as_str().unwrap() {
                            "path" => path = path.replace(&format!("{{{pname}}}"), &encode(&v)),
                            "query" => query.push(format!("{pname}={}", encode(&v))),
                            _ => headers.push((pname.to_string(), v)),
                        }
                    }
                    if !query.is_empty() {
                        path = format!("{path}?{}", query.join("&"));
                    }
                    let body = (method == Method::POST || method == Method::PUT)
                        .then(|| serde_json::json!({}));
                    let header_refs: Vec<(&str, &str)> = headers
                        .iter()
                        .map(|(k, v)| (k.as_str(), v.as_str()))
                        .collect();
                    let r = t
                        .call(
                            method.clone(),
                            &path,
                            Some(&t.operator_token),
                            body.as_ref(),
                            &header_refs,
                        )
                        .await;
                    sent += 1;
                    assert!(
                        !r.status.is_server_error(),
                        "{method} {path}: {} {}",
                        r.status,
                        r.body
                    );
                    let field = r.body["field"].as_str().unwrap_or_default();
                    let blames_it = field == name
                        || (varied["in"] == "path" && field == "path")
                        || field.eq_ignore_ascii_case(name);
                    if r.status == 400 && blames_it && !explained {
                        unexplained.push(format!(
                            "{method} {template}: {name}={value:?} -> {}",
                            r.body["message"]
                        ));
                    }
                }
            }
        }
    }
    t.stop().await;
    assert!(sent > 1000, "only {sent} requests were sent");
    assert!(
        unexplained.is_empty(),
        "{} schema-valid values refused with a 400 the spec does not explain:\n{}",
        unexplained.len(),
        unexplained[..unexplained.len().min(40)].join("\n")
    );
}
