//! Output folders and files that only appear under their final name once complete.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// Creates `dir` if needed and checks that files can be written in it.
pub fn prepare_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create output folder {}", dir.display()))?;
    let probe = dir.join(".touchline-write-test");
    File::create(&probe)
        .with_context(|| format!("cannot write to output folder {}", dir.display()))?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

/// A file written under `NAME.partial` and renamed to `NAME` by [`Partial::commit`];
/// dropped uncommitted, it is removed, so a failed run never leaves a file that looks
/// finished.
pub struct Partial {
    final_path: PathBuf,
    partial_path: PathBuf,
    committed: bool,
}

impl Partial {
    /// Reserves `path`.
    pub fn new(path: &Path) -> Partial {
        let mut partial = path.as_os_str().to_owned();
        partial.push(".partial");
        Partial {
            final_path: path.to_owned(),
            partial_path: PathBuf::from(partial),
            committed: false,
        }
    }

    /// Reserves `path` for a result that another process (a GStreamer pipeline) will
    /// write: creates its folder if needed and the partial file now, so that an
    /// unwritable output stops a command before any work.
    pub fn reserve(path: &Path) -> Result<Partial> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create output folder {}", dir.display()))?;
        }
        let partial = Partial::new(path);
        File::create(&partial.partial_path)
            .with_context(|| format!("cannot write output file {}", path.display()))?;
        Ok(partial)
    }

    /// Where to write meanwhile.
    pub fn path(&self) -> &Path {
        &self.partial_path
    }

    /// Opens the partial file for buffered writing.
    pub fn create(&self) -> Result<BufWriter<File>> {
        let file = File::create(&self.partial_path)
            .with_context(|| format!("cannot create {}", self.partial_path.display()))?;
        Ok(BufWriter::with_capacity(1 << 20, file))
    }

    /// Renames the finished file to its final name.
    pub fn commit(mut self) -> Result<PathBuf> {
        std::fs::rename(&self.partial_path, &self.final_path)
            .with_context(|| format!("cannot move {} into place", self.final_path.display()))?;
        self.committed = true;
        Ok(self.final_path.clone())
    }
}

impl Drop for Partial {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_file(&self.partial_path);
        }
    }
}
