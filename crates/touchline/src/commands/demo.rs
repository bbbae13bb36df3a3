//! `touchline demo`: the embedded default job, on the simulated match.

use anyhow::{Context, Result};
use touchline_core::geometry::{ImageSize, Sport};
use touchline_core::image::I420Frame;
use touchline_sim::SimConfig;

use super::sim::simulate_to;
use crate::cli::DemoArgs;

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
    Ok(())
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
