//! The implementation of `touchlinedirector`: a plain element around
//! [`touchline_direct::LiveDirector`] that holds the frames back while the director
//! looks ahead.
//!
//! The rig is read in the change to PAUSED, so a bad rig fails the state change with
//! the rig's message. The caps give the frame rate; the director for it (and the queue
//! of held frames) is built then, and rebuilt when the frame rate changes, after the
//! frames held so far have gone out with their views.
//!
//! The sink pad's chain function reads the frame's tracks, gives them to the director
//! and holds the frame; each view the director gives is attached to the oldest held
//! frame, which then goes downstream. Serialized events that arrive while frames are
//! held (segments, tags, gaps, caps of the same frame rate) wait in the same queue, so
//! they keep their place among the frames. EOS and a new stream first send every held
//! frame out with its view; FLUSH_STOP drops them. The queue's lock is never held while
//! pushing downstream.
//!
//! The src pad answers the latency query with upstream's latency plus the delay; the
//! sink pad passes allocation queries downstream with room for the held frames added to
//! every proposed pool.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::{LazyLock, Mutex};

use gst::glib;
use gst::prelude::*;
use gst::subclass::prelude::*;
use touchline_core::geometry::ImageSize;
use touchline_direct::aim::Aim;
use touchline_direct::{DirectorOptions, LiveDirector};

use crate::{rigfile, tracksmeta, viewmeta};

static CAT: LazyLock<gst::DebugCategory> = LazyLock::new(|| {
    gst::DebugCategory::new(
        "touchlinedirector",
        gst::DebugColorFlags::empty(),
        Some("Touchline director"),
    )
});

const DEFAULT_DELAY_S: f64 = 3.0;
const MAX_DELAY_S: f64 = 30.0;
const DEFAULT_WIDTH: u32 = 1920;
const DEFAULT_HEIGHT: u32 = 1080;

/// The view sides the `width` and `height` properties accept (as `touchlinevirtualcam`).
const MIN_SIDE: u32 = 16;
const MAX_SIDE: u32 = 16384;

/// Property values, as the application set them.
#[derive(Debug, Clone)]
struct Settings {
    rig: Option<PathBuf>,
    delay_s: f64,
    width: u32,
    height: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            rig: None,
            delay_s: DEFAULT_DELAY_S,
            width: DEFAULT_WIDTH,
            height: DEFAULT_HEIGHT,
        }
    }
}

/// What the change to PAUSED read and checked; dropped in the change back to READY.
#[derive(Clone, Copy)]
struct State {
    aim: Aim,
    delay_s: f64,
}

/// A frame held back, or a serialized event keeping its place among them.
enum Held {
    Frame(gst::Buffer),
    Event(gst::Event),
}

/// The director for the negotiated frame rate and what it holds back. The streaming
/// thread holds its lock while it feeds a frame, never while it pushes downstream.
struct Stream {
    state: State,
    fps: gst::Fraction,
    director: LiveDirector,
    /// Oldest first; empty or starting with a frame.
    held: VecDeque<Held>,
}

impl Stream {
    fn new(state: State, fps: gst::Fraction) -> Stream {
        Stream {
            state,
            fps,
            director: Self::director(state, fps),
            held: VecDeque::new(),
        }
    }

    fn director(state: State, fps: gst::Fraction) -> LiveDirector {
        let rate = f64::from(fps.numer()) / f64::from(fps.denom());
        LiveDirector::new(state.aim, rate, DirectorOptions::default(), state.delay_s)
    }

    /// The delay, as a time.
    fn delay(&self) -> gst::ClockTime {
        frames_time(self.director.delay_frames(), self.fps)
    }

    /// Takes the next frame; gives what may go downstream now, oldest first.
    fn frame(&mut self, buffer: gst::Buffer) -> Result<Vec<Held>, glib::BoolError> {
        let play = tracksmeta::read(&buffer)
            .map(|record| super::play(&record))
            .unwrap_or_default();
        self.held.push_back(Held::Frame(buffer));
        let mut out = Vec::new();
        if let Some(view) = self.director.push(&play) {
            self.release(view, &mut out)?;
        }
        Ok(out)
    }

