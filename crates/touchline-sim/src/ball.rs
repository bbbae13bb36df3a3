//! Ball physics: flight under gravity and air drag, bounces, rolling friction.

use nalgebra::{Vector2, Vector3};

/// Radius of a size-5 football, metres.
pub const BALL_RADIUS: f64 = 0.11;
/// Gravity, m/s².
pub const GRAVITY: f64 = 9.81;
/// Quadratic drag per unit mass, 1/m: ½ ρ C_d A / m for a 0.43 kg ball.
const DRAG: f64 = 0.0125;
/// Coefficient of restitution of a bounce on grass.
const RESTITUTION: f64 = 0.55;
/// Fraction of horizontal speed kept through a bounce (grass friction).
const BOUNCE_GRIP: f64 = 0.85;
/// Rolling deceleration on grass, m/s².
const ROLLING_DECELERATION: f64 = 1.3;
/// Below this vertical speed a landing ball stops bouncing and rolls.
const MIN_BOUNCE_SPEED: f64 = 0.8;

/// The ball's state.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ball {
    /// Centre of the ball in the pitch frame, metres.
    pub position: Vector3<f64>,
    /// Velocity, m/s.
    pub velocity: Vector3<f64>,
}

impl Ball {
    /// A ball at rest on the ground.
    pub fn at_rest(x: f64, y: f64) -> Ball {
        Ball {
            position: Vector3::new(x, y, BALL_RADIUS),
            velocity: Vector3::zeros(),
        }
    }

    /// Whether the ball is on the ground (rolling or still).
    pub fn on_ground(&self) -> bool {
        self.position.z <= BALL_RADIUS + 1e-6 && self.velocity.z.abs() < 1e-6
    }

    /// Ground position.
    pub fn ground(&self) -> Vector2<f64> {
        self.position.xy()
    }

    /// Advances the ball by `dt` seconds of free flight or roll.
    pub fn step(&mut self, dt: f64) {
        if self.on_ground() {
            let v = self.velocity.xy();
            let speed = v.norm();
            let decel = ROLLING_DECELERATION + DRAG * speed * speed;
            if speed <= decel * dt {
                self.velocity = Vector3::zeros();
            } else {
                let v = v * (1.0 - decel * dt / speed);
                self.velocity = Vector3::new(v.x, v.y, 0.0);
                self.position += self.velocity * dt;
            }
            return;
        }
        let speed = self.velocity.norm();
        let acceleration = Vector3::new(0.0, 0.0, -GRAVITY) - self.velocity * (DRAG * speed);
        self.velocity += acceleration * dt;
        self.position += self.velocity * dt;
        if self.position.z < BALL_RADIUS {
            self.position.z = BALL_RADIUS;
            if -self.velocity.z > MIN_BOUNCE_SPEED {
                self.velocity.z = -self.velocity.z * RESTITUTION;
                self.velocity.x *= BOUNCE_GRIP;
                self.velocity.y *= BOUNCE_GRIP;
            } else {
                self.velocity.z = 0.0;
            }
        }
    }

    /// Where the ball will be after `seconds` of free motion (no players touching it),
    /// simulated with the same steps as the match.
    pub fn predict(&self, seconds: f64, dt: f64) -> Ball {
        let mut ball = *self;
        let steps = (seconds / dt).round() as usize;
        for _ in 0..steps {
            ball.step(dt);
        }
        ball
    }

    /// The kick velocity that sends a ball along the ground from `from` so that it still
    /// moves at `arrival_speed` when it reaches `to`.
    pub fn ground_pass_velocity(
        from: Vector2<f64>,
        to: Vector2<f64>,
        arrival_speed: f64,
    ) -> Vector3<f64> {
        let d = to - from;
        let distance = d.norm().max(0.1);
        // Drag is small next to rolling friction on the ground; fold it into a slightly
        // higher deceleration.
        let decel = ROLLING_DECELERATION * 1.15;
        let speed = (arrival_speed * arrival_speed + 2.0 * decel * distance).sqrt();
        let dir = d / distance;
        Vector3::new(dir.x * speed, dir.y * speed, 0.0)
    }

