//! How tall each track's person stands, offline: a cue to who they are that no kit
//! hides. Team-mates wear the same colours, but their heights differ (by 7 cm on
//! average in a squad), and the panorama measures a standing person well: the box's
//! bottom row gives the distance to their feet, its top row how high their head is at
//! that distance. One sighting is a few centimetres off (on the default rig's
//! panorama a pixel is 3 cm of height at 40 m, 6 cm at 80 m); the median of a track's
//! sightings is within 1–2 cm (30 single-person tracks of a simulated match).
//!
//! Only sightings that measure the person alone count: a box overlapping someone
//! else's may be the two of them, and a height no standing player has (arms raised for
//! a throw-in or a catch reach 2.4 m, a fall or a crouch is short) is not their
//! height.
//!
//! The same sightings measure a second cue: how light their head is (hair and face,
//! the top eighth of the box, which no kit covers; the tracker records it when it sees
//! someone whole). On a simulated 2-minute match, of the 19 pairs of outfield
//! team-mates within 3 cm of each other's height, 14 differ by more than 10 levels of
//! head luma, where a person's median over 25 sightings varies by 1–2. It depends on
//! where they stand, though (shadows, the blur at the far touchline: a person's median
//! differs by up to 7 levels between ends of the pitch), so it is only compared
//! between sightings close in time and place, as the swap pass's are.

use std::collections::HashMap;
use std::ops::RangeInclusive;

use nalgebra::Point2;
use touchline_core::geometry::Panorama;

use crate::people::TrackId;
use crate::tracks::{FrameRecord, PersonRecord};

/// Heights a standing player may have, metres.
const STANDING: RangeInclusive<f64> = 1.4..=2.15;
/// Fewest sightings whose median is a height: fewer are too easily one pose.
const MIN_SIGHTINGS: usize = 5;
/// How far apart, pixels, two boxes must be side by side for neither to hide part of
/// the other.
const APART_PX: f64 = 2.0;

/// Height, metres, of the top of a panorama box (x0, y0, x1, y1, pixel edges) above
/// the ground at its bottom centre, where a standing person's feet are; `None` when the
/// bottom is not below the horizon.
pub fn standing_height(panorama: &Panorama, bbox: &[f64; 4]) -> Option<f64> {
    let u = 0.5 * (bbox[0] + bbox[2]);
    // Edges to pixel-centre coordinates, as the panorama's pixels are addressed.
    let feet = panorama.ground_point(&Point2::new(u, bbox[3] - 0.5), 0.0)?;
    let head = panorama.ray(&Point2::new(u, bbox[1] - 0.5));
    let eye = panorama.centre();
    let distance = (feet - eye).xy().norm();
    Some(eye.z + head.z / head.xy().norm() * distance)
}

/// How a track's person looks over some stretch of time: the medians of their height
/// and, where it was measured as often, of their head's luma.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Look {
    /// Metres.
    pub height: f64,
    /// Luma of their hair and face (0–255), if measured.
    pub head: Option<f64>,
}

impl Look {
    /// How unlike two looks are, as a height difference in metres: their heights'
    /// difference, plus their heads' where both were measured, a level of luma
    /// weighing `metres_per_level`.
    pub fn unlike(&self, other: &Look, metres_per_level: f64) -> f64 {
        let head = match (self.head, other.head) {
            (Some(a), Some(b)) => (a - b).abs() * metres_per_level,
            _ => 0.0,
        };
        (self.height - other.height).abs() + head
    }
}

/// One sighting that measures a person.
#[derive(Clone, Copy, Debug)]
struct Sighting {
    time: f64,
    height: f64,
    head: Option<f64>,
}

/// Every track's measured heights and head lumas over time.
#[derive(Clone, Debug, Default)]
pub struct Statures {
    /// Each sighting that measures the person, in time order.
    by_track: HashMap<TrackId, Vec<Sighting>>,
}