    /// A serialized event: given back when nothing is held (it may go on now), held in
    /// its place otherwise.
    fn event(&mut self, event: gst::Event) -> Option<gst::Event> {
        if self.held.is_empty() {
            Some(event)
        } else {
            self.held.push_back(Held::Event(event));
            None
        }
    }

    /// The oldest held frame with `view` attached, and the events after it, into `out`.
    fn release(
        &mut self,
        view: touchline_core::geometry::ViewAngles,
        out: &mut Vec<Held>,
    ) -> Result<(), glib::BoolError> {
        let mut viewed = false;
        while let Some(item) = self.held.front() {
            if viewed && matches!(item, Held::Frame(_)) {
                break;
            }
            match self.held.pop_front() {
                Some(Held::Frame(mut buffer)) => {
                    viewmeta::attach(buffer.make_mut(), view)?;
                    out.push(Held::Frame(buffer));
                    viewed = true;
                }
                Some(event) => out.push(event),
                None => break,
            }
        }
        Ok(())
    }

    /// Every held frame with its view, for the end of a stream; the director starts
    /// afresh.
    fn drain(&mut self) -> Result<Vec<Held>, glib::BoolError> {
        let mut out = Vec::new();
        for view in self.director.finish() {
            self.release(view, &mut out)?;
        }
        // The director gives a view for every frame it was given: nothing is left. Should
        // anything be, it goes on as it came rather than being lost.
        out.extend(self.held.drain(..));
        self.director = Self::director(self.state, self.fps);
        Ok(out)
    }

    /// Drops every held frame and starts the director afresh, for a flush.
    fn reset(&mut self) {
        self.held.clear();
        self.director = Self::director(self.state, self.fps);
    }
}

/// `frames` frames at `fps`, as a time (saturating at the largest time).
fn frames_time(frames: usize, fps: gst::Fraction) -> gst::ClockTime {
    let (numer, denom) = (fps.numer().max(1) as u128, fps.denom().max(1) as u128);
    let ns = (frames as u128 * denom * 1_000_000_000 + numer / 2) / numer;
    gst::ClockTime::from_nseconds(u64::try_from(ns).unwrap_or(u64::MAX - 1))
}

/// The fixed frame rate `caps` give, or why there is none.
fn frame_rate(caps: &gst::CapsRef) -> Result<gst::Fraction, String> {
    let rate = caps
        .structure(0)
        .and_then(|s| s.get::<gst::Fraction>("framerate").ok());
    match rate {
        Some(rate) if rate.numer() > 0 && rate.denom() > 0 => Ok(rate),
        Some(rate) => Err(format!(
            "The input has no fixed frame rate ({rate}): the director's delay is counted \
             in frames"
        )),
        None => Err(format!(
            "The input has no frame rate ({caps}): the director's delay is counted in frames"
        )),
    }
}

pub struct TouchlineDirector {
    sinkpad: gst::Pad,
    srcpad: gst::Pad,
    settings: Mutex<Settings>,
    state: Mutex<Option<State>>,
    stream: Mutex<Option<Stream>>,
}

impl TouchlineDirector {
    /// Reads the rig and checks the properties, for the change to PAUSED.
    fn start(&self) -> Result<(), gst::ErrorMessage> {
        let settings = self.settings.lock().unwrap().clone();
        let rig = rigfile::load(settings.rig.as_deref())?;
        let view = ImageSize::new(settings.width, settings.height).map_err(|e| {
            gst::error_msg!(gst::LibraryError::Settings, ("Invalid view size: {}", e))
        })?;
        gst::info!(
            CAT,
            imp = self,
            "Started: {}×{} views of the {}×{} panorama, {} s delay",
            view.width,
            view.height,
            rig.panorama.size.width,
            rig.panorama.size.height,
            settings.delay_s
        );
        *self.state.lock().unwrap() = Some(State {
            aim: Aim::new(rig.panorama, view),
            delay_s: settings.delay_s,
        });
        Ok(())
    }

    /// Sends `items` downstream in order; stops at the first failing frame.
    fn push_out(&self, items: Vec<Held>) -> Result<gst::FlowSuccess, gst::FlowError> {
        for item in items {
            match item {
                Held::Frame(buffer) => {
                    self.srcpad.push(buffer)?;
                }
                Held::Event(event) => {
                    let type_ = event.type_();
                    if !self.srcpad.push_event(event) {
                        gst::debug!(CAT, imp = self, "Downstream refused a held {type_:?}");
                    }
                }
            }
        }
        Ok(gst::FlowSuccess::Ok)
    }

