//! `touchline process left.mp4 right.mp4 -o out/`: two recordings to a finished
//! follow-cam video, through one GStreamer pipeline of the project's elements:
//!
//! ```text
//! left.mp4  ─ decode ─┐
//!                     ├ touchlinestitch ─ queue ─ touchlinetrack ─ tee ─ encode ─ panorama.mp4
//! right.mp4 ─ decode ─┘                                             └ touchlinedirector
//!                                                  ─ touchlinevirtualcam ─ encode ─ follow.mp4
//! ```
//!
//! The queue between the stitcher and the tracker puts them on two threads: the
//! stitcher's parallel work on the next frame overlaps the tracker's mostly serial work
//! on this one, which keeps both cores busier (about 1.84 CPU-seconds per second of
//! wall time rather than 1.72 on a 2-minute match).
//!
//! The sinks do not wait to preroll (`async=false`): the director holds the first
//! `delay` seconds of frames back, so the follow-cam's sink gets nothing until the
//! panorama's sink, waiting for it, would have stopped the tee.
//!
//! The director runs as it would live, on a fixed delay; what each frame's tracks and
//! view were is read off the director's output (the metas it passes on) into
//! tracks.json and camera_path.csv. Every output is written under a `.partial` name and
//! renamed only once the whole pipeline has finished, so a failed run leaves nothing
//! that looks finished.

use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use anyhow::{anyhow, bail, Context, Result};
use gst::prelude::*;
use gsttouchline::track::TracksMessage;
use gsttouchline::{tracksmeta, viewmeta};
use touchline_core::geometry::{Rig, ViewAngles};
use touchline_track::pipeline::refine_recording;
use touchline_track::tracks::{fill_recovered, FrameRecord, TracksWriter};

use super::direct::camera_path;
use super::stitch::check_inputs;
use super::{frame_progress, rig_beside};
use crate::cli::ProcessArgs;
use crate::media::{self, CAMERA_INPUTS, ENCODE_MP4};
use crate::output::Partial;

/// Where `touchline process` wrote its results.
#[derive(Clone, Debug)]
pub struct ProcessOutputs {
    /// The follow-cam video.
    pub follow: PathBuf,
    /// The stitched panorama video.
    pub panorama: PathBuf,
    /// Tracks of everybody and the ball.
    pub tracks: PathBuf,
    /// The director's camera path.
    pub camera_path: PathBuf,
    /// Frames processed.
    pub frames: u64,
}

/// What the probe on the director's output collects, frame by frame.
#[derive(Default)]
struct Collected {
    frames: Vec<FrameRecord>,
    views: Vec<ViewAngles>,
}

