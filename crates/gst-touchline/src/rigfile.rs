//! The `rig` property the elements share: reading rig.toml when an element starts.

use std::path::Path;

use touchline_core::geometry::Rig;

/// Loads the rig an element's `rig` property names, as the error message an element's
/// `start()` returns: the core's one-line text (which names the file and the problem),
/// or a request to set the property when it is unset.
pub(crate) fn load(path: Option<&Path>) -> Result<Rig, gst::ErrorMessage> {
    let Some(path) = path else {
        return Err(gst::error_msg!(
            gst::LibraryError::Settings,
            ("No rig: set the rig property to the path of a rig.toml")
        ));
    };
    Rig::load(path).map_err(|e| match e {
        touchline_core::Error::RigIo { .. } => {
            gst::error_msg!(gst::ResourceError::OpenRead, ("{}", e))
        }
        _ => gst::error_msg!(gst::LibraryError::Settings, ("{}", e)),
    })
}
