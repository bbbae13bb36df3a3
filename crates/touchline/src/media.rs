//! Video files through GStreamer: writing H.264 MP4 from raw frames, reading back what a
//! file holds, and running the pipelines the commands build from Touchline's elements.

use std::path::Path;
use std::sync::Once;

use anyhow::{anyhow, bail, Context, Result};
use gst::prelude::*;
use touchline_core::geometry::ImageSize;
use touchline_core::image::I420Frame;

use crate::output::Partial;

/// Initialises GStreamer once and registers Touchline's own elements with it, so the
/// CLI's pipelines find them without GST_PLUGIN_PATH.
pub fn init() -> Result<()> {
    static INIT: Once = Once::new();
    let mut result = Ok(());
    INIT.call_once(|| {
        result = gst::init()
            .map_err(|e| anyhow!("cannot start GStreamer: {e}"))
            .and_then(|()| {
                gsttouchline::plugin_register_static()
                    .map_err(|e| anyhow!("cannot register Touchline's elements: {e}"))
            });
    });
    result
}

/// Parses a pipeline description and finds its element called `name`, of type `T`.
///
/// Video decoders that `decodebin` plugs decode on one thread each: every pipeline here
/// has other work for the second core (the other camera's decoder, the stitcher, the
/// encoders), and FFmpeg's frame threads cost about a quarter more CPU for the same
/// frames (2 minutes of one 1080p camera: 7.3 CPU-seconds on one thread, 9.3 on two).
pub fn launch<T: IsA<gst::Element>>(description: &str, name: &str) -> Result<(gst::Pipeline, T)> {
    let pipeline = gst::parse::launch(description)?
        .downcast::<gst::Pipeline>()
        .map_err(|_| anyhow!("the description is not a pipeline"))?;
    pipeline.connect_deep_element_added(|_, _, element| {
        let is_video_decoder = element
            .factory()
            .and_then(|f| f.metadata(gst::ELEMENT_METADATA_KLASS).map(String::from))
            .is_some_and(|klass| klass.contains("Decoder") && klass.contains("Video"));
        if is_video_decoder && element.has_property_with_type("max-threads", i32::static_type()) {
            element.set_property("max-threads", 1i32);
        }
    });
    let element = pipeline
        .by_name(name)
        .and_then(|e| e.downcast::<T>().ok())
        .ok_or_else(|| anyhow!("the pipeline has no element '{name}' of the expected type"))?;
    Ok((pipeline, element))
}

/// The message of an error waiting on the bus, if any.
pub fn pending_error(bus: &gst::Bus) -> Option<String> {
    let msg = bus.pop_filtered(&[gst::MessageType::Error])?;
    match msg.view() {
        gst::MessageView::Error(e) => Some(e.error().to_string()),
        _ => None,
    }
}

/// Encoder settings: x264 with its fastest preset, so that two 1080p25 cameras encode
/// faster than real time on two cores next to the renderer; GOPs of two seconds for
/// seeking. A constant quantiser rather than constant quality (CRF): with several
/// threads x264's CRF rate control depends on thread timing, so the same frames would
/// encode differently from run to run, and the same seed must give the same video.
/// Raw I420 in, an MP4 stream out (for a `filesink`).
pub const ENCODE_MP4: &str = "x264enc speed-preset=ultrafast trellis=false pass=quant \
     quantizer=21 key-int-max=50 ! video/x-h264,profile=high ! h264parse ! mp4mux";

/// The two camera recordings, decoded to I420, into the stitcher called `stitch`; the
/// `filesrc`s are called `left` and `right` (see [`set_location`]).
pub const CAMERA_INPUTS: &str = "filesrc name=left ! decodebin ! videoconvert \
     ! video/x-raw,format=I420 ! queue max-size-buffers=4 ! stitch.sink_0 \
     filesrc name=right ! decodebin ! videoconvert ! video/x-raw,format=I420 \
     ! queue max-size-buffers=4 ! stitch.sink_1";

/// A path as text, for GStreamer properties (which take UTF-8 strings).
pub fn utf8(path: &Path) -> Result<&str> {
    path.to_str()
        .ok_or_else(|| anyhow!("path {} is not valid UTF-8", path.display()))
}

/// Writes I420 frames to an H.264 MP4 file.
pub struct VideoWriter {
    pipeline: gst::Pipeline,
    src: gst_app::AppSrc,
    size: ImageSize,
    fps: u32,
    frames: u64,
    file: Partial,
}

