//! Levenberg–Marquardt for the calibration's least-squares problems: a few global
//! unknowns (focal length, distortion, poses) shared by every observation, plus one
//! private unknown per feature match (its inverse depth), eliminated from the normal
//! equations through the Schur complement so the solve stays as small as the globals.
//! Derivatives are central differences; the loss is Huber's, so that a few wrong
//! matches pull little.

use nalgebra::{DMatrix, DVector, Vector2};
use rayon::prelude::*;

/// Residuals larger than this are penalised linearly (Huber), pixels.
pub(crate) const HUBER_PX: f64 = 1.5;

/// A residual function of the globals and one private unknown.
pub(crate) type PointResidual<'a> =
    dyn Fn(&DVector<f64>, usize, f64) -> Option<Vector2<f64>> + Sync + 'a;
/// A residual function of the globals only.
pub(crate) type FixedResidual<'a> =
    dyn Fn(&DVector<f64>, usize) -> Option<Vector2<f64>> + Sync + 'a;

/// A least-squares problem: residuals with a private unknown each (as many as the
/// depths given to [`Problem::solve`]), `fixed` residuals without, over globals whose
/// finite-difference steps are `steps` (a step of zero holds that global).
pub(crate) struct Problem<'a> {
    pub steps: Vec<f64>,
    pub point: &'a PointResidual<'a>,
    pub fixed: usize,
    pub fixed_residual: &'a FixedResidual<'a>,
}

fn huber_weight(r: f64) -> f64 {
    if r <= HUBER_PX {
        1.0
    } else {
        HUBER_PX / r
    }
}

fn huber(r: f64) -> f64 {
    if r <= HUBER_PX {
        r * r
    } else {
        2.0 * HUBER_PX * r - HUBER_PX * HUBER_PX
    }
}

/// A residual that cannot be evaluated (a point behind a camera) costs this much.
const INVALID_COST: f64 = 1e6;

impl Problem<'_> {
    fn cost(&self, g: &DVector<f64>, depths: &[f64]) -> f64 {
        // Terms in parallel, summed in a fixed order: the same input must give the same
        // calibration, to the last bit.
        let points: Vec<f64> = depths
            .par_iter()
            .enumerate()
            .map(|(i, &rho)| (self.point)(g, i, rho).map_or(INVALID_COST, |r| huber(r.norm())))
            .collect();
        let fixed: Vec<f64> = (0..self.fixed)
            .into_par_iter()
            .map(|j| (self.fixed_residual)(g, j).map_or(INVALID_COST, |r| huber(r.norm())))
            .collect();
        points.iter().chain(&fixed).sum()
    }

    fn jacobian(
        &self,
        g: &DVector<f64>,
        f: impl Fn(&DVector<f64>) -> Option<Vector2<f64>>,
    ) -> Option<DMatrix<f64>> {
        let mut j = DMatrix::zeros(2, g.len());
        let mut h = g.clone();
        for (k, step) in self.steps.iter().enumerate() {
            if *step == 0.0 {
                continue;
            }
            h[k] = g[k] + step;
            let plus = f(&h)?;
            h[k] = g[k] - step;
            let minus = f(&h)?;
            h[k] = g[k];
            j.set_column(k, &((plus - minus) / (2.0 * step)));
        }
        Some(j)
    }

    /// Minimises the problem from `g` and `depths`; returns the solution.
    pub(crate) fn solve(
        &self,
        g: DVector<f64>,
        depths: Vec<f64>,
        iterations: usize,
    ) -> (DVector<f64>, Vec<f64>) {
        let n = g.len();
        let (mut g, mut depths) = (g, depths);
        let mut current = self.cost(&g, &depths);
        let mut lambda = 1e-3;
        for _ in 0..iterations {
            // Per point: residual, Jacobians for the globals and its depth, weight.
            type PointRow = (Vector2<f64>, DMatrix<f64>, Vector2<f64>, f64);
            let point_rows: Vec<Option<PointRow>> = depths
                .par_iter()
                .enumerate()
                .map(|(i, &rho)| {
                    let r = (self.point)(&g, i, rho)?;
                    let jg = self.jacobian(&g, |h| (self.point)(h, i, rho))?;
                    let jr = ((self.point)(&g, i, rho + 1e-6)? - (self.point)(&g, i, rho - 1e-6)?)
                        / 2e-6;
                    Some((r, jg, jr, huber_weight(r.norm())))
                })
                .collect();
            type FixedRow = (Vector2<f64>, DMatrix<f64>, f64);
            let fixed_rows: Vec<Option<FixedRow>> = (0..self.fixed)
                .into_par_iter()
                .map(|j| {
                    let r = (self.fixed_residual)(&g, j)?;
                    let jg = self.jacobian(&g, |h| (self.fixed_residual)(h, j))?;
                    Some((r, jg, huber_weight(r.norm())))
                })
                .collect();
            let mut a = DMatrix::<f64>::zeros(n, n);
            let mut b = DVector::<f64>::zeros(n);
            for (r, jg, w) in fixed_rows.iter().flatten() {
                a += jg.transpose() * jg * *w;
                b += jg.transpose() * r * *w;
            }
            loop {
                let mut s = a.clone();
                let mut rhs = b.clone();
                let mut eliminated = Vec::with_capacity(point_rows.len());
                for row in &point_rows {
                    let Some((r, jg, jr, w)) = row else {
                        eliminated.push(None);
                        continue;
                    };
                    let coupling = jg.transpose() * jr * *w;
                    let d = jr.dot(jr) * w * (1.0 + lambda) + 1e-12;
                    let br = jr.dot(r) * w;
                    s += jg.transpose() * jg * *w - &coupling * coupling.transpose() / d;
                    rhs += jg.transpose() * r * *w - &coupling * (br / d);
                    eliminated.push(Some((coupling, d, br)));
                }
                for k in 0..n {
                    s[(k, k)] *= 1.0 + lambda;
                    s[(k, k)] += 1e-12;
                }
                let step = s.lu().solve(&(-rhs));
                if let Some(step) = step {
                    let candidate = &g + &step;
                    let candidate_depths: Vec<f64> = depths
                        .iter()
                        .zip(&eliminated)
                        .map(|(rho, e)| match e {
                            Some((coupling, d, br)) => rho - (br + coupling.dot(&step)) / d,
                            None => *rho,
                        })
                        .collect();
                    let new = self.cost(&candidate, &candidate_depths);
                    if new < current {
                        let converged = current - new < 1e-10 * current.max(1.0);
                        (g, depths, current) = (candidate, candidate_depths, new);
                        lambda = (lambda / 3.0).max(1e-10);
                        if converged {
                            return (g, depths);
                        }
                        break;
                    }
                }
                lambda *= 5.0;
                if lambda > 1e10 {
                    return (g, depths);
                }
            }
        }
        (g, depths)
    }
}
