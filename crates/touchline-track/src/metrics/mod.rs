//! Multi-object tracking metrics: HOTA, CLEAR MOT (MOTA) and identity (IDF1).
//!
//! All three compare a tracker's output with ground truth, frame by frame. They do not
//! care what is being tracked or how "close" is measured: each frame is a
//! [`FrameMatch`] holding the truth ids present, the tracker ids present and a
//! similarity in `[0, 1]` for every (truth, tracker) pair, where `0` means "cannot be
//! the same object". Use [`box_iou`] for image boxes or [`distance_similarity`] for
//! positions on the pitch in metres.
//!
//! What each figure tells you:
//!
//! - [`hota`] — *Higher Order Tracking Accuracy* (Luiten et al., IJCV 2021). The
//!   geometric mean of detection accuracy (DetA: did we find the objects?) and
//!   association accuracy (AssA: did each track follow one object, and each object keep
//!   one track?), averaged over localisation thresholds from loose to strict, plus
//!   LocA (how well matched detections are placed). A tracker cannot score well on
//!   HOTA by being good at only one of detection or association, which makes it the
//!   best single number for comparing trackers.
//! - [`identity`] — IDF1 (Ristani et al., 2016). Each truth object is given at most one
//!   tracker id for the whole sequence; IDF1 is the share of detections on which that
//!   id is right. It answers "how long do identities stay correct?", which is what an
//!   analytics user (distance run per player, heat maps) cares most about.
//! - [`clear_mot`] — MOTA and MOTP (Bernardin & Stiefelhagen, 2008). MOTA counts
//!   misses, false positives and identity switches against the number of truth
//!   detections; it is dominated by detection errors and barely notices association
//!   quality. MOTP is the mean similarity of matched pairs. Kept because most
//!   published numbers are MOTA.
//!
//! The computations follow the definitions in the papers, in the form TrackEval
//! evaluates them, so the numbers are comparable with published results when the
//! similarity is the same (box IoU for MOT benchmarks).
//!
//! # Conventions for degenerate input
//!
//! - No truth and no tracker output at all: every ratio is `1.0` (nothing to get wrong).
//! - Otherwise a ratio whose denominator is zero is `0.0` (e.g. recall with no truth but
//!   some tracker output), except the localisation figures (LocA, MOTP), which are
//!   `1.0` when nothing was matched, as in TrackEval.
//! - The metric functions never panic. [`FrameMatch::new`] checks a frame; a frame
//!   built by hand through the public fields is read leniently: a missing similarity is
//!   `0`, NaN is `0`, values are clamped into `[0, 1]`.
//!
//! # Example
//!
//! ```
//! use touchline_track::metrics::{clear_mot, hota, identity, FrameMatch};
//!
//! // One player, followed by tracker id 1 for 10 frames and by id 2 for 10 more.
//! let frames: Vec<FrameMatch> = (0..20)
//!     .map(|t| FrameMatch::from_fn(vec![7], vec![if t < 10 { 1 } else { 2 }], |_, _| 1.0))
//!     .collect();
//! let h = hota(&frames);
//! assert_eq!(h.det_a, 1.0); // always found...
//! assert!((h.ass_a - 0.5).abs() < 1e-12); // ...but under two identities
//! assert_eq!(identity(&frames, 0.5).idf1, 0.5);
//! assert_eq!(clear_mot(&frames, 0.5).id_switches, 1);
//! ```

mod assign;
mod clear;
mod hota;
mod identity;
mod similarity;

pub use assign::assign;
pub use clear::{clear_mot, Clear};
pub use hota::{hota, Hota, HOTA_ALPHAS};
pub use identity::{identity, Identity};
pub use similarity::{box_iou, distance_similarity};

use std::collections::HashMap;
use std::collections::HashSet;

use serde::{Deserialize, Serialize};

/// Tolerance when comparing a similarity with a threshold, so that a similarity equal to
/// the threshold up to rounding (e.g. an IoU computed as 0.4999999999999999 against 0.5)
/// still counts as a match.
pub(crate) const SIMILARITY_EPS: f64 = 1e-10;

