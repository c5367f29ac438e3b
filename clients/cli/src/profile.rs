//! Login profiles: an endpoint and a token per name, in a file only the
//! user can read.

use std::collections::BTreeMap;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Profiles {
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Profile {
    pub endpoint: String,
    pub token: String,
}

/// `$OVERCAST_CONFIG_DIR`, else `$XDG_CONFIG_HOME/overcast`, else `~/.config/overcast`.
pub fn config_dir() -> Result<PathBuf> {
    if let Ok(dir) = std::env::var("OVERCAST_CONFIG_DIR") {
        return Ok(dir.into());
    }
    if let Ok(dir) = std::env::var("XDG_CONFIG_HOME") {
        return Ok(PathBuf::from(dir).join("overcast"));
    }
    let home = std::env::var("HOME").context("HOME is not set")?;
    Ok(PathBuf::from(home).join(".config/overcast"))
}

pub fn path() -> Result<PathBuf> {
    Ok(config_dir()?.join("profiles.toml"))
}

pub fn load() -> Result<Profiles> {
    let path = path()?;
    match std::fs::read_to_string(&path) {
        Ok(text) => toml::from_str(&text).with_context(|| format!("reading {}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Profiles::default()),
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

/// Save with mode 0600, also when the file existed with a wider mode.
pub fn save(profiles: &Profiles) -> Result<PathBuf> {
    let path = path()?;
    std::fs::create_dir_all(path.parent().expect("has a parent"))?;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&path)
        .with_context(|| format!("writing {}", path.display()))?;
    file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    file.write_all(toml::to_string(profiles)?.as_bytes())?;
    Ok(path)
}

/// The endpoint and token to use: the environment's first, then the profile's.
pub fn resolve(name: &str, endpoint: Option<String>, token: Option<String>) -> Result<Profile> {
    let stored = load()?.profiles.remove(name);
    let endpoint = endpoint.or_else(|| stored.as_ref().map(|p| p.endpoint.clone()));
    let token = token.or_else(|| stored.as_ref().map(|p| p.token.clone()));
    match (endpoint, token) {
        (Some(endpoint), Some(token)) => Ok(Profile { endpoint, token }),
        _ => bail!(
            "not logged in: run `overcast login --endpoint URL --token TOKEN --profile {name}`, \
             or set OVERCAST_ENDPOINT and OVERCAST_TOKEN"
        ),
    }
}
