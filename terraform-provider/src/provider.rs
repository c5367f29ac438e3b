//! The `tfplugin6.Provider` gRPC service: decodes Terraform's values,
//! hands each call to the generic lifecycle in `resource`, and encodes the
//! answer. Nothing resource-specific lives here.

use std::sync::Arc;

use tokio::sync::RwLock;
use tonic::{Request, Response, Status};

use crate::api::Api;
use crate::diag::{Diag, Diags};
use crate::proto::tfplugin6::{self as pb, provider_server::Provider};
use crate::resource::{self, Client};
use crate::schema::{Catalog, DataSource, Kind};
use crate::value::{Type, Value};

pub struct OvercastProvider {
    catalog: Arc<Catalog>,
    client: RwLock<Option<Client>>,
    stopping: Arc<std::sync::atomic::AtomicBool>,
}

impl OvercastProvider {
    pub fn new(catalog: Catalog) -> OvercastProvider {
        OvercastProvider {
            catalog: Arc::new(catalog),
            client: RwLock::new(None),
            stopping: Default::default(),
        }
    }

    fn kind(&self, type_name: &str) -> Result<&Kind, Status> {
        self.catalog
            .resources
            .get(type_name)
            .ok_or_else(|| Status::not_found(format!("no resource type {type_name}")))
    }

    fn data_source(&self, type_name: &str) -> Result<&DataSource, Status> {
        self.catalog
            .data_sources
            .get(type_name)
            .ok_or_else(|| Status::not_found(format!("no data source {type_name}")))
    }

    async fn client(&self) -> Result<Client, Diags> {
        self.client.read().await.clone().ok_or_else(|| {
            Diags::from(Diag::error(
                "The Overcast provider is not configured",
                "Terraform called it before ConfigureProvider.",
            ))
        })
    }
}

/// The provider block's attributes.
pub const PROVIDER_ATTRS: &[(&str, &str, bool)] = &[
    (
        "endpoint",
        "The Overcast API's base URL, such as `https://cloud.example.com`. Default: `OVERCAST_ENDPOINT`, then the profile's.",
        false,
    ),
    (
        "token",
        "An API token. Default: `OVERCAST_TOKEN`, then the profile's.",
        true,
    ),
    (
        "profile",
        "A login profile saved by `overcast login` (in `$OVERCAST_CONFIG_DIR/profiles.toml`). Default: `OVERCAST_PROFILE`, then `default`.",
        false,
    ),
    (
        "account",
        "The account (name or id) resources are made in when they do not say; operator and partner tokens need it for account-scoped resources.",
        false,
    ),
    (
        "project",
        "The project (name or id) project-scoped resources are made in when they do not say.",
        false,
    ),
];

fn provider_type() -> Type {
    Type::Object(
        PROVIDER_ATTRS
            .iter()
            .map(|(n, _, _)| (n.to_string(), Type::String))
            .collect(),
    )
}

fn provider_schema() -> pb::Schema {
    pb::Schema {
        version: 0,
        block: Some(pb::schema::Block {
            attributes: PROVIDER_ATTRS
                .iter()
                .map(|(name, description, sensitive)| pb::schema::Attribute {
                    name: name.to_string(),
                    r#type: Type::String.to_json().to_string().into_bytes(),
                    description: description.to_string(),
                    optional: true,
                    sensitive: *sensitive,
                    description_kind: pb::StringKind::Markdown as i32,
                    ..Default::default()
                })
                .collect(),
            description: "Overcast: instances, drives, IP addresses and the tenancy around them."
                .into(),
            description_kind: pb::StringKind::Markdown as i32,
            ..Default::default()
        }),
    }
}

pub fn data_source_schema(ds: &DataSource) -> pb::Schema {
    pb::Schema {
        version: 0,
        block: Some(pb::schema::Block {
            attributes: ds.attributes.iter().map(attribute_schema).collect(),
            description: ds.description.clone(),
            description_kind: pb::StringKind::Markdown as i32,
            ..Default::default()
        }),
    }
}

