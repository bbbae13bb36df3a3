//! The implementation of `touchlinesimsrc`: a push source around
//! [`touchline_sim::Simulation`].
//!
//! The settings are checked in `start()` (an unknown sport or a bad duration fails the
//! state change there with an error message). The simulation itself, slow to build
//! because it ray-traces the static scene, is built in `set_caps()`, once negotiation
//! has fixed the picture size and frame rate; `create()` then renders one frame per
//! buffer.
//!
//! A [`Simulation`] renders every camera of the rig each frame (and the panorama when
//! asked), so an element that outputs one picture throws the others away. That costs
//! roughly twice the rendering time of one camera; it is accepted for now, and the
//! simulator would need a per-camera switch to avoid it.

use std::sync::{LazyLock, Mutex};

use gst::glib;
use gst::prelude::*;
use gst::subclass::prelude::*;
use gst_base::prelude::*;
use gst_base::subclass::base_src::CreateSuccess;
use gst_base::subclass::prelude::*;
use touchline_core::geometry::{ImageSize, Sport};
use touchline_core::image::I420Frame;
use touchline_sim::{SimConfig, Simulation};

use super::Camera;
use crate::truthmeta;

static CAT: LazyLock<gst::DebugCategory> = LazyLock::new(|| {
    gst::DebugCategory::new(
        "touchlinesimsrc",
        gst::DebugColorFlags::empty(),
        Some("Touchline simulated camera"),
    )
});

const DEFAULT_CAMERA: Camera = Camera::Left;
const DEFAULT_SEED: u64 = 7;
const DEFAULT_SPORT: &str = "football";
const DEFAULT_DURATION: f64 = 60.0;
const DEFAULT_IS_LIVE: bool = false;

/// The picture size and frame rate when downstream does not ask for others.
const DEFAULT_WIDTH: i32 = 1920;
const DEFAULT_HEIGHT: i32 = 1080;
const DEFAULT_FPS: i32 = 25;

/// The sizes and frame rates the source negotiates (sides must also be even).
const MIN_SIDE: i32 = 64;
const MAX_SIDE: i32 = 4096;
const MAX_FPS: i32 = 60;

/// The longest match the simulator plays, seconds.
const MAX_DURATION: f64 = 6.0 * 3600.0;

/// Property values, as the application set them.
#[derive(Debug, Clone)]
struct Settings {
    camera: Camera,
    seed: u64,
    sport: String,
    duration: f64,
    is_live: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            camera: DEFAULT_CAMERA,
            seed: DEFAULT_SEED,
            sport: DEFAULT_SPORT.to_owned(),
            duration: DEFAULT_DURATION,
            is_live: DEFAULT_IS_LIVE,
        }
    }
}

/// What `start()` checked and `set_caps()` adds; dropped in `stop()`.
struct State {
    camera: Camera,
    /// The simulation at the default size and frame rate: it proves the settings valid
    /// and is reused when negotiation settles on that size.
    config: SimConfig,
    /// The output size when the caps cannot choose it (the panorama's).
    fixed_size: Option<ImageSize>,
    /// The negotiated caps and frame rate, once `set_caps()` has run.
    caps: Option<gst::Caps>,
    fps: Option<u32>,
}

/// The running simulation. The streaming thread holds its lock while it renders, so it
/// is kept apart from [`State`], which queries read.
struct Stream {
    sim: Simulation,
    camera: Camera,
    info: gst_video::VideoInfo,
    fps: u32,
}

#[derive(Default)]
pub struct TouchlineSimSrc {
    settings: Mutex<Settings>,
    state: Mutex<Option<State>>,
    stream: Mutex<Option<Stream>>,
}

impl TouchlineSimSrc {
    /// The caps the source can produce, before negotiation narrows them.
    fn template_caps() -> gst::Caps {
        gst_video::VideoCapsBuilder::new()
            .format(gst_video::VideoFormat::I420)
            .width_range(MIN_SIDE..=MAX_SIDE)
            .height_range(MIN_SIDE..=MAX_SIDE)
            .framerate_range(gst::Fraction::new(1, 1)..=gst::Fraction::new(MAX_FPS, 1))
            .pixel_aspect_ratio(gst::Fraction::new(1, 1))
            .build()
    }

