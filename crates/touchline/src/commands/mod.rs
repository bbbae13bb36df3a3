//! The commands.

pub mod demo;
pub mod sim;

use anyhow::Result;

use crate::cli::{Cli, Command};

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Sim(args) => sim::run(&args).map(|_| ()),
        Command::Demo(args) => demo::run(&args),
    }
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
