//! How well a camera path does its job, against the true ball: whether the ball is in
//! the picture, how smoothly the camera moves, how often it changes its mind.
//!
//! Motion is measured on the view's direction: the angular velocity is pan (scaled by
//! the cosine of the tilt, so it is a true angle) and tilt per second; acceleration and
//! jerk are its first and second differences per second. Zoom is kept apart: a zoom
//! change is a move of the field of view faster than [`ZOOM_MOVING_DEG_S`] that starts
//! after a pause.

use nalgebra::{Point3, Vector2};
use touchline_core::geometry::ViewAngles;

use crate::aim::Aim;

/// A reversal of the pan counts only once the pan has moved this far (degrees) the new
/// way, so the noise of a still camera is not a reversal.
pub const REVERSAL_MIN_DEG: f64 = 0.5;
/// The field of view changes faster than this (degrees per second) while zooming.
pub const ZOOM_MOVING_DEG_S: f64 = 0.5;
/// The central part of the picture the ball should be in, as a fraction of each side.
pub const CENTRAL_FRACTION: f64 = 0.8;

/// The true ball in one frame.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BallTruth {
    /// Its centre, pitch metres.
    pub position: Point3<f64>,
    /// Whether play is on (not a stoppage).
    pub in_play: bool,
    /// Whether a camera of the rig sees it: a ball above or beside what the cameras
    /// record is in no view of the panorama.
    pub in_sight: bool,
}

/// Mean and 95th percentile of a quantity.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Spread {
    /// Mean.
    pub mean: f64,
    /// 95th percentile.
    pub p95: f64,
}

/// The figures of one camera path.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct CameraReport {
    /// Fraction of in-play frames with the ball in the central 80 % of the picture.
    pub ball_in_view: f64,
    /// The same over the in-play frames in which a camera sees the ball.
    pub ball_in_view_in_sight: f64,
    /// Angular speed, degrees per second.
    pub speed: Spread,
    /// Angular acceleration, degrees per second squared.
    pub acceleration: Spread,
    /// Angular jerk, degrees per second cubed.
    pub jerk: Spread,
    /// Pan reversals per minute.
    pub pan_reversals_per_min: f64,
    /// Zoom changes per minute.
    pub zoom_changes_per_min: f64,
    /// Frames whose view reaches outside the panorama.
    pub outside_panorama: usize,
}

/// Measures `path` (one view per frame at `fps`) against the true ball.
pub fn camera_report(
    path: &[ViewAngles],
    truth: &[BallTruth],
    aim: &Aim,
    fps: f64,
) -> CameraReport {
    let n = path.len().min(truth.len());
    let (path, truth) = (&path[..n], &truth[..n]);
    // (whether the ball is in the central part, whether a camera sees it), in play.
    let in_play: Vec<(bool, bool)> = path
        .iter()
        .zip(truth)
        .filter(|(_, t)| t.in_play)
        .map(|(view, t)| {
            let margin = 0.5 * (1.0 - CENTRAL_FRACTION);
            let inside = |v: f64| (margin..=1.0 - margin).contains(&v);
            let central = aim
                .in_view(view, &t.position)
                .is_some_and(|(x, y)| inside(x) && inside(y));
            (central, t.in_sight)
        })
        .collect();
    let ball_in_view = fraction(in_play.iter().map(|f| f.0));
    let ball_in_view_in_sight = fraction(in_play.iter().filter(|f| f.1).map(|f| f.0));

    let velocity: Vec<Vector2<f64>> = path
        .windows(2)
        .map(|w| {
            let tilt = 0.5 * (w[0].tilt_deg + w[1].tilt_deg);
            Vector2::new(
                (w[1].pan_deg - w[0].pan_deg) * tilt.to_radians().cos(),
                w[1].tilt_deg - w[0].tilt_deg,
            ) * fps
        })
        .collect();
    let difference = |v: &[Vector2<f64>]| -> Vec<Vector2<f64>> {
        v.windows(2).map(|w| (w[1] - w[0]) * fps).collect()
    };
    let acceleration = difference(&velocity);
    let jerk = difference(&acceleration);
    let minutes = n as f64 / fps / 60.0;
    let per_minute = |count: usize| {
        if minutes > 0.0 {
            count as f64 / minutes
        } else {
            0.0
        }
    };

    CameraReport {
        ball_in_view,
        ball_in_view_in_sight,
        speed: spread(&velocity),
        acceleration: spread(&acceleration),
        jerk: spread(&jerk),
        pan_reversals_per_min: per_minute(reversals(path.iter().map(|v| v.pan_deg))),
        zoom_changes_per_min: per_minute(zoom_changes(path, fps)),
        outside_panorama: path.iter().filter(|v| !aim.fits(v)).count(),
    }
}

