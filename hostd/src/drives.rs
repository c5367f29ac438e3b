//! Drives on this host: sparse raw files in the storage directory (the seed
//! platforms' local RAID), one per drive, named by the drive's id.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::tgt::Tgt;

pub struct DriveStore {
    pub dir: PathBuf,
}

impl DriveStore {
    pub fn new(dir: impl Into<PathBuf>) -> Result<Self> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        Ok(Self { dir })
    }

    pub fn path(&self, drive: &uuid::Uuid) -> PathBuf {
        self.dir.join(format!("{drive}.raw"))
    }

    /// Make the drive (idempotent): blank and sparse, or a sparse copy (a
    /// reflink where the filesystem can) of an image, then sized.
    pub fn ensure(
        &self,
        drive: &uuid::Uuid,
        size_bytes: u64,
        image: Option<&Path>,
    ) -> Result<PathBuf> {
        let path = self.path(drive);
        if path.exists() {
            return Ok(path);
        }
        // Build under a temporary name so a crash never leaves a half-made drive.
        let partial = self.dir.join(format!("{drive}.partial"));
        match image {
            Some(source) => {
                let status = Command::new("cp")
                    .args(["--reflink=auto", "--sparse=always"])
                    .arg(source)
                    .arg(&partial)
                    .status()
                    .context("running cp")?;
                if !status.success() {
                    let _ = std::fs::remove_file(&partial);
                    bail!("copying {} failed", source.display());
                }
                let image_size = std::fs::metadata(&partial)?.len();
                if image_size > size_bytes {
                    let _ = std::fs::remove_file(&partial);
                    bail!("the image is {image_size} bytes, larger than the drive's {size_bytes}");
                }
            }
            None => {
                std::fs::File::create(&partial)?;
            }
        }
        std::fs::OpenOptions::new()
            .write(true)
            .open(&partial)?
            .set_len(size_bytes)?;
        std::fs::rename(&partial, &path)?;
        Ok(path)
    }

    /// Grow the drive; drives never shrink.
    pub fn grow(&self, drive: &uuid::Uuid, size_bytes: u64) -> Result<()> {
        let path = self.path(drive);
        let file = std::fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .with_context(|| format!("opening {}", path.display()))?;
        let current = file.metadata()?.len();
        if size_bytes < current {
            bail!("drives never shrink: {size_bytes} is below {current}");
        }
        file.set_len(size_bytes)?;
        Ok(())
    }

    /// Delete the drive: its export first, so no initiator writes to a file
    /// that is going away, then the file (idempotent).
    pub fn delete(&self, drive: &uuid::Uuid, tgt: &Tgt) -> Result<()> {
        tgt.remove_export(drive)?;
        match std::fs::remove_file(self.path(drive)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
            _ => Ok(()),
        }
    }

    /// The drives this host holds, by id.
    pub fn inventory(&self) -> Result<Vec<uuid::Uuid>> {
        let mut ids = Vec::new();
        for entry in std::fs::read_dir(&self.dir)? {
            let name = entry?.file_name();
            if let Some(Ok(id)) = name
                .to_str()
                .and_then(|n| n.strip_suffix(".raw"))
                .map(str::parse)
            {
                ids.push(id);
            }
        }
        ids.sort();
        Ok(ids)
    }
}
