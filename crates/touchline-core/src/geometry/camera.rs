//! A calibrated camera: image size, intrinsics, lens and pose in the pitch frame.

use nalgebra::{Matrix3, Point2, Point3, Rotation3, Unit, Vector3};
use serde::{Deserialize, Serialize};

use super::lens::Lens;
use crate::error::{Error, Result};

/// Size of a picture in pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageSize {
    /// Columns.
    pub width: u32,
    /// Rows.
    pub height: u32,
}

impl ImageSize {
    /// A size, refused when either side is zero or odd (4:2:0 video needs even sides),
    /// or absurdly large.
    pub fn new(width: u32, height: u32) -> Result<Self> {
        const MAX_SIDE: u32 = 16384;
        if width == 0 || height == 0 || width > MAX_SIDE || height > MAX_SIDE {
            return Err(Error::invalid(
                "image size",
                format!("{width}×{height} must be between 2×2 and {MAX_SIDE}×{MAX_SIDE}"),
            ));
        }
        if !width.is_multiple_of(2) || !height.is_multiple_of(2) {
            return Err(Error::invalid(
                "image size",
                format!("{width}×{height} must have even sides for 4:2:0 video"),
            ));
        }
        Ok(ImageSize { width, height })
    }

    /// Number of pixels.
    pub fn area(&self) -> usize {
        self.width as usize * self.height as usize
    }

    /// Whether a continuous pixel position lies on the picture.
    pub fn contains(&self, p: &Point2<f64>) -> bool {
        p.x >= -0.5
            && p.y >= -0.5
            && p.x < self.width as f64 - 0.5
            && p.y < self.height as f64 - 0.5
    }
}

/// Pinhole intrinsics in pixels.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Intrinsics {
    /// Focal length along x.
    pub fx: f64,
    /// Focal length along y.
    pub fy: f64,
    /// Principal point, x.
    pub cx: f64,
    /// Principal point, y.
    pub cy: f64,
}

impl Intrinsics {
    /// The 3×3 camera matrix K.
    pub fn matrix(&self) -> Matrix3<f64> {
        Matrix3::new(self.fx, 0.0, self.cx, 0.0, self.fy, self.cy, 0.0, 0.0, 1.0)
    }
}

/// Where a camera looks, as a person would describe a pan-tilt head: `yaw` pans right
/// (towards +x) from looking straight across the pitch (+y), `tilt` looks down, `roll`
/// turns the picture clockwise. Degrees.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Orientation {
    /// Pan, degrees; positive to the right.
    pub yaw_deg: f64,
    /// Tilt, degrees; positive looks down.
    pub tilt_deg: f64,
    /// Roll about the optical axis, degrees; positive turns the picture clockwise.
    pub roll_deg: f64,
}

impl Orientation {
    /// The rotation that takes camera-frame vectors (x right, y down, z forward) to the
    /// pitch frame.
    pub fn rotation(&self) -> Rotation3<f64> {
        // Camera axes at yaw = tilt = roll = 0: x → +x, y (down) → −z, z (forward) → +y.
        let base = Rotation3::from_matrix_unchecked(Matrix3::new(
            1.0, 0.0, 0.0, //
            0.0, 0.0, 1.0, //
            0.0, -1.0, 0.0,
        ));
        let yaw = Rotation3::from_axis_angle(&Vector3::z_axis(), -self.yaw_deg.to_radians());
        let tilt = Rotation3::from_axis_angle(&Vector3::x_axis(), -self.tilt_deg.to_radians());
        let roll = Rotation3::from_axis_angle(&Vector3::z_axis(), self.roll_deg.to_radians());
        yaw * tilt * base * roll
    }

    /// The inverse of [`Orientation::rotation`].
    pub fn from_rotation(rotation: &Rotation3<f64>) -> Self {
        let forward = rotation * Vector3::z();
        let yaw = forward.x.atan2(forward.y);
        let tilt = (-forward.z).clamp(-1.0, 1.0).asin();
        let unrolled = Orientation {
            yaw_deg: yaw.to_degrees(),
            tilt_deg: tilt.to_degrees(),
            roll_deg: 0.0,
        }
        .rotation();
        let roll = unrolled.inverse() * rotation;
        let right = roll * Vector3::x();
        Orientation {
            yaw_deg: yaw.to_degrees(),
            tilt_deg: tilt.to_degrees(),
            roll_deg: right.y.atan2(right.x).to_degrees(),
        }
    }
}

