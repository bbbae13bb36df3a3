//! The implementation of `touchlinestitch`: a video aggregator around
//! [`touchline_core::warp::Stitcher`].
//!
//! The rig is read in `start()`, so a missing or malformed file fails the state change
//! with the core's message. Caps: each sink pad asks upstream for its camera's size
//! first and accepts any size after it (so that a wrong size is refused in
//! `update_caps()` with a message naming both sizes, instead of a bare "not
//! negotiated"); the output has the panorama's size, the inputs' format, frame rate
//! and colour description. The stitcher's maps are built in `negotiated_src_caps()`,
//! once the format is known, and `aggregate_frames()` stitches each pair of prepared
//! frames straight into the output buffer.

use std::path::PathBuf;
use std::sync::{LazyLock, Mutex};

use gst::glib;
use gst::prelude::*;
use gst::subclass::prelude::*;
use gst_video::prelude::*;
use gst_video::subclass::prelude::*;
use gst_video::subclass::AggregateFramesToken;
use touchline_core::geometry::{ImageSize, Rig};
use touchline_core::warp::{ChromaSiting, Frame, PixelFormat, StitchOptions, Stitcher};

use crate::{frames, rigfile, truthmeta};

static CAT: LazyLock<gst::DebugCategory> = LazyLock::new(|| {
    gst::DebugCategory::new(
        "touchlinestitch",
        gst::DebugColorFlags::empty(),
        Some("Touchline two-camera stitcher"),
    )
});

/// The sink pads, in rig order: the left camera (rig camera 0), then the right.
const PAD_NAMES: [&str; 2] = ["sink_0", "sink_1"];
/// How messages name the cameras of [`PAD_NAMES`].
const CAMERA_ROLES: [&str; 2] = ["left", "right"];

/// The picture sides the element negotiates.
const MIN_SIDE: i32 = 16;
const MAX_SIDE: i32 = 16384;

/// The widest seam blend the property allows, in source pixels.
const MAX_FEATHER: f64 = 1024.0;

/// Property values, as the application set them.
#[derive(Debug, Clone)]
struct Settings {
    rig: Option<PathBuf>,
    feather: f64,
    compensate: bool,
}

impl Default for Settings {
    fn default() -> Self {
        let options = StitchOptions::default();
        Settings {
            rig: None,
            feather: options.feather_px,
            compensate: options.compensate,
        }
    }
}

/// What `start()` read; dropped in `stop()`.
struct State {
    rig: Rig,
}

impl State {
    /// The picture size of the camera that feeds pad `index` (0 left, 1 right).
    fn camera_size(&self, index: usize) -> Option<ImageSize> {
        self.rig.cameras.get(index).map(|c| c.size)
    }

    fn camera_name(&self, index: usize) -> &str {
        self.rig
            .cameras
            .get(index)
            .map_or(CAMERA_ROLES[index], |c| c.name.as_str())
    }
}

/// The stitcher for the negotiated format. The aggregating thread holds its lock while
/// it stitches, so it is kept apart from [`State`], which queries read.
struct Stream {
    stitcher: Stitcher,
    format: PixelFormat,
    siting: ChromaSiting,
    camera_sizes: [ImageSize; 2],
    /// A black picture per camera, stitched in when that camera has no frame.
    blanks: [Vec<u8>; 2],
}

#[derive(Default)]
pub struct TouchlineStitch {
    settings: Mutex<Settings>,
    state: Mutex<Option<State>>,
    stream: Mutex<Option<Stream>>,
}

/// Which camera a sink pad carries: 0 for `sink_0` (left), 1 for `sink_1` (right).
fn camera_index(pad: &impl IsA<gst::Pad>) -> Option<usize> {
    let name = pad.as_ref().name();
    PAD_NAMES.iter().position(|n| *n == name.as_str())
}

