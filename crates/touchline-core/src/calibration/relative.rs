//! The two cameras relative to each other, from matched features: their shared focal
//! length and radial distortion, the rotation from the left camera to the right one,
//! and the direction of the short baseline between them.
//!
//! The model is a two-view bundle adjustment. A match's left pixel gives a ray; the
//! point lies somewhere on it, at an unknown inverse depth ρ; the right camera sees
//! `R·ray + ρ·t`. Pure rotation (ρ = 0 for all) would be wrong here: a 12 cm baseline
//! moves a point 10 m away by 0.7°, far more than the accuracy asked of the rotation,
//! so the baseline is modelled and every match's depth solved for with it. The depths
//! are eliminated from the normal equations (Schur complement), leaving eight global
//! unknowns: focal length, k1, k2, rotation (3) and baseline direction (2, with its
//! x-component fixed at 1 since depth and baseline length trade off).
//!
//! Start: a RANSAC search over a grid of focal lengths and k1 with the pure-rotation
//! model (two matches fix a rotation), generous enough to admit the near parallax.
//! Then Levenberg–Marquardt with a Huber loss, and a second pass on the matches that
//! fit within a few pixels.

use nalgebra::{Matrix2x1, Rotation3, SMatrix, SVector, Vector3};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use super::features::Match;
use crate::error::{Error, Result};
use crate::geometry::{ImageSize, Lens};

/// What the relative calibration found.
#[derive(Clone, Debug)]
pub struct PairCalibration {
    /// Focal length shared by both cameras, pixels.
    pub focal: f64,
    /// Radial distortion shared by both cameras (tangential and k3 are zero).
    pub lens: Lens,
    /// Rotates left-camera vectors into the right camera's frame.
    pub rotation: Rotation3<f64>,
    /// The baseline in the right camera's frame, up to scale (x-component 1):
    /// `X_right = R·X_left + s·t` for the unknown metric length `s`.
    pub baseline: Vector3<f64>,
    /// The matches that fit, with their inverse depths (`s / depth`, with depth along
    /// the left camera's axis).
    pub inliers: Vec<(Match, f64)>,
    /// Root-mean-square reprojection error of the inliers in the right picture, pixels.
    pub rms_px: f64,
}

/// Global unknowns: f, k1, k2, rotation vector (3), baseline y and z.
const GLOBALS: usize = 8;
type Globals = SVector<f64, GLOBALS>;

/// The camera model under a set of global unknowns.
#[derive(Clone, Copy)]
struct Model {
    focal: f64,
    lens: Lens,
    rotation: Rotation3<f64>,
    baseline: Vector3<f64>,
    centre: (f64, f64),
}

