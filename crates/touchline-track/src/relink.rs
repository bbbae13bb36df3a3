//! Joining tracks offline. With the whole match at hand, a track that ends and another
//! that begins a moment later, where the same person could have run to, with the same
//! team and role, are most likely one person lost and found again (hidden in a group,
//! missed for a few frames). The live tracker cannot wait to know that; a recording
//! can.
//!
//! A track that went into a group with its person can also come out on someone else,
//! and end there, while a new track takes up its person. The link is then from a point
//! before the track's end: its last seconds are split off as a track of their own (they
//! followed someone else), and the rest joins the track that carried on with its
//! person. On three simulated 10-minute matches, allowing up to 16 s to be split off
//! raised people HOTA from 0.364 / 0.347 / 0.353 to 0.434 / 0.400 / 0.449.
//!
//! Team-mates look alike, so where one track ends and two begin nearby, the nearer may
//! well be the wrong one. How tall they stand tells many apart ([`crate::stature`]):
//! a difference between the two tracks' heights makes a link less plausible. On the
//! three matches this raised HOTA from 0.480 / 0.465 / 0.507 to 0.487 / 0.495 / 0.510.
//!
//! Over gaps longer than a few seconds, where anyone of the team could have come back,
//! only a track as tall is taken to be the same person
//! ([`RelinkOptions::across_long_gaps`]).
//!
//! Links are chosen greedily, the most plausible first (nearest for the time it had, of
//! the same height, soonest, least split off: see the costs below), each track ending
//! in at most one link and beginning at most one, and a link more likely to join two
//! people than one is not made at all.

use std::collections::{HashMap, HashSet};

use nalgebra::Point2;

use crate::people::TrackId;
use crate::stature::Statures;
use crate::tracks::{frames_per_track, FrameRecord, TrackRecord};

/// How far one person can get between two sightings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Reach {
    /// Fastest a person keeps up over a gap of a few seconds, metres per second. Not a
    /// sprint's peak: a reach that allows for the rare sprinter lets a team-mate who
    /// happens to be there take the identity far more often. On the three simulated
    /// 10-minute matches (seeds 7, 2, 3; players peak at 7–8.6 m/s, nine in ten of
    /// their one-second moves are slower than 5.7 m/s), 5 m/s instead of 7 raised
    /// people HOTA from 0.463 / 0.456 / 0.499 to 0.480 / 0.465 / 0.507, and IDF1 from
    /// 0.436 / 0.427 / 0.485 to 0.448 / 0.446 / 0.490; 4 m/s and gaps of 2 or 3 s instead
    /// of 4 moved single matches by up to 0.03 either way, no better on average.
    pub top_speed_m_s: f64,
    /// Distance allowed on top of the run, for the error of two positions, metres.
    pub slack_m: f64,
}

impl Default for Reach {
    fn default() -> Self {
        Reach {
            top_speed_m_s: 5.0,
            slack_m: 2.0,
        }
    }
}

impl Reach {
    /// The farthest, metres, two sightings `gap_s` seconds apart may be.
    pub fn metres(&self, gap_s: f64) -> f64 {
        self.slack_m + self.top_speed_m_s * gap_s
    }
}

/// When two tracks may be one person.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RelinkOptions {
    /// Longest gap between one track's last sighting and the next one's first, seconds.
    pub max_gap_s: f64,
    /// How far the person may have got over the gap.
    pub reach: Reach,
    /// Most of a track's end that may be split off to link the rest, seconds.
    pub max_split_s: f64,
    /// When set, a link needs both tracks' heights measured and at most this far
    /// apart, metres; otherwise a difference only makes it less plausible.
    pub max_height_difference_m: Option<f64>,
}

