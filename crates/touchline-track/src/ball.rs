//! The ball: one tracker that chooses among each frame's ball candidates by how well
//! they continue the ball's motion, coasts through short gaps, follows the feet of the
//! player it disappeared into, and re-acquires the ball by its motion when it shows
//! again.
//!
//! Motion is modelled in panorama pixels, where the candidates are; a lofted ball's
//! path is a parabola there too (gravity pulls it down the picture), which the
//! velocity's steady change captures. The pitch position is where the ball's centre
//! ray meets a plane one ball radius above the ground, which is exact while the ball
//! rolls. In the air, one camera position cannot tell height from distance on its own.

use std::collections::VecDeque;

use nalgebra::{Point2, Vector2};
use serde::{Deserialize, Serialize};
use touchline_detect::panorama::BallCandidate;
use touchline_detect::scene::{Scene, BALL_DIAMETER_M};

use crate::people::{PersonState, TrackId};

/// How the ball's position this frame was obtained.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BallSource {
    /// A candidate was found where the ball was expected.
    Seen,
    /// Not seen: carried on along its last motion.
    Predicted,
    /// Not seen: at the feet of the player it disappeared into.
    AtFeet(TrackId),
    /// Not seen, placed offline between the sightings before and after (see
    /// [`crate::bridge`]).
    Bridged,
}

/// The ball in one frame.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BallState {
    /// Panorama pixel of its centre.
    pub pixel: Point2<f64>,
    /// Pitch position of the ground under it, metres.
    pub ground: Point2<f64>,
    /// Height of its centre, metres.
    pub height: f64,
    /// How this was obtained.
    pub source: BallSource,
}

/// Tuning of the ball tracker.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BallOptions {
    /// Frames the ball is carried along its motion unseen before it is given up (or
    /// given to a player's feet).
    pub coast: u32,
    /// Frames the ball is kept at a player's feet unseen.
    pub hold: u32,
    /// Gate around a hypothesis's prediction, pixels, before speed is added.
    pub gate_px: f64,
    /// Farthest a candidate may be from a chain's first one to continue it, pixels: a
    /// hard-kicked ball's step in one frame (30 m/s at 25 fps, 40 m away).
    pub first_step_px: f64,
    /// The same in the candidate's own diameters, where that is farther: a ball near
    /// the cameras looks large and crosses the picture fast (at 30 m/s and 25 fps it
    /// moves 1.2 m a frame, 5.5 times its 22 cm).
    pub first_step_diameters: f64,
    /// A rival hypothesis takes over when its score is this many times the chosen one's.
    pub switch_ratio: f32,
}

impl Default for BallOptions {
    fn default() -> Self {
        BallOptions {
            coast: 8,
            hold: 125,
            gate_px: 8.0,
            first_step_px: 40.0,
            first_step_diameters: 6.0,
            switch_ratio: 1.5,
        }
    }
}

/// One hypothesis: a chain of candidates moving consistently.
#[derive(Clone, Debug)]
struct Hypothesis {
    id: u64,
    pixel: Point2<f64>,
    velocity: Vector2<f64>,
    /// Running evidence that this is the ball.
    score: f32,
    seen: u32,
    misses: u32,
    /// Where it was when it last moved, and the frames it has stayed there since.
    anchor: Point2<f64>,
    still: u32,
    /// Where the chain began, and whether it has since gone far from there: only a
    /// chain that has travelled may be the ball. Goal posts, corner flags and specks
    /// on the boards never do, while the ball at a restart has travelled before it
    /// rests (and the kick-off's ball as soon as it is kicked), or rests on a restart
    /// place (see [`RESTING_FRAMES`]).
    origin: Point2<f64>,
    travelled: bool,
    /// Whether a travelled chain was the ball while this one rested: play has started
    /// and what stays behind on the restart place is the ball's ghost in the background
    /// model, not the ball.
    play_passed_by: bool,
    /// Its latest candidates, with their frames: once it becomes the ball, those in
    /// frames that did not see the ball are where it was then.
    trail: VecDeque<(u64, Point2<f64>)>,
}

/// How many of a chain's latest candidates it keeps (see [`BallTracker::recovered`]).
const TRAIL_FRAMES: usize = 25;

/// How far (panorama pixels) a chain must get from where it began to have travelled.
const TRAVELLED_PX: f64 = 10.0;

/// Frames a candidate may stay put before it counts as something static rather than
/// the ball (which rests only at restarts).
const STILL_FRAMES: u32 = 25;
/// Beyond the lines by more than this (metres, on the ground under it) the ball is out
/// of play: a still or slow candidate there is a board, a spectator or a bag, never
/// the ball in play. (A ball in the air looks further away than it is, so one moving
/// fast out there may still be the ball.)
const OFF_PITCH_MARGIN_M: f64 = 3.0;
/// While a player holds the ball, a chain elsewhere takes over when its score reaches
/// this fraction of the lost ball's.
const HOLDER_TAKEOVER: f32 = 0.6;
/// Slower than this (panorama pixels per frame) a candidate off the pitch is ignored.
const OFF_PITCH_MOVING_PX: f64 = 2.0;
/// Below this score a chain is not the ball, whatever its rivals: chains of clutter (a
/// goal net uncovered as the keeper sways, a board's flicker, a spot of paint) keep
/// scoring an order of magnitude below a ball seen for a few frames, because their
/// candidates sit in warm clutter cells, next to people or still.
const MIN_CHAIN_SCORE: f32 = 0.12;

