//! Two tracks that swapped people where they met, put back, offline.
//!
//! Two team-mates who run into each other merge into one silhouette, and the tracker
//! may bring each track out on the other person: same kit, so nothing in the picture
//! told it. Both tracks then carry on, each with the wrong person, and the offline
//! relink (which joins a track's end to another's start, [`crate::relink`]) has no end
//! to work on. How tall the two stand tells them apart ([`crate::stature`]): when the
//! heights each track measured before the meeting match the other track's after it
//! better than its own, by a margin that the measuring's noise rarely reaches, the two
//! tracks exchange their people from the moment they were closest.
//!
//! A single sighting's height is a few centimetres off, the same way for several
//! frames at a time (a pixel of the panorama is 3–6 cm of height), so the evidence is
//! the median of at least 0.4 s of sightings of each track alone, within 15 s on
//! each side of the meeting. The pass runs twice: before the relink, and after it,
//! where two joined tracks that came out of a group on each other's person meet there.
//! On the three simulated 10-minute matches (seeds 7, 2, 3) it put back 15 / 9 / 15
//! swaps, and people HOTA rose from 0.487 / 0.495 / 0.510 to 0.533 / 0.529 / 0.556,
//! IDF1 from 0.464 / 0.470 / 0.493 to 0.499 / 0.513 / 0.533 (one swap put back
//! restores many seconds of two tracks). Before the relink only: 0.514 / 0.529 /
//! 0.554. Deciding on fewer sightings (10 in 8 s) or a margin of 2 cm put back more
//! swaps and gained less; deciding on three heights where the fourth was not measured
//! moved single matches by ±0.015, no better on average; and splitting tracks where
//! their height alone steps (by 4–8 cm) for the relink to join again gained as much on
//! one match as it lost on another.
//!
//! Where all four were measured, the pass before the relink weighs the tracks' head
//! lumas too ([`crate::stature::Look`]; a level as much as 2.5 mm of height): of the
//! meetings in which the truth shows a swap (9 / 6 / 8 with every look measured),
//! heights alone put back 5 / 5 / 6, with heads 7 / 5 / 8, and neither exchanged a
//! pair that had not swapped. People HOTA at the end rose from 0.544 / 0.549 / 0.583
//! to 0.555 / 0.551 / 0.584, IDF1 from 0.524 / 0.566 / 0.586 to 0.545 / 0.566 / 0.590.
//! A level weighing 5 mm did no better (0.555 / 0.548 on seeds 7 and 2). Weighing
//! heads in the relink's costs as well lost 0.019 on seed 3 and gained 0.002 at most
//! on the others; requiring them to agree within 6 or 12 levels for a long-gap join
//! halved those joins and lost a little on seed 7 (a person's head luma changes
//! across the pitch, [`crate::stature`]).

use std::collections::HashMap;

use crate::people::TrackId;
use crate::stature::{Look, Statures};
use crate::tracks::{frames_per_track, FrameRecord, TrackRecord};

/// When two tracks that met are taken to have swapped people.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SwapOptions {
    /// Two tracks closer than this on the pitch have met, metres.
    pub near_m: f64,
    /// Two spells close together, less than this apart, are one meeting, seconds.
    pub apart_s: f64,
    /// How long before and after a meeting each track's height is measured over,
    /// seconds.
    pub window_s: f64,
    /// Fewest sightings that measure a track's height on either side. Since session
    /// 29's relink costs, 10 (0.4 s) puts back more swaps than 25 did (seed 7: 17
    /// against 12) and people HOTA on the three matches rose from 0.651 / 0.622 /
    /// 0.642 to 0.660 / 0.624 / 0.651; 5 and 15 did about as well, 50 worse.
    pub min_sightings: usize,
    /// How much better, metres (the two tracks' differences added), the heights must
    /// match exchanged than as they are.
    pub margin_m: f64,
    /// How much a level of difference in head luma weighs, as metres of height, where
    /// all four heads were measured (0: heights alone decide).
    pub head_m_per_level: f64,
}

