//! `touchline track`: two camera videos → stitched panorama (GStreamer, `touchlinestitch`)
//! → detection and tracking → tracks.json (and MOTChallenge CSV).

use std::io::Write;

use anyhow::{anyhow, Context, Result};
use gst::prelude::*;
use touchline_core::geometry::Rig;
use touchline_detect::scene::Scene;
use touchline_track::pipeline::refine_recording;
use touchline_track::tracks::{fill_recovered, TracksWriter};
use touchline_track::{MatchTracker, TrackerOptions};

use super::{frame_progress, rig_beside, stitch::check_inputs};
use crate::cli::TrackArgs;
use crate::media;
use crate::output::Partial;

/// What a tracking run measured of itself.
#[derive(Clone, Copy, Debug, Default)]
pub struct TrackStats {
    /// Frames tracked.
    pub frames: u64,
    /// Mean milliseconds per frame in the background model.
    pub foreground_ms: f64,
    /// Mean milliseconds per frame in the learned detector.
    pub learned_ms: f64,
    /// Mean milliseconds per frame in the trackers.
    pub tracking_ms: f64,
}

/// `touchline track`.
pub fn run(args: &TrackArgs) -> Result<TrackStats> {
    media::init()?;
    let rig_path = rig_beside(args.rig.as_deref(), &args.left)?;
    let rig = Rig::load(&rig_path)?;
    let scene = Scene::new(rig.panorama, rig.pitch)?;
    let left = media::probe(&args.left)?;
    let right = media::probe(&args.right)?;
    check_inputs(&rig, (&args.left, &left), (&args.right, &right))?;
    let output = Partial::reserve(&args.output)?;
    let mot = args.mot.as_deref().map(Partial::reserve).transpose()?;
    let fps = left.fps.0 as f64 / left.fps.1.max(1) as f64;

    let mut options = TrackerOptions::default();
    if args.no_learned {
        options.detection.learned = None;
    }
    let mut tracker = MatchTracker::new(scene, fps, options)?;

    let description = format!(
        "touchlinestitch name=stitch ! video/x-raw,format=I420 \
         ! appsink name=sink sync=false max-buffers=4 {}",
        media::CAMERA_INPUTS
    );
    let (pipeline, sink) = media::launch::<gst_app::AppSink>(&description, "sink")
        .context("cannot build the tracking pipeline")?;
    media::set_location(&pipeline, "left", &args.left)?;
    media::set_location(&pipeline, "right", &args.right)?;
    let stitch = pipeline
        .by_name("stitch")
        .ok_or_else(|| anyhow!("the pipeline has no stitcher"))?;
    let rig_location = media::utf8(&rig_path)?;
    stitch.set_property("rig", rig_location);

    // Frames are kept until the end, when tracks of one person lost and found again
    // are joined (a few MB for a whole match).
    let mut records = Vec::new();
    let total = left.frames().max(right.frames()).unwrap_or(0);
    let bar = frame_progress(total, "tracking");
    let mut stats = TrackStats::default();
    pipeline
        .set_state(gst::State::Playing)
        .map_err(|_| anyhow!("cannot start the tracking pipeline"))?;
    let outcome = media::pull_to_end(&pipeline, &sink, |sample| {
        let buffer = sample
            .buffer()
            .ok_or_else(|| anyhow!("sample without buffer"))?;
        let caps = sample
            .caps()
            .ok_or_else(|| anyhow!("sample without caps"))?;
        let info = gst_video::VideoInfo::from_caps(caps)?;
        let video = gst_video::VideoFrameRef::from_buffer_ref_readable(buffer, &info)
            .map_err(|_| anyhow!("cannot map a panorama frame"))?;
        let frame = gsttouchline::frames::frame(&video).map_err(|e| anyhow!(e))?;
        let tracked = tracker.process(&frame)?;
        records.push(tracked.record(stats.frames, fps));
        fill_recovered(&mut records, &tracked.recovered);
        stats.frames += 1;
        stats.foreground_ms += tracked.foreground_ms;
        stats.learned_ms += tracked.learned_ms;
        stats.tracking_ms += tracked.tracking_ms;
        bar.set_position(stats.frames.min(total.max(stats.frames)));
        Ok(())
    });
    bar.finish_and_clear();
    outcome.with_context(|| {
        format!(
            "cannot track {} and {}",
            args.left.display(),
            args.right.display()
        )
    })?;
    if stats.frames == 0 {
        anyhow::bail!(
            "{} and {} hold no frames to track",
            args.left.display(),
            args.right.display()
        );
    }
    let mut identities = tracker.identities();
    let refined = refine_recording(&mut records, &mut identities, &rig.panorama, fps);
    let mut writer = TracksWriter::new(output.create()?, fps, &rig.panorama, &rig.pitch)?;
    for record in &records {
        writer.frame(record)?;
    }
    writer.finish(&identities)?.flush()?;
    let written = output.commit()?;
    let n = stats.frames as f64;
    stats.foreground_ms /= n;
    stats.learned_ms /= n;
    stats.tracking_ms /= n;
    eprintln!(
        "wrote {} ({} frames, {} tracks after {} swaps of people put back, {} joined ({} more across long gaps) and {} ends split off, {} people placed across short gaps, {} balls placed in flight and {} across short gaps; per frame: detection {:.1} ms, learned detector {:.1} ms, tracking {:.2} ms)",
        written.display(),
        stats.frames,
        identities.len(),
        refined.swaps_undone,
        refined.relinked.links,
        refined.rejoined.links,
        refined.relinked.splits,
        refined.people_filled,
        refined.in_flight,
        refined.bridged,
        stats.foreground_ms,
        stats.learned_ms,
        stats.tracking_ms
    );
    if let Some(mot) = mot {
        let mut out = mot.create()?;
        for record in &records {
            out.write_all(record.mot_rows().as_bytes())?;
        }
        out.flush()?;
        drop(out);
        let csv = mot.commit()?;
        eprintln!("wrote {} (MOTChallenge CSV)", csv.display());
    }
    Ok(stats)
}