fn attribute_schema(a: &crate::schema::Attribute) -> pb::schema::Attribute {
    // An object is a nested attribute, so each of its fields can be
    // required or optional on its own (a partner's `brand`).
    if let Type::Object(fields) = &a.ty {
        let configurable = a.required || a.optional;
        let nested = pb::schema::Object {
            attributes: fields
                .iter()
                .map(|(name, ty)| {
                    let required = configurable && a.check.required_fields.contains(name);
                    pb::schema::Attribute {
                        name: name.clone(),
                        r#type: ty.to_json().to_string().into_bytes(),
                        required,
                        optional: configurable && !required,
                        computed: !configurable,
                        sensitive: a.sensitive,
                        ..Default::default()
                    }
                })
                .collect(),
            nesting: pb::schema::object::NestingMode::Single as i32,
        };
        return pb::schema::Attribute {
            name: a.name.clone(),
            nested_type: Some(nested),
            description: a.description.clone(),
            required: a.required,
            optional: a.optional,
            computed: a.computed,
            sensitive: a.sensitive,
            description_kind: pb::StringKind::Markdown as i32,
            ..Default::default()
        };
    }
    pb::schema::Attribute {
        name: a.name.clone(),
        r#type: a.ty.to_json().to_string().into_bytes(),
        description: a.description.clone(),
        required: a.required,
        optional: a.optional,
        computed: a.computed,
        sensitive: a.sensitive,
        description_kind: pb::StringKind::Markdown as i32,
        ..Default::default()
    }
}

pub fn resource_schema(kind: &Kind) -> pb::Schema {
    let timeouts = pb::schema::NestedBlock {
        type_name: "timeouts".into(),
        nesting: pb::schema::nested_block::NestingMode::Single as i32,
        block: Some(pb::schema::Block {
            attributes: ["create", "update", "delete"]
                .iter()
                .map(|op| pb::schema::Attribute {
                    name: op.to_string(),
                    r#type: Type::String.to_json().to_string().into_bytes(),
                    description: format!(
                        "How long to wait for a {op} (`30s`, `10m`, `1h`; default 20m)."
                    ),
                    optional: true,
                    description_kind: pb::StringKind::Markdown as i32,
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        }),
        ..Default::default()
    };
    pb::Schema {
        version: 0,
        block: Some(pb::schema::Block {
            version: 0,
            attributes: kind.attributes.iter().map(attribute_schema).collect(),
            block_types: vec![timeouts],
            description: kind.description.clone(),
            description_kind: pb::StringKind::Markdown as i32,
            deprecated: false,
        }),
    }
}

fn decode(dv: Option<&pb::DynamicValue>, ty: &Type) -> Result<Value, Diags> {
    let Some(dv) = dv else { return Ok(Value::Null) };
    let decoded = if !dv.msgpack.is_empty() {
        Value::from_msgpack(&dv.msgpack, ty)
    } else if !dv.json.is_empty() {
        serde_json::from_slice(&dv.json)
            .map_err(|e| crate::value::Error::Decode(e.to_string()))
            .and_then(|j| Value::from_json(&j, ty))
    } else {
        Ok(Value::Null)
    };
    decoded.map_err(|e| {
        Diags::from(Diag::error(
            "Terraform sent a value the provider cannot read",
            e.to_string(),
        ))
    })
}

fn encode(v: &Value, ty: &Type) -> Option<pb::DynamicValue> {
    Some(pb::DynamicValue {
        msgpack: v.to_msgpack(ty),
        json: Vec::new(),
    })
}

fn requires_replace(names: &[String]) -> Vec<pb::AttributePath> {
    use pb::attribute_path::{Step, step::Selector};
    names
        .iter()
        .map(|n| pb::AttributePath {
            steps: vec![Step {
                selector: Some(Selector::AttributeName(n.clone())),
            }],
        })
        .collect()
}

/// The first of: the configuration, the environment, the profile.
fn setting(
    config: &Value,
    name: &str,
    env: &str,
    profile: Option<&toml_profile::Profile>,
) -> Option<String> {
    config
        .get(name)
        .as_str()
        .map(str::to_string)
        .or_else(|| std::env::var(env).ok().filter(|v| !v.is_empty()))
        .or_else(|| {
            profile.map(|p| match name {
                "endpoint" => p.endpoint.clone(),
                _ => p.token.clone(),
            })
        })
}

mod toml_profile {
    //! The CLI's login profiles, read so `profile = "prod"` works.
    use std::collections::BTreeMap;

    #[derive(serde::Deserialize, Clone)]
    pub struct Profile {
        pub endpoint: String,
        pub token: String,
    }

    #[derive(serde::Deserialize, Default)]
    struct Profiles {
        #[serde(default)]
        profiles: BTreeMap<String, Profile>,
    }

    pub fn load(name: &str) -> Result<Option<Profile>, String> {
        let dir = if let Ok(dir) = std::env::var("OVERCAST_CONFIG_DIR") {
            dir.into()
        } else if let Ok(dir) = std::env::var("XDG_CONFIG_HOME") {
            std::path::PathBuf::from(dir).join("overcast")
        } else if let Ok(home) = std::env::var("HOME") {
            std::path::PathBuf::from(home).join(".config/overcast")
        } else {
            return Ok(None);
        };
        let path = dir.join("profiles.toml");
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("{}: {e}", path.display())),
        };
        let profiles: Profiles =
            toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(profiles.profiles.get(name).cloned())
    }
}

