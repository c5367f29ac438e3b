//! `overcast-api-spec write|check`: regenerate the committed OpenAPI
//! documents, or fail when they drift from the code.

fn main() -> anyhow::Result<()> {
    match std::env::args().nth(1).as_deref() {
        Some("write") => {
            overcast_api_spec::write()?;
            println!(
                "wrote {} and {}",
                overcast_api_spec::SPEC_31,
                overcast_api_spec::SPEC_30
            );
            Ok(())
        }
        Some("check") => {
            let stale = overcast_api_spec::drift()?;
            if stale.is_empty() {
                println!("OpenAPI documents are up to date");
                Ok(())
            } else {
                anyhow::bail!(
                    "{stale:?} differ from the code; run `{}`",
                    overcast_api_spec::REGENERATE
                )
            }
        }
        _ => anyhow::bail!("usage: overcast-api-spec write|check"),
    }
}
