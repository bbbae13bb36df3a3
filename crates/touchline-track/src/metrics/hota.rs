//! HOTA: Higher Order Tracking Accuracy (Luiten et al., IJCV 2021).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::assign::assign_sparse;
use super::{ratio, DenseIds, FrameMatch, SIMILARITY_EPS};

/// The localisation thresholds HOTA averages over: 0.05, 0.10, …, 0.95. A matched pair
/// is a true positive at threshold alpha when its similarity is at least alpha.
pub const HOTA_ALPHAS: [f64; 19] = {
    let mut alphas = [0.0; 19];
    let mut k = 0;
    while k < 19 {
        alphas[k] = (k + 1) as f64 * 0.05;
        k += 1;
    }
    alphas
};

/// HOTA and its components, each the mean over the 19 thresholds of [`HOTA_ALPHAS`].
/// All are in `[0, 1]`, higher is better.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Hota {
    /// `sqrt(DetA × AssA)`: detection and association weighed equally.
    pub hota: f64,
    /// Detection accuracy, `TP / (TP + FN + FP)`: how well the set of detections matches
    /// the set of truths, ignoring identities.
    pub det_a: f64,
    /// Association accuracy: for the average true positive, how much the truth's
    /// trajectory and the track's trajectory overlap (a Jaccard index over frames).
    pub ass_a: f64,
    /// Localisation accuracy: mean similarity of true positives (`1` when there are
    /// none).
    pub loc_a: f64,
    /// Detection recall, `TP / (TP + FN)`.
    pub det_re: f64,
    /// Detection precision, `TP / (TP + FP)`.
    pub det_pr: f64,
    /// Association recall: how much of its truth's trajectory the average true
    /// positive's track covers (low when objects are split over several tracks).
    pub ass_re: f64,
    /// Association precision: how much of its track the average true positive's truth
    /// covers (low when one track jumps between objects).
    pub ass_pr: f64,
}

/// Running totals for one alpha threshold.
#[derive(Debug, Clone, Copy, Default)]
struct AlphaTotals {
    tp: u64,
    similarity: f64,
}

