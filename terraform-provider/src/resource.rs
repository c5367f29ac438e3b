//! The generic lifecycle every resource derived from the spec shares:
//! plan-time validation, planning (in place or replace, what becomes
//! unknown), create/update/delete with waiting, refresh with drift, and
//! import by id or by name.

use std::time::{Duration, Instant};

use serde_json::Value as Json;

use crate::api::{Api, ApiError};
use crate::diag::{Diag, Diags};
use crate::schema::{Attribute, Check, DataSource, Kind, Mutability, Ref};
use crate::value::Value;

/// What the provider configuration supplies to every resource.
#[derive(Clone, Debug)]
pub struct Client {
    pub api: Api,
    pub project: Option<String>,
    pub account: Option<String>,
    /// Names already resolved to ids in this run (collection, scope and
    /// name → id): a refresh of many resources naming the same project or
    /// pool looks each name up once.
    pub names: NameCache,
    /// Set by StopProvider (Ctrl-C in Terraform): waits end at once.
    pub stopping: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Client {
    fn stopped(&self) -> Result<(), Diags> {
        if self.stopping.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(Diags::from(Diag::error(
                "Stopped",
                "Terraform asked the provider to stop; the operation goes on in Overcast, and the next plan reads where it got to.",
            )));
        }
        Ok(())
    }
}

pub type NameCache = std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, String>>>;

/// Private state marking a resource that was imported: fields the API
/// never returns (write-once inputs) are then taken from the configuration
/// instead of planned as a change.
pub const IMPORTED: &[u8] = b"imported";

const ALWAYS_KNOWN: &[&str] = &["id", "time_created"];

/// Check every known configured value against the limits in the spec.
pub fn validate(kind: &Kind, config: &Value) -> Diags {
    let mut diags = Diags::default();
    for attr in kind.attributes.iter().filter(|a| a.in_create) {
        let v = config.get(&attr.name);
        check_value(
            &attr.name,
            &attr.check,
            v,
            &mut diags,
            &[attr.name.as_str().into()],
        );
        if let Value::List(items) = v {
            for (i, item) in items.iter().enumerate() {
                check_value(
                    &format!("{}[{i}]", attr.name),
                    &attr.item_check,
                    item,
                    &mut diags,
                    &[
                        attr.name.as_str().into(),
                        crate::diag::Step::Index(i as i64),
                    ],
                );
            }
        }
    }
    if let Value::Object(t) = config.get("timeouts") {
        for (k, v) in t {
            if let Some(s) = v.as_str()
                && parse_duration(s).is_none()
            {
                diags.push(
                    Diag::error(
                        format!("Invalid timeout {s:?}"),
                        "A timeout is a number with a unit: 30s, 10m, 1h.",
                    )
                    .at(&["timeouts".into(), k.as_str().into()]),
                );
            }
        }
    }
    diags
}

fn check_value(
    label: &str,
    check: &Check,
    v: &Value,
    diags: &mut Diags,
    path: &[crate::diag::Step],
) {
    let mut fail = |why: String| {
        diags.push(Diag::error(format!("Invalid value for {label}"), why).at(path));
    };
    match v {
        Value::String(s) => {
            if let Some(p) = &check.pattern
                && let Ok(re) = regex::Regex::new(p)
                && !re.is_match(s)
            {
                fail(format!("{s:?} does not match the pattern {p}."));
            }
            let len = s.chars().count();
            if let Some(min) = check.min_length
                && len < min
            {
                fail(format!("{s:?} is shorter than {min} characters."));
            }
            if let Some(max) = check.max_length
                && len > max
            {
                fail(format!(
                    "The value is longer than {max} characters ({len})."
                ));
            }
            if !check.one_of.is_empty() && !check.one_of.contains(s) {
                fail(format!("{s:?} is not one of {}.", check.one_of.join(", ")));
            }
        }
        Value::Number(n) => {
            let Some(i) = n.as_i64() else {
                if check.minimum.is_some() || check.multiple_of.is_some() {
                    fail(format!("{n} is not a whole number."));
                }
                return;
            };
            if let Some(min) = check.minimum
                && i < min
            {
                fail(format!("{i} is less than the minimum {min}."));
            }
            if let Some(max) = check.maximum
                && i > max
            {
                fail(format!("{i} is more than the maximum {max}."));
            }
            if let Some(m) = check.multiple_of
                && m != 0
                && i % m != 0
            {
                fail(format!("{i} is not a multiple of {m}."));
            }
        }
        _ => {}
    }
}