/// A calibrated camera.
#[derive(Clone, Debug, PartialEq)]
pub struct Camera {
    size: ImageSize,
    intrinsics: Intrinsics,
    lens: Lens,
    position: Point3<f64>,
    /// Camera frame → pitch frame.
    rotation: Rotation3<f64>,
    /// Undistorted radius beyond which the lens folds back, see [`Lens::monotonic_limit`].
    lens_limit: f64,
}

impl Camera {
    /// A camera, validated: positive finite focal lengths, finite everything else.
    pub fn new(
        size: ImageSize,
        intrinsics: Intrinsics,
        lens: Lens,
        position: Point3<f64>,
        rotation: Rotation3<f64>,
    ) -> Result<Self> {
        let Intrinsics { fx, fy, cx, cy } = intrinsics;
        if !(fx.is_finite() && fy.is_finite() && fx > 0.0 && fy > 0.0) {
            return Err(Error::invalid(
                "focal length",
                format!("fx = {fx}, fy = {fy} must be positive"),
            ));
        }
        if !(cx.is_finite() && cy.is_finite()) {
            return Err(Error::invalid("principal point", "must be finite"));
        }
        if !position.iter().all(|v| v.is_finite()) {
            return Err(Error::invalid("camera position", "must be finite"));
        }
        if !rotation.matrix().iter().all(|v| v.is_finite()) {
            return Err(Error::invalid("camera orientation", "must be finite"));
        }
        lens.validate()?;
        Ok(Camera {
            size,
            intrinsics,
            lens,
            position,
            rotation,
            lens_limit: lens.monotonic_limit(),
        })
    }

    /// The same camera and lens with other intrinsics and orientation, validated like
    /// [`Camera::new`] but without re-deriving the lens' limits (for searches that try
    /// many).
    pub fn with_pose(&self, intrinsics: Intrinsics, rotation: Rotation3<f64>) -> Result<Self> {
        let mut camera = Camera::new(self.size, intrinsics, Lens::IDEAL, self.position, rotation)?;
        camera.lens = self.lens;
        camera.lens_limit = self.lens_limit;
        Ok(camera)
    }

    /// Picture size.
    pub fn size(&self) -> ImageSize {
        self.size
    }
    /// Intrinsics.
    pub fn intrinsics(&self) -> Intrinsics {
        self.intrinsics
    }
    /// Lens.
    pub fn lens(&self) -> Lens {
        self.lens
    }
    /// Centre of projection in the pitch frame.
    pub fn position(&self) -> Point3<f64> {
        self.position
    }
    /// Camera frame → pitch frame.
    pub fn rotation(&self) -> Rotation3<f64> {
        self.rotation
    }

    /// The pixel where a pitch-frame point appears, or `None` when it is behind the
    /// camera or beyond the lens' valid field. The pixel may lie outside the picture.
    pub fn project(&self, point: &Point3<f64>) -> Option<Point2<f64>> {
        self.project_direction(&(point - self.position))
    }

    /// Like [`Camera::project`] for a direction from the centre of projection.
    pub fn project_direction(&self, direction: &Vector3<f64>) -> Option<Point2<f64>> {
        let ray = self.rotation.inverse_transform_vector(direction);
        let undistorted_radius = match self.lens {
            Lens::BrownConrady { .. } => {
                if ray.z <= 0.0 {
                    return None;
                }
                (ray.x * ray.x + ray.y * ray.y).sqrt() / ray.z
            }
            Lens::Fisheye { .. } => (ray.x * ray.x + ray.y * ray.y).sqrt().atan2(ray.z),
        };
        if undistorted_radius > self.lens_limit {
            return None;
        }
        let (xd, yd) = self.lens.project_ray(&ray)?;
        let Intrinsics { fx, fy, cx, cy } = self.intrinsics;
        Some(Point2::new(fx * xd + cx, fy * yd + cy))
    }

