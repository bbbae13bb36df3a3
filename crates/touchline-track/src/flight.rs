//! Lofted balls, offline. Live, the ball tracker places the ball where its ray meets the
//! ground (see [`crate::ball`]): one camera position cannot tell a ball 4 m up from one
//! on the grass farther away. Over a stretch of frames it can, because a ball in flight
//! falls with gravity: the rays of a ball in the air fit one parabola of known
//! curvature, which fixes its distance, while those of a rolling ball fit a straight
//! run on the ground. With the whole recording at hand, every seen ball is tried
//! against both, over a short window of frames around it, and placed on the flight
//! where the flight explains its rays clearly better.
//!
//! A ball lofted high is often lost for part of its flight: against the crowd, above
//! the picture, or to something else the live tracker took for the ball meanwhile. Where
//! one flight explains the sightings in the air on both sides of such a gap, the ball
//! flew it in between; where a flight seen only coming down (or going up) reaches the
//! ground where the ball was known a moment before (after), it flew from (to) there.
//!
//! The flight fit is linear: a point `p0 + v0·τ − ½·g·τ²·ẑ` lies on the ray `d` from
//! the panorama's centre `c` when `(p − c) × d = 0`, three equations (two independent)
//! linear in `p0` and `v0` per frame, solved in the least-squares sense.

use nalgebra::{Matrix6, Point2, Point3, Vector3, Vector6};
use touchline_core::geometry::Panorama;
use touchline_detect::scene::BALL_DIAMETER_M;

use crate::ball::BallSource;
use crate::tracks::{BallRecord, FrameRecord};

/// Gravity, metres per second squared.
const GRAVITY_M_S2: f64 = 9.81;
/// A ball's radius, metres: a rolling ball's centre is this high.
const BALL_RADIUS_M: f64 = 0.5 * BALL_DIAMETER_M;
/// Fewest sightings a flight is fitted to (it has six unknowns, two equations each).
const MIN_SIGHTINGS: usize = 5;

/// When a seen ball is taken to be in flight.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FlightOptions {
    /// Frames on each side of a frame in the windows fitted around it; a window may
    /// also end or start at the frame (for the moments after a kick and before a
    /// landing). A window is fitted when it holds more than `window / 2` sightings,
    /// spread over at least `window` frames.
    pub window: usize,
    /// Most a flight may miss the measured rays by, root mean square, degrees (about
    /// two panorama pixels on the default rig).
    pub max_residual_deg: f64,
    /// How many times better than a straight run on the ground a flight must explain
    /// the rays.
    pub over_ground: f64,
    /// Lowest height of the ball's centre that counts as in the air, metres.
    pub min_height_m: f64,
    /// Fastest a ball flies, metres per second.
    pub top_speed_m_s: f64,
    /// Longest a ball lost in flight is placed on its flight, seconds: when one
    /// flight explains the sightings before it was lost and after it was found again,
    /// it flew that flight in between.
    pub bridge_s: f64,
    /// Most a flight fitted across such a gap may miss the rays on both sides by, as
    /// `max_residual_deg`: over a second or more, air drag bends a ball's path off
    /// the parabola by a few pixels. (On the simulated 10-minute matches, twice the
    /// local bound raised ball recall by 1 to 1.5 points and precision with it; looser
    /// still changed nothing.)
    pub max_gap_residual_deg: f64,
}

impl Default for FlightOptions {
    fn default() -> Self {
        FlightOptions {
            window: 8,
            max_residual_deg: 0.08,
            over_ground: 2.0,
            min_height_m: 0.5,
            top_speed_m_s: 40.0,
            bridge_s: 2.5,
            max_gap_residual_deg: 0.16,
        }
    }
}

/// A ball in flight: where it is at a time, and how fast it goes then.
#[derive(Clone, Copy, Debug)]
struct Flight {
    time: f64,
    position: Point3<f64>,
    velocity: Vector3<f64>,
}