/// The share of true flags; 0 when there are none.
fn fraction(flags: impl Iterator<Item = bool>) -> f64 {
    let (n, yes) = flags.fold((0usize, 0usize), |(n, yes), f| {
        (n + 1, yes + usize::from(f))
    });
    if n == 0 {
        0.0
    } else {
        yes as f64 / n as f64
    }
}

fn spread(values: &[Vector2<f64>]) -> Spread {
    if values.is_empty() {
        return Spread::default();
    }
    let mut norms: Vec<f64> = values.iter().map(|v| v.norm()).collect();
    norms.sort_by(f64::total_cmp);
    let mean = norms.iter().sum::<f64>() / norms.len() as f64;
    let p95 = norms[((norms.len() - 1) as f64 * 0.95).round() as usize];
    Spread { mean, p95 }
}

/// Direction changes of a signal, each counted once the signal has gone
/// [`REVERSAL_MIN_DEG`] back from its last extreme.
fn reversals(signal: impl Iterator<Item = f64>) -> usize {
    let mut signal = signal;
    let Some(first) = signal.next() else {
        return 0;
    };
    // +1 rising, -1 falling, 0 not yet known; `extreme` is the furthest point of the
    // current direction.
    let (mut direction, mut extreme, mut count) = (0i8, first, 0usize);
    for v in signal {
        match direction {
            0 => {
                if (v - extreme).abs() >= REVERSAL_MIN_DEG {
                    direction = if v > extreme { 1 } else { -1 };
                    extreme = v;
                }
            }
            1 if v > extreme => extreme = v,
            -1 if v < extreme => extreme = v,
            d => {
                if (v - extreme).abs() >= REVERSAL_MIN_DEG {
                    count += 1;
                    direction = -d;
                    extreme = v;
                }
            }
        }
    }
    count
}

fn zoom_changes(path: &[ViewAngles], fps: f64) -> usize {
    let mut zooming = false;
    let mut count = 0;
    for w in path.windows(2) {
        let moving = (w[1].fov_deg - w[0].fov_deg).abs() * fps > ZOOM_MOVING_DEG_S;
        if moving && !zooming {
            count += 1;
        }
        zooming = moving;
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;
    use touchline_core::geometry::ImageSize;

    #[test]
    fn a_ball_no_camera_sees_is_a_miss_but_not_in_sight() {
        let aim = Aim::new(
            crate::aim::tests::panorama(),
            ImageSize::new(1920, 1080).unwrap(),
        );
        let ball = Point3::new(0.0, 0.0, 0.11);
        let view = aim.clamp(aim.look_at(&ball, 40.0));
        // Kicked far above what the cameras record.
        let skied = Point3::new(0.0, 0.0, 60.0);
        let truth = [
            BallTruth {
                position: ball,
                in_play: true,
                in_sight: true,
            },
            BallTruth {
                position: skied,
                in_play: true,
                in_sight: false,
            },
        ];
        let report = camera_report(&[view, view], &truth, &aim, 25.0);
        assert_eq!(report.ball_in_view, 0.5);
        assert_eq!(report.ball_in_view_in_sight, 1.0);
    }

    #[test]
    fn reversals_need_a_real_swing_back() {
        let wobble = [0.0, 0.1, 0.0, 0.1, 0.0, 0.1];
        assert_eq!(reversals(wobble.into_iter()), 0);
        let swings = [0.0, 5.0, 10.0, 4.0, 0.0, 6.0, 6.2, 5.9];
        assert_eq!(reversals(swings.into_iter()), 2);
    }

    #[test]
    fn a_still_camera_has_no_motion_and_zoom_moves_are_counted_once() {
        let still = ViewAngles {
            pan_deg: 0.0,
            tilt_deg: 10.0,
            fov_deg: 40.0,
        };
        let mut path = vec![still; 100];
        for (i, v) in path.iter_mut().enumerate().skip(50).take(25) {
            v.fov_deg = 40.0 - 0.2 * (i - 49) as f64;
        }
        for v in path.iter_mut().skip(75) {
            v.fov_deg = 35.0;
        }
        assert_eq!(zoom_changes(&path, 25.0), 1);
        let velocity: Vec<Vector2<f64>> = vec![Vector2::zeros(); 10];
        assert_eq!(
            spread(&velocity),
            Spread {
                mean: 0.0,
                p95: 0.0
            }
        );
    }
}
