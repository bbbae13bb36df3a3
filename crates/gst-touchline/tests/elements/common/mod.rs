//! What the element tests share: GStreamer set-up, a small rig on disk, test pictures
//! and running a pipeline to its end.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Once;

use gst::prelude::*;
use gst_video::prelude::*;
use touchline_core::geometry::{ImageSize, Rig, RigOptions, Sport};

/// The cameras' picture size in the small test rig.
pub const CAMERA: (u32, u32) = (640, 360);
/// The panorama's size in the small test rig.
pub const PANORAMA: (u32, u32) = (1280, 400);

pub fn init() {
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        gst::init().unwrap();
        gsttouchline::plugin_register_static().expect("touchline plugin registers");
    });
}

/// The default football rig with small cameras and a small panorama, saved as
/// `dir/rig.toml`.
pub fn small_rig(dir: &Path) -> (PathBuf, Rig) {
    let mut options = RigOptions::for_sport(Sport::Football);
    options.size = ImageSize::new(CAMERA.0, CAMERA.1).unwrap();
    let mut rig = options.build().unwrap();
    rig.panorama.size = ImageSize::new(PANORAMA.0, PANORAMA.1).unwrap();
    let path = dir.join("rig.toml");
    rig.save(&path).unwrap();
    (path, rig)
}

/// A rig file that is not TOML, as `dir/broken.toml`.
pub fn malformed_rig(dir: &Path) -> PathBuf {
    let path = dir.join("broken.toml");
    std::fs::write(
        &path,
        "format = \"touchline-rig/1\"\nsport = \"football\"\n[pitch\n",
    )
    .unwrap();
    path
}

/// A tightly packed I420 picture whose samples `luma(x, y)` and `chroma(x, y)` give
/// (chroma at half resolution, the same function for U and V with V mirrored).
pub fn i420(
    width: u32,
    height: u32,
    luma: impl Fn(u32, u32) -> u8,
    chroma: impl Fn(u32, u32) -> u8,
) -> Vec<u8> {
    let (w, h) = (width as usize, height as usize);
    let mut data = Vec::with_capacity(w * h * 3 / 2);
    for y in 0..height {
        for x in 0..width {
            data.push(luma(x, y));
        }
    }
    for y in 0..height / 2 {
        for x in 0..width / 2 {
            data.push(chroma(x, y));
        }
    }
    for y in 0..height / 2 {
        for x in 0..width / 2 {
            data.push(255 - chroma(x, y));
        }
    }
    data
}

/// A uniform I420 picture.
pub fn uniform_i420(width: u32, height: u32, y: u8, u: u8, v: u8) -> Vec<u8> {
    let (w, h) = (width as usize, height as usize);
    let mut data = vec![y; w * h];
    data.extend(std::iter::repeat_n(u, w * h / 4));
    data.extend(std::iter::repeat_n(v, w * h / 4));
    data
}

/// A detailed picture: gradients with a deterministic scatter of texture, so that any
/// sampling difference shows.
pub fn textured_i420(width: u32, height: u32, seed: u32) -> Vec<u8> {
    let texture = move |x: u32, y: u32| {
        let h = (x.wrapping_mul(73_856_093) ^ y.wrapping_mul(19_349_663) ^ seed)
            .wrapping_mul(2_654_435_761);
        (h >> 27) as u8
    };
    i420(
        width,
        height,
        |x, y| 16 + ((x * 150 / width + y * 50 / height) as u8) + texture(x, y),
        |x, y| 100 + ((x * 60 / (width / 2)) as u8) + texture(y, x) / 2,
    )
}

/// `data` as a buffer stamped as frame `index` at 25 fps.
pub fn frame_buffer(data: Vec<u8>, index: u64) -> gst::Buffer {
    let mut buffer = gst::Buffer::from_mut_slice(data);
    {
        let b = buffer.get_mut().unwrap();
        b.set_pts(gst::ClockTime::from_mseconds(40 * index));
        b.set_duration(gst::ClockTime::from_mseconds(40));
    }
    buffer
}

