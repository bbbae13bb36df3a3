//! The two cameras relative to each other: the model that relates a feature's pixels
//! in the two pictures, and pure-rotation starting points for fitting it.
//!
//! A match's left pixel gives a ray; the point lies somewhere on it, at an unknown
//! inverse depth ρ; the right camera sees `R·ray + ρ·t`. Pure rotation (ρ = 0 for
//! all) would be wrong here: a 12 cm baseline moves a point 10 m away by 0.7°, far
//! more than the accuracy asked of the rotation, so the baseline is modelled and each
//! match's depth solved for with it ([`super::rig_fit`] eliminates the depths).
//!
//! The starts: a RANSAC search over a grid of focal lengths and k1 with the
//! pure-rotation model (two matches fix a rotation), generous enough to admit the near
//! parallax.

use nalgebra::{DVector, Rotation3, Vector2, Vector3};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use super::features::Match;
use crate::geometry::{ImageSize, Lens};

/// Global unknowns: f, k1, k2, rotation vector (3), baseline y and z.
type Globals = DVector<f64>;

/// The camera model under a set of global unknowns.
#[derive(Clone, Copy)]
pub(crate) struct Model {
    /// Focal length, pixels.
    pub focal: f64,
    /// The lens of both cameras.
    pub lens: Lens,
    /// Left camera → right camera.
    pub rotation: Rotation3<f64>,
    /// The baseline's direction in the right camera's frame, x-component 1.
    pub baseline: Vector3<f64>,
    /// Principal point, pixels.
    pub centre: (f64, f64),
}

impl Model {
    /// The model of `g[0..8]`: f, k1, k2, rotation vector, baseline y and z.
    pub(crate) fn from_globals(g: &[f64], centre: (f64, f64)) -> Model {
        Model {
            focal: g[0],
            lens: Lens::BrownConrady {
                k1: g[1],
                k2: g[2],
                p1: 0.0,
                p2: 0.0,
                k3: 0.0,
            },
            rotation: Rotation3::from_scaled_axis(Vector3::new(g[3], g[4], g[5])),
            baseline: Vector3::new(1.0, g[6], g[7]),
            centre,
        }
    }

    pub(crate) fn ray(&self, pixel: &nalgebra::Point2<f64>) -> Option<Vector3<f64>> {
        self.lens.unproject(
            (pixel.x - self.centre.0) / self.focal,
            (pixel.y - self.centre.1) / self.focal,
        )
    }

    pub(crate) fn project(&self, v: &Vector3<f64>) -> Option<(f64, f64)> {
        let (x, y) = self.lens.project_ray(v)?;
        Some((
            self.focal * x + self.centre.0,
            self.focal * y + self.centre.1,
        ))
    }

    /// The reprojection residual of a match at inverse depth `rho`, pixels.
    pub(crate) fn residual(&self, m: &Match, rho: f64) -> Option<Vector2<f64>> {
        let ray = self.ray(&m.left)?;
        let (x, y) = self.project(&(self.rotation * ray + self.baseline * rho))?;
        Some(Vector2::new(x - m.right.x, y - m.right.y))
    }
}

/// Distance within which a match fits a pure-rotation start (admits the parallax of
/// points ten metres away and a coarse distortion), pixels.
const RANSAC_PX: f64 = 16.0;
const RANSAC_SAMPLES: usize = 200;
/// Fewest matches a start is believed from.
const MIN_MATCHES: usize = 30;

/// The rotation taking unit vectors `a` onto `b` best (Kabsch).
fn best_rotation(a: &[Vector3<f64>], b: &[Vector3<f64>]) -> Rotation3<f64> {
    let mut h = nalgebra::Matrix3::zeros();
    for (p, q) in a.iter().zip(b) {
        h += q * p.transpose();
    }
    let svd = h.svd(true, true);
    let (u, v_t) = (svd.u.unwrap_or_default(), svd.v_t.unwrap_or_default());
    let d = (u * v_t).determinant().signum();
    let m = u * nalgebra::Matrix3::from_diagonal(&Vector3::new(1.0, 1.0, d)) * v_t;
    Rotation3::from_matrix(&m)
}