impl Default for SwapOptions {
    fn default() -> Self {
        SwapOptions {
            near_m: 2.5,
            apart_s: 1.5,
            window_s: 15.0,
            min_sightings: 10,
            margin_m: 0.04,
            head_m_per_level: 0.0025,
        }
    }
}

impl SwapOptions {
    /// For the pass after the relink: heights alone decide. With heads as well, on
    /// the simulated match of seed 2 that pass made four more exchanges and people
    /// HOTA fell from 0.551 to 0.526 (seeds 7 and 3: +0.004 each). One at a time: the
    /// two the truth shows putting two people back on their tracks for the 15 s either
    /// side moved it by +0.003 and −0.001; one between tracks whose heights both
    /// changed by 10–15 cm across the meeting (neither pairing matched; heads tipped a
    /// tie) by −0.007; one where all four heights agreed within about 2 cm and the heads
    /// clearly changed places by −0.016 (the truth could not say who those tracks
    /// held). Too few to tell a rule from; heads are not used there.
    pub fn after_relink() -> SwapOptions {
        SwapOptions {
            head_m_per_level: 0.0,
            ..SwapOptions::default()
        }
    }
}

/// Two tracks within [`SwapOptions::near_m`] of each other for a while.
#[derive(Clone, Copy, Debug)]
struct Meeting {
    a: TrackId,
    b: TrackId,
    start: f64,
    end: f64,
    /// When they were closest, and how close, metres.
    closest: (f64, f64),
}

/// Every meeting of two tracks of the same team and role, in the order they ended.
fn meetings(frames: &[FrameRecord], tracks: &[TrackRecord], options: &SwapOptions) -> Vec<Meeting> {
    let kind: HashMap<TrackId, &TrackRecord> = tracks.iter().map(|t| (t.id, t)).collect();
    let alike = |a: TrackId, b: TrackId| match (kind.get(&a), kind.get(&b)) {
        (Some(a), Some(b)) => a.team.is_some() && a.is_same_kind(b),
        _ => false,
    };
    let mut open: HashMap<(TrackId, TrackId), Meeting> = HashMap::new();
    let mut done = Vec::new();
    for frame in frames {
        for (i, p) in frame.people.iter().enumerate() {
            for q in &frame.people[i + 1..] {
                let distance = (p.x - q.x).hypot(p.y - q.y);
                if distance > options.near_m || !alike(p.id, q.id) {
                    continue;
                }
                let (a, b) = if p.id < q.id {
                    (p.id, q.id)
                } else {
                    (q.id, p.id)
                };
                let fresh = Meeting {
                    a,
                    b,
                    start: frame.time,
                    end: frame.time,
                    closest: (frame.time, distance),
                };
                let meeting = open.entry((a, b)).or_insert(fresh);
                if frame.time - meeting.end > options.apart_s {
                    done.push(std::mem::replace(meeting, fresh));
                    continue;
                }
                meeting.end = frame.time;
                if distance < meeting.closest.1 {
                    meeting.closest = (frame.time, distance);
                }
            }
        }
    }
    done.extend(open.into_values());
    done.sort_by(|x, y| x.end.total_cmp(&y.end).then((x.a, x.b).cmp(&(y.a, y.b))));
    done
}

