//! `touchline render`: a virtual camera's view of a panorama video along a camera
//! path, through one GStreamer pipeline around `touchlinevirtualcam`.
//!
//! The path steers the camera frame by frame: a pad probe on the virtual camera's sink
//! pad attaches the path's view at each frame's stream time as a view meta, which the
//! element renders instead of its properties.

use std::sync::Arc;

use anyhow::{anyhow, bail, Context, Result};
use gst::prelude::*;
use gsttouchline::viewmeta;
use touchline_core::camera_path::CameraPath;
use touchline_core::geometry::ImageSize;
use touchline_core::geometry::Rig;

use super::{frame_progress, rig_beside};
use crate::cli::RenderArgs;
use crate::media::{self, ENCODE_MP4};
use crate::output::Partial;

/// `touchline render`.
pub fn run(args: &RenderArgs) -> Result<()> {
    media::init()?;
    let rig_path = rig_beside(args.rig.as_deref(), &args.panorama)?;
    let rig = Rig::load(&rig_path)?;
    let path_text = std::fs::read_to_string(&args.path)
        .with_context(|| format!("cannot read camera path {}", args.path.display()))?;
    let path = CameraPath::from_csv(&path_text)
        .with_context(|| format!("camera path {}", args.path.display()))?;
    let view_size = ImageSize::new(args.width, args.height)?;
    let input = media::probe(&args.panorama)?;
    let panorama = rig.panorama.size;
    if (input.width, input.height) != (panorama.width, panorama.height) {
        bail!(
            "{} is {}×{}, but the rig's panorama is {}×{}",
            args.panorama.display(),
            input.width,
            input.height,
            panorama.width,
            panorama.height
        );
    }
    let output = Partial::reserve(&args.output)?;

    let description = format!(
        "filesrc name=src ! decodebin ! videoconvert ! video/x-raw,format=I420 \
         ! queue max-size-buffers=4 ! touchlinevirtualcam name=camera \
         ! queue max-size-buffers=4 ! {ENCODE_MP4} ! filesink name=sink"
    );
    let (pipeline, camera) = media::launch::<gst::Element>(&description, "camera").context(
        "cannot build the rendering pipeline (are GStreamer's x264 and mp4 plugins installed?)",
    )?;
    media::set_location(&pipeline, "src", &args.panorama)?;
    media::set_location(&pipeline, "sink", output.path())?;
    let rig_location = media::utf8(&rig_path)?;
    camera.set_property("rig", rig_location);
    camera.set_property("width", view_size.width);
    camera.set_property("height", view_size.height);
    camera.set_property_from_str(
        "interpolation",
        if args.bicubic { "bicubic" } else { "bilinear" },
    );
    follow_path(&camera, path)?;
    let rendered = camera
        .static_pad("src")
        .ok_or_else(|| anyhow!("the virtual camera has no source pad"))?;

    let total = input.frames().unwrap_or(0);
    let bar = frame_progress(total, "rendering");
    media::play_to_end(&pipeline, || {
        if let Some(done) = media::frames_done(&rendered, input.fps) {
            bar.set_position(done.min(total));
        }
    })
    .with_context(|| format!("cannot render {}", args.panorama.display()))?;
    bar.finish_and_clear();
    let written = output.commit()?;
    eprintln!(
        "wrote {} ({}×{} view, {} fps)",
        written.display(),
        view_size.width,
        view_size.height,
        input.fps_text()
    );
    Ok(())
}

/// Steers `camera` along `path`: every panorama frame gets the path's view at its
/// stream time (the time in the file, which the path's times count) as a view meta.
fn follow_path(camera: &gst::Element, path: CameraPath) -> Result<()> {
    let sink = camera
        .static_pad("sink")
        .ok_or_else(|| anyhow!("the virtual camera has no sink pad"))?;
    let path = Arc::new(path);
    let element = camera.downgrade();
    sink.add_probe(gst::PadProbeType::BUFFER, move |pad, info| {
        let Some(gst::PadProbeData::Buffer(buffer)) = info.data.as_mut() else {
            return gst::PadProbeReturn::Ok;
        };
        let Some(pts) = buffer.pts() else {
            return gst::PadProbeReturn::Ok;
        };
        let stream_time = pad
            .sticky_event::<gst::event::Segment>(0)
            .and_then(|event| {
                event
                    .segment()
                    .downcast_ref::<gst::ClockTime>()
                    .and_then(|segment| segment.to_stream_time(pts))
            })
            .unwrap_or(pts);
        let view = path.at(stream_time.nseconds() as f64 / 1e9);
        if let Err(e) = viewmeta::attach(buffer.make_mut(), view) {
            if let Some(element) = element.upgrade() {
                gst::element_error!(
                    element,
                    gst::LibraryError::Failed,
                    ("Cannot steer the camera at {}: {}", stream_time, e)
                );
            }
            return gst::PadProbeReturn::Drop;
        }
        gst::PadProbeReturn::Ok
    })
    .ok_or_else(|| anyhow!("cannot follow the camera path"))?;
    Ok(())
}
