//! `tracks.json`, the tracker's output, and its MOTChallenge CSV export.
//!
//! ```text
//! {
//!   "format": "touchline-tracks/1", "fps": 25,
//!   "panorama": {...the rig's panorama...}, "pitch": {...the rig's pitch...},
//!   "frames": [
//!     {"frame": 0, "time": 0.0,
//!      "people": [{"id": 3, "x": -12.31, "y": 4.02, "box": [x0, y0, x1, y1], "seen": true,
//!                  "head": [y, cb, cr]}, ...],
//!      "ball": {"u": 1910.5, "v": 420.0, "x": 0.12, "y": -0.4, "z": 0.11, "source": "seen"}},
//!     ...
//!   ],
//!   "people": [{"id": 3, "team": "a", "role": "player", "frames": 14210}, ...]
//! }
//! ```
//! Positions are pitch metres (origin at the centre spot, x along the length), boxes
//! panorama pixels; `head` is the mean colour of the top of the box (hair and face),
//! given when the person was seen whole. `ball` is `null` in frames where the ball is
//! not known; its `source` is `seen`, `predicted`, `{"at_feet": id}` or `bridged`.
//! `people` at the end gives each track's team (`a`, `b` or `null` for the referee)
//! and role, decided over the whole recording.

use std::collections::HashMap;
use std::io::{self, Write};

use nalgebra::{Point2, Point3};
use serde::{Deserialize, Serialize};
use touchline_core::geometry::panorama::Panorama;
use touchline_core::geometry::pitch::Pitch;

use crate::ball::{BallSource, BallState};
use crate::people::{PersonState, TrackId};
use crate::teams::{Role, Team};

/// The format line of a tracks file.
pub const TRACKS_FORMAT: &str = "touchline-tracks/1";

/// `v` to `decimals` places, as tracks.json writes positions (2) and boxes (1).
pub(crate) fn round(v: f64, decimals: i32) -> f64 {
    let k = 10f64.powi(decimals);
    (v * k).round() / k
}

/// How many frames each track is reported in.
pub fn frames_per_track(frames: &[FrameRecord]) -> HashMap<TrackId, u32> {
    let mut counts: HashMap<TrackId, u32> = HashMap::new();
    for p in frames.iter().flat_map(|f| &f.people) {
        *counts.entry(p.id).or_default() += 1;
    }
    counts
}

/// One person in one frame.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PersonRecord {
    /// Track.
    pub id: TrackId,
    /// Pitch metres.
    pub x: f64,
    /// Pitch metres.
    pub y: f64,
    /// Panorama box: x0, y0, x1, y1.
    #[serde(rename = "box")]
    pub bbox: [f64; 4],
    /// Seen this frame (otherwise predicted).
    pub seen: bool,
    /// Mean colour (Y, Cb, Cr) of the top of the box, their hair and face, when seen
    /// whole this frame.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head: Option<[f32; 3]>,
}

impl From<&PersonState> for PersonRecord {
    fn from(p: &PersonState) -> Self {
        PersonRecord {
            id: p.id,
            x: round(p.position.x, 2),
            y: round(p.position.y, 2),
            bbox: [p.bbox.x0, p.bbox.y0, p.bbox.x1, p.bbox.y1].map(|v| round(v as f64, 1)),
            seen: p.seen,
            head: p.head.map(|c| c.map(|v| round(f64::from(v), 1) as f32)),
        }
    }
}

/// The ball in one frame.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BallRecord {
    /// Panorama pixel, column.
    pub u: f64,
    /// Panorama pixel, row.
    pub v: f64,
    /// Pitch metres.
    pub x: f64,
    /// Pitch metres.
    pub y: f64,
    /// Height of the centre, metres.
    pub z: f64,
    /// How it was obtained.
    pub source: BallSource,
}

impl From<&BallState> for BallRecord {
    fn from(b: &BallState) -> Self {
        BallRecord {
            u: round(b.pixel.x, 1),
            v: round(b.pixel.y, 1),
            x: round(b.ground.x, 2),
            y: round(b.ground.y, 2),
            z: round(b.height, 2),
            source: b.source,
        }
    }
}

