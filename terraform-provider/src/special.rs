//! Hand-written: the only places where the API has no generic shape. Keep
//! this file small; everything else is derived from the spec.
//!
//! - An instance's view lists its boot drive first in `drive_ids`, while
//!   its create body names the boot drive (`boot_drive`, or `image` for the
//!   quick form) apart from the extra `drives`. The view is split the same
//!   way, and the image is read from the boot drive.
//! - A running instance cannot be deleted: it is stopped first.
//! - An instance has a desired `power_state` (`running` or `stopped`),
//!   which replaces the create body's `start`.
//! - Changing an instance's size, drives or IP addresses goes through the
//!   resize, attach and detach operations, with the instance stopped
//!   around them (`requires_stop` in the spec) and started again.

use serde_json::Value as Json;

use crate::api::Api;
use crate::diag::Diags;
use crate::resource::{Client, api_diag, same_refs, settle, timeout};
use crate::schema::{Attribute, Check, Kind, Mutability, Ref};
use crate::value::{Type, Value};

/// Instance fields changed through their own operations.
const HAND_UPDATED: &[&str] = &[
    "vcpus",
    "memory_mib",
    "drives",
    "ip_addresses",
    "power_state",
];

/// Read-back fields the instance view gets from `adjust_view`.
pub fn adjust_kind(kind: &mut Kind) {
    if kind.type_name != "overcast_instance" {
        return;
    }
    for (attr, view, collection) in [
        ("boot_drive", "boot_drive_id", "/v1/drives"),
        ("image", "image_id", "/v1/images"),
    ] {
        if let Some(a) = kind.attributes.iter_mut().find(|a| a.name == attr) {
            // Either names the boot drive, and the server fills in the
            // other: both are read back.
            a.computed = true;
            a.view = Some(view.into());
            a.refers_to = Some(Ref {
                collection: collection.into(),
                scopes: vec!["project".into(), "account".into()],
            });
        }
    }
    if let Some(a) = kind.attributes.iter_mut().find(|a| a.name == "image")
        && let Some(r) = &mut a.refers_to
    {
        r.scopes = vec!["account".into()];
    }
    kind.attributes.retain(|a| a.name != "start");
    kind.attributes.push(Attribute {
        name: "power_state".into(),
        ty: Type::String,
        description: "Whether the instance should be `running` (the default) or `stopped`. Apply waits until it is."
            .into(),
        required: false,
        optional: true,
        computed: true,
        sensitive: false,
        mutability: Mutability::Live,
        in_create: false,
        in_update: false,
        hand_updated: true,
        scope: false,
        view: Some("power_state".into()),
        refers_to: None,
        check: Check {
            one_of: vec!["running".into(), "stopped".into()],
            ..Check::default()
        },
        item_check: Check::default(),
        example: Some("running".into()),
    });
    for a in kind.attributes.iter_mut() {
        if HAND_UPDATED.contains(&a.name.as_str()) {
            a.hand_updated = true;
        }
    }
}

/// What the create body needs beyond the configured fields.
pub fn create_body(kind: &Kind, planned: &Value, body: &mut serde_json::Map<String, Json>) {
    if kind.type_name == "overcast_instance" {
        let stopped = planned.get("power_state").as_str() == Some("stopped");
        body.insert("start".into(), Json::Bool(!stopped));
    }
}

/// Split an instance view's drives into the boot drive and the rest, and
/// name the image its boot drive was copied from.
pub async fn adjust_view(api: &Api, kind: &Kind, view: &mut Json) {
    // Once per view: an update reads the view and then settles on it.
    if kind.type_name != "overcast_instance" || view.get("boot_drive_id").is_some() {
        return;
    }
    let state = view.get("state").and_then(Json::as_str).unwrap_or_default();
    if state == "running" || state == "stopped" {
        view["power_state"] = state.into();
    }
    let Some(drives) = view.get("drive_ids").and_then(Json::as_array).cloned() else {
        return;
    };
    let Some((boot, rest)) = drives.split_first() else {
        return;
    };
    let image = match boot.as_str() {
        Some(id) => api
            .get(&format!("/v1/drives/{id}"), &[])
            .await
            .ok()
            .and_then(|d| d.get("image_id").cloned())
            .unwrap_or(Json::Null),
        None => Json::Null,
    };
    view["boot_drive_id"] = boot.clone();
    view["drive_ids"] = Json::Array(rest.to_vec());
    view["image_id"] = image;
}