    /// The kick velocity at `elevation` radians that lands the ball (first bounce) at
    /// `to`, found by bisection on the speed through the true flight model.
    pub fn lofted_velocity(
        from: Vector3<f64>,
        to: Vector2<f64>,
        elevation: f64,
        dt: f64,
    ) -> Vector3<f64> {
        let d = to - from.xy();
        let distance = d.norm().max(0.1);
        let dir = d / distance;
        let velocity = |speed: f64| {
            Vector3::new(
                dir.x * speed * elevation.cos(),
                dir.y * speed * elevation.cos(),
                speed * elevation.sin(),
            )
        };
        let carry = |speed: f64| {
            let mut ball = Ball {
                position: from,
                velocity: velocity(speed),
            };
            // Fly until the first landing.
            for _ in 0..2000 {
                ball.step(dt);
                if ball.velocity.z >= 0.0 && ball.position.z <= BALL_RADIUS + 1e-6 {
                    break;
                }
                if ball.velocity.z < 0.0 && ball.position.z <= BALL_RADIUS + 0.02 {
                    break;
                }
            }
            (ball.position.xy() - from.xy()).dot(&dir)
        };
        let (mut lo, mut hi) = (1.0, 45.0);
        for _ in 0..25 {
            let mid = 0.5 * (lo + hi);
            if carry(mid) < distance {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        velocity(0.5 * (lo + hi))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DT: f64 = 0.01;

    #[test]
    fn a_rolling_ball_slows_down_and_stops() {
        let mut ball = Ball::at_rest(0.0, 0.0);
        ball.velocity = Vector3::new(10.0, 0.0, 0.0);
        let mut last = ball.position.x;
        for _ in 0..2000 {
            ball.step(DT);
            assert!(ball.position.x >= last);
            last = ball.position.x;
        }
        assert_eq!(ball.velocity, Vector3::zeros());
        assert!(last > 25.0 && last < 45.0, "rolled {last} m");
    }

    #[test]
    fn a_lofted_ball_rises_bounces_lower_and_settles() {
        let mut ball = Ball::at_rest(0.0, 0.0);
        ball.velocity = Vector3::new(15.0, 0.0, 12.0);
        let mut peaks = vec![];
        let mut rising = true;
        for _ in 0..1500 {
            let vz = ball.velocity.z;
            ball.step(DT);
            if rising && vz > 0.0 && ball.velocity.z <= 0.0 {
                peaks.push(ball.position.z);
            }
            rising = ball.velocity.z > 0.0 || vz <= 0.0;
        }
        assert!(peaks.len() >= 2, "bounced: {peaks:?}");
        assert!(peaks[0] > 5.0 && peaks[1] < peaks[0] * 0.5, "{peaks:?}");
        assert!(ball.on_ground());
    }

    #[test]
    fn passes_arrive_where_they_were_aimed() {
        let from = Vector2::new(0.0, 0.0);
        let to = Vector2::new(20.0, 5.0);
        let v = Ball::ground_pass_velocity(from, to, 3.0);
        let mut ball = Ball::at_rest(0.0, 0.0);
        ball.velocity = v;
        let mut closest = f64::INFINITY;
        for _ in 0..1000 {
            ball.step(DT);
            closest = closest.min((ball.ground() - to).norm());
        }
        assert!(closest < 0.3);
        let start = Vector3::new(0.0, 0.0, BALL_RADIUS);
        let v = Ball::lofted_velocity(start, Vector2::new(40.0, 0.0), 0.6, DT);
        let mut ball = Ball {
            position: start,
            velocity: v,
        };
        let mut landed = None;
        for _ in 0..1000 {
            let falling = ball.velocity.z < 0.0;
            ball.step(DT);
            if falling && ball.velocity.z >= 0.0 && landed.is_none() {
                landed = Some(ball.position.x);
            }
        }
        let landed = landed.expect("bounced");
        assert!((landed - 40.0).abs() < 1.0, "landed at {landed}");
    }
}