/// Frames a chain must rest on a restart place (see [`Pitch::is_restart_place`]) to
/// be the ball without having travelled: the ball placed for a kick-off, a penalty or
/// a corner, or put down on the touchline for a throw-in, once no other ball is known.
///
/// [`Pitch::is_restart_place`]: touchline_core::geometry::Pitch::is_restart_place
const RESTING_FRAMES: u32 = 12;
/// How far from a restart place (metres) a resting ball may lie: a ball is placed by
/// hand and located to a few decimetres.
const RESTART_MARGIN_M: f64 = 1.0;

/// The ball tracker: candidates chained over time into hypotheses; the best-scored
/// hypothesis is the ball, with hysteresis so it does not flicker between rivals.
pub struct BallTracker {
    scene: Scene,
    options: BallOptions,
    hypotheses: Vec<Hypothesis>,
    chosen: Option<u64>,
    next_id: u64,
    /// The player the ball disappeared into.
    holder: Option<Holder>,
    clutter: ClutterMap,
    /// How far from the mast (horizontally, metres) the ball last was on the ground.
    last_ground_distance: Option<f64>,
    /// Frames taken in so far.
    frames: u64,
    /// The last frame the ball was seen in.
    last_seen: Option<u64>,
    /// See [`BallTracker::recovered`].
    recovered: Vec<(u64, BallState)>,
}

/// Where ball candidates keep appearing: a goal net, a line a keeper keeps uncovering,
/// a flickering board. Each cell of the panorama counts the frames with a candidate in
/// it, fading over seconds; a candidate in a busy cell counts for less. The ball passes
/// through a cell in a frame or two, so it barely warms any. (A clutter map, as radar
/// trackers keep one.)
struct ClutterMap {
    columns: usize,
    heat: Vec<f32>,
}

/// Side of a clutter cell, panorama pixels.
const CLUTTER_CELL_PX: f64 = 8.0;
/// Heat kept from one frame to the next: fades by e in 200 frames (8 s at 25 fps).
const CLUTTER_FADE: f32 = 0.995;
/// At this heat (about this many recent frames with a candidate) a candidate counts half.
const CLUTTER_HALF: f32 = 12.0;

impl ClutterMap {
    fn new(width: u32, height: u32) -> ClutterMap {
        let cells = |px: u32| (px as f64 / CLUTTER_CELL_PX).ceil() as usize + 1;
        ClutterMap {
            columns: cells(width),
            heat: vec![0.0; cells(width) * cells(height)],
        }
    }

    fn cell(&self, pixel: &Point2<f64>) -> Option<usize> {
        let (x, y) = (pixel.x / CLUTTER_CELL_PX, pixel.y / CLUTTER_CELL_PX);
        if x < 0.0 || y < 0.0 || x as usize >= self.columns {
            return None;
        }
        let i = y as usize * self.columns + x as usize;
        (i < self.heat.len()).then_some(i)
    }

    /// How much a candidate at `pixel` counts, 0–1.
    fn weight(&self, pixel: &Point2<f64>) -> f32 {
        self.cell(pixel)
            .map_or(1.0, |i| 1.0 / (1.0 + self.heat[i] / CLUTTER_HALF))
    }

    /// Fades every cell and warms those with a candidate this frame (once each).
    fn update(&mut self, candidates: &[BallCandidate]) {
        self.heat.iter_mut().for_each(|h| *h *= CLUTTER_FADE);
        let mut cells: Vec<usize> = candidates
            .iter()
            .filter_map(|c| self.cell(&c.centre))
            .collect();
        cells.sort_unstable();
        cells.dedup();
        for i in cells {
            self.heat[i] += 1.0;
        }
    }
}

/// The player the ball disappeared into: it is kept at their feet until it shows again.
#[derive(Clone, Copy, Debug)]
struct Holder {
    person: TrackId,
    /// The ball's offset from their feet, pixels.
    offset: Vector2<f64>,
    /// Frames held so far.
    frames: u32,
    /// The lost ball's chain's score: a chain elsewhere must be about as ball-like to
    /// take over (a speck elsewhere is no reason to think the ball left the player).
    ball_score: f32,
}

impl BallTracker {
    /// A tracker for a scene.
    pub fn new(scene: Scene, options: BallOptions) -> BallTracker {
        BallTracker {
            scene,
            options,
            hypotheses: Vec::new(),
            chosen: None,
            next_id: 1,
            holder: None,
            clutter: ClutterMap::new(scene.panorama.size.width, scene.panorama.size.height),
            last_ground_distance: None,
            frames: 0,
            last_seen: None,
            recovered: Vec::new(),
        }
    }

