//! Reference documentation in the Terraform Registry's layout
//! (`docs/index.md`, `docs/resources/*.md`, `docs/data-sources/*.md`),
//! generated from the same catalog the provider serves, with an example
//! per resource built from the spec's example bodies. `cargo xtask
//! clients` writes it; `cargo xtask test` fails if it is stale.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::Value as Json;

use crate::schema::{Attribute, Catalog, DataSource, Kind, Mutability};
use crate::value::Type;

/// Every documentation file, by path under `terraform-provider/docs/`.
pub fn render(catalog: &Catalog) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    files.insert("index.md".to_string(), index());
    for kind in catalog.resources.values() {
        files.insert(format!("resources/{}.md", kind.noun), resource(kind));
    }
    for ds in catalog.data_sources.values() {
        files.insert(
            format!(
                "data-sources/{}.md",
                ds.type_name.trim_start_matches("overcast_")
            ),
            data_source(ds),
        );
    }
    files
}

fn front_matter(title: &str, description: &str) -> String {
    let description = description.lines().next().unwrap_or_default();
    format!(
        "---\npage_title: \"{title} - overcast\"\nsubcategory: \"\"\ndescription: |-\n  {description}\n---\n\n"
    )
}

fn index() -> String {
    let mut out = front_matter(
        "Provider",
        "Overcast: instances, drives, IP addresses and the tenancy around them.",
    );
    out.push_str("# Overcast Provider\n\n");
    out.push_str(
        "Builds instances, drives, IP addresses, SSH keys and projects on an Overcast cloud, and \
         lets an operator or a reseller manage partners, accounts, users, tokens, IP pools and \
         images. Every resource and data source is derived from Overcast's OpenAPI document.\n\n",
    );
    out.push_str("## Example Usage\n\n```terraform\n");
    out.push_str(include_str!("../examples/basic/main.tf"));
    out.push_str("```\n\n## Schema\n\n### Optional\n\n");
    for (name, description, sensitive) in crate::provider::PROVIDER_ATTRS {
        let s = if *sensitive { ", Sensitive" } else { "" };
        let _ = writeln!(out, "- `{name}` (String{s}) {description}");
    }
    out
}

fn type_label(ty: &Type) -> String {
    match ty {
        Type::String => "String".into(),
        Type::Number => "Number".into(),
        Type::Bool => "Boolean".into(),
        Type::List(t) => format!("List of {}", type_label(t)),
        Type::Set(t) => format!("Set of {}", type_label(t)),
        Type::Map(t) => format!("Map of {}", type_label(t)),
        Type::Object(_) => "Object".into(),
    }
}

fn attribute_line(a: &Attribute) -> String {
    let mut flags = type_label(&a.ty);
    if a.sensitive {
        flags.push_str(", Sensitive");
    }
    let mut text = a.description.replace('\n', " ");
    let note = match a.mutability {
        Mutability::Replace if a.in_create => " Changing it replaces the resource.",
        Mutability::RequiresStop if a.hand_updated => {
            " Changed in place; the instance is stopped around the change."
        }
        _ => "",
    };
    text.push_str(note);
    if !a.check.one_of.is_empty() {
        let _ = write!(text, " One of: `{}`.", a.check.one_of.join("`, `"));
    }
    if let Type::Object(fields) = &a.ty {
        let names: Vec<&str> = fields.keys().map(String::as_str).collect();
        let _ = write!(text, " Attributes: `{}`.", names.join("`, `"));
    }
    format!("- `{}` ({flags}) {}\n", a.name, text.trim())
}

fn schema_sections(attributes: &[Attribute], out: &mut String) {
    for (title, pick) in [
        (
            "Required",
            (|a: &Attribute| a.required) as fn(&Attribute) -> bool,
        ),
        ("Optional", |a: &Attribute| a.optional),
        ("Read-Only", |a: &Attribute| {
            a.computed && !a.optional && !a.required
        }),
    ] {
        let lines: Vec<String> = attributes
            .iter()
            .filter(|a| pick(a))
            .map(attribute_line)
            .collect();
        if lines.is_empty() {
            continue;
        }
        let _ = writeln!(out, "### {title}\n");
        for l in lines {
            out.push_str(&l);
        }
        out.push('\n');
    }
}

