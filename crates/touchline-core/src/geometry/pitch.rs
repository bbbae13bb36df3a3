//! The pitch: sport profiles, dimensions and painted markings in the pitch frame.

use std::f64::consts::PI;
use std::fmt;
use std::str::FromStr;

use nalgebra::Point2;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A sport profile: which pitch, goals and markings, and how many players a side.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sport {
    /// Eleven-a-side association football on a 105 × 68 m pitch.
    Football,
    /// Seven-a-side (small-sided, youth) football on a 60 × 40 m pitch.
    Football7,
}

impl Sport {
    /// Every profile, for help texts.
    pub const ALL: [Sport; 2] = [Sport::Football, Sport::Football7];

    /// The profile's name as written in files and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Sport::Football => "football",
            Sport::Football7 => "football7",
        }
    }

    /// Players per side, goalkeeper included.
    pub fn players_per_side(self) -> usize {
        match self {
            Sport::Football => 11,
            Sport::Football7 => 7,
        }
    }

    /// The standard pitch of the profile.
    pub fn pitch(self) -> Pitch {
        match self {
            Sport::Football => Pitch {
                length: 105.0,
                width: 68.0,
                goal_width: 7.32,
                goal_height: 2.44,
                penalty_area_depth: 16.5,
                penalty_area_width: 40.32,
                goal_area_depth: 5.5,
                goal_area_width: 18.32,
                centre_circle_radius: 9.15,
                penalty_spot_distance: 11.0,
                corner_arc_radius: 1.0,
                line_width: 0.12,
            },
            Sport::Football7 => Pitch {
                length: 60.0,
                width: 40.0,
                goal_width: 5.0,
                goal_height: 2.0,
                penalty_area_depth: 10.0,
                penalty_area_width: 24.0,
                goal_area_depth: 4.0,
                goal_area_width: 12.0,
                centre_circle_radius: 6.0,
                penalty_spot_distance: 8.0,
                corner_arc_radius: 1.0,
                line_width: 0.10,
            },
        }
    }
}

impl fmt::Display for Sport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Sport {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Sport::ALL
            .into_iter()
            .find(|sport| sport.name() == s)
            .ok_or_else(|| Error::UnknownSport(s.to_owned()))
    }
}

/// Pitch dimensions in metres. Lines are painted inside the field of play, so `length`
/// and `width` are measured to the outer edges of the boundary lines.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Pitch {
    /// Goal line to goal line.
    pub length: f64,
    /// Touchline to touchline.
    pub width: f64,
    /// Between the inner edges of the posts.
    pub goal_width: f64,
    /// Ground to the lower edge of the crossbar.
    pub goal_height: f64,
    /// Penalty area, from the goal line.
    pub penalty_area_depth: f64,
    /// Penalty area, along the goal line.
    pub penalty_area_width: f64,
    /// Goal area, from the goal line.
    pub goal_area_depth: f64,
    /// Goal area, along the goal line.
    pub goal_area_width: f64,
    /// Centre circle.
    pub centre_circle_radius: f64,
    /// Penalty spot, from the goal line.
    pub penalty_spot_distance: f64,
    /// Corner arcs.
    pub corner_arc_radius: f64,
    /// Width of the painted lines.
    pub line_width: f64,
}

/// One painted marking, along its centre line.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Marking {
    /// A straight line.
    Segment {
        /// One end.
        a: Point2<f64>,
        /// The other end.
        b: Point2<f64>,
    },
    /// An arc of a circle, counter-clockwise from `start` to `end` (radians).
    Arc {
        /// Centre.
        centre: Point2<f64>,
        /// Radius.
        radius: f64,
        /// Start angle.
        start: f64,
        /// End angle (greater than `start`).
        end: f64,
    },
    /// A painted spot.
    Spot {
        /// Centre.
        centre: Point2<f64>,
        /// Radius of the painted disc.
        radius: f64,
    },
}

