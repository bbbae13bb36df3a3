//! What should be in the picture: the ball and the players involved, wider when play
//! spreads or the ball travels fast, tighter when the ball is still (a set piece); when
//! the ball is lost, hold where it was, then drift to the centre of play.

use nalgebra::{Point2, Point3, Vector2};

/// Where everybody is in one frame, in pitch metres (origin at the centre spot, x along
/// the pitch, z up).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Play {
    /// Everybody on the pitch.
    pub people: Vec<Point2<f64>>,
    /// The ball's centre, when known.
    pub ball: Option<Point3<f64>>,
}

/// What the camera should show: a pitch point at the centre of the picture and the
/// width of pitch, at that point, that the picture spans.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Shot {
    /// The point to centre, metres.
    pub focus: Point3<f64>,
    /// The width of pitch to show around it, metres.
    pub width_m: f64,
    /// The ball seen this frame, when it is believed: the one point the picture must
    /// hold (see [`crate::Director`]).
    pub ball: Option<Point3<f64>>,
}

/// Tuning of the framing.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FramingOptions {
    /// Players within this distance of the ball are involved in play, metres.
    pub involved_radius_m: f64,
    /// Narrowest shot, metres of pitch.
    pub min_width_m: f64,
    /// Widest shot, metres of pitch.
    pub max_width_m: f64,
    /// Space kept around the ball and the involved players, metres on each side.
    pub margin_m: f64,
    /// How much the ball pulls the centre of the picture against the involved
    /// players' centre (0–1).
    pub ball_weight: f64,
    /// Extra width per metre per second of ball speed: a long ball widens the shot.
    pub widen_per_speed_s: f64,
    /// Seconds a lost ball is held where it was last seen before the camera drifts.
    pub hold_s: f64,
    /// Seconds the drift to the centre of play takes.
    pub drift_s: f64,
    /// A ball slower than this (m/s) for `still_s` seconds is at a set piece.
    pub still_speed: f64,
    /// See `still_speed`.
    pub still_s: f64,
    /// A ball farther than this from everybody (metres) counts only while travelling.
    pub lonely_ball_m: f64,
    /// Fastest the ball flies, metres per second: a ball reported farther from where
    /// it was than it could have gone since is a jump to another candidate, believed
    /// only once it has stayed `jump_confirm_s` seconds.
    pub ball_top_speed_m_s: f64,
    /// See `ball_top_speed_m_s`.
    pub jump_confirm_s: f64,
}

/// The speeds (m/s) of a ball travelling between players: slower is a ball at rest
/// or a static false detection, faster a jump between detections.
const PASS_SPEED_M_S: (f64, f64) = (4.0, 40.0);

impl Default for FramingOptions {
    fn default() -> Self {
        FramingOptions {
            involved_radius_m: 14.0,
            min_width_m: 40.0,
            max_width_m: 70.0,
            margin_m: 8.0,
            ball_weight: 0.5,
            widen_per_speed_s: 1.5,
            hold_s: 1.0,
            drift_s: 3.0,
            still_speed: 0.6,
            still_s: 1.5,
            lonely_ball_m: 15.0,
            ball_top_speed_m_s: 30.0,
            jump_confirm_s: 2.0,
        }
    }
}

/// The framing's memory from frame to frame: where the ball was last seen, how fast
/// it went, and for how long it has been still or lost.
#[derive(Clone, Debug)]
pub struct Framer {
    options: FramingOptions,
    dt: f64,
    last_ball: Option<Point3<f64>>,
    /// Ball velocity on the ground, smoothed, metres per second.
    velocity: Vector2<f64>,
    lost_s: f64,
    still_s: f64,
    /// A ball reported where the ball could not have gone: where it is now and for how
    /// long it has been reported consistently.
    jumped: Option<(Point3<f64>, f64)>,
}

impl Framer {
    /// A framer for frames `dt` seconds apart.
    pub fn new(options: FramingOptions, dt: f64) -> Framer {
        Framer {
            options,
            dt,
            last_ball: None,
            velocity: Vector2::zeros(),
            lost_s: 0.0,
            still_s: 0.0,
            jumped: None,
        }
    }