/// A tightly packed picture of `size` in `format` that shows nothing: black, opaque.
fn blank_picture(format: PixelFormat, size: ImageSize) -> Vec<u8> {
    let mut data = Vec::with_capacity(format.packed_len(size));
    for layout in format.planes() {
        let (width, height) = layout.size(size);
        let sample: Vec<u8> = layout.channels.iter().map(|c| c.empty()).collect();
        for _ in 0..width as usize * height as usize {
            data.extend_from_slice(&sample);
        }
    }
    data
}

/// A caps field of `caps`'s first structure, as it stands (colour descriptions are
/// passed from the inputs to the output verbatim).
fn caps_field(caps: &gst::Caps, field: &str) -> Option<glib::SendValue> {
    caps.structure(0)?.value(field).ok().cloned()
}

impl TouchlineStitch {
    /// The caps both sides can have, before the rig and negotiation narrow them.
    fn template_caps() -> gst::Caps {
        gst_video::VideoCapsBuilder::new()
            .format_list(frames::FORMATS)
            .width_range(MIN_SIDE..=MAX_SIDE)
            .height_range(MIN_SIDE..=MAX_SIDE)
            .build()
    }

    /// The negotiated formats of the sink pads that have one, with their camera index.
    fn inputs(&self) -> Vec<(usize, gst_video::VideoAggregatorPad, gst_video::VideoInfo)> {
        self.obj()
            .sink_pads()
            .into_iter()
            .filter_map(|pad| {
                let index = camera_index(&pad)?;
                let pad = pad.downcast::<gst_video::VideoAggregatorPad>().ok()?;
                let info = pad.video_info()?;
                Some((index, pad, info))
            })
            .collect()
    }

    /// What a sink pad offers upstream: the formats downstream takes (only the other
    /// input's, once it has one), at the camera's size from the rig first, then at any
    /// size, which `update_caps()` refuses with a clear message.
    fn sink_caps(&self, pad: &gst::Pad, filter: Option<&gst::CapsRef>) -> gst::Caps {
        let obj = self.obj();
        let downstream = obj.src_pad().peer_query_caps(Some(&Self::template_caps()));
        let other_format = self
            .inputs()
            .into_iter()
            .find(|(_, other, _)| other.upcast_ref::<gst::Pad>() != pad)
            .map(|(_, _, info)| info.format());
        let formats: Vec<gst_video::VideoFormat> = frames::FORMATS
            .into_iter()
            .filter(|f| other_format.is_none_or(|other| other == *f))
            .filter(|f| {
                downstream.can_intersect(&gst_video::VideoCapsBuilder::new().format(*f).build())
            })
            .collect();
        if formats.is_empty() {
            return gst::Caps::new_empty();
        }
        let camera_size = camera_index(pad).and_then(|index| {
            self.state
                .lock()
                .unwrap()
                .as_ref()
                .and_then(|s| s.camera_size(index))
        });
        let mut caps = gst::Caps::new_empty();
        if let Some(size) = camera_size {
            caps.merge(
                gst_video::VideoCapsBuilder::new()
                    .format_list(formats.iter().copied())
                    .width(frames::caps_side(size.width))
                    .height(frames::caps_side(size.height))
                    .build(),
            );
        }
        caps.merge(
            gst_video::VideoCapsBuilder::new()
                .format_list(formats)
                .width_range(MIN_SIDE..=MAX_SIDE)
                .height_range(MIN_SIDE..=MAX_SIDE)
                .build(),
        );
        match filter {
            Some(filter) => filter.intersect_with_mode(&caps, gst::CapsIntersectMode::First),
            None => caps,
        }
    }

    /// What the source pad offers: the template at the panorama's size once the rig is
    /// read.
    fn src_caps(&self) -> gst::Caps {
        let mut caps = Self::template_caps();
        if let Some(state) = self.state.lock().unwrap().as_ref() {
            let size = state.rig.panorama.size;
            if let Some(s) = caps.make_mut().structure_mut(0) {
                s.set("width", frames::caps_side(size.width));
                s.set("height", frames::caps_side(size.height));
            }
        }
        caps
    }

    /// Posts a format error naming the problem and returns the matching logged error.
    fn format_error(&self, message: String) -> gst::LoggableError {
        gst::element_imp_error!(self, gst::StreamError::Format, ("{}", message));
        gst::loggable_error!(CAT, "{message}")
    }

