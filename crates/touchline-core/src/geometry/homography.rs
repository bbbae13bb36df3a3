//! Plane-to-plane homographies: the pitch plane as a distortion-free camera sees it.

use nalgebra::{DMatrix, Matrix3, Point2, Vector3};

use crate::error::{Error, Result};

/// A 3×3 homography mapping homogeneous points of one plane to another, defined up
/// to scale.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Homography(pub Matrix3<f64>);

impl Homography {
    /// The homography that maps each `from` point onto the direction of its `to`
    /// vector best (direct linear transform, with `from` normalised for conditioning).
    /// The `to` vectors are homogeneous: image points `(x, y, 1)` or viewing rays of
    /// any length, so points beside or behind a camera's image plane are fine.
    ///
    /// Fails for fewer than four pairs, or points that leave the mapping undetermined
    /// (three or more on a line).
    pub fn fit(from: &[Point2<f64>], to: &[Vector3<f64>]) -> Result<Homography> {
        if from.len() != to.len() || from.len() < 4 {
            return Err(Error::invalid(
                "homography",
                format!(
                    "needs at least 4 point pairs, got {}",
                    from.len().min(to.len())
                ),
            ));
        }
        let n = from.len() as f64;
        let mean = from
            .iter()
            .fold(Vector3::zeros(), |s, p| s + Vector3::new(p.x, p.y, 0.0))
            / n;
        let spread = from
            .iter()
            .map(|p| ((p.x - mean.x).powi(2) + (p.y - mean.y).powi(2)).sqrt())
            .sum::<f64>()
            / n;
        if spread < 1e-12 {
            return Err(Error::invalid("homography", "the points coincide"));
        }
        let s = std::f64::consts::SQRT_2 / spread;
        // Normalising similarity: centroid to the origin, mean distance √2.
        let t = Matrix3::new(s, 0.0, -s * mean.x, 0.0, s, -s * mean.y, 0.0, 0.0, 1.0);
        // At least nine rows (four points give eight; a zero row keeps the thin SVD's
        // basis complete), so the null vector is among the right singular vectors.
        let mut a = DMatrix::<f64>::zeros((2 * from.len()).max(9), 9);
        for (i, (p, q)) in from.iter().zip(to).enumerate() {
            let p = t * Vector3::new(p.x, p.y, 1.0);
            let q = q.normalize();
            for k in 0..3 {
                a[(2 * i, 3 + k)] = -q.z * p[k];
                a[(2 * i, 6 + k)] = q.y * p[k];
                a[(2 * i + 1, k)] = q.z * p[k];
                a[(2 * i + 1, 6 + k)] = -q.x * p[k];
            }
        }
        // The null vector of A: the right singular vector of the smallest singular value.
        let svd = a.svd(false, true);
        let v_t = svd
            .v_t
            .ok_or_else(|| Error::invalid("homography", "the fit did not converge"))?;
        let mut order: Vec<(usize, f64)> =
            svd.singular_values.iter().copied().enumerate().collect();
        order.sort_by(|x, y| x.1.total_cmp(&y.1));
        // A one-dimensional null space is what determines the homography.
        let largest = order.last().map_or(0.0, |v| v.1);
        if order[1].1 <= 1e-9 * largest {
            return Err(Error::invalid(
                "homography",
                "the points do not determine one (three or more on a line?)",
            ));
        }
        let h = v_t.row(order[0].0);
        let normalised = Matrix3::new(h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8]);
        Ok(Homography(normalised * t))
    }

    /// Maps a point; `None` where it goes to infinity.
    pub fn map(&self, p: &Point2<f64>) -> Option<Point2<f64>> {
        let v = self.0 * Vector3::new(p.x, p.y, 1.0);
        (v.z.abs() > 1e-12).then(|| Point2::new(v.x / v.z, v.y / v.z))
    }

    /// The inverse mapping, or `None` when the matrix is singular.
    pub fn inverse(&self) -> Option<Homography> {
        self.0.try_inverse().map(Homography)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn example() -> Homography {
        Homography(Matrix3::new(
            0.9, 0.1, 30.0, -0.05, 1.2, 12.0, 0.0004, -0.0002, 1.0,
        ))
    }

    proptest! {
        #[test]
        fn a_fitted_homography_reproduces_the_one_that_made_the_points(
            xs in proptest::collection::vec((-50.0f64..50.0, -30.0f64..30.0), 6..20)
        ) {
            let truth = example();
            let from: Vec<Point2<f64>> = xs.iter().map(|&(x, y)| Point2::new(x, y)).collect();
            prop_assume!(Homography::fit(&from, &from.iter().map(|p| Vector3::new(p.x, p.y, 1.0)).collect::<Vec<_>>()).is_ok());
            let to: Vec<Vector3<f64>> = from.iter().map(|p| truth.0 * Vector3::new(p.x, p.y, 1.0)).collect();
            let fitted = Homography::fit(&from, &to).unwrap();
            for p in [Point2::new(3.0, -7.0), Point2::new(-40.0, 20.0)] {
                let (a, b) = (truth.map(&p).unwrap(), fitted.map(&p).unwrap());
                prop_assert!((a - b).norm() < 1e-6, "{a} vs {b}");
            }
        }

        #[test]
        fn map_and_inverse_round_trip(x in -50.0f64..50.0, y in -30.0f64..30.0) {
            let h = example();
            let p = Point2::new(x, y);
            let back = h.inverse().unwrap().map(&h.map(&p).unwrap()).unwrap();
            prop_assert!((back - p).norm() < 1e-9);
        }
    }

    #[test]
    fn four_points_are_enough() {
        let truth = example();
        let from = [
            Point2::new(0.0, 0.0),
            Point2::new(40.0, 0.0),
            Point2::new(40.0, 25.0),
            Point2::new(0.0, 25.0),
        ];
        let to: Vec<Vector3<f64>> = from
            .iter()
            .map(|p| truth.0 * Vector3::new(p.x, p.y, 1.0))
            .collect();
        let fitted = Homography::fit(&from, &to).unwrap();
        let p = Point2::new(13.0, 7.0);
        assert!((fitted.map(&p).unwrap() - truth.map(&p).unwrap()).norm() < 1e-6);
    }

    #[test]
    fn collinear_points_are_refused() {
        let from: Vec<Point2<f64>> = (0..5)
            .map(|i| Point2::new(i as f64, 2.0 * i as f64))
            .collect();
        let to: Vec<Vector3<f64>> = from.iter().map(|p| Vector3::new(p.x, p.y, 1.0)).collect();
        assert!(Homography::fit(&from, &to).is_err());
        assert!(Homography::fit(&from[..3], &to[..3]).is_err());
    }
}