impl Statures {
    /// The heights of everyone seen alone in `frames`.
    pub fn measure(frames: &[FrameRecord], panorama: &Panorama) -> Statures {
        let mut by_track: HashMap<TrackId, Vec<Sighting>> = HashMap::new();
        for frame in frames {
            for person in frame.people.iter().filter(|p| p.seen) {
                let alone = !frame
                    .people
                    .iter()
                    .any(|o| o.id != person.id && overlap(o, person));
                let height =
                    standing_height(panorama, &person.bbox).filter(|h| STANDING.contains(h));
                if let (true, Some(height)) = (alone, height) {
                    by_track.entry(person.id).or_default().push(Sighting {
                        time: frame.time,
                        height,
                        head: person.head.map(|colour| f64::from(colour[0])),
                    });
                }
            }
        }
        Statures { by_track }
    }

    /// The median height of `track` over the times in `during`, if it was measured
    /// there often enough.
    pub fn median(&self, track: TrackId, during: RangeInclusive<f64>) -> Option<f64> {
        let heights = self.during(track, &during).map(|s| s.height).collect();
        median(heights, MIN_SIGHTINGS)
    }

    /// How `track` looked over the times in `during`, if its height was measured there
    /// at least `sightings` times (its head counts if measured as often).
    pub fn look_of_at_least(
        &self,
        track: TrackId,
        during: RangeInclusive<f64>,
        sightings: usize,
    ) -> Option<Look> {
        let enough = sightings.max(1);
        let heights = self.during(track, &during).map(|s| s.height).collect();
        let heads = self.during(track, &during).filter_map(|s| s.head).collect();
        Some(Look {
            height: median(heights, enough)?,
            head: median(heads, enough),
        })
    }

    /// The sightings of `track` at times in `during`.
    fn during<'a>(
        &'a self,
        track: TrackId,
        during: &'a RangeInclusive<f64>,
    ) -> impl Iterator<Item = &'a Sighting> + 'a {
        self.by_track
            .get(&track)
            .into_iter()
            .flatten()
            .filter(move |s| during.contains(&s.time))
    }

    /// Gives track `a` the sightings `b` had after `time`, and `b` those `a` had: the
    /// two tracks' people exchanged from then on.
    pub fn exchange_after(&mut self, a: TrackId, b: TrackId, time: f64) {
        let mut tail = |id: TrackId| {
            let sightings = self.by_track.entry(id).or_default();
            let from = sightings.partition_point(|s| s.time <= time);
            sightings.split_off(from)
        };
        let (tail_a, tail_b) = (tail(a), tail(b));
        self.by_track.entry(a).or_default().extend(tail_b);
        self.by_track.entry(b).or_default().extend(tail_a);
    }
}

/// The median of `values`, if there are at least `enough`.
fn median(mut values: Vec<f64>, enough: usize) -> Option<f64> {
    if values.len() < enough {
        return None;
    }
    values.sort_by(f64::total_cmp);
    Some(values[values.len() / 2])
}