impl Marking {
    /// Points along the marking's centre line about `step` metres apart, each with the
    /// line's unit direction there. Spots have no line and give none.
    pub fn samples(&self, step: f64) -> Vec<(Point2<f64>, nalgebra::Vector2<f64>)> {
        match *self {
            Marking::Segment { a, b } => {
                let length = (b - a).norm();
                let n = (length / step).ceil().max(1.0) as usize;
                let direction = (b - a) / length;
                (0..=n)
                    .map(|i| (a + (b - a) * (i as f64 / n as f64), direction))
                    .collect()
            }
            Marking::Arc {
                centre,
                radius,
                start,
                end,
            } => {
                let n = ((end - start) * radius / step).ceil().max(1.0) as usize;
                (0..=n)
                    .map(|i| {
                        let angle = start + (end - start) * i as f64 / n as f64;
                        let (sin, cos) = angle.sin_cos();
                        (
                            centre + nalgebra::Vector2::new(cos, sin) * radius,
                            nalgebra::Vector2::new(-sin, cos),
                        )
                    })
                    .collect()
            }
            Marking::Spot { .. } => Vec::new(),
        }
    }

    /// Distance from a point to the marking's centre line (to the disc for spots).
    pub fn distance(&self, p: &Point2<f64>) -> f64 {
        match *self {
            Marking::Segment { a, b } => {
                let ab = b - a;
                let t = ((p - a).dot(&ab) / ab.norm_squared()).clamp(0.0, 1.0);
                (p - (a + ab * t)).norm()
            }
            Marking::Arc {
                centre,
                radius,
                start,
                end,
            } => {
                let d = p - centre;
                let mut angle = d.y.atan2(d.x);
                while angle < start {
                    angle += 2.0 * PI;
                }
                if angle <= end {
                    (d.norm() - radius).abs()
                } else {
                    let at = |a: f64| centre + nalgebra::Vector2::new(a.cos(), a.sin()) * radius;
                    (p - at(start)).norm().min((p - at(end)).norm())
                }
            }
            Marking::Spot { centre, radius } => ((p - centre).norm() - radius).max(0.0),
        }
    }
}

impl Pitch {
    /// Checks that the dimensions are positive and fit inside each other.
    pub fn validate(&self) -> Result<()> {
        let all = [
            self.length,
            self.width,
            self.goal_width,
            self.goal_height,
            self.penalty_area_depth,
            self.penalty_area_width,
            self.goal_area_depth,
            self.goal_area_width,
            self.centre_circle_radius,
            self.penalty_spot_distance,
            self.corner_arc_radius,
            self.line_width,
        ];
        if !all.iter().all(|v| v.is_finite() && *v > 0.0) {
            return Err(Error::invalid(
                "pitch",
                "every dimension must be a positive number of metres",
            ));
        }
        if self.length > 200.0 || self.width > 150.0 || self.width < 10.0 || self.length < 15.0 {
            return Err(Error::invalid(
                "pitch",
                format!(
                    "{} × {} m is outside 15–200 m by 10–150 m",
                    self.length, self.width
                ),
            ));
        }
        if self.penalty_area_width >= self.width || 2.0 * self.penalty_area_depth >= self.length {
            return Err(Error::invalid("pitch", "the penalty areas do not fit"));
        }
        Ok(())
    }

    /// The same pitch with another length and width, the areas kept as they are.
    pub fn with_size(self, length: f64, width: f64) -> Result<Pitch> {
        let pitch = Pitch {
            length,
            width,
            ..self
        };
        pitch.validate()?;
        Ok(pitch)
    }

    /// Half length and half width.
    pub fn half(&self) -> (f64, f64) {
        (self.length / 2.0, self.width / 2.0)
    }

    /// Whether a ground point lies on the field of play (lines included).
    pub fn contains(&self, p: &Point2<f64>) -> bool {
        self.within(p, 0.0)
    }

    /// Whether a ground point lies on the field of play grown by `margin` metres on
    /// every side.
    pub fn within(&self, p: &Point2<f64>, margin: f64) -> bool {
        let (hl, hw) = self.half();
        p.x.abs() <= hl + margin && p.y.abs() <= hw + margin
    }

    /// Whether a ground point lies in either penalty area or behind it, beyond the
    /// goal line (where the feet of a goalkeeper on the line may be placed, when they
    /// are hidden or their box is cut short).
    pub fn in_or_behind_penalty_area(&self, p: &Point2<f64>) -> bool {
        let (hl, _) = self.half();
        p.x.abs() >= hl - self.penalty_area_depth && p.y.abs() <= self.penalty_area_width / 2.0
    }