impl VideoWriter {
    /// Starts a writer; the file appears under its name only after [`VideoWriter::finish`].
    pub fn new(path: &Path, size: ImageSize, fps: u32) -> Result<VideoWriter> {
        init()?;
        let file = Partial::new(path);
        let location = utf8(file.path())?.replace('"', "\\\"");
        let description = format!(
            "appsrc name=src format=time block=true max-bytes=20000000 \
             caps=video/x-raw,format=I420,width={w},height={h},framerate={fps}/1,colorimetry=bt709 \
             ! queue max-size-buffers=4 ! {ENCODE_MP4} ! filesink location=\"{location}\"",
            w = size.width,
            h = size.height,
        );
        let (pipeline, src) = launch::<gst_app::AppSrc>(&description, "src").context(
            "cannot build the encoding pipeline (are GStreamer's x264 and mp4 plugins installed?)",
        )?;
        pipeline
            .set_state(gst::State::Playing)
            .map_err(|_| anyhow!("cannot start encoding {}", path.display()))?;
        Ok(VideoWriter {
            pipeline,
            src,
            size,
            fps,
            frames: 0,
            file,
        })
    }

    /// Queues one frame (blocks while the encoder is behind).
    pub fn push(&mut self, frame: I420Frame) -> Result<()> {
        self.check_bus()?;
        if frame.size() != self.size {
            bail!(
                "frame of {:?} pushed to a {:?} video",
                frame.size(),
                self.size
            );
        }
        let mut buffer = gst::Buffer::from_mut_slice(frame.into_bytes());
        {
            let b = buffer
                .get_mut()
                .ok_or_else(|| anyhow!("fresh buffer is shared"))?;
            let duration = gst::ClockTime::SECOND.mul_div_floor(1, self.fps as u64);
            let pts = gst::ClockTime::SECOND.mul_div_floor(self.frames, self.fps as u64);
            b.set_pts(pts);
            b.set_duration(duration);
        }
        self.src
            .push_buffer(buffer)
            .map_err(|e| anyhow!("encoder refused a frame: {e:?}"))?;
        self.frames += 1;
        Ok(())
    }

    fn check_bus(&self) -> Result<()> {
        let Some(bus) = self.pipeline.bus() else {
            return Ok(());
        };
        match pending_error(&bus) {
            Some(error) => bail!("encoding failed: {error}"),
            None => Ok(()),
        }
    }

    /// Ends the stream, waits for the file to be complete and moves it into place.
    pub fn finish(self) -> Result<std::path::PathBuf> {
        self.src
            .end_of_stream()
            .map_err(|e| anyhow!("cannot end the stream: {e:?}"))?;
        let bus = self
            .pipeline
            .bus()
            .ok_or_else(|| anyhow!("pipeline without a bus"))?;
        let result = loop {
            let Some(msg) = bus.timed_pop(gst::ClockTime::from_seconds(120)) else {
                break Err(anyhow!("encoder did not finish within two minutes"));
            };
            match msg.view() {
                gst::MessageView::Eos(_) => break Ok(()),
                gst::MessageView::Error(err) => {
                    break Err(anyhow!("encoding failed: {}", err.error()))
                }
                _ => {}
            }
        };
        let _ = self.pipeline.set_state(gst::State::Null);
        result?;
        self.file.commit()
    }
}

/// What a video file holds, as decoded.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct VideoInfo {
    /// Picture width.
    pub width: u32,
    /// Picture height.
    pub height: u32,
    /// Frame rate, numerator and denominator.
    pub fps: (i32, i32),
    /// Decoded frames.
    pub frames: u64,
}