    /// The shot for the next frame.
    pub fn shot(&mut self, play: &Play) -> Shot {
        let o = self.options;
        // A ball far from everybody and not travelling is more likely a false
        // detection (a board, a post) than the ball, which is either near players or
        // on its way between them: it counts as lost.
        let ball = play
            .ball
            .filter(|b| self.plausible(b, &play.people))
            .filter(|b| self.reachable(b));
        match (ball, self.last_ball) {
            (Some(ball), Some(last)) => {
                let step = (ball.xy() - last.xy()) / self.dt;
                // A jump to another candidate is not speed: limit what one frame adds.
                let step = if step.norm() > 40.0 {
                    step * (40.0 / step.norm())
                } else {
                    step
                };
                self.velocity = self.velocity * 0.8 + step * 0.2;
            }
            (None, _) => self.velocity *= 0.9,
            _ => {}
        }
        let seen = ball;
        if let Some(ball) = ball {
            self.last_ball = Some(ball);
            self.lost_s = 0.0;
        } else {
            self.lost_s += self.dt;
        }
        let speed = self.velocity.norm();
        self.still_s = if ball.is_some() && speed < o.still_speed {
            self.still_s + self.dt
        } else {
            0.0
        };

        let centre_of_play = centroid(&play.people);
        let Some(ball) = self.last_ball else {
            // Nothing known of the ball yet: everybody.
            return self.around(centre_of_play, &play.people, None, 0.0);
        };
        let ball_ground = ball.xy();
        let involved: Vec<Point2<f64>> = play
            .people
            .iter()
            .copied()
            .filter(|p| (p - ball_ground).norm() <= o.involved_radius_m)
            .collect();
        let mut shot = self.around(ball_ground, &involved, Some(ball), speed);
        shot.ball = seen;
        if self.still_s >= o.still_s {
            // A set piece: the ball and the players around it, tight.
            shot.width_m = shot.width_m.min(0.5 * (o.min_width_m + o.max_width_m));
        }
        // Lost: hold, then drift towards the centre of play.
        let drift = ((self.lost_s - o.hold_s) / o.drift_s).clamp(0.0, 1.0);
        if drift > 0.0 {
            if let Some(centre) = centre_of_play {
                let wide = self.around(centre, &play.people, None, 0.0);
                shot.focus = shot.focus + (wide.focus - shot.focus) * drift;
                shot.width_m += (wide.width_m - shot.width_m) * drift;
            }
        }
        shot
    }

    /// Whether a reported ball may be the ball: near someone, or travelling (from
    /// where it was last seen) at the pace of a pass.
    fn plausible(&self, ball: &Point3<f64>, people: &[Point2<f64>]) -> bool {
        let o = self.options;
        let near = people
            .iter()
            .any(|p| (p - ball.xy()).norm() <= o.lonely_ball_m);
        let travelling = self.last_ball.is_some_and(|last| {
            let speed = (ball.xy() - last.xy()).norm() / self.dt;
            (PASS_SPEED_M_S.0..=PASS_SPEED_M_S.1).contains(&speed)
        });
        people.is_empty() || near || travelling
    }

    /// Whether the ball could have gone from where it was last believed to `ball` in
    /// the time since; a ball that could not have (a tracker that jumped to a goal
    /// net, a white boot) is believed once it has been reported, consistently moving,
    /// for `jump_confirm_s`. Swinging the camera over to a false ball and back costs
    /// more than holding a little longer where a real one was.
    fn reachable(&mut self, ball: &Point3<f64>) -> bool {
        let o = self.options;
        let Some(last) = self.last_ball else {
            return true;
        };
        // Metres on top of the flight: the error of two tracked positions.
        let slack = 3.0;
        let reach = o.ball_top_speed_m_s * (self.lost_s + self.dt) + slack;
        if (ball.xy() - last.xy()).norm() <= reach {
            self.jumped = None;
            return true;
        }
        let step = o.ball_top_speed_m_s * self.dt + slack;
        let age = match self.jumped {
            Some((there, age)) if (ball.xy() - there.xy()).norm() <= step => age + self.dt,
            _ => 0.0,
        };
        if age >= o.jump_confirm_s {
            self.jumped = None;
            return true;
        }
        self.jumped = Some((*ball, age));
        false
    }

    /// A shot centred between `anchor` (and the ball, if given) and the centre of
    /// `people`, wide enough for all of them.
    fn around(
        &self,
        anchor: impl Into<Option<Point2<f64>>>,
        people: &[Point2<f64>],
        ball: Option<Point3<f64>>,
        ball_speed: f64,
    ) -> Shot {
        let o = self.options;
        let anchor = anchor
            .into()
            .or_else(|| centroid(people))
            .unwrap_or(Point2::origin());
        let group = centroid(people).unwrap_or(anchor);
        let weight = if ball.is_some() { o.ball_weight } else { 0.0 };
        let focus = anchor * weight + group.coords * (1.0 - weight);
        let mut half = 0.0f64;
        for p in people.iter().chain(ball.map(|b| b.xy()).as_ref()) {
            half = half.max((p.x - focus.x).abs());
            // The picture is 16:9: depth across the pitch needs less width than
            // length along it, and perspective squeezes it further.
            half = half.max(0.9 * (p.y - focus.y).abs());
        }
        let mut width = 2.0 * (half + o.margin_m) + o.widen_per_speed_s * ball_speed;
        // A ball in the air: aim halfway up to it, and keep its height within the
        // middle of the picture's height (9/16 of the width).
        let height = ball.map_or(0.0, |b| b.z.max(0.0));
        width = width.max(2.5 * height * 16.0 / 9.0);
        Shot {
            focus: Point3::new(focus.x, focus.y, 0.5 * height),
            width_m: width.clamp(o.min_width_m, o.max_width_m),
            ball: None,
        }
    }
}