/// A frame that [`FrameMatch::new`] refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MetricsError {
    /// The similarity matrix does not have one entry per (truth, tracker) pair.
    #[error(
        "similarity has {len} entries, expected {truth} truth × {tracks} tracker = {}",
        truth * tracks
    )]
    Shape {
        /// Number of truth ids in the frame.
        truth: usize,
        /// Number of tracker ids in the frame.
        tracks: usize,
        /// Number of similarity entries given.
        len: usize,
    },
    /// A similarity is NaN or outside `[0, 1]`.
    #[error(
        "similarity of truth #{row} and tracker #{col} is {value}, expected a value in [0, 1]"
    )]
    Similarity {
        /// Index of the truth id in the frame.
        row: usize,
        /// Index of the tracker id in the frame.
        col: usize,
        /// The offending value.
        value: f64,
    },
    /// A truth id appears twice in one frame.
    #[error("truth id {0} appears twice in one frame")]
    DuplicateTruth(u64),
    /// A tracker id appears twice in one frame.
    #[error("tracker id {0} appears twice in one frame")]
    DuplicateTrack(u64),
}

/// One frame of an evaluation: the truth ids present, the tracker ids present, and how
/// similar each (truth, tracker) pair is.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FrameMatch {
    /// Ground-truth object ids present in this frame. Ids only need to be consistent
    /// across frames; they can be sparse and large.
    pub truth: Vec<u64>,
    /// Tracker ids present in this frame.
    pub tracks: Vec<u64>,
    /// Row-major `truth.len() × tracks.len()` similarities, each in `[0, 1]`;
    /// `0` means the pair cannot be matched.
    pub similarity: Vec<f64>,
}

impl FrameMatch {
    /// A frame from its parts, checked: the similarity must have one entry per pair,
    /// each in `[0, 1]`, and no id may appear twice on the same side.
    pub fn new(
        truth: Vec<u64>,
        tracks: Vec<u64>,
        similarity: Vec<f64>,
    ) -> Result<Self, MetricsError> {
        let frame = Self {
            truth,
            tracks,
            similarity,
        };
        frame.validate()?;
        Ok(frame)
    }

    /// A frame whose similarity is `similarity(truth_index, track_index)`, indices into
    /// `truth` and `tracks`. Values are clamped into `[0, 1]`, NaN becomes `0`.
    ///
    /// ```
    /// use touchline_track::metrics::{box_iou, FrameMatch};
    ///
    /// let truth_boxes = [[0.0, 0.0, 10.0, 10.0]];
    /// let track_boxes = [[0.0, 0.0, 10.0, 5.0], [50.0, 50.0, 60.0, 60.0]];
    /// let frame = FrameMatch::from_fn(vec![1], vec![10, 11], |g, t| {
    ///     box_iou(truth_boxes[g], track_boxes[t])
    /// });
    /// assert_eq!(frame.similarity, vec![0.5, 0.0]);
    /// ```
    pub fn from_fn(
        truth: Vec<u64>,
        tracks: Vec<u64>,
        mut similarity: impl FnMut(usize, usize) -> f64,
    ) -> Self {
        let mut values = Vec::with_capacity(truth.len() * tracks.len());
        for g in 0..truth.len() {
            for t in 0..tracks.len() {
                values.push(sanitize(similarity(g, t)));
            }
        }
        Self {
            truth,
            tracks,
            similarity: values,
        }
    }

    /// Checks what [`FrameMatch::new`] checks, for a frame built through the fields.
    pub fn validate(&self) -> Result<(), MetricsError> {
        let (truth, tracks) = (self.truth.len(), self.tracks.len());
        if self.similarity.len() != truth * tracks {
            return Err(MetricsError::Shape {
                truth,
                tracks,
                len: self.similarity.len(),
            });
        }
        if let Some(k) = self
            .similarity
            .iter()
            .position(|s| !(0.0..=1.0).contains(s))
        {
            return Err(MetricsError::Similarity {
                row: k / tracks,
                col: k % tracks,
                value: self.similarity[k],
            });
        }
        let mut seen = HashSet::with_capacity(truth.max(tracks));
        if let Some(&id) = self.truth.iter().find(|&&id| !seen.insert(id)) {
            return Err(MetricsError::DuplicateTruth(id));
        }
        seen.clear();
        if let Some(&id) = self.tracks.iter().find(|&&id| !seen.insert(id)) {
            return Err(MetricsError::DuplicateTrack(id));
        }
        Ok(())
    }

    /// Similarity of the `g`-th truth and the `t`-th tracker id of this frame, read
    /// leniently: `0` when missing or NaN, clamped into `[0, 1]`.
    pub fn similarity_at(&self, g: usize, t: usize) -> f64 {
        if g >= self.truth.len() || t >= self.tracks.len() {
            return 0.0;
        }
        self.similarity
            .get(g * self.tracks.len() + t)
            .copied()
            .map_or(0.0, sanitize)
    }
}

/// Clamps a similarity into `[0, 1]`, NaN to `0`.
fn sanitize(s: f64) -> f64 {
    if s.is_nan() {
        0.0
    } else {
        s.clamp(0.0, 1.0)
    }
}

