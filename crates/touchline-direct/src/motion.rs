//! Smooth, purposeful motion towards moving targets.
//!
//! Two pieces. [`window_mean`] averages the targets over a window around a frame,
//! reaching into the future as far as the delay allows, so the camera starts moving
//! before play does and ignores what reverses within the window. [`Head`] is the camera
//! head that follows that average: a dead zone (small differences are not worth a
//! move), then a speed it may not exceed, chosen so it can always brake to a stop at the
//! target with its bounded deceleration (no overshoot, so no swinging back), reached
//! with bounded acceleration and jerk. Offline, the same head runs forwards and
//! backwards in time and the two paths are averaged: the lag of each cancels, and since
//! speed, acceleration and jerk are linear in the path, the average keeps every bound.
//! Where the two heads come to rest at different points of their dead zones, the average
//! can pause, drift back a degree and go on; [`without_small_reversals`] takes such
//! swings out.

/// Bounds on the motion of one angle.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limits {
    /// Degrees per second.
    pub speed: f64,
    /// Degrees per second squared.
    pub acceleration: f64,
    /// Degrees per second cubed.
    pub jerk: f64,
    /// Differences smaller than this (degrees) do not start a move.
    pub dead_zone: f64,
    /// Differences back the way the last move came start a move only beyond this
    /// (degrees; never less than the dead zone): going on is cheap, turning back takes
    /// a reason, as play swinging to and fro a little should not swing the camera.
    pub turn_back_zone: f64,
}

/// The mean of `targets[from..=to]` with triangular weights peaking at `peak`: frames
/// near `peak` count most. Indices are clipped to the signal.
pub fn window_mean(targets: &[f64], peak: usize, half_width: usize) -> f64 {
    let (mut sum, mut weights) = (0.0, 0.0);
    let from = peak.saturating_sub(half_width);
    let to = (peak + half_width).min(targets.len().saturating_sub(1));
    for (i, &v) in targets.iter().enumerate().take(to + 1).skip(from) {
        let w = (half_width + 1 - i.abs_diff(peak)) as f64;
        sum += w * v;
        weights += w;
    }
    if weights > 0.0 {
        sum / weights
    } else {
        targets.get(peak).copied().unwrap_or(0.0)
    }
}

/// [`window_mean`] at every frame of `targets`.
pub fn window_means(targets: &[f64], half_width: usize) -> Vec<f64> {
    (0..targets.len())
        .map(|t| window_mean(targets, t, half_width))
        .collect()
}

/// The laziest path that stays within `band[t]` of `targets[t]`: it holds still while
/// every target of the next `lookahead` frames lies within its band of where it is, and
/// otherwise moves only as far as those coming targets require, to the near edge of
/// what they all allow. A target that swings back by less than twice its band moves
/// nothing, so play that goes back and forth in the middle of the picture no longer
/// swings the camera back and forth.
pub fn hold_within(targets: &[f64], band: &[f64], lookahead: usize) -> Vec<f64> {
    let mut hold = Hold::default();
    (0..targets.len())
        .map(|t| {
            let end = targets.len().min(t + lookahead + 1);
            hold.step((t..end).map(|s| (targets[s], band.get(s).copied().unwrap_or(0.0))))
        })
        .collect()
}

/// An angle held lazily, frame by frame (see [`hold_within`]).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Hold {
    position: Option<f64>,
}

impl Hold {
    /// The position for a frame, given `(target, band)` for it and for the frames after
    /// it, as far as it looks ahead. It starts on the first target it is given.
    pub fn step(&mut self, coming: impl IntoIterator<Item = (f64, f64)>) -> f64 {
        let (mut low, mut high) = (f64::NEG_INFINITY, f64::INFINITY);
        let mut first = None;
        for (target, band) in coming {
            first.get_or_insert(target);
            let band = band.max(0.0);
            let (l, h) = (low.max(target - band), high.min(target + band));
            if l > h {
                break;
            }
            (low, high) = (l, h);
        }
        let position = self.position.or(first).unwrap_or(0.0).clamp(low, high);
        self.position = Some(position);
        position
    }
}

/// A camera head moving one angle.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Head {
    limits: Limits,
    dt: f64,
    position: f64,
    speed: f64,
    acceleration: f64,
    /// Whether a move is under way (started by leaving the dead zone, ended at rest on
    /// the target).
    moving: bool,
    /// Where the move under way started.
    move_start: f64,
    /// Which way the last finished move went, if any.
    last_way: Option<Way>,
}

/// A way an angle moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Way {
    Up,
    Down,
}