/// Plan a change. Returns the planned state and the attributes whose
/// change forces replacement.
pub async fn plan(
    client: Option<&Client>,
    kind: &Kind,
    prior: &Value,
    proposed: &Value,
    prior_private: &[u8],
) -> Result<(Value, Vec<String>, Diags), Diags> {
    if proposed.is_null() {
        return Ok((Value::Null, Vec::new(), Diags::default()));
    }
    let mut planned = proposed.clone();
    if prior.is_null() {
        for attr in kind.attributes.iter().filter(|a| a.computed) {
            if planned.get(&attr.name).is_null() {
                let default = match attr.name.as_str() {
                    "project" if attr.scope => client.and_then(|c| c.project.clone()),
                    "account" if attr.scope => client.and_then(|c| c.account.clone()),
                    _ => None,
                };
                planned.set(&attr.name, default.map_or(Value::Unknown, Value::String));
            }
        }
        return Ok((planned, Vec::new(), Diags::default()));
    }
    let imported = prior_private == IMPORTED;
    let mut replace = Vec::new();
    let mut changed = false;
    let mut warnings = Diags::default();
    // A stop is only needed (and warned of) if it runs and is to go on
    // running.
    let runs = prior.get("state").as_str().is_none_or(|s| s == "running")
        && planned.get("power_state").as_str() != Some("stopped");
    for attr in kind
        .attributes
        .iter()
        .filter(|a| a.in_create || a.hand_updated)
    {
        let (was, now) = (prior.get(&attr.name), planned.get(&attr.name).clone());
        if *was == now {
            continue;
        }
        // Write-once inputs the API never returns: after an import the
        // configuration is taken as what was used.
        if imported && was.is_null() && attr.view.is_none() {
            continue;
        }
        if let (Some(r), Some(client)) = (&attr.refers_to, client)
            && same_refs(client, r, was, &now, prior).await
        {
            planned.set(&attr.name, was.clone());
            continue;
        }
        changed = true;
        if attr.mutability == Mutability::Replace || !(attr.in_update || attr.hand_updated) {
            replace.push(attr.name.clone());
        } else if attr.mutability == Mutability::RequiresStop && runs {
            warnings.push(
                Diag::warning(
                    format!("Changing {} stops the {}", attr.name, kind.noun),
                    format!(
                        "{} {:?} will be stopped, changed and started again.",
                        kind.noun,
                        prior.get("name").as_str().unwrap_or_default()
                    ),
                )
                .at(&[attr.name.as_str().into()]),
            );
        }
    }
    if changed {
        for attr in kind.attributes.iter() {
            if attr.mutability == Mutability::Computed
                && !ALWAYS_KNOWN.contains(&attr.name.as_str())
            {
                planned.set(&attr.name, Value::Unknown);
            }
        }
    }
    Ok((planned, replace, warnings))
}

/// The id a name-or-id names, looked up in the scope of `state` (its
/// project or account, else the provider's).
async fn resolve_id(client: &Client, r: &Ref, value: &str, state: &Value) -> Option<String> {
    if let Ok(id) = uuid::Uuid::parse_str(value) {
        return Some(id.to_string());
    }
    let query: Vec<(&str, String)> = scope_query(client, Some(state))
        .into_iter()
        .filter(|(k, _)| r.scopes.iter().any(|s| s == k))
        .collect();
    let q: Vec<(&str, &str)> = query.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let key = format!("{}/{value}?{q:?}", r.collection);
    if let Some(id) = client.names.lock().ok()?.get(&key) {
        return Some(id.clone());
    }
    let view = client
        .api
        .get(&format!("{}/{value}", r.collection), &q)
        .await
        .ok()?;
    let id = view.get("id").and_then(Json::as_str).map(str::to_string)?;
    client.names.lock().ok()?.insert(key, id.clone());
    Some(id)
}