/// Pure-rotation starts: for each focal length and k1 of a grid, the rotation most
/// matches agree with (within `RANSAC_PX` in the right picture) and those matches;
/// the best `keep`, most agreed-with first.
pub(crate) fn ransac_starts(
    matches: &[Match],
    size: ImageSize,
    centre: (f64, f64),
    keep: usize,
) -> Vec<(Globals, Vec<usize>)> {
    let w = size.width as f64;
    let mut candidates = Vec::new();
    let mut f = 0.35 * w;
    while f < 1.6 * w {
        for step in 0..10 {
            candidates.push((f, -0.05 * step as f64));
        }
        f *= 1.03;
    }
    let mut starts: Vec<(usize, Globals, Vec<usize>)> = candidates
        .par_iter()
        .enumerate()
        .filter_map(|(index, &(f, k1))| {
            let g = Globals::from_row_slice(&[f, k1, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
            let model = Model::from_globals(g.as_slice(), centre);
            let valid: Vec<(usize, Vector3<f64>, Vector3<f64>)> = matches
                .iter()
                .enumerate()
                .filter_map(|(i, m)| {
                    Some((
                        i,
                        model.ray(&m.left)?.normalize(),
                        model.ray(&m.right)?.normalize(),
                    ))
                })
                .collect();
            if valid.len() < MIN_MATCHES {
                return None;
            }
            let fits = |r: &Rotation3<f64>, a: &Vector3<f64>, i: usize| {
                model.project(&(r * a)).is_some_and(|(x, y)| {
                    let m = &matches[i];
                    (x - m.right.x).powi(2) + (y - m.right.y).powi(2) < RANSAC_PX * RANSAC_PX
                })
            };
            let mut rng = ChaCha8Rng::seed_from_u64(index as u64);
            let mut best: Option<(usize, Rotation3<f64>)> = None;
            for _ in 0..RANSAC_SAMPLES {
                let i = rng.random_range(0..valid.len());
                let j = rng.random_range(0..valid.len());
                if valid[i].1.dot(&valid[j].1) > 0.9998 {
                    continue; // too close together to fix a rotation
                }
                let r = best_rotation(&[valid[i].1, valid[j].1], &[valid[i].2, valid[j].2]);
                let count = valid.iter().filter(|(k, a, _)| fits(&r, a, *k)).count();
                if best.as_ref().is_none_or(|(c, _)| count > *c) {
                    best = Some((count, r));
                }
            }
            let (_, r) = best?;
            // Refit the rotation to all its inliers, then count again.
            let (a, b): (Vec<_>, Vec<_>) = valid
                .iter()
                .filter(|(k, a, _)| fits(&r, a, *k))
                .map(|(_, a, b)| (*a, *b))
                .unzip();
            let r = best_rotation(&a, &b);
            let inliers: Vec<usize> = valid
                .iter()
                .filter(|(k, a, _)| fits(&r, a, *k))
                .map(|(k, ..)| *k)
                .collect();
            let w = r.scaled_axis();
            let g = Globals::from_row_slice(&[f, k1, 0.0, w.x, w.y, w.z, 0.0, 0.0]);
            Some((inliers.len(), g, inliers))
        })
        .collect();
    starts.sort_by_key(|start| std::cmp::Reverse(start.0));
    starts
        .into_iter()
        .take(keep)
        .map(|(_, g, i)| (g, i))
        .collect()
}

/// One match's best inverse depth under a model, by a few Gauss–Newton steps.
pub(crate) fn solve_depth(model: &Model, m: &Match, mut rho: f64) -> f64 {
    for _ in 0..6 {
        let (Some(r), Some(r2)) = (model.residual(m, rho), model.residual(m, rho + 1e-6)) else {
            return rho;
        };
        let j = (r2 - r) / 1e-6;
        let jj = j.dot(&j);
        if jj < 1e-12 {
            return rho;
        }
        rho -= j.dot(&r) / jj;
    }
    rho
}