    /// Checks a negotiated format: even sides and a whole frame rate, which is what
    /// the simulator renders.
    fn check_format(info: &gst_video::VideoInfo) -> Result<u32, String> {
        let (width, height) = (info.width(), info.height());
        if width % 2 != 0 || height % 2 != 0 {
            return Err(format!("{width}×{height} must have even sides"));
        }
        let fps = info.fps();
        if fps.denom() != 1 || !(1..=MAX_FPS).contains(&fps.numer()) {
            return Err(format!(
                "frame rate {fps} must be a whole number of frames per second, 1 to {MAX_FPS}"
            ));
        }
        Ok(fps.numer() as u32)
    }

    /// Builds the simulation for the negotiated format (the slow part of starting).
    fn build_stream(&self, info: &gst_video::VideoInfo) -> Result<Stream, String> {
        let fps = Self::check_format(info)?;
        let (camera, default_config, fixed_size) = {
            let state = self.state.lock().unwrap();
            let state = state.as_ref().ok_or("the element is not started")?;
            (state.camera, state.config.clone(), state.fixed_size)
        };
        let size = ImageSize::new(info.width(), info.height()).map_err(|e| e.to_string())?;
        let default_size = default_config.rig.cameras.first().map(|c| c.size);
        let mut config = match fixed_size {
            Some(fixed) if fixed != size => {
                return Err(format!(
                    "the panorama is {}×{}, not {}×{}",
                    fixed.width, fixed.height, size.width, size.height
                ));
            }
            Some(_) => default_config,
            None if Some(size) == default_size => default_config,
            None => {
                let rig = &default_config.rig;
                let mut config = SimConfig::new(
                    rig.sport,
                    rig.pitch,
                    size,
                    default_config.seed,
                    default_config.seconds,
                    fps,
                )
                .map_err(|e| e.to_string())?;
                config.panorama = default_config.panorama;
                config
            }
        };
        config.fps = fps;
        gst::info!(
            CAT,
            imp = self,
            "Building the simulation: {} seed {}, {camera:?} picture at {}×{}, {fps} fps, {} frames",
            config.rig.sport,
            config.seed,
            size.width,
            size.height,
            config.frame_count()
        );
        let sim = Simulation::new(config).map_err(|e| e.to_string())?;
        gst::info!(CAT, imp = self, "Simulation ready");
        Ok(Stream {
            sim,
            camera,
            info: info.clone(),
            fps,
        })
    }

    /// The frame rate `set_caps()` settled on.
    fn negotiated_fps(&self) -> Option<u32> {
        self.state.lock().unwrap().as_ref()?.fps
    }
}

/// The running time of frame `index` at `fps` frames per second.
fn frame_time(index: u64, fps: u32) -> gst::ClockTime {
    gst::ClockTime::SECOND
        .mul_div_floor(index, u64::from(fps))
        .unwrap_or(gst::ClockTime::MAX)
}

/// Wraps a packed I420 frame in a buffer laid out as `info` says: without a copy when
/// GStreamer's default strides are the packed ones (width a multiple of 8), plane by
/// plane otherwise.
fn frame_to_buffer(
    frame: I420Frame,
    info: &gst_video::VideoInfo,
) -> Result<gst::Buffer, glib::BoolError> {
    let size = frame.size();
    if (size.width, size.height) != (info.width(), info.height()) {
        return Err(glib::bool_error!(
            "rendered {}×{}, negotiated {}×{}",
            size.width,
            size.height,
            info.width(),
            info.height()
        ));
    }
    let (w, h) = (size.width as usize, size.height as usize);
    let packed_strides = [w as i32, (w / 2) as i32, (w / 2) as i32];
    let packed_offsets = [0, w * h, w * h + w * h / 4];
    if info.stride() == packed_strides
        && info.offset() == packed_offsets
        && info.size() == w * h * 3 / 2
    {
        return Ok(gst::Buffer::from_mut_slice(frame.into_bytes()));
    }
    let mut buffer = gst::Buffer::with_size(info.size())?;
    {
        let mut video =
            gst_video::VideoFrameRef::from_buffer_ref_writable(buffer.make_mut(), info)?;
        let (y, u, v) = frame.planes();
        for (plane, (data, row)) in [(y, w), (u, w / 2), (v, w / 2)].into_iter().enumerate() {
            let stride = info.stride()[plane] as usize;
            let dest = video.plane_data_mut(plane as u32)?;
            for (src, dst) in data.chunks_exact(row).zip(dest.chunks_mut(stride)) {
                dst[..row].copy_from_slice(src);
            }
        }
    }
    Ok(buffer)
}

