//! Ground truth: `truth.json`, written frame by frame as the simulation runs.
//!
//! ```text
//! {
//!   "format": "touchline-truth/1",
//!   "seed": 7, "sport": "football", "fps": 25, "cameras": ["left", "right"],
//!   "pitch": {"length": 105.0, "width": 68.0},
//!   "people": [{"id": 1, "team": "home", "role": "goalkeeper", "number": 1,
//!               "height": 1.84, "kit": {"shirt": [r, g, b], ...}}, ...],
//!   "frames": [
//!     {"frame": 0, "time": 0.0, "in_play": false,
//!      "ball": {"x": 0.0, "y": 0.0, "z": 0.11, "boxes": {"left": [x0, y0, x1, y1, visible]}},
//!      "people": [{"id": 1, "x": -50.1, "y": 0.3, "boxes": {"left": [...], "right": [...]}}, ...]},
//!     ...
//!   ],
//!   "events": [{"time": 2.41, "kind": "kick_off", "team": "home", "person": 11, "x": 0.0, "y": 0.0}, ...],
//!   "score": [1, 0]
//! }
//! ```
//! Positions are pitch-frame metres at the frame clock; each camera's box is in its own
//! pixels at its own exposure time, amodal (occluded parts included), with the fraction
//! of the actor left visible. A camera that does not see an actor has no entry.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::{Deserialize, Serialize};

use crate::events::Event;
use crate::people::{Person, PersonId};
use crate::render::Visibility;

/// The format line of a truth file.
pub const TRUTH_FORMAT: &str = "touchline-truth/1";

/// A box in one camera: x0, y0, x1, y1 (pixels) and the visible fraction.
pub type BoxTruth = [f64; 5];

/// Rounds to a fixed number of decimals, so files are compact and byte-stable.
pub fn round_to(v: f64, decimals: i32) -> f64 {
    let k = 10f64.powi(decimals);
    let r = (v * k).round() / k;
    if r == 0.0 {
        0.0
    } else {
        r
    }
}

/// The box of a visibility, rounded, or `None` when not in view.
pub fn box_truth(v: &Visibility) -> Option<BoxTruth> {
    let b = v.bbox?;
    Some([
        round_to(b[0] as f64, 1),
        round_to(b[1] as f64, 1),
        round_to(b[2] as f64, 1),
        round_to(b[3] as f64, 1),
        round_to(v.visible as f64, 2),
    ])
}

/// The ball in one frame.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BallTruth {
    /// Metres.
    pub x: f64,
    /// Metres.
    pub y: f64,
    /// Height of the ball's centre, metres.
    pub z: f64,
    /// Per camera.
    pub boxes: BTreeMap<String, BoxTruth>,
}

/// One person in one frame.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PersonTruth {
    /// Who.
    pub id: PersonId,
    /// Metres.
    pub x: f64,
    /// Metres.
    pub y: f64,
    /// Per camera.
    pub boxes: BTreeMap<String, BoxTruth>,
}

/// Everything true about one frame.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TruthFrame {
    /// Frame index from 0.
    pub frame: u64,
    /// Frame clock, seconds.
    pub time: f64,
    /// Whether the ball is in play.
    pub in_play: bool,
    /// The ball.
    pub ball: BallTruth,
    /// Everybody.
    pub people: Vec<PersonTruth>,
}

/// The file's header fields.
#[derive(Clone, Debug, Serialize)]
pub struct TruthHeader<'a> {
    /// [`TRUTH_FORMAT`].
    pub format: &'static str,
    /// Seed of the match.
    pub seed: u64,
    /// Sport profile.
    pub sport: &'a str,
    /// Frames per second.
    pub fps: u32,
    /// Camera names, as used in `boxes`.
    pub cameras: Vec<String>,
    /// Pitch size.
    pub pitch: PitchSize,
    /// Who plays.
    pub people: &'a [Person],
}

/// Length and width.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub struct PitchSize {
    /// Metres.
    pub length: f64,
    /// Metres.
    pub width: f64,
}

/// Writes a truth file as frames arrive; nothing is held in memory but the events.
pub struct TruthWriter<W: Write> {
    out: W,
    frames: u64,
}

impl<W: Write> TruthWriter<W> {
    /// Starts the file with its header.
    pub fn new(mut out: W, header: &TruthHeader) -> io::Result<Self> {
        let mut head = serde_json::to_string(header)?;
        head.pop(); // the closing brace: frames follow
        write!(out, "{head},\"frames\":[")?;
        Ok(TruthWriter { out, frames: 0 })
    }

    /// Appends one frame.
    pub fn frame(&mut self, frame: &TruthFrame) -> io::Result<()> {
        if self.frames > 0 {
            self.out.write_all(b",\n")?;
        } else {
            self.out.write_all(b"\n")?;
        }
        serde_json::to_writer(&mut self.out, frame)?;
        self.frames += 1;
        Ok(())
    }

    /// Ends the file with the event log and the score.
    pub fn finish(mut self, events: &[Event], score: [u32; 2]) -> io::Result<W> {
        write!(self.out, "\n],\"events\":")?;
        serde_json::to_writer(&mut self.out, events)?;
        writeln!(self.out, ",\"score\":{}}}", serde_json::to_string(&score)?)?;
        self.out.flush()?;
        Ok(self.out)
    }
}

/// A whole truth file, read back.
#[derive(Clone, Debug, Deserialize)]
pub struct Truth {
    /// [`TRUTH_FORMAT`].
    pub format: String,
    /// Seed.
    pub seed: u64,
    /// Sport.
    pub sport: String,
    /// Frames per second.
    pub fps: u32,
    /// Camera names.
    pub cameras: Vec<String>,
    /// Pitch size.
    pub pitch: PitchSize,
    /// Who plays.
    pub people: Vec<Person>,
    /// Frames.
    pub frames: Vec<TruthFrame>,
    /// Events.
    pub events: Vec<Event>,
    /// Final score.
    pub score: [u32; 2],
}
