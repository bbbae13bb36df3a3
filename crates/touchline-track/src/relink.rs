//! Joining tracks offline. With the whole match at hand, a track that ends and another
//! that begins a moment later, where the same person could have run to, with the same
//! team and role, are most likely one person lost and found again (hidden in a group,
//! missed for a few frames). The live tracker cannot wait to know that; a recording
//! can.
//!
//! Links are chosen greedily, the most plausible first (nearest for the time it had,
//! then soonest), each track ending in at most one link and beginning at most one.

use std::collections::HashMap;

use nalgebra::Point2;

use crate::people::TrackId;
use crate::tracks::{FrameRecord, TrackRecord};

/// When two tracks may be one person.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RelinkOptions {
    /// Longest gap between one track's last sighting and the next one's first, seconds.
    pub max_gap_s: f64,
    /// Fastest a person runs, metres per second.
    pub top_speed_m_s: f64,
    /// Distance allowed on top of the run, for the error of two positions, metres.
    pub slack_m: f64,
}

impl Default for RelinkOptions {
    fn default() -> Self {
        RelinkOptions {
            max_gap_s: 4.0,
            top_speed_m_s: 7.0,
            slack_m: 2.0,
        }
    }
}

/// Where and when a track was first and last seen.
#[derive(Clone, Copy, Debug)]
struct Span {
    first: (f64, Point2<f64>),
    last: (f64, Point2<f64>),
}

