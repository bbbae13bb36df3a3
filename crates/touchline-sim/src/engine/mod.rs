//! The match model: 22 players, a referee and a ball, stepped at a fixed rate.
//!
//! The model is deliberately simple in its decisions and careful in its physics. Each
//! team holds a formation that shifts and compacts with the ball; the nearest players
//! press, cover and chase loose balls; the ball carrier dribbles, passes along the
//! ground or through the air, and shoots; goalkeepers guard the goal; and the laws'
//! restarts (kick-off, throw-in, corner, goal kick) stop and restart play. Everything
//! random comes from one seeded ChaCha stream, so a seed replays the same match.

mod squad;

use nalgebra::{Vector2, Vector3};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use touchline_core::geometry::{Pitch, Sport};

use crate::ball::{Ball, BALL_RADIUS};
use crate::events::{Event, EventKind};
use crate::people::{Person, PersonState, Role, Side};

/// The engine's fixed time step, seconds. Frames are interpolated between steps.
pub const STEP_SECONDS: f64 = 0.01;

/// Radius of the goal posts and crossbar, metres.
const POST_RADIUS: f64 = 0.06;
/// Depth of the goal net behind the goal line, metres.
const NET_DEPTH: f64 = 1.8;
/// How far in front of a dribbler's feet the ball runs, metres.
const DRIBBLE_LEAD: f64 = 0.45;
/// Horizontal reach for controlling a ball at the feet, metres.
const FOOT_REACH: f64 = 0.75;
/// Horizontal reach of a diving goalkeeper, metres.
const KEEPER_REACH: f64 = 1.7;
/// Players' acceleration limit, m/s².
const MAX_ACCELERATION: f64 = 4.5;
/// Seconds after a kick before the kicker may touch the ball again.
const KICK_COOLDOWN: f64 = 0.35;
/// Interval of the cached ball-path prediction, seconds.
const PATH_STEP: f64 = 0.1;
/// Horizon of the cached ball-path prediction, seconds.
const PATH_HORIZON: f64 = 4.0;

/// Who has the ball.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Control {
    /// Nobody: it flies, rolls or lies still.
    Loose,
    /// A player dribbles it (index into `people`).
    Feet(usize),
    /// A goalkeeper (or a thrower) holds it in the hands.
    Hands(usize),
}

/// The laws' restarts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RestartKind {
    KickOff,
    ThrowIn,
    Corner,
    GoalKick,
}

#[derive(Clone, Copy, Debug, PartialEq)]
struct Restart {
    kind: RestartKind,
    team: Side,
    /// Where the ball is put.
    spot: Vector2<f64>,
    taker: usize,
    /// Play may not restart before this time (players take their places).
    not_before: f64,
    /// The ball is fetched back to the spot at this time.
    ball_back_at: f64,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Phase {
    InPlay,
    Stopped(Restart),
}

/// A per-player run into space, ending at `until`.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Run {
    target: Vector2<f64>,
    until: f64,
}

/// Positions of everybody and the ball at one instant.
#[derive(Clone, Debug, PartialEq)]
pub struct Snapshot {
    /// Match time, seconds.
    pub time: f64,
    /// One entry per person, in the order of [`MatchEngine::people`].
    pub people: Vec<PersonState>,
    /// The ball.
    pub ball: Ball,
    /// Whether the ball is in play.
    pub in_play: bool,
}

impl Snapshot {
    /// Linear interpolation between two snapshots (`alpha` = 0 gives `self`).
    pub fn lerp(&self, other: &Snapshot, alpha: f64) -> Snapshot {
        let mix2 = |a: Vector2<f64>, b: Vector2<f64>| a + (b - a) * alpha;
        let mix3 = |a: Vector3<f64>, b: Vector3<f64>| a + (b - a) * alpha;
        Snapshot {
            time: self.time + (other.time - self.time) * alpha,
            people: self
                .people
                .iter()
                .zip(&other.people)
                .map(|(a, b)| PersonState {
                    position: mix2(a.position, b.position),
                    velocity: mix2(a.velocity, b.velocity),
                    gait_phase: a.gait_phase + (b.gait_phase - a.gait_phase) * alpha,
                })
                .collect(),
            ball: Ball {
                position: mix3(self.ball.position, other.ball.position),
                velocity: mix3(self.ball.velocity, other.ball.velocity),
            },
            in_play: if alpha < 0.5 {
                self.in_play
            } else {
                other.in_play
            },
        }
    }
}

/// The match.
pub struct MatchEngine {
    sport: Sport,
    pitch: Pitch,
    rng: ChaCha8Rng,
    time: f64,
    people: Vec<Person>,
    states: Vec<PersonState>,
    ball: Ball,
    control: Control,
    /// When the current carrier took the ball.
    control_since: f64,
    /// When the carrier decides next.
    decide_at: f64,
    phase: Phase,
    /// The last player to touch the ball.
    last_touch: Option<usize>,
    /// Until when each person may not touch the ball (after kicking or losing it).
    touch_blocked_until: Vec<f64>,
    /// The player a pass in flight is meant for.
    intended_receiver: Option<usize>,
    /// Whether the loose ball is a shot (for the goalkeeper and the event log).
    shot_in_flight: bool,
    /// Slowly varying offsets from the formation, so nobody stands like a chess piece.
    wander: Vec<Vector2<f64>>,
    runs: Vec<Option<Run>>,
    /// Predicted free ball positions every [`PATH_STEP`] seconds from `path_time`.
    ball_path: Vec<Vector3<f64>>,
    path_time: f64,
    /// Each team's player who can reach a loose ball first, refreshed every step.
    chasers: [Option<usize>; 2],
    events: Vec<Event>,
    score: [u32; 2],
}

impl MatchEngine {
    /// A match between two full teams, kicked off by the home side.
    pub fn new(sport: Sport, pitch: Pitch, seed: u64) -> MatchEngine {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let people = squad::line_up(sport, &mut rng);
        let n = people.len();
        let mut engine = MatchEngine {
            sport,
            pitch,
            rng,
            time: 0.0,
            states: vec![
                PersonState {
                    position: Vector2::zeros(),
                    velocity: Vector2::zeros(),
                    gait_phase: 0.0,
                };
                n
            ],
            people,
            ball: Ball::at_rest(0.0, 0.0),
            control: Control::Loose,
            control_since: 0.0,
            decide_at: 0.0,
            phase: Phase::InPlay,
            last_touch: None,
            touch_blocked_until: vec![0.0; n],
            intended_receiver: None,
            shot_in_flight: false,
            wander: vec![Vector2::zeros(); n],
            runs: vec![None; n],
            ball_path: Vec::new(),
            path_time: -1.0,
            chasers: [None, None],
            events: Vec::new(),
            score: [0, 0],
        };
        // Everyone starts in their kick-off place, the home side to kick off.
        let restart = engine.make_restart(RestartKind::KickOff, Side::Home, Vector2::zeros(), 2.0);
        for i in 0..n {
            engine.states[i].position = engine.set_piece_target(i, &restart);
        }
        engine.ball = Ball::at_rest(0.0, 0.0);
        engine.phase = Phase::Stopped(restart);
        engine
    }