/// Whether two references (names-or-ids, or lists of them) name the same
/// resources.
pub(crate) async fn same_refs(
    client: &Client,
    r: &Ref,
    a: &Value,
    b: &Value,
    state: &Value,
) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) => {
            x == y || {
                let x = resolve_id(client, r, x, state).await;
                x.is_some() && x == resolve_id(client, r, y, state).await
            }
        }
        (Value::List(xs), Value::List(ys)) if xs.len() == ys.len() => {
            for (x, y) in xs.iter().zip(ys) {
                if !Box::pin(same_refs(client, r, x, y, state)).await {
                    return false;
                }
            }
            true
        }
        _ => false,
    }
}

fn scope_query(client: &Client, state: Option<&Value>) -> Vec<(&'static str, String)> {
    let mut q = Vec::new();
    for (name, default) in [("project", &client.project), ("account", &client.account)] {
        let v = state
            .and_then(|s| s.get(name).as_str().map(str::to_string))
            .or_else(|| default.clone());
        if let Some(v) = v {
            q.push((name, v));
        }
    }
    q
}

/// Carry out a planned change; on failure, the state to record (if the
/// resource exists by then) and why.
pub async fn apply(
    client: &Client,
    kind: &Kind,
    prior: &Value,
    planned: &Value,
) -> Result<Value, (Option<Value>, Diags)> {
    if planned.is_null() {
        delete(client, kind, prior)
            .await
            .map_err(|d| (Some(prior.clone()), d))?;
        return Ok(Value::Null);
    }
    if prior.is_null() {
        return create(client, kind, planned).await;
    }
    update(client, kind, prior, planned).await
}

pub(crate) fn api_diag(what: &str, kind: &Kind, e: &ApiError) -> Diags {
    let mut d = Diag::error(
        format!("{what} {}: {}", kind.type_name, e.message),
        e.detail(),
    );
    if let Some(field) = &e.field {
        d = d.at(&crate::diag::parse_path(field));
    }
    Diags::from(d)
}

async fn create(
    client: &Client,
    kind: &Kind,
    planned: &Value,
) -> Result<Value, (Option<Value>, Diags)> {
    let mut query = Vec::new();
    let mut body = serde_json::Map::new();
    for attr in kind.attributes.iter().filter(|a| a.in_create) {
        let v = planned.get(&attr.name);
        if v.is_null() || !v.is_known() {
            continue;
        }
        if attr.scope {
            query.push((
                attr.name.as_str(),
                v.as_str().unwrap_or_default().to_string(),
            ));
        } else {
            body.insert(attr.name.clone(), v.to_json());
        }
    }
    crate::special::create_body(kind, planned, &mut body);
    let q: Vec<(&str, &str)> = query.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let created = client
        .api
        .post(&kind.collection, &q, &Json::Object(body))
        .await
        .map_err(|e| (None, api_diag("Creating", kind, &e)))?;
    let state = from_view(kind, planned, &created);
    let id = created
        .get("id")
        .and_then(Json::as_str)
        .unwrap_or_default()
        .to_string();
    let timeout = timeout(planned, "create");
    match settle(client, kind, &id, &created, timeout).await {
        Ok(mut view) => {
            crate::special::adjust_view(&client.api, kind, &mut view).await;
            Ok(from_view(kind, planned, &view))
        }
        Err(d) => Err((Some(known_or_null(&state)), d)),
    }
}

async fn update(
    client: &Client,
    kind: &Kind,
    prior: &Value,
    planned: &Value,
) -> Result<Value, (Option<Value>, Diags)> {
    let id = prior.get("id").as_str().unwrap_or_default().to_string();
    crate::special::update(client, kind, prior, planned)
        .await
        .map_err(|d| (Some(prior.clone()), d))?;
    let mut body = serde_json::Map::new();
    for attr in kind.attributes.iter().filter(|a| a.in_update) {
        let v = planned.get(&attr.name);
        if v != prior.get(&attr.name) && v.is_known() && !v.is_null() {
            body.insert(attr.name.clone(), v.to_json());
        }
    }
    let item = format!("{}/{id}", kind.collection);
    let view = if body.is_empty() {
        read_view(client, kind, prior).await
    } else {
        client.api.put(&item, &Json::Object(body)).await.map(Some)
    }
    .map_err(|e| (Some(prior.clone()), api_diag("Updating", kind, &e)))?
    .unwrap_or(Json::Null);
    let mut view = settle(client, kind, &id, &view, timeout(planned, "update"))
        .await
        .map_err(|d| (Some(prior.clone()), d))?;
    crate::special::adjust_view(&client.api, kind, &mut view).await;
    Ok(from_view(kind, planned, &view))
}

