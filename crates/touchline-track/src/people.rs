//! Multi-object tracking of people on the pitch plane, with stable identities.
//!
//! Each track is a constant-velocity Kalman filter in pitch metres (where the
//! calibration puts the feet), so that motion is judged in the units players move in:
//! 1 px is 3 cm under the camera and 30 cm at the far touchline. Association is in two
//! stages, as in ByteTrack: confident candidates first, then the remaining tracks with
//! the weak ones (fragments of a silhouette). The cost of a pair is the Mahalanobis
//! distance of the feet plus a kit-colour term, so two players of different teams
//! crossing keep their identities. A track whose feet fall inside another person's
//! silhouette is occluded, not lost: it coasts on its velocity and is held for longer.

use nalgebra::Point2;
use touchline_detect::panorama::{KitColour, PersonCandidate};
use touchline_detect::scene::{Scene, PERSON_HEIGHT_M};
use touchline_detect::BoxPx;

use crate::kalman::Kalman;
use crate::metrics::assign;

/// Identifies one track for the whole match (from 1).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct TrackId(pub u64);

/// Tuning of the people tracker.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PeopleOptions {
    /// Candidates scoring at least this are associated in the first stage.
    pub high_score: f32,
    /// Frames in a row a new track must be seen before it is reported.
    pub confirm_after: u32,
    /// Frames a confirmed track survives unseen in the open.
    pub keep_lost: u32,
    /// Frames a confirmed track survives hidden behind others.
    pub keep_occluded: u32,
    /// Frames an unseen track in the open is still reported at its predicted place.
    pub report_unseen: u32,
    /// Frames a track hidden by others is still reported at its predicted place.
    pub report_occluded: u32,
    /// People whose feet are further than this (metres) outside the lines are not
    /// reported: the bench, ball boys and spectators are not in the match, while
    /// linesmen run within it.
    pub off_pitch_margin_m: f64,
    /// Association gate, squared Mahalanobis distance.
    pub gate: f64,
    /// Standard deviation of a foot pixel's position, pixels.
    pub foot_sd_px: f64,
    /// Standard deviation of unmodelled acceleration, m/s².
    pub acceleration_sd: f64,
    /// Weight of kit colour difference (levels²) against motion (Mahalanobis²).
    pub colour_weight: f64,
}

impl Default for PeopleOptions {
    fn default() -> Self {
        PeopleOptions {
            high_score: 0.5,
            confirm_after: 3,
            keep_lost: 50,
            keep_occluded: 250,
            // Predictions are kept for association but not reported: on simulated
            // matches most of them were more than 2 m from the person by the time
            // they were seen again, so reporting them cost precision and gained
            // little recall (pitch MOTA 0.37 → 0.47 on a 2-minute match).
            report_unseen: 0,
            report_occluded: 0,
            off_pitch_margin_m: 3.0,
            gate: 25.0,
            foot_sd_px: 1.5,
            acceleration_sd: 6.0,
            colour_weight: 1.0 / 150.0,
        }
    }
}

/// One tracked person.
#[derive(Clone, Debug)]
pub struct PersonTrack {
    /// Identity.
    pub id: TrackId,
    /// Motion on the pitch.
    pub filter: Kalman,
    /// Mean kit colour over the frames it was seen alone.
    pub colour: KitColour,
    /// Frames its colour was measured in.
    pub colour_samples: u32,
    /// Sum of its colour over all of them: the kit it wore most, for its team.
    pub colour_total: [f64; 6],
    /// Width and height of its box as a fraction of the height expected of a
    /// standing person where it is.
    pub shape: [f64; 2],
    /// Frames seen in a row.
    pub hits: u32,
    /// Frames unseen in a row.
    pub misses: u32,
    /// Whether it has been confirmed.
    pub confirmed: bool,
    /// Whether it is hidden by someone else this frame.
    pub occluded: bool,
    /// The box it was seen in this frame, if seen.
    pub seen_box: Option<BoxPx>,
    /// Sum of its pitch positions over the frames it was reported (for roles).
    pub position_sum: [f64; 2],
    /// Frames it was reported in.
    pub reported: u32,
    /// Frames since it was started.
    pub age: u32,
}

impl PersonTrack {
    /// The kit it wore most: its mean colour over every whole sighting (after a swap
    /// the tracker missed, the recent colour is the other person's kit). `None` until
    /// it has been seen whole.
    pub fn team_colour(&self) -> Option<KitColour> {
        (self.colour_samples > 0).then(|| {
            self.colour_total
                .map(|v| (v / self.colour_samples as f64) as f32)
        })
    }
}

