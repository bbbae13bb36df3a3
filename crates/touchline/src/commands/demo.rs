//! `touchline demo`: the embedded default job, on the simulated match.

use anyhow::{Context, Result};
use touchline_core::camera_path::{CameraPath, PathKey};
use touchline_core::geometry::{ImageSize, Sport, ViewAngles};
use touchline_core::image::I420Frame;
use touchline_sim::SimConfig;

use super::sim::simulate_to;
use super::{render, stitch};
use crate::cli::{DemoArgs, RenderArgs, StitchArgs};

/// Seed of the demo match.
pub const DEMO_SEED: u64 = 7;

/// `touchline demo`.
pub fn run(args: &DemoArgs) -> Result<()> {
    let sport = Sport::Football;
    let size = ImageSize::new(1920, 1080)?;
    let config = SimConfig::new(sport, sport.pitch(), size, DEMO_SEED, args.seconds, 25)?;
    let middle = config.frame_count() / 2;
    let outputs = simulate_to(&args.output, config, Some(middle))?;
    let preview_path = args.output.join("preview.png");
    save_preview(&outputs.preview, &preview_path)?;

    // The panorama, and a virtual camera sweeping slowly across it. (Following play
    // is the director's job; this shows the stitcher and the virtual camera.)
    let panorama = args.output.join("panorama.mp4");
    stitch::run(&StitchArgs {
        left: outputs.videos[0].clone(),
        right: outputs.videos[1].clone(),
        rig: Some(outputs.rig.clone()),
        output: panorama.clone(),
    })?;
    let path_csv = args.output.join("path.csv");
    std::fs::write(&path_csv, sweep(args.seconds)?.to_csv())
        .with_context(|| format!("cannot write {}", path_csv.display()))?;
    let view = args.output.join("view.mp4");
    render::run(&RenderArgs {
        panorama: panorama.clone(),
        rig: Some(outputs.rig.clone()),
        path: path_csv.clone(),
        width: 1920,
        height: 1080,
        bicubic: false,
        output: view.clone(),
    })?;
    println!(
        "Touchline demo: a {} s simulated match (seed {DEMO_SEED}), score {}–{}",
        args.seconds, outputs.score[0], outputs.score[1]
    );
    for video in &outputs.videos {
        println!("  camera video   {}", video.display());
    }
    println!("  rig            {}", outputs.rig.display());
    println!("  ground truth   {}", outputs.truth.display());
    println!("  preview        {}", preview_path.display());
    println!("  panorama       {}", panorama.display());
    println!("  camera path    {}", path_csv.display());
    println!("  virtual camera {}", view.display());
    Ok(())
}

/// A camera path that sweeps from one goal to the other and back every 20 s.
fn sweep(seconds: f64) -> Result<CameraPath> {
    const LEG_S: f64 = 10.0;
    let legs = (seconds / LEG_S).ceil().max(1.0) as usize;
    let keys = (0..=legs)
        .map(|i| {
            let side = if i % 2 == 0 { -1.0 } else { 1.0 };
            PathKey {
                time_s: i as f64 * LEG_S,
                angles: ViewAngles {
                    pan_deg: side * 38.0,
                    tilt_deg: 10.0,
                    fov_deg: 34.0,
                },
            }
        })
        .collect();
    Ok(CameraPath::new(keys)?)
}

/// Both cameras' frames side by side, at half size, as a PNG.
pub fn save_preview(frames: &[I420Frame], path: &std::path::Path) -> Result<()> {
    let Some(first) = frames.first() else {
        anyhow::bail!("no frames to preview");
    };
    let size = first.size();
    let (w, h) = (size.width / 2, size.height / 2);
    let mut sheet = image::RgbImage::new(w * frames.len() as u32, h);
    for (k, frame) in frames.iter().enumerate() {
        let rgb =
            image::RgbImage::from_raw(frame.size().width, frame.size().height, frame.to_rgb())
                .context("frame of the wrong size")?;
        let small = image::imageops::resize(&rgb, w, h, image::imageops::FilterType::Triangle);
        image::imageops::replace(&mut sheet, &small, (k as u32 * w) as i64, 0);
    }
    sheet
        .save(path)
        .with_context(|| format!("cannot write {}", path.display()))
}