/// An HCL value from a spec example.
fn hcl(v: &Json, indent: usize) -> String {
    match v {
        Json::String(s) => serde_json::to_string(s)
            .unwrap_or_default()
            .replace("${", "$${"),
        Json::Array(items) => format!(
            "[{}]",
            items
                .iter()
                .map(|i| hcl(i, indent))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Json::Object(map) => {
            let pad = " ".repeat(indent + 2);
            let width = map.keys().map(String::len).max().unwrap_or(0);
            let body: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{pad}{k:width$} = {}", hcl(v, indent + 2)))
                .collect();
            format!("{{\n{}\n{}}}", body.join("\n"), " ".repeat(indent))
        }
        other => other.to_string(),
    }
}

fn resource_example(kind: &Kind) -> String {
    let mut lines: Vec<(String, String)> = Vec::new();
    if kind.attribute("project").is_some_and(|a| a.scope) {
        lines.push(("project".into(), "\"web\"".into()));
    }
    for a in kind.attributes.iter().filter(|a| a.in_create && !a.scope) {
        // The quick form (an image) rather than a composed boot drive.
        if kind.type_name == "overcast_instance" && a.name == "boot_drive" {
            continue;
        }
        if let Some(v) = &a.example {
            lines.push((a.name.clone(), hcl(v, 2)));
        }
    }
    let width = lines.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    let body: Vec<String> = lines
        .iter()
        .map(|(k, v)| format!("  {k:width$} = {v}"))
        .collect();
    format!(
        "resource \"{}\" \"example\" {{\n{}\n}}\n",
        kind.type_name,
        body.join("\n")
    )
}

fn resource(kind: &Kind) -> String {
    let mut out = front_matter(&format!("{} Resource", kind.type_name), &kind.description);
    let _ = writeln!(
        out,
        "# {} (Resource)\n\n{}\n",
        kind.type_name, kind.description
    );
    let _ = writeln!(
        out,
        "## Example Usage\n\n```terraform\n{}```\n",
        resource_example(kind)
    );
    out.push_str("## Schema\n\n");
    schema_sections(&kind.attributes, &mut out);
    out.push_str("### Nested Schema for `timeouts`\n\nOptional: `create`, `update`, `delete`, each a duration such as `30s`, `10m` or `1h` (default 20m).\n\n");
    let scopes: Vec<&str> = ["account", "project"]
        .into_iter()
        .filter(|s| kind.attribute(s).is_some_and(|a| a.scope))
        .collect();
    let _ = writeln!(
        out,
        "## Import\n\nBy id, by name{}:\n\n```shell\nterraform import {}.example {}example\n```",
        if scopes.is_empty() {
            String::new()
        } else {
            format!(", or by `{}/name`", scopes.join("/"))
        },
        kind.type_name,
        scopes
            .iter()
            .map(|s| format!("{s}-name/"))
            .collect::<String>()
    );
    out
}

fn data_source(ds: &DataSource) -> String {
    let mut out = front_matter(&format!("{} Data Source", ds.type_name), &ds.description);
    let _ = writeln!(
        out,
        "# {} (Data Source)\n\n{}\n",
        ds.type_name, ds.description
    );
    let example = if ds.list {
        format!("data \"{}\" \"all\" {{}}\n", ds.type_name)
    } else {
        format!(
            "data \"{}\" \"example\" {{\n  name = \"example\"\n}}\n",
            ds.type_name
        )
    };
    let _ = writeln!(out, "## Example Usage\n\n```terraform\n{example}```\n");
    out.push_str("## Schema\n\n");
    schema_sections(&ds.attributes, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_resource_and_data_source_has_a_page_with_an_example() {
        let catalog = Catalog::builtin();
        let files = render(&catalog);
        assert_eq!(
            files.len(),
            1 + catalog.resources.len() + catalog.data_sources.len()
        );
        let drive = &files["resources/drive.md"];
        assert!(
            drive.contains("resource \"overcast_drive\" \"example\""),
            "{drive}"
        );
        assert!(drive.contains("size_bytes"), "{drive}");
        assert!(
            drive.contains("Changing it replaces the resource."),
            "{drive}"
        );
        assert!(
            drive.contains("terraform import overcast_drive.example"),
            "{drive}"
        );
        let instance = &files["resources/instance.md"];
        assert!(instance.contains("`power_state`"), "{instance}");
        assert!(instance.contains("stopped around the change"), "{instance}");
    }
}