/// A person's state in one frame.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PersonState {
    /// Identity.
    pub id: TrackId,
    /// Pitch position of the feet, metres.
    pub position: Point2<f64>,
    /// Velocity, m/s.
    pub velocity: nalgebra::Vector2<f64>,
    /// Panorama box.
    pub bbox: BoxPx,
    /// Whether it was seen this frame (otherwise predicted).
    pub seen: bool,
}

/// The people tracker.
pub struct PeopleTracker {
    scene: Scene,
    options: PeopleOptions,
    dt: f64,
    tracks: Vec<PersonTrack>,
    /// Confirmed tracks that have ended, kept for their colours and places.
    ended: Vec<PersonTrack>,
    next_id: u64,
}

struct Measurement {
    position: Point2<f64>,
    sd: f64,
    expected_height: f64,
}

impl PeopleTracker {
    /// A tracker for a scene at a frame rate.
    pub fn new(scene: Scene, fps: f64, options: PeopleOptions) -> PeopleTracker {
        PeopleTracker {
            scene,
            options,
            dt: 1.0 / fps,
            tracks: Vec::new(),
            ended: Vec::new(),
            next_id: 1,
        }
    }

    /// Every live track, confirmed or not.
    pub fn tracks(&self) -> &[PersonTrack] {
        &self.tracks
    }

    /// Every track ever reported, ended or live.
    pub fn reported(&self) -> impl Iterator<Item = &PersonTrack> {
        self.ended
            .iter()
            .chain(&self.tracks)
            .filter(|t| t.reported > 0)
    }

    fn measure(&self, candidate: &PersonCandidate) -> Option<Measurement> {
        let foot = candidate.foot();
        let position = self.scene.ground(foot)?;
        let sd = self.scene.metres_per_pixel(foot)? * self.options.foot_sd_px;
        let expected_height = self.scene.height_px_at_foot(foot, PERSON_HEIGHT_M)?;
        Some(Measurement {
            position,
            sd: sd.max(0.05),
            expected_height,
        })
    }