async fn delete(client: &Client, kind: &Kind, prior: &Value) -> Result<(), Diags> {
    let id = prior.get("id").as_str().unwrap_or_default().to_string();
    let item = format!("{}/{id}", kind.collection);
    let deadline = Instant::now() + timeout(prior, "delete");
    if kind.has_state() && kind.item_get {
        let view = match client.api.get(&item, &[]).await {
            Ok(v) => v,
            Err(e) if e.is_not_found() => return Ok(()),
            Err(e) => return Err(api_diag("Deleting", kind, &e)),
        };
        let state = view.get("state").and_then(Json::as_str).unwrap_or_default();
        if let Some(action) = crate::special::before_delete(kind, state) {
            let view = client
                .api
                .post(&format!("{item}/{action}"), &[], &Json::Null)
                .await
                .map_err(|e| api_diag("Deleting", kind, &e))?;
            settle(
                client,
                kind,
                &id,
                &view,
                deadline.saturating_duration_since(Instant::now()),
            )
            .await?;
        }
    }
    match client.api.delete(&item).await {
        Ok(_) => {}
        Err(e) if e.is_not_found() => return Ok(()),
        Err(e) => return Err(api_diag("Deleting", kind, &e)),
    }
    if !kind.has_state() || !kind.item_get {
        return Ok(());
    }
    loop {
        match client.api.get(&item, &[]).await {
            Err(e) if e.is_not_found() => return Ok(()),
            Err(e) => return Err(api_diag("Deleting", kind, &e)),
            Ok(view) if view.get("state").and_then(Json::as_str) == Some("failed") => {
                return Err(Diags::from(Diag::error(
                    format!("Deleting {} {id} failed", kind.type_name),
                    "The API reports it `failed`; see `overcast events` for why.",
                )));
            }
            Ok(_) if Instant::now() > deadline => {
                return Err(Diags::from(Diag::error(
                    format!("Timed out deleting {} {id}", kind.type_name),
                    "Raise `timeouts.delete` if the cloud is slow.",
                )));
            }
            Ok(_) => {
                client.stopped()?;
                tokio::time::sleep(Duration::from_millis(500)).await
            }
        }
    }
}

/// Lifecycle states that are on their way to another; apply waits through
/// them. Every state the spec lists is either here or in `SETTLED` (a unit
/// test checks), so a new state cannot be waited on by accident.
pub const TRANSITIONAL: &[&str] = &[
    "creating",
    "starting",
    "stopping",
    "rebooting",
    "migrating",
    "deleting",
    "attaching",
    "detaching",
    "resizing",
    "restarting",
    "restoring",
];
pub const SETTLED: &[&str] = &["running", "stopped", "available", "attached", "failed"];

/// Wait until a resource with a lifecycle state settles; `failed` is an
/// error naming the last event.
pub(crate) async fn settle(
    client: &Client,
    kind: &Kind,
    id: &str,
    view: &Json,
    timeout: Duration,
) -> Result<Json, Diags> {
    if !kind.has_state() || !kind.item_get {
        return Ok(view.clone());
    }
    let item = format!("{}/{id}", kind.collection);
    let deadline = Instant::now() + timeout;
    let mut view = view.clone();
    let mut pause = Duration::from_millis(200);
    loop {
        let state = view
            .get("state")
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_string();
        if state == "failed" {
            let last = last_event(client, id).await;
            return Err(Diags::from(Diag::error(
                format!("{} {id} ended in state `failed`", kind.type_name),
                format!("The last event: {last}"),
            )));
        }
        if !TRANSITIONAL.contains(&state.as_str()) {
            return Ok(view);
        }
        if Instant::now() > deadline {
            return Err(Diags::from(Diag::error(
                format!(
                    "Timed out waiting for {} {id} (still `{state}`)",
                    kind.type_name
                ),
                "Raise the `timeouts` of this resource if the cloud is slow.",
            )));
        }
        client.stopped()?;
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_secs(2));
        view = client
            .api
            .get(&item, &[])
            .await
            .map_err(|e| api_diag("Waiting for", kind, &e))?;
    }
}

