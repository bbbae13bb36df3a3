//! CLEAR MOT: MOTA and MOTP (Bernardin & Stiefelhagen, 2008).

use serde::{Deserialize, Serialize};

use super::assign::assign_sparse;
use super::{DenseIds, FrameMatch, SIMILARITY_EPS};

/// CLEAR MOT figures and the counts they are made of.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Clear {
    /// `1 − (misses + false positives + id switches) / truth count`. At most `1`, and
    /// unbounded below: a tracker with many false positives scores below zero.
    pub mota: f64,
    /// Mean similarity of matched pairs (`1` when nothing was matched).
    pub motp: f64,
    /// Matched (truth, tracker) pairs, summed over frames.
    pub true_positives: u64,
    /// Tracker outputs matched to no truth.
    pub false_positives: u64,
    /// Truths matched to no tracker output.
    pub misses: u64,
    /// Times a truth was matched to a different tracker id than the last time it was
    /// matched (also across frames where it was missed).
    pub id_switches: u64,
    /// Truth detections, summed over frames.
    pub truth_count: u64,
}

/// CLEAR MOT of a sequence of frames, matching pairs whose similarity is at least
/// `threshold` (0.5 is the usual value for box IoU).
///
/// Frame by frame: a truth that was matched to a track in the previous frame keeps
/// that track if they are still similar enough — so a tracker is not punished with an
/// id switch because a neighbour briefly fits better — and the remaining truths and
/// tracks are matched to maximise total similarity. "Previous frame" means the last
/// frame with both truth and tracker output, as in TrackEval, so a frame where the
/// tracker output nothing does not break the pairs.
///
/// With no truth MOTA follows TrackEval's `(TP − FP − IDSW) / max(1, GT)`, i.e. `−FP`,
/// except that an evaluation with no truth and no tracker output scores `1`.
pub fn clear_mot(frames: &[FrameMatch], threshold: f64) -> Clear {
    let ids = DenseIds::new(frames);
    let matchable = |s: f64| s > 0.0 && s >= threshold - SIMILARITY_EPS;

    // Per truth (dense index): the track it was matched to in the previous frame, which
    // it keeps if it can, and the last track it was ever matched to, for id switches.
    let mut previous_frame: Vec<Option<usize>> = vec![None; ids.truth_frames.len()];
    let mut last_matched: Vec<Option<usize>> = vec![None; ids.truth_frames.len()];
    // Scratch: the column of each track (dense index) in the current frame.
    let mut column_of: Vec<Option<usize>> = vec![None; ids.track_frames.len()];
    let mut previous_truths: &[usize] = &[];

    let (mut tp, mut idsw, mut similarity_sum) = (0_u64, 0_u64, 0.0);
    let mut edges = Vec::new();
    let mut pairs = Vec::new();
    for (f, frame) in frames.iter().enumerate() {
        let (truth, tracks) = (&ids.truth[f], &ids.tracks[f]);
        if truth.is_empty() || tracks.is_empty() {
            // Nothing can match. Like TrackEval, leave last frame's pairs in place: an
            // empty side is treated as a dropped frame rather than a break in tracking.
            continue;
        }
        for (c, &t) in tracks.iter().enumerate() {
            column_of[t] = Some(c);
        }

        // Keep last frame's pairs that are still similar enough.
        let mut row_used = vec![false; truth.len()];
        let mut col_used = vec![false; tracks.len()];
        pairs.clear();
        for (r, &g) in truth.iter().enumerate() {
            let Some(c) = previous_frame[g].and_then(|t| column_of[t]) else {
                continue;
            };
            if !row_used[r] && !col_used[c] && matchable(frame.similarity_at(r, c)) {
                row_used[r] = true;
                col_used[c] = true;
                pairs.push((r, c));
            }
        }
        // Best assignment of the rest.
        edges.clear();
        for r in (0..truth.len()).filter(|&r| !row_used[r]) {
            for c in (0..tracks.len()).filter(|&c| !col_used[c]) {
                let s = frame.similarity_at(r, c);
                if matchable(s) {
                    edges.push((r, c, s));
                }
            }
        }
        pairs.extend(assign_sparse(truth.len(), tracks.len(), &edges));

        for &g in previous_truths {
            previous_frame[g] = None;
        }
        for &(r, c) in &pairs {
            let (g, t) = (truth[r], tracks[c]);
            if last_matched[g].is_some_and(|last| last != t) {
                idsw += 1;
            }
            last_matched[g] = Some(t);
            previous_frame[g] = Some(t);
            similarity_sum += frame.similarity_at(r, c);
        }
        tp += pairs.len() as u64;
        previous_truths = truth;
        for &t in tracks {
            column_of[t] = None;
        }
    }

    let misses = ids.truth_total - tp;
    let false_positives = ids.track_total - tp;
    let mota = if ids.truth_total == 0 && ids.track_total == 0 {
        1.0
    } else if ids.truth_total == 0 {
        -(false_positives as f64)
    } else {
        1.0 - (misses + false_positives + idsw) as f64 / ids.truth_total as f64
    };
    Clear {
        mota,
        motp: if tp > 0 {
            similarity_sum / tp as f64
        } else {
            1.0
        },
        true_positives: tp,
        false_positives,
        misses,
        id_switches: idsw,
        truth_count: ids.truth_total,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_match_is_kept_while_similar_enough() {
        // Truth 1 matched to track 10 in frame 0. In frame 1 track 11 fits better (0.9
        // vs 0.6), but 10 is still above the threshold, so the pair is kept: no switch.
        // Track 11 is then a false positive.
        let frames = [
            FrameMatch::from_fn(vec![1], vec![10], |_, _| 0.8),
            FrameMatch::from_fn(vec![1], vec![10, 11], |_, t| [0.6, 0.9][t]),
        ];
        let c = clear_mot(&frames, 0.5);
        assert_eq!(
            (c.true_positives, c.false_positives, c.id_switches),
            (2, 1, 0)
        );
        // MOTP = (0.8 + 0.6) / 2.
        assert!((c.motp - 0.7).abs() < 1e-12);
        // Below the threshold the pair is not kept and the truth switches to 11.
        let frames = [
            FrameMatch::from_fn(vec![1], vec![10], |_, _| 0.8),
            FrameMatch::from_fn(vec![1], vec![10, 11], |_, t| [0.4, 0.9][t]),
        ];
        let c = clear_mot(&frames, 0.5);
        assert_eq!(
            (c.true_positives, c.false_positives, c.id_switches),
            (2, 1, 1)
        );
        // MOTA = 1 − (0 misses + 1 FP + 1 IDSW) / 2 truths = 0.
        assert_eq!(c.mota, 0.0);
    }

    #[test]
    fn a_frame_without_tracks_does_not_break_a_pair() {
        // Truth 1 matched to track 10, then a frame with no tracker output at all, then
        // 10 (0.6) and 11 (0.9): the pair from before the empty frame is kept.
        let frames = [
            FrameMatch::from_fn(vec![1], vec![10], |_, _| 0.8),
            FrameMatch::from_fn(vec![1], vec![], |_, _| 0.0),
            FrameMatch::from_fn(vec![1], vec![10, 11], |_, t| [0.6, 0.9][t]),
        ];
        let c = clear_mot(&frames, 0.5);
        assert_eq!((c.true_positives, c.misses, c.id_switches), (2, 1, 0));
        // A frame whose only track is elsewhere does break it: 11 is chosen, a switch.
        let frames = [
            FrameMatch::from_fn(vec![1], vec![10], |_, _| 0.8),
            FrameMatch::from_fn(vec![1], vec![12], |_, _| 0.0),
            FrameMatch::from_fn(vec![1], vec![10, 11], |_, t| [0.6, 0.9][t]),
        ];
        let c = clear_mot(&frames, 0.5);
        assert_eq!((c.true_positives, c.misses, c.id_switches), (2, 1, 1));
    }

    #[test]
    fn switches_count_across_gaps() {
        // Track 10, a missed frame, then track 10 again: a fragmentation, no switch.
        // Then a missed frame and track 11: a switch, although it was not matched in
        // the frame before.
        let ids = [Some(10), None, Some(10), None, Some(11)];
        let frames: Vec<FrameMatch> = ids
            .iter()
            .map(|t| FrameMatch::from_fn(vec![1], t.iter().copied().collect(), |_, _| 1.0))
            .collect();
        let c = clear_mot(&frames, 0.5);
        assert_eq!((c.true_positives, c.misses, c.id_switches), (3, 2, 1));
        // MOTA = 1 − (2 + 0 + 1) / 5.
        assert!((c.mota - 0.4).abs() < 1e-12);
    }
}
