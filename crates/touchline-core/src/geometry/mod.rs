//! Geometry: lenses, cameras, the pitch, panoramas and the rig.

pub mod camera;
pub mod homography;
pub mod lens;
pub mod panorama;
pub mod pitch;
pub mod rig;
pub mod virtual_camera;

pub use camera::{Camera, ImageSize, Intrinsics, Orientation};
pub use homography::Homography;
pub use lens::Lens;
pub use panorama::{Panorama, Projection};
pub use pitch::{Marking, Pitch, Sport};
pub use rig::{frame_panorama, Rig, RigCamera, RigOptions, Sensor, RIG_FORMAT};
pub use virtual_camera::{ViewAngles, VirtualCamera};