/// The newest audit event about resource `id`, for a person to read: a
/// failure's event carries the host's reason.
async fn last_event(client: &Client, id: &str) -> String {
    let Ok(events) = client
        .api
        .list_all("/v1/events", &[("resource_id", id)])
        .await
    else {
        return "(the events could not be read)".into();
    };
    events
        .last()
        .map(|e| {
            let s = |k: &str| e.get(k).and_then(Json::as_str).unwrap_or_default();
            let mut line = format!(
                "{} at {} (request_id {})",
                s("action"),
                s("time"),
                s("request_id")
            );
            if !s("message").is_empty() {
                line = format!("{line}: {}", s("message"));
            }
            line
        })
        .unwrap_or_else(|| "none recorded".into())
}

/// The state after a create or update: planned values stay as planned
/// (Terraform insists), the rest comes from the API's view.
fn from_view(kind: &Kind, planned: &Value, view: &Json) -> Value {
    let mut state = planned.clone();
    for attr in &kind.attributes {
        let v = planned.get(&attr.name);
        if v.is_known() && !v.is_null() && attr.in_create {
            continue;
        }
        if !v.is_known() || attr.mutability == Mutability::Computed {
            state.set(&attr.name, view_value(attr, view).unwrap_or(Value::Null));
        }
    }
    state
}

