//! The implementation of `touchlinetrack`: an in-place video filter around
//! [`touchline_track::MatchTracker`].
//!
//! The rig is read and checked (the tracker's [`Scene`] refuses values that are not
//! numbers and cameras that do not look down on the pitch) in `start()`, so a bad rig
//! fails the state change with the core's message. `set_info()` checks the panorama's
//! size and frame rate and builds the tracker (keeping the running one when the caps
//! change but not the size or the frame rate, so renegotiation does not lose tracks).
//! `transform_ip()` maps the frame for reading only — the pictures pass through
//! untouched, and a shared buffer is not copied — tracks it and attaches the result as
//! a [`tracksmeta`]. The sink pad's EOS posts every track's team and role before it
//! goes downstream.

use std::path::PathBuf;
use std::sync::{LazyLock, Mutex};

use gst::glib;
use gst::prelude::*;
use gst::subclass::prelude::*;
use gst_base::prelude::*;
use gst_base::subclass::BaseTransformMode;
use gst_video::subclass::prelude::*;
use touchline_detect::scene::Scene;
use touchline_track::{MatchTracker, TrackerOptions};

use super::TracksMessage;
use crate::{frames, rigfile, tracksmeta};

static CAT: LazyLock<gst::DebugCategory> = LazyLock::new(|| {
    gst::DebugCategory::new(
        "touchlinetrack",
        gst::DebugColorFlags::empty(),
        Some("Touchline tracker"),
    )
});

const DEFAULT_LEARNED: bool = true;

/// The picture sides the element negotiates.
const MIN_SIDE: u32 = 16;
const MAX_SIDE: u32 = 16384;

/// Property values, as the application set them.
#[derive(Debug, Clone)]
struct Settings {
    rig: Option<PathBuf>,
    learned: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            rig: None,
            learned: DEFAULT_LEARNED,
        }
    }
}

/// What `start()` read and checked; dropped in `stop()`.
struct State {
    scene: Scene,
    options: TrackerOptions,
}

/// The tracker for the negotiated stream. The streaming thread holds its lock while it
/// tracks a frame.
struct Stream {
    tracker: MatchTracker,
    info: gst_video::VideoInfo,
    fps: f64,
}

#[derive(Default)]
pub struct TouchlineTrack {
    settings: Mutex<Settings>,
    state: Mutex<Option<State>>,
    stream: Mutex<Option<Stream>>,
}

impl TouchlineTrack {
    /// Posts a negotiation error naming the problem and returns the matching logged
    /// error.
    fn negotiation_error(&self, message: String) -> gst::LoggableError {
        gst::element_imp_error!(self, gst::CoreError::Negotiation, ("{}", message));
        gst::loggable_error!(CAT, "{message}")
    }

    /// Posts every track's team and role, decided over the frames tracked so far.
    fn post_identities(&self) {
        let message = match self.stream.lock().unwrap().as_ref() {
            Some(stream) => TracksMessage {
                frames: stream.tracker.frames(),
                people: stream.tracker.identities(),
            },
            None => TracksMessage {
                frames: 0,
                people: Vec::new(),
            },
        };
        gst::info!(
            CAT,
            imp = self,
            "{} tracks over {} frames",
            message.people.len(),
            message.frames
        );
        let obj = self.obj();
        let posted = obj.post_message(
            gst::message::Element::builder(message.to_structure())
                .src(&*obj)
                .build(),
        );
        if posted.is_err() {
            gst::debug!(CAT, imp = self, "No bus to post the tracks on");
        }
    }
}

#[glib::object_subclass]
impl ObjectSubclass for TouchlineTrack {
    const NAME: &'static str = "GstTouchlineTrack";
    type Type = super::TouchlineTrack;
    type ParentType = gst_video::VideoFilter;
}

impl ObjectImpl for TouchlineTrack {
    fn constructed(&self) {
        self.parent_constructed();
        // The tracker steps one frame at a time: a frame dropped for being late would
        // be a gap in every track. GstVideoFilter turns QoS on; an application can
        // still turn it back on with the `qos` property.
        self.obj().set_qos(false);
    }