impl BallRecord {
    /// A ball placed at `point` (pitch metres) and `pixel`, rounded as the tracker's
    /// own records are.
    pub fn at(point: &Point3<f64>, pixel: &Point2<f64>, source: BallSource) -> BallRecord {
        let mut ball = BallRecord {
            u: 0.0,
            v: 0.0,
            x: 0.0,
            y: 0.0,
            z: 0.0,
            source,
        };
        ball.move_to(point, Some(pixel));
        ball
    }

    /// Moves the ball's centre to `point` (pitch metres), and its pixel to `pixel` if
    /// given, rounded as the tracker's own records are.
    pub fn move_to(&mut self, point: &Point3<f64>, pixel: Option<&Point2<f64>>) {
        self.x = round(point.x, 2);
        self.y = round(point.y, 2);
        self.z = round(point.z, 2);
        if let Some(pixel) = pixel {
            self.u = round(pixel.x, 1);
            self.v = round(pixel.y, 1);
        }
    }
}

/// Everything tracked in one frame.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FrameRecord {
    /// Frame index from 0.
    pub frame: u64,
    /// Seconds from the start.
    pub time: f64,
    /// People.
    pub people: Vec<PersonRecord>,
    /// The ball, if known.
    pub ball: Option<BallRecord>,
}

/// Puts balls learnt late (see [`crate::ball::BallTracker::recovered`]) into the
/// frames they belong to, where those frames did not see the ball (none, or only a
/// guess); frames are indexed from 0.
pub fn fill_recovered(frames: &mut [FrameRecord], recovered: &[(u64, BallRecord)]) {
    let unseen =
        |r: &&mut FrameRecord| r.ball.as_ref().is_none_or(|b| b.source != BallSource::Seen);
    for (frame, ball) in recovered {
        let record = usize::try_from(*frame).ok().and_then(|i| frames.get_mut(i));
        if let Some(record) = record.filter(unseen) {
            record.ball = Some(ball.clone());
        }
    }
}

/// A track's identity over the whole recording.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrackRecord {
    /// Track.
    pub id: TrackId,
    /// Team; `None` for the referee.
    pub team: Option<Team>,
    /// Role.
    pub role: Role,
    /// Frames it was reported in.
    pub frames: u32,
}

impl TrackRecord {
    /// Whether two tracks may be one person: the same team and role.
    pub fn is_same_kind(&self, other: &TrackRecord) -> bool {
        self.team == other.team && self.role == other.role
    }
}

#[derive(Serialize)]
struct Header<'a> {
    format: &'static str,
    fps: f64,
    panorama: &'a Panorama,
    pitch: &'a Pitch,
}

/// Writes a tracks file as frames arrive.
pub struct TracksWriter<W: Write> {
    out: W,
    frames: u64,
}

impl<W: Write> TracksWriter<W> {
    /// Starts the file with its header.
    pub fn new(mut out: W, fps: f64, panorama: &Panorama, pitch: &Pitch) -> io::Result<Self> {
        let mut head = serde_json::to_string(&Header {
            format: TRACKS_FORMAT,
            fps,
            panorama,
            pitch,
        })?;
        head.pop(); // the closing brace: frames follow
        write!(out, "{head},\"frames\":[")?;
        Ok(TracksWriter { out, frames: 0 })
    }

    /// Appends one frame.
    pub fn frame(&mut self, frame: &FrameRecord) -> io::Result<()> {
        self.out
            .write_all(if self.frames > 0 { b",\n" } else { b"\n" })?;
        serde_json::to_writer(&mut self.out, frame)?;
        self.frames += 1;
        Ok(())
    }

    /// Ends the file with every track's team and role.
    pub fn finish(mut self, tracks: &[TrackRecord]) -> io::Result<W> {
        write!(self.out, "\n],\"people\":")?;
        serde_json::to_writer(&mut self.out, tracks)?;
        writeln!(self.out, "}}")?;
        self.out.flush()?;
        Ok(self.out)
    }
}

