//! The committed reference docs (`docs/`) are what the spec generates:
//! `cargo xtask clients` rewrites them.

use std::path::Path;

#[test]
fn the_committed_docs_match_the_spec() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs");
    let files = overcast_terraform_provider::docs::render(
        &overcast_terraform_provider::schema::Catalog::builtin(),
    );
    let mut stale = Vec::new();
    for (name, text) in &files {
        if std::fs::read_to_string(dir.join(name)).ok().as_deref() != Some(text.as_str()) {
            stale.push(name.clone());
        }
    }
    for sub in ["resources", "data-sources"] {
        for entry in std::fs::read_dir(dir.join(sub)).unwrap() {
            let name = format!("{sub}/{}", entry.unwrap().file_name().to_string_lossy());
            if !files.contains_key(&name) {
                stale.push(name);
            }
        }
    }
    assert!(
        stale.is_empty(),
        "terraform-provider/docs differ from what the spec generates: {stale:?}; run `cargo xtask clients` and commit"
    );
}
