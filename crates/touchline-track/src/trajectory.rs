//! People's trajectories finished offline. The live tracker reports a person only in the
//! frames it finds them, and each position only from what came before. A recording
//! knows more:
//!
//! - Over a short gap, when the person was next seen no farther away than they could
//!   have run, they went from one sighting to the other (hidden behind someone for a
//!   moment, merged into a group's region): the frames between get a position and box
//!   on that line, reported as not seen.
//! - Each position can be averaged over a moment either side of its frame, which takes
//!   out the jitter of feet found a pixel up or down (far from the cameras a pixel is
//!   about half a metre of pitch) without the lag of a filter that sees only the past.
//!   The window is symmetric, and shrinks near where a track's run of frames begins or
//!   ends, so a person running straight stays where they are.
//!
//! On the three simulated 10-minute matches (seeds 7, 2, 3), filling gaps of up to a
//! second and averaging over ±0.6 s raised people HOTA on the pitch from 0.443 / 0.436
//! / 0.476 to 0.463 / 0.456 / 0.499 (with the reach, shared with [`crate::relink`], at
//! 7 m/s then; see [`Reach::top_speed_m_s`] for what 5 m/s gave). Filling
//! alone gave about a quarter of that and averaging alone about a third; averaging over
//! ±1 s gave less than over ±0.6 s (it rounds off turns), and filling gaps of up to 2 s
//! put more people where nobody was than it found.

use std::collections::BTreeMap;

use crate::people::TrackId;
use crate::relink::Reach;
use crate::tracks::{frames_per_track, round, FrameRecord, PersonRecord, TrackRecord};

/// How trajectories are finished.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TrajectoryOptions {
    /// Longest gap between two sightings that is filled, seconds.
    pub max_gap_s: f64,
    /// How far the person may have got over a gap that is filled.
    pub reach: Reach,
    /// Positions are averaged over this long either side of their frame, seconds.
    pub smoothing_s: f64,
}

impl Default for TrajectoryOptions {
    fn default() -> Self {
        TrajectoryOptions {
            max_gap_s: 1.0,
            reach: Reach::default(),
            smoothing_s: 0.6,
        }
    }
}

/// Fills the short gaps in every track of `frames` and averages its positions (see the
/// [module documentation](self)), recounting the frames of `tracks`; returns how many
/// positions were filled in. `frames` are consecutive frames at `fps`.
pub fn finish_trajectories(
    frames: &mut [FrameRecord],
    tracks: &mut [TrackRecord],
    fps: f64,
    options: TrajectoryOptions,
) -> usize {
    // Each track's reports, by frame index.
    let mut reports: BTreeMap<TrackId, Vec<(usize, PersonRecord)>> = BTreeMap::new();
    for (i, frame) in frames.iter_mut().enumerate() {
        for p in frame.people.drain(..) {
            reports.entry(p.id).or_default().push((i, p));
        }
    }
    let half_window = (options.smoothing_s * fps).round() as usize;
    let mut filled = 0;
    for track in reports.into_values() {
        let before = track.len();
        let track = fill_gaps(track, frames, &options);
        filled += track.len() - before;
        for (i, p) in smoothed(track, half_window) {
            frames[i].people.push(p);
        }
    }
    for frame in frames.iter_mut() {
        frame.people.sort_by_key(|p| p.id);
    }
    let counts = frames_per_track(frames);
    for track in tracks.iter_mut() {
        track.frames = counts.get(&track.id).copied().unwrap_or(0);
    }
    filled
}

/// One track's reports with the gaps [`TrajectoryOptions`] allows filled by straight
/// lines.
fn fill_gaps(
    track: Vec<(usize, PersonRecord)>,
    frames: &[FrameRecord],
    options: &TrajectoryOptions,
) -> Vec<(usize, PersonRecord)> {
    let mut full: Vec<(usize, PersonRecord)> = Vec::with_capacity(track.len());
    for (i, p) in track {
        if let Some((last, q)) = full.last().cloned() {
            let gap_s = frames[i].time - frames[last].time;
            let distance = (p.x - q.x).hypot(p.y - q.y);
            if i > last + 1 && gap_s <= options.max_gap_s && distance <= options.reach.metres(gap_s)
            {
                for j in last + 1..i {
                    let a = (j - last) as f64 / (i - last) as f64;
                    let lerp = |from: f64, to: f64| from + a * (to - from);
                    let bbox: [f64; 4] = std::array::from_fn(|k| lerp(q.bbox[k], p.bbox[k]));
                    full.push((
                        j,
                        PersonRecord {
                            id: p.id,
                            x: lerp(q.x, p.x),
                            y: lerp(q.y, p.y),
                            bbox: bbox.map(|v| round(v, 1)),
                            seen: false,
                            head: None,
                        },
                    ));
                }
            }
        }
        full.push((i, p));
    }
    full
}