impl Default for RelinkOptions {
    fn default() -> Self {
        RelinkOptions {
            // Up to 4 s before links costing more than `MAX_LINK_COST` were refused;
            // with that limit, people HOTA on the three matches was 0.640 / 0.612 /
            // 0.633 at 4 s, 0.651 / 0.622 / 0.642 at 6 s, 0.657 / 0.623 / 0.640 at 7 s
            // and 0.641 / 0.606 / 0.628 at 10 s.
            max_gap_s: 6.0,
            reach: Reach::default(),
            max_split_s: 16.0,
            max_height_difference_m: None,
        }
    }
}

impl RelinkOptions {
    /// Links across gaps of up to a minute (someone out of sight that long, among
    /// others at a corner or behind a group, comes back as a new track), made only
    /// where the two tracks' heights agree within 3 cm and splitting nothing. Run after
    /// the default links, on what they left unjoined. On the three simulated 10-minute
    /// matches people HOTA rose from 0.533 / 0.529 / 0.556 to 0.544 / 0.549 / 0.583
    /// and IDF1 from 0.499 / 0.513 / 0.533 to 0.524 / 0.566 / 0.586; gaps of up to
    /// 20 s gained about half as much, up to 2 minutes no more; heights within 2 cm
    /// joined too few, within 4 cm too many team-mates.
    pub fn across_long_gaps() -> RelinkOptions {
        RelinkOptions {
            max_gap_s: 60.0,
            reach: Reach::default(),
            max_split_s: 0.0,
            max_height_difference_m: Some(0.03),
        }
    }
}

// A link's cost stands for how likely it is to join two different people. A
// logistic regression over every candidate link of three simulated 10-minute matches
// (labelled by whether the two tracks followed the same person over the 2 s either
// side of the link) weighed, against a link's distance as a fraction of its reach, a
// second split off at 0.075, a track whose height was not measured at 0.84, and put
// even odds at a cost of 2.1; fitted on two matches and scored on the third, people
// HOTA came out 0.608 / 0.577 / 0.627 against 0.547 / 0.591 / 0.611 with the weights
// before (1.25 a second split off, nothing for an unmeasured height, every link made,
// links that split nothing first). Its weight for the height difference (11 per metre)
// did worse than more, and the gap's did no better than 0.5, so those were tried on the
// matches instead. With the weights below, HOTA is 0.640 / 0.612 / 0.633 and 93 % of
// seed 7's links join one person, against 79 % before.

/// Cost of a link per second split off a track's end.
const SPLIT_COST_PER_S: f64 = 0.075;
/// Cost of a link per metre between the heights of its two tracks (each the median of
/// its sightings, the earlier one's up to the link): 2 cm weighs more than the whole
/// reach. On the three matches 45–80 per metre did about as well (mean HOTA
/// 0.615–0.626 with the other weights here, 0.628 with these), 11 and 30 worse (0.617
/// and 0.622).
const STATURE_COST_PER_M: f64 = 60.0;
/// Cost of a link where either track's height was not measured (a track seen only in
/// groups, or for a moment): 1.2 did as well, 0.5 worse (mean HOTA 0.608 against 0.626).
const UNMEASURED_COST: f64 = 1.0;
/// Most a link may cost. Of seed 7's links before there was a limit, those costing 1–2
/// joined one person 81 % of the time, 2–3 79 %, 3–6 68 %, 6–8 50 % and above 8 27 %;
/// with the weights above, limits of 1.9–2.5 did as well.
const MAX_LINK_COST: f64 = 2.0;

/// A possible link from one track to a later one.
struct Link {
    /// Whether the earlier track's end is split off.
    splits: bool,
    /// Lower is more plausible.
    cost: f64,
    /// The earlier track.
    from: TrackId,
    /// The later track.
    to: TrackId,
    /// The time of the earlier track's last sighting that is kept.
    kept_until: f64,
}

/// What [`relink`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Relinked {
    /// Tracks joined to an earlier one.
    pub links: usize,
    /// Track ends split off as tracks of their own.
    pub splits: usize,
}