    /// Whether a ground point is where the ball waits for a restart: the centre spot
    /// (kick-offs), a penalty spot, a corner arc or a touchline (throw-ins), each grown
    /// by `margin` metres. (The goal area, where goal kicks are taken, is left out: the
    /// goal and the keeper stand there.)
    pub fn is_restart_place(&self, p: &Point2<f64>, margin: f64) -> bool {
        let (hl, hw) = self.half();
        let folded = Point2::new(p.x.abs(), p.y.abs());
        let centre_spot = p.coords.norm() <= margin;
        let penalty_spot =
            (Point2::new(hl - self.penalty_spot_distance, 0.0) - folded).norm() <= margin;
        let corner_arc = (Point2::new(hl, hw) - folded).norm() <= self.corner_arc_radius + margin;
        let touchline = folded.x <= hl && (folded.y - hw).abs() <= margin;
        centre_spot || penalty_spot || corner_arc || touchline
    }

    /// Every painted marking, centre lines (half a line width inside the outer edges).
    pub fn markings(&self) -> Vec<Marking> {
        let (hl, hw) = self.half();
        let inset = self.line_width / 2.0;
        let (l, w) = (hl - inset, hw - inset);
        let p = Point2::new;
        let mut marks = vec![
            Marking::Segment {
                a: p(-l, -w),
                b: p(l, -w),
            },
            Marking::Segment {
                a: p(-l, w),
                b: p(l, w),
            },
            Marking::Segment {
                a: p(-l, -w),
                b: p(-l, w),
            },
            Marking::Segment {
                a: p(l, -w),
                b: p(l, w),
            },
            Marking::Segment {
                a: p(0.0, -w),
                b: p(0.0, w),
            },
            Marking::Arc {
                centre: p(0.0, 0.0),
                radius: self.centre_circle_radius,
                start: 0.0,
                end: 2.0 * PI,
            },
            Marking::Spot {
                centre: p(0.0, 0.0),
                radius: self.line_width,
            },
        ];
        for side in [-1.0, 1.0] {
            let goal_line = side * l;
            for (depth, half_width) in [
                (self.penalty_area_depth, self.penalty_area_width / 2.0),
                (self.goal_area_depth, self.goal_area_width / 2.0),
            ] {
                let front = side * (hl - depth);
                marks.push(Marking::Segment {
                    a: p(goal_line, -half_width),
                    b: p(front, -half_width),
                });
                marks.push(Marking::Segment {
                    a: p(goal_line, half_width),
                    b: p(front, half_width),
                });
                marks.push(Marking::Segment {
                    a: p(front, -half_width),
                    b: p(front, half_width),
                });
            }
            let spot = p(side * (hl - self.penalty_spot_distance), 0.0);
            marks.push(Marking::Spot {
                centre: spot,
                radius: self.line_width,
            });
            // The penalty arc: the part of the circle around the spot outside the area.
            let r = self.centre_circle_radius;
            let inside = (self.penalty_area_depth - self.penalty_spot_distance) / r;
            if inside.abs() < 1.0 {
                let half_angle = inside.acos();
                let facing = if side > 0.0 { PI } else { 0.0 };
                marks.push(Marking::Arc {
                    centre: spot,
                    radius: r,
                    start: facing - half_angle,
                    end: facing + half_angle,
                });
            }
            // Corner arcs.
            for y_side in [-1.0, 1.0] {
                let corner = p(side * l, y_side * w);
                let towards_x = if side > 0.0 { PI } else { 0.0 };
                let towards_y = if y_side > 0.0 { -PI / 2.0 } else { PI / 2.0 };
                let (mut start, mut end) = (towards_x.min(towards_y), towards_x.max(towards_y));
                if end - start > PI {
                    // The quarter between π and 3π/2 (i.e. −π/2).
                    std::mem::swap(&mut start, &mut end);
                    end += 2.0 * PI;
                }
                marks.push(Marking::Arc {
                    centre: corner,
                    radius: self.corner_arc_radius,
                    start,
                    end,
                });
            }
        }
        marks
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restart_places_are_the_centre_and_penalty_spots_the_corner_arcs_and_touchlines() {
        let pitch = Sport::Football.pitch();
        let spot = |x: f64, y: f64| pitch.is_restart_place(&Point2::new(x, y), 0.5);
        // Kick-off, both penalty spots, all four corners (on the arc).
        assert!(spot(0.3, -0.2) && spot(41.5, 0.0) && spot(-41.5, 0.4));
        for (x, y) in [(52.0, 33.5), (-52.0, 33.5), (52.0, -33.5), (-51.8, -32.9)] {
            assert!(spot(x, y), "({x}, {y})");
        }
        // Throw-ins, on either touchline, just inside or outside it.
        for (x, y) in [(0.0, 34.0), (-20.0, -33.6), (40.0, 34.4)] {
            assert!(spot(x, y), "({x}, {y})");
        }
        // Open play, the goal mouth (the keeper's place), beside a goal line, and
        // beyond the touchline's reach.
        for (x, y) in [
            (2.0, 0.0),
            (20.0, 10.0),
            (51.5, 2.0),
            (53.0, 20.0),
            (0.0, 35.0),
            (0.0, 32.8),
        ] {
            assert!(!spot(x, y), "({x}, {y})");
        }
    }

    #[test]
    fn the_penalty_areas_are_16_5_m_deep_and_40_32_m_across_at_both_ends() {
        let pitch = Sport::Football.pitch();
        let there = |x: f64, y: f64| pitch.in_or_behind_penalty_area(&Point2::new(x, y));
        // Inside, on its lines, behind the goal line.
        for (x, y) in [(52.0, 0.0), (-36.0, 20.16), (40.0, -20.1), (-54.0, -5.0)] {
            assert!(there(x, y), "({x}, {y})");
        }
        // Just outside its front edge or its side, the halfway line.
        for (x, y) in [(35.9, 0.0), (-40.0, 20.3), (0.0, 0.0), (50.0, -25.0)] {
            assert!(!there(x, y), "({x}, {y})");
        }
    }

    #[test]
    fn sport_names_parse_and_unknown_ones_are_refused() {
        assert_eq!("football7".parse::<Sport>().unwrap(), Sport::Football7);
        let err = "quidditch".parse::<Sport>().unwrap_err().to_string();
        assert!(err.contains("unknown sport 'quidditch'"), "{err}");
    }

    #[test]
    fn corner_arcs_stay_inside_the_pitch() {
        let pitch = Sport::Football.pitch();
        for mark in pitch.markings() {
            if let Marking::Arc {
                centre,
                radius,
                start,
                end,
            } = mark
            {
                let mid = (start + end) / 2.0;
                let q = centre + nalgebra::Vector2::new(mid.cos(), mid.sin()) * radius;
                assert!(pitch.contains(&q), "arc midpoint {q} is off the pitch");
            }
        }
    }

    #[test]
    fn a_point_on_the_halfway_line_is_on_a_marking() {
        let pitch = Sport::Football.pitch();
        let d = pitch
            .markings()
            .iter()
            .map(|m| m.distance(&Point2::new(0.0, 20.0)))
            .fold(f64::INFINITY, f64::min);
        assert!(d < 1e-9);
        let d = pitch
            .markings()
            .iter()
            .map(|m| m.distance(&Point2::new(30.0, 10.0)))
            .fold(f64::INFINITY, f64::min);
        assert!(d > 1.0, "open grass is far from every line");
    }

    #[test]
    fn penalty_arc_is_outside_the_area() {
        let pitch = Sport::Football.pitch();
        let arc_point = Point2::new(52.5 - 11.0 - 9.15, 0.0);
        let d = pitch
            .markings()
            .iter()
            .map(|m| m.distance(&arc_point))
            .fold(f64::INFINITY, f64::min);
        assert!(d < 1e-9);
    }

    #[test]
    fn bad_sizes_are_refused() {
        assert!(Sport::Football.pitch().with_size(-5.0, 68.0).is_err());
        assert!(Sport::Football.pitch().with_size(105.0, 30.0).is_err());
    }
}