impl Way {
    fn of(change: f64) -> Way {
        if change >= 0.0 {
            Way::Up
        } else {
            Way::Down
        }
    }

    fn reversed(self) -> Way {
        match self {
            Way::Up => Way::Down,
            Way::Down => Way::Up,
        }
    }
}

impl Head {
    /// A head at rest at `position`, stepping `dt` seconds at a time.
    pub fn new(limits: Limits, dt: f64, position: f64) -> Head {
        Head {
            limits,
            dt,
            position,
            speed: 0.0,
            acceleration: 0.0,
            moving: false,
            move_start: position,
            last_way: None,
        }
    }

    /// Where the head is.
    pub fn position(&self) -> f64 {
        self.position
    }

    /// One step towards `target`; returns the new position.
    ///
    /// The head is a critically damped third-order system (three equal poles at
    /// [`RESPONSE_RAD_S`]): it eases into and out of every move without overshoot, and
    /// its jerk, acceleration and speed are then held within the limits.
    pub fn step(&mut self, target: f64) -> f64 {
        let l = self.limits;
        let error = target - self.position;
        if !self.moving {
            let zone = if self.last_way.is_some_and(|way| way != Way::of(error)) {
                l.turn_back_zone.max(l.dead_zone)
            } else {
                l.dead_zone
            };
            if error.abs() > zone {
                self.moving = true;
                self.move_start = self.position;
            }
        }
        // At rest, the head holds still: only a target beyond the dead zone moves it.
        let aim = if self.moving { target } else { self.position };
        let p = RESPONSE_RAD_S;
        // Far from its aim the head cruises at 80 % of the speed bound: the error it
        // acts on is capped where that is the steady speed (v = p·e/3 for this
        // system), and from a cruise the system settles without overshoot.
        let reach = 2.4 * l.speed / p;
        let error = (aim - self.position).clamp(-reach, reach);
        let jerk = p * p * p * error - 3.0 * p * p * self.speed - 3.0 * p * self.acceleration;
        let mut acceleration = self.acceleration + jerk.clamp(-l.jerk, l.jerk) * self.dt;
        acceleration = acceleration.clamp(-l.acceleration, l.acceleration);
        // Near the speed bound the acceleration must already be fading at the jerk
        // bound, or reaching the bound would stop it at once.
        if acceleration * self.speed > 0.0 {
            let fade = (2.0 * l.jerk * (l.speed - self.speed.abs()).max(0.0)).sqrt();
            acceleration = acceleration.clamp(-fade, fade);
        }
        self.acceleration = acceleration;
        self.speed = (self.speed + acceleration * self.dt).clamp(-l.speed, l.speed);
        self.position += self.speed * self.dt;
        if self.moving && self.speed.abs() < 0.05 * l.dead_zone && error.abs() < 0.5 * l.dead_zone {
            self.moving = false;
            self.last_way = Some(Way::of(self.position - self.move_start));
        }
        self.position
    }
}

/// How quickly the head responds, radians per second: a move settles in about
/// 6 / this seconds.
pub const RESPONSE_RAD_S: f64 = 2.0;

/// Follows `targets` forwards and backwards in time and averages the two paths: a path
/// without lag, within the limits.
pub fn follow_both_ways(targets: &[f64], limits: Limits, dt: f64) -> Vec<f64> {
    let Some((&first, &last)) = targets.first().zip(targets.last()) else {
        return Vec::new();
    };
    let mut head = Head::new(limits, dt, first);
    let forward: Vec<f64> = targets.iter().map(|&t| head.step(t)).collect();
    let mut head = Head::new(limits, dt, last);
    let mut backward: Vec<f64> = targets.iter().rev().map(|&t| head.step(t)).collect();
    backward.reverse();
    forward
        .iter()
        .zip(&backward)
        .map(|(f, b)| 0.5 * (f + b))
        .collect()
}

