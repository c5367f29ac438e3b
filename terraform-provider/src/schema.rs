//! The provider's resources and data sources, derived from Overcast's
//! OpenAPI document (`api-spec/openapi-3.0.json`, compiled into the binary
//! and read with `openapiv3`).
//!
//! A resource is a family of operations with the generic shape: a
//! collection path with a `POST` (operationId `<noun>_create`) and an item
//! path `collection/{param}` with a `DELETE`. Its attributes are the create
//! body's fields (configurable), the `project`/`account` query parameters of
//! the create (configurable, defaulted from the provider), and the view's
//! fields (computed). Whether a field is required, its description, its
//! limits and whether a change is made in place or forces replacement
//! (`x-overcast-mutability`) all come from the spec, so a field added to the
//! API appears here without hand work.

use std::collections::BTreeMap;

use openapiv3::{OpenAPI, ReferenceOr, Schema, SchemaKind};

use crate::value::Type;

/// The spec this provider was built against.
pub const SPEC: &str = include_str!("../../api-spec/openapi-3.0.json");

/// What a change to an attribute means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mutability {
    /// Updated in place on a running resource.
    Live,
    /// Updated in place, with the instance stopped around the change.
    RequiresStop,
    /// A change means a new resource.
    Replace,
    /// Set by the server only.
    Computed,
}

/// The limits the API enforces on a value, checked at plan time.
#[derive(Clone, Debug, Default)]
pub struct Check {
    pub pattern: Option<String>,
    pub min_length: Option<usize>,
    pub max_length: Option<usize>,
    pub minimum: Option<i64>,
    pub maximum: Option<i64>,
    pub multiple_of: Option<i64>,
    pub one_of: Vec<String>,
    /// For an object value: the fields it must have (the others may be
    /// left out).
    pub required_fields: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct Attribute {
    pub name: String,
    pub ty: Type,
    pub description: String,
    pub required: bool,
    pub optional: bool,
    pub computed: bool,
    pub sensitive: bool,
    pub mutability: Mutability,
    /// Sent in the create body (or, for scope attributes, the query).
    pub in_create: bool,
    /// Part of the update body: a change is a `PUT` rather than a
    /// replacement.
    pub in_update: bool,
    /// Changed in place by hand-written code (`special`), not the `PUT`.
    pub hand_updated: bool,
    /// A create query parameter (`project`, `account`).
    pub scope: bool,
    /// The view field this attribute is read back from.
    pub view: Option<String>,
    /// A name-or-id reference (or a list of them) to other resources.
    pub refers_to: Option<Ref>,
    pub check: Check,
    /// Checks on each element of a list.
    pub item_check: Check,
    /// The spec's example value, for the docs.
    pub example: Option<serde_json::Value>,
}

/// What a reference names: a collection, and the scope parameters
/// (`project`, `account`) its item lookup takes to find a name.
#[derive(Clone, Debug, PartialEq)]
pub struct Ref {
    pub collection: String,
    pub scopes: Vec<String>,
}

impl Ref {
    /// A reference by noun, resolved to its collection once all paths are
    /// known.
    fn noun(noun: &str) -> Ref {
        Ref {
            collection: noun.to_string(),
            scopes: Vec::new(),
        }
    }
}

/// One resource type.
#[derive(Clone, Debug)]
pub struct Kind {
    /// `overcast_drive`.
    pub type_name: String,
    /// `drive`.
    pub noun: String,
    pub description: String,
    /// `/v1/drives`.
    pub collection: String,
    /// Whether `GET collection/{id}` exists (tokens are read from the list).
    pub item_get: bool,
    pub update: bool,
    pub attributes: Vec<Attribute>,
    /// Example create body from the spec, for the docs.
    pub example: Option<serde_json::Value>,
}

impl Kind {
    pub fn ty(&self) -> Type {
        Type::Object(
            self.attributes
                .iter()
                .map(|a| (a.name.clone(), a.ty.clone()))
                .chain([("timeouts".to_string(), timeouts_type())])
                .collect(),
        )
    }

    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }

    /// Whether the view carries a lifecycle `state`, which apply waits on.
    pub fn has_state(&self) -> bool {
        self.attribute("state").is_some_and(|a| a.view.is_some())
    }
}

/// The `timeouts` block every resource takes.
pub fn timeouts_type() -> Type {
    Type::Object(
        ["create", "update", "delete"]
            .into_iter()
            .map(|k| (k.to_string(), Type::String))
            .collect(),
    )
}

/// All resources, by type name.
#[derive(Clone, Debug)]
pub struct Catalog {
    pub resources: BTreeMap<String, Kind>,
    pub data_sources: BTreeMap<String, DataSource>,
}

/// A data source: one object looked up by name or id (every item `GET`),
/// or every object of a list (every `<noun>_list`).
#[derive(Clone, Debug)]
pub struct DataSource {
    pub type_name: String,
    pub description: String,
    /// The collection path; a single lookup reads `path/{name or id}`.
    pub path: String,
    pub list: bool,
    /// Inputs: the scope parameters, and `name`/`id` for a lookup.
    pub inputs: Vec<String>,
    pub attributes: Vec<Attribute>,
}

impl DataSource {
    pub fn ty(&self) -> Type {
        Type::Object(
            self.attributes
                .iter()
                .map(|a| (a.name.clone(), a.ty.clone()))
                .collect(),
        )
    }
}

impl Catalog {
    pub fn from_spec(text: &str) -> anyhow::Result<Catalog> {
        let spec: OpenAPI = serde_json::from_str(text)?;
        let mut resources = BTreeMap::new();
        for (path, item) in &spec.paths.paths {
            let ReferenceOr::Item(item) = item else {
                continue;
            };
            let Some(create) = &item.post else { continue };
            let Some(noun) = create
                .operation_id
                .as_deref()
                .and_then(|id| id.strip_suffix("_create"))
            else {
                continue;
            };
            if path.contains('{') {
                continue;
            }
            let Some((item_path, item_ops)) = spec.paths.paths.iter().find_map(|(p, i)| {
                let rest = p.strip_prefix(path.as_str())?.strip_prefix("/{")?;
                (rest.ends_with('}') && !rest.contains('/'))
                    .then_some(())
                    .and_then(|_| i.as_item().map(|i| (p, i)))
            }) else {
                continue;
            };
            if item_ops.delete.is_none() {
                continue;
            }
            let _ = item_path;
            let mut kind = derive_kind(&spec, path, noun, create, item_ops)?;
            crate::special::adjust_kind(&mut kind);
            resources.insert(kind.type_name.clone(), kind);
        }
        // References name a collection through the item path's parameter
        // (`pool` in `/v1/ip-pools/{pool}`) or the noun.
        let by_param: BTreeMap<String, Ref> = spec
            .paths
            .paths
            .iter()
            .filter_map(|(p, item)| {
                let (collection, last) = p.rsplit_once('/')?;
                let param = last.strip_prefix('{')?.strip_suffix('}')?;
                if collection.contains('{') {
                    return None;
                }
                let get = item.as_item()?.get.as_ref()?;
                let scopes = get
                    .parameters
                    .iter()
                    .filter_map(|p| match p.as_item()? {
                        openapiv3::Parameter::Query { parameter_data, .. }
                            if ["project", "account"].contains(&parameter_data.name.as_str()) =>
                        {
                            Some(parameter_data.name.clone())
                        }
                        _ => None,
                    })
                    .collect();
                Some((
                    param.to_string(),
                    Ref {
                        collection: collection.to_string(),
                        scopes,
                    },
                ))
            })
            .collect();
        for kind in resources.values_mut() {
            for attr in &mut kind.attributes {
                if let Some(r) = attr.refers_to.take() {
                    if r.collection.starts_with('/') {
                        attr.refers_to = Some(r);
                        continue;
                    }
                    let noun = r.collection;
                    attr.refers_to = by_param.get(&noun).cloned();
                    anyhow::ensure!(
                        attr.refers_to.is_some(),
                        "{}.{} refers to {noun}, which no collection serves",
                        kind.type_name,
                        attr.name
                    );
                }
            }
        }
        let data_sources = derive_data_sources(&spec);
        Ok(Catalog {
            resources,
            data_sources,
        })
    }

