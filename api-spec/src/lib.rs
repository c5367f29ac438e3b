//! Overcast's OpenAPI documents: `openapi.json` is the 3.1 document the
//! server generates; `openapi-3.0.json` is a faithful 3.0.3 rendition for
//! tools that read only 3.0 (progenitor, the `openapiv3` crate).
//!
//! The down-conversion is our own: no maintained Rust crate converts 3.1 to
//! 3.0. It translates the constructs utoipa emits and fails loudly on any
//! construct it cannot translate without loss, so the 3.0 file never
//! silently diverges from the 3.1 one.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde_json::{Map, Value, json};

/// The committed files, relative to the workspace root.
pub const SPEC_31: &str = "api-spec/openapi.json";
pub const SPEC_30: &str = "api-spec/openapi-3.0.json";
/// The command that regenerates them.
pub const REGENERATE: &str = "cargo xtask openapi";

/// The workspace root (the parent of this crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("api-spec sits in the workspace")
        .to_path_buf()
}

fn pretty(value: &Value) -> Result<String> {
    Ok(serde_json::to_string_pretty(value)? + "\n")
}

/// Both documents as they should be committed: (3.1 text, 3.0.3 text).
pub fn generate() -> Result<(String, String)> {
    let doc = serde_json::to_value(overcast_server::openapi())?;
    let v30 = downconvert(&doc)?;
    let text30 = pretty(&v30)?;
    let _: openapiv3::OpenAPI = serde_json::from_str(&text30)
        .context("the 3.0.3 rendition does not parse as OpenAPI 3.0 (openapiv3 crate)")?;
    Ok((pretty(&doc)?, text30))
}

/// Write both documents into the workspace.
pub fn write() -> Result<()> {
    let (v31, v30) = generate()?;
    let root = workspace_root();
    std::fs::write(root.join(SPEC_31), v31)?;
    std::fs::write(root.join(SPEC_30), v30)?;
    Ok(())
}

/// The committed files that differ from what the code generates.
pub fn drift() -> Result<Vec<&'static str>> {
    let (v31, v30) = generate()?;
    let root = workspace_root();
    let mut stale = Vec::new();
    for (path, want) in [(SPEC_31, v31), (SPEC_30, v30)] {
        let have = std::fs::read_to_string(root.join(path)).unwrap_or_default();
        if have != want {
            stale.push(path);
        }
    }
    Ok(stale)
}

/// Translate an OpenAPI 3.1 document into OpenAPI 3.0.3.
pub fn downconvert(doc: &Value) -> Result<Value> {
    let mut doc = doc.clone();
    let root = doc
        .as_object_mut()
        .context("the document is not an object")?;
    match root.get("openapi").and_then(Value::as_str) {
        Some(v) if v.starts_with("3.1") => {}
        other => bail!("expected an OpenAPI 3.1 document, found version {other:?}"),
    }
    root.insert("openapi".into(), json!("3.0.3"));
    for unsupported in ["webhooks", "jsonSchemaDialect"] {
        if root.contains_key(unsupported) {
            bail!("`{unsupported}` has no OpenAPI 3.0 equivalent");
        }
    }
    if let Some(license) = root
        .get_mut("info")
        .and_then(|i| i.get_mut("license"))
        .and_then(Value::as_object_mut)
        && let Some(id) = license.remove("identifier")
    {
        // 3.0 names a license by URL; the SPDX page is that URL.
        let id = id.as_str().context("license identifier is not a string")?;
        license
            .entry("url")
            .or_insert_with(|| json!(format!("https://spdx.org/licenses/{id}.html")));
    }
    if root.get("info").and_then(|i| i.get("summary")).is_some() {
        bail!("info.summary has no OpenAPI 3.0 equivalent");
    }
    if let Some(paths) = root.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            let item = item.as_object_mut().context("path item is not an object")?;
            for (key, op) in item.iter_mut() {
                let at = format!("paths.{path}.{key}");
                match key.as_str() {
                    "parameters" => convert_parameters(op, &at)?,
                    "get" | "put" | "post" | "delete" | "patch" | "head" | "options" | "trace" => {
                        convert_operation(op, &at)?
                    }
                    "summary" | "description" | "servers" => {}
                    other => bail!("{at}: unsupported path item field `{other}`"),
                }
            }
        }
    }
    if let Some(components) = root.get_mut("components").and_then(Value::as_object_mut) {
        for (kind, entries) in components.iter_mut() {
            let entries = entries.as_object_mut().context("components entry")?;
            for (name, entry) in entries.iter_mut() {
                let at = format!("components.{kind}.{name}");
                match kind.as_str() {
                    "schemas" => convert_schema(entry, &at)?,
                    "responses" => convert_response(entry, &at)?,
                    "parameters" => convert_parameter(entry, &at)?,
                    "requestBodies" => convert_content_holder(entry, &at)?,
                    "headers" => convert_parameter(entry, &at)?,
                    "securitySchemes" | "examples" | "links" => {}
                    other => bail!("{at}: components.{other} has no OpenAPI 3.0 equivalent"),
                }
            }
        }
    }
    type_nullable_refs(&mut doc)?;
    Ok(doc)
}