/// A whole tracks file, read back.
#[derive(Clone, Debug, Deserialize)]
pub struct TracksFile {
    /// [`TRACKS_FORMAT`].
    pub format: String,
    /// Frames per second.
    pub fps: f64,
    /// The panorama the boxes are in.
    pub panorama: Panorama,
    /// The pitch.
    pub pitch: Pitch,
    /// Frames.
    pub frames: Vec<FrameRecord>,
    /// Teams and roles.
    pub people: Vec<TrackRecord>,
}

impl TracksFile {
    /// Parses a tracks file, checking its format line.
    pub fn from_json(text: &str) -> Result<TracksFile, String> {
        let file: TracksFile =
            serde_json::from_str(text).map_err(|e| format!("not a tracks file: {e}"))?;
        if file.format != TRACKS_FORMAT {
            return Err(format!(
                "format is {:?}, expected {TRACKS_FORMAT:?}",
                file.format
            ));
        }
        Ok(file)
    }
}

impl FrameRecord {
    /// Gives each person the track `rename` names for theirs, and the ball at someone's
    /// feet too: it names their track.
    pub fn rename_tracks(&mut self, rename: impl Fn(TrackId) -> TrackId) {
        for p in &mut self.people {
            p.id = rename(p.id);
        }
        if let Some(BallSource::AtFeet(id)) = self.ball.as_mut().map(|b| &mut b.source) {
            *id = rename(*id);
        }
    }

    /// This frame's people as MOTChallenge CSV rows
    /// (`frame,id,bb_left,bb_top,bb_width,bb_height,conf,x,y,z`, frames from 1, world
    /// coordinates the pitch position in metres and z = -1).
    pub fn mot_rows(&self) -> String {
        let mut out = String::new();
        for p in &self.people {
            let [x0, y0, x1, y1] = p.bbox;
            out.push_str(&format!(
                "{},{},{:.1},{:.1},{:.1},{:.1},{},{:.2},{:.2},-1\n",
                self.frame + 1,
                p.id.0,
                x0,
                y0,
                x1 - x0,
                y1 - y0,
                if p.seen { 1 } else { 0 },
                p.x,
                p.y
            ));
        }
        out
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Frames `interval_s` seconds apart, with the people given.
    pub(crate) fn frames_every(
        interval_s: f64,
        people: Vec<Vec<PersonRecord>>,
    ) -> Vec<FrameRecord> {
        people
            .into_iter()
            .enumerate()
            .map(|(i, people)| FrameRecord {
                frame: i as u64,
                time: i as f64 * interval_s,
                people,
                ball: None,
            })
            .collect()
    }

    fn ball(u: f64, source: BallSource) -> BallRecord {
        BallRecord {
            u,
            v: 400.0,
            x: 1.0,
            y: 2.0,
            z: 0.11,
            source,
        }
    }

    #[test]
    fn recovered_balls_fill_the_frames_that_did_not_see_the_ball_and_keep_those_that_did() {
        // Seen, at someone's feet (a guess), coasted (a guess), none, none.
        let before = [
            Some(ball(10.0, BallSource::Seen)),
            Some(ball(20.0, BallSource::AtFeet(TrackId(4)))),
            Some(ball(30.0, BallSource::Predicted)),
            None,
            None,
        ];
        let mut frames: Vec<FrameRecord> = before
            .into_iter()
            .enumerate()
            .map(|(frame, ball)| FrameRecord {
                frame: frame as u64,
                time: frame as f64 * 0.04,
                people: Vec::new(),
                ball,
            })
            .collect();
        let recovered: Vec<(u64, BallRecord)> = [0, 1, 2, 3, 7]
            .into_iter()
            .map(|f| (f, ball(100.0 + f as f64, BallSource::Seen)))
            .collect();
        fill_recovered(&mut frames, &recovered);
        let us: Vec<Option<f64>> = frames
            .iter()
            .map(|f| f.ball.as_ref().map(|b| b.u))
            .collect();
        assert_eq!(
            us,
            [Some(10.0), Some(101.0), Some(102.0), Some(103.0), None]
        );
    }
}
