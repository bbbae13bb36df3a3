//! `touchlinevirtualcam`: a virtual pan-tilt-zoom camera rendered from the panorama.
//!
//! A video filter that renders the perspective view along `pan`, `tilt` and `fov`
//! from each panorama frame through [`touchline_core::warp::ViewRenderer`]. The
//! panorama's geometry (projection, angles covered, size) comes from the rig file in
//! `rig`; the input must be that panorama (what `touchlinestitch` makes with the same
//! rig). The output has the size `width`×`height`, square pixels, and the input's
//! format (I420, NV12 or RGBA), frame rate and colour description. Chroma siting is
//! taken from the caps (`mpeg2` and other left-cosited sitings as such, anything else
//! as centred).
//!
//! `pan`, `tilt` and `fov` are controllable: the element syncs them to each buffer's
//! stream time, so a `GstController` binding moves the view. A buffer that carries a
//! [`crate::viewmeta`] is rendered along the view in the meta instead, which is how a
//! director (or the `touchline render` command, from a camera path) steers it frame by
//! frame; the meta stays on the output buffer.
//!
//! A missing or malformed rig file fails the start with the rig's error; a panorama of
//! another size, or an invalid view (a tilt at or beyond ±89°, a field of view outside
//! 1°–150°, a number that is not finite), stops the stream with an error message.
//!
//! ## Example pipeline
//! ```bash
//! gst-launch-1.0 filesrc location=panorama.mp4 ! decodebin ! videoconvert \
//!     ! video/x-raw,format=I420 \
//!     ! touchlinevirtualcam rig=rig.toml width=1280 height=720 pan=-20 tilt=12 fov=35 \
//!     ! videoconvert ! x264enc ! mp4mux ! filesink location=view.mp4
//! ```

use gst::glib;
use gst::prelude::*;

mod imp;

/// How the virtual camera interpolates between panorama samples.
#[derive(Debug, Default, Eq, PartialEq, Hash, Clone, Copy, glib::Enum)]
#[repr(u32)]
#[enum_type(name = "GstTouchlineVirtualCamInterpolation")]
pub enum Interpolation {
    /// Bilinear: four taps, the faster.
    #[default]
    #[enum_value(name = "Bilinear (4 taps)", nick = "bilinear")]
    Bilinear = 0,
    /// Bicubic: sixteen taps, sharper when zoomed in.
    #[enum_value(name = "Bicubic (16 taps), sharper when zoomed in", nick = "bicubic")]
    Bicubic = 1,
}

impl From<Interpolation> for touchline_core::warp::Interpolation {
    fn from(value: Interpolation) -> Self {
        match value {
            Interpolation::Bilinear => touchline_core::warp::Interpolation::Bilinear,
            Interpolation::Bicubic => touchline_core::warp::Interpolation::Bicubic,
        }
    }
}

glib::wrapper! {
    /// The `touchlinevirtualcam` element.
    pub struct TouchlineVirtualCam(ObjectSubclass<imp::TouchlineVirtualCam>)
        @extends gst_video::VideoFilter, gst_base::BaseTransform, gst::Element, gst::Object;
}

/// Registers `touchlinevirtualcam` (and its interpolation enum) with the plugin.
pub fn register(plugin: &gst::Plugin) -> Result<(), glib::BoolError> {
    gst::Element::register(
        Some(plugin),
        "touchlinevirtualcam",
        gst::Rank::NONE,
        TouchlineVirtualCam::static_type(),
    )
}