/// OpenAPI 3.0 ignores `nullable` without a sibling `type`; a nullable
/// reference (`allOf: [$ref]`) gets the type of the schema it references.
fn type_nullable_refs(doc: &mut Value) -> Result<()> {
    let types: std::collections::BTreeMap<String, Value> = doc["components"]["schemas"]
        .as_object()
        .map(|schemas| {
            schemas
                .iter()
                .filter_map(|(name, s)| s.get("type").map(|t| (name.clone(), t.clone())))
                .collect()
        })
        .unwrap_or_default();
    fn walk(v: &mut Value, types: &std::collections::BTreeMap<String, Value>) -> Result<()> {
        match v {
            Value::Object(obj) => {
                if obj.get("nullable") == Some(&json!(true)) && !obj.contains_key("type") {
                    let target = obj
                        .get("allOf")
                        .and_then(|a| a.as_array())
                        .filter(|a| a.len() == 1)
                        .and_then(|a| a[0].get("$ref"))
                        .and_then(Value::as_str)
                        .and_then(|r| r.strip_prefix("#/components/schemas/"))
                        .context("a nullable schema without a type or a single reference")?
                        .to_string();
                    let t = types.get(&target).with_context(|| {
                        format!("nullable reference to {target}, which has no type")
                    })?;
                    obj.insert("type".into(), t.clone());
                }
                for child in obj.values_mut() {
                    walk(child, types)?;
                }
            }
            Value::Array(items) => {
                for child in items {
                    walk(child, types)?;
                }
            }
            _ => {}
        }
        Ok(())
    }
    walk(doc, &types)
}

fn convert_operation(op: &mut Value, at: &str) -> Result<()> {
    let op = op.as_object_mut().context("operation is not an object")?;
    if let Some(params) = op.get_mut("parameters") {
        convert_parameters(params, at)?;
    }
    if let Some(body) = op.get_mut("requestBody") {
        convert_content_holder(body, &format!("{at}.requestBody"))?;
    }
    if let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) {
        for (code, response) in responses.iter_mut() {
            convert_response(response, &format!("{at}.responses.{code}"))?;
        }
    }
    if op.contains_key("callbacks") {
        bail!("{at}: callbacks are not translated");
    }
    Ok(())
}

fn convert_parameters(params: &mut Value, at: &str) -> Result<()> {
    for (i, p) in params
        .as_array_mut()
        .context("parameters is not a list")?
        .iter_mut()
        .enumerate()
    {
        convert_parameter(p, &format!("{at}.parameters[{i}]"))?;
    }
    Ok(())
}

fn convert_parameter(p: &mut Value, at: &str) -> Result<()> {
    if let Some(schema) = p.get_mut("schema") {
        convert_schema(schema, &format!("{at}.schema"))?;
    }
    if p.get("content").is_some() {
        convert_content_holder(p, at)?;
    }
    Ok(())
}

