//! The parts of the OpenAPI document that hold for every operation, applied
//! once to the generated document so no handler can forget them: the error
//! responses, `Idempotency-Key` on POST, `If-Match` on updates, and the
//! bearer-token security scheme.

use utoipa::openapi::path::{Operation, ParameterBuilder, ParameterIn};
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::schema::ArrayItems;
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{
    ContentBuilder, HttpMethod, KnownFormat, ObjectBuilder, OpenApi, Ref, RefOr, Required, Schema,
    SchemaFormat, Type,
};
use utoipa::{OpenApi as _, ToSchema};

use overcast_types::ErrorBody;

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Overcast API",
        description = "The public API of Overcast, an infrastructure-as-a-service platform: \
            tenancy (partners, accounts, projects), drives, IP addresses and instances.\n\n\
            Conventions: resources have a UUID `id` and a DNS-label `name`; path parameters \
            accept either. Lists are keyset-paginated (`limit`, `page_token` in; \
            `items`, `next_page` out). Errors have one shape (RFC 9457 fields plus a stable \
            `error_code` and the `request_id`). POST honours `Idempotency-Key`; PUT honours \
            `If-Match` with the `ETag` of a read.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    components(schemas(ErrorBody)),
    tags(
        (name = "system", description = "Health, metrics and this document"),
        (name = "partners", description = "White-label resellers and their brands"),
        (name = "accounts", description = "Customers"),
        (name = "users", description = "People with access to an account"),
        (name = "sessions", description = "Logging in and out, login sessions, and invitation links"),
        (name = "tokens", description = "Scoped API tokens"),
        (name = "projects", description = "Groups of resources inside an account"),
        (name = "ssh-keys", description = "SSH public keys installed into instances"),
        (name = "images", description = "OS templates"),
        (name = "hosts", description = "Virtualization hosts (operator)"),
        (name = "ip-pools", description = "Ranges IP addresses are allocated from"),
        (name = "ip-addresses", description = "IP addresses allocated to projects"),
        (name = "drives", description = "Virtual drives"),
        (name = "snapshots", description = "Point-in-time copies of replicated drives"),
        (name = "storage", description = "The replicated storage cluster (operator)"),
        (name = "instances", description = "Virtual machines"),
        (name = "events", description = "The audit log"),
    )
)]
struct ApiDoc;

pub fn base() -> OpenApi {
    ApiDoc::openapi()
}

/// (status, component name, description) of every shared error response.
const ERRORS: &[(&str, &str, &str)] = &[
    (
        "400",
        "BadRequest",
        "The request is malformed or invalid; `field` names the culprit",
    ),
    (
        "401",
        "Unauthorized",
        "No valid bearer token or session cookie",
    ),
    (
        "403",
        "Forbidden",
        "The token may not do this (read-only, or not an operator)",
    ),
    (
        "404",
        "NotFound",
        "No such resource, or it belongs to another tenant",
    ),
    (
        "409",
        "Conflict",
        "The resource's state or name conflicts with the request",
    ),
    (
        "412",
        "PreconditionFailed",
        "`If-Match` does not match the resource's ETag",
    ),
    ("413", "PayloadTooLarge", "The body is larger than 1 MiB"),
    (
        "415",
        "UnsupportedMediaType",
        "The body is not `application/json`",
    ),
    (
        "422",
        "UnprocessableEntity",
        "The `Idempotency-Key` was used for a different request",
    ),
    (
        "429",
        "TooManyRequests",
        "Too many failed attempts; wait for `Retry-After` seconds",
    ),
    (
        "500",
        "InternalError",
        "A server fault; quote the request id",
    ),
    (
        "503",
        "HostUnavailable",
        "The host that holds the resource cannot be reached; retry later",
    ),
    (
        "507",
        "InsufficientCapacity",
        "Not enough capacity to satisfy the request (the message says what ran out)",
    ),
];

/// Operations outside the `system` tag that need no credentials (they
/// take a password or a link's secret instead).
const UNAUTHENTICATED: &[&str] = &["session_login", "invitation_accept", "brand_get"];
/// Operations on the login session itself, which a token does not have.
const SESSION_ONLY: &[&str] = &[
    "session_logout",
    "session_list",
    "session_revoke",
    "totp_enroll",
    "totp_confirm",
    "totp_disable",
];

