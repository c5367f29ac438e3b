//! The layering Cargo cannot enforce inside one crate: `http` → `state` →
//! `workflow` → `hosts` → `storage` → `app` → `overcast-db` → `overcast-types`. A file
//! of a layer may import only the layers after it; this test reads every
//! source file and names each line that imports against the direction.
//! (The crate edges, `app` → db → types, Cargo enforces.)

use std::path::{Path, PathBuf};

/// The server's modules, outermost first.
const LAYERS: &[&str] = &["http", "state", "workflow", "hosts", "storage", "app"];

/// What a layer may not name: every layer before it, plus the runtime
/// crates `app` must stay free of.
fn forbidden(layer: &str) -> Vec<String> {
    let at = LAYERS.iter().position(|l| *l == layer).expect("a layer");
    let mut out: Vec<String> = LAYERS[..at].iter().map(|l| format!("crate::{l}")).collect();
    if layer == "app" {
        // Operations are pure functions over a connection: no runtime
        // state, no async runtime, no web framework, no sessions.
        for name in [
            "crate::App",
            "tokio::",
            "axum::",
            "tonic::",
            "overcast_db::Database",
        ] {
            out.push(name.to_string());
        }
    }
    out
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable source dir") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The offending lines of the files of `layer` under `src`, as
/// `path:line: text`.
fn violations(src: &Path, layer: &str) -> Vec<String> {
    let mut files = Vec::new();
    let dir = src.join(layer);
    if dir.is_dir() {
        rust_files(&dir, &mut files);
    }
    let single = src.join(format!("{layer}.rs"));
    if single.is_file() {
        files.push(single);
    }
    let banned = forbidden(layer);
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("readable source");
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            if let Some(b) = banned.iter().find(|b| code.contains(b.as_str())) {
                found.push(format!(
                    "{}:{}: `{}` (the {layer} layer may not use {b})",
                    file.display(),
                    n + 1,
                    line.trim()
                ));
            }
        }
    }
    found
}

#[test]
fn layers_import_only_inward() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut all = Vec::new();
    for layer in LAYERS {
        all.extend(violations(&src, layer));
    }
    assert!(
        all.is_empty(),
        "imports against the layer direction:\n{}",
        all.join("\n")
    );
}

#[test]
fn the_check_catches_a_back_edge() {
    // A scratch tree with one file of `app` importing `http` and one of
    // `hosts` importing `workflow`: both must be named, with their lines.
    let root = std::env::temp_dir().join(format!("overcast-arch-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("app")).unwrap();
    std::fs::create_dir_all(root.join("hosts")).unwrap();
    std::fs::write(
        root.join("app/drives.rs"),
        "//! ok\nuse overcast_db::DbConn;\nuse crate::http::extract::ApiJson;\n",
    )
    .unwrap();
    std::fs::write(
        root.join("hosts/mod.rs"),
        "use crate::app::commands;\n// crate::workflow in a comment is fine\nfn f() { crate::workflow::Engine::new(); }\n",
    )
    .unwrap();
    let app = violations(&root, "app");
    let hosts = violations(&root, "hosts");
    let _ = std::fs::remove_dir_all(&root);
    assert_eq!(app.len(), 1, "{app:?}");
    assert!(app[0].contains("app/drives.rs:3:"), "{app:?}");
    assert!(app[0].contains("crate::http"), "{app:?}");
    assert_eq!(hosts.len(), 1, "{hosts:?}");
    assert!(hosts[0].contains("hosts/mod.rs:3:"), "{hosts:?}");
}