    /// Who is on the pitch, in id order.
    pub fn people(&self) -> &[Person] {
        &self.people
    }

    /// The sport profile.
    pub fn sport(&self) -> Sport {
        self.sport
    }

    /// Match time, seconds.
    pub fn time(&self) -> f64 {
        self.time
    }

    /// Goals scored, home and away.
    pub fn score(&self) -> [u32; 2] {
        self.score
    }

    /// Every event so far, in time order.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// The present state.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            time: self.time,
            people: self.states.clone(),
            ball: self.ball,
            in_play: self.phase == Phase::InPlay,
        }
    }

    /// Advances the match by one [`STEP_SECONDS`].
    pub fn step(&mut self) {
        let dt = STEP_SECONDS;
        self.time += dt;
        self.update_wander(dt);
        match self.phase {
            Phase::InPlay => self.step_in_play(dt),
            Phase::Stopped(restart) => self.step_stopped(restart, dt),
        }
    }

    // ---------------------------------------------------------------- in play

    fn step_in_play(&mut self, dt: f64) {
        if let Control::Feet(i) | Control::Hands(i) = self.control {
            if self.time >= self.decide_at {
                self.carrier_decides(i);
            }
        }
        self.refresh_ball_path();
        self.chasers = if self.control == Control::Loose {
            [
                self.quickest_to_ball(Side::Home),
                self.quickest_to_ball(Side::Away),
            ]
        } else {
            [None, None]
        };
        let targets: Vec<(Vector2<f64>, f64)> = (0..self.people.len())
            .map(|i| self.in_play_target(i))
            .collect();
        self.move_people(&targets, dt);
        match self.control {
            Control::Feet(i) => self.attach_ball_to_feet(i),
            Control::Hands(i) => self.attach_ball_to_hands(i),
            Control::Loose => {
                let before = self.ball;
                self.ball.step(dt);
                self.collide_with_goal_frame(&before);
            }
        }
        if self.check_out_of_play() {
            return;
        }
        if self.control == Control::Loose {
            self.contest_loose_ball();
        } else {
            self.contest_tackles(dt);
        }
    }

    fn side(&self, i: usize) -> Option<Side> {
        self.people[i].team
    }

    fn is_keeper(&self, i: usize) -> bool {
        self.people[i].role == Role::Goalkeeper
    }

    fn own_goal_x(&self, side: Side) -> f64 {
        -side.attack_sign() * self.pitch.length / 2.0
    }

    fn in_own_penalty_area(&self, i: usize, p: Vector2<f64>) -> bool {
        let Some(side) = self.side(i) else {
            return false;
        };
        let goal_x = self.own_goal_x(side);
        (p.x - goal_x).abs() <= self.pitch.penalty_area_depth
            && p.y.abs() <= self.pitch.penalty_area_width / 2.0
    }

    fn log(&mut self, kind: EventKind, person: Option<usize>) {
        let p = self.ball.position;
        self.events.push(Event {
            time: (self.time * 1000.0).round() / 1000.0,
            kind,
            team: person.and_then(|i| self.people[i].team),
            person: person.map(|i| self.people[i].id),
            x: (p.x * 100.0).round() / 100.0,
            y: (p.y * 100.0).round() / 100.0,
        });
    }

    fn teammates(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        let side = self.side(i);
        (0..self.people.len()).filter(move |&j| j != i && self.side(j) == side && side.is_some())
    }

    fn opponents_of(&self, side: Side) -> impl Iterator<Item = usize> + '_ {
        (0..self.people.len()).filter(move |&j| self.side(j) == Some(side.opponent()))
    }

    fn nearest_opponent_distance(&self, i: usize, at: Vector2<f64>) -> f64 {
        let Some(side) = self.side(i) else {
            return f64::INFINITY;
        };
        self.opponents_of(side)
            .map(|j| (self.states[j].position - at).norm())
            .fold(f64::INFINITY, f64::min)
    }

    /// The carrier shoots, passes, or keeps dribbling.
    fn carrier_decides(&mut self, i: usize) {
        self.decide_at = self.time + self.rng.random_range(0.25..0.6);
        let Some(side) = self.side(i) else {
            return;
        };
        let pos = self.states[i].position;
        let held = self.time - self.control_since;
        if let Control::Hands(_) = self.control {
            // A goalkeeper with the ball in the hands distributes after a moment.
            if held > self.rng.random_range(1.5..3.5) {
                let long = self.rng.random_bool(0.55);
                self.pass(i, long);
            }
            return;
        }
        let goal = Vector2::new(side.attack_sign() * self.pitch.length / 2.0, 0.0);
        let to_goal = goal - pos;
        let shooting_range = 0.24 * self.pitch.length;
        let pressure = self.nearest_opponent_distance(i, pos);
        if !self.is_keeper(i) && to_goal.norm() < shooting_range {
            let angle = (to_goal.y / to_goal.norm()).abs().asin();
            let closeness = 1.0 - to_goal.norm() / shooting_range;
            let p_shot = (0.1 + 0.7 * closeness * closeness) * if angle < 1.0 { 1.0 } else { 0.3 };
            if self.rng.random_bool(p_shot.clamp(0.0, 0.9)) {
                self.shoot(i);
                return;
            }
        }
        let sign = side.attack_sign();
        let own_third = sign * pos.x < -self.pitch.length / 6.0;
        if own_third && pressure < 2.5 && self.rng.random_bool(0.5) {
            self.clear(i);
            return;
        }
        let wide = pos.y.abs() > self.pitch.width / 4.0;
        let final_third = sign * pos.x > self.pitch.length / 6.0;
        if wide && final_third && self.rng.random_bool(0.3) {
            self.cross(i);
            return;
        }
        let urge = 0.15 + 0.2 * held + if pressure < 3.0 { 0.35 } else { 0.0 };
        let urge = if self.is_keeper(i) { 1.0 } else { urge };
        if self.rng.random_bool(urge.clamp(0.0, 0.95)) {
            let lofted = self.rng.random_bool(0.05);
            self.pass(i, lofted);
        }
    }

    /// Chooses a teammate and plays the ball to them. `prefer_long` asks for a lofted
    /// ball even where a ground pass would do.
    fn pass(&mut self, i: usize, prefer_long: bool) {
        let Some(side) = self.side(i) else {
            return;
        };
        let from = self.ball.position.xy();
        let scale = self.pitch.length / 105.0;
        let mut best: Option<(f64, usize, Vector2<f64>, bool)> = None;
        let teammates: Vec<usize> = self.teammates(i).collect();
        for j in teammates {
            let lead = self.states[j].position + self.states[j].velocity * 0.7;
            let lead = self.clamp_to_pitch(lead, -1.0);
            let d = lead - from;
            let dist = d.norm();
            if dist < 6.0 * scale || dist > 55.0 * scale {
                continue;
            }
            if self.is_keeper(j) && self.rng.random_bool(0.8) {
                continue;
            }
            let progress = d.x * side.attack_sign();
            let lane = self
                .opponents_of(side)
                .map(|k| segment_distance(self.states[k].position, from, lead))
                .fold(f64::INFINITY, f64::min);
            let free = self.nearest_opponent_distance(j, lead);
            let lofted = dist > 35.0 * scale || (lane < 1.0 && dist > 15.0 * scale) || prefer_long;
            let lane_score = if lofted { 1.0 } else { lane.min(6.0) };
            let score = 0.07 * progress + 0.35 * lane_score + 0.25 * free.min(8.0) - 0.015 * dist
                + self.rng.random_range(0.0..1.2)
                + if prefer_long { 0.03 * dist } else { 0.0 };
            if best.as_ref().is_none_or(|b| score > b.0) {
                best = Some((score, j, lead, lofted));
            }
        }
        let Some((_, j, target, lofted)) = best else {
            return;
        };
        let aim_error = self.rng.random_range(-1.0..1.0) * 0.06;
        let velocity = if lofted {
            let elevation = self.rng.random_range(0.45..0.8);
            let start = Vector3::new(from.x, from.y, self.ball.position.z.max(BALL_RADIUS));
            Ball::lofted_velocity(start, target, elevation, STEP_SECONDS)
        } else {
            let arrival = self.rng.random_range(3.5..7.0);
            Ball::ground_pass_velocity(from, target, arrival)
        };
        let kind = if lofted {
            EventKind::LoftedPass
        } else {
            EventKind::Pass
        };
        self.kick(i, rotate_xy(velocity, aim_error), kind);
        self.intended_receiver = Some(j);
    }

    /// Under pressure near the own goal: hoofs the ball upfield, often out of play.
    fn clear(&mut self, i: usize) {
        let Some(side) = self.side(i) else {
            return;
        };
        let from = self.ball.position;
        let (hl, hw) = self.pitch.half();
        let target = Vector2::new(
            (from.x + side.attack_sign() * self.rng.random_range(25.0..50.0) * hl / 52.5)
                .clamp(-hl, hl),
            self.rng.random_range(-1.3..1.3) * hw,
        );
        let elevation = self.rng.random_range(0.45..0.75);
        let v = Ball::lofted_velocity(from, target, elevation, STEP_SECONDS);
        self.kick(i, v, EventKind::LoftedPass);
    }

    /// From a wide position in the final third: a lofted ball into the box.
    fn cross(&mut self, i: usize) {
        let Some(side) = self.side(i) else {
            return;
        };
        let from = self.ball.position;
        let goal_x = side.attack_sign() * self.pitch.length / 2.0;
        let depth = self.rng.random_range(4.0..14.0) * self.pitch.penalty_area_depth / 16.5;
        let target = Vector2::new(
            goal_x - side.attack_sign() * depth,
            self.rng.random_range(-0.3..0.3) * self.pitch.penalty_area_width,
        );
        let elevation = self.rng.random_range(0.3..0.6);
        let v = Ball::lofted_velocity(from, target, elevation, STEP_SECONDS);
        self.kick(i, v, EventKind::LoftedPass);
    }

    /// Shoots at a point inside the goal, with an error that grows with distance.
    fn shoot(&mut self, i: usize) {
        let Some(side) = self.side(i) else {
            return;
        };
        let from = self.ball.position;
        let goal_x = side.attack_sign() * self.pitch.length / 2.0;
        let half = self.pitch.goal_width / 2.0 - 0.3;
        let aim = Vector3::new(
            goal_x,
            self.rng.random_range(-half..half),
            self.rng.random_range(0.2..self.pitch.goal_height - 0.2),
        );
        let speed = self.rng.random_range(17.0..28.0);
        let distance = (aim.xy() - from.xy()).norm();
        // The elevation that brings the ball to the aimed height at the goal line,
        // through the true flight model.
        let (mut lo, mut hi) = (-0.1f64, 0.6f64);
        for _ in 0..20 {
            let elevation = 0.5 * (lo + hi);
            let dir = (aim.xy() - from.xy()).normalize();
            let mut ball = Ball {
                position: from,
                velocity: Vector3::new(
                    dir.x * speed * elevation.cos(),
                    dir.y * speed * elevation.cos(),
                    speed * elevation.sin(),
                ),
            };
            let mut height = 0.0;
            for _ in 0..400 {
                ball.step(STEP_SECONDS);
                if (ball.position.xy() - from.xy()).norm() >= distance {
                    height = ball.position.z;
                    break;
                }
            }
            if height < aim.z {
                lo = elevation;
            } else {
                hi = elevation;
            }
        }
        let elevation = 0.5 * (lo + hi) + self.rng.random_range(-0.04..0.04);
        let dir = (aim.xy() - from.xy()).normalize();
        let velocity = Vector3::new(
            dir.x * speed * elevation.cos(),
            dir.y * speed * elevation.cos(),
            speed * elevation.sin(),
        );
        let spread = 0.05 + 0.004 * distance;
        let error = self.rng.random_range(-spread..spread);
        self.kick(i, rotate_xy(velocity, error), EventKind::Shot);
        self.shot_in_flight = true;
    }

    fn kick(&mut self, i: usize, velocity: Vector3<f64>, kind: EventKind) {
        self.log(kind, Some(i));
        self.ball.velocity = velocity;
        if self.ball.position.z <= BALL_RADIUS && velocity.z > 0.0 {
            self.ball.position.z = BALL_RADIUS + 1e-4;
        }
        self.control = Control::Loose;
        self.last_touch = Some(i);
        self.touch_blocked_until[i] = self.time + KICK_COOLDOWN;
        self.intended_receiver = None;
        self.shot_in_flight = false;
        self.path_time = -1.0;
    }

    fn attach_ball_to_feet(&mut self, i: usize) {
        let s = self.states[i];
        let heading = if s.velocity.norm() > 0.3 {
            s.velocity.normalize()
        } else {
            let side = self.side(i).map_or(1.0, Side::attack_sign);
            Vector2::new(side, 0.0)
        };
        // Touches: the ball runs ahead and comes back with the stride.
        let lead = DRIBBLE_LEAD * (0.6 + 0.4 * (0.5 * s.gait_phase).sin().abs());
        let p = s.position + heading * lead;
        self.ball.position = Vector3::new(p.x, p.y, BALL_RADIUS);
        self.ball.velocity = Vector3::new(s.velocity.x, s.velocity.y, 0.0);
    }

    fn attach_ball_to_hands(&mut self, i: usize) {
        let s = self.states[i];
        let towards = Vector2::new(-s.position.x.signum(), 0.0) * 0.3;
        let p = s.position + towards;
        self.ball.position = Vector3::new(p.x, p.y, 0.6 * self.people[i].height);
        self.ball.velocity = Vector3::new(s.velocity.x, s.velocity.y, 0.0);
    }

    /// Posts, crossbar and net.
    fn collide_with_goal_frame(&mut self, before: &Ball) {
        let hl = self.pitch.length / 2.0;
        let half_goal = self.pitch.goal_width / 2.0;
        let bar = self.pitch.goal_height;
        let p = self.ball.position;
        let crossed = before.position.x.abs() < hl && p.x.abs() >= hl;
        if crossed {
            let y = p.y.abs();
            let post_centre = half_goal + POST_RADIUS;
            let near_post = (y - post_centre).abs() < BALL_RADIUS + POST_RADIUS && p.z < bar;
            let near_bar =
                y < post_centre && (p.z - (bar + POST_RADIUS)).abs() < BALL_RADIUS + POST_RADIUS;
            if near_post || near_bar {
                self.ball.position = before.position;
                self.ball.velocity.x = -self.ball.velocity.x * 0.6;
                self.ball.velocity.y += self.rng.random_range(-2.0..2.0);
                if near_bar {
                    self.ball.velocity.z = -self.ball.velocity.z.abs() * 0.5;
                }
                self.log(EventKind::Woodwork, None);
                self.shot_in_flight = false;
                return;
            }
        }
        // Inside the goal: the net stops the ball.
        if p.x.abs() > hl && p.y.abs() < half_goal && p.z < bar {
            let back = hl + NET_DEPTH - BALL_RADIUS;
            if p.x.abs() > back {
                self.ball.position.x = back * p.x.signum();
                self.ball.velocity.x *= -0.1;
                self.ball.velocity.y *= 0.3;
                self.ball.velocity.z = self.ball.velocity.z.min(0.0);
            }
            let side_limit = half_goal - BALL_RADIUS;
            if p.y.abs() > side_limit {
                self.ball.position.y = side_limit * p.y.signum();
                self.ball.velocity.y *= -0.2;
            }
            let roof = bar - BALL_RADIUS;
            if p.z > roof {
                self.ball.position.z = roof;
                self.ball.velocity.z = -0.2 * self.ball.velocity.z.abs();
            }
        }
    }

    /// Detects the ball leaving the field of play and stops play with the right restart.
    fn check_out_of_play(&mut self) -> bool {
        let (hl, hw) = self.pitch.half();
        let p = self.ball.position;
        let last_side = self.last_touch.and_then(|i| self.side(i));
        if p.x.abs() > hl + BALL_RADIUS {
            let defending = if p.x > 0.0 { Side::Away } else { Side::Home };
            let attacking = defending.opponent();
            if p.y.abs() < self.pitch.goal_width / 2.0 && p.z < self.pitch.goal_height {
                self.log(
                    EventKind::Goal,
                    self.last_touch.filter(|&i| self.side(i) == Some(attacking)),
                );
                // Credit the goal to the attacking side even after an own goal.
                if let Some(last) = self.events.last_mut() {
                    last.team = Some(attacking);
                }
                self.score[match attacking {
                    Side::Home => 0,
                    Side::Away => 1,
                }] += 1;
                let restart =
                    self.make_restart(RestartKind::KickOff, defending, Vector2::zeros(), 9.0);
                self.stop_play(restart);
                return true;
            }
            self.log(EventKind::Out, self.last_touch);
            let restart = if last_side == Some(defending) {
                let corner = Vector2::new(p.x.signum() * (hl - 0.3), p.y.signum() * (hw - 0.3));
                self.make_restart(RestartKind::Corner, attacking, corner, 5.0)
            } else {
                let spot = Vector2::new(
                    p.x.signum() * (hl - self.pitch.goal_area_depth + 0.5),
                    p.y.signum() * self.rng.random_range(0.0..self.pitch.goal_area_width / 2.0),
                );
                self.make_restart(RestartKind::GoalKick, defending, spot, 4.0)
            };
            self.stop_play(restart);
            return true;
        }
        if p.y.abs() > hw + BALL_RADIUS {
            self.log(EventKind::Out, self.last_touch);
            let team = last_side.map_or(Side::Home, Side::opponent);
            let spot = Vector2::new(p.x.clamp(-hl + 1.0, hl - 1.0), p.y.signum() * hw);
            let restart = self.make_restart(RestartKind::ThrowIn, team, spot, 2.5);
            self.stop_play(restart);
            return true;
        }
        false
    }

    fn stop_play(&mut self, restart: Restart) {
        self.control = Control::Loose;
        self.intended_receiver = None;
        self.shot_in_flight = false;
        self.phase = Phase::Stopped(restart);
        for run in &mut self.runs {
            *run = None;
        }
    }

    fn make_restart(
        &mut self,
        kind: RestartKind,
        team: Side,
        spot: Vector2<f64>,
        delay: f64,
    ) -> Restart {
        let taker = match kind {
            RestartKind::GoalKick => self.keeper_of(team),
            RestartKind::KickOff => (0..self.people.len())
                .filter(|&j| self.side(j) == Some(team))
                .max_by(|&a, &b| self.people[a].anchor.x.total_cmp(&self.people[b].anchor.x))
                .unwrap_or(0),
            RestartKind::ThrowIn | RestartKind::Corner => (0..self.people.len())
                .filter(|&j| self.side(j) == Some(team) && !self.is_keeper(j))
                .min_by(|&a, &b| {
                    let da = (self.states[a].position - spot).norm();
                    let db = (self.states[b].position - spot).norm();
                    da.total_cmp(&db)
                })
                .unwrap_or(0),
        };
        Restart {
            kind,
            team,
            spot,
            taker,
            not_before: self.time + delay + self.rng.random_range(0.0..2.0),
            ball_back_at: self.time + 1.5,
        }
    }

    fn keeper_of(&self, side: Side) -> usize {
        (0..self.people.len())
            .find(|&j| self.side(j) == Some(side) && self.is_keeper(j))
            .unwrap_or(0)
    }

    /// A loose ball: whoever reaches it first may control it, head it or save it.
    fn contest_loose_ball(&mut self) {
        let ball = self.ball;
        let speed = ball.velocity.norm();
        let mut best: Option<(f64, usize)> = None;
        for i in 0..self.people.len() {
            if self.people[i].role == Role::Referee || self.time < self.touch_blocked_until[i] {
                continue;
            }
            let d = (self.states[i].position - ball.ground()).norm();
            let keeper_zone = self.is_keeper(i) && self.in_own_penalty_area(i, ball.ground());
            let reach = if keeper_zone {
                KEEPER_REACH
            } else {
                FOOT_REACH
            };
            let top = if keeper_zone { 2.6 } else { 2.4 };
            if d < reach && ball.position.z < top && best.is_none_or(|b| d < b.0) {
                best = Some((d, i));
            }
        }
        let Some((_, i)) = best else {
            return;
        };
        let keeper_zone = self.is_keeper(i) && self.in_own_penalty_area(i, ball.ground());
        let header = !keeper_zone && ball.position.z > 1.2;
        if header && ball.position.z < 1.6 {
            // Too low to head, too high to trap: let it drop.
            return;
        }
        // Fast balls are harder to stop: a chance per step while within reach.
        let chance = if keeper_zone {
            if self.shot_in_flight {
                0.3
            } else {
                0.6
            }
        } else if header {
            0.04
        } else {
            (0.5 * (9.0 / speed.max(9.0))).clamp(0.08, 0.5)
        };
        if !self.rng.random_bool(chance) {
            return;
        }
        let previous = self.last_touch;
        let was_pass_for = self.intended_receiver;
        if keeper_zone && self.shot_in_flight {
            self.log(EventKind::Save, Some(i));
            self.shot_in_flight = false;
            self.last_touch = Some(i);
            if self.rng.random_bool(0.6) {
                self.take_control(i, Control::Hands(i));
            } else {
                // Parried away from goal, often out for a corner.
                let out = -self.own_goal_x(self.side(i).unwrap_or(Side::Home)).signum();
                let v = Vector3::new(
                    out * self.rng.random_range(2.0..7.0),
                    self.rng.random_range(-8.0..8.0),
                    self.rng.random_range(1.0..5.0),
                );
                self.ball.velocity = v;
                self.touch_blocked_until[i] = self.time + 0.8;
                self.path_time = -1.0;
            }
            return;
        }
        if header {
            self.head(i);
            return;
        }
        let control = if keeper_zone && self.rng.random_bool(0.7) {
            Control::Hands(i)
        } else {
            Control::Feet(i)
        };
        let same_team = previous.and_then(|p| self.side(p)) == self.side(i);
        let kind = if !same_team && was_pass_for.is_some() {
            EventKind::Interception
        } else {
            EventKind::Reception
        };
        self.log(kind, Some(i));
        self.take_control(i, control);
    }

    fn take_control(&mut self, i: usize, control: Control) {
        self.control = control;
        self.control_since = self.time;
        self.decide_at = self.time + self.rng.random_range(0.3..0.8);
        self.last_touch = Some(i);
        self.intended_receiver = None;
        self.shot_in_flight = false;
        if let Control::Hands(_) = control {
            self.states[i].velocity *= 0.2;
        }
    }

    /// A header: at goal when near it, otherwise cleared away or on to a teammate.
    fn head(&mut self, i: usize) {
        let Some(side) = self.side(i) else {
            return;
        };
        let pos = self.ball.position;
        let goal = Vector2::new(side.attack_sign() * self.pitch.length / 2.0, 0.0);
        let to_goal = goal - pos.xy();
        let velocity = if to_goal.norm() < 14.0 {
            let aim = Vector2::new(goal.x, self.rng.random_range(-2.5..2.5));
            let d = (aim - pos.xy()).normalize() * self.rng.random_range(11.0..16.0);
            self.shot_in_flight = true;
            Vector3::new(d.x, d.y, self.rng.random_range(-2.5..1.5))
        } else {
            let away =
                Vector2::new(side.attack_sign(), self.rng.random_range(-0.8..0.8)).normalize();
            let d = away * self.rng.random_range(8.0..14.0);
            Vector3::new(d.x, d.y, self.rng.random_range(2.0..6.0))
        };
        let was_shot = self.shot_in_flight;
        self.kick(i, velocity, EventKind::Header);
        self.shot_in_flight = was_shot;
    }

    /// Opponents near the carrier try to win the ball.
    fn contest_tackles(&mut self, dt: f64) {
        let Control::Feet(c) = self.control else {
            return;
        };
        let Some(side) = self.side(c) else {
            return;
        };
        let ball = self.ball.ground();
        let tacklers: Vec<usize> = self
            .opponents_of(side)
            .filter(|&j| {
                (self.states[j].position - ball).norm() < 1.0
                    && self.time >= self.touch_blocked_until[j]
            })
            .collect();
        for j in tacklers {
            if !self.rng.random_bool((1.4 * dt).min(1.0)) {
                continue;
            }
            self.log(EventKind::Tackle, Some(j));
            self.touch_blocked_until[c] = self.time + 0.7;
            if self.rng.random_bool(0.55) {
                self.take_control(j, Control::Feet(j));
            } else {
                let angle = self.rng.random_range(0.0..std::f64::consts::TAU);
                let speed = self.rng.random_range(2.5..7.0);
                self.control = Control::Loose;
                self.last_touch = Some(j);
                self.touch_blocked_until[j] = self.time + 0.3;
                self.ball.velocity = Vector3::new(angle.cos() * speed, angle.sin() * speed, 0.0);
                self.path_time = -1.0;
            }
            return;
        }
    }

    // ----------------------------------------------------------- stopped play

    fn step_stopped(&mut self, restart: Restart, dt: f64) {
        // The ball that went out rolls on until it is fetched back to the spot.
        if self.time < restart.ball_back_at {
            let before = self.ball;
            self.ball.step(dt);
            self.collide_with_goal_frame(&before);
        } else if self.time - dt < restart.ball_back_at {
            self.ball = Ball::at_rest(restart.spot.x, restart.spot.y);
        }
        let targets: Vec<(Vector2<f64>, f64)> = (0..self.people.len())
            .map(|i| (self.set_piece_target(i, &restart), 0.55))
            .collect();
        self.move_people(&targets, dt);
        let taker = restart.taker;
        let taker_ready = (self.states[taker].position - targets[taker].0).norm() < 0.8;
        if self.time >= restart.ball_back_at {
            if restart.kind == RestartKind::ThrowIn && taker_ready {
                self.attach_ball_to_hands(taker);
                self.ball.position.z = 2.1;
            } else {
                self.ball = Ball::at_rest(restart.spot.x, restart.spot.y);
            }
        }
        let waited_too_long = self.time > restart.not_before + 12.0;
        if self.time >= restart.not_before && (taker_ready || waited_too_long) {
            self.take_restart(restart);
        }
    }

    fn take_restart(&mut self, restart: Restart) {
        let i = restart.taker;
        self.phase = Phase::InPlay;
        self.last_touch = Some(i);
        self.control = Control::Loose;
        self.ball = Ball::at_rest(restart.spot.x, restart.spot.y);
        let Some(side) = self.side(i) else {
            return;
        };
        match restart.kind {
            RestartKind::KickOff => {
                self.log(EventKind::KickOff, Some(i));
                let behind = self
                    .teammates(i)
                    .filter(|&j| !self.is_keeper(j))
                    .min_by(|&a, &b| {
                        let da = self.states[a].position.norm();
                        let db = self.states[b].position.norm();
                        da.total_cmp(&db)
                    });
                if let Some(j) = behind {
                    let v = Ball::ground_pass_velocity(
                        self.ball.ground(),
                        self.states[j].position,
                        3.0,
                    );
                    self.kick(i, v, EventKind::Pass);
                    self.intended_receiver = Some(j);
                }
            }
            RestartKind::ThrowIn => {
                self.ball.position.z = 2.1;
                self.log(EventKind::ThrowIn, Some(i));
                let from = self.ball.position;
                let near = self
                    .teammates(i)
                    .filter(|&j| !self.is_keeper(j))
                    .min_by(|&a, &b| {
                        let da = (self.states[a].position - from.xy()).norm();
                        let db = (self.states[b].position - from.xy()).norm();
                        da.total_cmp(&db)
                    });
                if let Some(j) = near {
                    let target = self.states[j].position;
                    let elevation = self.rng.random_range(0.2..0.5);
                    let v = Ball::lofted_velocity(from, target, elevation, STEP_SECONDS);
                    self.kick(i, v, EventKind::Pass);
                    self.intended_receiver = Some(j);
                }
            }
            RestartKind::Corner => {
                self.log(EventKind::Corner, Some(i));
                let goal_x = side.attack_sign() * self.pitch.length / 2.0;
                let depth = self.rng.random_range(5.0..13.0);
                let target = Vector2::new(
                    goal_x - side.attack_sign() * depth,
                    self.rng.random_range(-7.0..7.0),
                );
                let elevation = self.rng.random_range(0.4..0.6);
                let v = Ball::lofted_velocity(self.ball.position, target, elevation, STEP_SECONDS);
                self.kick(i, v, EventKind::LoftedPass);
            }
            RestartKind::GoalKick => {
                self.log(EventKind::GoalKick, Some(i));
                let long = self.rng.random_bool(0.6);
                self.pass(i, long);
                if self.control != Control::Loose || self.ball.velocity.norm() == 0.0 {
                    // Nobody to pass to: kick it long upfield.
                    let target = Vector2::new(0.0, self.rng.random_range(-10.0..10.0));
                    let v = Ball::lofted_velocity(self.ball.position, target, 0.6, STEP_SECONDS);
                    self.kick(i, v, EventKind::LoftedPass);
                }
            }
        }
    }

    /// Where each person stands for a restart.
    fn set_piece_target(&mut self, i: usize, restart: &Restart) -> Vector2<f64> {
        let (hl, hw) = self.pitch.half();
        if i == restart.taker {
            return match restart.kind {
                RestartKind::ThrowIn => {
                    restart.spot + Vector2::new(0.0, restart.spot.y.signum() * 0.4)
                }
                RestartKind::Corner => {
                    restart.spot
                        + Vector2::new(restart.spot.x.signum(), restart.spot.y.signum()) * 0.5
                }
                RestartKind::KickOff => {
                    restart.spot - Vector2::new(restart.team.attack_sign() * 0.4, 0.0)
                }
                RestartKind::GoalKick => {
                    restart.spot - Vector2::new(restart.team.attack_sign() * 1.0, 0.0)
                }
            };
        }
        let person = &self.people[i];
        let Some(side) = person.team else {
            let ball = restart.spot;
            return Vector2::new(
                ball.x * 0.7 - 6.0 * ball.x.signum(),
                (ball.y * 0.4 + 8.0).clamp(-hw, hw),
            );
        };
        match restart.kind {
            RestartKind::KickOff => {
                // Own half, outside the centre circle for the side not kicking off.
                let a = person.anchor;
                let depth = (a.x * 0.9).min(0.47);
                let x = -side.attack_sign() * (hl - depth * self.pitch.length);
                let mut p = Vector2::new(x, a.y * (hw - 4.0));
                if side != restart.team {
                    let r = self.pitch.centre_circle_radius + 1.0;
                    if p.norm() < r {
                        p = p.normalize() * r;
                    }
                }
                if self.is_keeper(i) {
                    p = Vector2::new(self.own_goal_x(side) + side.attack_sign() * 1.5, 0.0);
                }
                p + self.wander[i] * 0.3
            }
            RestartKind::Corner => {
                let attacking = side == restart.team;
                if self.is_keeper(i) {
                    return if attacking {
                        self.formation_target(i, restart.spot, true)
                    } else {
                        Vector2::new(self.own_goal_x(side) + side.attack_sign() * 0.8, 0.0)
                    };
                }
                // The four most advanced outfielders of each side crowd the box.
                let goal_x = restart.spot.x.signum() * hl;
                let rank = self.rank_by_anchor(i);
                if rank < 4 {
                    let box_depth = self.pitch.penalty_area_depth;
                    let slots = [(5.0, -3.0), (8.0, 2.0), (11.0, -1.0), (13.0, 5.0)];
                    let (d, y) = slots[rank];
                    let d = d * box_depth / 16.5;
                    let mark = if attacking { 0.0 } else { 0.8 };
                    Vector2::new(goal_x - goal_x.signum() * (d - mark), y) + self.wander[i] * 0.2
                } else {
                    self.formation_target(i, restart.spot, attacking)
                }
            }
            RestartKind::GoalKick => {
                let mut p = self.formation_target(i, restart.spot, side == restart.team);
                if side != restart.team {
                    // Opponents leave the penalty area.
                    let goal_x = restart.spot.x.signum() * hl;
                    let limit = hl - self.pitch.penalty_area_depth - 2.0;
                    if p.x.abs() > limit && p.x.signum() == goal_x.signum() {
                        p.x = limit * goal_x.signum();
                    }
                }
                p
            }
            RestartKind::ThrowIn => self.formation_target(i, restart.spot, side == restart.team),
        }
    }

    /// Outfielders of the same team ordered by how far up their anchor is: 0 is the most
    /// advanced.
    fn rank_by_anchor(&self, i: usize) -> usize {
        let side = self.side(i);
        let mine = self.people[i].anchor.x;
        (0..self.people.len())
            .filter(|&j| j != i && self.side(j) == side && !self.is_keeper(j))
            .filter(|&j| {
                let other = self.people[j].anchor.x;
                other > mine || (other == mine && j < i)
            })
            .count()
    }

    // --------------------------------------------------------------- movement

    /// Where a team's formation puts a player for a ball at `ball`.
    fn formation_target(&self, i: usize, ball: Vector2<f64>, in_possession: bool) -> Vector2<f64> {
        let person = &self.people[i];
        let Some(side) = person.team else {
            return ball;
        };
        let (hl, hw) = self.pitch.half();
        let length = self.pitch.length;
        let sign = side.attack_sign();
        if self.is_keeper(i) {
            let goal = Vector2::new(self.own_goal_x(side), 0.0);
            let to_ball = ball - goal;
            let out = (0.08 * to_ball.norm()).clamp(1.0, 7.0);
            let dir = if to_ball.norm() > 1e-6 {
                to_ball.normalize()
            } else {
                Vector2::new(sign, 0.0)
            };
            let mut p = goal + dir * out;
            p.y =
                p.y.clamp(-self.pitch.goal_width * 0.4, self.pitch.goal_width * 0.4);
            return p;
        }
        // The ball in the team's own frame: 0 at the own goal line, 1 at the opponent's.
        let ball_t = ((sign * ball.x + hl) / length).clamp(0.0, 1.0);
        let centre = 0.16 + 0.6 * ball_t + if in_possession { 0.04 } else { -0.04 };
        let depth = if in_possession { 0.95 } else { 0.65 };
        let x_t = (centre + (person.anchor.x - 0.38) * depth).clamp(0.04, 0.94);
        let width = if in_possession { 1.0 } else { 0.7 };
        let y = person.anchor.y * (hw - 3.0) * width * sign
            + 0.3 * ball.y * (1.0 - 0.5 * person.anchor.y.abs());
        let p = Vector2::new(sign * (x_t * length - hl), y) + self.wander[i];
        self.clamp_to_pitch(p, 1.0)
    }

    fn clamp_to_pitch(&self, p: Vector2<f64>, inset: f64) -> Vector2<f64> {
        let (hl, hw) = self.pitch.half();
        Vector2::new(
            p.x.clamp(-hl + inset, hl - inset),
            p.y.clamp(-hw + inset, hw - inset),
        )
    }

    /// Recomputes the free-ball prediction every [`PATH_STEP`] seconds.
    fn refresh_ball_path(&mut self) {
        if self.time - self.path_time < PATH_STEP - 1e-9 {
            return;
        }
        self.path_time = self.time;
        self.ball_path.clear();
        let mut ball = self.ball;
        let steps = (PATH_STEP / STEP_SECONDS).round() as usize;
        let samples = (PATH_HORIZON / PATH_STEP).round() as usize;
        for _ in 0..samples {
            for _ in 0..steps {
                ball.step(STEP_SECONDS);
            }
            self.ball_path.push(ball.position);
        }
    }

    /// The earliest predicted ball position a player can reach in time, and when.
    fn intercept(&self, i: usize) -> (Vector2<f64>, f64) {
        let s = self.states[i];
        let speed = self.people[i].max_speed;
        let elapsed = self.time - self.path_time;
        for (k, p) in self.ball_path.iter().enumerate() {
            let t = (k + 1) as f64 * PATH_STEP - elapsed;
            if t <= 0.0 || p.z > 2.0 {
                continue;
            }
            let d = (p.xy() - s.position).norm();
            if d / speed + 0.25 <= t {
                return (p.xy(), t);
            }
        }
        let last = self.ball_path.last().map_or(self.ball.ground(), |p| p.xy());
        let d = (last - s.position).norm();
        (last, PATH_HORIZON + d / speed)
    }

    /// Target and urgency (fraction of top speed) of each person while the ball is in play.
    fn in_play_target(&mut self, i: usize) -> (Vector2<f64>, f64) {
        let ball = self.ball.ground();
        let person_role = self.people[i].role;
        if person_role == Role::Referee {
            // Keep the play between the referee and the far assistant: diagonal, close.
            let target = Vector2::new(
                ball.x - 9.0 * (ball.y / 30.0).clamp(-1.0, 1.0) - 4.0,
                ball.y * 0.6 - 7.0,
            );
            return (self.clamp_to_pitch(target, 0.5), 0.7);
        }
        let Some(side) = self.side(i) else {
            return (ball, 0.5);
        };
        let carrier = match self.control {
            Control::Feet(c) | Control::Hands(c) => Some(c),
            Control::Loose => None,
        };
        if carrier == Some(i) {
            if let Control::Hands(_) = self.control {
                return (self.states[i].position, 0.2);
            }
            return (self.dribble_target(i), 0.72);
        }
        let possession = carrier
            .and_then(|c| self.side(c))
            .or_else(|| self.last_touch.and_then(|c| self.side(c)));
        let in_possession = possession == Some(side);

        if carrier.is_none() {
            // A loose ball: the intended receiver and each team's quickest player go for it.
            if self.intended_receiver == Some(i) || self.chasers.contains(&Some(i)) {
                let (p, _) = self.intercept(i);
                let keeper_ok = !self.is_keeper(i) || self.in_own_penalty_area(i, p);
                if keeper_ok {
                    return (self.clamp_to_pitch(p, -1.5), 1.0);
                }
            }
        }
        if self.is_keeper(i) {
            let t = self.formation_target(i, ball, in_possession);
            return (t, 0.8);
        }
        if let Some(c) = carrier {
            if !in_possession {
                // The nearest presses, the second nearest covers.
                let rank = self.rank_towards(i, side, self.states[c].position);
                let own_goal = Vector2::new(self.own_goal_x(side), 0.0);
                let carrier_pos = self.states[c].position;
                if rank == 0 {
                    let towards_goal = (own_goal - carrier_pos).normalize();
                    return (carrier_pos + towards_goal * 0.5, 0.95);
                }
                if rank == 1 {
                    let cover = carrier_pos + (own_goal - carrier_pos).normalize() * 6.0;
                    return (cover, 0.8);
                }
            }
        }
        if in_possession {
            if let Some(run) = self.runs[i] {
                if self.time < run.until {
                    return (run.target, 0.95);
                }
                self.runs[i] = None;
            } else if self.people[i].anchor.x > 0.3 && self.rng.random_bool(0.0008) {
                let sign = side.attack_sign();
                let target = self.states[i].position
                    + Vector2::new(
                        sign * self.rng.random_range(10.0..22.0),
                        self.rng.random_range(-8.0..8.0),
                    );
                self.runs[i] = Some(Run {
                    target: self.clamp_to_pitch(target, 2.0),
                    until: self.time + self.rng.random_range(2.0..4.0),
                });
            }
        }
        let target = self.formation_target(i, ball, in_possession);
        let far = (target - self.states[i].position).norm();
        (target, if far > 10.0 { 0.85 } else { 0.6 })
    }

    /// The player of `side` who can reach the loose ball soonest.
    fn quickest_to_ball(&self, side: Side) -> Option<usize> {
        (0..self.people.len())
            .filter(|&j| self.side(j) == Some(side) && self.time >= self.touch_blocked_until[j])
            .filter(|&j| !self.is_keeper(j) || self.in_own_penalty_area(j, self.ball.ground()))
            .min_by(|&a, &b| self.intercept(a).1.total_cmp(&self.intercept(b).1))
    }

    /// Rank of `i` among its outfield teammates by distance to `at` (0 = nearest).
    fn rank_towards(&self, i: usize, side: Side, at: Vector2<f64>) -> usize {
        let mine = (self.states[i].position - at).norm();
        (0..self.people.len())
            .filter(|&j| j != i && self.side(j) == Some(side) && !self.is_keeper(j))
            .filter(|&j| (self.states[j].position - at).norm() < mine)
            .count()
    }

    /// Where the carrier dribbles: towards goal, away from the nearest opponent ahead.
    fn dribble_target(&self, i: usize) -> Vector2<f64> {
        let side = self.side(i).unwrap_or(Side::Home);
        let pos = self.states[i].position;
        let goal = Vector2::new(side.attack_sign() * self.pitch.length / 2.0, 0.0);
        let mut dir = (goal - pos).normalize();
        if let Some(j) = self.opponents_of(side).min_by(|&a, &b| {
            let da = (self.states[a].position - pos).norm();
            let db = (self.states[b].position - pos).norm();
            da.total_cmp(&db)
        }) {
            let away = pos - self.states[j].position;
            let d = away.norm();
            if d < 6.0 && d > 1e-6 {
                dir = (dir + away / d * (6.0 - d) / 4.0).normalize();
            }
        }
        self.clamp_to_pitch(pos + dir * 5.0, 1.5)
    }

    fn update_wander(&mut self, dt: f64) {
        // Ornstein–Uhlenbeck: pulls back with time constant TAU, spread about SIGMA metres.
        const TAU: f64 = 6.0;
        const SIGMA: f64 = 2.5;
        let kick = SIGMA * (2.0 * dt / TAU).sqrt();
        for w in &mut self.wander {
            let nx: f64 = self.rng.random_range(-1.0..1.0) * 1.732;
            let ny: f64 = self.rng.random_range(-1.0..1.0) * 1.732;
            *w += -*w * (dt / TAU) + Vector2::new(nx, ny) * kick;
        }
    }

    /// Steers everybody towards their targets with limited acceleration, keeping them
    /// from walking through each other.
    fn move_people(&mut self, targets: &[(Vector2<f64>, f64)], dt: f64) {
        let n = self.people.len();
        let positions: Vec<Vector2<f64>> = self.states.iter().map(|s| s.position).collect();
        for (i, &(target, urgency)) in targets.iter().enumerate().take(n) {
            let s = &mut self.states[i];
            let to = target - s.position;
            let dist = to.norm();
            let top = self.people[i].max_speed * urgency;
            // Arrive: slow down close to the target.
            let speed = top.min(1.2 * dist);
            let mut desired = if dist > 1e-6 {
                to / dist * speed
            } else {
                Vector2::zeros()
            };
            for (j, other) in positions.iter().enumerate() {
                if j == i {
                    continue;
                }
                let away = s.position - other;
                let d = away.norm();
                if d < 1.0 && d > 1e-6 {
                    desired += away / d * (1.0 - d) * 3.0;
                }
            }
            let dv = desired - s.velocity;
            let max_dv = MAX_ACCELERATION * dt;
            let dv = if dv.norm() > max_dv {
                dv * (max_dv / dv.norm())
            } else {
                dv
            };
            s.velocity += dv;
            s.position += s.velocity * dt;
            let speed = s.velocity.norm();
            // Stride frequency rises with speed; standing players stop the cycle.
            if speed > 0.2 {
                s.gait_phase += dt * std::f64::consts::TAU * (0.9 + 0.26 * speed);
            }
        }
    }
}