/// The frames where a path turns, ignoring swings back smaller than `min_swing`: the
/// first frame, each turn followed by a swing of at least `min_swing`, and the last.
/// Between two turns the path stays within their values (not so before the first turn
/// or after the last, where it swings by less than `min_swing`).
fn turning_points(path: &[f64], min_swing: f64) -> Vec<usize> {
    let Some(last) = path.len().checked_sub(1) else {
        return Vec::new();
    };
    let mut turns = vec![0];
    // Until the first swing, the lowest and highest frames so far; then the way the
    // path goes and the frame it has gone furthest that way.
    let (mut low, mut high) = (0, 0);
    let mut going: Option<(Way, usize)> = None;
    for (t, &v) in path.iter().enumerate().skip(1) {
        match going {
            None => {
                if v < path[low] {
                    low = t;
                }
                if v > path[high] {
                    high = t;
                }
                if v - path[low] >= min_swing {
                    turns.push(low);
                    going = Some((Way::Up, t));
                } else if path[high] - v >= min_swing {
                    turns.push(high);
                    going = Some((Way::Down, t));
                }
            }
            Some((way, furthest)) => {
                let beyond = match way {
                    Way::Up => v >= path[furthest],
                    Way::Down => v <= path[furthest],
                };
                if beyond {
                    going = Some((way, t));
                } else if (v - path[furthest]).abs() >= min_swing {
                    turns.push(furthest);
                    going = Some((way.reversed(), t));
                }
            }
        }
    }
    if let Some((_, furthest)) = going {
        turns.push(furthest);
    }
    turns.push(last);
    turns.dedup();
    turns
}

