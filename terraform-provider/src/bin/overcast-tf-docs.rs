//! Write (`write`) or check (`check`) the provider's reference
//! documentation in `terraform-provider/docs/`; run by `cargo xtask
//! clients`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn existing(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for sub in ["", "resources", "data-sources"] {
        if let Ok(entries) = std::fs::read_dir(dir.join(sub)) {
            for e in entries.flatten() {
                let p = e.path();
                if p.extension().is_some_and(|x| x == "md") {
                    out.push(p);
                }
            }
        }
    }
    out
}

fn main() -> ExitCode {
    let check = match std::env::args().nth(1).as_deref() {
        Some("check") => true,
        Some("write") => false,
        _ => {
            eprintln!("usage: overcast-tf-docs write|check");
            return ExitCode::from(2);
        }
    };
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs");
    let files = overcast_terraform_provider::docs::render(
        &overcast_terraform_provider::schema::Catalog::builtin(),
    );
    let wanted: Vec<PathBuf> = files.keys().map(|k| dir.join(k)).collect();
    let mut stale = Vec::new();
    for (name, text) in &files {
        let path = dir.join(name);
        if std::fs::read_to_string(&path).ok().as_deref() == Some(text.as_str()) {
            continue;
        }
        if check {
            stale.push(path);
        } else if let Err(e) = std::fs::create_dir_all(path.parent().expect("has a parent"))
            .and_then(|_| std::fs::write(&path, text))
        {
            eprintln!("{}: {e}", path.display());
            return ExitCode::FAILURE;
        }
    }
    for path in existing(&dir).into_iter().filter(|p| !wanted.contains(p)) {
        if check {
            stale.push(path);
        } else {
            let _ = std::fs::remove_file(&path);
        }
    }
    if !stale.is_empty() {
        eprintln!(
            "the Terraform provider's docs differ from what the spec generates: {stale:?}; run `cargo xtask clients` and commit"
        );
        return ExitCode::FAILURE;
    }
    eprintln!(
        "terraform-provider/docs: {} pages {}",
        files.len(),
        if check { "up to date" } else { "written" }
    );
    ExitCode::SUCCESS
}
