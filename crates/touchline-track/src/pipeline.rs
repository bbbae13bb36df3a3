//! Detection and tracking of one panorama stream, frame by frame: what the CLI and the
//! GStreamer element both run.

use std::time::Instant;

use touchline_core::geometry::Panorama;
use touchline_core::warp::Frame;
use touchline_detect::panorama::{PanoramaDetector, PanoramaOptions};
use touchline_detect::scene::Scene;
use touchline_detect::OnnxDetector;

use crate::ball::{BallOptions, BallState, BallTracker};
use crate::bridge::{bridge_gaps, BridgeOptions};
use crate::flight::{reconstruct_flights, FlightOptions};
use crate::people::{PeopleOptions, PeopleTracker, PersonState};
use crate::relink::{relink, RelinkOptions, Relinked};
use crate::stature::Statures;
use crate::swaps::{undo_swaps, SwapOptions};
use crate::teams::{assign_teams, TrackSummary};
use crate::tracks::{BallRecord, FrameRecord, PersonRecord, TrackRecord};
use crate::trajectory::{finish_trajectories, TrajectoryOptions};
use crate::Result;

/// Side of the learned detector's square input when it looks at groups: a group of two
/// or three 30 px players, upscaled about three times.
pub const GROUP_CROP_PX: u32 = 128;

/// Everything tracked in one frame, and what each stage cost.
#[derive(Clone, Debug, PartialEq)]
pub struct FrameTracks {
    /// People.
    pub people: Vec<PersonState>,
    /// The ball, if known.
    pub ball: Option<BallState>,
    /// The ball in earlier frames that did not see it, learnt in this one (see
    /// [`crate::ball::BallTracker::recovered`]): frame and ball, for
    /// [`crate::tracks::fill_recovered`].
    pub recovered: Vec<(u64, BallRecord)>,
    /// Milliseconds in the background model and candidate extraction.
    pub foreground_ms: f64,
    /// Milliseconds in the learned detector.
    pub learned_ms: f64,
    /// Milliseconds in the people and ball trackers.
    pub tracking_ms: f64,
}

impl FrameTracks {
    /// The frame as written to tracks.json.
    pub fn record(&self, frame: u64, fps: f64) -> FrameRecord {
        FrameRecord {
            frame,
            time: (frame as f64 / fps * 1000.0).round() / 1000.0,
            people: self.people.iter().map(PersonRecord::from).collect(),
            ball: self.ball.as_ref().map(BallRecord::from),
        }
    }
}

/// Tuning of the whole tracker.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct TrackerOptions {
    /// Detection on the panorama.
    pub detection: PanoramaOptions,
    /// People.
    pub people: PeopleOptions,
    /// Ball.
    pub ball: BallOptions,
}

/// Detection and tracking over a panorama stream.
pub struct MatchTracker {
    detector: PanoramaDetector,
    people: PeopleTracker,
    ball: BallTracker,
    frames: u64,
}

impl MatchTracker {
    /// A tracker for a scene at a frame rate; the learned detector is the built-in
    /// NanoDet unless `options.detection.learned` is `None`.
    pub fn new(scene: Scene, fps: f64, options: TrackerOptions) -> Result<MatchTracker> {
        let learned = match options.detection.learned {
            Some(_) => Some(OnnxDetector::nanodet(GROUP_CROP_PX)?),
            None => None,
        };
        Self::with_detector(scene, fps, options, learned)
    }

    /// A tracker with a given learned detector (another ONNX model).
    pub fn with_detector(
        scene: Scene,
        fps: f64,
        options: TrackerOptions,
        learned: Option<OnnxDetector>,
    ) -> Result<MatchTracker> {
        if !(fps.is_finite() && fps > 0.0) {
            return Err(crate::Error::Input(format!(
                "frame rate {fps} must be positive"
            )));
        }
        Ok(MatchTracker {
            detector: PanoramaDetector::new(scene, options.detection, learned)?,
            people: PeopleTracker::new(scene, fps, options.people),
            ball: BallTracker::new(scene, options.ball),
            frames: 0,
        })
    }

    /// The scene.
    pub fn scene(&self) -> &Scene {
        self.detector.scene()
    }