/// The ids of a whole evaluation mapped to dense indices `0..n`, so that per-id tables
/// are plain vectors however large or sparse the ids are. Indices are given in order of
/// first appearance, so the result does not depend on the ids' values.
pub(crate) struct DenseIds {
    /// Per frame, the dense index of each truth id.
    pub truth: Vec<Vec<usize>>,
    /// Per frame, the dense index of each tracker id.
    pub tracks: Vec<Vec<usize>>,
    /// Number of frames each truth id appears in (indexed by dense index).
    pub truth_frames: Vec<u64>,
    /// Number of frames each tracker id appears in (indexed by dense index).
    pub track_frames: Vec<u64>,
    /// Total truth detections over all frames.
    pub truth_total: u64,
    /// Total tracker detections over all frames.
    pub track_total: u64,
}

impl DenseIds {
    pub fn new(frames: &[FrameMatch]) -> Self {
        let (truth, truth_frames) = densify(frames.iter().map(|f| f.truth.as_slice()));
        let (tracks, track_frames) = densify(frames.iter().map(|f| f.tracks.as_slice()));
        Self {
            truth_total: truth_frames.iter().sum(),
            track_total: track_frames.iter().sum(),
            truth,
            tracks,
            truth_frames,
            track_frames,
        }
    }
}

/// Dense indices for one side (truth or tracker) and how often each index occurs.
fn densify<'a>(frames: impl Iterator<Item = &'a [u64]>) -> (Vec<Vec<usize>>, Vec<u64>) {
    let mut index: HashMap<u64, usize> = HashMap::new();
    let mut counts: Vec<u64> = Vec::new();
    let per_frame = frames
        .map(|ids| {
            ids.iter()
                .map(|id| {
                    let next = index.len();
                    let k = *index.entry(*id).or_insert(next);
                    if k == counts.len() {
                        counts.push(0);
                    }
                    counts[k] += 1;
                    k
                })
                .collect()
        })
        .collect();
    (per_frame, counts)
}

/// `num / den`, or `0` when the denominator is zero (TrackEval's `max(1, den)` for
/// counts).
pub(crate) fn ratio(num: f64, den: f64) -> f64 {
    if den > 0.0 {
        num / den
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_rejects_bad_frames_with_a_clear_error() {
        let shape = FrameMatch::new(vec![1, 2], vec![3], vec![0.5]).unwrap_err();
        assert_eq!(
            shape.to_string(),
            "similarity has 1 entries, expected 2 truth × 1 tracker = 2"
        );
        let range = FrameMatch::new(vec![1], vec![3, 4], vec![0.5, 1.5]).unwrap_err();
        assert_eq!(
            range,
            MetricsError::Similarity {
                row: 0,
                col: 1,
                value: 1.5
            }
        );
        assert!(FrameMatch::new(vec![1], vec![3], vec![f64::NAN]).is_err());
        assert_eq!(
            FrameMatch::new(vec![1, 1], vec![], vec![]),
            Err(MetricsError::DuplicateTruth(1))
        );
        assert_eq!(
            FrameMatch::new(vec![], vec![5, 5], vec![]),
            Err(MetricsError::DuplicateTrack(5))
        );
        assert!(FrameMatch::new(vec![1, 2], vec![3], vec![0.0, 1.0]).is_ok());
    }

    #[test]
    fn from_fn_is_row_major_and_clamps() {
        let f = FrameMatch::from_fn(vec![1, 2], vec![3, 4, 5], |g, t| {
            if (g, t) == (1, 2) {
                f64::NAN
            } else {
                (g * 10 + t) as f64 / 10.0
            }
        });
        assert_eq!(f.similarity, vec![0.0, 0.1, 0.2, 1.0, 1.0, 0.0]);
        assert_eq!(f.similarity_at(0, 2), 0.2);
        assert_eq!(f.similarity_at(5, 0), 0.0);
    }

    #[test]
    fn dense_ids_follow_first_appearance() {
        let frames = [
            FrameMatch::from_fn(vec![900, 5], vec![u64::MAX], |_, _| 0.0),
            FrameMatch::from_fn(vec![5], vec![7, u64::MAX], |_, _| 0.0),
        ];
        let ids = DenseIds::new(&frames);
        assert_eq!(ids.truth, vec![vec![0, 1], vec![1]]);
        assert_eq!(ids.tracks, vec![vec![0], vec![1, 0]]);
        assert_eq!(ids.truth_frames, vec![1, 2]);
        assert_eq!(ids.track_frames, vec![2, 1]);
        assert_eq!((ids.truth_total, ids.track_total), (3, 3));
    }
}