/// Gives every track that continues an earlier one the earlier one's identity, in
/// `frames` and in `tracks` (whose frame counts are summed). Returns how many links
/// were made.
pub fn relink(
    frames: &mut [FrameRecord],
    tracks: &mut Vec<TrackRecord>,
    options: RelinkOptions,
) -> usize {
    let mut spans: HashMap<TrackId, Span> = HashMap::new();
    for frame in frames.iter() {
        for p in frame.people.iter().filter(|p| p.seen) {
            let at = (frame.time, Point2::new(p.x, p.y));
            spans
                .entry(p.id)
                .and_modify(|s| s.last = at)
                .or_insert(Span {
                    first: at,
                    last: at,
                });
        }
    }
    let identity: HashMap<TrackId, &TrackRecord> = tracks.iter().map(|t| (t.id, t)).collect();
    let same_kind = |a: TrackId, b: TrackId| match (identity.get(&a), identity.get(&b)) {
        (Some(a), Some(b)) => a.team == b.team && a.role == b.role,
        _ => false,
    };

    // Tracks by when they were first seen, to find those starting within a gap.
    let mut starts: Vec<(f64, TrackId)> = spans.iter().map(|(&id, s)| (s.first.0, id)).collect();
    starts.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut candidates: Vec<(f64, TrackId, TrackId)> = Vec::new();
    for (&a, span) in &spans {
        let (end, at) = span.last;
        let from = starts.partition_point(|s| s.0 <= end);
        for &(start, b) in starts[from..]
            .iter()
            .take_while(|s| s.0 <= end + options.max_gap_s)
        {
            if !same_kind(a, b) {
                continue;
            }
            let gap = start - end;
            let reach = options.slack_m + options.top_speed_m_s * gap;
            let distance = (spans[&b].first.1 - at).norm();
            if distance <= reach {
                let cost = distance / reach + 0.5 * gap / options.max_gap_s;
                candidates.push((cost, a, b));
            }
        }
    }
    candidates.sort_by(|x, y| x.0.total_cmp(&y.0).then((x.1, x.2).cmp(&(y.1, y.2))));
    let mut next: HashMap<TrackId, TrackId> = HashMap::new();
    let mut previous: HashMap<TrackId, TrackId> = HashMap::new();
    for (_, a, b) in candidates {
        if next.contains_key(&a) || previous.contains_key(&b) {
            continue;
        }
        next.insert(a, b);
        previous.insert(b, a);
    }

    // Each chain takes the identity of its first track.
    let root = |mut id: TrackId| {
        while let Some(&p) = previous.get(&id) {
            id = p;
        }
        id
    };
    let renamed: HashMap<TrackId, TrackId> = spans.keys().map(|&id| (id, root(id))).collect();
    for frame in frames.iter_mut() {
        for p in &mut frame.people {
            p.id = renamed.get(&p.id).copied().unwrap_or(p.id);
        }
        // A chain's tracks never share a frame they were seen in; an unseen report
        // of the earlier one gives way to the later one's sighting.
        frame.people.sort_by_key(|p| (p.id, !p.seen));
        frame.people.dedup_by_key(|p| p.id);
    }
    let mut merged: Vec<TrackRecord> = Vec::new();
    let mut index: HashMap<TrackId, usize> = HashMap::new();
    for track in tracks.drain(..) {
        let id = renamed.get(&track.id).copied().unwrap_or(track.id);
        match index.get(&id) {
            Some(&i) => merged[i].frames += track.frames,
            None => {
                index.insert(id, merged.len());
                merged.push(TrackRecord { id, ..track });
            }
        }
    }
    merged.sort_by_key(|t| t.id);
    *tracks = merged;
    next.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::teams::{Role, Team};
    use crate::tracks::PersonRecord;

    fn person(id: u64, x: f64, seen: bool) -> PersonRecord {
        PersonRecord {
            id: TrackId(id),
            x,
            y: 0.0,
            bbox: [0.0; 4],
            seen,
        }
    }

    fn track(id: u64, team: Team) -> TrackRecord {
        TrackRecord {
            id: TrackId(id),
            team: Some(team),
            role: Role::Player,
            frames: 10,
        }
    }

    /// One frame a second, with the people given.
    fn frames(people: Vec<Vec<PersonRecord>>) -> Vec<FrameRecord> {
        people
            .into_iter()
            .enumerate()
            .map(|(i, people)| FrameRecord {
                frame: i as u64,
                time: i as f64,
                people,
                ball: None,
            })
            .collect()
    }

    #[test]
    fn a_person_lost_and_found_nearby_keeps_one_identity() {
        // Track 1 runs to x = 2, is lost for two seconds, and track 2 begins at x = 8
        // (3 m/s); track 3, of the other team, begins there too.
        let mut frames = frames(vec![
            vec![person(1, 0.0, true)],
            vec![person(1, 2.0, true)],
            vec![person(1, 4.0, false)],
            vec![],
            vec![person(2, 8.0, true), person(3, 8.5, true)],
            vec![person(2, 11.0, true), person(3, 11.0, true)],
        ]);
        let mut tracks = vec![track(1, Team::A), track(2, Team::A), track(3, Team::B)];
        let links = relink(&mut frames, &mut tracks, RelinkOptions::default());
        assert_eq!(links, 1);
        let ids: Vec<Vec<u64>> = frames
            .iter()
            .map(|f| f.people.iter().map(|p| p.id.0).collect())
            .collect();
        assert_eq!(
            ids,
            vec![vec![1], vec![1], vec![1], vec![], vec![1, 3], vec![1, 3]]
        );
        assert_eq!(
            tracks
                .iter()
                .map(|t| (t.id.0, t.frames))
                .collect::<Vec<_>>(),
            vec![(1, 20), (3, 10)]
        );
    }

    #[test]
    fn tracks_too_far_apart_or_too_long_apart_stay_apart() {
        let options = RelinkOptions::default();
        // 30 m in one second: nobody runs that fast.
        let mut far = frames(vec![
            vec![person(1, 0.0, true)],
            vec![person(2, 30.0, true)],
        ]);
        // Ten seconds later: too long to be sure.
        let mut people = vec![vec![person(1, 0.0, true)]];
        people.extend(std::iter::repeat_n(Vec::new(), 9));
        people.push(vec![person(2, 1.0, true)]);
        let mut late = frames(people);
        // Overlapping in time: two people at once.
        let mut both = frames(vec![
            vec![person(1, 0.0, true)],
            vec![person(1, 0.0, true), person(2, 1.0, true)],
        ]);
        for frames in [&mut far, &mut late, &mut both] {
            let mut tracks = vec![track(1, Team::A), track(2, Team::A)];
            assert_eq!(relink(frames, &mut tracks, options), 0);
            assert_eq!(tracks.len(), 2);
        }
    }

    #[test]
    fn one_ending_links_to_the_nearest_beginning_only() {
        let mut frames = frames(vec![
            vec![person(1, 0.0, true)],
            vec![person(2, 5.0, true), person(3, 1.0, true)],
        ]);
        let mut tracks = vec![track(1, Team::A), track(2, Team::A), track(3, Team::A)];
        assert_eq!(
            relink(&mut frames, &mut tracks, RelinkOptions::default()),
            1
        );
        let ids: Vec<u64> = frames[1].people.iter().map(|p| p.id.0).collect();
        assert_eq!(ids, vec![1, 2]);
    }
}