    /// Builds the stitcher for the negotiated output, unless the one there already fits.
    fn prepare_stream(&self, info: &gst_video::VideoInfo) -> Result<(), String> {
        let format = frames::pixel_format(info.format())
            .ok_or_else(|| format!("cannot stitch {:?} pictures", info.format()))?;
        let siting = frames::chroma_siting(info.chroma_site());
        if let Some(stream) = self.stream.lock().unwrap().as_ref() {
            if stream.format == format && stream.siting == siting {
                return Ok(());
            }
        }
        let rig = self
            .state
            .lock()
            .unwrap()
            .as_ref()
            .map(|s| s.rig.clone())
            .ok_or("the element is not started")?;
        let settings = self.settings.lock().unwrap().clone();
        let options = StitchOptions {
            feather_px: settings.feather,
            compensate: settings.compensate,
            siting,
            ..StitchOptions::default()
        };
        gst::info!(
            CAT,
            imp = self,
            "Building the stitcher: {format:?}, {siting:?} chroma, {}×{} panorama, {options:?}",
            rig.panorama.size.width,
            rig.panorama.size.height
        );
        let stitcher = Stitcher::new(&rig, format, options).map_err(|e| e.to_string())?;
        gst::info!(
            CAT,
            imp = self,
            "Stitcher ready; the cameras cover {:.1} % of the panorama",
            100.0 * stitcher.coverage()
        );
        let camera_sizes = [rig.cameras[0].size, rig.cameras[1].size];
        *self.stream.lock().unwrap() = Some(Stream {
            stitcher,
            format,
            siting,
            camera_sizes,
            blanks: camera_sizes.map(|size| blank_picture(format, size)),
        });
        Ok(())
    }
}

/// Stitches one pair of prepared frames (a missing one as black) into `outbuf`.
fn stitch_pair(
    stream: &mut Stream,
    inputs: &[Option<gst_video::VideoFrameRef<&gst::BufferRef>>; 2],
    outbuf: &mut gst::BufferRef,
    out_info: &gst_video::VideoInfo,
) -> Result<(), String> {
    let mut pictures = Vec::with_capacity(2);
    for (index, input) in inputs.iter().enumerate() {
        pictures.push(match input {
            Some(video) => frames::frame(video)?,
            None => Frame::packed(
                stream.format,
                stream.camera_sizes[index],
                &stream.blanks[index],
            )
            .map_err(|e| e.to_string())?,
        });
    }
    let mut output = gst_video::VideoFrameRef::from_buffer_ref_writable(outbuf, out_info)
        .map_err(|e| format!("cannot map the output buffer: {e}"))?;
    let mut panorama = frames::frame_mut(&mut output)?;
    stream
        .stitcher
        .stitch(&pictures[0], &pictures[1], &mut panorama)
        .map_err(|e| e.to_string())
}

#[glib::object_subclass]
impl ObjectSubclass for TouchlineStitch {
    const NAME: &'static str = "GstTouchlineStitch";
    type Type = super::TouchlineStitch;
    type ParentType = gst_video::VideoAggregator;
}