    /// Takes in one frame's candidates and the people reported in it; returns where
    /// the ball is, if known.
    pub fn update(
        &mut self,
        candidates: &[BallCandidate],
        people: &[PersonState],
    ) -> Option<BallState> {
        let ball = self.follow(candidates, people);
        if let Some(b) = ball.as_ref().filter(|b| b.height <= BALL_DIAMETER_M) {
            self.last_ground_distance = Some((b.ground - self.scene.panorama.centre().xy()).norm());
        }
        self.recovered.clear();
        let frame = self.frames;
        if ball.is_some_and(|b| b.source == BallSource::Seen) {
            // Seen again: its chain may have been there before it was sure enough to be
            // chosen, while the ball was lost, coasting or guessed at someone's feet.
            let unseen_since = self.last_seen.map_or(0, |f| f + 1);
            if let Some(h) = self
                .chosen
                .and_then(|id| self.hypotheses.iter().find(|h| h.id == id))
            {
                self.recovered = h
                    .trail
                    .iter()
                    .filter(|(f, _)| (unseen_since..frame).contains(f))
                    .filter_map(|&(f, pixel)| Some((f, self.locate(pixel, BallSource::Seen)?)))
                    .collect();
            }
            self.last_seen = Some(frame);
        }
        self.frames += 1;
        ball
    }

    /// The ball in earlier frames that did not see it (none, coasted or at someone's
    /// feet), learnt this frame: the chain that is the ball again was already seen in
    /// them, not yet sure enough to be chosen. Frames count the updates from 0. (A
    /// program that keeps its frames until the end, as the `track` command does, puts
    /// them in.)
    pub fn recovered(&self) -> &[(u64, BallState)] {
        &self.recovered
    }

