//! The commands.

pub mod demo;
pub mod render;
pub mod sim;
pub mod stitch;

use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Result};
use touchline_core::geometry::Rig;

use crate::cli::{Cli, Command};

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Sim(args) => sim::run(&args).map(|_| ()),
        Command::Demo(args) => demo::run(&args),
        Command::Stitch(args) => stitch::run(&args),
        Command::Render(args) => render::run(&args),
    }
}

/// Loads a rig file. The core's message already ends with the I/O error's, so the
/// error carries it as text rather than as a chain that would print it twice.
pub fn load_rig(path: &Path) -> Result<Rig> {
    Rig::load(path).map_err(|e| anyhow!("{e}"))
}

/// The rig file a command uses: the one given, or rig.toml beside `input` (where
/// `touchline sim` writes it next to the videos).
pub fn rig_beside(given: Option<&Path>, input: &Path) -> Result<PathBuf> {
    if let Some(rig) = given {
        return Ok(rig.to_owned());
    }
    let beside = input
        .parent()
        .unwrap_or_else(|| Path::new(""))
        .join("rig.toml");
    if !beside.is_file() {
        bail!(
            "no rig given and no rig.toml beside {}: pass --rig",
            input.display()
        );
    }
    Ok(beside)
}

/// A progress bar for `total` frames on standard error (hidden when that is no terminal).
pub fn frame_progress(total: u64, what: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(total);
    let style = indicatif::ProgressStyle::with_template(
        "{msg} {bar:40.cyan/blue} {pos}/{len} frames, {per_sec}, ETA {eta}",
    )
    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    bar.set_style(style);
    bar.set_message(what.to_owned());
    bar
}
