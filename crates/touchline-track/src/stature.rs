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

/// Every track's measured heights over time.
#[derive(Clone, Debug, Default)]
pub struct Statures {
    /// (time, height) of each sighting that measures the person, in time order.
    by_track: HashMap<TrackId, Vec<(f64, f64)>>,
}

impl Statures {
    /// The heights of everyone seen alone in `frames`.
    pub fn measure(frames: &[FrameRecord], panorama: &Panorama) -> Statures {
        let mut by_track: HashMap<TrackId, Vec<(f64, f64)>> = HashMap::new();
        for frame in frames {
            for person in frame.people.iter().filter(|p| p.seen) {
                let alone = !frame
                    .people
                    .iter()
                    .any(|o| o.id != person.id && overlap(o, person));
                let height =
                    standing_height(panorama, &person.bbox).filter(|h| STANDING.contains(h));
                if let (true, Some(height)) = (alone, height) {
                    by_track
                        .entry(person.id)
                        .or_default()
                        .push((frame.time, height));
                }
            }
        }
        Statures { by_track }
    }

    /// The median height of `track` over the times in `during`, if it was measured
    /// there often enough.
    pub fn median(&self, track: TrackId, during: RangeInclusive<f64>) -> Option<f64> {
        self.median_of_at_least(track, during, MIN_SIGHTINGS)
    }

    /// The median height of `track` over the times in `during`, if it was measured
    /// there at least `sightings` times.
    pub fn median_of_at_least(
        &self,
        track: TrackId,
        during: RangeInclusive<f64>,
        sightings: usize,
    ) -> Option<f64> {
        let mut heights: Vec<f64> = self
            .by_track
            .get(&track)?
            .iter()
            .filter(|(time, _)| during.contains(time))
            .map(|&(_, height)| height)
            .collect();
        if heights.len() < sightings.max(1) {
            return None;
        }
        heights.sort_by(f64::total_cmp);
        Some(heights[heights.len() / 2])
    }

    /// Gives track `a` the sightings `b` had after `time`, and `b` those `a` had: the
    /// two tracks' people exchanged from then on.
    pub fn exchange_after(&mut self, a: TrackId, b: TrackId, time: f64) {
        let mut tail = |id: TrackId| {
            let sightings = self.by_track.entry(id).or_default();
            let from = sightings.partition_point(|&(t, _)| t <= time);
            sightings.split_off(from)
        };
        let (tail_a, tail_b) = (tail(a), tail(b));
        self.by_track.entry(a).or_default().extend(tail_b);
        self.by_track.entry(b).or_default().extend(tail_a);
    }
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
}