    fn follow(
        &mut self,
        candidates: &[BallCandidate],
        people: &[PersonState],
    ) -> Option<BallState> {
        // How ball-like each candidate is, given the people around it and how often
        // candidates show up where it is.
        let evidence: Vec<f32> = candidates
            .iter()
            .map(|c| c.score * isolation(&c.centre, people) * self.clutter.weight(&c.centre))
            .collect();
        self.clutter.update(candidates);
        // Predict, then chain each candidate to the nearest hypothesis expecting it.
        for h in &mut self.hypotheses {
            h.pixel += h.velocity;
        }
        let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
        for (hi, h) in self.hypotheses.iter().enumerate() {
            // A chain of one candidate has no velocity yet: its second step may be as
            // long as a kicked ball's, near or far.
            let gate = |c: &BallCandidate| {
                if h.seen == 1 {
                    let o = &self.options;
                    o.first_step_px
                        .max(o.first_step_diameters * c.diameter as f64)
                } else {
                    self.options.gate_px + 1.5 * h.velocity.norm() + 4.0 * h.misses.min(8) as f64
                }
            };
            for (ci, c) in candidates.iter().enumerate() {
                let d = (c.centre - h.pixel).norm();
                if d <= gate(c) {
                    pairs.push((d, hi, ci));
                }
            }
        }
        pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut taken_h = vec![false; self.hypotheses.len()];
        let mut taken_c = vec![false; candidates.len()];
        for (_, hi, ci) in pairs {
            if taken_h[hi] || taken_c[ci] {
                continue;
            }
            taken_h[hi] = true;
            taken_c[ci] = true;
            let c = &candidates[ci];
            let h = &mut self.hypotheses[hi];
            let steps = (h.misses + 1) as f64;
            let previous = h.pixel - h.velocity * steps;
            let measured = (c.centre - previous) / steps;
            h.velocity = if h.seen >= 2 && h.misses == 0 {
                h.velocity * 0.4 + measured * 0.6
            } else {
                measured
            };
            h.pixel = c.centre;
            h.travelled |= (h.pixel - h.origin).norm() > TRAVELLED_PX;
            if (h.pixel - h.anchor).norm() > 2.5 {
                h.anchor = h.pixel;
                h.still = 0;
            } else {
                h.still += 1;
            }
            let stillness = if h.still > STILL_FRAMES { 0.3 } else { 1.0 };
            h.score = 0.85 * h.score + 0.15 * evidence[ci] * stillness;
            h.seen += 1;
            if h.trail.len() == TRAIL_FRAMES {
                h.trail.pop_front();
            }
            h.trail.push_back((self.frames, c.centre));
            h.misses = 0;
        }
        for (hi, h) in self.hypotheses.iter_mut().enumerate() {
            if !taken_h[hi] {
                h.misses += 1;
                h.score *= 0.9;
                h.velocity *= 0.95;
            }
        }
        let coast = self.options.coast;
        self.hypotheses.retain(|h| h.misses <= coast);
        for (ci, c) in candidates.iter().enumerate() {
            if !taken_c[ci] {
                self.hypotheses.push(Hypothesis {
                    id: self.next_id,
                    pixel: c.centre,
                    velocity: Vector2::zeros(),
                    score: 0.15 * evidence[ci],
                    seen: 1,
                    misses: 0,
                    anchor: c.centre,
                    still: 0,
                    origin: c.centre,
                    travelled: false,
                    play_passed_by: false,
                    trail: VecDeque::from([(self.frames, c.centre)]),
                });
                self.next_id += 1;
            }
        }

        // Choose, with hysteresis: only a clearly better rival takes over. Chains that
        // never travelled, weak ones, and slow ones off the pitch never count.
        let eligible: Vec<bool> = self
            .hypotheses
            .iter()
            .map(|h| {
                let in_play = h.travelled
                    && h.score >= MIN_CHAIN_SCORE
                    && !(self.off_pitch(&h.pixel) && h.velocity.norm() < OFF_PITCH_MOVING_PX);
                let resting = !h.travelled
                    && !h.play_passed_by
                    && h.still >= RESTING_FRAMES
                    && self.on_restart_place(&h.pixel);
                in_play || resting
            })
            .collect();
        let best = self
            .hypotheses
            .iter()
            .zip(&eligible)
            .filter(|(h, &ok)| ok && h.seen >= 3 && h.misses == 0)
            .max_by(|a, b| a.0.score.total_cmp(&b.0.score))
            .map(|(h, _)| (h.id, h.score));
        let current = self
            .chosen
            .and_then(|id| {
                self.hypotheses
                    .iter()
                    .zip(&eligible)
                    .find(|(h, &ok)| ok && h.id == id)
            })
            .map(|(h, _)| (h.id, h.score));
        self.chosen = match (current, best) {
            (Some((id, score)), Some((rival, rival_score))) => {
                if rival != id && rival_score > self.options.switch_ratio * score {
                    Some(rival)
                } else {
                    Some(id)
                }
            }
            (Some((id, _)), None) => Some(id),
            (None, best) => best
                .filter(|&(id, score)| self.may_take_over(id, score, people))
                .map(|(id, _)| id),
        };
        if current.is_none() && self.chosen.is_some() {
            self.holder = None;
        }
        let in_play = self
            .chosen
            .is_some_and(|id| self.hypotheses.iter().any(|h| h.id == id && h.travelled));
        if in_play {
            for h in self.hypotheses.iter_mut().filter(|h| !h.travelled) {
                h.play_passed_by = true;
            }
        }

        let Some(h) = self
            .chosen
            .and_then(|id| self.hypotheses.iter().find(|h| h.id == id))
            .cloned()
        else {
            return self.held(candidates, people);
        };
        if h.misses == 0 {
            self.holder = None;
            return self.locate(h.pixel, BallSource::Seen);
        }
        // Unseen: next to a player it is at their feet (or behind them); otherwise it
        // carries on along its motion for a few frames.
        if self.holder.is_none() {
            if let Some(person) = people.iter().find(|p| self.may_have_taken(p, &h.pixel)) {
                self.holder = Some(Holder {
                    person: person.id,
                    offset: (h.pixel - foot_pixel(person)) * 0.5,
                    frames: 0,
                    ball_score: h.score,
                });
            }
        }
        if self.holder.is_some() {
            self.chosen = None;
            return self.held(candidates, people);
        }
        self.locate(h.pixel, BallSource::Predicted)
    }

    /// The ball at the feet of the player holding it, while they may still have it.
    /// A candidate at their feet (the ball peeping out between their boots) moves the
    /// ball there, and it keeps that place relative to their feet.
    fn held(&mut self, candidates: &[BallCandidate], people: &[PersonState]) -> Option<BallState> {
        let holder = self.holder?;
        let person = people.iter().find(|p| p.id == holder.person);
        match person {
            Some(person) if holder.frames < self.options.hold => {
                let foot = foot_pixel(person);
                let expected = foot + holder.offset;
                let offset = candidates
                    .iter()
                    .filter(|c| at_feet(person, &c.centre))
                    .min_by(|a, b| {
                        let d = |c: &BallCandidate| (c.centre - expected).norm();
                        d(a).total_cmp(&d(b))
                    })
                    .map_or(holder.offset, |c| c.centre - foot);
                self.holder = Some(Holder {
                    frames: holder.frames + 1,
                    offset,
                    ..holder
                });
                self.locate(foot + offset, BallSource::AtFeet(holder.person))
            }
            _ => {
                self.holder = None;
                None
            }
        }
    }

    /// Whether a chain may become the ball while none is chosen: always, unless a player
    /// holds the ball; then only a chain leaving their feet or one about as ball-like
    /// as the ball was.
    fn may_take_over(&self, id: u64, score: f32, people: &[PersonState]) -> bool {
        let Some(holder) = self.holder else {
            return true;
        };
        let Some(h) = self.hypotheses.iter().find(|h| h.id == id) else {
            return false;
        };
        let from_holder = people
            .iter()
            .find(|p| p.id == holder.person)
            .is_some_and(|p| near_feet(p, &h.origin));
        from_holder || score >= HOLDER_TAKEOVER * holder.ball_score
    }

