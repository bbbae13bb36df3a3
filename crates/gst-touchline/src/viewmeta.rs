//! Where the virtual camera should look for one frame, carried on the frame's buffer as
//! a custom meta.
//!
//! Upstream of `touchlinevirtualcam`, whatever decides the view (a director, a camera
//! path, an application's pad probe) attaches [`ViewAngles`] to each panorama buffer;
//! the virtual camera renders that view instead of the one its `pan`, `tilt` and `fov`
//! properties describe. GStreamer 1.22 has no analytics meta, so the angles travel as a
//! [`gst::meta::CustomMeta`] named [`NAME`] whose structure holds:
//!
//! | field  | type  | meaning                                      |
//! |--------|-------|----------------------------------------------|
//! | `pan`  | `f64` | pan, degrees, positive to the right          |
//! | `tilt` | `f64` | tilt, degrees, positive looks down           |
//! | `fov`  | `f64` | horizontal field of view, degrees            |
//!
//! The meta has no tags, so elements that copy or convert buffers keep it: the angles
//! describe the panorama's geometry, not its pixels, and survive a colour conversion.

use std::sync::Once;

use gst::glib;
use gst::meta::CustomMeta;
use touchline_core::geometry::ViewAngles;

/// The name the meta is registered under.
pub const NAME: &str = "TouchlineViewMeta";

/// Registers the meta with GStreamer; the first call does it, later calls do nothing.
/// The plugin calls it when it loads, and [`attach`] calls it too. Needs `gst::init()`.
pub fn register() {
    static REGISTER: Once = Once::new();
    REGISTER.call_once(|| {
        if !CustomMeta::is_registered(NAME) {
            CustomMeta::register(NAME, &[]);
        }
    });
}

/// Attaches `angles` to `buffer`, replacing any view already attached (a buffer has one
/// view). The angles are stored as given; the virtual camera checks them when it
/// renders. Fails only when GStreamer refuses to add the meta.
pub fn attach(buffer: &mut gst::BufferRef, angles: ViewAngles) -> Result<(), glib::BoolError> {
    register();
    let mut meta = if CustomMeta::from_buffer(buffer, NAME).is_ok() {
        CustomMeta::from_mut_buffer(buffer, NAME)?
    } else {
        CustomMeta::add(buffer, NAME)?
    };
    let s = meta.mut_structure();
    s.set("pan", angles.pan_deg);
    s.set("tilt", angles.tilt_deg);
    s.set("fov", angles.fov_deg);
    Ok(())
}

/// The view attached to `buffer`, or `None` when it carries none (or one whose fields
/// are missing or not numbers).
pub fn read(buffer: &gst::BufferRef) -> Option<ViewAngles> {
    let meta = CustomMeta::from_buffer(buffer, NAME).ok()?;
    let s = meta.structure();
    Some(ViewAngles {
        pan_deg: s.get::<f64>("pan").ok()?,
        tilt_deg: s.get::<f64>("tilt").ok()?,
        fov_deg: s.get::<f64>("fov").ok()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const VIEW: ViewAngles = ViewAngles {
        pan_deg: -12.5,
        tilt_deg: 18.0,
        fov_deg: 35.0,
    };

    #[test]
    fn angles_survive_the_trip_through_a_buffer_and_its_copies() {
        gst::init().unwrap();
        let mut buffer = gst::Buffer::with_size(16).unwrap();
        assert_eq!(read(&buffer), None, "no meta yet");
        attach(buffer.get_mut().unwrap(), VIEW).unwrap();
        assert_eq!(read(&buffer), Some(VIEW));
        assert_eq!(read(&buffer.copy()), Some(VIEW));
    }

    #[test]
    fn a_second_view_replaces_the_first() {
        gst::init().unwrap();
        let mut buffer = gst::Buffer::with_size(16).unwrap();
        let other = ViewAngles {
            pan_deg: 30.0,
            ..VIEW
        };
        attach(buffer.get_mut().unwrap(), VIEW).unwrap();
        attach(buffer.get_mut().unwrap(), other).unwrap();
        assert_eq!(read(&buffer), Some(other));
        assert_eq!(buffer.iter_meta::<gst::Meta>().count(), 1);
    }
}