fn errors_for(method: &HttpMethod, operation_id: &str) -> Vec<&'static str> {
    let mut codes = vec!["400", "401", "403", "404", "500"];
    match method {
        HttpMethod::Post => codes.extend(["409", "413", "415", "422"]),
        HttpMethod::Put => codes.extend(["409", "412", "413", "415"]),
        HttpMethod::Delete => codes.push("409"),
        _ => {}
    }
    if operation_id == "instance_resize" {
        codes.push("412");
    }
    // Operations that allocate addresses or place work on hosts.
    if [
        "ip_address_create",
        "drive_create",
        "drive_update",
        "instance_create",
        "instance_start",
        "instance_resize",
    ]
    .contains(&operation_id)
    {
        codes.push("507");
    }
    if operation_id == "instance_serial" {
        codes.extend(["409", "503"]);
    }
    if operation_id == "session_login" {
        codes.push("429");
    }
    codes
}

fn header_param(
    name: &str,
    description: &str,
    pattern: &str,
    example: &str,
) -> utoipa::openapi::path::Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(description))
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(1))
                .max_length(Some(255))
                .pattern(Some(pattern)),
        ))
        .example(Some(serde_json::json!(example)))
        .build()
}

/// What the server accepts as an `Idempotency-Key`: visible ASCII, inner
/// spaces allowed.
const IDEMPOTENCY_KEY_PATTERN: &str = "^[!-~]([ -~]*[!-~])?$";
/// An `ETag` this API sent (`"<generation>"`, weak or strong), or `*`.
const IF_MATCH_PATTERN: &str = "^(\\*|(W/)?\"[0-9]{1,18}\")$";

/// Set a string schema's pattern and lengths.
fn constrain(schema: &mut RefOr<Schema>, pattern: &str, max_length: usize) {
    if let RefOr::T(Schema::Object(o)) = schema {
        o.pattern = Some(pattern.to_string());
        o.min_length = Some(1);
        o.max_length = Some(max_length);
    }
}

/// State in the document what the server enforces on names and
/// descriptions, so that a schema-valid value is never refused for its
/// shape. (Fields that refer to other resources by name or id stay plain
/// strings: progenitor would make each a newtype, and every SDK caller
/// would have to convert lists of them; the server names the offending
/// entry, e.g. `drives[1]`, when one is malformed.)
fn constrain_fields(doc: &mut OpenApi) {
    let Some(components) = doc.components.as_mut() else {
        return;
    };
    for (name, schema) in components.schemas.iter_mut() {
        // Request bodies only: what the server reads is what it enforces.
        let request = ["Create", "Update", "Attachment", "Brand"]
            .iter()
            .any(|suffix| name.ends_with(suffix));
        let RefOr::T(Schema::Object(object)) = schema else {
            continue;
        };
        if !request {
            continue;
        }
        for (field, property) in object.properties.iter_mut() {
            if field == "name" {
                constrain(property, overcast_types::select::NAME_PATTERN, 63);
            } else if field == "description"
                && let RefOr::T(Schema::Object(o)) = property
            {
                o.max_length = Some(overcast_types::select::MAX_DESCRIPTION);
            }
        }
    }
}

/// Name-or-id path parameters and the `project`/`account` selectors.
fn constrain_selectors(params: &mut [RefOr<utoipa::openapi::path::Parameter>]) {
    for p in params.iter_mut() {
        let RefOr::T(p) = p else { continue };
        let selector = match p.parameter_in {
            ParameterIn::Path => true,
            ParameterIn::Query => p.name == "project" || p.name == "account",
            _ => false,
        };
        let Some(RefOr::T(Schema::Object(o))) = &mut p.schema else {
            continue;
        };
        if selector && o.format.is_none() {
            o.pattern = Some(overcast_types::select::NAME_OR_ID_PATTERN.to_string());
            o.min_length = Some(1);
            o.max_length = Some(63);
        }
    }
}

fn each_operation(doc: &mut OpenApi, mut f: impl FnMut(&str, &HttpMethod, &mut Operation)) {
    for (path, item) in doc.paths.paths.iter_mut() {
        for (method, op) in [
            (HttpMethod::Get, item.get.as_mut()),
            (HttpMethod::Post, item.post.as_mut()),
            (HttpMethod::Put, item.put.as_mut()),
            (HttpMethod::Delete, item.delete.as_mut()),
            (HttpMethod::Patch, item.patch.as_mut()),
        ] {
            if let Some(op) = op {
                f(path, &method, op);
            }
        }
    }
}

