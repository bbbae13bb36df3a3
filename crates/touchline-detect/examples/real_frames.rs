//! Precision and recall of the detector on labelled real frames, at chosen settings.
//!
//!   cargo run --release -p touchline-detect --example real_frames -- IMAGES LABELS [TILE] [SCALE]

use std::path::{Path, PathBuf};
use std::time::Instant;

use touchline_detect::yolo::{read_yolo, score, Counts};
use touchline_detect::{ModelFormat, ObjectClass, OnnxDetector, TileOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let images = PathBuf::from(&args[0]);
    let labels = PathBuf::from(&args[1]);
    let tile: u32 = args.get(2).map_or(Ok(416), |s| s.parse())?;
    let scale: f32 = args.get(3).map_or(Ok(1.0), |s| s.parse())?;
    let model = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../models/nanodet-g-coco/nanodet-g-coco80.onnx");
    let detector = OnnxDetector::load(&model, tile, ModelFormat::NanoDet)?;
    let person_threshold: f32 = args.get(4).map_or(Ok(0.3), |s| s.parse())?;
    let options = TileOptions {
        scale,
        person_threshold,
        ..TileOptions::default()
    };
    let mut counts = [Counts::default(); 2];
    let mut files: Vec<_> = std::fs::read_dir(&images)?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .collect();
    files.sort();
    let start = Instant::now();
    for path in &files {
        // The frames were stretched to 1280×1280; back to 1920×1080.
        let img = image::open(path)?.to_rgb8();
        let img = image::imageops::resize(&img, 1920, 1080, image::imageops::FilterType::Triangle);
        let dets = detector.detect(&img, &options)?;
        let label = labels.join(path.with_extension("txt").file_name().unwrap());
        let truth = read_yolo(&label, 1920, 1080, |c| match c {
            0 => Some(ObjectClass::Ball),
            1..=3 => Some(ObjectClass::Person),
            _ => None,
        })?;
        for (i, class) in ObjectClass::ALL.iter().enumerate() {
            counts[i].add(score(&dets, &truth, *class, 0.5));
        }
    }
    let ms = start.elapsed().as_secs_f64() * 1000.0 / files.len() as f64;
    for (i, class) in ObjectClass::ALL.iter().enumerate() {
        println!(
            "{}: precision {:.3}, recall {:.3} ({:?})",
            class.name(),
            counts[i].precision(),
            counts[i].recall(),
            counts[i]
        );
    }
    println!(
        "{} frames, {ms:.0} ms per frame (tile {tile}, scale {scale})",
        files.len()
    );
    Ok(())
}
