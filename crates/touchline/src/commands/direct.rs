//! `touchline direct tracks.json -o camera_path.csv`: the automatic camera operator over
//! a tracked match, offline (the whole match at once) or as it would run live on a
//! fixed delay (`--delay`).

use std::io::Write;

use anyhow::{bail, Context, Result};
use touchline_core::camera_path::{CameraPath, PathKey};
use touchline_core::geometry::{ImageSize, ViewAngles};
use touchline_direct::aim::Aim;
use touchline_direct::{Director, DirectorOptions, LiveDirector, Play};
use touchline_track::tracks::TracksFile;

use super::eval_tracks::load_tracks;
use crate::cli::DirectArgs;
use crate::output::Partial;

/// What the director sees of each frame of a tracks file.
pub fn plays(tracks: &TracksFile) -> Vec<Play> {
    tracks
        .frames
        .iter()
        .map(gsttouchline::director::play)
        .collect()
}

/// The view of every frame, offline or live on `delay_s`.
pub fn direct(tracks: &TracksFile, view: ImageSize, delay_s: Option<f64>) -> Vec<ViewAngles> {
    let aim = Aim::new(tracks.panorama, view);
    let plays = plays(tracks);
    let options = DirectorOptions::default();
    match delay_s {
        None => Director::new(aim, tracks.fps, options).direct(&plays),
        Some(delay) => {
            let mut live = LiveDirector::new(aim, tracks.fps, options, delay);
            let mut views: Vec<ViewAngles> = plays.iter().filter_map(|p| live.push(p)).collect();
            views.extend(live.finish());
            views
        }
    }
}

/// One key per frame, at the frame's time.
pub fn camera_path(views: &[ViewAngles], fps: f64) -> Result<CameraPath> {
    let keys = views
        .iter()
        .enumerate()
        .map(|(i, &angles)| PathKey {
            time_s: i as f64 / fps,
            angles,
        })
        .collect();
    Ok(CameraPath::new(keys)?)
}

/// Runs `touchline direct`.
pub fn run(args: &DirectArgs) -> Result<()> {
    if let Some(delay) = args.delay {
        if !(delay.is_finite() && delay >= 0.0) {
            bail!("--delay must be a number of seconds ≥ 0, got {delay}");
        }
    }
    let view = ImageSize::new(args.width, args.height)
        .map_err(|e| anyhow::anyhow!("--width/--height: {e}"))?;
    let tracks = load_tracks(&args.tracks)?;
    if tracks.frames.is_empty() {
        bail!("{} has no frames", args.tracks.display());
    }
    if !(tracks.fps.is_finite() && tracks.fps > 0.0) {
        bail!(
            "{}: frame rate {} is not usable",
            args.tracks.display(),
            tracks.fps
        );
    }
    let output = Partial::reserve(&args.output)?;
    let path = camera_path(&direct(&tracks, view, args.delay), tracks.fps)?;
    let mut file = output.create()?;
    file.write_all(path.to_csv().as_bytes())
        .and_then(|_| file.flush())
        .with_context(|| format!("cannot write {}", args.output.display()))?;
    drop(file);
    let written = output.commit()?;
    let mode = match args.delay {
        Some(d) => format!("live on a {d} s delay"),
        None => "offline".to_owned(),
    };
    println!(
        "wrote {} ({} frames, {mode})",
        written.display(),
        path.keys().len()
    );
    Ok(())
}