    /// Whether a ball that vanished at a pixel may have gone into someone: by their
    /// legs ([`near_feet`]), or, for someone standing in a penalty area (or behind
    /// it, where a keeper on the goal line whose feet are hidden is placed), anywhere
    /// across them (and 60 % of their width to either side) from their feet up to 60 %
    /// of their height above their head: a goalkeeper catches
    /// the ball at any height. The live tracker does not know who the keepers are
    /// (roles are decided over the whole recording), so this holds for anyone there.
    fn may_have_taken(&self, p: &PersonState, pixel: &Point2<f64>) -> bool {
        near_feet(p, pixel)
            || (self.scene.pitch.in_or_behind_penalty_area(&p.position)
                && by_legs(p, pixel, -0.6, 0.25))
    }

    /// Whether the ground under a pixel is where the ball rests before a restart.
    fn on_restart_place(&self, pixel: &Point2<f64>) -> bool {
        self.scene
            .panorama
            .ground_point(pixel, BALL_DIAMETER_M / 2.0)
            .is_some_and(|p| self.scene.pitch.is_restart_place(&p.xy(), RESTART_MARGIN_M))
    }

    /// Whether the ground under a pixel lies beyond the lines by more than
    /// [`OFF_PITCH_MARGIN_M`] (or the pixel does not look down at the ground at all).
    fn off_pitch(&self, pixel: &Point2<f64>) -> bool {
        match self
            .scene
            .panorama
            .ground_point(pixel, BALL_DIAMETER_M / 2.0)
        {
            Some(p) => !self.scene.pitch.within(&p.xy(), OFF_PITCH_MARGIN_M),
            None => true,
        }
    }

    /// The ball at a pixel: on the ground under it, unless that ground lies beyond the
    /// lines and farther from the mast than the ball last was on the ground. A ball
    /// rising in the air climbs the picture, and its ground point races away over the
    /// far touchline (or past the horizon); it is then placed on its ray at the
    /// distance it was last on the ground, which a lofted ball changes little in the
    /// second or two it flies, with the height that gives. `None` when it is neither.
    fn locate(&self, pixel: Point2<f64>, source: BallSource) -> Option<BallState> {
        let radius = BALL_DIAMETER_M / 2.0;
        let panorama = &self.scene.panorama;
        let mast = panorama.centre().xy();
        let on_ground = panorama.ground_point(&pixel, radius).filter(|g| {
            self.scene.pitch.within(&g.xy(), OFF_PITCH_MARGIN_M)
                || self
                    .last_ground_distance
                    .is_none_or(|d| (g.xy() - mast).norm() <= d)
        });
        if let Some(ground) = on_ground {
            return Some(BallState {
                pixel,
                ground: ground.xy(),
                height: radius,
                source,
            });
        }
        let distance = self.last_ground_distance?;
        let ray = panorama.ray(&pixel);
        let flat = ray.xy().norm();
        let point = panorama.centre() + ray.into_inner() * (distance / flat.max(1e-9));
        (point.z > radius && point.z.is_finite()).then_some(BallState {
            pixel,
            ground: point.xy(),
            height: point.z,
            source,
        })
    }
}

/// How much a candidate at `pixel` counts as the ball given the people around it: a
/// bright spot high on a player's body is a piece of kit, at their feet it may be the
/// ball, alone on the grass it most likely is.
fn isolation(pixel: &Point2<f64>, people: &[PersonState]) -> f32 {
    let mut factor = 1.0f32;
    for p in people {
        let b = &p.bbox;
        let (w, h) = ((b.x1 - b.x0) as f64, (b.y1 - b.y0) as f64);
        let inside_x = pixel.x >= b.x0 as f64 - 0.1 * w && pixel.x <= b.x1 as f64 + 0.1 * w;
        if !inside_x || pixel.y < b.y0 as f64 - 0.05 * h || pixel.y > b.y1 as f64 + 0.1 * h {
            continue;
        }
        let f = if pixel.y >= b.y0 as f64 + 0.7 * h {
            0.6
        } else {
            0.15
        };
        factor = factor.min(f);
    }
    factor
}

fn foot_pixel(p: &PersonState) -> Point2<f64> {
    Point2::new(((p.bbox.x0 + p.bbox.x1) * 0.5) as f64, p.bbox.y1 as f64)
}

/// Whether a pixel lies by someone's legs: across their box and 60 % of its width to
/// each side, from `from` of its height down to `below` of its height under it.
fn by_legs(p: &PersonState, pixel: &Point2<f64>, from: f64, below: f64) -> bool {
    let b = &p.bbox;
    let (w, h) = ((b.x1 - b.x0) as f64, (b.y1 - b.y0) as f64);
    pixel.x >= b.x0 as f64 - 0.6 * w
        && pixel.x <= b.x1 as f64 + 0.6 * w
        && pixel.y >= b.y0 as f64 + from * h
        && pixel.y <= b.y1 as f64 + below * h
}