/// `path` with every swing back smaller than `min_swing` taken out: between two turns
/// (see [`turning_points`]) it runs one way only, halfway between the furthest it has
/// come and the least it has still to go, so a camera that would stop, drift back a
/// degree and go on holds still instead. Where the path runs one way it is unchanged,
/// as are its turns; its first and last frames may move by less than `min_swing`. Where
/// it starts and stops holding, its speed steps: smooth it after.
pub fn without_small_reversals(path: &[f64], min_swing: f64) -> Vec<f64> {
    let mut out = path.to_vec();
    for pair in turning_points(path, min_swing).windows(2) {
        let (from, to) = (pair[0], pair[1]);
        // Rising, as written; a falling stretch is mirrored into a rising one.
        let sign = if path[to] >= path[from] { 1.0 } else { -1.0 };
        let mut still_to_go = vec![0.0; to + 1 - from];
        let mut least = f64::INFINITY;
        for t in (from..=to).rev() {
            least = least.min(sign * path[t]);
            still_to_go[t - from] = least;
        }
        let mut furthest = f64::NEG_INFINITY;
        for t in from..=to {
            furthest = furthest.max(sign * path[t]);
            out[t] = sign * 0.5 * (furthest + still_to_go[t - from]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const LIMITS: Limits = Limits {
        speed: 20.0,
        acceleration: 15.0,
        jerk: 60.0,
        dead_zone: 1.0,
        turn_back_zone: 3.0,
    };
    const DT: f64 = 0.04;

    /// Largest |speed|, |acceleration|, |jerk| of a path, per second.
    fn derivatives(path: &[f64]) -> (f64, f64, f64) {
        let d = |v: &[f64]| v.windows(2).map(|w| (w[1] - w[0]) / DT).collect::<Vec<_>>();
        let (v, a) = (d(path), d(&d(path)));
        let j = d(&a);
        let max = |v: &[f64]| v.iter().fold(0.0f64, |m, x| m.max(x.abs()));
        (max(&v), max(&a), max(&j))
    }

    #[test]
    fn a_step_is_reached_without_overshoot_within_the_limits() {
        let mut head = Head::new(LIMITS, DT, 0.0);
        let path: Vec<f64> = (0..250).map(|_| head.step(30.0)).collect();
        let (v, a, j) = derivatives(&path);
        assert!(
            v <= LIMITS.speed + 1e-9 && a <= LIMITS.acceleration + 1e-6 && j <= LIMITS.jerk + 1e-6,
            "{v} {a} {j}"
        );
        let end = *path.last().unwrap();
        assert!((end - 30.0).abs() <= LIMITS.dead_zone, "ends at {end}");
        // It may drift past the target by less than half the dead zone, never enough to
        // start a move back.
        assert!(
            path.iter().all(|&p| p <= 30.0 + 0.5 * LIMITS.dead_zone),
            "overshoots"
        );
        // Monotone: never turns back (beyond the rounding of the settling head).
        assert!(path.windows(2).all(|w| w[1] >= w[0] - 1e-3));
    }

    #[test]
    fn turning_back_takes_more_than_going_on() {
        let mut head = Head::new(LIMITS, DT, 0.0);
        let mut settle = |target: f64| {
            for _ in 0..250 {
                head.step(target);
            }
            head.position()
        };
        let up = settle(20.0);
        assert!((up - 20.0).abs() <= LIMITS.dead_zone, "{up}");
        // 2 degrees back: beyond the dead zone, not beyond the turn-back zone.
        assert!((settle(up - 2.0) - up).abs() < 0.01);
        // 2 degrees on the same way: a move.
        let on = settle(up + 2.0);
        assert!(on > up + 1.0, "{on}");
        // 4 degrees back: beyond the turn-back zone.
        assert!(settle(on - 4.0) < on - 3.0);
    }

    #[test]
    fn a_pause_and_drift_back_becomes_a_hold_and_real_turns_stay() {
        // Up 0 -> 10, back to 9, up to 20, down to 5: the one-degree drift back goes,
        // the 15-degree turn stays.
        let mut path: Vec<f64> = (0..=10).map(f64::from).collect();
        path.extend([9.5, 9.0, 9.5]);
        path.extend((10..=20).map(f64::from));
        path.extend((5..20).rev().map(f64::from));
        let out = without_small_reversals(&path, 3.0);
        let peak = path.iter().position(|&v| v == 20.0).unwrap();
        assert!(out[..=peak].windows(2).all(|w| w[1] >= w[0]), "{out:?}");
        assert!(out[peak..].windows(2).all(|w| w[1] <= w[0]), "{out:?}");
        // Unchanged where the path already ran one way, held between.
        assert_eq!(out[..8], path[..8]);
        assert_eq!(out[peak..], path[peak..]);
        assert!(
            out[10..14].iter().all(|&v| (9.0..=10.0).contains(&v)),
            "{out:?}"
        );
    }

    #[test]
    fn jitter_inside_the_dead_zone_never_moves_the_head() {
        let mut head = Head::new(LIMITS, DT, 5.0);
        for i in 0..500 {
            let jitter = if i % 2 == 0 { 0.9 } else { -0.9 };
            assert_eq!(head.step(5.0 + jitter), 5.0);
        }
    }

    proptest! {
        #[test]
        fn small_reversals_go_and_the_turns_stay(steps in proptest::collection::vec(-3.0f64..3.0, 2..200)) {
            let path: Vec<f64> = steps.iter().scan(0.0, |at, s| { *at += s; Some(*at) }).collect();
            let out = without_small_reversals(&path, 4.0);
            let turns = turning_points(&path, 4.0);
            // Between turns one way only; the turns themselves kept, each but the last
            // followed by a swing of at least the minimum.
            for pair in turns.windows(2) {
                let (from, to) = (pair[0], pair[1]);
                let rising = out[to] >= out[from];
                prop_assert!(out[from..=to].windows(2).all(|w| w[1] == w[0] || (w[1] > w[0]) == rising));
            }
            let inner = &turns[1..turns.len() - 1];
            for (i, &t) in inner.iter().enumerate() {
                prop_assert_eq!(out[t], path[t]);
                if i + 1 < inner.len() {
                    prop_assert!((path[inner[i + 1]] - path[t]).abs() >= 4.0);
                }
            }
        }

        #[test]
        fn both_ways_keeps_the_limits(targets in proptest::collection::vec(-60.0f64..60.0, 2..40)) {
            // Piecewise-constant targets, each held a second.
            let signal: Vec<f64> = targets.iter().flat_map(|&t| std::iter::repeat_n(t, 25)).collect();
            let path = follow_both_ways(&signal, LIMITS, DT);
            let (v, a, j) = derivatives(&path);
            prop_assert!(v <= LIMITS.speed + 1e-6);
            prop_assert!(a <= LIMITS.acceleration + 1e-6);
            prop_assert!(j <= LIMITS.jerk + 1e-6);
        }
    }

    #[test]
    fn holding_within_a_band_ignores_swings_inside_it_and_follows_a_run() {
        // Swings of ±3 about 0, then a steady run to 40.
        let mut targets: Vec<f64> = (0..100)
            .map(|i| if i % 20 < 10 { 3.0 } else { -3.0 })
            .collect();
        targets.extend((0..100).map(|i| 0.4 * i as f64));
        let band = vec![4.0; targets.len()];
        let path = hold_within(&targets, &band, 10);
        assert!(path[..90].iter().all(|&p| p == path[0]), "swings moved it");
        assert!(path
            .iter()
            .zip(&targets)
            .all(|(p, t)| (p - t).abs() <= 4.0 + 1e-9));
        // The run is followed one way only, ending within the band of its end.
        assert!(path.windows(2).all(|w| w[1] >= w[0]));
        assert!((path[199] - 39.6).abs() <= 4.0);
    }

    #[test]
    fn the_window_mean_weights_the_peak_most() {
        let signal = [0.0, 0.0, 10.0, 0.0, 0.0];
        assert!((window_mean(&signal, 2, 1) - 5.0).abs() < 1e-12);
        assert!((window_mean(&signal, 0, 1) - 0.0).abs() < 1e-12);
        assert!((window_mean(&signal, 4, 0) - 0.0).abs() < 1e-12);
    }
}