/// `touchline process`.
pub fn run(args: &ProcessArgs) -> Result<ProcessOutputs> {
    media::init()?;
    if !(args.delay.is_finite() && (0.0..=30.0).contains(&args.delay)) {
        bail!(
            "--delay must be between 0 and 30 seconds, got {}",
            args.delay
        );
    }
    let rig_path = rig_beside(args.rig.as_deref(), &args.left)?;
    let rig = Rig::load(&rig_path)?;
    let left = media::probe(&args.left)?;
    let right = media::probe(&args.right)?;
    check_inputs(&rig, (&args.left, &left), (&args.right, &right))?;
    if let (Some(l), Some(r)) = (left.frames(), right.frames()) {
        // A frame or two apart is the cameras starting a moment apart; more is two
        // recordings of different things.
        if l.abs_diff(r) > 2 {
            bail!(
                "{} has {l} frames and {} has {r}: the recordings must be of the same length",
                args.left.display(),
                args.right.display()
            );
        }
    }
    let fps = left.fps.0 as f64 / left.fps.1.max(1) as f64;
    let out = &args.output;
    let follow = Partial::reserve(&out.join("follow.mp4"))?;
    let panorama = Partial::reserve(&out.join("panorama.mp4"))?;
    let tracks = Partial::reserve(&out.join("tracks.json"))?;
    let path_csv = Partial::reserve(&out.join("camera_path.csv"))?;

    let description = format!(
        "touchlinestitch name=stitch ! queue max-size-buffers=4 ! touchlinetrack name=track \
         ! tee name=split \
         split. ! queue max-size-buffers=8 ! {ENCODE_MP4} ! filesink name=panorama async=false \
         split. ! queue max-size-buffers=8 ! touchlinedirector name=director \
         ! touchlinevirtualcam name=view width=1920 height=1080 ! queue max-size-buffers=8 \
         ! {ENCODE_MP4} ! filesink name=follow async=false {CAMERA_INPUTS}"
    );
    let (pipeline, director) = media::launch::<gst::Element>(&description, "director").context(
        "cannot build the processing pipeline (are GStreamer's x264 and mp4 plugins installed?)",
    )?;
    media::set_location(&pipeline, "left", &args.left)?;
    media::set_location(&pipeline, "right", &args.right)?;
    media::set_location(&pipeline, "panorama", panorama.path())?;
    media::set_location(&pipeline, "follow", follow.path())?;
    let rig_location = media::utf8(&rig_path)?;
    for name in ["stitch", "track", "director", "view"] {
        let element = pipeline
            .by_name(name)
            .ok_or_else(|| anyhow!("the pipeline has no {name}"))?;
        element.set_property("rig", rig_location);
    }
    director.set_property("delay", args.delay);

    // Each frame leaving the director carries its tracks and its view.
    let collected = Arc::new(Mutex::new(Collected::default()));
    let directed = director
        .static_pad("src")
        .ok_or_else(|| anyhow!("the director has no source pad"))?;
    let sink = Arc::clone(&collected);
    directed.add_probe(gst::PadProbeType::BUFFER, move |_, info| {
        if let Some(buffer) = info.buffer() {
            let index = sink.lock().map(|c| c.frames.len()).unwrap_or(0) as u64;
            let mut record = tracksmeta::read(buffer).unwrap_or_else(|| FrameRecord {
                frame: index,
                time: index as f64 / fps,
                people: Vec::new(),
                ball: None,
            });
            record.frame = index;
            if let (Ok(mut c), Some(view)) = (sink.lock(), viewmeta::read(buffer)) {
                c.frames.push(record);
                c.views.push(view);
                fill_recovered(&mut c.frames, &tracksmeta::read_recovered(buffer));
            }
        }
        gst::PadProbeReturn::Ok
    });

    let total = left.frames().max(right.frames()).unwrap_or(0);
    let bar = frame_progress(total, "processing");
    let mut identities = None;
    media::play_to_end_watching(
        &pipeline,
        || {
            if let Some(done) = media::frames_done(&directed, left.fps) {
                bar.set_position(done.min(total));
            }
        },
        |message| {
            if let Some(m) = TracksMessage::from_message(message) {
                identities = Some(m.people);
            }
        },
    )
    .with_context(|| {
        format!(
            "cannot process {} and {}",
            args.left.display(),
            args.right.display()
        )
    })?;
    bar.finish_and_clear();

    let collected = std::mem::take(
        &mut *collected
            .lock()
            .map_err(|_| anyhow!("the frame collector failed"))?,
    );
    if collected.frames.is_empty() {
        bail!(
            "{} and {} hold no frames to process",
            args.left.display(),
            args.right.display()
        );
    }
    let mut identities = identities.ok_or_else(|| anyhow!("the tracker reported no identities"))?;
    let mut frames = collected.frames;
    refine_recording(&mut frames, &mut identities, &rig.panorama, fps);
    let mut writer = TracksWriter::new(tracks.create()?, fps, &rig.panorama, &rig.pitch)?;
    for frame in &frames {
        writer.frame(frame)?;
    }
    writer.finish(&identities)?.flush()?;
    let mut csv = path_csv.create()?;
    csv.write_all(camera_path(&collected.views, fps)?.to_csv().as_bytes())?;
    csv.flush()?;
    drop(csv);

    let outputs = ProcessOutputs {
        frames: frames.len() as u64,
        follow: follow.commit()?,
        panorama: panorama.commit()?,
        tracks: tracks.commit()?,
        camera_path: path_csv.commit()?,
    };
    Ok(outputs)
}
