//! Identity metrics: IDF1, IDP, IDR (Ristani et al., 2016).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::assign::assign_sparse;
use super::{ratio, DenseIds, FrameMatch, SIMILARITY_EPS};

/// Identity figures and the counts they are made of.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Identity {
    /// `2 IDTP / (truth detections + tracker detections)`: the F1 score of detections
    /// carrying the right identity.
    pub idf1: f64,
    /// Identity precision, `IDTP / tracker detections`.
    pub idp: f64,
    /// Identity recall, `IDTP / truth detections`.
    pub idr: f64,
    /// Detections where the tracker id is the one assigned to that truth, and they are
    /// similar enough.
    pub idtp: u64,
    /// Tracker detections that are not identity true positives.
    pub idfp: u64,
    /// Truth detections that are not identity true positives.
    pub idfn: u64,
}

/// Identity metrics of a sequence of frames, counting a (truth, tracker) pair as
/// together in a frame when their similarity is at least `threshold` (0.5 is the usual
/// value for box IoU).
///
/// Every truth id is paired with at most one tracker id for the whole sequence (and
/// vice versa), choosing the pairing that maximises the number of frames in which the
/// pairs are together. Those frames are the identity true positives. Unlike MOTA, a
/// tracker that swaps ids halfway loses half of that object's frames, not one event.
///
/// With no truth and no tracker output every ratio is `1`.
pub fn identity(frames: &[FrameMatch], threshold: f64) -> Identity {
    let ids = DenseIds::new(frames);

    // Frames in which each (truth, track) pair is together. No per-frame matching is
    // needed: in the global pairing a truth has one track, so a frame cannot count twice.
    // The last frame counted is kept with the count so that an id repeated within a
    // malformed frame still counts that frame once.
    let mut together: HashMap<(usize, usize), (u64, usize)> = HashMap::new();
    for (f, frame) in frames.iter().enumerate() {
        for (r, &g) in ids.truth[f].iter().enumerate() {
            for (c, &t) in ids.tracks[f].iter().enumerate() {
                let s = frame.similarity_at(r, c);
                if s > 0.0 && s >= threshold - SIMILARITY_EPS {
                    let (count, last) = together.entry((g, t)).or_insert((0, usize::MAX));
                    if *last != f {
                        *count += 1;
                        *last = f;
                    }
                }
            }
        }
    }
    let edges: Vec<(usize, usize, f64)> = together
        .iter()
        .map(|(&(g, t), &(n, _))| (g, t, n as f64))
        .collect();
    let pairing = assign_sparse(ids.truth_frames.len(), ids.track_frames.len(), &edges);
    let idtp: u64 = pairing
        .iter()
        .map(|pair| together.get(pair).map_or(0, |&(n, _)| n))
        .sum();

    let (gt, pred) = (ids.truth_total, ids.track_total);
    let (idf1, idp, idr) = if gt == 0 && pred == 0 {
        (1.0, 1.0, 1.0)
    } else {
        (
            ratio(2.0 * idtp as f64, (gt + pred) as f64),
            ratio(idtp as f64, pred as f64),
            ratio(idtp as f64, gt as f64),
        )
    };
    Identity {
        idf1,
        idp,
        idr,
        idtp,
        idfp: pred - idtp,
        idfn: gt - idtp,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_global_pairing_is_optimal_not_greedy() {
        // Truth A is with track 1 in 3 frames and with track 2 in 2 frames; truth B is
        // with track 1 in 2 frames only. Greedy (A→1) gives 3; optimal A→2, B→1 gives 4.
        // Frames 0–2: A~1. Frames 3–4: A~2 and B~1.
        let mut frames: Vec<FrameMatch> = (0..3)
            .map(|_| FrameMatch::from_fn(vec![100], vec![1], |_, _| 1.0))
            .collect();
        frames.extend((0..2).map(|_| {
            FrameMatch::from_fn(vec![100, 200], vec![1, 2], |g, t| {
                // A (row 0) with track 2 (column 1), B (row 1) with track 1 (column 0).
                if g + t == 1 {
                    1.0
                } else {
                    0.0
                }
            })
        }));
        let id = identity(&frames, 0.5);
        // 7 truth detections, 7 tracker detections.
        assert_eq!((id.idtp, id.idfp, id.idfn), (4, 3, 3));
        assert!((id.idf1 - 8.0 / 14.0).abs() < 1e-12);
    }
}