/// Exchanges the people of two tracks that met where their heights say they swapped,
/// in `frames` and in `statures` (measured in them), and recounts `tracks`' frames.
/// Returns how many swaps were put back.
pub fn undo_swaps(
    frames: &mut [FrameRecord],
    tracks: &mut [TrackRecord],
    statures: &mut Statures,
    options: SwapOptions,
) -> usize {
    let mut meetings = meetings(frames, tracks, &options);
    let mut undone = 0;
    for k in 0..meetings.len() {
        let Meeting {
            a, b, start, end, ..
        } = meetings[k];
        let look = |track: TrackId, during| {
            statures.look_of_at_least(track, during, options.min_sightings)
        };
        let (Some(a_before), Some(b_before), Some(a_after), Some(b_after)) = (
            look(a, start - options.window_s..=start),
            look(b, start - options.window_s..=start),
            look(a, end..=end + options.window_s),
            look(b, end..=end + options.window_s),
        ) else {
            continue;
        };
        // Heads count only where all four were measured: one missing would weigh
        // the two pairings differently.
        let heads = [a_before, b_before, a_after, b_after]
            .iter()
            .all(|look| look.head.is_some());
        let per_level = if heads { options.head_m_per_level } else { 0.0 };
        let unlike = |x: &Look, y: &Look| x.unlike(y, per_level);
        let kept = unlike(&a_before, &a_after) + unlike(&b_before, &b_after);
        let exchanged = unlike(&a_before, &b_after) + unlike(&b_before, &a_after);
        if exchanged + options.margin_m >= kept {
            continue;
        }
        let time = meetings[k].closest.0;
        exchange_after(frames, a, b, time);
        statures.exchange_after(a, b, time);
        // Later meetings of either track are now the other's.
        for later in &mut meetings[k + 1..] {
            if later.start > time {
                let (x, y) = (swapped_id(later.a, a, b), swapped_id(later.b, a, b));
                (later.a, later.b) = (x.min(y), x.max(y));
            }
        }
        undone += 1;
    }
    if undone > 0 {
        let counts = frames_per_track(frames);
        for track in tracks.iter_mut() {
            track.frames = counts.get(&track.id).copied().unwrap_or(0);
        }
    }
    undone
}

/// `id`, with `a` and `b` exchanged.
fn swapped_id(id: TrackId, a: TrackId, b: TrackId) -> TrackId {
    match id {
        id if id == a => b,
        id if id == b => a,
        id => id,
    }
}