fn known_or_null(v: &Value) -> Value {
    match v {
        Value::Unknown => Value::Null,
        Value::List(items) => Value::List(items.iter().map(known_or_null).collect()),
        Value::Object(a) => Value::Object(
            a.iter()
                .map(|(k, v)| (k.clone(), known_or_null(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn view_value(attr: &Attribute, view: &Json) -> Option<Value> {
    let field = view.get(attr.view.as_deref()?)?;
    Value::from_json(field, &attr.ty).ok()
}

/// The API's current view of a resource, or `None` if it is gone.
async fn read_view(client: &Client, kind: &Kind, state: &Value) -> Result<Option<Json>, ApiError> {
    let id = state.get("id").as_str().unwrap_or_default();
    if kind.item_get {
        return match client
            .api
            .get(&format!("{}/{id}", kind.collection), &[])
            .await
        {
            Ok(mut v) => {
                crate::special::adjust_view(&client.api, kind, &mut v).await;
                Ok(Some(v))
            }
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        };
    }
    // No item GET (tokens): find it in the list.
    // Listed in the scope it was made in: the attribute read back from the
    // view's `account_id` (a token's `account`).
    let mut query = Vec::new();
    for (param, field) in [("account", "account_id"), ("project", "project_id")] {
        if let Some(v) = kind
            .attributes
            .iter()
            .find(|a| a.view.as_deref() == Some(field))
            .and_then(|a| state.get(&a.name).as_str())
        {
            query.push((param, v));
        }
    }
    let items = client.api.list_all(&kind.collection, &query).await?;
    Ok(items
        .into_iter()
        .find(|v| v.get("id").and_then(Json::as_str) == Some(id)))
}

/// Refresh: the stored state brought up to date with the API, so a change
/// made outside Terraform shows in the next plan; `Null` if it is gone.
pub async fn read(
    client: &Client,
    kind: &Kind,
    prior: &Value,
    private: &[u8],
) -> Result<Value, Diags> {
    let Some(view) = read_view(client, kind, prior)
        .await
        .map_err(|e| api_diag("Reading", kind, &e))?
    else {
        return Ok(Value::Null);
    };
    Ok(refresh(client, kind, prior, &view, private == IMPORTED).await)
}

/// `importing`: fill inputs the configuration may have left out from the
/// API too; otherwise an input left out stays null.
async fn refresh(
    client: &Client,
    kind: &Kind,
    prior: &Value,
    view: &Json,
    importing: bool,
) -> Value {
    let mut state = prior.clone();
    for attr in &kind.attributes {
        let Some(now) = view_value(attr, view) else {
            continue;
        };
        let was = prior.get(&attr.name);
        if was.is_null() && !attr.computed && !importing {
            continue;
        }
        let keep = match (&attr.refers_to, was, &now) {
            // References stay as written (names) while they name what the
            // API holds.
            (Some(r), was, now) if !was.is_null() => same_refs(client, r, was, now, prior).await,
            // The API normalises text (trailing newlines of keys).
            (None, Value::String(w), Value::String(n)) => w.trim_end() == n.trim_end(),
            // An empty list is how the API says "none" to an optional
            // input left out.
            (_, Value::Null, Value::List(items)) => items.is_empty(),
            _ => false,
        };
        if !keep {
            state.set(&attr.name, now);
        }
    }
    state
}

/// Import by id, by name, or by `project/name` or `account/project/name`
/// (`account/name` for account-scoped resources).
pub async fn import(client: &Client, kind: &Kind, given: &str) -> Result<Value, Diags> {
    let scopes: Vec<&str> = ["account", "project"]
        .into_iter()
        .filter(|s| kind.attribute(s).is_some_and(|a| a.scope))
        .collect();
    let parts: Vec<&str> = given.split('/').collect();
    let bad = || {
        let forms = match scopes.as_slice() {
            [] => "an id or a name".to_string(),
            s => format!("an id, a name, or {}/name", s.join("/")),
        };
        Diags::from(Diag::error(
            format!("Cannot import {} {given:?}", kind.type_name),
            format!("Give {forms}."),
        ))
    };
    if parts.len() > scopes.len() + 1 || parts.iter().any(|p| p.is_empty()) {
        return Err(bad());
    }
    let (name, given_scopes) = parts.split_last().ok_or_else(bad)?;
    let mut state = Value::Object(
        kind.attributes
            .iter()
            .map(|a| (a.name.clone(), Value::Null))
            .chain([("timeouts".to_string(), Value::Null)])
            .collect(),
    );
    // Scopes given in the id are the innermost ones: `project/name`.
    for (scope, value) in scopes.iter().rev().zip(given_scopes.iter().rev()) {
        state.set(scope, Value::String(value.to_string()));
    }
    let query = scope_query(client, Some(&state));
    let q: Vec<(&str, &str)> = query.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut view = if kind.item_get {
        client
            .api
            .get(&format!("{}/{name}", kind.collection), &q)
            .await
            .map_err(|e| api_diag("Importing", kind, &e))?
    } else {
        client
            .api
            .list_all(&kind.collection, &q)
            .await
            .map_err(|e| api_diag("Importing", kind, &e))?
            .into_iter()
            .find(|v| {
                v.get("id").and_then(Json::as_str) == Some(name)
                    || v.get("name").and_then(Json::as_str) == Some(name)
            })
            .ok_or_else(|| {
                Diags::from(Diag::error(
                    format!("Cannot import {} {given:?}", kind.type_name),
                    "No such resource.",
                ))
            })?
    };
    crate::special::adjust_view(&client.api, kind, &mut view).await;
    Ok(refresh(client, kind, &state, &view, true).await)
}

/// Read a data source: one object by name or id, or a whole list.
pub async fn read_data(client: &Client, ds: &DataSource, config: &Value) -> Result<Value, Diags> {
    let mut state = config.clone();
    let mut query = Vec::new();
    for scope in ds
        .inputs
        .iter()
        .filter(|i| *i == "project" || *i == "account")
    {
        let v = config
            .get(scope)
            .as_str()
            .map(str::to_string)
            .or_else(|| match scope.as_str() {
                "project" => client.project.clone(),
                _ => client.account.clone(),
            });
        state.set(scope, v.clone().map_or(Value::Null, Value::String));
        if let Some(v) = v {
            query.push((scope.as_str(), v));
        }
    }
    let q: Vec<(&str, &str)> = query.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let fail = |e: ApiError| {
        let mut d = Diag::error(
            format!("Reading {}: {}", ds.type_name, e.message),
            e.detail(),
        );
        if let Some(field) = &e.field {
            d = d.at(&crate::diag::parse_path(field));
        }
        Diags::from(d)
    };
    if ds.list {
        let items = client.api.list_all(&ds.path, &q).await.map_err(fail)?;
        let ty = ds
            .attributes
            .iter()
            .find(|a| a.name == "items")
            .map(|a| a.ty.clone());
        let value = ty
            .as_ref()
            .map(|t| Value::from_json(&Json::Array(items), t))
            .transpose()
            .map_err(|e| {
                Diags::from(Diag::error(
                    "The API returned an unexpected list",
                    e.to_string(),
                ))
            })?;
        state.set("items", value.unwrap_or(Value::Null));
        return Ok(state);
    }
    let key = config
        .get("name")
        .as_str()
        .or_else(|| config.get("id").as_str())
        .ok_or_else(|| {
            Diags::from(Diag::error(
                format!("{} needs a name or an id", ds.type_name),
                "Set `name` or `id` to say which one to read.",
            ))
        })?;
    let view = client
        .api
        .get(&format!("{}/{key}", ds.path), &q)
        .await
        .map_err(fail)?;
    for attr in ds.attributes.iter().filter(|a| !a.scope) {
        let v = view
            .get(&attr.name)
            .map(|j| Value::from_json(j, &attr.ty))
            .transpose()
            .map_err(|e| {
                Diags::from(Diag::error(
                    "The API returned an unexpected value",
                    e.to_string(),
                ))
            })?;
        state.set(&attr.name, v.unwrap_or(Value::Null));
    }
    Ok(state)
}

/// A timeout from the `timeouts` block, or the default that fits a boot
/// under emulation.
pub(crate) fn timeout(state: &Value, op: &str) -> Duration {
    state
        .get("timeouts")
        .get(op)
        .as_str()
        .and_then(parse_duration)
        .unwrap_or(Duration::from_secs(20 * 60))
}

/// `30s`, `10m`, `1h`, `1h30m`.
pub fn parse_duration(s: &str) -> Option<Duration> {
    let mut total = 0u64;
    let mut number = String::new();
    for c in s.trim().chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let n: u64 = number.parse().ok()?;
        number.clear();
        total += n * match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            _ => return None,
        };
    }
    (number.is_empty() && total > 0).then(|| Duration::from_secs(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_as_terraform_users_write_them() {
        assert_eq!(parse_duration("30s"), Some(Duration::from_secs(30)));
        assert_eq!(parse_duration("1h30m"), Some(Duration::from_secs(5400)));
        assert_eq!(parse_duration("10"), None);
        assert_eq!(parse_duration("5x"), None);
    }

    #[test]
    fn every_lifecycle_state_in_the_spec_is_classified() {
        let spec: serde_json::Value = serde_json::from_str(crate::schema::SPEC).unwrap();
        let schemas = spec["components"]["schemas"].as_object().unwrap();
        let mut seen = 0;
        for (name, schema) in schemas
            .iter()
            // A host's state is the operator's to set; a drive's
            // replication state is health, not a lifecycle to wait on.
            .filter(|(n, _)| {
                n.ends_with("State") && !["HostState", "ReplicationState"].contains(&n.as_str())
            })
        {
            for state in schema["enum"].as_array().unwrap() {
                let state = state.as_str().unwrap();
                seen += 1;
                assert!(
                    TRANSITIONAL.contains(&state) != SETTLED.contains(&state),
                    "{name}: state {state:?} must be in exactly one of TRANSITIONAL and SETTLED"
                );
            }
        }
        assert!(
            seen > 10,
            "the spec's state enums were found ({seen} states)"
        );
    }

    #[test]
    fn plan_time_validation_names_the_attribute() {
        let catalog = crate::schema::Catalog::builtin();
        let drive = &catalog.resources["overcast_drive"];
        let mut config = Value::Object(Default::default());
        config.set("name", Value::String("Bad_Name".into()));
        config.set("size_bytes", Value::Number(1000.into()));
        let diags = validate(drive, &config);
        let text = format!("{diags:?}");
        assert!(
            text.contains("name") && text.contains("size_bytes"),
            "{text}"
        );
        assert_eq!(diags.errors(), 3, "pattern, minimum and multiple: {text}");
    }
}
