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
//! When two people of different kits cross in a group the tracker can still swap them;
//! a track whose last few whole sightings are all in another kit then takes a new
//! identity, so that neither person's team is blended into the other's.

use std::collections::VecDeque;

use nalgebra::Point2;
use touchline_detect::foreground::Hold;
use touchline_detect::panorama::{HeadColour, KitColour, PersonCandidate};
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
    /// A confirmed track the gate missed (its person turned or sprinted away from the
    /// prediction) takes a confident candidate nobody claimed within this many metres
    /// of where it expected them, in the same kit. Otherwise the candidate starts a
    /// second track on the same person, and the two take turns to be seen.
    pub rescue_reach_m: f64,
    /// A track started, while another was lost, within this many metres of where the
    /// lost one expected its person is that person found again, and goes on under the
    /// lost one's identity. Their boxes overlapping is the other test, which misses
    /// far players: a few pixels wide, a metre a pixel.
    pub reunite_reach_m: f64,
    /// Standard deviation of a foot pixel's position, pixels.
    pub foot_sd_px: f64,
    /// Standard deviation of unmodelled acceleration, m/s².
    pub acceleration_sd: f64,
    /// Weight of kit colour difference (levels²) against motion (Mahalanobis²).
    pub colour_weight: f64,
    /// Whole sightings in a row that decide whether a track now follows someone in
    /// another kit.
    pub kit_window: usize,
    /// Squared colour difference (levels², as [`colour_distance_squared`]) between a
    /// track's last [`PeopleOptions::kit_window`] whole sightings and all its earlier
    /// ones above which it has swapped to someone in another kit.
    pub kit_change: f64,
    /// Tracks slower than this (m/s) are standing or walking about one spot, and the
    /// background under them does not learn at all ([`Hold::Frozen`]): at the slow pace
    /// it learns under everyone else, the boots of a goalkeeper shuffling about their
    /// goal faded a pixel short, which is half a metre of depth at the far goal.
    pub still_speed: f64,
    /// Frames in a row a track may keep the background under it from learning; after
    /// that it learns at the slow pace again, so that something still that is tracked
    /// as a person (a ghost, a kit bag) fades in the end.
    pub still_hold_limit: u32,
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
            // On the first 2 minutes of seed 7: people HOTA 0.523 → 0.582 (AssA
            // 0.411 → 0.508) from the rescue, → 0.588 with the reunion by distance.
            rescue_reach_m: 2.0,
            reunite_reach_m: 2.0,
            foot_sd_px: 1.5,
            acceleration_sd: 6.0,
            colour_weight: 1.0 / 150.0,
            kit_window: 4,
            kit_change: 2000.0,
            still_speed: 1.5,
            still_hold_limit: 1500,
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
    /// Its last whole sightings' colours, oldest first (at most
    /// [`PeopleOptions::kit_window`]).
    pub recent_kits: VecDeque<KitColour>,
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
    /// How it was seen this frame, if seen.
    pub seen: Option<Sighting>,
    /// Sum of its pitch positions over the frames it was reported (for roles).
    pub position_sum: [f64; 2],
    /// Frames it was reported in.
    pub reported: u32,
    /// Frames since it was started.
    pub age: u32,
    /// Frames in a row it has moved slower than [`PeopleOptions::still_speed`].
    pub still_for: u32,
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

/// How a track was seen in one frame.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sighting {
    /// The candidate's box.
    pub bbox: BoxPx,
    /// Its head's colour, if it was one whole person, sure enough: a group's pieces
    /// and fragments may take in someone else's head, or none.
    pub head: Option<HeadColour>,
}