    /// Posts an error for a view that could not be attached.
    fn post_attach_error(&self, error: glib::BoolError) {
        gst::element_imp_error!(
            self,
            gst::StreamError::Failed,
            ("Cannot attach the view to a frame: {}", error)
        );
    }

    fn sink_chain(
        &self,
        _pad: &gst::Pad,
        buffer: gst::Buffer,
    ) -> Result<gst::FlowSuccess, gst::FlowError> {
        let out = {
            let mut stream = self.stream.lock().unwrap();
            let Some(stream) = stream.as_mut() else {
                gst::element_imp_error!(
                    self,
                    gst::CoreError::Negotiation,
                    ["A frame came before the caps: the director needs the frame rate"]
                );
                return Err(gst::FlowError::NotNegotiated);
            };
            stream.frame(buffer)
        };
        let out = out.map_err(|e| {
            self.post_attach_error(e);
            gst::FlowError::Error
        })?;
        self.push_out(out)
    }

    /// The held frames and events, with their views; the director starts afresh.
    fn drain(&self) -> Result<Vec<Held>, gst::FlowError> {
        let drained = match self.stream.lock().unwrap().as_mut() {
            Some(stream) => stream.drain(),
            None => Ok(Vec::new()),
        };
        drained.map_err(|e| {
            self.post_attach_error(e);
            gst::FlowError::Error
        })
    }

    /// Sends the held frames out, then `event`.
    fn drain_then_forward(&self, event: gst::Event) -> bool {
        let Ok(out) = self.drain() else {
            return false;
        };
        gst::debug!(
            CAT,
            imp = self,
            "{:?}: sending {} held frames and events first",
            event.type_(),
            out.len()
        );
        // A failing push (flushing, not linked) is upstream's to hear about on its next
        // frame; the event still goes on.
        if let Err(flow) = self.push_out(out) {
            gst::debug!(CAT, imp = self, "Pushing the held frames: {flow:?}");
        }
        self.srcpad.push_event(event)
    }

    fn caps_event(&self, event: gst::Event, caps: &gst::CapsRef) -> bool {
        let fps = match frame_rate(caps) {
            Ok(fps) => fps,
            Err(message) => {
                gst::element_imp_error!(self, gst::StreamError::Format, ("{}", message));
                return false;
            }
        };
        let Some(state) = *self.state.lock().unwrap() else {
            gst::warning!(CAT, imp = self, "Caps before the rig was read");
            return false;
        };
        let mut stream = self.stream.lock().unwrap();
        match stream.as_mut() {
            Some(running) if running.fps == fps => {
                // Same frame rate: the caps take their place among the held frames.
                let now = running.event(event);
                drop(stream);
                now.is_none_or(|event| self.srcpad.push_event(event))
            }
            _ => {
                let old = stream.take();
                let new = Stream::new(state, fps);
                gst::info!(
                    CAT,
                    imp = self,
                    "Directing at {fps} fps, {} frames ({}) behind",
                    new.director.delay_frames(),
                    new.delay()
                );
                *stream = Some(new);
                drop(stream);
                let out = match old.map(|mut old| old.drain()).transpose() {
                    Ok(out) => out.unwrap_or_default(),
                    Err(e) => {
                        self.post_attach_error(e);
                        return false;
                    }
                };
                if !out.is_empty() {
                    gst::info!(
                        CAT,
                        imp = self,
                        "The frame rate changed: the camera starts afresh"
                    );
                    if let Err(flow) = self.push_out(out) {
                        gst::debug!(CAT, imp = self, "Pushing the held frames: {flow:?}");
                    }
                }
                self.srcpad.push_event(event)
            }
        }
    }

