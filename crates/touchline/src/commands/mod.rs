//! The commands.

pub mod calibrate;
pub mod demo;
pub mod detect;
pub mod direct;
pub mod eval_camera;
pub mod eval_tracks;
pub mod process;
pub mod render;
pub mod sim;
pub mod stitch;
pub mod track;

use std::path::{Path, PathBuf};

use anyhow::{bail, Result};

use crate::cli::{Cli, Command};

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Sim(args) => sim::run(&args).map(|_| ()),
        Command::Demo(args) => demo::run(&args),
        Command::Calibrate(args) => {
            let fit = calibrate::run(&args)?;
            let r = &fit.report;
            println!("rig written to {}", args.output.display());
            println!(
                "  {} feature matches fit, {:.2} px rms; {} line points, {:.2} px rms",
                r.matches, r.match_rms_px, r.line_points, r.line_rms_px
            );
            println!(
                "  landmarks: {:.2} px rms in the pictures, {:.3} m rms (worst {:.3} m) on the pitch",
                r.landmark_rms_px, r.landmark_rms_m, r.landmark_max_m
            );
            Ok(())
        }
        Command::Stitch(args) => stitch::run(&args),
        Command::Detect(args) => detect::run(&args),
        Command::Eval(args) if args.yolo => detect::eval(&args),
        Command::Eval(args) => {
            let scores = eval_tracks::evaluate(&args.output, &args.truth, args.rig.as_deref())?;
            eval_tracks::print(&scores);
            if let Some(camera) = &args.camera {
                let tracks = eval_tracks::load_tracks(&args.output)?;
                let truth = eval_tracks::load_truth(&args.truth)?;
                eval_camera::print(&eval_camera::evaluate(camera, &tracks, &truth)?);
            }
            Ok(())
        }
        Command::Direct(args) => direct::run(&args),
        Command::Process(args) => {
            let out = process::run(&args)?;
            println!("processed {} frames:", out.frames);
            for (what, path) in [
                ("follow-cam", &out.follow),
                ("panorama", &out.panorama),
                ("tracks", &out.tracks),
                ("camera path", &out.camera_path),
            ] {
                println!("  {what:<12} {}", path.display());
            }
            Ok(())
        }
        Command::Track(args) => track::run(&args).map(|_| ()),
        Command::Render(args) => render::run(&args),
    }
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
