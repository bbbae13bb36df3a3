//! A constant-velocity Kalman filter on the pitch plane.

use nalgebra::{Matrix2, Matrix2x4, Matrix4, Point2, Vector2, Vector4};

/// Position and velocity on the pitch (metres, metres per second) with their
/// uncertainty.
#[derive(Clone, Debug, PartialEq)]
pub struct Kalman {
    /// x, y, vx, vy.
    pub state: Vector4<f64>,
    /// Covariance of the state.
    pub covariance: Matrix4<f64>,
    /// Standard deviation of the unmodelled acceleration, m/s².
    pub acceleration_sd: f64,
}

const OBSERVE: Matrix2x4<f64> = Matrix2x4::new(1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0);

impl Kalman {
    /// A filter starting at a measured position, still, with the measurement's
    /// uncertainty and a broad one on velocity.
    pub fn new(position: Point2<f64>, position_sd: f64, acceleration_sd: f64) -> Kalman {
        let p = position_sd * position_sd;
        Kalman {
            state: Vector4::new(position.x, position.y, 0.0, 0.0),
            covariance: Matrix4::from_diagonal(&Vector4::new(p, p, 9.0, 9.0)),
            acceleration_sd,
        }
    }

    /// The estimated position.
    pub fn position(&self) -> Point2<f64> {
        Point2::new(self.state[0], self.state[1])
    }

    /// The estimated velocity.
    pub fn velocity(&self) -> Vector2<f64> {
        Vector2::new(self.state[2], self.state[3])
    }

    /// Moves the estimate `dt` seconds on.
    pub fn predict(&mut self, dt: f64) {
        let mut f = Matrix4::identity();
        f[(0, 2)] = dt;
        f[(1, 3)] = dt;
        // Piecewise-constant white acceleration.
        let q = self.acceleration_sd * self.acceleration_sd;
        let (dt2, dt3, dt4) = (dt * dt, dt * dt * dt / 2.0, dt * dt * dt * dt / 4.0);
        let mut noise = Matrix4::zeros();
        for axis in 0..2 {
            noise[(axis, axis)] = dt4 * q;
            noise[(axis, axis + 2)] = dt3 * q;
            noise[(axis + 2, axis)] = dt3 * q;
            noise[(axis + 2, axis + 2)] = dt2 * q;
        }
        self.state = f * self.state;
        self.covariance = f * self.covariance * f.transpose() + noise;
    }

    /// Covariance of the predicted measurement, with measurement noise `sd`.
    pub fn innovation_covariance(&self, sd: f64) -> Matrix2<f64> {
        OBSERVE * self.covariance * OBSERVE.transpose() + Matrix2::identity() * (sd * sd)
    }

    /// Squared Mahalanobis distance of a measured position from the prediction.
    pub fn distance_squared(&self, measured: Point2<f64>, sd: f64) -> f64 {
        let s = self.innovation_covariance(sd);
        let r = measured - self.position();
        match s.try_inverse() {
            Some(inv) => (r.transpose() * inv * r)[(0, 0)],
            None => f64::INFINITY,
        }
    }

    /// Takes in a measured position with standard deviation `sd`.
    pub fn update(&mut self, measured: Point2<f64>, sd: f64) {
        let s = self.innovation_covariance(sd);
        let Some(inv) = s.try_inverse() else {
            return;
        };
        let gain = self.covariance * OBSERVE.transpose() * inv;
        let r = measured - self.position();
        self.state += gain * r;
        self.covariance = (Matrix4::identity() - gain * OBSERVE) * self.covariance;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_steady_runner_is_followed_and_predicted() {
        let dt = 0.04;
        let mut k = Kalman::new(Point2::new(0.0, 0.0), 0.2, 3.0);
        for i in 1..=50 {
            k.predict(dt);
            let t = i as f64 * dt;
            k.update(Point2::new(5.0 * t, -2.0 * t), 0.2);
        }
        assert!(
            (k.velocity() - Vector2::new(5.0, -2.0)).norm() < 0.3,
            "{:?}",
            k.velocity()
        );
        k.predict(0.5);
        let expected = Point2::new(5.0 * 2.5, -2.0 * 2.5);
        assert!((k.position() - expected).norm() < 0.3);
        // A far measurement is far in Mahalanobis terms too.
        assert!(k.distance_squared(expected + Vector2::new(5.0, 0.0), 0.2) > 25.0);
    }
}
