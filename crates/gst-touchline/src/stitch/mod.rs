//! `touchlinestitch`: the rig's two cameras stitched into its panorama.
//!
//! A video aggregator with two request sink pads: **`sink_0` is the left camera** (the
//! rig's camera 0) and **`sink_1` the right camera** (camera 1); no other pads can be
//! requested. Frames are paired by running time, as every video aggregator does, and
//! each pair goes through [`touchline_core::warp::Stitcher`]: ground-plane maps from
//! the calibration in `rig`, a feathered seam, devignetting and, with `compensate`,
//! exposure and colour matching measured in the overlap.
//!
//! Formats are I420, NV12 and RGBA; both inputs and the output share one format (put
//! `videoconvert` in front). Each input must have its camera's picture size from the
//! rig, which the pads ask upstream for first; the output has the panorama's size from
//! the rig and the inputs' frame rate. Chroma siting is taken from the negotiated caps
//! (`mpeg2` and other left-cosited sitings as such, anything else as centred).
//!
//! A missing or malformed rig file fails the start with the rig's error; inputs of
//! another size, of different formats or different frame rates stop the stream with an
//! error message that names them. When one camera has no frame for an output time (its
//! stream started later or ended sooner), that camera's part of the panorama is black.
//!
//! The ground truth of the left camera's frame ([`crate::truthmeta`]), when there is
//! one, is copied to the panorama buffer; its boxes stay in each camera's own pixels,
//! keyed by camera name.
//!
//! ## Example pipeline
//! ```bash
//! gst-launch-1.0 touchlinestitch name=s rig=rig.toml \
//!         ! videoconvert ! x264enc ! mp4mux ! filesink location=pano.mp4 \
//!     filesrc location=left.mp4 ! decodebin ! videoconvert ! video/x-raw,format=I420 ! s.sink_0 \
//!     filesrc location=right.mp4 ! decodebin ! videoconvert ! video/x-raw,format=I420 ! s.sink_1
//! ```

use gst::glib;
use gst::prelude::*;

mod imp;

glib::wrapper! {
    /// The `touchlinestitch` element.
    pub struct TouchlineStitch(ObjectSubclass<imp::TouchlineStitch>)
        @extends gst_video::VideoAggregator, gst_base::Aggregator, gst::Element, gst::Object;
}

/// Registers `touchlinestitch` with the plugin.
pub fn register(plugin: &gst::Plugin) -> Result<(), glib::BoolError> {
    gst::Element::register(
        Some(plugin),
        "touchlinestitch",
        gst::Rank::NONE,
        TouchlineStitch::static_type(),
    )
}