/// HOTA of a sequence of frames.
///
/// How it works (the paper's definition, computed as TrackEval does):
/// 1. Each (truth id, tracker id) pair gets a *global alignment*: how often the two are
///    together relative to how often either appears, from soft per-frame counts.
/// 2. In each frame, truths and tracks are matched to maximise
///    `alignment × similarity`, so a pair that agrees over the whole sequence wins over
///    one that happens to be close in this frame.
/// 3. For each threshold alpha, matched pairs with similarity `>= alpha` are true
///    positives; DetA comes from TP/FN/FP counts, AssA from how many frames each
///    (truth, track) pair was matched in relative to their lengths.
///
/// With no truth and no tracker output at all every figure is `1`; see the
/// [module documentation](super) for the other edge cases.
pub fn hota(frames: &[FrameMatch]) -> Hota {
    let ids = DenseIds::new(frames);
    if ids.truth_total == 0 && ids.track_total == 0 {
        return Hota {
            hota: 1.0,
            det_a: 1.0,
            ass_a: 1.0,
            loc_a: 1.0,
            det_re: 1.0,
            det_pr: 1.0,
            ass_re: 1.0,
            ass_pr: 1.0,
        };
    }

    // 1. Soft co-occurrence of each (truth, track) pair. A frame's similarity is
    // normalised like a Jaccard index against the row and column sums, so a truth
    // sitting between two tracks shares its weight between them. Maps rather than
    // matrices: only pairs that were ever similar are stored.
    let mut potential: HashMap<(usize, usize), f64> = HashMap::new();
    let mut row_sum = Vec::new();
    let mut col_sum = Vec::new();
    for (f, frame) in frames.iter().enumerate() {
        let (truth, tracks) = (&ids.truth[f], &ids.tracks[f]);
        row_sum.clear();
        row_sum.resize(truth.len(), 0.0);
        col_sum.clear();
        col_sum.resize(tracks.len(), 0.0);
        for (r, sum_r) in row_sum.iter_mut().enumerate() {
            for (c, sum_c) in col_sum.iter_mut().enumerate() {
                let s = frame.similarity_at(r, c);
                *sum_r += s;
                *sum_c += s;
            }
        }
        for (r, &g) in truth.iter().enumerate() {
            for (c, &t) in tracks.iter().enumerate() {
                let s = frame.similarity_at(r, c);
                if s > 0.0 {
                    // >= s > 0, since both sums include s.
                    let denominator = row_sum[r] + col_sum[c] - s;
                    *potential.entry((g, t)).or_insert(0.0) += s / denominator;
                }
            }
        }
    }
    let alignment = |g: usize, t: usize| -> f64 {
        let p = potential.get(&(g, t)).copied().unwrap_or(0.0);
        ratio(p, (ids.truth_frames[g] + ids.track_frames[t]) as f64 - p)
    };

    // 2. Per-frame matching, then per-alpha true positives and, for AssA, how many
    // frames each pair was a true positive in.
    let mut totals = [AlphaTotals::default(); HOTA_ALPHAS.len()];
    let mut matched_frames: HashMap<(usize, usize), [u64; HOTA_ALPHAS.len()]> = HashMap::new();
    let mut edges = Vec::new();
    for (f, frame) in frames.iter().enumerate() {
        let (truth, tracks) = (&ids.truth[f], &ids.tracks[f]);
        edges.clear();
        for (r, &g) in truth.iter().enumerate() {
            for (c, &t) in tracks.iter().enumerate() {
                let s = frame.similarity_at(r, c);
                if s > 0.0 {
                    edges.push((r, c, alignment(g, t) * s));
                }
            }
        }
        for (r, c) in assign_sparse(truth.len(), tracks.len(), &edges) {
            let s = frame.similarity_at(r, c);
            // Alphas ascend, so the pair is a true positive for a prefix of them.
            let passed = HOTA_ALPHAS
                .iter()
                .take_while(|&&alpha| s >= alpha - SIMILARITY_EPS)
                .count();
            if passed == 0 {
                continue;
            }
            let counts = matched_frames
                .entry((truth[r], tracks[c]))
                .or_insert([0; HOTA_ALPHAS.len()]);
            for (a, total) in totals.iter_mut().enumerate().take(passed) {
                total.tp += 1;
                total.similarity += s;
                counts[a] += 1;
            }
        }
    }

    // 3. Figures per alpha, then their mean.
    let mut sum = [0.0; 8];
    for (a, total) in totals.iter().enumerate() {
        let tp = total.tp as f64;
        let fn_ = (ids.truth_total - total.tp) as f64;
        let fp = (ids.track_total - total.tp) as f64;
        let (mut ass_a, mut ass_re, mut ass_pr) = (0.0, 0.0, 0.0);
        for (&(g, t), counts) in &matched_frames {
            let c = counts[a] as f64;
            if c == 0.0 {
                continue;
            }
            let (g_len, t_len) = (ids.truth_frames[g] as f64, ids.track_frames[t] as f64);
            // Each of the pair's c true positives scores the pair's trajectory overlap.
            ass_a += c * c / (g_len + t_len - c);
            ass_re += c * c / g_len;
            ass_pr += c * c / t_len;
        }
        let ass_a = ratio(ass_a, tp);
        let det_a = ratio(tp, tp + fn_ + fp);
        let figures = [
            (det_a * ass_a).sqrt(),
            det_a,
            ass_a,
            if total.tp > 0 {
                total.similarity / tp
            } else {
                1.0
            },
            ratio(tp, tp + fn_),
            ratio(tp, tp + fp),
            ratio(ass_re, tp),
            ratio(ass_pr, tp),
        ];
        for (s, x) in sum.iter_mut().zip(figures) {
            *s += x;
        }
    }
    let [hota, det_a, ass_a, loc_a, det_re, det_pr, ass_re, ass_pr] =
        sum.map(|s| s / HOTA_ALPHAS.len() as f64);
    Hota {
        hota,
        det_a,
        ass_a,
        loc_a,
        det_re,
        det_pr,
        ass_re,
        ass_pr,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alphas_are_the_papers() {
        assert_eq!(HOTA_ALPHAS.len(), 19);
        assert!((HOTA_ALPHAS[0] - 0.05).abs() < 1e-15);
        assert!((HOTA_ALPHAS[9] - 0.5).abs() < 1e-15);
        assert!((HOTA_ALPHAS[18] - 0.95).abs() < 1e-15);
    }

    #[test]
    fn soft_alignment_prefers_the_consistent_track() {
        // Truth 1 is always near track 10; in frame 0 track 11 is nearer. Alignment
        // favours 10 (together in 3 frames vs 1), so HOTA's matching keeps 10 in frame
        // 0 even though 11 is more similar there, and association stays perfect.
        let frames = [
            FrameMatch::from_fn(vec![1], vec![10, 11], |_, t| [0.6, 0.9][t]),
            FrameMatch::from_fn(vec![1], vec![10], |_, _| 0.9),
            FrameMatch::from_fn(vec![1], vec![10], |_, _| 0.9),
        ];
        let h = hota(&frames);
        // Pair (1,10): potential = 0.6/(1.5+0.6−0.6) + 1 + 1 = 2.4, alignment
        // 2.4/(3+3−2.4) = 2/3, score 0.4. Pair (1,11): potential 0.9/1.5 = 0.6,
        // alignment 0.6/(3+1−0.6) ≈ 0.18, score 0.16. So (1,10) is matched in all three.
        // At alpha <= 0.6 (12 alphas): TP 3, FP 1, DetA 3/4, AssA 1.
        // At 0.6 < alpha <= 0.9 (6 alphas): TP 2, FN 1, FP 2: DetA 2/5,
        //   AssA = 2·2/(3+3−2) / 2 = 1/2.
        // At 0.95: nothing: DetA 0, AssA 0.
        let det_a = (12.0 * 0.75 + 6.0 * 0.4) / 19.0;
        let ass_a = (12.0 + 6.0 * 0.5) / 19.0;
        assert!((h.det_a - det_a).abs() < 1e-12, "{h:?}");
        assert!((h.ass_a - ass_a).abs() < 1e-12, "{h:?}");
        let hota = (12.0 * 0.75f64.sqrt() + 6.0 * 0.2f64.sqrt()) / 19.0;
        assert!((h.hota - hota).abs() < 1e-12, "{h:?}");
    }
}