/// `x-overcast-mutability` of create fields whose type is an inlined enum,
/// struct or list: utoipa drops field-level extensions on those, so they are set
/// here. `api-spec` tests that every create field carries the extension.
const INLINED_FIELD_MUTABILITY: &[(&str, &str, &str)] = &[
    ("TokenCreate", "scope", "replace"),
    ("UserCreate", "role", "replace"),
    ("PartnerCreate", "host_names", "live"),
    ("ImageCreate", "architecture", "replace"),
    ("ImageCreate", "boot_mode", "replace"),
    ("InstanceCreate", "ha_policy", "live"),
    ("PartnerCreate", "brand", "live"),
    ("DriveCreate", "storage_class", "replace"),
    ("InstanceCreate", "boot_drive_storage_class", "replace"),
    ("DriveCreate", "avoid_drives", "replace"),
    ("DriveCreate", "avoid_instances", "replace"),
    ("InstanceCreate", "avoid_instances", "requires_stop"),
    ("InstanceCreate", "drives", "requires_stop"),
    ("InstanceCreate", "ip_addresses", "requires_stop"),
    ("InstanceCreate", "ssh_keys", "replace"),
];

fn set_inlined_mutability(doc: &mut OpenApi) {
    let Some(components) = doc.components.as_mut() else {
        return;
    };
    for (schema, field, mutability) in INLINED_FIELD_MUTABILITY {
        let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(*schema) else {
            panic!("{schema} is not an object schema");
        };
        let Some(RefOr::T(property)) = object.properties.get_mut(*field) else {
            panic!("{schema}.{field} is not an inline property");
        };
        let extensions = match property {
            Schema::Object(o) => &mut o.extensions,
            Schema::AllOf(a) => &mut a.extensions,
            Schema::OneOf(o) => &mut o.extensions,
            Schema::Array(a) => &mut a.extensions,
            _ => panic!("{schema}.{field}: unexpected schema kind"),
        };
        extensions.get_or_insert_with(Default::default).insert(
            "x-overcast-mutability".into(),
            serde_json::json!(mutability),
        );
    }
}

const SAMPLE_UUID: &str = "0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b";
const SAMPLE_TIME: &str = "2026-11-24T17:30:00Z";

/// Give every id and timestamp field an example, so that every request and
/// response in the document has a complete one without repeating the same
/// sample UUID on dozens of fields.
#[allow(deprecated)] // `example` is what 3.0 tools read; utoipa marks it deprecated.
fn fill_examples(schema: &mut RefOr<Schema>) {
    let RefOr::T(schema) = schema else {
        return;
    };
    match schema {
        Schema::Object(o) => {
            if o.example.is_none() && o.examples.is_empty() {
                o.example = match &o.format {
                    Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)) => {
                        Some(serde_json::json!(SAMPLE_UUID))
                    }
                    Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)) => {
                        Some(serde_json::json!(SAMPLE_TIME))
                    }
                    _ => None,
                };
            }
            o.properties.values_mut().for_each(fill_examples);
        }
        Schema::Array(a) => {
            if let ArrayItems::RefOrSchema(items) = &mut a.items {
                fill_examples(items);
                if let RefOr::T(Schema::Object(item)) = items.as_ref()
                    && let Some(example) = &item.example
                    && a.example.is_none()
                {
                    a.example = Some(serde_json::json!([example]));
                }
            }
        }
        Schema::AllOf(a) => a.items.iter_mut().for_each(fill_examples),
        Schema::OneOf(o) => o.items.iter_mut().for_each(fill_examples),
        Schema::AnyOf(o) => o.items.iter_mut().for_each(fill_examples),
        _ => {}
    }
}