    fn properties() -> &'static [glib::ParamSpec] {
        static PROPERTIES: LazyLock<Vec<glib::ParamSpec>> = LazyLock::new(|| {
            vec![
                glib::ParamSpecString::builder("rig")
                    .nick("Rig")
                    .blurb("Path of the rig.toml whose panorama the input is (required)")
                    .mutable_ready()
                    .build(),
                glib::ParamSpecBoolean::builder("learned")
                    .nick("Learned detector")
                    .blurb(
                        "Split groups of people with the learned detector \
                         (slower; without it groups are split by their silhouette)",
                    )
                    .default_value(DEFAULT_LEARNED)
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
            "learned" => {
                settings.learned = value.get().expect("type checked upstream");
                gst::debug!(CAT, imp = self, "Learned detector: {}", settings.learned);
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
            "learned" => settings.learned.to_value(),
            _ => unimplemented!(),
        }
    }
}

impl GstObjectImpl for TouchlineTrack {}

impl ElementImpl for TouchlineTrack {
    fn metadata() -> Option<&'static gst::subclass::ElementMetadata> {
        static ELEMENT_METADATA: LazyLock<gst::subclass::ElementMetadata> = LazyLock::new(|| {
            gst::subclass::ElementMetadata::new(
                "Touchline tracker",
                "Filter/Analyzer/Video",
                "Tracks the people and the ball in the rig's panorama and attaches them \
                 to each frame as a TouchlineTracksMeta",
                "Touchline developers",
            )
        });
        Some(&*ELEMENT_METADATA)
    }

    fn pad_templates() -> &'static [gst::PadTemplate] {
        static PAD_TEMPLATES: LazyLock<Vec<gst::PadTemplate>> = LazyLock::new(|| {
            let caps = gst_video::VideoCapsBuilder::new()
                .format(gst_video::VideoFormat::I420)
                .width_range(frames::caps_side(MIN_SIDE)..=frames::caps_side(MAX_SIDE))
                .height_range(frames::caps_side(MIN_SIDE)..=frames::caps_side(MAX_SIDE))
                .build();
            let src = gst::PadTemplate::new(
                "src",
                gst::PadDirection::Src,
                gst::PadPresence::Always,
                &caps,
            )
            .expect("a valid pad template");
            let sink = gst::PadTemplate::new(
                "sink",
                gst::PadDirection::Sink,
                gst::PadPresence::Always,
                &caps,
            )
            .expect("a valid pad template");
            vec![src, sink]
        });
        PAD_TEMPLATES.as_ref()
    }
}

impl BaseTransformImpl for TouchlineTrack {
    const MODE: BaseTransformMode = BaseTransformMode::AlwaysInPlace;
    const PASSTHROUGH_ON_SAME_CAPS: bool = false;
    const TRANSFORM_IP_ON_PASSTHROUGH: bool = false;

    fn start(&self) -> Result<(), gst::ErrorMessage> {
        let settings = self.settings.lock().unwrap().clone();
        let rig = rigfile::load(settings.rig.as_deref())?;
        let scene = Scene::new(rig.panorama, rig.pitch).map_err(|e| {
            gst::error_msg!(
                gst::LibraryError::Settings,
                (
                    "Cannot track with the rig {}: {}",
                    settings
                        .rig
                        .as_deref()
                        .map(|p| p.display().to_string())
                        .unwrap_or_default(),
                    e
                )
            )
        })?;
        let mut options = TrackerOptions::default();
        if !settings.learned {
            options.detection.learned = None;
        }
        gst::info!(
            CAT,
            imp = self,
            "Started: {}×{} panorama, learned detector {}",
            rig.panorama.size.width,
            rig.panorama.size.height,
            if settings.learned { "on" } else { "off" }
        );
        *self.state.lock().unwrap() = Some(State { scene, options });
        Ok(())
    }

    fn stop(&self) -> Result<(), gst::ErrorMessage> {
        *self.stream.lock().unwrap() = None;
        *self.state.lock().unwrap() = None;
        gst::info!(CAT, imp = self, "Stopped");
        Ok(())
    }

    fn sink_event(&self, event: gst::Event) -> bool {
        if let gst::EventView::Eos(_) = event.view() {
            // Before EOS goes on, so that the message is on the bus before the
            // pipeline's EOS.
            self.post_identities();
        }
        self.parent_sink_event(event)
    }