    /// Takes in one frame's candidates and returns the people reported for it.
    pub fn update(&mut self, candidates: &[PersonCandidate]) -> Vec<PersonState> {
        for track in &mut self.tracks {
            track.filter.predict(self.dt);
            track.seen_box = None;
            track.occluded = false;
        }
        let measured: Vec<(usize, Measurement)> = candidates
            .iter()
            .enumerate()
            .filter_map(|(i, c)| Some((i, self.measure(c)?)))
            .collect();
        let mut used = vec![false; measured.len()];
        let mut matched = vec![false; self.tracks.len()];

        // Stage 1: confident candidates with every track; stage 2: the weak ones with
        // the tracks left.
        for strong in [true, false] {
            let rows: Vec<usize> = (0..self.tracks.len()).filter(|&t| !matched[t]).collect();
            let cols: Vec<usize> = (0..measured.len())
                .filter(|&m| {
                    !used[m]
                        && (candidates[measured[m].0].score >= self.options.high_score) == strong
                })
                .collect();
            if rows.is_empty() || cols.is_empty() {
                continue;
            }
            let mut score = vec![0.0; rows.len() * cols.len()];
            for (r, &t) in rows.iter().enumerate() {
                for (c, &m) in cols.iter().enumerate() {
                    let cost =
                        self.pair_cost(&self.tracks[t], &candidates[measured[m].0], &measured[m].1);
                    if cost < self.options.gate {
                        // Confirmed tracks win ties over tentative ones.
                        let bonus = if self.tracks[t].confirmed { 1.0 } else { 0.0 };
                        score[r * cols.len() + c] = self.options.gate - cost + bonus;
                    }
                }
            }
            for (r, c) in assign(rows.len(), cols.len(), &score) {
                let (t, m) = (rows[r], cols[c]);
                matched[t] = true;
                used[m] = true;
                let candidate = &candidates[measured[m].0];
                self.observe(t, candidate, &measured[m].1);
            }
        }

        // Tracks left: hidden inside someone's silhouette, or lost.
        for (t, track) in self.tracks.iter_mut().enumerate() {
            if matched[t] {
                continue;
            }
            track.hits = 0;
            track.misses += 1;
            let foot = self.scene.pixel(track.filter.position(), 0.0);
            track.occluded = foot.is_some_and(|f| {
                candidates.iter().any(|c| {
                    let b = &c.bbox;
                    let margin = 0.25 * (b.x1 - b.x0);
                    (f.x as f32) >= b.x0 - margin
                        && (f.x as f32) <= b.x1 + margin
                        && (f.y as f32) >= b.y0
                        && (f.y as f32) <= b.y1 + 0.15 * (b.y1 - b.y0)
                })
            });
            if track.occluded {
                // Hidden people slow down rather than run off on their last velocity.
                track.filter.state[2] *= 0.95;
                track.filter.state[3] *= 0.95;
            }
        }
        let options = self.options;
        let alive = |t: &PersonTrack| {
            if !t.confirmed {
                t.misses == 0
            } else if t.occluded {
                t.misses <= options.keep_occluded
            } else {
                t.misses <= options.keep_lost
            }
        };
        let (live, ended): (Vec<_>, Vec<_>) = self.tracks.drain(..).partition(alive);
        self.tracks = live;
        self.ended.extend(ended.into_iter().filter(|t| t.confirmed));

        // New tracks from confident candidates nobody claimed, unless they sit on a
        // track that is already there (a second view of the same person).
        for (m, (ci, meas)) in measured.iter().enumerate() {
            let candidate = &candidates[*ci];
            if used[m] || candidate.score < self.options.high_score {
                continue;
            }
            // A second view of someone tracked already: the candidate's box lies mostly
            // over where a track is (judged in pixels, as far players' feet are a few
            // pixels and a metre apart).
            let duplicate = self.tracks.iter().any(|t| {
                let bbox = t.seen_box.or_else(|| predicted_box(&self.scene, t));
                bbox.is_some_and(|b| b.iou(&candidate.bbox) > 0.3)
            });
            if duplicate {
                continue;
            }
            let mut filter = Kalman::new(meas.position, meas.sd, self.options.acceleration_sd);
            filter.covariance[(2, 2)] = 4.0;
            filter.covariance[(3, 3)] = 4.0;
            let id = TrackId(self.next_id);
            self.next_id += 1;
            let (w, h) = (
                candidate.bbox.x1 - candidate.bbox.x0,
                candidate.bbox.y1 - candidate.bbox.y0,
            );
            self.tracks.push(PersonTrack {
                id,
                filter,
                colour: candidate.colour,
                colour_samples: u32::from(!candidate.from_group),
                colour_total: if candidate.from_group {
                    [0.0; 6]
                } else {
                    candidate.colour.map(f64::from)
                },
                shape: [
                    w as f64 / meas.expected_height,
                    h as f64 / meas.expected_height,
                ],
                hits: 1,
                misses: 0,
                confirmed: self.options.confirm_after <= 1,
                occluded: false,
                seen_box: Some(candidate.bbox),
                position_sum: [0.0; 2],
                reported: 0,
                age: 0,
            });
        }

        self.reunite();
        let mut out = Vec::new();
        for track in &mut self.tracks {
            track.age += 1;
            let reportable = track.misses == 0
                || (track.occluded && track.misses <= options.report_occluded)
                || track.misses <= options.report_unseen;
            if !track.confirmed || !reportable {
                continue;
            }
            let Some(bbox) = track.seen_box.or_else(|| predicted_box(&self.scene, track)) else {
                continue;
            };
            let position = track.filter.position();
            if !self
                .scene
                .pitch
                .within(&position, options.off_pitch_margin_m)
            {
                continue;
            }
            track.position_sum[0] += position.x;
            track.position_sum[1] += position.y;
            track.reported += 1;
            out.push(PersonState {
                id: track.id,
                position,
                velocity: track.filter.velocity(),
                bbox,
                seen: track.seen_box.is_some(),
            });
        }
        out
    }

    /// Gives a track lost a while ago back its identity when a younger track has been
    /// started where it is expected: the same person, found again.
    fn reunite(&mut self) {
        let mut i = 0;
        while i < self.tracks.len() {
            let old = &self.tracks[i];
            let expected = if old.confirmed && old.seen_box.is_none() {
                predicted_box(&self.scene, old)
            } else {
                None
            };
            let younger = expected.and_then(|b| {
                self.tracks.iter().position(|t| {
                    t.id != old.id
                        && t.age <= old.misses + 2
                        && t.seen_box.is_some_and(|s| s.iou(&b) > 0.3)
                })
            });
            if let Some(j) = younger {
                let young = self.tracks.remove(j);
                let i = if j < i { i - 1 } else { i };
                let old = &mut self.tracks[i];
                old.filter = young.filter.clone();
                old.seen_box = young.seen_box;
                old.misses = 0;
                old.hits = young.hits;
                old.occluded = false;
                // Frames already reported under the young identity keep it (and its
                // team and role).
                if young.reported > 0 {
                    self.ended.push(young);
                }
                continue;
            }
            i += 1;
        }
    }