/// Apply the document-wide parts. Idempotent.
pub fn finish(doc: &mut OpenApi) {
    set_inlined_mutability(doc);
    constrain_fields(doc);
    if let Some(components) = doc.components.as_mut() {
        components.schemas.values_mut().for_each(fill_examples);
    }
    let components = doc.components.get_or_insert_with(Default::default);
    components.security_schemes.insert(
        "bearer".into(),
        RefOr::T(SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .description(Some(
                    "An Overcast API token: `Authorization: Bearer oc_...`",
                ))
                .build(),
        )),
    );
    components.security_schemes.insert(
        "session".into(),
        RefOr::T(SecurityScheme::ApiKey(ApiKey::Cookie(
            ApiKeyValue::with_description(
                "overcast_session",
                "A login session's cookie, set by `POST /v1/login`. Requests that change \
             something with it must also send `Origin` (this host) and the session's \
             `csrf_token` in `X-CSRF-Token`.",
            ),
        ))),
    );
    for (status, name, description) in ERRORS {
        let example = serde_json::json!({
            "type": format!("https://overcast.dev/errors/{}", name.to_lowercase()),
            "title": description.split(';').next().unwrap_or(description),
            "status": status.parse::<u16>().unwrap_or(500),
            "error_code": name.to_lowercase(),
            "message": description,
            "request_id": "0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a70"
        });
        components.responses.insert(
            (*name).to_string(),
            RefOr::T(
                ResponseBuilder::new()
                    .description(*description)
                    .content(
                        "application/json",
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name(ErrorBody::name())))
                            .example(Some(example))
                            .build(),
                    )
                    .build(),
            ),
        );
    }
    // Either credential: a token, or a login session's cookie.
    let credentials = vec![
        SecurityRequirement::new("bearer", Vec::<String>::new()),
        SecurityRequirement::new("session", Vec::<String>::new()),
    ];
    each_operation(doc, |_, method, op| {
        let id = op.operation_id.clone().unwrap_or_default();
        let is_system = op
            .tags
            .as_ref()
            .is_some_and(|t| t.iter().any(|t| t == "system"));
        if is_system {
            op.security = Some(Vec::new());
            return;
        }
        op.security = Some(if UNAUTHENTICATED.contains(&id.as_str()) {
            Vec::new()
        } else if SESSION_ONLY.contains(&id.as_str()) {
            credentials[1..].to_vec()
        } else {
            credentials.clone()
        });
        for code in errors_for(method, &id) {
            let name = ERRORS
                .iter()
                .find(|(s, _, _)| *s == code)
                .map(|e| e.1)
                .unwrap_or("InternalError");
            op.responses
                .responses
                .entry(code.to_string())
                .or_insert_with(|| RefOr::Ref(Ref::new(format!("#/components/responses/{name}"))));
        }
        let params = op.parameters.get_or_insert_with(Vec::new);
        constrain_selectors(params);
        let param_names: Vec<String> = params
            .iter()
            .filter_map(|p| match p {
                RefOr::T(p) => Some(p.name.clone()),
                RefOr::Ref(_) => None,
            })
            .collect();
        if param_names.iter().any(|n| n == "page_token") && param_names.iter().any(|n| n == "limit")
        {
            // Dropshot's pagination marker, which progenitor turns into
            // page streams: the first page needs these selectors, later
            // pages need only the token (it carries them).
            let required: Vec<&str> = param_names
                .iter()
                .map(String::as_str)
                .filter(|n| *n == "project")
                .collect();
            op.extensions.get_or_insert_with(Default::default).insert(
                "x-dropshot-pagination".into(),
                serde_json::json!({ "required": required }),
            );
        }
        let mut add = |p: utoipa::openapi::path::Parameter| {
            if !params
                .iter()
                .any(|q| matches!(q, RefOr::T(q) if q.name == p.name))
            {
                params.push(RefOr::T(p));
            }
        };
        match method {
            HttpMethod::Post => add(header_param(
                "Idempotency-Key",
                "Makes the POST safe to retry: the same key and body replay the first \
                 response for 24 hours; the same key with another body is a 422.",
                IDEMPOTENCY_KEY_PATTERN,
                "6f1c1f0e-create-drive-data",
            )),
            HttpMethod::Put => add(header_param(
                "If-Match",
                "The `ETag` of the read this update is based on; a mismatch is a 412.",
                IF_MATCH_PATTERN,
                "\"3\"",
            )),
            _ => {}
        }
        if id == "instance_resize" {
            add(header_param(
                "If-Match",
                "The `ETag` of the read this update is based on; a mismatch is a 412.",
                IF_MATCH_PATTERN,
                "\"3\"",
            ));
        }
    });
    doc.security = None;
}
