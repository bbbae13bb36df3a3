//! `touchline sim`: a simulated match on disk.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use touchline_core::geometry::{ImageSize, Rig};
use touchline_core::image::I420Frame;
use touchline_sim::truth::{PitchSize, TruthHeader, TruthWriter, TRUTH_FORMAT};
use touchline_sim::{default_sensors, SimConfig, Simulation};

use super::frame_progress;
use crate::cli::SimArgs;
use crate::media::VideoWriter;
use crate::output::{prepare_dir, Partial};

/// What a simulation wrote.
#[derive(Debug)]
pub struct SimOutputs {
    /// One video per camera, rig order.
    pub videos: Vec<PathBuf>,
    /// The ideal panorama video, when asked for.
    pub panorama: Option<PathBuf>,
    /// rig.toml.
    pub rig: PathBuf,
    /// truth.json.
    pub truth: PathBuf,
    /// Goals, home and away.
    pub score: [u32; 2],
    /// The camera frames kept for a preview, if asked for.
    pub preview: Vec<I420Frame>,
}

/// Turns the command line into a validated simulation.
pub fn config_from_args(args: &SimArgs) -> Result<SimConfig> {
    let (sport, pitch) = args.pitch.parse()?;
    let side = |v: i64, what: &str| -> Result<u32> {
        u32::try_from(v)
            .with_context(|| format!("invalid {what}: {v} must be a positive number of pixels"))
    };
    let size = ImageSize::new(side(args.width, "width")?, side(args.height, "height")?)?;
    let fps = u32::try_from(args.fps)
        .ok()
        .filter(|f| (1..=120).contains(f))
        .with_context(|| {
            format!(
                "invalid frame rate: {} must be between 1 and 120 fps",
                args.fps
            )
        })?;
    let mut config = SimConfig::new(sport, pitch, size, args.seed, args.seconds, fps)?;
    if let Some(path) = &args.rig {
        let mut rig = Rig::load(path)?;
        if rig.cameras.iter().all(|c| c.sensor.is_none()) {
            default_sensors(&mut rig);
        }
        config.rig = rig;
    } else {
        let mut options = touchline_core::geometry::RigOptions::for_sport(sport);
        options.pitch = pitch;
        options.size = size;
        options.mast_height = args.mast_height;
        options.setback = args.setback;
        let mut rig = options.build()?;
        default_sensors(&mut rig);
        if let Some(right) = rig.cameras.get_mut(1) {
            right.time_offset_s = args.time_offset;
        }
        config.rig = rig;
    }
    config.panorama = args.panorama;
    config.validate()?;
    Ok(config)
}

/// `touchline sim`.
pub fn run(args: &SimArgs) -> Result<SimOutputs> {
    let config = config_from_args(args)?;
    let outputs = simulate_to(&args.output, config, None)?;
    eprintln!(
        "wrote {} and {} (score {}–{})",
        outputs
            .videos
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
        outputs.truth.display(),
        outputs.score[0],
        outputs.score[1]
    );
    Ok(outputs)
}

/// Simulates `config` into `dir`: a video per camera, rig.toml, truth.json and, if
/// configured, panorama.mp4. Files appear under their names only once complete.
/// `preview_at` keeps that frame of every camera.
pub fn simulate_to(dir: &Path, config: SimConfig, preview_at: Option<u64>) -> Result<SimOutputs> {
    prepare_dir(dir)?;
    let frames = config.frame_count();
    if frames == 0 {
        bail!(
            "invalid duration: {} s at {} fps is no frame at all",
            config.seconds,
            config.fps
        );
    }
    let fps = config.fps;
    let rig = config.rig.clone();
    let seed = config.seed;
    eprintln!("preparing the scene for {} cameras…", rig.cameras.len());
    let mut sim = Simulation::new(config)?;
    let names = sim.camera_names();
    let mut writers = names
        .iter()
        .zip(&rig.cameras)
        .map(|(name, cam)| VideoWriter::new(&dir.join(format!("{name}.mp4")), cam.size, fps))
        .collect::<Result<Vec<_>>>()?;
    let mut panorama_writer = if sim.config().panorama {
        Some(VideoWriter::new(
            &dir.join("panorama.mp4"),
            rig.panorama.size,
            fps,
        )?)
    } else {
        None
    };
    let truth_file = Partial::new(&dir.join("truth.json"));
    let header = TruthHeader {
        format: TRUTH_FORMAT,
        seed,
        sport: rig.sport.name(),
        fps,
        cameras: names.clone(),
        pitch: PitchSize {
            length: rig.pitch.length,
            width: rig.pitch.width,
        },
        people: sim.engine().people(),
    };
    let mut truth = TruthWriter::new(truth_file.create()?, &header)?;
    let bar = frame_progress(frames, "simulating");
    let mut preview = Vec::new();
    while let Some(set) = sim.next_frame() {
        truth.frame(&set.truth)?;
        if Some(set.index) == preview_at {
            preview = set.cameras.clone();
        }
        for (writer, frame) in writers.iter_mut().zip(set.cameras) {
            writer.push(frame)?;
        }
        if let (Some(writer), Some(frame)) = (panorama_writer.as_mut(), set.panorama) {
            writer.push(frame)?;
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    let videos = writers
        .into_iter()
        .map(VideoWriter::finish)
        .collect::<Result<Vec<_>>>()?;
    let panorama = panorama_writer.map(VideoWriter::finish).transpose()?;
    let score = sim.engine().score();
    truth.finish(sim.engine().events(), score)?;
    let truth = truth_file.commit()?;
    let rig_file = Partial::new(&dir.join("rig.toml"));
    std::fs::write(rig_file.path(), rig.to_toml())
        .with_context(|| format!("cannot write {}", rig_file.path().display()))?;
    let rig = rig_file.commit()?;
    Ok(SimOutputs {
        videos,
        panorama,
        rig,
        truth,
        score,
        preview,
    })
}