    fn pair_cost(&self, track: &PersonTrack, candidate: &PersonCandidate, m: &Measurement) -> f64 {
        let motion = track.filter.distance_squared(m.position, m.sd);
        if !motion.is_finite() {
            return f64::INFINITY;
        }
        // Colour counts once the track's own colour is known; half as much for a
        // group's pieces, whose boxes take in some of a neighbour's kit.
        if track.colour_samples < 3 {
            return motion;
        }
        let trust = if candidate.from_group { 0.5 } else { 1.0 };
        let colour =
            colour_distance_squared(&track.colour, &candidate.colour) * self.options.colour_weight;
        motion + trust * colour.min(self.options.gate * 0.6)
    }

    fn observe(&mut self, t: usize, candidate: &PersonCandidate, m: &Measurement) {
        let confirm_after = self.options.confirm_after;
        let track = &mut self.tracks[t];
        track.filter.update(m.position, m.sd);
        track.hits += 1;
        track.misses = 0;
        if track.hits >= confirm_after {
            track.confirmed = true;
        }
        track.seen_box = Some(candidate.bbox);
        let (w, h) = (
            candidate.bbox.x1 - candidate.bbox.x0,
            candidate.bbox.y1 - candidate.bbox.y0,
        );
        let shape = [w as f64 / m.expected_height, h as f64 / m.expected_height];
        if !candidate.from_group && candidate.score >= self.options.high_score {
            for (kept, new) in track.shape.iter_mut().zip(shape) {
                *kept += 0.1 * (new - *kept);
            }
            let n = track.colour_samples.min(50) as f32;
            for c in 0..6 {
                track.colour[c] = (track.colour[c] * n + candidate.colour[c]) / (n + 1.0);
                track.colour_total[c] += f64::from(candidate.colour[c]);
            }
            track.colour_samples += 1;
        }
    }
}

/// The box of an unseen track: its usual shape standing at its predicted feet.
fn predicted_box(scene: &Scene, track: &PersonTrack) -> Option<BoxPx> {
    let foot = scene.pixel(track.filter.position(), 0.0)?;
    let expected = scene.height_px_at_foot(foot, PERSON_HEIGHT_M)?;
    let (w, h) = (track.shape[0] * expected, track.shape[1] * expected);
    Some(BoxPx {
        x0: (foot.x - w / 2.0) as f32,
        y0: (foot.y + 0.5 - h) as f32,
        x1: (foot.x + w / 2.0) as f32,
        y1: (foot.y + 0.5) as f32,
    })
}