impl Flight {
    fn at(&self, time: f64) -> Point3<f64> {
        let tau = time - self.time;
        self.position + self.velocity * tau - Vector3::z() * (0.5 * GRAVITY_M_S2 * tau * tau)
    }

    /// When the ball left the ground and when it comes down to it again: the times its
    /// centre is a radius high, before and after [`Flight::time`].
    fn on_ground(&self) -> Option<[f64; 2]> {
        let (height, rise) = (self.position.z - BALL_RADIUS_M, self.velocity.z);
        let root = (rise * rise + 2.0 * GRAVITY_M_S2 * height).sqrt();
        (height >= 0.0)
            .then(|| [rise - root, rise + root].map(|tau| self.time + tau / GRAVITY_M_S2))
    }
}

/// One seen ball: its frame, time and ray, and where the ray meets the plane of a
/// rolling ball's centre (if it does).
#[derive(Clone, Copy, Debug)]
struct Sighting {
    frame: usize,
    time: f64,
    ray: Vector3<f64>,
    ground: Option<Point2<f64>>,
}

/// Places every seen ball that a flight explains on that flight, in `frames`, and the
/// balls the tracker coasted between two such sightings on the flight too; where one
/// flight explains the sightings in the air on both sides of frames the ball was lost
/// in (for up to [`FlightOptions::bridge_s`]), it is placed on that flight there as
/// well, as predicted, over whatever else was taken for the ball meanwhile; and on a
/// flight's unseen start or end (see [`place_flight_ends`]). Returns how many were
/// placed. Frames are in time order.
pub fn reconstruct_flights(
    frames: &mut [FrameRecord],
    panorama: &Panorama,
    fps: f64,
    options: FlightOptions,
) -> usize {
    let sightings: Vec<Sighting> = frames
        .iter()
        .enumerate()
        .filter_map(|(frame, record)| {
            let ball = record
                .ball
                .as_ref()
                .filter(|b| b.source == BallSource::Seen)?;
            let pixel = Point2::new(ball.u, ball.v);
            Some(Sighting {
                frame,
                time: record.time,
                ray: panorama.ray(&pixel).into_inner(),
                ground: panorama.ground_point(&pixel, BALL_RADIUS_M).map(|g| g.xy()),
            })
        })
        .collect();
    let centre = panorama.centre();
    let reach = options.window as f64 / fps;
    let times: Vec<f64> = sightings.iter().map(|s| s.time).collect();
    // The indices of the sightings between two times, inclusive, and the sightings.
    let indices_between = |from: f64, to: f64| {
        times.partition_point(|&t| t < from - 1e-9)..times.partition_point(|&t| t <= to + 1e-9)
    };
    let between = |from: f64, to: f64| &sightings[indices_between(from, to)];
    let flights: Vec<Option<Flight>> = sightings
        .iter()
        .map(|s| {
            let t = s.time;
            [
                (t - 2.0 * reach, t),
                (t - reach, t + reach),
                (t, t + 2.0 * reach),
            ]
            .into_iter()
            .map(|(from, to)| between(from, to))
            // Enough sightings, over long enough for gravity to show.
            .filter(|w| w.len() > options.window / 2 && w.len() >= MIN_SIGHTINGS)
            .filter_map(|w| flight_at(w, t, &centre, fps, &options))
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(flight, _)| flight)
        })
        .collect();
    // The sightings in the air between two times, inclusive.
    let between_in_air = |from: f64, to: f64| -> Vec<Sighting> {
        indices_between(from, to)
            .filter(|&i| flights[i].is_some())
            .map(|i| sightings[i])
            .collect()
    };
    let bridge_frames = options.bridge_s * fps;
    let mut placed = 0;
    for (k, (sighting, flight)) in sightings.iter().zip(&flights).enumerate() {
        let Some(flight) = flight else { continue };
        if let Some(ball) = frames[sighting.frame].ball.as_mut() {
            ball.move_to(&flight.position, None);
        }
        placed += 1;
        // The frames up to the next sighting in flight: coasted ones when it is the next
        // sighting and near; and when one flight explains the sightings in the air on
        // both sides, those where the ball was lost on it (high against a bright sky,
        // say), and any sighting in between that it does not explain (something else
        // taken for the ball meanwhile: a ball in flight does not stop on the way).
        let Some(j) = (k + 1..sightings.len())
            .take_while(|&j| (sightings[j].frame - sighting.frame) as f64 <= bridge_frames)
            .find(|&j| flights[j].is_some())
        else {
            continue;
        };
        let (next, landing) = (&sightings[j], flights[j]);
        let interlopers = j > k + 1;
        let gap = next.frame - sighting.frame;
        let (path, fill_lost) = match landing {
            Some(landing) if gap <= 2 * options.window && !interlopers => {
                ([*flight, landing], false)
            }
            _ => {
                let window = (sighting.time - 2.0 * reach, next.time + 2.0 * reach);
                let across = if interlopers {
                    &between_in_air(window.0, window.1)[..]
                } else {
                    between(window.0, window.1)
                };
                // One flight over a whole gap: drag bends a long flight off a parabola.
                let across_gap = FlightOptions {
                    max_residual_deg: options.max_gap_residual_deg,
                    ..options
                };
                let fit = flight_at(across, sighting.time, &centre, fps, &across_gap);
                match fit {
                    Some((whole, _)) => ([whole, whole], true),
                    None => continue,
                }
            }
        };
        for record in &mut frames[sighting.frame + 1..next.frame] {
            // From one end's flight to the other's, so the path meets both.
            let along = (record.time - sighting.time) / (next.time - sighting.time);
            let [from, to] = path.map(|f| f.at(record.time));
            let point = from + (to - from) * along;
            let Some(pixel) = panorama.project(&point) else {
                continue;
            };
            match record.ball.as_mut() {
                Some(ball) if ball.source == BallSource::Predicted => {
                    ball.move_to(&point, Some(&pixel))
                }
                None if fill_lost => {
                    record.ball = Some(BallRecord::at(&point, &pixel, BallSource::Predicted))
                }
                Some(_) if interlopers => {
                    record.ball = Some(BallRecord::at(&point, &pixel, BallSource::Predicted))
                }
                _ => continue,
            }
            placed += 1;
        }
    }
    placed + place_flight_ends(frames, &sightings, &flights, panorama, fps, &options)
}

