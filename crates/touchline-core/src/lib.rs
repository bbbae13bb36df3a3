//! Touchline's core: everything that does not need GStreamer.
//!
//! - [`geometry`]: lenses, cameras, the two-camera rig, the pitch and its markings,
//!   panorama projections, and the `rig.toml` file format.
//! - [`image`]: planar YUV frames as the pipeline passes them around.
//! - [`warp`]: stitching kernels and the virtual camera renderer.
//! - [`calibration`]: the rig from footage and landmarks.
//! - [`camera_path`]: the virtual camera's path over time (`path.csv`).
//!
//! Coordinates used throughout: the *pitch frame* has its origin on the centre spot,
//! `x` along the length towards the right-hand goal as seen from the rig, `y` across
//! the pitch away from the rig (towards the far touchline) and `z` up, in metres.
//! Pixels follow OpenCV's convention: integer coordinates are pixel centres.
#![deny(missing_docs)]

pub mod calibration;
pub mod camera_path;
mod csv;
pub mod error;
pub mod geometry;
pub mod image;
pub mod warp;

pub use error::{Error, Result};