    fn sink_event(&self, pad: &gst::Pad, event: gst::Event) -> bool {
        gst::log!(CAT, obj = pad, "Handling {event:?}");
        match event.view() {
            gst::EventView::Caps(c) => {
                let caps = c.caps_owned();
                self.caps_event(event, &caps)
            }
            gst::EventView::Eos(_) | gst::EventView::StreamStart(_) => {
                self.drain_then_forward(event)
            }
            gst::EventView::FlushStop(_) => {
                if let Some(stream) = self.stream.lock().unwrap().as_mut() {
                    gst::debug!(CAT, imp = self, "Flushing {} held items", stream.held.len());
                    stream.reset();
                }
                self.srcpad.push_event(event)
            }
            _ if event.is_serialized() => {
                let now = match self.stream.lock().unwrap().as_mut() {
                    Some(stream) => stream.event(event),
                    None => Some(event),
                };
                now.is_none_or(|event| self.srcpad.push_event(event))
            }
            _ => gst::Pad::event_default(pad, Some(&*self.obj()), event),
        }
    }

    fn sink_query(&self, pad: &gst::Pad, query: &mut gst::QueryRef) -> bool {
        match query.view_mut() {
            gst::QueryViewMut::Allocation(q) => {
                if !self.srcpad.peer_query(q.query_mut()) {
                    return false;
                }
                // Room in every pool for the frames held back.
                let extra = self
                    .stream
                    .lock()
                    .unwrap()
                    .as_ref()
                    .map_or(0, |s| s.director.delay_frames())
                    .saturating_add(1);
                let extra = u32::try_from(extra).unwrap_or(u32::MAX);
                let pools: Vec<_> = q.allocation_pools().collect();
                for (i, (pool, size, min, max)) in (0u32..).zip(pools) {
                    let max = if max == 0 {
                        0
                    } else {
                        max.saturating_add(extra)
                    };
                    q.set_nth_allocation_pool(
                        i,
                        pool.as_ref(),
                        size,
                        min.saturating_add(extra),
                        max,
                    );
                }
                true
            }
            _ => gst::Pad::query_default(pad, Some(&*self.obj()), query),
        }
    }

    fn src_query(&self, pad: &gst::Pad, query: &mut gst::QueryRef) -> bool {
        match query.view_mut() {
            gst::QueryViewMut::Latency(q) => {
                if !self.sinkpad.peer_query(q.query_mut()) {
                    return false;
                }
                let (live, min, max) = q.result();
                let delay = match self.stream.lock().unwrap().as_ref() {
                    Some(stream) => stream.delay(),
                    // Before the caps: the delay as set, to the nanosecond.
                    None => gst::ClockTime::from_nseconds(
                        (self.settings.lock().unwrap().delay_s * 1e9).round() as u64,
                    ),
                };
                gst::debug!(
                    CAT,
                    imp = self,
                    "Latency: upstream {min} – {}, plus {delay}",
                    max.display()
                );
                q.set(
                    live,
                    min.saturating_add(delay),
                    max.map(|m| m.saturating_add(delay)),
                );
                true
            }
            _ => gst::Pad::query_default(pad, Some(&*self.obj()), query),
        }
    }
}

#[glib::object_subclass]
impl ObjectSubclass for TouchlineDirector {
    const NAME: &'static str = "GstTouchlineDirector";
    type Type = super::TouchlineDirector;
    type ParentType = gst::Element;

    fn with_class(klass: &Self::Class) -> Self {
        let templ = klass
            .pad_template("sink")
            .expect("the class has a sink template");
        let sinkpad = gst::Pad::builder_from_template(&templ)
            .chain_function(|pad, parent, buffer| {
                TouchlineDirector::catch_panic_pad_function(
                    parent,
                    || Err(gst::FlowError::Error),
                    |imp| imp.sink_chain(pad, buffer),
                )
            })
            .event_function(|pad, parent, event| {
                TouchlineDirector::catch_panic_pad_function(
                    parent,
                    || false,
                    |imp| imp.sink_event(pad, event),
                )
            })
            .query_function(|pad, parent, query| {
                TouchlineDirector::catch_panic_pad_function(
                    parent,
                    || false,
                    |imp| imp.sink_query(pad, query),
                )
            })
            .flags(gst::PadFlags::PROXY_CAPS)
            .build();
        let templ = klass
            .pad_template("src")
            .expect("the class has a src template");
        let srcpad = gst::Pad::builder_from_template(&templ)
            .query_function(|pad, parent, query| {
                TouchlineDirector::catch_panic_pad_function(
                    parent,
                    || false,
                    |imp| imp.src_query(pad, query),
                )
            })
            .flags(gst::PadFlags::PROXY_CAPS)
            .build();
        TouchlineDirector {
            sinkpad,
            srcpad,
            settings: Mutex::new(Settings::default()),
            state: Mutex::new(None),
            stream: Mutex::new(None),
        }
    }
}

