//! Lens distortion models, in normalised image coordinates.
//!
//! A lens maps a viewing ray in the camera frame (x right, y down, z forward) to a
//! *distorted normalised* point `(xd, yd)`; the intrinsics then scale that to pixels.
//! Both models follow OpenCV's definitions exactly, so coefficients from OpenCV
//! calibrations can be used as they are.

use nalgebra::Vector3;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A lens distortion model.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "model", rename_all = "snake_case", deny_unknown_fields)]
pub enum Lens {
    /// OpenCV's radial-tangential ("plumb bob") model with five coefficients
    /// `k1, k2, p1, p2, k3`, for rays in front of the camera.
    BrownConrady {
        /// Radial, r².
        k1: f64,
        /// Radial, r⁴.
        k2: f64,
        /// Tangential.
        p1: f64,
        /// Tangential.
        p2: f64,
        /// Radial, r⁶.
        k3: f64,
    },
    /// OpenCV's fisheye (Kannala–Brandt) model: `θd = θ (1 + k1 θ² + k2 θ⁴ + k3 θ⁶ + k4 θ⁸)`.
    Fisheye {
        /// θ² coefficient.
        k1: f64,
        /// θ⁴ coefficient.
        k2: f64,
        /// θ⁶ coefficient.
        k3: f64,
        /// θ⁸ coefficient.
        k4: f64,
    },
}

/// Iterations of Newton's method when inverting the distortion. The models are smooth
/// and the start point is close, so a handful suffices; more is only a safety margin.
const UNDISTORT_ITERATIONS: usize = 20;
/// Convergence threshold in normalised units (about 1e-6 px for a 1000 px focal length).
const UNDISTORT_TOLERANCE: f64 = 1e-9;

impl Lens {
    /// A lens with no distortion.
    pub const IDEAL: Lens = Lens::BrownConrady {
        k1: 0.0,
        k2: 0.0,
        p1: 0.0,
        p2: 0.0,
        k3: 0.0,
    };

    /// Distorts an undistorted point. For [`Lens::BrownConrady`] the input is the
    /// pinhole projection `(X/Z, Y/Z)`; for [`Lens::Fisheye`] it is the same point, which
    /// limits this function to rays in front of the camera (use [`Lens::project_ray`]
    /// for rays beyond 90°).
    pub fn distort(&self, x: f64, y: f64) -> (f64, f64) {
        match *self {
            Lens::BrownConrady { k1, k2, p1, p2, k3 } => {
                let r2 = x * x + y * y;
                let radial = 1.0 + r2 * (k1 + r2 * (k2 + r2 * k3));
                let xd = x * radial + 2.0 * p1 * x * y + p2 * (r2 + 2.0 * x * x);
                let yd = y * radial + p1 * (r2 + 2.0 * y * y) + 2.0 * p2 * x * y;
                (xd, yd)
            }
            Lens::Fisheye { .. } => {
                let r = (x * x + y * y).sqrt();
                if r < 1e-12 {
                    return (x, y);
                }
                let scale = self.fisheye_theta_d(r.atan()) / r;
                (x * scale, y * scale)
            }
        }
    }

    /// Projects a ray in the camera frame to distorted normalised coordinates, or `None`
    /// where the model is not defined (behind a pinhole lens).
    pub fn project_ray(&self, ray: &Vector3<f64>) -> Option<(f64, f64)> {
        match self {
            Lens::BrownConrady { .. } => {
                if ray.z <= 1e-9 {
                    return None;
                }
                Some(self.distort(ray.x / ray.z, ray.y / ray.z))
            }
            Lens::Fisheye { .. } => {
                let r = (ray.x * ray.x + ray.y * ray.y).sqrt();
                if r < 1e-12 {
                    return (ray.z > 0.0).then_some((0.0, 0.0));
                }
                let theta = r.atan2(ray.z);
                let theta_d = self.fisheye_theta_d(theta);
                Some((ray.x / r * theta_d, ray.y / r * theta_d))
            }
        }
    }