/// Where a ball that vanished may have gone into someone: from their chest down.
fn near_feet(p: &PersonState, pixel: &Point2<f64>) -> bool {
    by_legs(p, pixel, 0.3, 0.25)
}

/// Where a held ball may peep out: by their boots.
fn at_feet(p: &PersonState, pixel: &Point2<f64>) -> bool {
    by_legs(p, pixel, 0.8, 0.15)
}

#[cfg(test)]
mod tests {
    use super::*;
    use nalgebra::Point3;
    use touchline_core::geometry::{RigOptions, Sport};
    use touchline_detect::BoxPx;

    fn tracker() -> BallTracker {
        let rig = RigOptions::for_sport(Sport::Football).build().unwrap();
        let scene = Scene::new(rig.panorama, rig.pitch).unwrap();
        BallTracker::new(scene, BallOptions::default())
    }

    fn candidate(x: f64, y: f64, score: f32) -> BallCandidate {
        BallCandidate {
            centre: Point2::new(x, y),
            diameter: 8.0,
            score,
        }
    }

    /// Someone standing with their feet at a pixel, 40 px tall.
    fn standing(id: u64, x: f64, y: f64) -> PersonState {
        PersonState {
            id: TrackId(id),
            position: Point2::origin(),
            velocity: Vector2::zeros(),
            bbox: BoxPx {
                x0: (x - 8.0) as f32,
                y0: (y - 40.0) as f32,
                x1: (x + 8.0) as f32,
                y1: y as f32,
            },
            seen: true,
            head: None,
        }
    }

    /// The ball rolls from the left into the feet of a player standing at (1800, 420)
    /// and disappears there.
    fn roll_into_feet(tracker: &mut BallTracker, player: &PersonState) {
        for frame in 0..20 {
            let ball = candidate(1740.0 + 3.0 * frame as f64, 418.0, 0.7);
            tracker.update(&[ball], std::slice::from_ref(player));
        }
    }

    #[test]
    fn a_ball_dropping_near_the_cameras_is_followed_though_it_crosses_70_px_a_frame() {
        let mut tracker = tracker();
        // A ball coming down near the cameras, 26 px across, seen against the far half.
        let ball_at = |frame: u64| BallCandidate {
            centre: Point2::new(2700.0 + 50.0 * frame as f64, 200.0 + 50.0 * frame as f64),
            diameter: 26.0,
            score: 0.7,
        };
        let found: Vec<Option<BallState>> =
            (0..8).map(|f| tracker.update(&[ball_at(f)], &[])).collect();
        for (frame, found) in found.iter().enumerate().skip(2) {
            let found = found.as_ref().expect("the ball is followed");
            assert!((found.pixel - ball_at(frame as u64).centre).norm() < 1e-9);
        }
    }

    #[test]
    fn a_ball_resting_on_the_centre_spot_is_found_and_its_ghost_is_not_once_it_is_kicked() {
        let mut tracker = tracker();
        let spot = tracker
            .scene
            .panorama
            .project(&Point3::new(0.0, 0.0, BALL_DIAMETER_M / 2.0))
            .unwrap();
        // The same resting speck somewhere off the restart places never becomes the ball.
        let elsewhere = spot + Vector2::new(300.0, 40.0);
        let mut found = Vec::new();
        for _ in 0..40 {
            let resting = [
                candidate(spot.x, spot.y, 0.3),
                candidate(elsewhere.x, elsewhere.y, 0.3),
            ];
            found.push(tracker.update(&resting, &[]));
        }
        assert!(found[..RESTING_FRAMES as usize].iter().all(Option::is_none));
        for ball in &found[RESTING_FRAMES as usize + 2..] {
            let ball = ball.expect("the resting ball is found");
            assert!((ball.pixel - spot).norm() < 1.0 && ball.ground.coords.norm() < 0.5);
        }
        // Kicked: the ball rolls away while its ghost stays on the spot; then it is lost.
        for frame in 1..=15 {
            let rolling = candidate(spot.x + 4.0 * frame as f64, spot.y + 1.0, 0.7);
            let ball = tracker.update(&[rolling, candidate(spot.x, spot.y, 0.3)], &[]);
            if frame > 3 {
                assert!((ball.expect("followed").pixel - rolling.centre).norm() < 1e-9);
            }
        }
        for _ in 0..60 {
            let ball = tracker.update(&[candidate(spot.x, spot.y, 0.3)], &[]);
            assert!(
                ball.is_none_or(|b| (b.pixel - spot).norm() > 5.0),
                "{ball:?}"
            );
        }
    }