#[glib::object_subclass]
impl ObjectSubclass for TouchlineSimSrc {
    const NAME: &'static str = "GstTouchlineSimSrc";
    type Type = super::TouchlineSimSrc;
    type ParentType = gst_base::PushSrc;
}

impl ObjectImpl for TouchlineSimSrc {
    fn properties() -> &'static [glib::ParamSpec] {
        static PROPERTIES: LazyLock<Vec<glib::ParamSpec>> = LazyLock::new(|| {
            vec![
                glib::ParamSpecEnum::builder_with_default("camera", DEFAULT_CAMERA)
                    .nick("Camera")
                    .blurb("Which picture of the rig to output: left, right or the ideal panorama")
                    .mutable_ready()
                    .build(),
                glib::ParamSpecUInt64::builder("seed")
                    .nick("Seed")
                    .blurb("Seed of the match: the same seed plays the same match")
                    .default_value(DEFAULT_SEED)
                    .mutable_ready()
                    .build(),
                glib::ParamSpecString::builder("sport")
                    .nick("Sport")
                    .blurb("Sport profile: football (11-a-side) or football7 (7-a-side)")
                    .default_value(Some(DEFAULT_SPORT))
                    .mutable_ready()
                    .build(),
                glib::ParamSpecDouble::builder("duration")
                    .nick("Duration")
                    .blurb("Length of the match footage in seconds; end of stream after it")
                    .minimum(0.0)
                    .maximum(MAX_DURATION)
                    .default_value(DEFAULT_DURATION)
                    .mutable_ready()
                    .build(),
                glib::ParamSpecBoolean::builder("is-live")
                    .nick("Is live")
                    .blurb(
                        "Behave like a live camera: produce in PLAYING only, at the clock's pace",
                    )
                    .default_value(DEFAULT_IS_LIVE)
                    .mutable_ready()
                    .build(),
            ]
        });
        PROPERTIES.as_ref()
    }

    fn set_property(&self, _id: usize, value: &glib::Value, pspec: &glib::ParamSpec) {
        let mut settings = self.settings.lock().unwrap();
        match pspec.name() {
            "camera" => {
                let camera = value.get().expect("type checked upstream");
                gst::debug!(
                    CAT,
                    imp = self,
                    "Camera: {:?} → {camera:?}",
                    settings.camera
                );
                settings.camera = camera;
            }
            "seed" => {
                let seed = value.get().expect("type checked upstream");
                gst::debug!(CAT, imp = self, "Seed: {} → {seed}", settings.seed);
                settings.seed = seed;
            }
            "sport" => {
                let sport = value
                    .get::<Option<String>>()
                    .expect("type checked upstream")
                    .unwrap_or_else(|| DEFAULT_SPORT.to_owned());
                gst::debug!(CAT, imp = self, "Sport: {} → {sport}", settings.sport);
                settings.sport = sport;
            }
            "duration" => {
                let duration = value.get().expect("type checked upstream");
                gst::debug!(
                    CAT,
                    imp = self,
                    "Duration: {} → {duration} s",
                    settings.duration
                );
                settings.duration = duration;
            }
            "is-live" => {
                let is_live = value.get().expect("type checked upstream");
                gst::debug!(CAT, imp = self, "Is live: {} → {is_live}", settings.is_live);
                settings.is_live = is_live;
                drop(settings);
                self.obj().set_live(is_live);
            }
            _ => unimplemented!(),
        }
    }

    fn property(&self, _id: usize, pspec: &glib::ParamSpec) -> glib::Value {
        let settings = self.settings.lock().unwrap();
        match pspec.name() {
            "camera" => settings.camera.to_value(),
            "seed" => settings.seed.to_value(),
            "sport" => settings.sport.to_value(),
            "duration" => settings.duration.to_value(),
            "is-live" => settings.is_live.to_value(),
            _ => unimplemented!(),
        }
    }

    fn constructed(&self) {
        self.parent_constructed();
        let obj = self.obj();
        obj.set_live(DEFAULT_IS_LIVE);
        obj.set_format(gst::Format::Time);
    }
}

impl GstObjectImpl for TouchlineSimSrc {}