/// Whether two boxes overlap, or nearly touch side by side.
fn overlap(a: &PersonRecord, b: &PersonRecord) -> bool {
    a.bbox[0] < b.bbox[2] + APART_PX
        && a.bbox[2] > b.bbox[0] - APART_PX
        && a.bbox[1] < b.bbox[3]
        && a.bbox[3] > b.bbox[1]
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::flight::tests::panorama;
    use nalgebra::Point3;

    /// A person `height` metres tall standing at `feet` on the pitch, as the tracker
    /// reports them: the box's edges around their projection.
    pub(crate) fn standing(
        panorama: &Panorama,
        id: u64,
        feet: Point2<f64>,
        height: f64,
    ) -> PersonRecord {
        let bottom = panorama.project(&Point3::new(feet.x, feet.y, 0.0)).unwrap();
        let top = panorama
            .project(&Point3::new(feet.x, feet.y, height))
            .unwrap();
        let half_width = 0.2 * (bottom.y - top.y);
        PersonRecord {
            id: TrackId(id),
            x: feet.x,
            y: feet.y,
            bbox: [
                bottom.x - half_width + 0.5,
                top.y + 0.5,
                bottom.x + half_width + 0.5,
                bottom.y + 0.5,
            ],
            seen: true,
            head: None,
        }
    }

    #[test]
    fn a_box_gives_its_person_height_near_and_far() {
        let panorama = panorama();
        for feet in [Point2::new(0.0, -20.0), Point2::new(45.0, 30.0)] {
            for height in [1.65, 1.95] {
                let person = standing(&panorama, 1, feet, height);
                let measured = standing_height(&panorama, &person.bbox).unwrap();
                assert!((measured - height).abs() < 1e-6, "{measured} for {height}");
            }
        }
        // A box whose bottom is above the horizon stands on no ground.
        assert_eq!(standing_height(&panorama, &[100.0, 0.0, 110.0, 5.0]), None);
    }

    #[test]
    fn the_median_counts_people_alone_and_standing() {
        let panorama = panorama();
        let frames: Vec<FrameRecord> = (0..10)
            .map(|i| {
                let time = i as f64;
                // Track 1 is 1.80 m tall, alone but in frames 0–2, where track 2
                // (1.70 m) stands just behind; in frame 9 its arms are up (2.4 m).
                let mut people = vec![standing(
                    &panorama,
                    1,
                    Point2::new(10.0, 0.0),
                    if i == 9 { 2.4 } else { 1.8 },
                )];
                if i < 3 {
                    people.push(standing(&panorama, 2, Point2::new(10.0, 1.0), 1.7));
                }
                FrameRecord {
                    frame: i,
                    time,
                    people,
                    ball: None,
                }
            })
            .collect();
        let statures = Statures::measure(&frames, &panorama);
        let one = statures.median(TrackId(1), 0.0..=9.0).unwrap();
        assert!((one - 1.8).abs() < 1e-6);
        // Frames 3–8 are the sightings of it alone and standing: five are needed.
        assert!(statures.median(TrackId(1), 4.0..=9.0).is_some());
        assert_eq!(statures.median(TrackId(1), 5.0..=9.0), None);
        // Track 2 was never seen alone.
        assert_eq!(statures.median(TrackId(2), 0.0..=9.0), None);
    }

    #[test]
    fn a_look_has_a_head_where_it_was_measured_as_often_as_the_height() {
        let panorama = panorama();
        // Ten sightings of someone 1.80 m tall, their head's luma in the first six.
        let frames: Vec<FrameRecord> = (0..10)
            .map(|i| FrameRecord {
                frame: i,
                time: i as f64,
                people: vec![PersonRecord {
                    head: (i < 6).then_some([100.0 + i as f32, 128.0, 128.0]),
                    ..standing(&panorama, 1, Point2::new(10.0, 0.0), 1.8)
                }],
                ball: None,
            })
            .collect();
        let statures = Statures::measure(&frames, &panorama);
        let look = statures.look_of_at_least(TrackId(1), 0.0..=9.0, 5).unwrap();
        assert!((look.height - 1.8).abs() < 1e-6);
        assert_eq!(look.head, Some(103.0));
        let look = statures.look_of_at_least(TrackId(1), 0.0..=9.0, 8).unwrap();
        assert_eq!(look.head, None);
        // A head 40 levels darker weighs as much as 10 cm at 2.5 mm a level; unknown
        // heads weigh nothing.
        let dark = Look {
            height: 1.8,
            head: Some(60.0),
        };
        let fair = Look {
            head: Some(100.0),
            ..dark
        };
        assert!((dark.unlike(&fair, 0.0025) - 0.1).abs() < 1e-9);
        assert_eq!(dark.unlike(&Look { head: None, ..fair }, 0.0025), 0.0);
    }
}