    /// The viewing ray (not normalised, z = 1 for pinhole lenses) of a distorted
    /// normalised point, or `None` where the inversion does not converge.
    pub fn unproject(&self, xd: f64, yd: f64) -> Option<Vector3<f64>> {
        match self {
            Lens::BrownConrady { .. } => {
                let (x, y) = self.undistort_brown_conrady(xd, yd)?;
                Some(Vector3::new(x, y, 1.0))
            }
            Lens::Fisheye { .. } => {
                let rd = (xd * xd + yd * yd).sqrt();
                if rd < 1e-12 {
                    return Some(Vector3::new(0.0, 0.0, 1.0));
                }
                let theta = self.fisheye_theta(rd)?;
                let s = theta.sin() / rd;
                Some(Vector3::new(xd * s, yd * s, theta.cos()))
            }
        }
    }

    /// The largest undistorted radius (`tan θ` for pinhole, `θ` for fisheye) up to which
    /// the radial mapping keeps increasing, so that distinct rays stay distinct. Points
    /// beyond it fold back into the picture and must be rejected.
    pub fn monotonic_limit(&self) -> f64 {
        let max = match self {
            Lens::BrownConrady { .. } => 20.0,
            Lens::Fisheye { .. } => std::f64::consts::PI,
        };
        let radial = |r: f64| match self {
            Lens::BrownConrady { .. } => self.distort(r, 0.0).0,
            Lens::Fisheye { .. } => self.fisheye_theta_d(r),
        };
        // Coarse scan for the first step where the profile stops rising, then bisect
        // on the sign of its slope; a polynomial this low in degree has no wiggles
        // narrower than the coarse step in the range that matters.
        const COARSE: f64 = 0.01;
        let rising = |r: f64| radial(r + 1e-6) > radial(r);
        let mut r = 0.0;
        while r + COARSE < max {
            if !rising(r + COARSE) {
                let (mut lo, mut hi) = (r, r + COARSE);
                for _ in 0..40 {
                    let mid = 0.5 * (lo + hi);
                    if rising(mid) {
                        lo = mid;
                    } else {
                        hi = mid;
                    }
                }
                return lo;
            }
            r += COARSE;
        }
        max
    }

    /// Checks that every coefficient is finite.
    pub fn validate(&self) -> Result<()> {
        let coefficients: &[f64] = match self {
            Lens::BrownConrady { k1, k2, p1, p2, k3 } => &[*k1, *k2, *p1, *p2, *k3],
            Lens::Fisheye { k1, k2, k3, k4 } => &[*k1, *k2, *k3, *k4],
        };
        if coefficients.iter().all(|c| c.is_finite()) {
            Ok(())
        } else {
            Err(Error::invalid(
                "lens",
                "distortion coefficients must be finite numbers",
            ))
        }
    }

    fn fisheye_theta_d(&self, theta: f64) -> f64 {
        let Lens::Fisheye { k1, k2, k3, k4 } = *self else {
            return theta;
        };
        let t2 = theta * theta;
        theta * (1.0 + t2 * (k1 + t2 * (k2 + t2 * (k3 + t2 * k4))))
    }

    /// Inverts θd(θ) with Newton's method.
    fn fisheye_theta(&self, theta_d: f64) -> Option<f64> {
        let Lens::Fisheye { k1, k2, k3, k4 } = *self else {
            return Some(theta_d);
        };
        let mut theta = theta_d;
        for _ in 0..UNDISTORT_ITERATIONS {
            let t2 = theta * theta;
            let f = self.fisheye_theta_d(theta) - theta_d;
            let df = 1.0 + t2 * (3.0 * k1 + t2 * (5.0 * k2 + t2 * (7.0 * k3 + t2 * 9.0 * k4)));
            if df.abs() < 1e-12 {
                return None;
            }
            let step = f / df;
            theta -= step;
            if step.abs() < UNDISTORT_TOLERANCE {
                return theta.is_finite().then_some(theta);
            }
        }
        None
    }