/// Names `a` what was `b` after `time`, and `b` what was `a`: the people and the ball at
/// their feet.
fn exchange_after(frames: &mut [FrameRecord], a: TrackId, b: TrackId, time: f64) {
    for frame in frames.iter_mut().filter(|f| f.time > time) {
        frame.rename_tracks(|id| swapped_id(id, a, b));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ball::BallSource;
    use crate::flight::tests::panorama;
    use crate::stature::tests::standing;
    use crate::teams::{Role, Team};
    use crate::tracks::{BallRecord, PersonRecord};
    use nalgebra::{Point2, Point3};

    const FPS: f64 = 25.0;

    fn track(id: u64, team: Team) -> TrackRecord {
        TrackRecord {
            id: TrackId(id),
            team: Some(team),
            role: Role::Player,
            frames: 0,
        }
    }

    /// Two people, 1.70 m and 1.86 m tall, run towards each other along the halfway
    /// line for four seconds, meet at x = 0 and run on past each other. Track 1 is
    /// on the short one up to the meeting and track 2 on the tall one; after it,
    /// with `swapped`, track 1 follows the tall one. The ball is at track 1's feet
    /// at the end.
    fn meeting(swapped: bool) -> Vec<FrameRecord> {
        meeting_of([(1.70, None), (1.86, None)], swapped)
    }

    /// [`meeting`] of two people of these heights and head lumas (the first is the
    /// one track 1 follows up to the meeting).
    fn meeting_of(people: [(f64, Option<f32>); 2], swapped: bool) -> Vec<FrameRecord> {
        let panorama = panorama();
        let seen = |id, feet, (height, head): (f64, Option<f32>)| PersonRecord {
            head: head.map(|luma| [luma, 128.0, 128.0]),
            ..standing(&panorama, id, feet, height)
        };
        (0..=(8.0 * FPS) as u64)
            .map(|i| {
                let time = i as f64 / FPS;
                // Each runs at 2.5 m/s; they pass within a metre at four seconds.
                let x = 2.5 * (time - 4.0);
                let (short, tall) = (Point2::new(x, 0.0), Point2::new(-x, 1.0));
                let (one, two) = if swapped && time > 4.0 {
                    (tall, short)
                } else {
                    (short, tall)
                };
                let (first, second) = if swapped && time > 4.0 {
                    (people[1], people[0])
                } else {
                    (people[0], people[1])
                };
                let people = vec![seen(1, one, first), seen(2, two, second)];
                let ball = BallRecord::at(
                    &Point3::new(one.x, one.y, 0.11),
                    &Point2::new(0.0, 0.0),
                    BallSource::AtFeet(TrackId(1)),
                );
                FrameRecord {
                    frame: i,
                    time,
                    people,
                    ball: Some(ball),
                }
            })
            .collect()
    }

    fn undo(frames: &mut [FrameRecord], tracks: &mut [TrackRecord]) -> usize {
        let mut statures = Statures::measure(frames, &panorama());
        undo_swaps(frames, tracks, &mut statures, SwapOptions::default())
    }

    /// Where track `id` is at the end.
    fn last_x(frames: &[FrameRecord], id: u64) -> f64 {
        let last = frames.last().unwrap();
        last.people.iter().find(|p| p.id == TrackId(id)).unwrap().x
    }

    #[test]
    fn team_mates_swapped_where_they_met_are_put_back() {
        let mut frames = meeting(true);
        let mut tracks = vec![track(1, Team::A), track(2, Team::A)];
        assert_eq!(undo(&mut frames, &mut tracks), 1);
        // Track 1 followed the short one, who ends at x = +10, track 2 the tall one.
        assert!((last_x(&frames, 1) - 10.0).abs() < 0.01);
        assert!((last_x(&frames, 2) + 10.0).abs() < 0.01);
        // Up to the meeting nothing changed.
        let first = &frames[0].people;
        assert_eq!((first[0].id, first[0].x), (TrackId(1), -10.0));
        // The ball at the feet of "track 1" after the meeting was at the tall one's:
        // it is track 2's now.
        let ball = frames.last().unwrap().ball.as_ref().unwrap();
        assert_eq!(ball.source, BallSource::AtFeet(TrackId(2)));
        assert_eq!(tracks.iter().map(|t| t.frames).sum::<u32>(), 2 * 201);
    }

    /// Asserts that nothing is exchanged between tracks of these teams.
    fn left_alone(frames: Vec<FrameRecord>, teams: [Team; 2]) {
        let (mut after, mut tracks) =
            (frames.clone(), vec![track(1, teams[0]), track(2, teams[1])]);
        assert_eq!(undo(&mut after, &mut tracks), 0);
        assert_eq!(after, frames);
    }

    #[test]
    fn team_mates_who_kept_their_tracks_keep_them() {
        left_alone(meeting(false), [Team::A, Team::A]);
    }

    #[test]
    fn team_mates_as_tall_are_told_apart_by_their_heads() {
        // A centimetre apart: heights alone cannot tell them.
        let alike = [(1.78, None), (1.79, None)];
        left_alone(meeting_of(alike, true), [Team::A, Team::A]);
        // Dark hair and fair: put back.
        let mut frames = meeting_of([(1.78, Some(90.0)), (1.79, Some(150.0))], true);
        let mut tracks = vec![track(1, Team::A), track(2, Team::A)];
        assert_eq!(undo(&mut frames, &mut tracks), 1);
        assert!((last_x(&frames, 1) - 10.0).abs() < 0.01);
        // The same heads on people who kept their tracks change nothing.
        let kept = meeting_of([(1.78, Some(90.0)), (1.79, Some(150.0))], false);
        left_alone(kept, [Team::A, Team::A]);
    }

    #[test]
    fn opponents_are_never_exchanged() {
        // Kits tell opponents apart: a swap between them is the live tracker's to
        // catch, and heights that seem to change across their meeting are not enough.
        left_alone(meeting(true), [Team::A, Team::B]);
    }

    #[test]
    fn heights_measured_too_briefly_decide_nothing() {
        // Each track seen alone for about 0.3 s before the meeting: fewer sightings
        // than `SwapOptions::min_sightings` (with 3 the swap would be put back).
        let frames = meeting(true)
            .into_iter()
            .filter(|f| f.time >= 3.4)
            .collect();
        left_alone(frames, [Team::A, Team::A]);
    }
}
