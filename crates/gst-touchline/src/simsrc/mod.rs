//! `touchlinesimsrc`: one camera of Touchline's deterministic simulated match.
//!
//! The source renders the match that `touchline-sim` plays for a given seed and sport,
//! as seen by the rig's left or right camera or as the ideal panorama, and attaches the
//! frame's ground truth to every buffer (see [`crate::truthmeta`]). The same seed
//! always gives the same match, frame for frame.
//!
//! Output is I420 at 1920×1080, 25 fps unless downstream asks for another size (even
//! sides, 64 to 4096) or another whole frame rate (1 to 60 fps); the simulation is
//! built once the caps are known. The panorama's size is fixed by the rig. The stream
//! ends after `duration` seconds.
//!
//! With `is-live=true` the source behaves like a camera, using the base class's own
//! clock sync: it produces only in PLAYING, reports one frame of latency, and the base
//! class waits on the clock until each frame's running time before pushing it. Frames
//! are stamped 0, 1/fps, 2/fps, …; the base class shifts them all by the running time
//! at which the first one was ready (its "pseudo-live" retiming), so a slow start
//! delays the stream instead of making it late. When rendering is slower than real
//! time frames go out as soon as they are ready. With `is-live=false` (the default)
//! the source renders as fast as it can and pacing is the sink's business (`sync`).
//!
//! ## Example pipeline
//! ```bash
//! gst-launch-1.0 touchlinesimsrc camera=right seed=3 duration=10 \
//!     ! video/x-raw,width=1280,height=720 ! videoconvert ! autovideosink
//! ```

use gst::glib;
use gst::prelude::*;

mod imp;

/// Which picture of the simulated rig the source outputs.
#[derive(Debug, Default, Eq, PartialEq, Ord, PartialOrd, Hash, Clone, Copy, glib::Enum)]
#[repr(u32)]
#[enum_type(name = "GstTouchlineSimSrcCamera")]
pub enum Camera {
    /// The left camera of the rig (rig index 0).
    #[default]
    #[enum_value(name = "Left camera of the rig", nick = "left")]
    Left = 0,
    /// The right camera of the rig (rig index 1), exposed a few milliseconds later.
    #[enum_value(name = "Right camera of the rig", nick = "right")]
    Right = 1,
    /// The ideal panorama of both cameras: the stitcher's ground truth.
    #[enum_value(name = "Ideal panorama", nick = "panorama")]
    Panorama = 2,
}

glib::wrapper! {
    /// The `touchlinesimsrc` element.
    pub struct TouchlineSimSrc(ObjectSubclass<imp::TouchlineSimSrc>)
        @extends gst_base::PushSrc, gst_base::BaseSrc, gst::Element, gst::Object;
}

/// Registers `touchlinesimsrc` (and its camera enum) with the plugin.
pub fn register(plugin: &gst::Plugin) -> Result<(), glib::BoolError> {
    gst::Element::register(
        Some(plugin),
        "touchlinesimsrc",
        gst::Rank::NONE,
        TouchlineSimSrc::static_type(),
    )
}