    fn transform_ip(&self, buf: &mut gst::BufferRef) -> Result<gst::FlowSuccess, gst::FlowError> {
        let pts = buf.pts();
        let mut stream = self.stream.lock().unwrap();
        let Some(stream) = stream.as_mut() else {
            gst::element_imp_error!(self, gst::CoreError::Negotiation, ("No format negotiated"));
            return Err(gst::FlowError::NotNegotiated);
        };
        let index = stream.tracker.frames();
        let tracked = {
            // Read-only: the pictures pass through, and a shared buffer is not copied.
            let video = gst_video::VideoFrameRef::from_buffer_ref_readable(&*buf, &stream.info)
                .map_err(|_| {
                    gst::element_imp_error!(
                        self,
                        gst::StreamError::Failed,
                        ("Cannot map the panorama at {}", pts.display())
                    );
                    gst::FlowError::Error
                })?;
            frames::frame(&video)
                .and_then(|frame| stream.tracker.process(&frame).map_err(|e| e.to_string()))
        };
        let tracked = tracked.map_err(|e| {
            gst::element_imp_error!(
                self,
                gst::StreamError::Failed,
                ("Cannot track frame {} at {}: {}", index, pts.display(), e)
            );
            gst::FlowError::Error
        })?;
        let record = tracked.record(index, stream.fps);
        gst::log!(
            CAT,
            imp = self,
            "Frame {index} at {}: {} people, ball {}; {:.1} ms background, {:.1} ms learned, \
             {:.2} ms tracking",
            pts.display(),
            record.people.len(),
            if record.ball.is_some() {
                "known"
            } else {
                "unknown"
            },
            tracked.foreground_ms,
            tracked.learned_ms,
            tracked.tracking_ms
        );
        tracksmeta::attach(buf, &record)
            .and_then(|()| tracksmeta::attach_recovered(buf, &tracked.recovered))
            .map_err(|e| {
                gst::element_imp_error!(
                    self,
                    gst::StreamError::Failed,
                    ("Cannot attach the tracks of frame {}: {}", index, e)
                );
                gst::FlowError::Error
            })?;
        Ok(gst::FlowSuccess::Ok)
    }
}

impl VideoFilterImpl for TouchlineTrack {
    fn set_info(
        &self,
        incaps: &gst::Caps,
        in_info: &gst_video::VideoInfo,
        _outcaps: &gst::Caps,
        _out_info: &gst_video::VideoInfo,
    ) -> Result<(), gst::LoggableError> {
        let (scene, options) = {
            let state = self.state.lock().unwrap();
            let state = state
                .as_ref()
                .ok_or_else(|| gst::loggable_error!(CAT, "Negotiating before start"))?;
            (state.scene, state.options)
        };
        if in_info.format() != gst_video::VideoFormat::I420 {
            return Err(self.negotiation_error(format!("Cannot track in {incaps}: I420 only")));
        }
        let size = scene.panorama.size;
        if (in_info.width(), in_info.height()) != (size.width, size.height) {
            return Err(self.negotiation_error(format!(
                "The panorama input is {}×{}, but the rig's panorama is {}×{}",
                in_info.width(),
                in_info.height(),
                size.width,
                size.height
            )));
        }
        let rate = in_info.fps();
        if rate.numer() <= 0 || rate.denom() <= 0 {
            return Err(self.negotiation_error(format!(
                "The panorama input has no fixed frame rate ({rate}): the tracker steps \
                 one frame at a time"
            )));
        }
        let fps = f64::from(rate.numer()) / f64::from(rate.denom());

        let mut stream = self.stream.lock().unwrap();
        if let Some(running) = stream.as_mut().filter(|s| s.fps == fps) {
            gst::debug!(CAT, imp = self, "Keeping the tracker for {incaps}");
            running.info = in_info.clone();
            return Ok(());
        }
        if let Some(old) = stream.as_ref() {
            gst::warning!(
                CAT,
                imp = self,
                "The frame rate changed from {} to {fps}: tracking starts afresh after {} frames",
                old.fps,
                old.tracker.frames()
            );
        }
        let tracker = MatchTracker::new(scene, fps, options).map_err(|e| {
            gst::element_imp_error!(
                self,
                gst::LibraryError::Init,
                ("Cannot set the tracker up: {}", e)
            );
            gst::loggable_error!(CAT, "Cannot set the tracker up: {e}")
        })?;
        gst::info!(
            CAT,
            imp = self,
            "Tracking {}×{} at {fps} fps",
            in_info.width(),
            in_info.height()
        );
        *stream = Some(Stream {
            tracker,
            info: in_info.clone(),
            fps,
        });
        Ok(())
    }
}