impl ObjectImpl for TouchlineDirector {
    fn constructed(&self) {
        self.parent_constructed();
        let obj = self.obj();
        obj.add_pad(&self.sinkpad)
            .expect("a new element takes its sink pad");
        obj.add_pad(&self.srcpad)
            .expect("a new element takes its src pad");
    }

    fn properties() -> &'static [glib::ParamSpec] {
        static PROPERTIES: LazyLock<Vec<glib::ParamSpec>> = LazyLock::new(|| {
            vec![
                glib::ParamSpecString::builder("rig")
                    .nick("Rig")
                    .blurb("Path of the rig.toml whose panorama the input is (required)")
                    .mutable_ready()
                    .build(),
                glib::ParamSpecDouble::builder("delay")
                    .nick("Delay")
                    .blurb(
                        "How long frames are held back so the director sees what comes \
                         next, seconds (rounded to frames)",
                    )
                    .minimum(0.0)
                    .maximum(MAX_DELAY_S)
                    .default_value(DEFAULT_DELAY_S)
                    .mutable_ready()
                    .build(),
                glib::ParamSpecUInt::builder("width")
                    .nick("Width")
                    .blurb("Width of the rendered view, pixels (only the aspect matters)")
                    .minimum(MIN_SIDE)
                    .maximum(MAX_SIDE)
                    .default_value(DEFAULT_WIDTH)
                    .mutable_ready()
                    .build(),
                glib::ParamSpecUInt::builder("height")
                    .nick("Height")
                    .blurb("Height of the rendered view, pixels (only the aspect matters)")
                    .minimum(MIN_SIDE)
                    .maximum(MAX_SIDE)
                    .default_value(DEFAULT_HEIGHT)
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
            "delay" => {
                settings.delay_s = value.get().expect("type checked upstream");
                gst::debug!(CAT, imp = self, "Delay: {} s", settings.delay_s);
            }
            "width" => {
                settings.width = value.get().expect("type checked upstream");
                gst::debug!(CAT, imp = self, "Width: {}", settings.width);
            }
            "height" => {
                settings.height = value.get().expect("type checked upstream");
                gst::debug!(CAT, imp = self, "Height: {}", settings.height);
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
            "delay" => settings.delay_s.to_value(),
            "width" => settings.width.to_value(),
            "height" => settings.height.to_value(),
            _ => unimplemented!(),
        }
    }
}

impl GstObjectImpl for TouchlineDirector {}

impl ElementImpl for TouchlineDirector {
    fn metadata() -> Option<&'static gst::subclass::ElementMetadata> {
        static ELEMENT_METADATA: LazyLock<gst::subclass::ElementMetadata> = LazyLock::new(|| {
            gst::subclass::ElementMetadata::new(
                "Touchline director",
                "Filter/Video",
                "Decides where the virtual camera looks from each frame's tracks, holding \
                 the frames back a fixed delay, and attaches the view to each frame as a \
                 TouchlineViewMeta",
                "Touchline developers",
            )
        });
        Some(&*ELEMENT_METADATA)
    }

    fn pad_templates() -> &'static [gst::PadTemplate] {
        static PAD_TEMPLATES: LazyLock<Vec<gst::PadTemplate>> = LazyLock::new(|| {
            // Any raw video: the pictures pass through untouched. Even caps without a
            // frame rate are taken, to be refused with a message that says why.
            let caps = gst::Caps::new_empty_simple("video/x-raw");
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

    fn change_state(
        &self,
        transition: gst::StateChange,
    ) -> Result<gst::StateChangeSuccess, gst::StateChangeError> {
        if transition == gst::StateChange::ReadyToPaused {
            if let Err(message) = self.start() {
                self.post_error_message(message);
                return Err(gst::StateChangeError);
            }
        }
        let success = self.parent_change_state(transition)?;
        if transition == gst::StateChange::PausedToReady {
            *self.stream.lock().unwrap() = None;
            *self.state.lock().unwrap() = None;
            gst::info!(CAT, imp = self, "Stopped");
        }
        Ok(success)
    }
}