/// Decodes a whole file and reports its size, frame rate and frame count; with
/// `keep`, also returns the decoded frames at those indices as I420.
pub fn decode(path: &Path, keep: &[u64]) -> Result<(VideoInfo, Vec<(u64, I420Frame)>)> {
    init()?;
    if !path.is_file() {
        bail!("no such video file: {}", path.display());
    }
    let location = utf8(path)?.replace('"', "\\\"");
    let description = format!(
        "filesrc location=\"{location}\" ! decodebin ! videoconvert ! video/x-raw,format=I420 \
         ! appsink name=sink sync=false"
    );
    let (pipeline, sink) = launch::<gst_app::AppSink>(&description, "sink")?;
    pipeline
        .set_state(gst::State::Playing)
        .map_err(|_| anyhow!("cannot decode {}", path.display()))?;
    let mut info: Option<VideoInfo> = None;
    let mut kept = Vec::new();
    let mut frames = 0u64;
    pull_to_end(&pipeline, &sink, |sample| {
        if info.is_none() {
            let caps = sample
                .caps()
                .ok_or_else(|| anyhow!("decoded sample without caps"))?;
            let vi = gst_video::VideoInfo::from_caps(caps)?;
            info = Some(VideoInfo {
                width: vi.width(),
                height: vi.height(),
                fps: (vi.fps().numer(), vi.fps().denom()),
                frames: 0,
            });
        }
        if keep.contains(&frames) {
            let buffer = sample
                .buffer()
                .ok_or_else(|| anyhow!("sample without buffer"))?;
            let map = buffer.map_readable()?;
            let size = ImageSize::new(info.map_or(0, |i| i.width), info.map_or(0, |i| i.height))?;
            kept.push((
                frames,
                I420Frame::from_bytes(size, map.as_slice().to_vec())?,
            ));
        }
        frames += 1;
        Ok(())
    })
    .with_context(|| format!("cannot decode {}", path.display()))?;
    let mut info = info.ok_or_else(|| anyhow!("{} holds no video frames", path.display()))?;
    info.frames = frames;
    Ok((info, kept))
}

/// Hands every sample the appsink of a playing `pipeline` receives to `each`, until
/// the end of the stream. An error posted on the bus (which never reaches the appsink
/// as EOS) or returned by `each` stops it; the pipeline is set to NULL either way.
pub fn pull_to_end(
    pipeline: &gst::Pipeline,
    sink: &gst_app::AppSink,
    mut each: impl FnMut(gst::Sample) -> Result<()>,
) -> Result<()> {
    let outcome = (|| {
        let bus = pipeline
            .bus()
            .ok_or_else(|| anyhow!("pipeline without a bus"))?;
        loop {
            if let Some(error) = pending_error(&bus) {
                return Err(anyhow!("{error}"));
            }
            let Some(sample) = sink.try_pull_sample(gst::ClockTime::from_mseconds(100)) else {
                if sink.is_eos() {
                    return Ok(());
                }
                continue;
            };
            each(sample)?;
        }
    })();
    let _ = pipeline.set_state(gst::State::Null);
    outcome
}

/// What a video file holds, as its decoder announces it with the first frame.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StreamInfo {
    /// Picture width.
    pub width: u32,
    /// Picture height.
    pub height: u32,
    /// Frame rate, numerator and denominator.
    pub fps: (i32, i32),
    /// Length, when the container says.
    pub duration: Option<gst::ClockTime>,
}

impl StreamInfo {
    /// The number of frames the duration holds at the frame rate, when both are known.
    pub fn frames(&self) -> Option<u64> {
        let (numer, denom) = self.fps;
        let (numer, denom) = (u64::try_from(numer).ok()?, u64::try_from(denom).ok()?);
        if numer == 0 || denom == 0 {
            return None;
        }
        self.duration?
            .nseconds()
            .mul_div_round(numer, denom * gst::ClockTime::SECOND.nseconds())
    }

    /// The frame rate as people write it: `25`, or `30000/1001`.
    pub fn fps_text(&self) -> String {
        match self.fps {
            (numer, 1) => numer.to_string(),
            (numer, denom) => format!("{numer}/{denom}"),
        }
    }
}

/// Sets the `location` of the element called `name` in `pipeline` (a `filesrc` or
/// `filesink`) without passing the path through the launch syntax.
pub fn set_location(pipeline: &gst::Pipeline, name: &str, path: &Path) -> Result<()> {
    let location = utf8(path)?;
    pipeline
        .by_name(name)
        .ok_or_else(|| anyhow!("the pipeline has no element '{name}'"))?
        .set_property("location", location);
    Ok(())
}

/// Reads what a video file holds without decoding more than its first frame: picture
/// size and frame rate after decoding, and the container's duration. Fails with one line
/// for a missing file, a file that is not a video GStreamer can decode, and a file with
/// no video stream.
pub fn probe(path: &Path) -> Result<StreamInfo> {
    init()?;
    if !path.is_file() {
        bail!("no such video file: {}", path.display());
    }
    let (pipeline, sink) = launch::<gst::Element>(
        "filesrc name=src ! decodebin ! videoconvert ! video/x-raw,format=I420 \
         ! fakesink name=sink",
        "sink",
    )?;
    set_location(&pipeline, "src", path)?;
    let result = preroll(&pipeline, &sink, path);
    let _ = pipeline.set_state(gst::State::Null);
    result
}