impl ObjectImpl for TouchlineStitch {
    fn properties() -> &'static [glib::ParamSpec] {
        static PROPERTIES: LazyLock<Vec<glib::ParamSpec>> = LazyLock::new(|| {
            let defaults = Settings::default();
            vec![
                glib::ParamSpecString::builder("rig")
                    .nick("Rig")
                    .blurb("Path of the rig.toml that calibrates the cameras and defines the panorama (required)")
                    .mutable_ready()
                    .build(),
                glib::ParamSpecDouble::builder("feather")
                    .nick("Feather")
                    .blurb("Width of the blend across the seam, in source pixels")
                    .minimum(1.0)
                    .maximum(MAX_FEATHER)
                    .default_value(defaults.feather)
                    .mutable_ready()
                    .build(),
                glib::ParamSpecBoolean::builder("compensate")
                    .nick("Compensate")
                    .blurb("Measure the cameras' exposure and colour in the overlap and even them out")
                    .default_value(defaults.compensate)
                    .mutable_ready()
                    .build(),
            ]
        });
        PROPERTIES.as_ref()
    }

    fn set_property(&self, _id: usize, value: &glib::Value, pspec: &glib::ParamSpec) {
        let mut settings = self.settings.lock().unwrap();
        match pspec.name() {
            "rig" => {
                let rig: Option<String> = value.get().expect("type checked upstream");
                gst::debug!(CAT, imp = self, "Rig: {rig:?}");
                settings.rig = rig.map(PathBuf::from);
            }
            "feather" => {
                let feather = value.get().expect("type checked upstream");
                gst::debug!(CAT, imp = self, "Feather: {} → {feather}", settings.feather);
                settings.feather = feather;
            }
            "compensate" => {
                let compensate = value.get().expect("type checked upstream");
                gst::debug!(
                    CAT,
                    imp = self,
                    "Compensate: {} → {compensate}",
                    settings.compensate
                );
                settings.compensate = compensate;
            }
            _ => unimplemented!(),
        }
    }

    fn property(&self, _id: usize, pspec: &glib::ParamSpec) -> glib::Value {
        let settings = self.settings.lock().unwrap();
        match pspec.name() {
            "rig" => settings
                .rig
                .as_ref()
                .map(|p| p.to_string_lossy().into_owned())
                .to_value(),
            "feather" => settings.feather.to_value(),
            "compensate" => settings.compensate.to_value(),
            _ => unimplemented!(),
        }
    }
}

impl GstObjectImpl for TouchlineStitch {}

impl ElementImpl for TouchlineStitch {
    fn metadata() -> Option<&'static gst::subclass::ElementMetadata> {
        static ELEMENT_METADATA: LazyLock<gst::subclass::ElementMetadata> = LazyLock::new(|| {
            gst::subclass::ElementMetadata::new(
                "Touchline stitcher",
                "Filter/Video/Compositor",
                "Stitches the rig's left (sink_0) and right (sink_1) cameras into its panorama",
                "Touchline developers",
            )
        });
        Some(&*ELEMENT_METADATA)
    }

    fn pad_templates() -> &'static [gst::PadTemplate] {
        static PAD_TEMPLATES: LazyLock<Vec<gst::PadTemplate>> = LazyLock::new(|| {
            let caps = TouchlineStitch::template_caps();
            let src = gst::PadTemplate::with_gtype(
                "src",
                gst::PadDirection::Src,
                gst::PadPresence::Always,
                &caps,
                gst_base::AggregatorPad::static_type(),
            )
            .expect("a valid pad template");
            let sink = gst::PadTemplate::with_gtype(
                "sink_%u",
                gst::PadDirection::Sink,
                gst::PadPresence::Request,
                &caps,
                gst_video::VideoAggregatorPad::static_type(),
            )
            .expect("a valid pad template");
            vec![src, sink]
        });
        PAD_TEMPLATES.as_ref()
    }

    fn request_new_pad(
        &self,
        templ: &gst::PadTemplate,
        name: Option<&str>,
        caps: Option<&gst::Caps>,
    ) -> Option<gst::Pad> {
        let taken: Vec<String> = self
            .obj()
            .sink_pads()
            .iter()
            .map(|p| p.name().to_string())
            .collect();
        let free = |n: &str| !taken.iter().any(|t| t == n);
        let name = match name {
            Some(name) if PAD_NAMES.contains(&name) && free(name) => name,
            Some(name) => {
                gst::warning!(
                    CAT,
                    imp = self,
                    "Refusing pad {name}: the stitcher has sink_0 (left camera) and sink_1 (right camera), once each"
                );
                return None;
            }
            None => match PAD_NAMES.into_iter().find(|n| free(n)) {
                Some(name) => name,
                None => {
                    gst::warning!(CAT, imp = self, "Both camera pads are taken");
                    return None;
                }
            },
        };
        gst::debug!(CAT, imp = self, "New pad {name}");
        self.parent_request_new_pad(templ, Some(name), caps)
    }
}