    #[test]
    fn a_ball_put_down_on_the_touchline_for_a_throw_in_is_found() {
        let mut tracker = tracker();
        let on_ground = |x: f64, y: f64| {
            tracker
                .scene
                .panorama
                .project(&Point3::new(x, y, BALL_DIAMETER_M / 2.0))
                .unwrap()
        };
        // On the far touchline, and the same speck 4 m inside the pitch.
        let (line, inside) = (on_ground(-11.8, 34.0), on_ground(8.0, 30.0));
        let found: Vec<Option<BallState>> = (0..30)
            .map(|_| {
                let resting = [
                    candidate(line.x, line.y, 0.3),
                    candidate(inside.x, inside.y, 0.3),
                ];
                tracker.update(&resting, &[])
            })
            .collect();
        assert!(found[..RESTING_FRAMES as usize].iter().all(Option::is_none));
        for ball in &found[RESTING_FRAMES as usize + 2..] {
            let ball = ball.expect("the ball on the touchline is found");
            assert!((ball.pixel - line).norm() < 1.0, "{ball:?}");
        }
    }

    #[test]
    fn a_hard_kicked_ball_is_followed_from_its_third_frame_and_its_first_two_recovered() {
        let mut tracker = tracker();
        let ball_at = |frame: u64| candidate(1500.0 + 25.0 * frame as f64, 400.0, 0.7);
        for frame in 0..12 {
            // 25 px a frame (about 30 m/s at 40 m), and a speck on the boards that
            // never moves.
            let ball = ball_at(frame);
            let found = tracker.update(&[candidate(2500.0, 380.0, 0.9), ball], &[]);
            if frame < 2 {
                assert_eq!(found, None, "frame {frame}: not sure yet");
                continue;
            }
            let found = found.expect("the ball is followed");
            assert_eq!(found.source, BallSource::Seen);
            assert!((found.pixel - ball.centre).norm() < 1e-9, "frame {frame}");
            // Once sure, the two frames before are known too, and only then.
            let recovered: Vec<(u64, Point2<f64>)> = tracker
                .recovered()
                .iter()
                .map(|(f, b)| (*f, b.pixel))
                .collect();
            let expected: Vec<(u64, Point2<f64>)> = match frame {
                2 => (0..2).map(|f| (f, ball_at(f).centre)).collect(),
                _ => Vec::new(),
            };
            assert_eq!(recovered, expected, "frame {frame}");
        }
    }

    #[test]
    fn a_faint_speck_wandering_alone_is_never_the_ball() {
        // A goal net glinting behind a swaying keeper: candidates that travel, but
        // never look much like a ball.
        let mut tracker = tracker();
        for frame in 0..100 {
            let x = 700.0 + 20.0 * (frame as f64 * 0.2).sin();
            let found = tracker.update(&[candidate(x, 170.0, 0.08)], &[]);
            assert!(found.is_none(), "frame {frame}: {found:?}");
        }
        // The ball itself, rolling past, is taken at once.
        let mut found = None;
        for frame in 0..6 {
            let ball = candidate(1500.0 + 8.0 * frame as f64, 400.0, 0.7);
            found = tracker.update(&[candidate(700.0, 170.0, 0.08), ball], &[]);
        }
        assert_eq!(found.map(|b| b.source), Some(BallSource::Seen));
    }

    #[test]
    fn a_ball_caught_above_the_head_in_a_penalty_area_is_held_there() {
        // A ball flies in from the right just above someone's head (40 px tall) and
        // vanishes there: a goalkeeper's catch in their penalty area, or on their goal
        // line, so they hold it; anywhere else it flew on past them.
        let outcome = |at: Point2<f64>| {
            let mut tracker = tracker();
            let catcher = PersonState {
                position: at,
                ..standing(3, 1800.0, 420.0)
            };
            for frame in 0..15 {
                let ball = candidate(1860.0 - 4.0 * frame as f64, 372.0, 0.7);
                tracker.update(&[ball], std::slice::from_ref(&catcher));
            }
            (0..5)
                .filter_map(|_| tracker.update(&[], std::slice::from_ref(&catcher)))
                .last()
                .map(|b| b.source)
        };
        for keeper in [Point2::new(-45.0, 5.0), Point2::new(53.5, -2.0)] {
            assert_eq!(outcome(keeper), Some(BallSource::AtFeet(TrackId(3))));
        }
        assert_ne!(
            outcome(Point2::new(-20.0, 5.0)),
            Some(BallSource::AtFeet(TrackId(3)))
        );
    }

    #[test]
    fn a_held_ball_glimpsed_at_the_other_boot_is_placed_there() {
        let mut tracker = tracker();
        let player = standing(7, 1800.0, 420.0);
        roll_into_feet(&mut tracker, &player);
        let mut hidden = None;
        for _ in 0..12 {
            hidden = tracker.update(&[], &[player]);
        }
        let hidden = hidden.expect("held");
        // Dragged to their right boot, it peeps out there: that is where it is now, and
        // where it stays while hidden again.
        let glimpse = candidate(1806.0, 417.0, 0.3);
        let found = tracker.update(&[glimpse], &[player]).expect("held");
        assert_eq!(found.source, BallSource::AtFeet(TrackId(7)));
        assert!((found.pixel - glimpse.centre).norm() < 1e-9, "{found:?}");
        assert!((hidden.pixel - glimpse.centre).norm() > 5.0, "{hidden:?}");
        let later = tracker.update(&[], &[player]).expect("held");
        assert!((later.pixel - glimpse.centre).norm() < 1e-9, "{later:?}");
    }