/// Prerolls a probing pipeline and reads the format its sink got.
fn preroll(pipeline: &gst::Pipeline, sink: &gst::Element, path: &Path) -> Result<StreamInfo> {
    let bus = pipeline
        .bus()
        .ok_or_else(|| anyhow!("pipeline without a bus"))?;
    let not_video = |error: &gst::message::Error| {
        let debug = error.debug().map(|d| d.to_string()).unwrap_or_default();
        if debug.contains("not-linked") {
            anyhow!("{} has no video stream", path.display())
        } else {
            anyhow!(
                "cannot read {} as a video: {}",
                path.display(),
                error.error()
            )
        }
    };
    if pipeline.set_state(gst::State::Paused).is_err() {
        if let Some(msg) = bus.pop_filtered(&[gst::MessageType::Error]) {
            if let gst::MessageView::Error(error) = msg.view() {
                return Err(not_video(error));
            }
        }
        bail!("cannot read {}", path.display());
    }
    let filter = [gst::MessageType::AsyncDone, gst::MessageType::Error];
    let Some(msg) = bus.timed_pop_filtered(gst::ClockTime::from_seconds(30), &filter) else {
        bail!("{}: no video frame decoded within 30 s", path.display());
    };
    if let gst::MessageView::Error(error) = msg.view() {
        return Err(not_video(error));
    }
    let caps = sink
        .static_pad("sink")
        .and_then(|pad| pad.current_caps())
        .ok_or_else(|| anyhow!("{} has no video stream", path.display()))?;
    let info = gst_video::VideoInfo::from_caps(&caps)
        .with_context(|| format!("cannot read the video format of {}", path.display()))?;
    Ok(StreamInfo {
        width: info.width(),
        height: info.height(),
        fps: (info.fps().numer(), info.fps().denom()),
        duration: pipeline.query_duration::<gst::ClockTime>(),
    })
}

/// Plays `pipeline` until it ends, calling `tick` about ten times a second meanwhile
/// (to show progress). The error is the first one the pipeline posted, on one line.
pub fn play_to_end(pipeline: &gst::Pipeline, tick: impl FnMut()) -> Result<()> {
    play_to_end_watching(pipeline, tick, |_| {})
}

/// Like [`play_to_end`], showing `watch` every other message the pipeline posts (an
/// element's report, say) on the way.
pub fn play_to_end_watching(
    pipeline: &gst::Pipeline,
    mut tick: impl FnMut(),
    mut watch: impl FnMut(&gst::Message),
) -> Result<()> {
    let bus = pipeline
        .bus()
        .ok_or_else(|| anyhow!("pipeline without a bus"))?;
    let outcome = if pipeline.set_state(gst::State::Playing).is_err() {
        // A failed state change posts its reason on the bus.
        Err(pending_error(&bus)
            .map_or_else(|| anyhow!("the pipeline does not start"), |e| anyhow!(e)))
    } else {
        let tick_every = std::time::Duration::from_millis(100);
        let mut last_tick = std::time::Instant::now();
        loop {
            if last_tick.elapsed() >= tick_every {
                tick();
                last_tick = std::time::Instant::now();
            }
            let Some(msg) = bus.timed_pop(gst::ClockTime::from_mseconds(100)) else {
                continue;
            };
            match msg.view() {
                gst::MessageView::Eos(_) => break Ok(()),
                gst::MessageView::Error(error) => break Err(anyhow!("{}", error.error())),
                _ => watch(&msg),
            }
        }
    };
    let _ = pipeline.set_state(gst::State::Null);
    outcome
}

/// How many frames of `fps` frames per second lie before `position`, as a pad's
/// position query answers it (`None` while unknown).
pub fn frames_done(pad: &gst::Pad, fps: (i32, i32)) -> Option<u64> {
    let position = pad.query_position::<gst::ClockTime>()?;
    let (numer, denom) = (u64::try_from(fps.0).ok()?, u64::try_from(fps.1).ok()?);
    position
        .nseconds()
        .mul_div_round(numer, denom.checked_mul(gst::ClockTime::SECOND.nseconds())?)
}