impl AggregatorImpl for TouchlineStitch {
    fn start(&self) -> Result<(), gst::ErrorMessage> {
        let path = self.settings.lock().unwrap().rig.clone();
        let rig = rigfile::load(path.as_deref())?;
        gst::info!(
            CAT,
            imp = self,
            "Rig {}: cameras '{}' and '{}', {}×{} panorama",
            path.as_deref()
                .map_or("?".into(), |p| p.display().to_string()),
            rig.cameras[0].name,
            rig.cameras[1].name,
            rig.panorama.size.width,
            rig.panorama.size.height
        );
        *self.state.lock().unwrap() = Some(State { rig });
        self.parent_start()
    }

    fn stop(&self) -> Result<(), gst::ErrorMessage> {
        *self.stream.lock().unwrap() = None;
        *self.state.lock().unwrap() = None;
        gst::info!(CAT, imp = self, "Stopped");
        self.parent_stop()
    }

    fn sink_query(&self, pad: &gst_base::AggregatorPad, query: &mut gst::QueryRef) -> bool {
        match query.view_mut() {
            gst::QueryViewMut::Caps(q) => {
                let caps = self.sink_caps(pad.upcast_ref(), q.filter());
                gst::debug!(CAT, obj = pad, "Offering {caps}");
                q.set_result(&caps);
                true
            }
            gst::QueryViewMut::AcceptCaps(q) => {
                let accepted = q
                    .caps()
                    .can_intersect(&self.sink_caps(pad.upcast_ref(), None));
                gst::debug!(CAT, obj = pad, "Accepting {}: {accepted}", q.caps());
                q.set_result(accepted);
                true
            }
            _ => self.parent_sink_query(pad, query),
        }
    }

    fn src_query(&self, query: &mut gst::QueryRef) -> bool {
        match query.view_mut() {
            gst::QueryViewMut::Caps(q) => {
                let caps = self.src_caps();
                let caps = match q.filter() {
                    Some(filter) => {
                        filter.intersect_with_mode(&caps, gst::CapsIntersectMode::First)
                    }
                    None => caps,
                };
                q.set_result(&caps);
                true
            }
            _ => self.parent_src_query(query),
        }
    }

    fn negotiated_src_caps(&self, caps: &gst::Caps) -> Result<(), gst::LoggableError> {
        let info = gst_video::VideoInfo::from_caps(caps)
            .map_err(|_| self.format_error(format!("Cannot read the output format {caps}")))?;
        self.prepare_stream(&info).map_err(|e| {
            gst::element_imp_error!(
                self,
                gst::LibraryError::Settings,
                ("Cannot stitch with this rig: {}", e)
            );
            gst::loggable_error!(CAT, "Cannot stitch: {e}")
        })?;
        self.parent_negotiated_src_caps(caps)
    }
}