    /// The unit viewing ray through a pixel, in the pitch frame.
    pub fn ray(&self, pixel: &Point2<f64>) -> Option<Unit<Vector3<f64>>> {
        let Intrinsics { fx, fy, cx, cy } = self.intrinsics;
        let ray = self
            .lens
            .unproject((pixel.x - cx) / fx, (pixel.y - cy) / fy)?;
        Some(Unit::new_normalize(self.rotation * ray))
    }

    /// Where the ray through a pixel meets the ground (z = `height`), if it does.
    pub fn ground_point(&self, pixel: &Point2<f64>, height: f64) -> Option<Point3<f64>> {
        let ray = self.ray(pixel)?;
        if ray.z >= -1e-9 {
            return None;
        }
        let t = (height - self.position.z) / ray.z;
        (t > 0.0).then(|| self.position + ray.into_inner() * t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn camera(yaw: f64, tilt: f64, roll: f64) -> Camera {
        Camera::new(
            ImageSize::new(1920, 1080).unwrap(),
            Intrinsics {
                fx: 1000.0,
                fy: 1000.0,
                cx: 960.0,
                cy: 540.0,
            },
            Lens::BrownConrady {
                k1: -0.28,
                k2: 0.07,
                p1: 0.0005,
                p2: -0.0003,
                k3: -0.006,
            },
            Point3::new(0.0, -42.0, 6.0),
            Orientation {
                yaw_deg: yaw,
                tilt_deg: tilt,
                roll_deg: roll,
            }
            .rotation(),
        )
        .unwrap()
    }

    #[test]
    fn orientation_axes_match_their_description() {
        let r = Orientation {
            yaw_deg: 90.0,
            tilt_deg: 0.0,
            roll_deg: 0.0,
        }
        .rotation();
        let forward = r * Vector3::z();
        assert!(
            (forward - Vector3::x()).norm() < 1e-12,
            "yaw 90° looks along +x"
        );
        let r = Orientation {
            yaw_deg: 0.0,
            tilt_deg: 30.0,
            roll_deg: 0.0,
        }
        .rotation();
        let forward = r * Vector3::z();
        assert!(forward.z < 0.0 && forward.y > 0.0, "tilt looks down");
        let down = r * Vector3::y();
        assert!(down.z < 0.0, "picture's down is the world's down");
    }

    #[test]
    fn centre_spot_seen_from_the_mast_is_below_the_picture_centre_when_tilted_less() {
        let cam = camera(0.0, 2.0, 0.0);
        let p = cam.project(&Point3::new(0.0, 0.0, 0.0)).unwrap();
        assert!((p.x - 960.0).abs() < 1.0 && p.y > 540.0);
    }

    proptest! {
        #[test]
        fn orientation_round_trips(yaw in -170.0f64..170.0, tilt in -80.0f64..80.0, roll in -60.0f64..60.0) {
            let o = Orientation { yaw_deg: yaw, tilt_deg: tilt, roll_deg: roll };
            let back = Orientation::from_rotation(&o.rotation());
            prop_assert!((back.yaw_deg - yaw).abs() < 1e-6);
            prop_assert!((back.tilt_deg - tilt).abs() < 1e-6);
            prop_assert!((back.roll_deg - roll).abs() < 1e-6);
        }

        #[test]
        fn pixel_ray_pixel_round_trips(u in 0.0f64..1919.0, v in 0.0f64..1079.0,
                                       yaw in -60.0f64..60.0, tilt in 0.0f64..40.0, roll in -5.0f64..5.0) {
            let cam = camera(yaw, tilt, roll);
            let ray = cam.ray(&Point2::new(u, v)).unwrap();
            let back = cam.project_direction(&ray).unwrap();
            prop_assert!((back.x - u).abs() < 1e-6 && (back.y - v).abs() < 1e-6);
        }

        #[test]
        fn ground_points_project_back_to_their_pixel(u in 0.0f64..1919.0, v in 600.0f64..1079.0) {
            let cam = camera(-40.0, 18.0, 0.0);
            if let Some(g) = cam.ground_point(&Point2::new(u, v), 0.0) {
                let back = cam.project(&g).unwrap();
                prop_assert!((back.x - u).abs() < 1e-6 && (back.y - v).abs() < 1e-6);
            }
        }
    }
}
