//! Write the provider's reference documentation into
//! `terraform-provider/docs/` (run by `cargo xtask clients`; the check
//! that it is current is `tests/docs.rs`).

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    if std::env::args().nth(1).as_deref() != Some("write") {
        eprintln!("usage: overcast-tf-docs write");
        return ExitCode::from(2);
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs");
    let files = overcast_terraform_provider::docs::render(
        &overcast_terraform_provider::schema::Catalog::builtin(),
    );
    // Pages of resources that no longer exist go.
    for sub in ["resources", "data-sources"] {
        for entry in std::fs::read_dir(dir.join(sub))
            .into_iter()
            .flatten()
            .flatten()
        {
            let name = format!("{sub}/{}", entry.file_name().to_string_lossy());
            if !files.contains_key(&name) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
    for (name, text) in &files {
        let path = dir.join(name);
        if let Err(e) = std::fs::create_dir_all(path.parent().expect("has a parent"))
            .and_then(|_| std::fs::write(&path, text))
        {
            eprintln!("{}: {e}", path.display());
            return ExitCode::FAILURE;
        }
    }
    eprintln!("terraform-provider/docs: {} pages written", files.len());
    ExitCode::SUCCESS
}
