//! The virtual pan-tilt-zoom camera: a distortion-free perspective view from the
//! panorama's centre, aimed by pan and tilt like a camera on a head.

use nalgebra::{Rotation3, Unit, Vector3};
use serde::{Deserialize, Serialize};

use super::camera::{ImageSize, Orientation};
use crate::error::{Error, Result};

/// Widest and narrowest horizontal field of view a view may have, degrees.
pub const FOV_RANGE_DEG: (f64, f64) = (1.0, 150.0);

/// Where the virtual camera looks: pan (azimuth, positive to the right, 0 straight
/// across the pitch), tilt (positive looks down) and horizontal field of view, degrees.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ViewAngles {
    /// Pan, degrees.
    pub pan_deg: f64,
    /// Tilt, degrees; positive looks down.
    pub tilt_deg: f64,
    /// Horizontal field of view, degrees.
    pub fov_deg: f64,
}

impl ViewAngles {
    /// Checks that the angles are finite, the tilt within ±89° and the field of view
    /// within [`FOV_RANGE_DEG`].
    pub fn validate(&self) -> Result<()> {
        let (lo, hi) = FOV_RANGE_DEG;
        if !(self.pan_deg.is_finite() && self.tilt_deg.is_finite() && self.fov_deg.is_finite()) {
            return Err(Error::invalid(
                "view",
                "pan, tilt and fov must be finite numbers",
            ));
        }
        if self.tilt_deg.abs() >= 89.0 {
            return Err(Error::invalid(
                "view",
                format!("tilt {}° must be within ±89°", self.tilt_deg),
            ));
        }
        if !(lo..=hi).contains(&self.fov_deg) {
            return Err(Error::invalid(
                "view",
                format!("field of view {}° must be within {lo}°–{hi}°", self.fov_deg),
            ));
        }
        Ok(())
    }
}

/// A virtual camera: angles and the picture size it renders.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct VirtualCamera {
    angles: ViewAngles,
    size: ImageSize,
    /// Camera frame (x right, y down, z forward) → pitch frame.
    rotation: Rotation3<f64>,
    focal: f64,
}

impl VirtualCamera {
    /// A validated virtual camera.
    pub fn new(angles: ViewAngles, size: ImageSize) -> Result<Self> {
        angles.validate()?;
        let rotation = Orientation {
            yaw_deg: angles.pan_deg,
            tilt_deg: angles.tilt_deg,
            roll_deg: 0.0,
        }
        .rotation();
        let focal = size.width as f64 / 2.0 / (angles.fov_deg.to_radians() / 2.0).tan();
        Ok(VirtualCamera {
            angles,
            size,
            rotation,
            focal,
        })
    }

    /// The angles.
    pub fn angles(&self) -> ViewAngles {
        self.angles
    }

    /// The picture size.
    pub fn size(&self) -> ImageSize {
        self.size
    }

    /// Focal length in pixels.
    pub fn focal(&self) -> f64 {
        self.focal
    }

    /// The viewing direction (pitch frame, not normalised) through a continuous pixel
    /// position; pixel centres are at integer coordinates.
    pub fn ray(&self, x: f64, y: f64) -> Vector3<f64> {
        let cx = (self.size.width as f64 - 1.0) / 2.0;
        let cy = (self.size.height as f64 - 1.0) / 2.0;
        self.rotation * Vector3::new((x - cx) / self.focal, (y - cy) / self.focal, 1.0)
    }

    /// The pixel where a direction appears, or `None` when it is behind the camera.
    pub fn project_direction(&self, direction: &Vector3<f64>) -> Option<(f64, f64)> {
        let d = self.rotation.inverse_transform_vector(direction);
        if d.z <= 1e-9 {
            return None;
        }
        let cx = (self.size.width as f64 - 1.0) / 2.0;
        let cy = (self.size.height as f64 - 1.0) / 2.0;
        Some((cx + self.focal * d.x / d.z, cy + self.focal * d.y / d.z))
    }

    /// The unit optical axis in the pitch frame.
    pub fn axis(&self) -> Unit<Vector3<f64>> {
        Unit::new_normalize(self.rotation * Vector3::z())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn hd() -> ImageSize {
        ImageSize::new(1920, 1080).unwrap()
    }

    proptest! {
        #[test]
        fn pixel_ray_pixel_round_trips(
            pan in -80.0f64..80.0, tilt in -30.0f64..60.0, fov in 5.0f64..120.0,
            x in 0.0f64..1919.0, y in 0.0f64..1079.0,
        ) {
            let cam = VirtualCamera::new(ViewAngles { pan_deg: pan, tilt_deg: tilt, fov_deg: fov }, hd()).unwrap();
            let (u, v) = cam.project_direction(&cam.ray(x, y)).unwrap();
            prop_assert!((u - x).abs() < 1e-6 && (v - y).abs() < 1e-6);
        }
    }

    #[test]
    fn pan_turns_right_and_tilt_looks_down() {
        let angles = ViewAngles {
            pan_deg: 30.0,
            tilt_deg: 10.0,
            fov_deg: 40.0,
        };
        let axis = VirtualCamera::new(angles, hd()).unwrap().axis();
        assert!(axis.x > 0.0 && axis.z < 0.0);
        assert!((axis.x.atan2(axis.y).to_degrees() - 30.0).abs() < 1e-9);
        assert!(((-axis.z).asin().to_degrees() - 10.0).abs() < 1e-9);
    }

    #[test]
    fn the_field_of_view_spans_the_picture_width() {
        let angles = ViewAngles {
            pan_deg: 0.0,
            tilt_deg: 0.0,
            fov_deg: 60.0,
        };
        let cam = VirtualCamera::new(angles, hd()).unwrap();
        let left = cam.ray(-0.5, 539.5);
        let right = cam.ray(1919.5, 539.5);
        assert!((left.angle(&right).to_degrees() - 60.0).abs() < 1e-9);
    }

    #[test]
    fn nonsense_angles_are_refused() {
        for (pan, tilt, fov) in [
            (f64::NAN, 0.0, 50.0),
            (0.0, 95.0, 50.0),
            (0.0, 0.0, 0.0),
            (0.0, 0.0, 200.0),
        ] {
            let angles = ViewAngles {
                pan_deg: pan,
                tilt_deg: tilt,
                fov_deg: fov,
            };
            assert!(VirtualCamera::new(angles, hd()).is_err(), "{angles:?}");
        }
    }
}