/// Squared difference of two kit colours, the chroma counting double (light changes
/// luma more than hue).
pub fn colour_distance_squared(a: &KitColour, b: &KitColour) -> f64 {
    let weights = [0.5, 1.0, 1.0, 0.25, 0.5, 0.5];
    (0..6)
        .map(|i| weights[i] * ((a[i] - b[i]) as f64).powi(2))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use touchline_core::geometry::{RigOptions, Sport};

    /// Two kits far apart, as two teams'.
    const RED: KitColour = [110.0, 100.0, 200.0, 100.0, 128.0, 128.0];
    const BLUE: KitColour = [90.0, 190.0, 90.0, 100.0, 128.0, 128.0];

    fn scene() -> Scene {
        let rig = RigOptions::for_sport(Sport::Football).build().unwrap();
        Scene::new(rig.panorama, rig.pitch).unwrap()
    }

    /// A whole, confident silhouette standing at a pitch point.
    fn standing_at(scene: &Scene, ground: Point2<f64>) -> PersonCandidate {
        let foot = scene.pixel(ground, 0.0).unwrap();
        let h = scene.height_px_at_foot(foot, PERSON_HEIGHT_M).unwrap();
        PersonCandidate {
            bbox: BoxPx {
                x0: (foot.x - 0.2 * h) as f32,
                y0: (foot.y + 0.5 - h) as f32,
                x1: (foot.x + 0.2 * h) as f32,
                y1: (foot.y + 0.5) as f32,
            },
            score: 0.9,
            colour: [120.0, 100.0, 160.0, 200.0, 128.0, 128.0],
            from_group: false,
        }
    }

    #[test]
    fn people_well_off_the_pitch_are_not_reported() {
        let scene = scene();
        let (hl, hw) = scene.pitch.half();
        let player = standing_at(&scene, Point2::new(-10.0, 5.0));
        let linesman = standing_at(&scene, Point2::new(10.0, -hw - 1.5));
        let on_the_bench = standing_at(&scene, Point2::new(5.0, -hw - 6.0));
        let behind_the_goal = standing_at(&scene, Point2::new(hl + 5.0, 0.0));
        let mut tracker = PeopleTracker::new(scene, 25.0, PeopleOptions::default());
        let mut reported = Vec::new();
        for _ in 0..10 {
            reported = tracker.update(&[player, linesman, on_the_bench, behind_the_goal]);
        }
        let mut places: Vec<Point2<f64>> = reported.iter().map(|p| p.position).collect();
        places.sort_by(|a, b| a.x.total_cmp(&b.x));
        let expected = [Point2::new(-10.0, 5.0), Point2::new(10.0, -hw - 1.5)];
        assert_eq!(places.len(), 2, "{places:?}");
        for (place, expected) in places.iter().zip(expected) {
            assert!((place - expected).norm() < 0.5, "{places:?}");
        }
    }

    #[test]
    fn two_players_of_different_kits_who_meet_and_turn_back_keep_their_identities() {
        let scene = scene();
        let at = |x: f64, colour: KitColour, from_group: bool| PersonCandidate {
            colour,
            from_group,
            ..standing_at(&scene, Point2::new(x, 0.0))
        };
        let mut tracker = PeopleTracker::new(scene, 25.0, PeopleOptions::default());
        // Apart, each seen whole: their kits are learnt.
        for _ in 0..10 {
            tracker.update(&[at(-2.0, RED, false), at(2.0, BLUE, false)]);
        }
        let apart = tracker.update(&[at(-2.0, RED, false), at(2.0, BLUE, false)]);
        let red_id = apart
            .iter()
            .min_by(|p, q| p.position.x.total_cmp(&q.position.x))
            .map(|p| p.id);
        assert_eq!(apart.len(), 2);
        // They run at each other (3 m/s), meet as one group, and turn back the way
        // they came: a constant-velocity guess would swap them.
        let path = |k: usize| {
            let k = k as f64;
            if k < 20.0 {
                -2.0 + 0.12 * k
            } else {
                0.4 - 0.12 * (k - 20.0)
            }
        };
        let mut last = Vec::new();
        for k in 0..40 {
            let (a, b) = (path(k), -path(k));
            let group = (a - b).abs() < 2.0;
            last = tracker.update(&[at(a, RED, group), at(b, BLUE, group)]);
        }
        // Back apart: red on the left still has red's identity.
        let left = last
            .iter()
            .min_by(|p, q| p.position.x.total_cmp(&q.position.x))
            .map(|p| p.id);
        assert_eq!(last.len(), 2, "{last:?}");
        assert_eq!(left, red_id, "{last:?}");
    }

    #[test]
    fn a_tracks_team_colour_is_the_kit_it_wore_most_not_the_last() {
        let scene = scene();
        let mut tracker = PeopleTracker::new(scene, 25.0, PeopleOptions::default());
        // A hundred frames in red, then sixty in blue (a swap it did not catch).
        for k in 0..160 {
            let colour = if k < 100 { RED } else { BLUE };
            tracker.update(&[PersonCandidate {
                colour,
                ..standing_at(&scene, Point2::new(0.0, 0.0))
            }]);
        }
        let track = &tracker.tracks()[0];
        let mean = track.team_colour().expect("seen whole");
        let nearer_red =
            |c: &KitColour| colour_distance_squared(c, &RED) < colour_distance_squared(c, &BLUE);
        assert!(nearer_red(&mean), "{mean:?}");
        // The colour it associates with follows the recent kit.
        assert!(!nearer_red(&track.colour), "{:?}", track.colour);
    }

    #[test]
    fn a_person_no_longer_seen_is_not_reported_at_a_guess() {
        let scene = scene();
        let player = standing_at(&scene, Point2::new(0.0, 0.0));
        let mut tracker = PeopleTracker::new(scene, 25.0, PeopleOptions::default());
        for _ in 0..10 {
            assert!(tracker.update(&[player]).len() <= 1);
        }
        assert_eq!(tracker.update(&[player]).len(), 1);
        assert!(tracker.update(&[]).is_empty());
        // Still tracked, so found again under the same identity.
        let before = tracker.tracks()[0].id;
        let again = tracker.update(&[player]);
        assert_eq!(again.iter().map(|p| p.id).collect::<Vec<_>>(), vec![before]);
    }
}