impl Sighting {
    /// How `candidate` sees a track, its head kept if it is whole and scores at least
    /// `high_score`.
    fn of(candidate: &PersonCandidate, high_score: f32) -> Sighting {
        let whole = !candidate.from_group && candidate.score >= high_score;
        Sighting {
            bbox: candidate.bbox,
            head: whole.then_some(candidate.head),
        }
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
    /// Its head's colour, if it was seen whole this frame.
    pub head: Option<HeadColour>,
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

    /// Where the confirmed tracks' people are in the picture, their whole height down
    /// to where a standing person's feet would be (legs the detector lost included),
    /// with a margin, and how the background there is to be held: frozen under people
    /// standing or walking (for at most [`PeopleOptions::still_hold_limit`] frames),
    /// slowed under everyone else.
    pub fn places(&self) -> impl Iterator<Item = (BoxPx, Hold)> + '_ {
        self.tracks.iter().filter(|t| t.confirmed).filter_map(|t| {
            let b = box_now(&self.scene, t)?;
            let (w, h) = (b.x1 - b.x0, b.y1 - b.y0);
            let head = Point2::new(((b.x0 + b.x1) / 2.0) as f64, b.y0 as f64);
            let feet = self
                .scene
                .standing_foot(head, b.y1 as f64)
                .map_or(b.y1, |f| (f.y as f32).max(b.y1));
            let place = BoxPx {
                x0: b.x0 - 0.25 * w,
                y0: b.y0 - 0.1 * h,
                x1: b.x1 + 0.25 * w,
                y1: feet + 0.1 * h,
            };
            let still = (1..=self.options.still_hold_limit).contains(&t.still_for);
            Some((place, if still { Hold::Frozen } else { Hold::Slowed }))
        })
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
            track.seen = None;
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
        let (gate, high_score) = (self.options.gate, self.options.high_score);
        for strong in [true, false] {
            self.associate(
                (candidates, &measured),
                (&mut used, &mut matched),
                |_| true,
                |c| (c.score >= high_score) == strong,
                |tracker, track, candidate, m| {
                    let cost = tracker.pair_cost(track, candidate, m);
                    // Confirmed tracks win ties over tentative ones.
                    let bonus = if track.confirmed { 1.0 } else { 0.0 };
                    if cost < gate {
                        gate - cost + bonus
                    } else {
                        0.0
                    }
                },
            );
        }

        // Stage 3, the rescue: confirmed tracks the gate missed (their person turned or
        // sprinted off the prediction) with the confident candidates nobody claimed,
        // within `rescue_reach_m` of the prediction and not in another kit.
        let reach = self.options.rescue_reach_m;
        let colour_weight = self.options.colour_weight;
        self.associate(
            (candidates, &measured),
            (&mut used, &mut matched),
            |track| track.confirmed,
            |c| c.score >= high_score,
            |_, track, candidate, m| {
                let distance = (track.filter.position() - m.position).norm();
                // The same kit: well within the colour term's cap in `pair_cost`.
                let same_kit = track.colour_samples < 3
                    || colour_distance_squared(&track.colour, &candidate.colour) * colour_weight
                        < 0.3 * gate;
                if distance < reach && same_kit {
                    reach - distance
                } else {
                    0.0
                }
            },
        );

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
                let bbox = box_now(&self.scene, t);
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
                recent_kits: if candidate.from_group {
                    VecDeque::new()
                } else {
                    VecDeque::from([candidate.colour])
                },
                shape: [
                    w as f64 / meas.expected_height,
                    h as f64 / meas.expected_height,
                ],
                hits: 1,
                misses: 0,
                confirmed: self.options.confirm_after <= 1,
                occluded: false,
                seen: Some(Sighting::of(candidate, self.options.high_score)),
                position_sum: [0.0; 2],
                reported: 0,
                age: 0,
                still_for: 0,
            });
        }

        self.reunite();
        let mut out = Vec::new();
        for track in &mut self.tracks {
            track.age += 1;
            track.still_for = if track.filter.velocity().norm() < options.still_speed {
                track.still_for + 1
            } else {
                0
            };
            let reportable = track.misses == 0
                || (track.occluded && track.misses <= options.report_occluded)
                || track.misses <= options.report_unseen;
            if !track.confirmed || !reportable {
                continue;
            }
            let Some(bbox) = box_now(&self.scene, track) else {
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
                seen: track.seen.is_some(),
                head: track.seen.and_then(|s| s.head),
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
            let expected = if old.confirmed && old.seen.is_none() {
                predicted_box(&self.scene, old)
            } else {
                None
            };
            let younger = expected.and_then(|b| {
                self.tracks.iter().position(|t| {
                    t.id != old.id
                        && t.age <= old.misses + 2
                        && t.seen.is_some_and(|s| {
                            s.bbox.iou(&b) > 0.3
                                || (t.filter.position() - old.filter.position()).norm()
                                    < self.options.reunite_reach_m
                        })
                })
            });
            if let Some(j) = younger {
                let young = self.tracks.remove(j);
                let i = if j < i { i - 1 } else { i };
                let old = &mut self.tracks[i];
                old.filter = young.filter.clone();
                old.seen = young.seen;
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

    /// One stage of association: the unmatched tracks that `track_ok` takes and the
    /// unused candidates that `candidate_ok` takes, paired by optimal assignment on
    /// `score` (pairs scoring 0 or less never pair); each pair is observed and marked.
    fn associate(
        &mut self,
        (candidates, measured): (&[PersonCandidate], &[(usize, Measurement)]),
        (used, matched): (&mut [bool], &mut [bool]),
        track_ok: impl Fn(&PersonTrack) -> bool,
        candidate_ok: impl Fn(&PersonCandidate) -> bool,
        score: impl Fn(&Self, &PersonTrack, &PersonCandidate, &Measurement) -> f64,
    ) {
        let rows: Vec<usize> = (0..self.tracks.len())
            .filter(|&t| !matched[t] && track_ok(&self.tracks[t]))
            .collect();
        let cols: Vec<usize> = (0..measured.len())
            .filter(|&m| !used[m] && candidate_ok(&candidates[measured[m].0]))
            .collect();
        if rows.is_empty() || cols.is_empty() {
            return;
        }
        let mut scores = vec![0.0; rows.len() * cols.len()];
        for (r, &t) in rows.iter().enumerate() {
            for (c, &m) in cols.iter().enumerate() {
                let (i, measurement) = &measured[m];
                scores[r * cols.len() + c] =
                    score(self, &self.tracks[t], &candidates[*i], measurement);
            }
        }
        for (r, c) in assign(rows.len(), cols.len(), &scores) {
            let (t, m) = (rows[r], cols[c]);
            matched[t] = true;
            used[m] = true;
            self.observe(t, &candidates[measured[m].0], &measured[m].1);
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
        track.seen = Some(Sighting::of(candidate, self.options.high_score));
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
            if track.recent_kits.len() == self.options.kit_window {
                track.recent_kits.pop_front();
            }
            track.recent_kits.push_back(candidate.colour);
            self.split_at_kit_change(t);
        }
    }

    /// Gives a track a new identity when its last whole sightings are all in a kit
    /// unlike the one it wore before: the tracker swapped it onto someone else (two
    /// people crossing in a group), and the frames from here on are theirs. The
    /// earlier identity ends with the frames and kit it had, so both get the team they
    /// wore rather than a blend.
    fn split_at_kit_change(&mut self, t: usize) {
        let window = self.options.kit_window;
        let track = &self.tracks[t];
        let earlier_samples = track.colour_samples as usize - track.recent_kits.len();
        if window == 0 || track.recent_kits.len() < window || earlier_samples < window {
            return;
        }
        let mut recent_total = [0.0f64; 6];
        for kit in &track.recent_kits {
            for (total, c) in recent_total.iter_mut().zip(kit) {
                *total += f64::from(*c);
            }
        }
        let mean = |total: &[f64; 6], n: usize| total.map(|v| (v / n as f64) as f32);
        let recent = mean(&recent_total, window);
        let earlier_total: [f64; 6] =
            std::array::from_fn(|c| track.colour_total[c] - recent_total[c]);
        let earlier = mean(&earlier_total, earlier_samples);
        let change = colour_distance_squared(&recent, &earlier);
        // Every one of the recent sightings, not just their mean, is nearer the new kit:
        // a few odd frames (a neighbour's shirt in the box) are not a swap.
        let all_new = track
            .recent_kits
            .iter()
            .all(|k| colour_distance_squared(k, &recent) < colour_distance_squared(k, &earlier));
        if change <= self.options.kit_change || !all_new {
            return;
        }
        let mut before = self.tracks[t].clone();
        before.colour_total = earlier_total;
        before.colour_samples = earlier_samples as u32;
        if before.reported > 0 {
            self.ended.push(before);
        }
        let id = TrackId(self.next_id);
        self.next_id += 1;
        let track = &mut self.tracks[t];
        track.id = id;
        track.colour = recent;
        track.colour_total = recent_total;
        track.colour_samples = window as u32;
        track.position_sum = [0.0; 2];
        track.reported = 0;
    }
}

/// Where a track's person is in the picture this frame: the box it was seen in, or
/// its predicted box when unseen.
fn box_now(scene: &Scene, track: &PersonTrack) -> Option<BoxPx> {
    track
        .seen
        .map(|s| s.bbox)
        .or_else(|| predicted_box(scene, track))
}

/// The box of an unseen track: its usual shape standing at its predicted feet.
fn predicted_box(scene: &Scene, track: &PersonTrack) -> Option<BoxPx> {
    let foot = scene.pixel(track.filter.position(), 0.0)?;
    let expected = scene.height_px_at_foot(foot, PERSON_HEIGHT_M)?;
    let (w, h) = (track.shape[0] * expected, track.shape[1] * expected);
    let bottom = PersonCandidate::bottom_below(foot.y);
    Some(BoxPx {
        x0: (foot.x - w / 2.0) as f32,
        y0: (bottom - h) as f32,
        x1: (foot.x + w / 2.0) as f32,
        y1: bottom as f32,
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
        let bottom = PersonCandidate::bottom_below(foot.y);
        PersonCandidate {
            bbox: BoxPx {
                x0: (foot.x - 0.2 * h) as f32,
                y0: (bottom - h) as f32,
                x1: (foot.x + 0.2 * h) as f32,
                y1: bottom as f32,
            },
            score: 0.9,
            colour: [120.0, 100.0, 160.0, 200.0, 128.0, 128.0],
            head: [90.0, 120.0, 140.0],
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

    fn nearer_red(c: &KitColour) -> bool {
        colour_distance_squared(c, &RED) < colour_distance_squared(c, &BLUE)
    }

    /// The identities reported for one person standing still at the centre spot in
    /// the kits given, one frame each.
    fn identities_in_kits(kits: &[KitColour]) -> (PeopleTracker, Vec<Option<TrackId>>) {
        let scene = scene();
        let mut tracker = PeopleTracker::new(scene, 25.0, PeopleOptions::default());
        let ids = kits
            .iter()
            .map(|&colour| {
                let seen = tracker.update(&[PersonCandidate {
                    colour,
                    ..standing_at(&scene, Point2::new(0.0, 0.0))
                }]);
                seen.first().map(|p| p.id)
            })
            .collect();
        (tracker, ids)
    }

    #[test]
    fn a_track_that_swaps_onto_someone_in_the_other_kit_becomes_a_new_identity() {
        // A hundred frames in red, then sixty in blue at the same place: from frame 100
        // on the tracker follows someone else.
        let kits: Vec<KitColour> = (0..160).map(|k| if k < 100 { RED } else { BLUE }).collect();
        let (tracker, ids) = identities_in_kits(&kits);
        let (red, blue) = (ids[99].expect("reported"), ids[159].expect("reported"));
        assert_ne!(red, blue);
        let swapped_at = ids.iter().position(|id| *id == Some(blue));
        let window = PeopleOptions::default().kit_window;
        assert!(
            swapped_at.is_some_and(|k| (100..100 + window).contains(&k)),
            "{swapped_at:?}"
        );
        // Each identity keeps the kit it wore, for its team.
        let team_colour = |id: TrackId| {
            tracker
                .reported()
                .find(|t| t.id == id)
                .and_then(|t| t.team_colour())
                .expect("seen whole")
        };
        assert!(nearer_red(&team_colour(red)));
        assert!(!nearer_red(&team_colour(blue)));
    }

    #[test]
    fn a_few_sightings_in_another_kit_do_not_split_a_track() {
        // A neighbour's shirt fills the box for three frames.
        let kits: Vec<KitColour> = (0..150)
            .map(|k| if (100..103).contains(&k) { BLUE } else { RED })
            .collect();
        let (tracker, ids) = identities_in_kits(&kits);
        let first = ids[10].expect("reported");
        assert!(ids[10..].iter().all(|id| *id == Some(first)), "{ids:?}");
        let mean = tracker.tracks()[0].team_colour().expect("seen whole");
        assert!(nearer_red(&mean), "{mean:?}");
    }

    #[test]
    fn the_background_is_frozen_under_someone_standing_for_at_most_the_limit() {
        let scene = scene();
        let options = PeopleOptions {
            still_hold_limit: 100,
            ..PeopleOptions::default()
        };
        let holds = |run: &dyn Fn(u32) -> Point2<f64>| {
            let mut tracker = PeopleTracker::new(scene, 25.0, options);
            (0..150)
                .map(|k| {
                    tracker.update(&[standing_at(&scene, run(k))]);
                    let places: Vec<Hold> = tracker.places().map(|(_, hold)| hold).collect();
                    places.first().copied()
                })
                .collect::<Vec<_>>()
        };
        // Standing still: frozen once confirmed, until the limit.
        let standing = holds(&|_| Point2::new(-30.0, 20.0));
        assert_eq!(standing[10], Some(Hold::Frozen));
        assert_eq!(standing[99], Some(Hold::Frozen));
        assert_eq!(standing[120], Some(Hold::Slowed));
        // Running at 5 m/s: slowed throughout.
        let running = holds(&|k| Point2::new(-30.0 + 0.2 * k as f64, 20.0));
        assert!(
            running[10..].iter().all(|h| *h == Some(Hold::Slowed)),
            "{running:?}"
        );
    }

    #[test]
    fn the_place_held_for_someone_seen_down_to_the_shorts_reaches_their_feet() {
        let scene = scene();
        let ground = Point2::new(-30.0, 20.0);
        let whole = standing_at(&scene, ground);
        // Legs the colour of the grass: only the top 60 % is seen.
        let height = whole.bbox.y1 - whole.bbox.y0;
        let upper = PersonCandidate {
            bbox: BoxPx {
                y1: whole.bbox.y0 + 0.6 * height,
                ..whole.bbox
            },
            ..whole
        };
        let mut tracker = PeopleTracker::new(scene, 25.0, PeopleOptions::default());
        for _ in 0..5 {
            tracker.update(&[upper]);
        }
        let places: Vec<BoxPx> = tracker.places().map(|(b, _)| b).collect();
        assert_eq!(places.len(), 1, "{places:?}");
        let feet = scene.pixel(ground, 0.0).unwrap().y as f32;
        assert!(
            places[0].y1 >= feet && places[0].y1 <= feet + 0.2 * height,
            "{places:?} feet at {feet}"
        );
    }

    #[test]
    fn a_player_who_turns_back_at_a_sprint_keeps_one_identity() {
        // By the near touchline (3 cm a pixel, so a tight gate) a player sprints at
        // 7 m/s and turns back at the same speed: the prediction runs on and the
        // gate refuses the next sightings.
        let identities = |options: PeopleOptions| {
            let scene = scene();
            let mut tracker = PeopleTracker::new(scene, 25.0, options);
            (0..60)
                .map(|k| {
                    let t = k as f64 / 25.0;
                    let x = if k < 30 { 7.0 * t } else { 7.0 * (2.4 - t) };
                    let seen = tracker.update(&[standing_at(&scene, Point2::new(x, -30.0))]);
                    seen.first().map(|p| p.id)
                })
                .collect::<Vec<_>>()
        };
        let rescue_only = PeopleOptions {
            reunite_reach_m: 0.0,
            ..PeopleOptions::default()
        };
        let reunion_only = PeopleOptions {
            rescue_reach_m: 0.0,
            ..PeopleOptions::default()
        };
        for options in [PeopleOptions::default(), rescue_only, reunion_only] {
            let ids = identities(options);
            assert!(
                ids[2..].iter().all(|id| *id == ids[2] && id.is_some()),
                "{ids:?}"
            );
        }
        // Without the rescue, or the reunion by distance, the turn starts a second
        // identity.
        let gate_only = identities(PeopleOptions {
            rescue_reach_m: 0.0,
            reunite_reach_m: 0.0,
            ..PeopleOptions::default()
        });
        assert!(gate_only[2..]
            .iter()
            .flatten()
            .any(|id| Some(*id) != gate_only[2]));
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