    /// Inverts the radial-tangential model with Newton's method on both coordinates,
    /// which (unlike OpenCV's fixed-point iteration) converges at the edges of wide lenses.
    fn undistort_brown_conrady(&self, xd: f64, yd: f64) -> Option<(f64, f64)> {
        let Lens::BrownConrady { k1, k2, p1, p2, k3 } = *self else {
            return Some((xd, yd));
        };
        let (mut x, mut y) = (xd, yd);
        for _ in 0..UNDISTORT_ITERATIONS {
            let r2 = x * x + y * y;
            let radial = 1.0 + r2 * (k1 + r2 * (k2 + r2 * k3));
            let dradial_dr2 = k1 + r2 * (2.0 * k2 + 3.0 * r2 * k3);
            let (fx, fy) = self.distort(x, y);
            let (ex, ey) = (fx - xd, fy - yd);
            // Jacobian of the distortion.
            let j11 = radial + 2.0 * x * x * dradial_dr2 + 2.0 * p1 * y + 6.0 * p2 * x;
            let j12 = 2.0 * x * y * dradial_dr2 + 2.0 * p1 * x + 2.0 * p2 * y;
            let j21 = 2.0 * x * y * dradial_dr2 + 2.0 * p1 * x + 2.0 * p2 * y;
            let j22 = radial + 2.0 * y * y * dradial_dr2 + 6.0 * p1 * y + 2.0 * p2 * x;
            let det = j11 * j22 - j12 * j21;
            if det.abs() < 1e-12 {
                return None;
            }
            let dx = (j22 * ex - j12 * ey) / det;
            let dy = (j11 * ey - j21 * ex) / det;
            x -= dx;
            y -= dy;
            if dx.abs() < UNDISTORT_TOLERANCE && dy.abs() < UNDISTORT_TOLERANCE {
                return (x.is_finite() && y.is_finite()).then_some((x, y));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WIDE: Lens = Lens::BrownConrady {
        k1: -0.28,
        k2: 0.07,
        p1: 0.0005,
        p2: -0.0003,
        k3: -0.006,
    };

    #[test]
    fn brown_conrady_round_trips_at_the_edge_of_a_wide_lens() {
        for &(x, y) in &[(0.0, 0.0), (1.2, 0.6), (-1.3, -0.7), (0.4, -0.9)] {
            let (xd, yd) = WIDE.distort(x, y);
            let ray = WIDE.unproject(xd, yd).expect("converges");
            assert!((ray.x - x).abs() < 1e-8 && (ray.y - y).abs() < 1e-8);
        }
    }

    #[test]
    fn fisheye_reaches_beyond_ninety_degrees() {
        let lens = Lens::Fisheye {
            k1: 0.02,
            k2: -0.003,
            k3: 0.0,
            k4: 0.0,
        };
        let ray = Vector3::new(1.0, 0.2, -0.1);
        let (xd, yd) = lens.project_ray(&ray).expect("defined");
        let back = lens.unproject(xd, yd).expect("converges");
        let angle = back.normalize().cross(&ray.normalize()).norm().asin();
        assert!(angle < 1e-8, "angle {angle}");
    }

    #[test]
    fn monotonic_limit_stops_where_barrel_distortion_folds_back() {
        let lens = Lens::BrownConrady {
            k1: -0.3,
            k2: 0.0,
            p1: 0.0,
            p2: 0.0,
            k3: 0.0,
        };
        // d/dr (r - 0.3 r³) = 0 at r = sqrt(1/0.9).
        let expected = (1.0f64 / 0.9).sqrt();
        assert!((lens.monotonic_limit() - expected).abs() < 2e-3);
    }
}
