//! Detection plus tracking alone, at full use of the machine: panorama frames are
//! decoded into memory first, so nothing else competes for the cores while the clock
//! runs. Prints milliseconds per frame for each stage (the learned detector averaged
//! over its duty cycle) and the frames per second they add up to.
//!
//!   cargo bench -p touchline --bench detect_track -- PANORAMA.mp4 RIG.toml [FRAMES]
//!
//! `bench/track_speed.sh` makes the inputs and runs this beside its peer.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use touchline::media::decode;
use touchline_core::geometry::Rig;
use touchline_core::warp::{Frame, PixelFormat};
use touchline_detect::scene::Scene;
use touchline_track::{MatchTracker, TrackerOptions};

fn main() -> Result<()> {
    // `cargo bench` adds `--bench`; the rest are ours.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let [panorama, rig, rest @ ..] = args.as_slice() else {
        bail!("usage: detect_track PANORAMA.mp4 RIG.toml [FRAMES]");
    };
    let frames: u64 = match rest.first() {
        Some(n) => n.parse().context("FRAMES must be a whole number")?,
        None => 500,
    };
    let rig = Rig::load(&PathBuf::from(rig))?;
    let keep: Vec<u64> = (0..frames).collect();
    let (info, decoded) = decode(&PathBuf::from(panorama), &keep)?;
    if decoded.is_empty() {
        bail!("{panorama} has no frames");
    }
    let scene = Scene::new(rig.panorama, rig.pitch)?;
    let mut tracker = MatchTracker::new(
        scene,
        f64::from(info.fps.0) / f64::from(info.fps.1.max(1)),
        TrackerOptions::default(),
    )?;

    let (mut foreground, mut learned, mut tracking) = (0.0, 0.0, 0.0);
    let started = Instant::now();
    for (_, picture) in &decoded {
        let frame = Frame::packed(PixelFormat::I420, picture.size(), picture.as_bytes())?;
        let tracked = tracker.process(&frame)?;
        foreground += tracked.foreground_ms;
        learned += tracked.learned_ms;
        tracking += tracked.tracking_ms;
    }
    let wall_ms = started.elapsed().as_secs_f64() * 1e3;
    let n = decoded.len() as f64;
    let size = decoded[0].1.size();
    println!(
        "detection + tracking on {} panorama frames of {}×{}: {:.2} ms per frame = {:.1} fps \
         (background model and candidates {:.2} ms, learned detector {:.2} ms, trackers {:.2} ms)",
        decoded.len(),
        size.width,
        size.height,
        wall_ms / n,
        1e3 * n / wall_ms,
        foreground / n,
        learned / n,
        tracking / n
    );
    Ok(())
}