    /// Frames processed.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// Detects and tracks in the next panorama frame (I420).
    pub fn process(&mut self, frame: &Frame) -> Result<FrameTracks> {
        self.detector.hold_background(self.people.places());
        let found = self.detector.detect(frame)?;
        let started = Instant::now();
        let people = self.people.update(&found.people);
        let ball = self.ball.update(&found.balls, &people);
        let recovered = self
            .ball
            .recovered()
            .iter()
            .map(|(frame, ball)| (*frame, BallRecord::from(ball)))
            .collect();
        self.frames += 1;
        Ok(FrameTracks {
            people,
            ball,
            recovered,
            foreground_ms: found.foreground_ms,
            learned_ms: found.learned_ms,
            tracking_ms: started.elapsed().as_secs_f64() * 1e3,
        })
    }

    /// Teams and roles of every track reported so far, decided from all of them.
    pub fn identities(&self) -> Vec<TrackRecord> {
        let reported: Vec<_> = self.people.reported().collect();
        let summaries: Vec<TrackSummary> = reported
            .iter()
            .map(|t| TrackSummary {
                id: t.id,
                colour: t.team_colour().unwrap_or(t.colour),
                samples: t.colour_samples,
                mean_x: t.position_sum[0] / t.reported as f64,
            })
            .collect();
        let (half_length, _) = self.scene().pitch.half();
        let assigned = assign_teams(&summaries, half_length);
        let mut records: Vec<TrackRecord> = reported
            .iter()
            .zip(assigned)
            .map(|(t, (_, a))| TrackRecord {
                id: t.id,
                team: a.team,
                role: a.role,
                frames: t.reported,
            })
            .collect();
        records.sort_by_key(|r| r.id);
        records
    }
}

/// What [`refine_recording`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Refined {
    /// Swaps of people between two tracks put back.
    pub swaps_undone: usize,
    /// Tracks joined, and ends split off.
    pub relinked: Relinked,
    /// Tracks joined across long gaps, where their heights agree.
    pub rejoined: Relinked,
    /// People placed across short gaps in their tracks.
    pub people_filled: usize,
    /// Balls placed on a flight.
    pub in_flight: usize,
    /// Balls placed across a short gap.
    pub bridged: usize,
}

/// The passes only a whole recording allows, over the frames and identities a
/// [`MatchTracker`] gave: two tracks that swapped people where they met put back
/// ([`crate::swaps`], by how tall each stands, [`crate::stature`]), tracks of one
/// person joined ([`crate::relink`], weighing their heights too), swaps put back
/// again (where the joined tracks meet), tracks joined across gaps of up to a minute
/// where their heights agree, and their short gaps filled and positions
/// steadied ([`crate::trajectory`]), lofted balls placed in the air
/// ([`crate::flight`]), then short gaps in the ball bridged ([`crate::bridge`])
/// between the sightings those leave.
pub fn refine_recording(
    frames: &mut [FrameRecord],
    identities: &mut Vec<TrackRecord>,
    panorama: &Panorama,
    fps: f64,
) -> Refined {
    let mut statures = Statures::measure(frames, panorama);
    let mut swaps_undone = undo_swaps(frames, identities, &mut statures, SwapOptions::default());
    let relinked = relink(frames, identities, &statures, RelinkOptions::default());
    // Two tracks the relink continued with each other's person where they came out of
    // a group meet there: put back as well, by heights alone (see
    // [`SwapOptions::after_relink`]).
    let mut statures = Statures::measure(frames, panorama);
    swaps_undone += undo_swaps(
        frames,
        identities,
        &mut statures,
        SwapOptions::after_relink(),
    );
    let rejoined = relink(
        frames,
        identities,
        &statures,
        RelinkOptions::across_long_gaps(),
    );
    let people_filled = finish_trajectories(frames, identities, fps, TrajectoryOptions::default());
    let in_flight = reconstruct_flights(frames, panorama, fps, FlightOptions::default());
    let bridged = bridge_gaps(frames, panorama, BridgeOptions::default());
    Refined {
        swaps_undone,
        relinked,
        rejoined,
        people_filled,
        in_flight,
        bridged,
    }
}
