//! `touchline detect` (pictures → YOLO detection files) and `touchline eval --yolo`
//! (detections against labels).

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use touchline_detect::grass::{
    grass_around, grass_at_feet, shows_pitch, BALL_ON_GRASS_SHARE, ON_GRASS_SHARE,
};
use touchline_detect::yolo::{read_yolo, score, to_yolo, Counts};
use touchline_detect::{ModelFormat, ObjectClass, OnnxDetector, TileOptions};

use super::frame_progress;
use crate::cli::{DetectArgs, EvalArgs};
use crate::output::{prepare_dir, Partial};

/// The files in `dir` whose extension is one of `extensions`, sorted.
fn files(dir: &Path, extensions: &[&str]) -> Result<Vec<PathBuf>> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read folder {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| extensions.contains(&e.to_ascii_lowercase().as_str()))
        })
        .collect();
    found.sort();
    Ok(found)
}

fn parse_size(text: &str) -> Result<(u32, u32)> {
    let parsed = text
        .split_once(['x', 'X'])
        .and_then(|(w, h)| Some((w.parse::<u32>().ok()?, h.parse::<u32>().ok()?)))
        .filter(|&(w, h)| w > 0 && h > 0 && w <= 16384 && h <= 16384);
    parsed.with_context(|| {
        format!("invalid --resize '{text}': expected WIDTHxHEIGHT, e.g. 1920x1080")
    })
}

/// `touchline detect`.
pub fn run(args: &DetectArgs) -> Result<()> {
    let resize = args.resize.as_deref().map(parse_size).transpose()?;
    if !(1.0..=4.0).contains(&args.ball_scale) {
        bail!(
            "invalid --ball-scale {}: must be within 1 and 4",
            args.ball_scale
        );
    }
    let images = files(&args.images, &["jpg", "jpeg", "png"])?;
    if images.is_empty() {
        bail!("no JPEG or PNG pictures in {}", args.images.display());
    }
    prepare_dir(&args.output)?;
    let detector = match &args.model {
        Some(path) => OnnxDetector::load(path, args.tile, ModelFormat::NanoDet)?,
        None => OnnxDetector::nanodet(args.tile)?,
    };
    let options = TileOptions::default();
    let bar = frame_progress(images.len() as u64, "detecting");
    for path in &images {
        let picture = image::open(path)
            .with_context(|| format!("cannot read picture {}", path.display()))?
            .to_rgb8();
        let picture = match resize {
            Some((w, h)) => {
                image::imageops::resize(&picture, w, h, image::imageops::FilterType::Triangle)
            }
            None => picture,
        };
        let mut found = detector.detect(&picture, &options)?;
        if args.ball_scale != 1.0 {
            // The ball from a second, magnified look; people from the first, whose
            // tiles hold them whole.
            found.retain(|d| d.class != ObjectClass::Ball);
            let magnified = TileOptions {
                scale: args.ball_scale,
                ..options
            };
            let balls = detector.detect(&picture, &magnified)?;
            found.extend(balls.into_iter().filter(|d| d.class == ObjectClass::Ball));
        }
        if !args.off_pitch && shows_pitch(&picture) {
            found.retain(|d| match d.class {
                ObjectClass::Person => {
                    grass_at_feet(&picture, &d.bbox).is_none_or(|g| g >= ON_GRASS_SHARE)
                }
                ObjectClass::Ball => {
                    grass_around(&picture, &d.bbox).is_none_or(|g| g >= BALL_ON_GRASS_SHARE)
                }
            });
        }
        let name = path.with_extension("txt");
        let out = args
            .output
            .join(name.file_name().context("a picture without a name")?);
        let file = Partial::new(&out);
        std::fs::write(
            file.path(),
            to_yolo(&found, picture.width(), picture.height()),
        )
        .with_context(|| format!("cannot write {}", out.display()))?;
        file.commit()?;
        bar.inc(1);
    }
    bar.finish_and_clear();
    println!(
        "wrote {} detection files to {}",
        images.len(),
        args.output.display()
    );
    Ok(())
}

/// The class of each label index, from a data.yaml's `names:` list beside or above the
/// labels folder, else Touchline's own (0 person, 1 ball).
fn label_classes(labels: &Path) -> Result<Vec<Option<ObjectClass>>> {
    let yaml = [
        labels.join("data.yaml"),
        labels.join("../data.yaml"),
        labels.join("../../data.yaml"),
    ]
    .into_iter()
    .find(|p| p.is_file());
    let Some(yaml) = yaml else {
        return Ok(ObjectClass::ALL.iter().map(|c| Some(*c)).collect());
    };
    let text = std::fs::read_to_string(&yaml)
        .with_context(|| format!("cannot read {}", yaml.display()))?;
    let names: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("names:"))
        .skip(1)
        .map_while(|l| l.trim_start().strip_prefix("- "))
        .map(str::trim)
        .collect();
    if names.is_empty() {
        bail!("{} has no 'names:' list of classes", yaml.display());
    }
    Ok(names
        .into_iter()
        .map(|n| match n {
            "football" | "ball" | "sports ball" => Some(ObjectClass::Ball),
            "player" | "goalkeeper" | "referee" | "person" => Some(ObjectClass::Person),
            _ => None,
        })
        .collect())
}

/// `touchline eval --yolo`.
pub fn eval(args: &EvalArgs) -> Result<()> {
    if !(args.iou > 0.0 && args.iou <= 1.0) {
        bail!("invalid --iou {}: must be in (0, 1]", args.iou);
    }
    let classes = label_classes(&args.truth)?;
    let labels = files(&args.truth, &["txt"])?;
    if labels.is_empty() {
        bail!("no label files (.txt) in {}", args.truth.display());
    }
    // Boxes are compared in normalised coordinates: intersection over union does not
    // change when a picture is stretched, so the pictures' sizes are not needed.
    const UNIT: u32 = 1000;
    let mut counts = [Counts::default(); 2];
    for label in &labels {
        let name = label.file_name().context("a label file without a name")?;
        let truth = read_yolo(label, UNIT, UNIT, |c| {
            classes.get(c as usize).copied().flatten()
        })?;
        let detections_file = args.output.join(name);
        let found = if detections_file.is_file() {
            read_yolo(&detections_file, UNIT, UNIT, |c| {
                ObjectClass::ALL.get(c as usize).copied()
            })?
        } else {
            Vec::new()
        };
        for (i, class) in ObjectClass::ALL.iter().enumerate() {
            counts[i].add(score(&found, &truth, *class, args.iou));
        }
    }
    println!("{} pictures, matches at IoU ≥ {}", labels.len(), args.iou);
    for (i, class) in ObjectClass::ALL.iter().enumerate() {
        let c = counts[i];
        println!(
            "{:<7} precision {:.3}  recall {:.3}  ({} matched, {} false, {} missed)",
            class.name(),
            c.precision(),
            c.recall(),
            c.true_positives,
            c.false_positives,
            c.false_negatives
        );
    }
    Ok(())
}