fn convert_response(r: &mut Value, at: &str) -> Result<()> {
    if r.get("$ref").is_some() {
        return Ok(());
    }
    convert_content_holder(r, at)?;
    if let Some(headers) = r.get_mut("headers").and_then(Value::as_object_mut) {
        for (name, h) in headers.iter_mut() {
            convert_parameter(h, &format!("{at}.headers.{name}"))?;
        }
    }
    Ok(())
}

fn convert_content_holder(holder: &mut Value, at: &str) -> Result<()> {
    if let Some(content) = holder.get_mut("content").and_then(Value::as_object_mut) {
        for (mime, media) in content.iter_mut() {
            if let Some(schema) = media.get_mut("schema") {
                convert_schema(schema, &format!("{at}.content.{mime}.schema"))?;
            }
        }
    }
    Ok(())
}

/// JSON Schema keywords of 2020-12 that OpenAPI 3.0 cannot express.
const UNTRANSLATABLE: &[&str] = &[
    "prefixItems",
    "if",
    "then",
    "else",
    "dependentSchemas",
    "dependentRequired",
    "unevaluatedProperties",
    "unevaluatedItems",
    "patternProperties",
    "propertyNames",
    "$defs",
    "$id",
    "$anchor",
    "$dynamicRef",
    "contains",
    "minContains",
    "maxContains",
    "contentMediaType",
    "contentEncoding",
    "contentSchema",
];

fn is_null_schema(v: &Value) -> bool {
    v.get("type").and_then(Value::as_str) == Some("null")
        && v.as_object().is_some_and(|o| o.len() == 1)
}