type Reply<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl Provider for OvercastProvider {
    async fn get_metadata(
        &self,
        _: Request<pb::get_metadata::Request>,
    ) -> Reply<pb::get_metadata::Response> {
        Ok(Response::new(pb::get_metadata::Response {
            server_capabilities: Some(capabilities()),
            diagnostics: Vec::new(),
            data_sources: self
                .catalog
                .data_sources
                .keys()
                .map(|t| pb::get_metadata::DataSourceMetadata {
                    type_name: t.clone(),
                })
                .collect(),
            resources: self
                .catalog
                .resources
                .keys()
                .map(|t| pb::get_metadata::ResourceMetadata {
                    type_name: t.clone(),
                })
                .collect(),
        }))
    }

    async fn get_provider_schema(
        &self,
        _: Request<pb::get_provider_schema::Request>,
    ) -> Reply<pb::get_provider_schema::Response> {
        Ok(Response::new(pb::get_provider_schema::Response {
            provider: Some(provider_schema()),
            resource_schemas: self
                .catalog
                .resources
                .iter()
                .map(|(name, kind)| (name.clone(), resource_schema(kind)))
                .collect(),
            data_source_schemas: self
                .catalog
                .data_sources
                .iter()
                .map(|(name, ds)| (name.clone(), data_source_schema(ds)))
                .collect(),
            diagnostics: Vec::new(),
            provider_meta: None,
            server_capabilities: Some(capabilities()),
        }))
    }

    async fn validate_provider_config(
        &self,
        req: Request<pb::validate_provider_config::Request>,
    ) -> Reply<pb::validate_provider_config::Response> {
        let diags = match decode(req.get_ref().config.as_ref(), &provider_type()) {
            Ok(_) => Diags::default(),
            Err(d) => d,
        };
        Ok(Response::new(pb::validate_provider_config::Response {
            diagnostics: diags.into_proto(),
        }))
    }

    async fn validate_resource_config(
        &self,
        req: Request<pb::validate_resource_config::Request>,
    ) -> Reply<pb::validate_resource_config::Response> {
        let req = req.into_inner();
        let kind = self.kind(&req.type_name)?;
        let diags = match decode(req.config.as_ref(), &kind.ty()) {
            Ok(config) => resource::validate(kind, &config),
            Err(d) => d,
        };
        Ok(Response::new(pb::validate_resource_config::Response {
            diagnostics: diags.into_proto(),
        }))
    }

    async fn validate_data_resource_config(
        &self,
        req: Request<pb::validate_data_resource_config::Request>,
    ) -> Reply<pb::validate_data_resource_config::Response> {
        let req = req.into_inner();
        let ds = self.data_source(&req.type_name)?;
        let mut diags = Diags::default();
        match decode(req.config.as_ref(), &ds.ty()) {
            Ok(config)
                if !ds.list && config.get("name").is_null() && config.get("id").is_null() =>
            {
                diags.push(Diag::error(
                    format!("{} needs a name or an id", ds.type_name),
                    "Set `name` or `id` to say which one to read.",
                ))
            }
            Ok(_) => {}
            Err(d) => diags = d,
        }
        Ok(Response::new(pb::validate_data_resource_config::Response {
            diagnostics: diags.into_proto(),
        }))
    }

    async fn upgrade_resource_state(
        &self,
        req: Request<pb::upgrade_resource_state::Request>,
    ) -> Reply<pb::upgrade_resource_state::Response> {
        let req = req.into_inner();
        let kind = self.kind(&req.type_name)?;
        let ty = kind.ty();
        let json = req.raw_state.map(|r| r.json).unwrap_or_default();
        // Schema version 0 is the only one so far: stored state is read
        // against today's type, dropping fields the API no longer has.
        let result = serde_json::from_slice::<serde_json::Value>(&json)
            .map_err(|e| e.to_string())
            .and_then(|j| Value::from_json(&j, &ty).map_err(|e| e.to_string()));
        let (upgraded_state, diagnostics) = match result {
            Ok(v) => (encode(&v, &ty), Vec::new()),
            Err(e) => (
                None,
                Diags::from(Diag::error("Stored state cannot be read", e)).into_proto(),
            ),
        };
        Ok(Response::new(pb::upgrade_resource_state::Response {
            upgraded_state,
            diagnostics,
        }))
    }

    async fn get_resource_identity_schemas(
        &self,
        _: Request<pb::get_resource_identity_schemas::Request>,
    ) -> Reply<pb::get_resource_identity_schemas::Response> {
        // Resources are imported by id or name (`terraform import`, import
        // blocks with `id`); identity-based import is not offered.
        Ok(Response::new(Default::default()))
    }

    async fn configure_provider(
        &self,
        req: Request<pb::configure_provider::Request>,
    ) -> Reply<pb::configure_provider::Response> {
        let req = req.into_inner();
        let mut diags = Diags::default();
        match decode(req.config.as_ref(), &provider_type()) {
            Err(d) => diags.extend(d),
            Ok(config) => {
                let profile_name = config
                    .get("profile")
                    .as_str()
                    .map(str::to_string)
                    .or_else(|| std::env::var("OVERCAST_PROFILE").ok())
                    .unwrap_or_else(|| "default".into());
                let profile = match toml_profile::load(&profile_name) {
                    Ok(p) => p,
                    Err(e) => {
                        diags.push(Diag::error("Cannot read the Overcast profiles", e));
                        None
                    }
                };
                // A provider configured from values known only after apply
                // (a token made in the same run) plans without a client;
                // Terraform configures it again, with the values, to apply.
                if ["endpoint", "token", "project", "account"]
                    .iter()
                    .any(|n| *config.get(n) == Value::Unknown)
                {
                    *self.client.write().await = None;
                    return Ok(Response::new(pb::configure_provider::Response {
                        diagnostics: diags.into_proto(),
                    }));
                }
                let endpoint = setting(&config, "endpoint", "OVERCAST_ENDPOINT", profile.as_ref());
                let token = setting(&config, "token", "OVERCAST_TOKEN", profile.as_ref());
                match (endpoint, token) {
                    (Some(endpoint), Some(token)) => {
                        match Api::new(&endpoint, &token, &req.terraform_version) {
                            Ok(api) => {
                                *self.client.write().await = Some(Client {
                                    api,
                                    project: config.get("project").as_str().map(str::to_string),
                                    account: config.get("account").as_str().map(str::to_string),
                                    names: Default::default(),
                                    stopping: self.stopping.clone(),
                                });
                            }
                            Err(e) => diags
                                .push(Diag::error("Cannot set up the HTTP client", e.to_string())),
                        }
                    }
                    (endpoint, _) => {
                        let missing = if endpoint.is_none() {
                            "endpoint"
                        } else {
                            "token"
                        };
                        diags.push(
                            Diag::error(
                                format!("The Overcast provider needs an {missing}"),
                                format!(
                                    "Set `{missing}` in the provider block, OVERCAST_{} in the environment, or log in with `overcast login` and name the profile.",
                                    missing.to_uppercase()
                                ),
                            )
                            .at(&[missing.into()]),
                        );
                    }
                }
            }
        }
        Ok(Response::new(pb::configure_provider::Response {
            diagnostics: diags.into_proto(),
        }))
    }

    async fn read_resource(
        &self,
        req: Request<pb::read_resource::Request>,
    ) -> Reply<pb::read_resource::Response> {
        let req = req.into_inner();
        let kind = self.kind(&req.type_name)?;
        let ty = kind.ty();
        let result = async {
            let prior = decode(req.current_state.as_ref(), &ty)?;
            let client = self.client().await?;
            resource::read(&client, kind, &prior, &req.private).await
        }
        .await;
        let (new_state, diagnostics) = match result {
            Ok(v) => (encode(&v, &ty), Vec::new()),
            Err(d) => (req.current_state.clone(), d.into_proto()),
        };
        Ok(Response::new(pb::read_resource::Response {
            new_state,
            diagnostics,
            private: req.private,
            deferred: None,
            new_identity: None,
        }))
    }

    async fn plan_resource_change(
        &self,
        req: Request<pb::plan_resource_change::Request>,
    ) -> Reply<pb::plan_resource_change::Response> {
        let req = req.into_inner();
        let kind = self.kind(&req.type_name)?;
        let ty = kind.ty();
        let result = async {
            let prior = decode(req.prior_state.as_ref(), &ty)?;
            let proposed = decode(req.proposed_new_state.as_ref(), &ty)?;
            let client = self.client.read().await.clone();
            resource::plan(client.as_ref(), kind, &prior, &proposed, &req.prior_private).await
        }
        .await;
        let mut response = pb::plan_resource_change::Response {
            planned_private: req.prior_private.clone(),
            ..Default::default()
        };
        match result {
            Ok((planned, replace, warnings)) => {
                response.planned_state = encode(&planned, &ty);
                response.requires_replace = requires_replace(&replace);
                response.diagnostics = warnings.into_proto();
            }
            Err(d) => response.diagnostics = d.into_proto(),
        }
        Ok(Response::new(response))
    }

    async fn apply_resource_change(
        &self,
        req: Request<pb::apply_resource_change::Request>,
    ) -> Reply<pb::apply_resource_change::Response> {
        let req = req.into_inner();
        let kind = self.kind(&req.type_name)?;
        let ty = kind.ty();
        let result = async {
            let prior = decode(req.prior_state.as_ref(), &ty).map_err(|d| (None, d))?;
            let planned =
                decode(req.planned_state.as_ref(), &ty).map_err(|d| (Some(prior.clone()), d))?;
            let client = self.client().await.map_err(|d| (Some(prior.clone()), d))?;
            resource::apply(&client, kind, &prior, &planned).await
        }
        .await;
        let (state, diags) = match result {
            Ok(v) => (v, Diags::default()),
            Err((state, d)) => (state.unwrap_or(Value::Null), d),
        };
        Ok(Response::new(pb::apply_resource_change::Response {
            new_state: encode(&state, &ty),
            private: Vec::new(),
            diagnostics: diags.into_proto(),
            legacy_type_system: false,
            new_identity: None,
        }))
    }

    async fn import_resource_state(
        &self,
        req: Request<pb::import_resource_state::Request>,
    ) -> Reply<pb::import_resource_state::Response> {
        let req = req.into_inner();
        let kind = self.kind(&req.type_name)?;
        let ty = kind.ty();
        let result = async {
            let client = self.client().await?;
            resource::import(&client, kind, &req.id).await
        }
        .await;
        let mut response = pb::import_resource_state::Response::default();
        match result {
            Ok(state) => {
                response
                    .imported_resources
                    .push(pb::import_resource_state::ImportedResource {
                        type_name: req.type_name.clone(),
                        state: encode(&state, &ty),
                        private: resource::IMPORTED.to_vec(),
                        identity: None,
                    })
            }
            Err(d) => response.diagnostics = d.into_proto(),
        }
        Ok(Response::new(response))
    }

    async fn read_data_source(
        &self,
        req: Request<pb::read_data_source::Request>,
    ) -> Reply<pb::read_data_source::Response> {
        let req = req.into_inner();
        let ds = self.data_source(&req.type_name)?;
        let ty = ds.ty();
        let result = async {
            let config = decode(req.config.as_ref(), &ty)?;
            let client = self.client().await?;
            resource::read_data(&client, ds, &config).await
        }
        .await;
        let (state, diagnostics) = match result {
            Ok(v) => (encode(&v, &ty), Vec::new()),
            Err(d) => (None, d.into_proto()),
        };
        Ok(Response::new(pb::read_data_source::Response {
            state,
            diagnostics,
            deferred: None,
        }))
    }

    async fn stop_provider(
        &self,
        _: Request<pb::stop_provider::Request>,
    ) -> Reply<pb::stop_provider::Response> {
        self.stopping
            .store(true, std::sync::atomic::Ordering::SeqCst);
        Ok(Response::new(pb::stop_provider::Response {
            error: String::new(),
        }))
    }
}

fn capabilities() -> pb::ServerCapabilities {
    pb::ServerCapabilities {
        get_provider_schema_optional: true,
        ..Default::default()
    }
}
