//! The provider's `.proto` must match Terraform's published protocol
//! exactly: every field it declares is checked against a table kept from
//! the protocol documentation (`tfplugin6_fields.txt`), by name, number,
//! label and type. The handshake is checked by starting the binary as
//! go-plugin does.

use std::collections::BTreeMap;

use prost::Message;
use prost_types::field_descriptor_proto::{Label, Type};
use prost_types::{DescriptorProto, FileDescriptorSet};

/// `message.field` → (number, label, type) from the documentation.
fn documented() -> BTreeMap<String, (i32, String, String)> {
    include_str!("tfplugin6_fields.txt")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let parts: Vec<&str> = l.split_whitespace().collect();
            let (label, ty) = match parts.as_slice() {
                [_, _, label, ty] => (label.to_string(), ty.to_string()),
                [_, _, ty] => (String::new(), ty.to_string()),
                _ => panic!("bad table line {l:?}"),
            };
            (parts[0].to_string(), (parts[1].parse().unwrap(), label, ty))
        })
        .collect()
}

fn walk(prefix: &str, m: &DescriptorProto, out: &mut Vec<(String, i32, String, String)>) {
    let name = if prefix.is_empty() {
        m.name().to_string()
    } else {
        format!("{prefix}.{}", m.name())
    };
    for nested in &m.nested_type {
        if nested.options.as_ref().is_some_and(|o| o.map_entry()) {
            continue;
        }
        walk(&name, nested, out);
    }
    for f in &m.field {
        let type_name = f
            .type_name()
            .rsplit('.')
            .next()
            .unwrap_or_default()
            .to_string();
        let (label, ty) = match f.r#type() {
            Type::Message if type_name.ends_with("Entry") => {
                let entry = m
                    .nested_type
                    .iter()
                    .find(|n| n.name() == type_name)
                    .expect("map entry");
                let kv: Vec<String> = entry
                    .field
                    .iter()
                    .map(|f| match f.r#type() {
                        Type::Message | Type::Enum => f
                            .type_name()
                            .rsplit('.')
                            .next()
                            .unwrap_or_default()
                            .to_string(),
                        t => scalar(t),
                    })
                    .collect();
                (String::new(), format!("map<{},{}>", kv[0], kv[1]))
            }
            Type::Message | Type::Enum => (label_of(f), type_name),
            t => (label_of(f), scalar(t)),
        };
        out.push((format!("{name}.{}", f.name()), f.number(), label, ty));
    }
}

fn label_of(f: &prost_types::FieldDescriptorProto) -> String {
    if f.label() == Label::Repeated {
        "repeated".into()
    } else if f.proto3_optional() {
        "optional".into()
    } else {
        String::new()
    }
}

fn scalar(t: Type) -> String {
    t.as_str_name().trim_start_matches("TYPE_").to_lowercase()
}

#[test]
fn every_field_matches_the_protocol_documentation() {
    let set = FileDescriptorSet::decode(overcast_terraform_provider::proto::DESCRIPTORS).unwrap();
    let file = set
        .file
        .iter()
        .find(|f| f.package() == "tfplugin6")
        .expect("tfplugin6 is compiled");
    let mut fields = Vec::new();
    for m in &file.message_type {
        walk("", m, &mut fields);
    }
    let table = documented();
    assert!(fields.len() > 100, "only {} fields found", fields.len());
    let mut wrong = Vec::new();
    for (name, number, label, ty) in &fields {
        match table.get(name) {
            None => wrong.push(format!("{name}: not in the protocol documentation")),
            Some(want) if *want != (*number, label.clone(), ty.clone()) => wrong.push(format!(
                "{name}: ours {number} {label} {ty}, documented {want:?}"
            )),
            Some(_) => {}
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_service_names_are_terraforms() {
    let set = FileDescriptorSet::decode(overcast_terraform_provider::proto::DESCRIPTORS).unwrap();
    let services: Vec<String> = set
        .file
        .iter()
        .flat_map(|f| {
            f.service
                .iter()
                .map(move |s| format!("{}.{}", f.package(), s.name()))
        })
        .collect();
    assert_eq!(
        services,
        vec!["tfplugin6.Provider", "plugin.GRPCController"]
    );
}

/// Start the binary as go-plugin does and read its handshake line.
fn handshake(env: &[(&str, &str)]) -> (Option<i32>, String, String) {
    use std::io::{BufRead, BufReader};
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_terraform-provider-overcast"))
        .env(
            overcast_terraform_provider::plugin::MAGIC_COOKIE_KEY,
            overcast_terraform_provider::plugin::MAGIC_COOKIE_VALUE,
        )
        .envs(env.iter().copied())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let _ = child.kill();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        line,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_handshake_line_announces_protocol_6_and_a_certificate_for_auto_mtls() {
    // A client certificate as go-plugin makes one: ECDSA P-521.
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512).unwrap();
    let cert = rcgen::CertificateParams::new(vec!["localhost".into()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    let (_, line, stderr) = handshake(&[
        ("PLUGIN_PROTOCOL_VERSIONS", "5,6"),
        ("PLUGIN_CLIENT_CERT", &cert.pem()),
    ]);
    let parts: Vec<&str> = line.trim_end().split('|').collect();
    assert_eq!(parts.len(), 6, "{line:?} {stderr}");
    assert_eq!(&parts[..3], &["1", "6", "unix"]);
    assert_eq!(parts[4], "grpc");
    use base64::Engine as _;
    let der = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(parts[5])
        .expect("the certificate is unpadded base64");
    assert!(der.len() > 100, "a DER certificate");
    // Without AutoMTLS there is no certificate field.
    let (_, line, _) = handshake(&[]);
    assert!(line.trim_end().ends_with("|grpc|"), "{line:?}");
}

#[test]
fn a_terraform_without_protocol_6_is_refused_with_the_reason() {
    let (code, line, stderr) = handshake(&[("PLUGIN_PROTOCOL_VERSIONS", "4,5")]);
    assert_eq!(code, Some(1));
    assert!(line.is_empty());
    assert!(stderr.contains("speaks version 6 only"), "{stderr}");
}