/// An action to take on a resource in `state` before it can be deleted
/// (`stop` for a running instance).
pub fn before_delete(kind: &Kind, state: &str) -> Option<&'static str> {
    (kind.type_name == "overcast_instance" && state == "running").then_some("stop")
}

/// Apply an instance's hand-updated changes: stop it if a change needs
/// that, resize, detach and attach, then bring it to its power state.
pub async fn update(
    client: &Client,
    kind: &Kind,
    prior: &Value,
    planned: &Value,
) -> Result<(), Diags> {
    if kind.type_name != "overcast_instance" {
        return Ok(());
    }
    let id = prior.get("id").as_str().unwrap_or_default();
    let item = format!("{}/{id}", kind.collection);
    let mut changed = Vec::new();
    for a in kind.attributes.iter().filter(|a| a.hand_updated) {
        let (was, now) = (prior.get(&a.name), planned.get(&a.name));
        let same = match &a.refers_to {
            Some(r) => was == now || same_refs(client, r, was, now, prior).await,
            None => was == now,
        };
        if !same && now.is_known() {
            changed.push(a);
        }
    }
    if changed.is_empty() {
        return Ok(());
    }
    let deadline = std::time::Instant::now() + timeout(planned, "update");
    let act = |action: String, body: Json| {
        let item = item.clone();
        async move {
            let view = client
                .api
                .post(&format!("{item}/{action}"), &[], &body)
                .await
                .map_err(|e| api_diag("Updating", kind, &e))?;
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            settle(client, kind, id, &view, left).await
        }
    };
    let state = |view: &Json| {
        view.get("state")
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let mut now = state(
        &client
            .api
            .get(&item, &[])
            .await
            .map_err(|e| api_diag("Updating", kind, &e))?,
    );
    if now == "running"
        && changed
            .iter()
            .any(|a| a.mutability == Mutability::RequiresStop)
    {
        now = state(&act("stop".into(), Json::Null).await?);
    }
    if changed
        .iter()
        .any(|a| a.name == "vcpus" || a.name == "memory_mib")
    {
        let body = serde_json::json!({
            "vcpus": planned.get("vcpus").to_json(),
            "memory_mib": planned.get("memory_mib").to_json(),
        });
        act("resize".into(), body).await?;
    }
    for (attr, path, field) in [
        ("drives", "drives", "drive"),
        ("ip_addresses", "ip-addresses", "ip_address"),
    ] {
        if !changed.iter().any(|a| a.name == attr) {
            continue;
        }
        let r = kind.attribute(attr).and_then(|a| a.refers_to.clone());
        let list = |v: &Value| match v {
            Value::List(items) => items.clone(),
            _ => Vec::new(),
        };
        let (was, want) = (list(prior.get(attr)), list(planned.get(attr)));
        // Keep the common prefix; detach the rest and attach in order, so
        // the guest sees the drives in the configured order.
        let mut keep = 0;
        while keep < was.len().min(want.len()) {
            let same = match &r {
                Some(r) => same_refs(client, r, &was[keep], &want[keep], prior).await,
                None => was[keep] == want[keep],
            };
            if !same {
                break;
            }
            keep += 1;
        }
        for v in was[keep..].iter().rev() {
            act(
                format!("{path}/detach"),
                serde_json::json!({ field: v.to_json() }),
            )
            .await?;
        }
        for v in &want[keep..] {
            act(
                format!("{path}/attach"),
                serde_json::json!({ field: v.to_json() }),
            )
            .await?;
        }
    }
    let desired = planned.get("power_state").as_str().unwrap_or("running");
    if desired == "running" && now != "running" {
        act("start".into(), Json::Null).await?;
    } else if desired == "stopped" && now == "running" {
        act("stop".into(), Json::Null).await?;
    }
    Ok(())
}