/// Farthest (metres) the ball known near a flight's launch or landing may be from it, at
/// the same moment: a kicked ball leaves a boot, the tracker has it by the kicker's feet
/// or a few frames on along the ground; a landed ball bounces on.
const FLIGHT_END_REACH_M: f64 = 3.0;
/// How fast (metres per second) the ball known a few frames from a flight's launch
/// (landing) may have moved meanwhile: the reach grows by this for each frame between.
const KNOWN_BALL_DRIFT_M_S: f64 = 5.0;

/// The unseen ends of flights: a ball lofted high is often seen only as it comes down
/// (it left against the crowd, or above the picture) or only as it goes up. Where the
/// flight fitted to the first (last) sightings of a run in the air comes down to the
/// ground within [`FlightOptions::bridge_s`] before (after) them, with no other sighting
/// in between, and the ball was known then within [`FLIGHT_END_REACH_M`] of where it
/// would have touched the ground, it flew that flight from there: the frames between
/// are placed on it, as predicted. Returns how many were placed.
fn place_flight_ends(
    frames: &mut [FrameRecord],
    sightings: &[Sighting],
    flights: &[Option<Flight>],
    panorama: &Panorama,
    fps: f64,
    options: &FlightOptions,
) -> usize {
    let flying = |k: usize| flights.get(k).copied().flatten();
    let mut placed = 0;
    for (k, sighting) in sightings.iter().enumerate() {
        let Some(flight) = flying(k) else { continue };
        let Some([launch, landing]) = flight.on_ground() else {
            continue;
        };
        // Whether the run in the air goes on to the sighting `j`, a neighbour.
        let goes_on_to = |j: Option<usize>| {
            j.filter(|&j| flying(j).is_some())
                .and_then(|j| sightings.get(j))
                .is_some_and(|o| o.frame.abs_diff(sighting.frame) <= 2 * options.window)
        };
        let (before, after) = (k.checked_sub(1), Some(k + 1));
        // (when it was on the ground, the sighting on that side, which way in time)
        for (end, neighbour, direction) in [(launch, before, -1.0), (landing, after, 1.0)] {
            if goes_on_to(neighbour) {
                continue;
            }
            let neighbour = neighbour.and_then(|j| sightings.get(j));
            let span = direction * (end - sighting.time);
            if span <= 1.0 / fps || span > options.bridge_s {
                continue;
            }
            // Another sighting during the flight: the ball was elsewhere.
            if neighbour.is_some_and(|n| direction * (n.time - end) < -1.0 / fps) {
                continue;
            }
            let end_frame = sighting.frame as f64 + direction * (span * fps).round();
            let Ok(end_frame) = usize::try_from(end_frame as i64) else {
                continue;
            };
            let ground = flight.at(end).xy();
            let known_there = (0..=fps.round() as usize)
                .filter_map(|d| {
                    let i = if direction < 0.0 {
                        end_frame.checked_sub(d)?
                    } else {
                        end_frame + d
                    };
                    let ball = frames.get(i)?.ball.as_ref()?;
                    Some((d, Point2::new(ball.x, ball.y)))
                })
                .next();
            let Some((d, known)) = known_there else {
                continue;
            };
            let drift = KNOWN_BALL_DRIFT_M_S * d as f64 / fps;
            if (known - ground).norm() > FLIGHT_END_REACH_M + drift {
                continue;
            }
            let range = if direction < 0.0 {
                end_frame..sighting.frame
            } else {
                sighting.frame + 1..(end_frame + 1).min(frames.len())
            };
            for record in &mut frames[range] {
                if record
                    .ball
                    .as_ref()
                    .is_some_and(|b| b.source == BallSource::Seen)
                {
                    continue;
                }
                let point = flight.at(record.time);
                let Some(pixel) = panorama.project(&point) else {
                    continue;
                };
                record.ball = Some(BallRecord::at(&point, &pixel, BallSource::Predicted));
                placed += 1;
            }
        }
    }
    placed
}