impl VideoAggregatorImpl for TouchlineStitch {
    fn update_caps(&self, caps: &gst::Caps) -> Result<gst::Caps, gst::LoggableError> {
        let (panorama, camera_sizes, camera_names) = {
            let state = self.state.lock().unwrap();
            let Some(state) = state.as_ref() else {
                return Err(gst::loggable_error!(CAT, "Negotiating before start"));
            };
            (
                state.rig.panorama.size,
                [0, 1].map(|i| state.camera_size(i)),
                [0, 1].map(|i| state.camera_name(i).to_owned()),
            )
        };
        let inputs = self.inputs();
        for (index, pad, info) in &inputs {
            let Some(expected) = camera_sizes[*index] else {
                continue;
            };
            if (info.width(), info.height()) != (expected.width, expected.height) {
                return Err(self.format_error(format!(
                    "The {} camera ({}) is {}×{}, but the rig's camera '{}' is {}×{}",
                    CAMERA_ROLES[*index],
                    pad.name(),
                    info.width(),
                    info.height(),
                    camera_names[*index],
                    expected.width,
                    expected.height
                )));
            }
        }
        if let [(_, a, first), (_, b, second)] = inputs.as_slice() {
            if first.format() != second.format() {
                return Err(self.format_error(format!(
                    "The cameras must share one format, but {} is {:?} and {} is {:?} (put videoconvert in front)",
                    a.name(),
                    first.format(),
                    b.name(),
                    second.format()
                )));
            }
            if first.fps() != second.fps() {
                return Err(self.format_error(format!(
                    "The cameras must run at one frame rate, but {} runs at {} and {} at {}",
                    a.name(),
                    first.fps(),
                    b.name(),
                    second.fps()
                )));
            }
        }
        let mut wanted = gst_video::VideoCapsBuilder::new()
            .width(frames::caps_side(panorama.width))
            .height(frames::caps_side(panorama.height))
            .pixel_aspect_ratio(gst::Fraction::new(1, 1));
        // The left camera describes the output (the right one shares its format).
        let reference = inputs
            .iter()
            .min_by_key(|(index, _, _)| *index)
            .map(|(_, pad, info)| (pad.current_caps(), info));
        if let Some((_, info)) = reference {
            wanted = wanted.format(info.format()).framerate(info.fps());
        }
        let mut wanted = wanted.build();
        if let Some((Some(input_caps), _)) = reference {
            if let Some(s) = wanted.make_mut().structure_mut(0) {
                for field in ["colorimetry", "chroma-site"] {
                    if let Some(value) = caps_field(&input_caps, field) {
                        s.set_value(field, value);
                    }
                }
            }
        }
        let output = caps.intersect_with_mode(&wanted, gst::CapsIntersectMode::First);
        if output.is_empty() {
            return Err(self.format_error(format!(
                "Downstream accepts none of {wanted} (it offers {caps})"
            )));
        }
        gst::debug!(CAT, imp = self, "Output caps {output}");
        Ok(output)
    }

    fn aggregate_frames(
        &self,
        token: &AggregateFramesToken,
        outbuf: &mut gst::BufferRef,
    ) -> Result<gst::FlowSuccess, gst::FlowError> {
        let obj = self.obj();
        let mut inputs: [Option<gst_video::VideoFrameRef<&gst::BufferRef>>; 2] = [None, None];
        let mut left_buffer = None;
        for pad in obj.sink_pads() {
            let Some(index) = camera_index(&pad) else {
                continue;
            };
            let Ok(pad) = pad.downcast::<gst_video::VideoAggregatorPad>() else {
                continue;
            };
            inputs[index] = pad.prepared_frame(token);
            if index == 0 {
                left_buffer = pad.current_buffer(token);
            }
        }
        let Some(out_info) = obj.video_info() else {
            gst::element_imp_error!(self, gst::CoreError::Negotiation, ("No output format"));
            return Err(gst::FlowError::NotNegotiated);
        };
        {
            let mut stream = self.stream.lock().unwrap();
            let Some(stream) = stream.as_mut() else {
                gst::element_imp_error!(
                    self,
                    gst::CoreError::Negotiation,
                    ("No format negotiated")
                );
                return Err(gst::FlowError::NotNegotiated);
            };
            if inputs.iter().any(Option::is_none) {
                gst::debug!(
                    CAT,
                    imp = self,
                    "No frame from {} at {:?}: stitching black in its place",
                    if inputs[0].is_none() {
                        "the left camera"
                    } else {
                        "the right camera"
                    },
                    outbuf.pts()
                );
            }
            stitch_pair(stream, &inputs, outbuf, &out_info).map_err(|e| {
                gst::element_imp_error!(
                    self,
                    gst::StreamError::Format,
                    (
                        "Cannot stitch the frames at {}: {}",
                        outbuf.pts().display(),
                        e
                    )
                );
                gst::FlowError::Error
            })?;
        }
        if let Some(truth) = left_buffer.as_deref().and_then(truthmeta::read) {
            if let Err(e) = truthmeta::attach(outbuf, &truth) {
                gst::warning!(CAT, imp = self, "Cannot pass the truth on: {e}");
            }
        }
        gst::log!(CAT, imp = self, "Stitched {outbuf:?}");
        Ok(gst::FlowSuccess::Ok)
    }
}