/// Caps for I420 pictures of `size` at 25 fps.
pub fn i420_caps(size: (u32, u32)) -> gst::Caps {
    gst_video::VideoCapsBuilder::new()
        .format(gst_video::VideoFormat::I420)
        .width(size.0 as i32)
        .height(size.1 as i32)
        .framerate(gst::Fraction::new(25, 1))
        .build()
}

/// The planes of a sample's picture, each without its row padding (plane `p` holds
/// component `p` first, which is so for I420, NV12 and RGBA).
pub fn packed_planes(sample: &gst::Sample) -> (gst_video::VideoInfo, Vec<Vec<u8>>) {
    let info = gst_video::VideoInfo::from_caps(sample.caps().unwrap()).unwrap();
    let frame = gst_video::VideoFrameRef::from_buffer_ref_readable(sample.buffer().unwrap(), &info)
        .unwrap();
    let planes = (0..frame.n_planes())
        .map(|p| {
            let data = frame.plane_data(p).unwrap();
            let stride = frame.plane_stride()[p as usize] as usize;
            let row = frame.comp_width(p) as usize * frame.comp_pstride(p) as usize;
            let rows = frame.comp_height(p) as usize;
            (0..rows)
                .flat_map(|r| data[r * stride..r * stride + row].iter().copied())
                .collect()
        })
        .collect();
    (info, planes)
}

/// What running a pipeline to its end gave: its first error, or the samples its
/// `appsink` named `out` received.
pub struct Outcome {
    pub error: Option<String>,
    pub samples: Vec<gst::Sample>,
}

/// Plays `pipeline`, runs `feed` (which may push into appsrcs) and waits up to a
/// minute for EOS or an error, collecting what `out` receives.
pub fn run_pipeline(pipeline: &gst::Pipeline, feed: impl FnOnce(&gst::Pipeline)) -> Outcome {
    let samples = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    if let Some(sink) = pipeline.by_name("out") {
        let sink = sink.downcast::<gst_app::AppSink>().unwrap();
        let samples = samples.clone();
        sink.set_callbacks(
            gst_app::AppSinkCallbacks::builder()
                .new_sample(move |sink| {
                    let sample = sink.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                    samples.lock().unwrap().push(sample);
                    Ok(gst::FlowSuccess::Ok)
                })
                .build(),
        );
    }
    let bus = pipeline.bus().unwrap();
    // A failing start() fails the state change; its error is on the bus all the same.
    let _ = pipeline.set_state(gst::State::Playing);
    feed(pipeline);
    let mut error = Some("no EOS within a minute".to_owned());
    for msg in bus.iter_timed(gst::ClockTime::from_seconds(60)) {
        match msg.view() {
            gst::MessageView::Eos(..) => {
                error = None;
                break;
            }
            gst::MessageView::Error(err) => {
                error = Some(err.error().to_string());
                break;
            }
            _ => (),
        }
    }
    pipeline.set_state(gst::State::Null).unwrap();
    let samples = samples.lock().unwrap().drain(..).collect();
    Outcome { error, samples }
}

/// Parses a launch line into a pipeline.
pub fn pipeline(launch: &str) -> gst::Pipeline {
    gst::parse::launch(launch)
        .unwrap_or_else(|e| panic!("'{launch}': {e}"))
        .downcast::<gst::Pipeline>()
        .unwrap()
}

/// Pushes `buffers` into the appsrc named `name`, then ends its stream.
pub fn push_all(pipeline: &gst::Pipeline, name: &str, buffers: Vec<gst::Buffer>) {
    let src = pipeline
        .by_name(name)
        .unwrap()
        .downcast::<gst_app::AppSrc>()
        .unwrap();
    for buffer in buffers {
        if src.push_buffer(buffer).is_err() {
            break;
        }
    }
    let _ = src.end_of_stream();
}