/// Distance from `p` to the segment `a`–`b`.
fn segment_distance(p: Vector2<f64>, a: Vector2<f64>, b: Vector2<f64>) -> f64 {
    let ab = b - a;
    let t = ((p - a).dot(&ab) / ab.norm_squared().max(1e-12)).clamp(0.0, 1.0);
    (p - (a + ab * t)).norm()
}

/// Turns a velocity about the vertical by `angle` radians.
fn rotate_xy(v: Vector3<f64>, angle: f64) -> Vector3<f64> {
    let (s, c) = angle.sin_cos();
    Vector3::new(c * v.x - s * v.y, s * v.x + c * v.y, v.z)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(seconds: f64, seed: u64) -> MatchEngine {
        let mut engine = MatchEngine::new(Sport::Football, Sport::Football.pitch(), seed);
        let steps = (seconds / STEP_SECONDS).round() as usize;
        for _ in 0..steps {
            engine.step();
        }
        engine
    }

    #[test]
    fn the_same_seed_replays_the_same_match() {
        let a = run(60.0, 3);
        let b = run(60.0, 3);
        assert_eq!(a.events(), b.events());
        assert_eq!(a.snapshot(), b.snapshot());
        let c = run(60.0, 4);
        assert_ne!(a.events(), c.events());
    }

    #[test]
    fn people_stay_near_the_pitch_and_move_at_human_speeds() {
        let mut engine = MatchEngine::new(Sport::Football, Sport::Football.pitch(), 11);
        let (hl, hw) = engine.pitch.half();
        for _ in 0..(120.0 / STEP_SECONDS) as usize {
            engine.step();
            for s in &engine.states {
                assert!(s.position.x.abs() < hl + 3.0 && s.position.y.abs() < hw + 3.0);
                assert!(s.velocity.norm() < 9.0);
            }
        }
    }
}