/// Gives every track that continues an earlier one the earlier one's identity, in
/// `frames` and in `tracks` (whose frame counts are recounted), splitting off the end
/// of an earlier track where it was linked from before its end. `statures` are the
/// tracks' heights as measured in `frames`.
pub fn relink(
    frames: &mut [FrameRecord],
    tracks: &mut Vec<TrackRecord>,
    statures: &Statures,
    options: RelinkOptions,
) -> Relinked {
    let mut sightings: HashMap<TrackId, Vec<(f64, Point2<f64>)>> = HashMap::new();
    for frame in frames.iter() {
        for p in frame.people.iter().filter(|p| p.seen) {
            sightings
                .entry(p.id)
                .or_default()
                .push((frame.time, Point2::new(p.x, p.y)));
        }
    }
    let identity: HashMap<TrackId, &TrackRecord> = tracks.iter().map(|t| (t.id, t)).collect();
    let same_kind = |a: TrackId, b: TrackId| match (identity.get(&a), identity.get(&b)) {
        (Some(a), Some(b)) => a.is_same_kind(b),
        _ => false,
    };

    // Tracks by when they were first seen, to find those starting within a gap.
    let mut starts: Vec<(f64, TrackId)> = sightings.iter().map(|(&id, s)| (s[0].0, id)).collect();
    starts.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    // A later track's height is measured from its start on; an earlier one's up to the
    // link, measured once per link point and only if a link from there is in reach.
    let height_from_start: HashMap<TrackId, Option<f64>> = starts
        .iter()
        .map(|&(start, b)| (b, statures.median(b, start..=f64::INFINITY)))
        .collect();
    let mut candidates: Vec<Link> = Vec::new();
    for (&a, seen) in &sightings {
        let last = seen[seen.len() - 1].0;
        for &(end, at) in seen
            .iter()
            .rev()
            .take_while(|s| last - s.0 <= options.max_split_s)
        {
            let mut height_until_end: Option<Option<f64>> = None;
            let from = starts.partition_point(|s| s.0 <= end);
            for &(start, b) in starts[from..]
                .iter()
                .take_while(|s| s.0 <= end + options.max_gap_s)
            {
                if b == a || !same_kind(a, b) {
                    continue;
                }
                let gap = start - end;
                let reach = options.reach.metres(gap);
                let distance = (sightings[&b][0].1 - at).norm();
                if distance <= reach {
                    let heights = (
                        *height_until_end
                            .get_or_insert_with(|| statures.median(a, f64::NEG_INFINITY..=end)),
                        height_from_start[&b],
                    );
                    let unlike = match heights {
                        (Some(x), Some(y)) => Some((x - y).abs()),
                        _ => None,
                    };
                    let unlike_cost = match (unlike, options.max_height_difference_m) {
                        (Some(d), Some(limit)) if d > limit => continue,
                        (None, Some(_)) => continue,
                        (Some(d), _) => STATURE_COST_PER_M * d,
                        (None, None) => UNMEASURED_COST,
                    };
                    let cost = distance / reach
                        + 0.5 * gap / options.max_gap_s
                        + SPLIT_COST_PER_S * (last - end)
                        + unlike_cost;
                    if cost <= MAX_LINK_COST {
                        candidates.push(Link {
                            splits: end < last,
                            cost,
                            from: a,
                            to: b,
                            kept_until: end,
                        });
                    }
                }
            }
        }
    }
    candidates.sort_by(|x, y| {
        (x.cost.total_cmp(&y.cost))
            .then((x.from, x.to).cmp(&(y.from, y.to)))
            .then(y.kept_until.total_cmp(&x.kept_until))
    });
    let mut next: HashMap<TrackId, TrackId> = HashMap::new();
    let mut previous: HashMap<TrackId, TrackId> = HashMap::new();
    // Tracks linked from before their end: kept up to this time, then split off.
    let mut kept_until: HashMap<TrackId, f64> = HashMap::new();
    for link in candidates {
        if next.contains_key(&link.from) || previous.contains_key(&link.to) {
            continue;
        }
        next.insert(link.from, link.to);
        previous.insert(link.to, link.from);
        if link.splits {
            kept_until.insert(link.from, link.kept_until);
        }
    }

    // Each chain takes the identity of its first track; split-off ends take new ones.
    // Chains only go forward in time (a later track starts after the earlier one's
    // kept part), so they have no cycles.
    let root = |mut id: TrackId| {
        while let Some(&p) = previous.get(&id) {
            id = p;
        }
        id
    };
    let fresh = tracks.iter().map(|t| t.id.0).max().unwrap_or(0) + 1;
    let mut split: Vec<TrackId> = kept_until.keys().copied().collect();
    split.sort();
    let split_off: HashMap<TrackId, TrackId> = split
        .into_iter()
        .zip(fresh..)
        .map(|(id, n)| (id, TrackId(n)))
        .collect();
    let renamed = |id: TrackId, time: f64| match kept_until.get(&id) {
        Some(&until) if time > until => split_off[&id],
        _ => root(id),
    };
    for frame in frames.iter_mut() {
        let time = frame.time;
        frame.rename_tracks(|id| renamed(id, time));
        // A chain's tracks never share a frame they were seen in; an unseen report
        // of the earlier one gives way to the later one's sighting.
        frame.people.sort_by_key(|p| (p.id, !p.seen));
        frame.people.dedup_by_key(|p| p.id);
    }
    // Frames each identity is reported in, after renaming.
    let counts = frames_per_track(frames);
    let mut merged: Vec<TrackRecord> = Vec::new();
    let mut listed: HashSet<TrackId> = HashSet::new();
    for track in tracks.drain(..) {
        let ids = [Some(root(track.id)), split_off.get(&track.id).copied()];
        for id in ids.into_iter().flatten() {
            if listed.insert(id) {
                merged.push(TrackRecord {
                    id,
                    frames: counts.get(&id).copied().unwrap_or(0),
                    ..track
                });
            }
        }
    }
    merged.retain(|t| t.frames > 0);
    merged.sort_by_key(|t| t.id);
    *tracks = merged;
    Relinked {
        links: next.len(),
        splits: split_off.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ball::BallSource;
    use crate::teams::{Role, Team};
    use crate::tracks::{BallRecord, PersonRecord};
    use nalgebra::Point3;

    fn person(id: u64, x: f64, seen: bool) -> PersonRecord {
        PersonRecord {
            id: TrackId(id),
            x,
            y: 0.0,
            bbox: [0.0; 4],
            seen,
            head: None,
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

    /// [`relink`] with the default options, no heights measured.
    fn relink_without_heights(
        frames: &mut [FrameRecord],
        tracks: &mut Vec<TrackRecord>,
    ) -> Relinked {
        relink(
            frames,
            tracks,
            &Statures::default(),
            RelinkOptions::default(),
        )
    }

    /// One frame a second, with the people given.
    fn frames(people: Vec<Vec<PersonRecord>>) -> Vec<FrameRecord> {
        crate::tracks::tests::frames_every(1.0, people)
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
        // The ball is at the feet of track 2 in its last frame.
        frames[5].ball = Some(BallRecord::at(
            &Point3::new(11.0, 0.3, 0.11),
            &Point2::new(0.0, 0.0),
            BallSource::AtFeet(TrackId(2)),
        ));
        let mut tracks = vec![track(1, Team::A), track(2, Team::A), track(3, Team::B)];
        let relinked = relink_without_heights(&mut frames, &mut tracks);
        assert_eq!(
            relinked,
            Relinked {
                links: 1,
                splits: 0
            }
        );
        assert_eq!(
            frames[5].ball.as_ref().map(|b| b.source),
            Some(BallSource::AtFeet(TrackId(1))),
            "the ball names the joined identity"
        );
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
            vec![(1, 5), (3, 2)]
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
        // Two people at once, for longer than a track's end may be split off.
        let mut people = vec![vec![person(1, 0.0, true)]];
        people.extend(std::iter::repeat_n(
            vec![person(1, 0.0, true), person(2, 1.0, true)],
            20,
        ));
        let mut both = frames(people);
        for frames in [&mut far, &mut late, &mut both] {
            let mut tracks = vec![track(1, Team::A), track(2, Team::A)];
            assert_eq!(
                relink(frames, &mut tracks, &Statures::default(), options),
                Relinked::default()
            );
            assert_eq!(tracks.len(), 2);
        }
    }

    #[test]
    fn a_link_more_likely_to_join_two_people_than_one_is_not_made() {
        // Heights unmeasured and a gap of 3 s (a reach of 17 m): 8 m away is near
        // enough to link, 15 m is not, though the person could have run that far.
        for (distance, links) in [(8.0, 1), (15.0, 0)] {
            let mut frames = frames(vec![
                vec![person(1, 0.0, true)],
                vec![],
                vec![],
                vec![person(2, distance, true)],
            ]);
            let mut tracks = vec![track(1, Team::A), track(2, Team::A)];
            let relinked = relink_without_heights(&mut frames, &mut tracks);
            assert_eq!(relinked.links, links, "{distance} m away");
        }
    }

    #[test]
    fn one_ending_links_to_the_nearest_beginning_only() {
        let mut frames = frames(vec![
            vec![person(1, 0.0, true)],
            vec![person(2, 5.0, true), person(3, 1.0, true)],
        ]);
        let mut tracks = vec![track(1, Team::A), track(2, Team::A), track(3, Team::A)];
        assert_eq!(relink_without_heights(&mut frames, &mut tracks).links, 1);
        let ids: Vec<u64> = frames[1].people.iter().map(|p| p.id.0).collect();
        assert_eq!(ids, vec![1, 2]);
    }

    /// Track 1 follows its person along y = 0 for 5 s, then comes out of a group on
    /// someone else who runs off from y = 2, 3 m/s away, for `wrong_s` seconds.
    /// Track 2 takes up the first person a second after the swap, 1 m on, and follows
    /// them to the end.
    fn swapped_in_a_group(wrong_s: usize) -> Vec<FrameRecord> {
        let people = (0..5 + wrong_s)
            .map(|t| {
                if t <= 4 {
                    return vec![person(1, t as f64, true)];
                }
                let elsewhere = PersonRecord {
                    y: 2.0 + 3.0 * (t - 5) as f64,
                    ..person(1, 4.0, true)
                };
                vec![elsewhere, person(2, t as f64, true)]
            })
            .collect();
        frames(people)
    }

    #[test]
    fn a_track_that_came_out_of_a_group_on_someone_else_splits_and_its_person_links_on() {
        let mut frames = swapped_in_a_group(4);
        let mut tracks = vec![track(1, Team::A), track(2, Team::A)];
        let relinked = relink_without_heights(&mut frames, &mut tracks);
        assert_eq!(
            relinked,
            Relinked {
                links: 1,
                splits: 1
            }
        );
        // The first person is one identity all along; the one track 1 came out on is
        // a new one, 3.
        let on_the_line: Vec<u64> = frames
            .iter()
            .map(|f| f.people.iter().find(|p| p.y == 0.0).map_or(0, |p| p.id.0))
            .collect();
        assert_eq!(on_the_line, vec![1; 9]);
        let off_it: Vec<u64> = frames
            .iter()
            .flat_map(|f| f.people.iter().filter(|p| p.y != 0.0).map(|p| p.id.0))
            .collect();
        assert_eq!(off_it, vec![3; 4]);
        let counts: Vec<(u64, u32)> = tracks.iter().map(|t| (t.id.0, t.frames)).collect();
        assert_eq!(counts, vec![(1, 9), (3, 4)]);
    }

    #[test]
    fn no_more_than_the_longest_split_is_given_up_for_a_link() {
        // On someone else for 20 s, longer than the 16 s that may be split off.
        let mut frames = swapped_in_a_group(20);
        let mut tracks = vec![track(1, Team::A), track(2, Team::A)];
        let relinked = relink_without_heights(&mut frames, &mut tracks);
        assert_eq!(relinked, Relinked::default());
        assert_eq!(tracks.len(), 2);
    }

    #[test]
    fn of_two_team_mates_where_one_was_lost_the_one_as_tall_carries_on() {
        // Track 1 (1.80 m) walks to x = 4 and is lost; two seconds later track 2, as
        // tall, begins 3 m on, and track 3, 10 cm shorter, 2.5 m on: nearer.
        let panorama = crate::flight::tests::panorama();
        let at = |id, x, y, height| {
            crate::stature::tests::standing(&panorama, id, Point2::new(x, y), height)
        };
        let people = (0..11)
            .map(|t| match t as f64 {
                t if t <= 4.0 => vec![at(1, t, 0.0, 1.8)],
                t if t < 6.0 => vec![],
                t => vec![at(2, 1.0 + t, 0.0, 1.8), at(3, 5.5, t - 4.0, 1.7)],
            })
            .collect();
        let frames = frames(people);
        let tracks = vec![track(1, Team::A), track(2, Team::A), track(3, Team::A)];
        let successor = |statures: &Statures| {
            let (mut frames, mut tracks) = (frames.clone(), tracks.clone());
            relink(&mut frames, &mut tracks, statures, RelinkOptions::default());
            let last = &frames[10].people;
            last.iter().find(|p| p.id == TrackId(1)).map(|p| p.y)
        };
        // By distance alone, the shorter one would take the identity.
        assert_eq!(successor(&Statures::default()), Some(6.0));
        assert_eq!(successor(&Statures::measure(&frames, &panorama)), Some(0.0));
    }

    #[test]
    fn across_a_long_gap_only_a_track_as_tall_carries_on() {
        // Track 1 (1.80 m) is seen for ten seconds and lost for forty; then track 2,
        // 4 cm shorter, begins nearer where it was lost than track 3, 1 cm taller, and
        // track 4, whose height was never measured alone (it stands beside track 5).
        let panorama = crate::flight::tests::panorama();
        let at = |id, x, y, height| {
            crate::stature::tests::standing(&panorama, id, Point2::new(x, y), height)
        };
        let people = (0..60)
            .map(|t| match t as f64 {
                t if t < 10.0 => vec![at(1, t, 0.0, 1.8)],
                t if t < 50.0 => vec![],
                _ => vec![
                    at(2, 10.0, 1.0, 1.76),
                    at(3, 10.0, 12.0, 1.81),
                    at(4, 12.0, -3.0, 1.8),
                    at(5, 12.0, -3.5, 1.7),
                ],
            })
            .collect();
        let mut frames = frames(people);
        let statures = Statures::measure(&frames, &panorama);
        let mut tracks: Vec<TrackRecord> = (1..=5).map(|id| track(id, Team::A)).collect();
        // The default links do not reach across forty seconds.
        let (mut unjoined, mut same) = (frames.clone(), tracks.clone());
        relink(
            &mut unjoined,
            &mut same,
            &statures,
            RelinkOptions::default(),
        );
        assert_eq!(unjoined, frames);
        let relinked = relink(
            &mut frames,
            &mut tracks,
            &statures,
            RelinkOptions::across_long_gaps(),
        );
        assert_eq!(relinked.links, 1);
        let last = &frames[59].people;
        let one = last.iter().find(|p| p.id == TrackId(1)).unwrap();
        assert_eq!(one.y, 12.0);
        assert_eq!(tracks.len(), 4);
    }
}
