//! Hand-written: the only places where the API has no generic shape. Keep
//! this file small; everything else is derived from the spec.
//!
//! - An instance's view lists its boot drive first in `drive_ids`, while
//!   its create body names the boot drive (`boot_drive`, or `image` for the
//!   quick form) apart from the extra `drives`. The view is split the same
//!   way, and the image is read from the boot drive.
//! - A running instance cannot be deleted: it is stopped first.

use serde_json::Value as Json;

use crate::api::Api;
use crate::schema::{Kind, Ref};

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
}

/// Split an instance view's drives into the boot drive and the rest, and
/// name the image its boot drive was copied from.
pub async fn adjust_view(api: &Api, kind: &Kind, view: &mut Json) {
    if kind.type_name != "overcast_instance" {
        return;
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
