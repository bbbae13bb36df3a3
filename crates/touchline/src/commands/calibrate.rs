//! `touchline calibrate`: rig.toml from two recordings and a few landmarks.

use std::path::Path;

use anyhow::{bail, Context, Result};
use touchline_core::calibration::{fit_rig, match_overlap, parse_landmarks, FitOptions, RigFit};
use touchline_core::geometry::ImageSize;
use touchline_core::image::I420Frame;
use touchline_core::warp::{Frame, PixelFormat};

use super::frame_progress;
use crate::cli::CalibrateArgs;
use crate::media::decode;
use crate::output::Partial;

/// Frames between the frame pairs whose features are matched: a second or so apart,
/// so that players have moved and the matches on the static pitch dominate.
const PAIR_SPACING: u64 = 30;

fn luma(frame: &I420Frame) -> Result<Frame<'_>> {
    Ok(Frame::packed(
        PixelFormat::I420,
        frame.size(),
        frame.as_bytes(),
    )?)
}

/// Runs the calibration and writes the rig; returns the fit.
pub fn run(args: &CalibrateArgs) -> Result<RigFit> {
    let (sport, pitch) = args.pitch.parse()?;
    if !(1..=64).contains(&args.pairs) {
        bail!("invalid --pairs: {} must be between 1 and 64", args.pairs);
    }
    // Refuse an unwritable output before the work, not after.
    let file = Partial::reserve(&args.output)?;
    let landmarks_text = std::fs::read_to_string(&args.landmarks)
        .with_context(|| format!("cannot read landmarks file {}", args.landmarks.display()))?;
    let landmarks = parse_landmarks(&landmarks_text)
        .with_context(|| format!("in {}", args.landmarks.display()))?;

    let keep: Vec<u64> = (0..args.pairs as u64).map(|i| i * PAIR_SPACING).collect();
    let bar = frame_progress(2, "decoding");
    let decoded = |path: &Path| -> Result<Vec<I420Frame>> {
        let (_, frames) = decode(path, &keep)?;
        bar.inc(1);
        Ok(frames.into_iter().map(|(_, f)| f).collect())
    };
    let left = decoded(&args.left)?;
    let right = decoded(&args.right)?;
    bar.finish_and_clear();
    let (Some(first_left), Some(first_right)) = (left.first(), right.first()) else {
        bail!("the recordings hold no frames to calibrate from");
    };
    let size: ImageSize = first_left.size();
    if first_right.size() != size {
        bail!(
            "the recordings differ in size: {}×{} and {}×{}",
            size.width,
            size.height,
            first_right.size().width,
            first_right.size().height
        );
    }

    let mut matches = Vec::new();
    let mut last = None;
    for (l, r) in left.iter().zip(&right) {
        let (l, r) = (luma(l)?, luma(r)?);
        matches.extend(match_overlap(&l.planes[0], &r.planes[0]));
        last = Some((l, r));
    }
    let Some((last_left, last_right)) = last else {
        bail!("the recordings hold no frames to calibrate from");
    };
    let options = FitOptions {
        sport,
        pitch,
        panorama_width: args.panorama_width,
    };
    let fit = fit_rig(
        &matches,
        &landmarks,
        Some([&last_left.planes[0], &last_right.planes[0]]),
        size,
        &options,
    )
    .context("calibration failed")?;

    fit.rig.save(file.path())?;
    file.commit()?;
    Ok(fit)
}
