//! The spec is the product: every operation is named, summarised, tagged,
//! secured, has typed errors and complete examples; every create field says
//! how it may change.

use std::collections::HashSet;

use serde_json::Value;

fn doc() -> Value {
    serde_json::to_value(overcast_server::openapi()).expect("the document serializes")
}

fn schema<'a>(doc: &'a Value, s: &'a Value) -> &'a Value {
    match s["$ref"].as_str() {
        Some(r) => schema(
            doc,
            &doc["components"]["schemas"][r.rsplit('/').next().unwrap()],
        ),
        None => s,
    }
}

/// Every leaf value reachable from `s` has an example (directly, or through
/// its type).
fn missing_examples(
    doc: &Value,
    s: &Value,
    at: &str,
    out: &mut Vec<String>,
    seen: &mut HashSet<String>,
) {
    if let Some(r) = s["$ref"].as_str() {
        if !seen.insert(r.to_string()) {
            return;
        }
        return missing_examples(doc, schema(doc, s), at, out, seen);
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        for (i, part) in s[key].as_array().into_iter().flatten().enumerate() {
            if part["type"] != "null" {
                missing_examples(doc, part, &format!("{at}.{key}[{i}]"), out, seen);
            }
        }
    }
    if let Some(props) = s["properties"].as_object() {
        for (name, p) in props {
            let has = p.get("example").is_some() || p.get("examples").is_some();
            let composite = p.get("$ref").is_some()
                || p.get("allOf").is_some()
                || p.get("oneOf").is_some()
                || p.get("properties").is_some();
            if composite {
                missing_examples(doc, p, &format!("{at}.{name}"), out, seen);
            } else if !has {
                let items = &p["items"];
                if items.get("$ref").is_some() {
                    missing_examples(doc, items, &format!("{at}.{name}[]"), out, seen);
                } else {
                    out.push(format!("{at}.{name}"));
                }
            }
        }
    } else if s.get("enum").is_some() && s.get("example").is_none() {
        out.push(at.to_string());
    }
}

#[test]
fn every_operation_is_complete() {
    let doc = doc();
    let declared: HashSet<&str> = doc["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    let mut ids = HashSet::new();
    let mut problems = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let at = format!("{} {path}", method.to_uppercase());
            let Some(id) = op["operationId"].as_str() else {
                problems.push(format!("{at}: no operationId"));
                continue;
            };
            if !ids.insert(id.to_string()) {
                problems.push(format!("{at}: duplicate operationId {id}"));
            }
            if op["summary"].as_str().is_none_or(str::is_empty) {
                problems.push(format!("{id}: no summary"));
            }
            let tags: Vec<&str> = op["tags"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            if tags.is_empty() || !tags.iter().all(|t| declared.contains(t)) {
                problems.push(format!("{id}: tags {tags:?} missing or undeclared"));
            }
            let responses = op["responses"].as_object().unwrap();
            if !responses.keys().any(|c| c.starts_with('2')) {
                problems.push(format!("{id}: no success response"));
            }
            let system = tags == ["system"];
            // /metrics, /openapi.json and /livez render in-memory state and
            // cannot fail; every other operation declares how it fails.
            let infallible = ["metrics", "openapi_document", "livez"].contains(&id);
            if !infallible
                && !responses
                    .keys()
                    .any(|c| c.starts_with('4') || c.starts_with('5'))
            {
                problems.push(format!("{id}: no typed error responses"));
            }
            if !system {
                for code in ["400", "401", "403", "404"] {
                    if !responses.contains_key(code) {
                        problems.push(format!("{id}: no {code} response"));
                    }
                }
                // A token or a login session's cookie, except where the
                // caller has neither yet (a password or a link's secret is
                // the credential) and on the login session itself.
                let expected = match id {
                    "session_login" | "invitation_accept" | "brand_get" => serde_json::json!([]),
                    "session_list" | "session_logout" | "session_revoke" | "totp_enroll"
                    | "totp_confirm" | "totp_disable" => {
                        serde_json::json!([{"session": []}])
                    }
                    _ => serde_json::json!([{"bearer": []}, {"session": []}]),
                };
                if op["security"] != expected {
                    problems.push(format!(
                        "{id}: secured by {} rather than {expected}",
                        op["security"]
                    ));
                }
            }
            let params: Vec<&str> = op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|p| p["name"].as_str())
                .collect();
            if method == "post" && !params.contains(&"Idempotency-Key") {
                problems.push(format!("{id}: POST without Idempotency-Key"));
            }
            if method == "put" && !params.contains(&"If-Match") {
                problems.push(format!("{id}: PUT without If-Match"));
            }
            for p in op["parameters"].as_array().into_iter().flatten() {
                if p.get("example").is_none() && p["name"] != "page_token" {
                    problems.push(format!("{id}: parameter {} has no example", p["name"]));
                }
            }
            let mut missing = Vec::new();
            if let Some(body) =
                op["requestBody"]["content"]["application/json"]["schema"].as_object()
            {
                missing_examples(
                    &doc,
                    &Value::Object(body.clone()),
                    &format!("{id} request"),
                    &mut missing,
                    &mut HashSet::new(),
                );
            }
            for (code, r) in responses {
                let r = match r["$ref"].as_str() {
                    Some(name) => &doc["components"]["responses"][name.rsplit('/').next().unwrap()],
                    None => r,
                };
                for (mime, media) in r["content"].as_object().into_iter().flatten() {
                    if code.starts_with('2') && mime == "application/json" {
                        missing_examples(
                            &doc,
                            &media["schema"],
                            &format!("{id} {code}"),
                            &mut missing,
                            &mut HashSet::new(),
                        );
                    } else if media.get("example").is_none()
                        && media["schema"].get("$ref").is_none()
                    {
                        missing.push(format!("{id} {code} {mime}"));
                    }
                }
            }
            problems.extend(missing.into_iter().map(|m| format!("no example: {m}")));
        }
    }
    assert!(
        problems.is_empty(),
        "spec problems:\n{}",
        problems.join("\n")
    );
}

#[test]
fn every_create_field_declares_its_mutability() {
    let doc = doc();
    let allowed = ["live", "requires_stop", "replace"];
    let mut problems = Vec::new();
    for (name, s) in doc["components"]["schemas"].as_object().unwrap() {
        if !name.ends_with("Create") {
            continue;
        }
        for (field, p) in s["properties"].as_object().unwrap() {
            match p["x-overcast-mutability"].as_str() {
                Some(m) if allowed.contains(&m) => {}
                other => problems.push(format!("{name}.{field}: {other:?}")),
            }
        }
    }
    assert!(
        problems.is_empty(),
        "create fields without x-overcast-mutability:\n{}",
        problems.join("\n")
    );
}

#[test]
fn request_bodies_reject_unknown_fields() {
    let doc = doc();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if let Some(r) =
                op["requestBody"]["content"]["application/json"]["schema"]["$ref"].as_str()
            {
                let s = schema(
                    &doc,
                    &doc["components"]["schemas"][r.rsplit('/').next().unwrap()],
                );
                assert_eq!(
                    s["additionalProperties"], false,
                    "{method} {path}: {r} accepts unknown fields"
                );
            }
        }
    }
}