/// Translate one schema (and everything inside it) in place.
pub fn convert_schema(schema: &mut Value, at: &str) -> Result<()> {
    let Some(obj) = schema.as_object_mut() else {
        if schema.is_boolean() {
            bail!("{at}: boolean schemas have no OpenAPI 3.0 equivalent");
        }
        bail!("{at}: a schema must be an object");
    };
    for key in UNTRANSLATABLE {
        if obj.contains_key(*key) {
            bail!("{at}: `{key}` has no OpenAPI 3.0 equivalent");
        }
    }
    // Recurse first, so the rewrites below see translated children.
    if let Some(props) = obj.get_mut("properties").and_then(Value::as_object_mut) {
        for (name, p) in props.iter_mut() {
            convert_schema(p, &format!("{at}.properties.{name}"))?;
        }
    }
    for key in ["items", "not"] {
        if let Some(child) = obj.get_mut(key) {
            convert_schema(child, &format!("{at}.{key}"))?;
        }
    }
    if let Some(ap) = obj.get_mut("additionalProperties")
        && ap.is_object()
    {
        convert_schema(ap, &format!("{at}.additionalProperties"))?;
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(list) = obj.get_mut(key).and_then(Value::as_array_mut) {
            for (i, child) in list.iter_mut().enumerate() {
                if !is_null_schema(child) {
                    convert_schema(child, &format!("{at}.{key}[{i}]"))?;
                }
            }
        }
    }

    // type: [T, "null"] -> type: T, nullable: true
    if let Some(types) = obj.get("type").and_then(Value::as_array).cloned() {
        let mut non_null: Vec<Value> = types.iter().filter(|t| *t != "null").cloned().collect();
        let nullable = non_null.len() != types.len();
        match non_null.len() {
            1 => {
                obj.insert("type".into(), non_null.remove(0));
            }
            0 => bail!("{at}: a schema of type null alone has no OpenAPI 3.0 equivalent"),
            _ => bail!("{at}: several types ({types:?}) have no OpenAPI 3.0 equivalent"),
        }
        if nullable {
            obj.insert("nullable".into(), json!(true));
        }
    } else if obj.get("type").and_then(Value::as_str) == Some("null") {
        bail!("{at}: a schema of type null alone has no OpenAPI 3.0 equivalent");
    }

    // oneOf/anyOf with a null branch -> the other branches, nullable.
    for key in ["oneOf", "anyOf"] {
        let Some(list) = obj.get(key).and_then(Value::as_array).cloned() else {
            continue;
        };
        let rest: Vec<Value> = list
            .iter()
            .filter(|v| !is_null_schema(v))
            .cloned()
            .collect();
        if rest.len() == list.len() {
            continue;
        }
        obj.remove(key);
        obj.insert("nullable".into(), json!(true));
        match rest.len() {
            0 => bail!("{at}: {key} of only null has no OpenAPI 3.0 equivalent"),
            1 => {
                let only = rest.into_iter().next().expect("one branch");
                if only.get("$ref").is_some() {
                    // 3.0 ignores siblings of $ref, so wrap it.
                    obj.insert("allOf".into(), json!([only]));
                } else {
                    let Value::Object(inner) = only else {
                        bail!("{at}: {key} branch is not an object");
                    };
                    for (k, v) in inner {
                        // The field's own description and example say
                        // more than its type's.
                        if obj.contains_key(&k) && ["description", "example"].contains(&k.as_str())
                        {
                            continue;
                        }
                        if obj.contains_key(&k) && k != "nullable" {
                            bail!("{at}: cannot merge `{k}` of a nullable {key} branch");
                        }
                        obj.insert(k, v);
                    }
                }
            }
            _ => {
                obj.insert(key.into(), Value::Array(rest));
            }
        }
    }

    // examples: [a, ...] -> example: a
    if let Some(examples) = obj.remove("examples") {
        let first = examples
            .as_array()
            .and_then(|a| a.first())
            .cloned()
            .with_context(|| format!("{at}: schema examples must be a non-empty list"))?;
        obj.entry("example").or_insert(first);
    }
    // const: v -> enum: [v]
    if let Some(c) = obj.remove("const") {
        obj.insert("enum".into(), json!([c]));
    }
    // exclusiveMinimum: n -> minimum: n, exclusiveMinimum: true
    for (exclusive, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if let Some(n) = obj.get(exclusive).filter(|v| v.is_number()).cloned() {
            obj.insert(bound.into(), n);
            obj.insert(exclusive.into(), json!(true));
        }
    }
    // $ref with siblings -> allOf: [$ref] with the siblings beside it.
    if obj.contains_key("$ref") && obj.len() > 1 {
        let reference = obj.remove("$ref").expect("checked");
        let mut wrapped = Map::new();
        wrapped.insert("$ref".into(), reference);
        obj.insert("allOf".into(), json!([Value::Object(wrapped)]));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nullable_type_arrays_and_refs() {
        let mut s = json!({"type": ["string", "null"], "examples": ["a"]});
        convert_schema(&mut s, "t").unwrap();
        assert_eq!(
            s,
            json!({"type": "string", "nullable": true, "example": "a"})
        );

        let mut s = json!({"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/X"}]});
        convert_schema(&mut s, "t").unwrap();
        assert_eq!(
            s,
            json!({"nullable": true, "allOf": [{"$ref": "#/components/schemas/X"}]})
        );

        let mut s = json!({"$ref": "#/components/schemas/X", "description": "d"});
        convert_schema(&mut s, "t").unwrap();
        assert_eq!(
            s,
            json!({"description": "d", "allOf": [{"$ref": "#/components/schemas/X"}]})
        );
    }

    #[test]
    fn refuses_what_it_cannot_translate() {
        let mut s = json!({"type": ["string", "integer"]});
        assert!(convert_schema(&mut s, "t").is_err());
        let mut s = json!({"prefixItems": []});
        let err = convert_schema(&mut s, "x.y").unwrap_err().to_string();
        assert!(err.contains("x.y") && err.contains("prefixItems"), "{err}");
        let mut s = json!({"type": "null"});
        assert!(convert_schema(&mut s, "t").is_err());
    }

    #[test]
    fn exclusive_bounds_and_const() {
        let mut s = json!({"type": "integer", "exclusiveMinimum": 0, "const": 3});
        convert_schema(&mut s, "t").unwrap();
        assert_eq!(
            s,
            json!({"type": "integer", "minimum": 0, "exclusiveMinimum": true, "enum": [3]})
        );
    }
}