/// The flight through `window`'s rays, at `time`, and its residual, when a flight
/// explains them and a run on the ground does not.
fn flight_at(
    window: &[Sighting],
    time: f64,
    centre: &Point3<f64>,
    fps: f64,
    options: &FlightOptions,
) -> Option<(Flight, f64)> {
    // Gravity moves a ball 5 cm in the first tenth of a second, 20 cm in two: a
    // shorter stretch cannot tell a flight from a run.
    let span = window.last()?.time - window.first()?.time;
    if span * fps < options.window as f64 {
        return None;
    }
    let flight = fit_flight(window, time, centre)?;
    let points: Vec<Point3<f64>> = window.iter().map(|s| flight.at(s.time)).collect();
    let in_front = window
        .iter()
        .zip(&points)
        .all(|(s, p)| (p - centre).dot(&s.ray) > 0.0 && p.z >= BALL_RADIUS_M - 0.3);
    if !in_front
        || flight.position.z < options.min_height_m
        || flight.velocity.norm() > options.top_speed_m_s
    {
        return None;
    }
    let residual = rms_angle_deg(window, &points, centre);
    let ground = ground_residual_deg(window, centre).unwrap_or(f64::INFINITY);
    (residual <= options.max_residual_deg && residual * options.over_ground <= ground)
        .then_some((flight, residual))
}