    /// The catalog of the spec built into this binary.
    pub fn builtin() -> Catalog {
        Catalog::from_spec(SPEC).expect("the spec compiled into the provider is valid")
    }
}

fn resolve<'a>(spec: &'a OpenAPI, s: &'a ReferenceOr<Schema>) -> &'a Schema {
    match s {
        ReferenceOr::Item(s) => s,
        ReferenceOr::Reference { reference } => by_reference(spec, reference),
    }
}

fn resolve_boxed<'a>(spec: &'a OpenAPI, s: &'a ReferenceOr<Box<Schema>>) -> &'a Schema {
    match s {
        ReferenceOr::Item(s) => s,
        ReferenceOr::Reference { reference } => by_reference(spec, reference),
    }
}

fn by_reference<'a>(spec: &'a OpenAPI, reference: &str) -> &'a Schema {
    let name = reference.rsplit('/').next().unwrap_or_default();
    match spec.components.as_ref().and_then(|c| c.schemas.get(name)) {
        Some(s) => resolve(spec, s),
        None => panic!("the spec refers to a missing schema {reference}"),
    }
}

/// The properties of an object schema, following `allOf`, with whether
/// each is required.
fn properties<'a>(spec: &'a OpenAPI, s: &'a Schema) -> Vec<(String, &'a Schema, bool)> {
    match &s.schema_kind {
        SchemaKind::AllOf { all_of } => all_of
            .iter()
            .flat_map(|part| properties(spec, resolve(spec, part)))
            .collect(),
        SchemaKind::Type(openapiv3::Type::Object(o)) => o
            .properties
            .iter()
            .map(|(name, p)| {
                (
                    name.clone(),
                    resolve_boxed(spec, p),
                    o.required.contains(name),
                )
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn body_schema<'a>(spec: &'a OpenAPI, op: &'a openapiv3::Operation) -> Option<&'a Schema> {
    let body = op.request_body.as_ref()?.as_item()?;
    Some(resolve(
        spec,
        body.content.get("application/json")?.schema.as_ref()?,
    ))
}

fn response_schema<'a>(spec: &'a OpenAPI, op: &'a openapiv3::Operation) -> Option<&'a Schema> {
    op.responses.responses.iter().find_map(|(code, r)| {
        let code = match code {
            openapiv3::StatusCode::Code(c) => *c,
            _ => return None,
        };
        if !(200..300).contains(&code) {
            return None;
        }
        Some(resolve(
            spec,
            r.as_item()?
                .content
                .get("application/json")?
                .schema
                .as_ref()?,
        ))
    })
}

/// The Terraform type and checks of a schema.
fn type_of(spec: &OpenAPI, s: &Schema) -> (Type, Check, Check) {
    use openapiv3::Type as T;
    match &s.schema_kind {
        SchemaKind::Type(T::String(st)) => (
            Type::String,
            Check {
                pattern: st.pattern.clone(),
                min_length: st.min_length,
                max_length: st.max_length,
                one_of: st.enumeration.iter().flatten().cloned().collect(),
                ..Check::default()
            },
            Check::default(),
        ),
        SchemaKind::Type(T::Integer(it)) => (
            Type::Number,
            Check {
                minimum: it.minimum,
                maximum: it.maximum,
                multiple_of: it.multiple_of,
                ..Check::default()
            },
            Check::default(),
        ),
        SchemaKind::Type(T::Number(_)) => (Type::Number, Check::default(), Check::default()),
        SchemaKind::Type(T::Boolean(_)) => (Type::Bool, Check::default(), Check::default()),
        SchemaKind::Type(T::Array(a)) => {
            let (item, check, _) = a
                .items
                .as_ref()
                .map(|i| type_of(spec, resolve_boxed(spec, i)))
                .unwrap_or((Type::String, Check::default(), Check::default()));
            (Type::List(Box::new(item)), Check::default(), check)
        }
        SchemaKind::AllOf { all_of } if all_of.len() == 1 => {
            type_of(spec, resolve(spec, &all_of[0]))
        }
        _ => {
            let props = properties(spec, s);
            let required_fields = props
                .iter()
                .filter(|(_, _, required)| *required)
                .map(|(name, _, _)| name.clone())
                .collect();
            (
                Type::Object(
                    props
                        .into_iter()
                        .map(|(name, p, _)| (name, type_of(spec, p).0))
                        .collect(),
                ),
                Check {
                    required_fields,
                    ..Check::default()
                },
                Check::default(),
            )
        }
    }
}

/// `drives` → `drive`, `ip_addresses` → `ip_address`, `image` → `image`.
fn singular(name: &str) -> String {
    if let Some(stem) = name.strip_suffix("sses") {
        format!("{stem}ss")
    } else if let Some(stem) = name.strip_suffix('s') {
        stem.to_string()
    } else {
        name.to_string()
    }
}

/// A string (or list of strings) in UUID format.
fn is_uuid(spec: &OpenAPI, s: &Schema) -> bool {
    use openapiv3::Type as T;
    match &s.schema_kind {
        SchemaKind::Type(T::String(st)) => {
            matches!(&st.format, openapiv3::VariantOrUnknownOrEmpty::Unknown(f) if f == "uuid")
        }
        SchemaKind::Type(T::Array(a)) => a
            .items
            .as_ref()
            .is_some_and(|i| is_uuid(spec, resolve_boxed(spec, i))),
        _ => false,
    }
}

fn description_of(spec: &OpenAPI, s: &Schema) -> String {
    if let Some(d) = &s.schema_data.description {
        return d.clone();
    }
    match &s.schema_kind {
        SchemaKind::AllOf { all_of } if all_of.len() == 1 => {
            description_of(spec, resolve(spec, &all_of[0]))
        }
        _ => String::new(),
    }
}

fn mutability_of(s: &Schema) -> Option<Mutability> {
    Some(
        match s
            .schema_data
            .extensions
            .get("x-overcast-mutability")?
            .as_str()?
        {
            "live" => Mutability::Live,
            "requires_stop" => Mutability::RequiresStop,
            _ => Mutability::Replace,
        },
    )
}

fn is_sensitive(s: &Schema) -> bool {
    matches!(
        &s.schema_kind,
        SchemaKind::Type(openapiv3::Type::String(st))
            if matches!(&st.format, openapiv3::VariantOrUnknownOrEmpty::Item(openapiv3::StringFormat::Password))
    )
}

fn derive_kind(
    spec: &OpenAPI,
    collection: &str,
    noun: &str,
    create: &openapiv3::Operation,
    item: &openapiv3::PathItem,
) -> anyhow::Result<Kind> {
    let create_body = body_schema(spec, create)
        .ok_or_else(|| anyhow::anyhow!("{noun}_create has no JSON body"))?;
    let view = item
        .get
        .as_ref()
        .and_then(|g| response_schema(spec, g))
        .or_else(|| response_schema(spec, create))
        .ok_or_else(|| anyhow::anyhow!("{noun} has no view"))?;
    let created = response_schema(spec, create);
    let update_body = item.put.as_ref().and_then(|u| body_schema(spec, u));
    let update_fields: Vec<String> = update_body
        .map(|u| properties(spec, u).into_iter().map(|(n, _, _)| n).collect())
        .unwrap_or_default();
    let mut view_fields: BTreeMap<String, &Schema> = properties(spec, view)
        .into_iter()
        .map(|(n, s, _)| (n, s))
        .collect();
    if let Some(created) = created {
        for (n, s, _) in properties(spec, created) {
            view_fields.entry(n).or_insert(s);
        }
    }

    let mut attributes = vec![Attribute {
        name: "id".into(),
        ty: Type::String,
        description: format!("The {}'s id (a UUID).", noun.replace('_', " ")),
        required: false,
        optional: false,
        computed: true,
        sensitive: false,
        mutability: Mutability::Computed,
        in_create: false,
        in_update: false,
        hand_updated: false,
        scope: false,
        view: Some("id".into()),
        refers_to: None,
        check: Check::default(),
        item_check: Check::default(),
        example: None,
    }];
    for p in &create.parameters {
        let Some(openapiv3::Parameter::Query { parameter_data, .. }) = p.as_item() else {
            continue;
        };
        let name = &parameter_data.name;
        if name != "project" && name != "account" {
            continue;
        }
        let check = match &parameter_data.format {
            openapiv3::ParameterSchemaOrContent::Schema(s) => type_of(spec, resolve(spec, s)).1,
            _ => Check::default(),
        };
        let view = format!("{name}_id");
        attributes.push(Attribute {
            name: name.clone(),
            ty: Type::String,
            description: format!(
                "{}. Defaults to the provider's `{name}`.",
                parameter_data
                    .description
                    .clone()
                    .unwrap_or_default()
                    .trim_end_matches('.'),
            ),
            required: false,
            optional: true,
            computed: true,
            sensitive: false,
            mutability: Mutability::Replace,
            in_create: true,
            in_update: false,
            hand_updated: false,
            scope: true,
            view: view_fields.contains_key(&view).then_some(view),
            refers_to: Some(Ref::noun(name)),
            check,
            item_check: Check::default(),
            example: parameter_data.example.clone(),
        });
    }
    for (name, s, required) in properties(spec, create_body) {
        let (ty, check, item_check) = type_of(spec, s);
        let view = [
            name.clone(),
            format!("{name}_id"),
            format!("{}_ids", singular(&name)),
        ]
        .into_iter()
        .find(|v| view_fields.contains_key(v));
        // A name-or-id input the view returns as ids is a reference.
        let reference = view
            .as_ref()
            .is_some_and(|v| is_uuid(spec, view_fields[v]) && !is_uuid(spec, s));
        let in_update = update_fields.contains(&name);
        let mut mutability = mutability_of(s).unwrap_or(Mutability::Replace);
        // A field the API cannot change after creation forces replacement,
        // whatever else the spec says of it.
        if !in_update && mutability == Mutability::Live && item.put.is_none() {
            mutability = Mutability::Replace;
        }
        let same_name_view = view.as_deref() == Some(name.as_str()) && !reference;
        attributes.push(Attribute {
            description: match (description_of(spec, s), name.as_str()) {
                (d, _) if !d.is_empty() => d,
                (_, "name") => "The name: a DNS label, unique in its scope.".into(),
                (_, "description") => "Free text for people.".into(),
                (d, _) => d,
            },
            example: s.schema_data.example.clone(),
            required,
            optional: !required,
            // The server fills what the configuration leaves out.
            computed: !required && same_name_view,
            sensitive: is_sensitive(s),
            mutability,
            in_create: true,
            in_update,
            hand_updated: false,
            scope: false,
            view,
            refers_to: reference.then(|| {
                Ref::noun(&singular(
                    name.trim_start_matches("avoid_")
                        .trim_start_matches("boot_"),
                ))
            }),
            check,
            item_check,
            ty,
            name,
        });
    }
    for (name, s) in &view_fields {
        if attributes
            .iter()
            .any(|a| &a.name == name || a.view.as_deref() == Some(name))
        {
            continue;
        }
        attributes.push(Attribute {
            name: name.clone(),
            ty: type_of(spec, s).0,
            description: description_of(spec, s),
            required: false,
            optional: false,
            computed: true,
            sensitive: is_sensitive(s),
            mutability: Mutability::Computed,
            in_create: false,
            in_update: false,
            hand_updated: false,
            scope: false,
            view: Some(name.clone()),
            refers_to: None,
            check: Check::default(),
            item_check: Check::default(),
            example: None,
        });
    }
    Ok(Kind {
        type_name: format!("overcast_{noun}"),
        noun: noun.to_string(),
        description: create_body
            .schema_data
            .description
            .clone()
            .or_else(|| create.description.clone())
            .unwrap_or_default(),
        collection: collection.to_string(),
        item_get: item.get.is_some(),
        update: item.put.is_some(),
        attributes,
        example: create_body.schema_data.example.clone(),
    })
}

fn plain(name: &str, ty: Type, description: String, input: bool) -> Attribute {
    Attribute {
        name: name.to_string(),
        ty,
        description,
        required: false,
        optional: input,
        computed: true,
        sensitive: false,
        mutability: Mutability::Computed,
        in_create: false,
        in_update: false,
        hand_updated: false,
        scope: input,
        view: Some(name.to_string()),
        refers_to: None,
        check: Check::default(),
        item_check: Check::default(),
        example: None,
    }
}

fn scope_params(op: &openapiv3::Operation) -> Vec<(String, String)> {
    op.parameters
        .iter()
        .filter_map(|p| match p.as_item()? {
            openapiv3::Parameter::Query { parameter_data, .. }
                if ["project", "account"].contains(&parameter_data.name.as_str()) =>
            {
                Some((
                    parameter_data.name.clone(),
                    parameter_data.description.clone().unwrap_or_default(),
                ))
            }
            _ => None,
        })
        .collect()
}

fn derive_data_sources(spec: &OpenAPI) -> BTreeMap<String, DataSource> {
    let mut out = BTreeMap::new();
    for (path, item) in &spec.paths.paths {
        let Some(get) = item.as_item().and_then(|i| i.get.as_ref()) else {
            continue;
        };
        let Some(id) = get.operation_id.as_deref() else {
            continue;
        };
        // The provider holds a token: reads only a login session can make
        // (its own sessions) are not for it.
        let token_may = get
            .security
            .as_ref()
            .is_none_or(|s| s.is_empty() || s.iter().any(|r| r.contains_key("bearer")));
        let Some(view) = response_schema(spec, get).filter(|_| token_may) else {
            continue;
        };
        let scopes = scope_params(get);
        if let Some(_noun) = id.strip_suffix("_list") {
            if path.contains('{') {
                continue;
            }
            let Some(item_schema) = properties(spec, view)
                .into_iter()
                .find(|(n, _, _)| n == "items")
                .map(|(_, s, _)| s)
            else {
                continue;
            };
            let plural = path
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .replace('-', "_");
            let mut attributes: Vec<Attribute> = scopes
                .iter()
                .map(|(n, d)| plain(n, Type::String, d.clone(), true))
                .collect();
            attributes.push(plain(
                "items",
                type_of(spec, item_schema).0,
                format!(
                    "Every {} the token can see, in the API's order.",
                    plural.replace('_', " ")
                ),
                false,
            ));
            out.insert(
                format!("overcast_{plural}"),
                DataSource {
                    type_name: format!("overcast_{plural}"),
                    description: get.summary.clone().unwrap_or_default(),
                    path: path.clone(),
                    list: true,
                    inputs: scopes.iter().map(|(n, _)| n.clone()).collect(),
                    attributes,
                },
            );
        } else if let Some(noun) = id.strip_suffix("_get") {
            let Some((collection, last)) = path.rsplit_once('/') else {
                continue;
            };
            if !last.starts_with('{') || collection.contains('{') {
                continue;
            }
            let mut attributes: Vec<Attribute> = scopes
                .iter()
                .map(|(n, d)| plain(n, Type::String, d.clone(), true))
                .collect();
            for (name, s, _) in properties(spec, view) {
                let input = name == "name" || name == "id";
                let mut a = plain(&name, type_of(spec, s).0, description_of(spec, s), input);
                a.scope = false;
                if input {
                    a.description = format!(
                        "{} Give the name or the id to look it up.",
                        description_of(spec, s)
                    );
                }
                attributes.push(a);
            }
            let mut inputs: Vec<String> = scopes.iter().map(|(n, _)| n.clone()).collect();
            inputs.extend(["name".to_string(), "id".to_string()]);
            out.insert(
                format!("overcast_{noun}"),
                DataSource {
                    type_name: format!("overcast_{noun}"),
                    description: get.summary.clone().unwrap_or_default(),
                    path: collection.to_string(),
                    list: false,
                    inputs,
                    attributes,
                },
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_crud_family_of_the_spec_is_a_resource() {
        let catalog = Catalog::builtin();
        let names: Vec<&str> = catalog.resources.keys().map(String::as_str).collect();
        for want in [
            "overcast_project",
            "overcast_ssh_key",
            "overcast_drive",
            "overcast_ip_address",
            "overcast_instance",
            "overcast_partner",
            "overcast_account",
            "overcast_user",
            "overcast_token",
            "overcast_ip_pool",
            "overcast_image",
        ] {
            assert!(names.contains(&want), "{want} missing from {names:?}");
        }
    }

    #[test]
    fn every_lookup_and_list_is_a_data_source() {
        let catalog = Catalog::builtin();
        for want in [
            "overcast_image",
            "overcast_images",
            "overcast_project",
            "overcast_hosts",
            "overcast_host",
            "overcast_drives",
        ] {
            assert!(catalog.data_sources.contains_key(want), "{want} missing");
        }
        let images = &catalog.data_sources["overcast_images"];
        assert!(images.list && images.inputs == ["account"]);
        let image = &catalog.data_sources["overcast_image"];
        assert!(
            image
                .attributes
                .iter()
                .any(|a| a.name == "min_size_bytes" && a.computed)
        );
    }

    #[test]
    fn required_computed_and_mutability_come_from_the_spec() {
        let catalog = Catalog::builtin();
        let drive = &catalog.resources["overcast_drive"];
        let size = drive.attribute("size_bytes").unwrap();
        assert!(size.required && size.in_update && size.mutability == Mutability::Live);
        assert_eq!(size.check.multiple_of, Some(1_048_576));
        let replicas = drive.attribute("replicas").unwrap();
        assert!(replicas.optional && replicas.computed);
        assert_eq!(replicas.mutability, Mutability::Replace);
        let image = drive.attribute("image").unwrap();
        assert_eq!(image.view.as_deref(), Some("image_id"));
        assert_eq!(
            image.refers_to.as_ref().map(|r| r.collection.as_str()),
            Some("/v1/images")
        );
        let project = drive.attribute("project").unwrap();
        assert!(project.scope && project.optional && project.computed);
        assert_eq!(
            project.refers_to.as_ref().map(|r| r.collection.as_str()),
            Some("/v1/projects")
        );
        let state = drive.attribute("state").unwrap();
        assert!(state.computed && !state.optional);
        assert!(drive.has_state());
        let name = drive.attribute("name").unwrap();
        assert!(name.check.pattern.is_some() && name.check.max_length == Some(63));

        let instance = &catalog.resources["overcast_instance"];
        let drives = instance.attribute("drives").unwrap();
        assert_eq!(drives.view.as_deref(), Some("drive_ids"));
        assert_eq!(
            drives.refers_to.as_ref().map(|r| r.collection.as_str()),
            Some("/v1/drives")
        );
        let avoid = instance.attribute("avoid_instances").unwrap();
        assert_eq!(
            avoid.refers_to.as_ref().map(|r| r.collection.as_str()),
            Some("/v1/instances")
        );
        assert!(
            !avoid.computed,
            "a list of names is not filled from the view's ids"
        );
        let ips = instance.attribute("ip_addresses").unwrap();
        assert_eq!(
            ips.refers_to.as_ref().map(|r| r.collection.as_str()),
            Some("/v1/ip-addresses")
        );
        assert_eq!(
            catalog.resources["overcast_ip_address"]
                .attribute("pool")
                .unwrap()
                .refers_to
                .as_ref()
                .map(|r| r.collection.as_str()),
            Some("/v1/ip-pools")
        );

        let token = &catalog.resources["overcast_token"];
        assert!(!token.item_get);
        let secret = token.attribute("secret").unwrap();
        assert!(secret.computed && secret.sensitive, "{secret:?}");
        // No update operation: every field forces a new key.
        let key = &catalog.resources["overcast_ssh_key"];
        assert_eq!(
            key.attribute("name").unwrap().mutability,
            Mutability::Replace
        );
    }
}
