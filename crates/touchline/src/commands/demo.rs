//! `touchline demo`: the embedded default job, on the simulated match: simulate, then
//! `touchline process` (stitch, track, direct, render) into a follow-cam video, and a
//! contact sheet of follow-cam frames for a person to look at.

use std::path::Path;

use anyhow::{Context, Result};
use touchline_core::geometry::{ImageSize, Sport};
use touchline_core::image::I420Frame;
use touchline_sim::SimConfig;

use super::process;
use super::sim::simulate_to;
use crate::cli::{DemoArgs, ProcessArgs};
use crate::media::decode;

/// Seed of the demo match.
pub const DEMO_SEED: u64 = 7;

/// Follow-cam frames on the contact sheet: columns × rows.
const SHEET: (u32, u32) = (4, 3);

/// `touchline demo`.
pub fn run(args: &DemoArgs) -> Result<()> {
    let sport = Sport::Football;
    let size = ImageSize::new(1920, 1080)?;
    let config = SimConfig::new(sport, sport.pitch(), size, DEMO_SEED, args.seconds, 25)?;
    let middle = config.frame_count() / 2;
    let outputs = simulate_to(&args.output, config, Some(middle))?;
    let preview_path = args.output.join("preview.png");
    save_preview(&outputs.preview, &preview_path)?;

    let processed = process::run(&ProcessArgs {
        left: outputs.videos[0].clone(),
        right: outputs.videos[1].clone(),
        rig: Some(outputs.rig.clone()),
        output: args.output.clone(),
        delay: 3.0,
    })?;
    let sheet_path = args.output.join("contact_sheet.png");
    save_contact_sheet(&processed.follow, processed.frames, &sheet_path)?;

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
    println!("  panorama       {}", processed.panorama.display());
    println!("  tracks         {}", processed.tracks.display());
    println!("  camera path    {}", processed.camera_path.display());
    println!("  follow-cam     {}", processed.follow.display());
    println!("  contact sheet  {}", sheet_path.display());
    println!(
        "Score it: touchline eval {} {} --camera {}",
        processed.tracks.display(),
        outputs.truth.display(),
        processed.camera_path.display()
    );
    Ok(())
}

/// Evenly spaced frames of a video, small, in a grid, as a PNG.
fn save_contact_sheet(video: &Path, frames: u64, path: &Path) -> Result<()> {
    let count = u64::from(SHEET.0 * SHEET.1);
    let keep: Vec<u64> = (0..count)
        .map(|k| (2 * k + 1) * frames / (2 * count))
        .collect();
    let (_, kept) = decode(video, &keep)?;
    let pictures: Vec<I420Frame> = kept.into_iter().map(|(_, f)| f).collect();
    let (w, h) = (480, 270);
    let mut sheet = image::RgbImage::new(w * SHEET.0, h * SHEET.1);
    for (k, frame) in pictures.iter().enumerate() {
        let (x, y) = (k as u32 % SHEET.0, k as u32 / SHEET.0);
        let small = small_rgb(frame, w, h)?;
        image::imageops::replace(&mut sheet, &small, (x * w) as i64, (y * h) as i64);
    }
    sheet
        .save(path)
        .with_context(|| format!("cannot write {}", path.display()))
}

fn small_rgb(frame: &I420Frame, w: u32, h: u32) -> Result<image::RgbImage> {
    let size = frame.size();
    let rgb = image::RgbImage::from_raw(size.width, size.height, frame.to_rgb())
        .context("frame of the wrong size")?;
    Ok(image::imageops::resize(
        &rgb,
        w,
        h,
        image::imageops::FilterType::Triangle,
    ))
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
        let small = small_rgb(frame, w, h)?;
        image::imageops::replace(&mut sheet, &small, (k as u32 * w) as i64, 0);
    }
    sheet
        .save(path)
        .with_context(|| format!("cannot write {}", path.display()))
}