impl Model {
    fn from_globals(g: &Globals, centre: (f64, f64)) -> Model {
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

    fn ray(&self, pixel: &nalgebra::Point2<f64>) -> Option<Vector3<f64>> {
        self.lens.unproject(
            (pixel.x - self.centre.0) / self.focal,
            (pixel.y - self.centre.1) / self.focal,
        )
    }

    fn project(&self, v: &Vector3<f64>) -> Option<(f64, f64)> {
        let (x, y) = self.lens.project_ray(v)?;
        Some((
            self.focal * x + self.centre.0,
            self.focal * y + self.centre.1,
        ))
    }

    /// The reprojection residual of a match at inverse depth `rho`, pixels.
    fn residual(&self, m: &Match, rho: f64) -> Option<Matrix2x1<f64>> {
        let ray = self.ray(&m.left)?;
        let (x, y) = self.project(&(self.rotation * ray + self.baseline * rho))?;
        Some(Matrix2x1::new(x - m.right.x, y - m.right.y))
    }
}

/// Residuals larger than this are penalised linearly (Huber), pixels.
const HUBER_PX: f64 = 1.5;
/// A match fits the final model when it reprojects within this, pixels.
const INLIER_PX: f64 = 3.0;
/// Distance within which a match fits a pure-rotation start (admits the parallax of
/// points ten metres away and a coarse distortion), pixels.
const RANSAC_PX: f64 = 16.0;
const RANSAC_SAMPLES: usize = 200;
/// Pure-rotation starts refined in full before choosing.
const STARTS_REFINED: usize = 6;
/// Fewest matches a calibration is believed from.
const MIN_MATCHES: usize = 30;

fn huber_weight(r: f64) -> f64 {
    if r <= HUBER_PX {
        1.0
    } else {
        HUBER_PX / r
    }
}

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
/// the best few, most agreed-with first.
fn ransac_starts(
    matches: &[Match],
    size: ImageSize,
    centre: (f64, f64),
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
            let g = Globals::from_column_slice(&[f, k1, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
            let model = Model::from_globals(&g, centre);
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
            let g = Globals::from_column_slice(&[f, k1, 0.0, w.x, w.y, w.z, 0.0, 0.0]);
            Some((inliers.len(), g, inliers))
        })
        .collect();
    starts.sort_by(|a, b| b.0.cmp(&a.0));
    starts
        .into_iter()
        .take(STARTS_REFINED)
        .map(|(_, g, i)| (g, i))
        .collect()
}

/// One match's best inverse depth under a model, by a few Gauss–Newton steps.
fn solve_depth(model: &Model, m: &Match, mut rho: f64) -> f64 {
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

/// Levenberg–Marquardt over the globals and every match's inverse depth, with the
/// depths eliminated. Returns the refined globals and depths.
fn refine(
    matches: &[Match],
    g: Globals,
    depths: Vec<f64>,
    centre: (f64, f64),
    iterations: usize,
) -> (Globals, Vec<f64>) {
    const STEPS: [f64; GLOBALS] = [0.5, 1e-4, 1e-4, 1e-6, 1e-6, 1e-6, 1e-4, 1e-4];
    let cost = |g: &Globals, depths: &[f64]| -> f64 {
        let model = Model::from_globals(g, centre);
        matches
            .par_iter()
            .zip(depths)
            .map(|(m, &rho)| match model.residual(m, rho) {
                Some(r) => {
                    let n = r.norm();
                    if n <= HUBER_PX {
                        n * n
                    } else {
                        2.0 * HUBER_PX * n - HUBER_PX * HUBER_PX
                    }
                }
                None => 1e6,
            })
            .sum()
    };
    let (mut g, mut depths) = (g, depths);
    let mut current = cost(&g, &depths);
    let mut lambda = 1e-3;
    for _ in 0..iterations {
        let model = Model::from_globals(&g, centre);
        let shifted: Vec<Model> = (0..GLOBALS)
            .flat_map(|k| {
                [1.0, -1.0].map(|sign| {
                    let mut h = g;
                    h[k] += sign * STEPS[k];
                    Model::from_globals(&h, centre)
                })
            })
            .collect();
        // Per match: residual, its Jacobians, and its weight.
        type Row = (
            Matrix2x1<f64>,
            SMatrix<f64, 2, GLOBALS>,
            Matrix2x1<f64>,
            f64,
        );
        let rows: Vec<Option<Row>> = matches
            .par_iter()
            .zip(&depths)
            .map(|(m, &rho)| {
                let r = model.residual(m, rho)?;
                let mut jg = SMatrix::<f64, 2, GLOBALS>::zeros();
                for k in 0..GLOBALS {
                    let plus = shifted[2 * k].residual(m, rho)?;
                    let minus = shifted[2 * k + 1].residual(m, rho)?;
                    jg.set_column(k, &((plus - minus) / (2.0 * STEPS[k])));
                }
                let jr = (model.residual(m, rho + 1e-6)? - model.residual(m, rho - 1e-6)?) / 2e-6;
                Some((r, jg, jr, huber_weight(r.norm())))
            })
            .collect();
        loop {
            let mut s = SMatrix::<f64, GLOBALS, GLOBALS>::zeros();
            let mut rhs = Globals::zeros();
            let mut eliminated = Vec::with_capacity(rows.len());
            for row in &rows {
                let Some((r, jg, jr, w)) = row else {
                    eliminated.push(None);
                    continue;
                };
                let a = jg.transpose() * jg * *w;
                let b = jg.transpose() * jr * *w;
                let d = (jr.dot(jr) * w) * (1.0 + lambda) + 1e-12;
                let bg = jg.transpose() * r * *w;
                let br = jr.dot(r) * w;
                s += a - b * b.transpose() / d;
                rhs += bg - b * (br / d);
                eliminated.push(Some((b, d, br)));
            }
            for k in 0..GLOBALS {
                s[(k, k)] *= 1.0 + lambda;
            }
            let Some(step) = s.lu().solve(&(-rhs)) else {
                lambda *= 10.0;
                if lambda > 1e8 {
                    return (g, depths);
                }
                continue;
            };
            let candidate_g = g + step;
            let candidate_depths: Vec<f64> = depths
                .iter()
                .zip(&eliminated)
                .map(|(rho, e)| match e {
                    Some((b, d, br)) => rho - (br + b.dot(&step)) / d,
                    None => *rho,
                })
                .collect();
            let new = cost(&candidate_g, &candidate_depths);
            if new < current {
                let converged = (current - new) < 1e-9 * current.max(1.0);
                g = candidate_g;
                depths = candidate_depths;
                current = new;
                lambda = (lambda / 3.0).max(1e-9);
                if converged {
                    return (g, depths);
                }
                break;
            }
            lambda *= 5.0;
            if lambda > 1e8 {
                return (g, depths);
            }
        }
    }
    (g, depths)
}

/// Refines a start on its matches, then re-selects among all matches those that fit
/// and refines again, narrowing to the final inlier distance. Returns the globals and
/// the inliers with their inverse depths, or `None` when too few fit.
fn refine_from(
    matches: &[Match],
    start: Globals,
    inliers: &[usize],
    centre: (f64, f64),
) -> Option<(Globals, Vec<Match>, Vec<f64>)> {
    let mut g = start;
    let mut chosen: Vec<Match> = inliers.iter().map(|&i| matches[i]).collect();
    let mut depths = vec![0.0; chosen.len()];
    for limit in [4.0 * INLIER_PX, 2.0 * INLIER_PX, INLIER_PX, INLIER_PX] {
        (g, _) = refine(&chosen, g, depths, centre, 40);
        // Solve each match's depth under the model and keep those that then fit.
        let model = Model::from_globals(&g, centre);
        (chosen, depths) = matches
            .iter()
            .filter_map(|m| {
                let rho = solve_depth(&model, m, 0.0);
                let r = model.residual(m, rho)?.norm();
                (r < limit && rho > -1e-3).then_some((*m, rho))
            })
            .unzip();
        if chosen.len() < MIN_MATCHES {
            return None;
        }
    }
    Some((g, chosen, depths))
}

/// Calibrates the pair from matches between pictures of `size` (both cameras alike).
pub fn calibrate_pair(matches: &[Match], size: ImageSize) -> Result<PairCalibration> {
    if matches.len() < MIN_MATCHES {
        return Err(Error::invalid(
            "calibration",
            format!(
                "only {} features matched between the cameras (at least {MIN_MATCHES} needed): do their pictures overlap?",
                matches.len()
            ),
        ));
    }
    let centre = (
        size.width as f64 / 2.0 - 0.5,
        size.height as f64 / 2.0 - 0.5,
    );
    let starts = ransac_starts(matches, size, centre);
    let (g, chosen, depths) = starts
        .into_par_iter()
        .filter_map(|(g, start)| refine_from(matches, g, &start, centre))
        .max_by(|a, b| a.1.len().cmp(&b.1.len()))
        .ok_or_else(|| {
            Error::invalid(
                "calibration",
                "the matched features agree on no camera model: do the pictures overlap?",
            )
        })?;
    let model = Model::from_globals(&g, centre);
    let squares: Vec<f64> = chosen
        .iter()
        .zip(&depths)
        .filter_map(|(m, &rho)| model.residual(m, rho).map(|r| r.norm_squared()))
        .collect();
    let rms_px = (squares.iter().sum::<f64>() / squares.len().max(1) as f64).sqrt();
    Ok(PairCalibration {
        focal: model.focal,
        lens: model.lens,
        rotation: model.rotation,
        baseline: model.baseline,
        inliers: chosen.into_iter().zip(depths).collect(),
        rms_px,
    })
}