impl ElementImpl for TouchlineSimSrc {
    fn metadata() -> Option<&'static gst::subclass::ElementMetadata> {
        static ELEMENT_METADATA: LazyLock<gst::subclass::ElementMetadata> = LazyLock::new(|| {
            gst::subclass::ElementMetadata::new(
                "Touchline simulated camera",
                "Source/Video",
                "One camera of Touchline's deterministic simulated match, with its ground truth as buffer meta",
                "Touchline developers",
            )
        });
        Some(&*ELEMENT_METADATA)
    }

    fn pad_templates() -> &'static [gst::PadTemplate] {
        static PAD_TEMPLATES: LazyLock<Vec<gst::PadTemplate>> = LazyLock::new(|| {
            let src = gst::PadTemplate::new(
                "src",
                gst::PadDirection::Src,
                gst::PadPresence::Always,
                &TouchlineSimSrc::template_caps(),
            )
            .expect("a valid pad template");
            vec![src]
        });
        PAD_TEMPLATES.as_ref()
    }
}

impl BaseSrcImpl for TouchlineSimSrc {
    fn start(&self) -> Result<(), gst::ErrorMessage> {
        let settings = self.settings.lock().unwrap().clone();
        let sport: Sport = settings.sport.parse().map_err(|e| {
            gst::error_msg!(
                gst::LibraryError::Settings,
                ("Invalid sport property: {}", e)
            )
        })?;
        let size = ImageSize::new(DEFAULT_WIDTH as u32, DEFAULT_HEIGHT as u32)
            .map_err(|e| gst::error_msg!(gst::LibraryError::Settings, ("{}", e)))?;
        let mut config = SimConfig::new(
            sport,
            sport.pitch(),
            size,
            settings.seed,
            settings.duration,
            DEFAULT_FPS as u32,
        )
        .map_err(|e| {
            gst::error_msg!(
                gst::LibraryError::Settings,
                ("Cannot set the simulation up: {}", e)
            )
        })?;
        config.panorama = settings.camera == Camera::Panorama;
        let fixed_size = config.panorama.then_some(config.rig.panorama.size);
        gst::info!(
            CAT,
            imp = self,
            "Started: {sport}, seed {}, {:?} camera, {} s",
            settings.seed,
            settings.camera,
            settings.duration
        );
        *self.state.lock().unwrap() = Some(State {
            camera: settings.camera,
            config,
            fixed_size,
            caps: None,
            fps: None,
        });
        Ok(())
    }

    fn stop(&self) -> Result<(), gst::ErrorMessage> {
        *self.stream.lock().unwrap() = None;
        *self.state.lock().unwrap() = None;
        gst::info!(CAT, imp = self, "Stopped");
        Ok(())
    }

    fn is_seekable(&self) -> bool {
        false
    }

    fn caps(&self, filter: Option<&gst::Caps>) -> Option<gst::Caps> {
        let caps = {
            let state = self.state.lock().unwrap();
            match state.as_ref() {
                // Once streaming, the simulation is built for one format: keep it.
                Some(State {
                    caps: Some(caps), ..
                }) => caps.clone(),
                Some(State {
                    fixed_size: Some(size),
                    ..
                }) => {
                    let mut caps = Self::template_caps();
                    if let Some(s) = caps.make_mut().structure_mut(0) {
                        s.set("width", size.width as i32);
                        s.set("height", size.height as i32);
                    }
                    caps
                }
                _ => Self::template_caps(),
            }
        };
        gst::debug!(CAT, imp = self, "Offering {caps:?}");
        Some(match filter {
            Some(filter) => filter.intersect_with_mode(&caps, gst::CapsIntersectMode::First),
            None => caps,
        })
    }

    fn fixate(&self, mut caps: gst::Caps) -> gst::Caps {
        caps.truncate();
        if let Some(s) = caps.make_mut().structure_mut(0) {
            s.fixate_field_nearest_int("width", DEFAULT_WIDTH);
            s.fixate_field_nearest_int("height", DEFAULT_HEIGHT);
            s.fixate_field_nearest_fraction("framerate", gst::Fraction::new(DEFAULT_FPS, 1));
            if s.has_field("pixel-aspect-ratio") {
                s.fixate_field_nearest_fraction("pixel-aspect-ratio", gst::Fraction::new(1, 1));
            }
        }
        self.parent_fixate(caps)
    }

