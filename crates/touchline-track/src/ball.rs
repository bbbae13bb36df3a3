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
    /// Least candidate score to start a track from nothing.
    pub acquire_score: f32,
    /// Gate around the prediction, pixels, before speed is added.
    pub gate_px: f64,
}

impl Default for BallOptions {
    fn default() -> Self {
        BallOptions {
            coast: 8,
            hold: 125,
            acquire_score: 0.15,
            gate_px: 10.0,
        }
    }
}

/// The ball tracker.
pub struct BallTracker {
    scene: Scene,
    options: BallOptions,
    /// Current estimate: pixel and velocity (pixels per frame).
    state: Option<(Point2<f64>, Vector2<f64>)>,
    unseen: u32,
    holder: Option<(TrackId, Vector2<f64>)>,
    /// Last frame's candidates, for motion-based re-acquisition.
    previous: Vec<BallCandidate>,
}

impl BallTracker {
    /// A tracker for a scene.
    pub fn new(scene: Scene, options: BallOptions) -> BallTracker {
        BallTracker {
            scene,
            options,
            state: None,
            unseen: 0,
            holder: None,
            previous: Vec::new(),
        }
    }

    /// Takes in one frame's candidates and the people reported in it; returns where
    /// the ball is, if known.
    pub fn update(&mut self, candidates: &[BallCandidate], people: &[PersonState]) -> Option<BallState> {
        let result = match self.state {
            Some((pixel, velocity)) => self.follow(pixel, velocity, candidates, people),
            None => self.acquire(candidates),
        };
        self.previous = candidates.to_vec();
        result
    }

    fn follow(
        &mut self,
        pixel: Point2<f64>,
        velocity: Vector2<f64>,
        candidates: &[BallCandidate],
        people: &[PersonState],
    ) -> Option<BallState> {
        let predicted = match self.holder {
            Some((id, offset)) => people
                .iter()
                .find(|p| p.id == id)
                .map(|p| foot_pixel(p) + offset)
                .unwrap_or(pixel),
            None => pixel + velocity,
        };
        let gate = self.options.gate_px + 1.5 * velocity.norm() + 3.0 * self.unseen.min(10) as f64;
        let best = candidates
            .iter()
            .map(|c| {
                let d = (c.centre - predicted).norm();
                (c, d, c.score as f64 * (-(d * d) / (2.0 * gate * gate)).exp())
            })
            .filter(|(_, d, _)| *d <= gate)
            .max_by(|a, b| a.2.total_cmp(&b.2));
        if let Some((c, _, _)) = best {
            let measured = c.centre - pixel;
            // Smooth the velocity; after a gap the displacement spans several frames.
            let steps = (self.unseen + 1) as f64;
            let v = if self.unseen == 0 && self.holder.is_none() {
                velocity * 0.4 + measured * 0.6
            } else {
                measured / steps
            };
            self.state = Some((c.centre, v));
            self.unseen = 0;
            self.holder = None;
            return Some(self.locate(c.centre, BallSource::Seen));
        }
        self.unseen += 1;
        if let Some((id, _)) = self.holder {
            if self.unseen > self.options.hold || !people.iter().any(|p| p.id == id) {
                return self.give_up(candidates);
            }
            self.state = Some((predicted, Vector2::zeros()));
            return Some(self.locate(predicted, BallSource::AtFeet(id)));
        }
        // Vanished next to a player: it is at their feet (or behind them).
        if let Some(person) = people.iter().find(|p| near_feet(p, &predicted)) {
            let offset = predicted - foot_pixel(person);
            self.holder = Some((person.id, offset * 0.5));
            self.state = Some((predicted, Vector2::zeros()));
            return Some(self.locate(predicted, BallSource::AtFeet(person.id)));
        }
        if self.unseen > self.options.coast {
            return self.give_up(candidates);
        }
        let slowed = velocity * 0.95;
        self.state = Some((predicted, slowed));
        Some(self.locate(predicted, BallSource::Predicted))
    }

    fn give_up(&mut self, candidates: &[BallCandidate]) -> Option<BallState> {
        self.state = None;
        self.holder = None;
        self.unseen = 0;
        self.acquire(candidates)
    }

    /// Starts from the best candidate that moved like a ball since last frame (a
    /// piece of a player's kit moves with the player, and so does the ball; but the
    /// ball is alone and bright).
    fn acquire(&mut self, candidates: &[BallCandidate]) -> Option<BallState> {
        let best = candidates
            .iter()
            .filter(|c| c.score >= self.options.acquire_score)
            .filter_map(|c| {
                let prev = self
                    .previous
                    .iter()
                    .map(|p| (p, (c.centre - p.centre).norm()))
                    .filter(|(_, d)| *d <= 40.0)
                    .min_by(|a, b| a.1.total_cmp(&b.1))?;
                Some((c, prev.0, c.score + prev.0.score))
            })
            .max_by(|a, b| a.2.total_cmp(&b.2))?;
        let (c, prev, _) = best;
        self.state = Some((c.centre, c.centre - prev.centre));
        self.unseen = 0;
        self.holder = None;
        Some(self.locate(c.centre, BallSource::Seen))
    }

    fn locate(&self, pixel: Point2<f64>, source: BallSource) -> BallState {
        let radius = BALL_DIAMETER_M / 2.0;
        let ground = self
            .scene
            .panorama
            .ground_point(&pixel, radius)
            .map(|p| Point2::new(p.x, p.y))
            .unwrap_or_else(|| Point2::new(f64::NAN, f64::NAN));
        BallState {
            pixel,
            ground,
            height: radius,
            source,
        }
    }
}

fn foot_pixel(p: &PersonState) -> Point2<f64> {
    Point2::new(((p.bbox.x0 + p.bbox.x1) * 0.5) as f64, p.bbox.y1 as f64)
}

fn near_feet(p: &PersonState, pixel: &Point2<f64>) -> bool {
    let b = &p.bbox;
    let (w, h) = ((b.x1 - b.x0) as f64, (b.y1 - b.y0) as f64);
    pixel.x >= b.x0 as f64 - 0.6 * w
        && pixel.x <= b.x1 as f64 + 0.6 * w
        && pixel.y >= b.y0 as f64 + 0.3 * h
        && pixel.y <= b.y1 as f64 + 0.25 * h
}