    #[test]
    fn a_held_ball_stays_at_the_feet_until_it_leaves_them_and_its_first_steps_are_recovered() {
        let mut tracker = tracker();
        let player = standing(7, 1800.0, 420.0);
        roll_into_feet(&mut tracker, &player);
        for frame in 0..20 {
            // A faint speck drifts across the other half of the pitch meanwhile.
            let speck = candidate(600.0 + 3.0 * frame as f64, 300.0, 0.2);
            let found = tracker.update(&[speck], &[player]).expect("held");
            assert_eq!(
                found.source,
                BallSource::AtFeet(TrackId(7)),
                "frame {frame}"
            );
        }
        // The ball leaves the player's feet: it is the ball again, and the frames it
        // was still guessed at their feet get the ball where it was seen.
        let ball_at = |k: u64| candidate(1804.0 + 6.0 * k as f64, 419.0, 0.7);
        let mut last = None;
        let mut recovered = Vec::new();
        for k in 0..6 {
            let speck = candidate(660.0 + 3.0 * k as f64, 300.0, 0.2);
            last = tracker
                .update(&[speck, ball_at(k)], &[player])
                .map(|b| (b, ball_at(k)));
            recovered.extend(tracker.recovered().iter().map(|(f, b)| (*f, b.pixel)));
        }
        let (found, ball) = last.expect("found");
        assert_eq!(found.source, BallSource::Seen);
        assert!((found.pixel - ball.centre).norm() < 1e-9);
        // 20 frames rolling in and 20 held came before.
        assert!(!recovered.is_empty());
        for (frame, pixel) in recovered {
            let k = frame
                .checked_sub(40)
                .expect("only frames after the ball left");
            assert!((pixel - ball_at(k).centre).norm() < 1e-9, "frame {frame}");
        }
    }

    #[test]
    fn a_ball_past_the_horizon_is_in_the_air_where_it_was_last_on_the_ground() {
        let mut tracker = tracker();
        let above_horizon = Point2::new(1900.0, 0.0);
        // Never seen on the ground: no place for it.
        assert!(tracker
            .locate(above_horizon, BallSource::Predicted)
            .is_none());
        let on_pitch = tracker
            .locate(Point2::new(1900.0, 500.0), BallSource::Predicted)
            .expect("on the ground");
        assert!(on_pitch.ground.x.is_finite() && on_pitch.ground.y.is_finite());
        assert!(on_pitch.height <= BALL_DIAMETER_M);
        let mast = tracker.scene.panorama.centre();
        let distance = (on_pitch.ground - mast.xy()).norm();
        tracker.last_ground_distance = Some(distance);
        let lofted = tracker
            .locate(above_horizon, BallSource::Predicted)
            .expect("in the air");
        // Above the pitch, higher than the mast (it is seen above the horizon), as far
        // from the mast as it was, and where the panorama shows it.
        assert!(tracker.scene.pitch.contains(&lofted.ground), "{lofted:?}");
        assert!(lofted.height > mast.z, "{lofted:?}");
        assert!(((lofted.ground - mast.xy()).norm() - distance).abs() < 1e-6);
        let seen = tracker
            .scene
            .panorama
            .project(&Point3::new(
                lofted.ground.x,
                lofted.ground.y,
                lofted.height,
            ))
            .expect("in the panorama");
        assert!((seen - above_horizon).norm() < 0.5, "{seen:?}");
    }

    #[test]
    fn a_ball_rising_over_the_pitch_is_placed_in_the_air_not_beyond_the_far_touchline() {
        let mut tracker = tracker();
        let scene = tracker.scene;
        let (_, hw) = scene.pitch.half();
        // On the ground 10 m in front of the far touchline, then 4 m up at the same
        // place: its ground point would be far beyond that line.
        let ground = Point3::new(5.0, hw - 10.0, BALL_DIAMETER_M / 2.0);
        tracker.last_ground_distance = Some((ground.xy() - scene.panorama.centre().xy()).norm());
        let up = scene
            .panorama
            .project(&Point3::new(5.0, hw - 10.0, 4.0))
            .expect("seen");
        let lofted = tracker.locate(up, BallSource::Seen).expect("placed");
        assert!((lofted.ground - ground.xy()).norm() < 0.1, "{lofted:?}");
        assert!((lofted.height - 4.0).abs() < 0.1, "{lofted:?}");
        // Where it was on the ground, it is on the ground.
        let pixel = scene.panorama.project(&ground).expect("seen");
        let on_ground = tracker.locate(pixel, BallSource::Seen).expect("placed");
        assert!(on_ground.height <= BALL_DIAMETER_M);
        assert!((on_ground.ground - ground.xy()).norm() < 0.1);
    }
}