    fn set_caps(&self, caps: &gst::Caps) -> Result<(), gst::LoggableError> {
        let same = self
            .state
            .lock()
            .unwrap()
            .as_ref()
            .and_then(|s| s.caps.as_ref())
            .is_some_and(|current| current.is_strictly_equal(caps));
        if same && self.stream.lock().unwrap().is_some() {
            return Ok(());
        }
        let info = gst_video::VideoInfo::from_caps(caps).map_err(|_| {
            gst::element_imp_error!(
                self,
                gst::CoreError::Negotiation,
                ("Cannot read the negotiated video format"),
                ["{}", caps]
            );
            gst::loggable_error!(CAT, "Invalid caps {caps}")
        })?;
        gst::debug!(CAT, imp = self, "Negotiated {caps}");
        let stream = self.build_stream(&info).map_err(|e| {
            gst::element_imp_error!(
                self,
                gst::CoreError::Negotiation,
                ("Cannot simulate the negotiated format: {}", e),
                ["{}", caps]
            );
            gst::loggable_error!(CAT, "Cannot simulate {caps}: {e}")
        })?;
        let fps = stream.fps;
        *self.stream.lock().unwrap() = Some(stream);
        if let Some(state) = self.state.lock().unwrap().as_mut() {
            state.caps = Some(caps.clone());
            state.fps = Some(fps);
        }
        Ok(())
    }

    fn query(&self, query: &mut gst::QueryRef) -> bool {
        match query.view_mut() {
            gst::QueryViewMut::Latency(q) => {
                let Some(fps) = self.negotiated_fps() else {
                    return false;
                };
                let latency = frame_time(1, fps);
                gst::debug!(CAT, imp = self, "Latency {latency}");
                q.set(self.obj().is_live(), latency, gst::ClockTime::NONE);
                true
            }
            gst::QueryViewMut::Duration(q) if q.format() == gst::Format::Time => {
                let state = self.state.lock().unwrap();
                let Some(state) = state.as_ref() else {
                    return false;
                };
                let fps = state.fps.unwrap_or(state.config.fps);
                let frames = (state.config.seconds * f64::from(fps)).round() as u64;
                q.set(frame_time(frames, fps));
                true
            }
            _ => BaseSrcImplExt::parent_query(self, query),
        }
    }

    fn times(&self, buffer: &gst::BufferRef) -> (Option<gst::ClockTime>, Option<gst::ClockTime>) {
        // Live: the base class waits on the clock until each buffer's running time.
        if self.obj().is_live() {
            if let Some(pts) = buffer.pts() {
                return (Some(pts), buffer.duration().map(|d| pts + d));
            }
        }
        (None, None)
    }
}

impl PushSrcImpl for TouchlineSimSrc {
    fn create(
        &self,
        _buffer: Option<&mut gst::BufferRef>,
    ) -> Result<CreateSuccess, gst::FlowError> {
        let mut stream = self.stream.lock().unwrap();
        let Some(stream) = stream.as_mut() else {
            gst::element_imp_error!(self, gst::CoreError::Negotiation, ("No format negotiated"));
            return Err(gst::FlowError::NotNegotiated);
        };
        let Some(set) = stream.sim.next_frame() else {
            gst::debug!(CAT, imp = self, "End of the simulated footage");
            return Err(gst::FlowError::Eos);
        };
        let index = set.index;
        let frame = match stream.camera {
            Camera::Left => set.cameras.into_iter().next(),
            Camera::Right => set.cameras.into_iter().nth(1),
            Camera::Panorama => set.panorama,
        };
        let Some(frame) = frame else {
            gst::element_imp_error!(
                self,
                gst::StreamError::Failed,
                ("The simulation rendered no {:?} picture", stream.camera)
            );
            return Err(gst::FlowError::Error);
        };
        let mut buffer = frame_to_buffer(frame, &stream.info).map_err(|e| {
            gst::element_imp_error!(
                self,
                gst::StreamError::Failed,
                ("Cannot wrap frame {}: {}", index, e)
            );
            gst::FlowError::Error
        })?;
        {
            let buffer = buffer.make_mut();
            let pts = frame_time(index, stream.fps);
            buffer.set_pts(pts);
            buffer.set_duration(frame_time(index + 1, stream.fps) - pts);
            buffer.set_offset(index);
            buffer.set_offset_end(index + 1);
            truthmeta::attach(buffer, &set.truth).map_err(|e| {
                gst::element_imp_error!(
                    self,
                    gst::StreamError::Failed,
                    ("Cannot attach the truth of frame {}: {}", index, e)
                );
                gst::FlowError::Error
            })?;
        }
        gst::log!(CAT, imp = self, "Frame {index}: {buffer:?}");
        Ok(CreateSuccess::NewBuffer(buffer))
    }
}