/// One track's reports with each position the triangle-weighted mean over up to
/// `half_window` frames either side, as many on each side, within its run of
/// consecutive frames.
fn smoothed(
    mut track: Vec<(usize, PersonRecord)>,
    half_window: usize,
) -> Vec<(usize, PersonRecord)> {
    let positions: Vec<(f64, f64)> = track.iter().map(|(_, p)| (p.x, p.y)).collect();
    let mut run_start = 0;
    for k in 0..track.len() {
        if k > 0 && track[k].0 != track[k - 1].0 + 1 {
            run_start = k;
        }
        // The run continues while frames stay consecutive.
        let run_end = (k..track.len())
            .take(half_window + 1)
            .take_while(|&m| m == k || track[m].0 == track[m - 1].0 + 1)
            .last()
            .unwrap_or(k);
        let half = half_window.min(k - run_start).min(run_end - k);
        let (mut sum, mut weights) = ((0.0, 0.0), 0.0);
        for (m, (x, y)) in positions
            .iter()
            .enumerate()
            .take(k + half + 1)
            .skip(k - half)
        {
            let w = (half + 1 - m.abs_diff(k)) as f64;
            sum.0 += w * x;
            sum.1 += w * y;
            weights += w;
        }
        let p = &mut track[k].1;
        p.x = round(sum.0 / weights, 2);
        p.y = round(sum.1 / weights, 2);
    }
    track
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::teams::{Role, Team};

    fn person(id: u64, x: f64, y: f64) -> PersonRecord {
        PersonRecord {
            id: TrackId(id),
            x,
            y,
            bbox: [x, 0.0, x + 10.0, 30.0],
            seen: true,
            head: None,
        }
    }

    /// Frames at 25 fps with the people given.
    fn frames(people: Vec<Vec<PersonRecord>>) -> Vec<FrameRecord> {
        crate::tracks::tests::frames_every(1.0 / 25.0, people)
    }

    fn track(id: u64) -> TrackRecord {
        TrackRecord {
            id: TrackId(id),
            team: Some(Team::A),
            role: Role::Player,
            frames: 0,
        }
    }

    fn positions(frames: &[FrameRecord], id: u64) -> Vec<Option<(f64, f64, bool)>> {
        frames
            .iter()
            .map(|f| {
                f.people
                    .iter()
                    .find(|p| p.id == TrackId(id))
                    .map(|p| (p.x, p.y, p.seen))
            })
            .collect()
    }

    #[test]
    fn a_runner_hidden_for_a_moment_is_placed_on_their_way() {
        // Person 1 runs along x at 5 m/s (0.2 m a frame) and is hidden for 10 frames.
        let people = (0..40)
            .map(|i| match i {
                15..25 => vec![],
                _ => vec![person(1, 0.2 * i as f64, 3.0)],
            })
            .collect();
        let mut frames = frames(people);
        let mut tracks = vec![track(1)];
        let filled = finish_trajectories(&mut frames, &mut tracks, 25.0, Default::default());
        assert_eq!(filled, 10);
        assert_eq!(tracks[0].frames, 40);
        for (i, at) in positions(&frames, 1).into_iter().enumerate() {
            let (x, y, seen) = at.expect("reported in every frame");
            // Straight-line motion is kept exactly (to the centimetre it is written to).
            assert!((x - 0.2 * i as f64).abs() < 0.011, "frame {i}: x {x}");
            assert!((y - 3.0).abs() < 0.011);
            assert_eq!(seen, !(15..25).contains(&i));
        }
        let filled_box = frames[20].people[0].bbox;
        assert!(
            (filled_box[0] - 4.0).abs() < 0.05,
            "box moves along: {filled_box:?}"
        );
    }

    #[test]
    fn long_gaps_and_impossible_runs_stay_empty() {
        // Two seconds hidden: too long to know.
        let long: Vec<Vec<PersonRecord>> = (0..80)
            .map(|i| match i {
                20..70 => vec![],
                _ => vec![person(1, 0.1 * i as f64, 0.0)],
            })
            .collect();
        // 20 m in half a second: nobody runs that fast, it is someone else.
        let far: Vec<Vec<PersonRecord>> = (0..40)
            .map(|i| match i {
                0..15 => vec![person(1, 0.0, 0.0)],
                15..27 => vec![],
                _ => vec![person(1, 20.0, 0.0)],
            })
            .collect();
        for people in [long, far] {
            let mut frames = frames(people);
            let empty = frames.iter().filter(|f| f.people.is_empty()).count();
            let filled =
                finish_trajectories(&mut frames, &mut [track(1)], 25.0, Default::default());
            assert_eq!(filled, 0);
            assert_eq!(frames.iter().filter(|f| f.people.is_empty()).count(), empty);
        }
    }

    #[test]
    fn jittery_feet_are_steadied_without_lag() {
        // A person walking at 1.5 m/s whose feet are found alternately 0.4 m nearer and
        // farther than they are (a pixel up and down, far from the cameras).
        let truth = |i: usize| 0.06 * i as f64;
        let people = (0..100)
            .map(|i| {
                let jitter = if i % 2 == 0 { 0.4 } else { -0.4 };
                vec![person(1, truth(i), 20.0 + jitter), person(2, -30.0, 0.0)]
            })
            .collect();
        let mut frames = frames(people);
        finish_trajectories(
            &mut frames,
            &mut [track(1), track(2)],
            25.0,
            Default::default(),
        );
        for (i, at) in positions(&frames, 1)
            .into_iter()
            .enumerate()
            .skip(15)
            .take(70)
        {
            let (x, y, _) = at.expect("reported");
            assert!((x - truth(i)).abs() < 0.011, "frame {i}: x {x} lags");
            assert!((y - 20.0).abs() < 0.05, "frame {i}: y {y} still jitters");
        }
        // The first and last frames have no neighbours on one side: left as they were.
        assert_eq!(positions(&frames, 1)[0], Some((0.0, 20.4, true)));
        assert!(positions(&frames, 2)
            .iter()
            .all(|p| *p == Some((-30.0, 0.0, true))));
    }
}