fn centroid(points: &[Point2<f64>]) -> Option<Point2<f64>> {
    if points.is_empty() {
        return None;
    }
    let sum = points.iter().fold(Vector2::zeros(), |s, p| s + p.coords);
    Some(Point2::from(sum / points.len() as f64))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn play(people: &[(f64, f64)], ball: Option<(f64, f64)>) -> Play {
        Play {
            people: people.iter().map(|&(x, y)| Point2::new(x, y)).collect(),
            ball: ball.map(|(x, y)| Point3::new(x, y, 0.11)),
        }
    }

    #[test]
    fn the_ball_and_the_players_near_it_are_framed_and_far_players_are_not() {
        let mut framer = Framer::new(FramingOptions::default(), 0.04);
        let shot = framer.shot(&play(
            &[(10.0, 0.0), (14.0, 3.0), (-40.0, 0.0)],
            Some((12.0, 1.0)),
        ));
        assert!((shot.focus.x - 12.0).abs() < 2.0, "{shot:?}");
        assert!(
            shot.width_m <= FramingOptions::default().min_width_m,
            "the far player widens the shot: {shot:?}"
        );
    }

    #[test]
    fn a_lost_ball_is_held_then_the_camera_drifts_to_the_centre_of_play() {
        let options = FramingOptions::default();
        let mut framer = Framer::new(options, 0.04);
        let people = [(-20.0, 0.0), (-10.0, 5.0), (0.0, -5.0), (26.0, 0.0)];
        framer.shot(&play(&people, Some((30.0, 0.0))));
        let held = framer.shot(&play(&people, None));
        assert!(held.focus.x > 15.0, "held near the ball: {held:?}");
        let frames = ((options.hold_s + options.drift_s) / 0.04) as usize + 2;
        let mut last = held;
        for _ in 0..frames {
            last = framer.shot(&play(&people, None));
        }
        assert!(
            (last.focus.x - -1.0).abs() < 1.0,
            "drifted to play: {last:?}"
        );
    }

    #[test]
    fn a_still_ball_far_from_everybody_is_not_followed() {
        let mut framer = Framer::new(FramingOptions::default(), 0.04);
        let people = [(-10.0, 0.0), (-5.0, 3.0)];
        let mut shot = framer.shot(&play(&people, Some((-8.0, 1.0))));
        for _ in 0..100 {
            // A speck by the far goal, sitting still.
            shot = framer.shot(&play(&people, Some((50.0, 2.0))));
        }
        assert!(shot.focus.x < 0.0, "followed the speck: {shot:?}");
    }

    #[test]
    fn a_ball_jumping_across_the_pitch_is_believed_only_once_it_stays() {
        let options = FramingOptions::default();
        let mut framer = Framer::new(options, 0.04);
        let people = [(-10.0, 0.0), (-5.0, 3.0), (45.0, 0.0)];
        framer.shot(&play(&people, Some((-8.0, 1.0))));
        // The tracker jumps to a speck by the far goal for half a second, then back.
        for _ in 0..12 {
            let shot = framer.shot(&play(&people, Some((45.0, 1.0))));
            assert!(shot.focus.x < 0.0, "jumped: {shot:?}");
        }
        let back = framer.shot(&play(&people, Some((-7.0, 1.0))));
        assert!(back.focus.x < 0.0);
        // A ball that stays over there (a long ball, found again) is followed.
        let frames = (options.jump_confirm_s / 0.04).ceil() as usize + 1;
        let mut shot = back;
        for i in 0..frames {
            shot = framer.shot(&play(&people, Some((40.0 + 0.2 * i as f64, 1.0))));
        }
        assert!(shot.focus.x > 20.0, "never followed: {shot:?}");
    }

    #[test]
    fn a_fast_ball_widens_the_shot() {
        let mut framer = Framer::new(FramingOptions::default(), 0.04);
        let people = [(0.0, 0.0), (3.0, 2.0)];
        let mut slow = None;
        for i in 0..20 {
            slow = Some(framer.shot(&play(&people, Some((1.0 + 0.01 * i as f64, 0.0)))));
        }
        let mut framer = Framer::new(FramingOptions::default(), 0.04);
        let mut fast = None;
        for i in 0..20 {
            fast = Some(framer.shot(&play(&people, Some((1.0 + 1.0 * i as f64, 0.0)))));
        }
        assert!(fast.unwrap().width_m > slow.unwrap().width_m + 5.0);
    }
}
