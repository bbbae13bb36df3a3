//! `touchline stitch`: two camera videos into the rig's panorama video, through one
//! GStreamer pipeline around `touchlinestitch`.

use std::path::Path;

use anyhow::{anyhow, bail, Context, Result};
use gst::prelude::*;
use touchline_core::geometry::{ImageSize, Rig};

use super::{frame_progress, rig_beside};
use crate::cli::StitchArgs;
use crate::media::{self, StreamInfo, CAMERA_INPUTS, ENCODE_MP4};
use crate::output::Partial;

/// `touchline stitch`.
pub fn run(args: &StitchArgs) -> Result<()> {
    media::init()?;
    let rig_path = rig_beside(args.rig.as_deref(), &args.left)?;
    let rig = Rig::load(&rig_path)?;
    let left = media::probe(&args.left)?;
    let right = media::probe(&args.right)?;
    check_inputs(&rig, (&args.left, &left), (&args.right, &right))?;
    let output = Partial::reserve(&args.output)?;

    let description = format!(
        "touchlinestitch name=stitch ! queue max-size-buffers=4 ! {ENCODE_MP4} \
         ! filesink name=sink {CAMERA_INPUTS}"
    );
    let (pipeline, stitch) = media::launch::<gst::Element>(&description, "stitch").context(
        "cannot build the stitching pipeline (are GStreamer's x264 and mp4 plugins installed?)",
    )?;
    media::set_location(&pipeline, "left", &args.left)?;
    media::set_location(&pipeline, "right", &args.right)?;
    media::set_location(&pipeline, "sink", output.path())?;
    let rig_location = media::utf8(&rig_path)?;
    stitch.set_property("rig", rig_location);
    let stitched = stitch
        .static_pad("src")
        .ok_or_else(|| anyhow!("the stitcher has no source pad"))?;

    // The cameras may differ in length by a frame or two; the panorama is as long as
    // the longer one (the missing camera shows black).
    let total = left.frames().max(right.frames()).unwrap_or(0);
    let bar = frame_progress(total, "stitching");
    media::play_to_end(&pipeline, || {
        if let Some(done) = media::frames_done(&stitched, left.fps) {
            bar.set_position(done.min(total));
        }
    })
    .with_context(|| {
        format!(
            "cannot stitch {} and {}",
            args.left.display(),
            args.right.display()
        )
    })?;
    bar.finish_and_clear();
    let written = output.commit()?;
    let size = rig.panorama.size;
    eprintln!(
        "wrote {} ({}×{} panorama, {} fps)",
        written.display(),
        size.width,
        size.height,
        left.fps_text()
    );
    Ok(())
}

/// Refuses camera videos that cannot be stitched with `rig`, before any work: frame
/// sizes or rates that differ, or sizes other than the rig's cameras'.
pub fn check_inputs(
    rig: &Rig,
    left: (&Path, &StreamInfo),
    right: (&Path, &StreamInfo),
) -> Result<()> {
    let size = |info: &StreamInfo| format!("{}×{}", info.width, info.height);
    if (left.1.width, left.1.height) != (right.1.width, right.1.height) {
        bail!(
            "the cameras' frame sizes differ: {} is {}, {} is {}",
            left.0.display(),
            size(left.1),
            right.0.display(),
            size(right.1)
        );
    }
    if left.1.fps != right.1.fps {
        bail!(
            "the cameras' frame rates differ: {} runs at {} fps, {} at {} fps",
            left.0.display(),
            left.1.fps_text(),
            right.0.display(),
            right.1.fps_text()
        );
    }
    for ((path, info), camera) in [left, right].into_iter().zip(&rig.cameras) {
        let expected: ImageSize = camera.size;
        if (info.width, info.height) != (expected.width, expected.height) {
            bail!(
                "{} is {}, but the rig's camera '{}' is {}×{}",
                path.display(),
                size(info),
                camera.name,
                expected.width,
                expected.height
            );
        }
    }
    Ok(())
}
