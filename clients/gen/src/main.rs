//! `overcast-clients-gen write|check`: regenerate the SDKs' generated code,
//! or fail when the committed code differs from what the spec generates.

use anyhow::{Result, bail};

fn main() -> Result<()> {
    match std::env::args().nth(1).as_deref() {
        Some("write") => {
            let root = overcast_clients_gen::root();
            for (path, text) in overcast_clients_gen::generate()? {
                std::fs::write(root.join(path), text)?;
                println!("wrote {path}");
            }
            Ok(())
        }
        Some("check") => {
            let stale = overcast_clients_gen::drift()?;
            if stale.is_empty() {
                println!("generated clients are up to date");
                Ok(())
            } else {
                bail!("{stale:?} differ from what the spec generates; run `cargo xtask clients`")
            }
        }
        _ => bail!("usage: overcast-clients-gen write|check"),
    }
}