/// Least-squares flight through the rays, at `time`.
fn fit_flight(window: &[Sighting], time: f64, centre: &Point3<f64>) -> Option<Flight> {
    let mut normal = Matrix6::<f64>::zeros();
    let mut rhs = Vector6::<f64>::zeros();
    for s in window {
        let tau = s.time - time;
        let cross = s.ray.cross_matrix();
        // d × (p0 + τ·v0) = d × (c + ½·g·τ²·ẑ), with [d]× x = d × x.
        let mut a = nalgebra::SMatrix::<f64, 3, 6>::zeros();
        a.fixed_view_mut::<3, 3>(0, 0).copy_from(&cross);
        a.fixed_view_mut::<3, 3>(0, 3).copy_from(&(cross * tau));
        let fall = Vector3::z() * (0.5 * GRAVITY_M_S2 * tau * tau);
        let b: Vector3<f64> = cross * (centre.coords + fall);
        normal += a.transpose() * a;
        rhs += a.transpose() * b;
    }
    let solution = normal.cholesky()?.solve(&rhs);
    Some(Flight {
        time,
        position: Point3::from(solution.fixed_rows::<3>(0).into_owned()),
        velocity: solution.fixed_rows::<3>(3).into_owned(),
    })
}

/// Root mean square angle (degrees) between the rays and the directions to `points`.
fn rms_angle_deg(window: &[Sighting], points: &[Point3<f64>], centre: &Point3<f64>) -> f64 {
    let sum: f64 = window
        .iter()
        .zip(points)
        .map(|(s, p)| (p - centre).angle(&s.ray).powi(2))
        .sum();
    (sum / window.len() as f64).sqrt().to_degrees()
}

