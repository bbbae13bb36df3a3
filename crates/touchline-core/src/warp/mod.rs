//! Warping pictures through precomputed maps: stitching two cameras into a panorama,
//! and rendering a virtual camera's view from it.
//!
//! - [`frame`]: borrowed frames in I420, NV12 or RGBA, with strides.
//! - [`kernel`]: source taps and fixed-point bilinear and bicubic interpolation.
//! - [`stitch`]: the two-camera stitcher with seam feathering and exposure and colour
//!   compensation.
//! - [`view`]: the virtual camera renderer.
//! - [`quality`]: PSNR, for measuring a warp against ground truth.
//!
//! Kernels write into the caller's frame, and split rows across threads with rayon.

pub mod frame;
pub mod kernel;
pub mod quality;
#[cfg(target_arch = "x86_64")]
mod simd;
pub mod stitch;
pub mod view;

pub use frame::{ChannelKind, ChromaSiting, Frame, FrameMut, PixelFormat, Plane, PlaneMut};
pub use kernel::Interpolation;
pub use stitch::{StitchOptions, Stitcher};
pub use view::ViewRenderer;