/// How well a straight, steady run on the ground (the ball's centre a radius up)
/// explains the rays, as [`rms_angle_deg`]; `None` when a ray never meets the ground.
fn ground_residual_deg(window: &[Sighting], centre: &Point3<f64>) -> Option<f64> {
    let grounds: Vec<(f64, Point2<f64>)> = window
        .iter()
        .map(|s| Some((s.time, s.ground?)))
        .collect::<Option<_>>()?;
    // Least-squares line through the ground points over time, per axis.
    let n = grounds.len() as f64;
    let mean_t = grounds.iter().map(|g| g.0).sum::<f64>() / n;
    let mean_p = grounds
        .iter()
        .fold(nalgebra::Vector2::zeros(), |s, g| s + g.1.coords)
        / n;
    let var_t: f64 = grounds.iter().map(|g| (g.0 - mean_t).powi(2)).sum();
    let cov = grounds.iter().fold(nalgebra::Vector2::zeros(), |s, g| {
        s + (g.1.coords - mean_p) * (g.0 - mean_t)
    });
    let velocity = if var_t > 0.0 { cov / var_t } else { cov };
    let points: Vec<Point3<f64>> = grounds
        .iter()
        .map(|g| {
            let p = mean_p + velocity * (g.0 - mean_t);
            Point3::new(p.x, p.y, BALL_RADIUS_M)
        })
        .collect();
    Some(rms_angle_deg(window, &points, centre))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::people::TrackId;
    use touchline_core::geometry::{RigOptions, Sport};

    /// The default football rig's panorama.
    pub(crate) fn panorama() -> Panorama {
        RigOptions::for_sport(Sport::Football)
            .build()
            .unwrap()
            .panorama
    }

    /// Frames at 25 fps whose seen ball is at `path(t)`, as the tracker would report
    /// it: the pixel, and the point on the ground under the pixel (somewhere over the
    /// far touchline when the ray never meets the ground).
    fn frames(
        panorama: &Panorama,
        n: usize,
        path: impl Fn(f64) -> Point3<f64>,
    ) -> Vec<FrameRecord> {
        (0..n)
            .map(|i| {
                let time = i as f64 / 25.0;
                let pixel = panorama.project(&path(time)).unwrap();
                let ground = panorama
                    .ground_point(&pixel, 0.11)
                    .unwrap_or(Point3::new(0.0, 40.0, 0.11));
                FrameRecord {
                    frame: i as u64,
                    time,
                    people: Vec::new(),
                    ball: Some(BallRecord {
                        u: pixel.x,
                        v: pixel.y,
                        x: ground.x,
                        y: ground.y,
                        z: ground.z,
                        source: BallSource::Seen,
                    }),
                }
            })
            .collect()
    }

    #[test]
    fn a_lofted_ball_is_placed_on_its_flight() {
        let panorama = panorama();
        // Struck from (-20, 0) towards the far side, up at 12 m/s: in the air 2.4 s.
        let flight = |t: f64| {
            Point3::new(
                -20.0 + 15.0 * t,
                5.0 * t,
                0.11 + 12.0 * t - 0.5 * GRAVITY_M_S2 * t * t,
            )
        };
        let mut records = frames(&panorama, 55, flight);
        // Rising through 5 m, its ray meeting the ground far beyond it.
        let rising = 15;
        let before = records[rising].ball.clone().unwrap();
        let moved = reconstruct_flights(&mut records, &panorama, 25.0, FlightOptions::default());
        assert!(moved > 30, "only {moved} placed in the air");
        let truth = flight(records[rising].time);
        let b = records[rising].ball.as_ref().unwrap();
        let error = (Point3::new(b.x, b.y, b.z) - truth).norm();
        let was = (Point3::new(before.x, before.y, before.z) - truth).norm();
        assert!(
            error < 0.3,
            "{b:?} against {truth:?} (on the ground it was {was:.1} m off)"
        );
        assert!(was > 5.0);
    }

    #[test]
    fn balls_coasted_between_sightings_of_a_flight_are_placed_on_it() {
        let panorama = panorama();
        let flight = |t: f64| Point3::new(10.0 - 12.0 * t, 8.0, 0.11 + 10.0 * t - 4.905 * t * t);
        let mut records = frames(&panorama, 45, flight);
        // The tracker lost the ball on every third frame and carried it on, off its
        // path.
        for record in records.iter_mut().skip(1).step_by(3) {
            if let Some(ball) = record.ball.as_mut() {
                ball.source = BallSource::Predicted;
                ball.u += 6.0;
            }
        }
        reconstruct_flights(&mut records, &panorama, 25.0, FlightOptions::default());
        for record in records[10..30].iter().skip(1).step_by(3) {
            let b = record.ball.as_ref().unwrap();
            let truth = flight(record.time);
            assert!(
                (Point3::new(b.x, b.y, b.z) - truth).norm() < 0.3,
                "{b:?} against {truth:?}"
            );
            let pixel = panorama.project(&truth).unwrap();
            assert!((b.u - pixel.x).abs() < 0.5, "{b:?} against {pixel:?}");
        }
    }

    /// Up at 15 m/s from the near half: 11 m high at the top, 3 s in the air.
    fn high_flight(t: f64) -> Point3<f64> {
        Point3::new(
            -15.0 + 10.0 * t,
            -20.0 + 4.0 * t,
            0.11 + 15.0 * t - 4.905 * t * t,
        )
    }

    /// Asserts that every frame of `records` has the ball placed, as predicted,
    /// within 0.5 m of where `path` has it.
    fn assert_placed_on(records: &[FrameRecord], path: impl Fn(f64) -> Point3<f64>) {
        for record in records {
            let b = record.ball.as_ref().expect("placed on the flight");
            assert_eq!(b.source, BallSource::Predicted);
            let truth = path(record.time);
            assert!(
                (Point3::new(b.x, b.y, b.z) - truth).norm() < 0.5,
                "{b:?} against {truth:?}"
            );
        }
    }

    #[test]
    fn a_ball_lost_high_in_its_flight_is_placed_on_it_between_the_sightings() {
        let panorama = panorama();
        let flight = high_flight;
        let mut records = frames(&panorama, 75, flight);
        // Lost for 1.2 s around the top, against the sky.
        let lost = 22..52;
        for record in &mut records[lost.clone()] {
            record.ball = None;
        }
        reconstruct_flights(&mut records, &panorama, 25.0, FlightOptions::default());
        assert_placed_on(&records[lost], flight);
        // Two separate flights with a gap between are not joined.
        let second = |t: f64| Point3::new(25.0 - 10.0 * t, 10.0, 0.11 + 15.0 * t - 4.905 * t * t);
        let mut records = frames(
            &panorama,
            75,
            |t| if t < 1.2 { flight(t) } else { second(t) },
        );
        for record in &mut records[22..52] {
            record.ball = None;
        }
        reconstruct_flights(&mut records, &panorama, 25.0, FlightOptions::default());
        assert!(records[22..52].iter().all(|r| r.ball.is_none()));
    }

    #[test]
    fn something_taken_for_the_ball_during_its_flight_is_replaced_by_the_flight() {
        let panorama = panorama();
        let flight = high_flight;
        let mut records = frames(&panorama, 75, flight);
        // Lost around the top; meanwhile the tracker saw, then guessed at the feet of,
        // a player 20 m away.
        let lost = 22..52;
        let player = Point3::new(10.0, 5.0, 0.11);
        let pixel = panorama.project(&player).unwrap();
        for (i, record) in records[lost.clone()].iter_mut().enumerate() {
            record.ball = (i >= 10).then(|| {
                let source = if i < 15 {
                    BallSource::Seen
                } else {
                    BallSource::AtFeet(TrackId(9))
                };
                BallRecord::at(&player, &pixel, source)
            });
        }
        reconstruct_flights(&mut records, &panorama, 25.0, FlightOptions::default());
        assert_placed_on(&records[lost], flight);
    }

    #[test]
    fn a_ball_seen_only_coming_down_is_placed_on_its_flight_back_to_the_kick() {
        let panorama = panorama();
        // At rest at a player's feet for a second, then lofted: 3 s in the air.
        let kick = Point3::new(-15.0, -20.0, 0.11);
        let flight = |t: f64| kick + Vector3::new(10.0 * t, 4.0 * t, 15.0 * t - 4.905 * t * t);
        let path = |t: f64| if t < 1.0 { kick } else { flight(t - 1.0) };
        let mut records = frames(&panorama, 100, path);
        // Not seen going up (against the crowd) for its first 1.4 s.
        let lost = 25..60;
        for record in &mut records[lost.clone()] {
            record.ball = None;
        }
        reconstruct_flights(&mut records, &panorama, 25.0, FlightOptions::default());
        assert_placed_on(&records[lost.clone()], path);
        // The same sightings in the air, but the ball was known 10 m away when the
        // flight would have left the ground: it did not fly from there.
        let elsewhere = Point3::new(-5.0, -20.0, 0.11);
        let mut records = frames(
            &panorama,
            100,
            |t| if t < 1.0 { elsewhere } else { path(t) },
        );
        for record in &mut records[lost.clone()] {
            record.ball = None;
        }
        reconstruct_flights(&mut records, &panorama, 25.0, FlightOptions::default());
        assert!(records[lost].iter().all(|r| r.ball.is_none()));
    }

    #[test]
    fn a_rolling_ball_stays_on_the_ground() {
        let panorama = panorama();
        let roll = |t: f64| Point3::new(-10.0 + 8.0 * t, -5.0 + 3.0 * t, 0.11);
        let mut records = frames(&panorama, 50, roll);
        let before = records.clone();
        assert_eq!(
            reconstruct_flights(&mut records, &panorama, 25.0, FlightOptions::default()),
            0
        );
        assert_eq!(records, before);
    }
}
