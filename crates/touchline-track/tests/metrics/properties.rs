//! The tracking metrics on scenarios with hand-computed answers, and their invariants.

use proptest::prelude::*;
use touchline_track::metrics::{
    clear_mot, distance_similarity, hota, identity, Clear, FrameMatch, Hota, Identity,
};

/// All three metrics at the usual threshold.
fn all(frames: &[FrameMatch]) -> (Hota, Clear, Identity) {
    (hota(frames), clear_mot(frames, 0.5), identity(frames, 0.5))
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12
}

/// One truth id (7) per frame, followed by the given track id (or by nothing), at the
/// given similarity.
fn single(tracks: &[Option<u64>], similarity: f64) -> Vec<FrameMatch> {
    tracks
        .iter()
        .map(|t| FrameMatch::from_fn(vec![7], t.iter().copied().collect(), |_, _| similarity))
        .collect()
}

#[test]
fn perfect_tracking_scores_one_everywhere() {
    // Three objects for 10 frames, each followed by its own track, similarity 1 on the
    // right pair and 0 elsewhere. The truth ids are sparse and large on purpose.
    let frames: Vec<FrameMatch> = (0..10)
        .map(|_| {
            FrameMatch::from_fn(vec![u64::MAX, 3, 1 << 40], vec![30, 31, 32], |g, t| {
                if g == t {
                    1.0
                } else {
                    0.0
                }
            })
        })
        .collect();
    let (h, c, id) = all(&frames);
    for x in [
        h.hota, h.det_a, h.ass_a, h.loc_a, h.det_re, h.det_pr, h.ass_re, h.ass_pr,
    ] {
        assert_eq!(x, 1.0, "{h:?}");
    }
    assert_eq!(c.mota, 1.0);
    assert_eq!(c.motp, 1.0);
    assert_eq!(
        (c.true_positives, c.truth_count, c.id_switches),
        (30, 30, 0)
    );
    assert_eq!((id.idf1, id.idp, id.idr), (1.0, 1.0, 1.0));
}

#[test]
fn an_id_switch_halfway_halves_association() {
    // Truth 7 is followed by track 1 for 10 frames, then by track 2 for 10 frames.
    let mut tracks = vec![Some(1); 10];
    tracks.extend([Some(2); 10]);
    let (h, c, id) = all(&single(&tracks, 1.0));

    // HOTA: every frame is a true positive, so DetA = 1. Truth 7 lives 20 frames,
    // each track 10, and each pair is matched in 10: the pair's overlap is
    // 10 / (20 + 10 − 10) = 0.5, so AssA = (10 · 0.5 + 10 · 0.5) / 20 = 0.5 and
    // HOTA = sqrt(1 · 0.5). Each track covers half of the truth (AssRe 0.5) but the
    // truth covers all of each track (AssPr 1).
    assert_eq!(h.det_a, 1.0);
    assert!(close(h.ass_a, 0.5), "{h:?}");
    assert!(close(h.hota, 0.5f64.sqrt()), "{h:?}");
    assert!(close(h.ass_re, 0.5) && close(h.ass_pr, 1.0), "{h:?}");

    // IDF1: truth 7 can be paired with only one track, worth 10 frames:
    // 2 · 10 / (20 + 20) = 0.5.
    assert_eq!((id.idtp, id.idfp, id.idfn), (10, 10, 10));
    assert_eq!(id.idf1, 0.5);

    // MOTA: no misses or false positives, one switch over 20 truths: 1 − 1/20.
    assert_eq!(c.id_switches, 1);
    assert!(close(c.mota, 0.95), "{c:?}");
}

#[test]
fn a_ghost_track_costs_precision_only() {
    // Truth 7 tracked perfectly by track 1 for 10 frames, and a track 99 that never
    // matches anything (similarity 0) present in every frame.
    let frames: Vec<FrameMatch> = (0..10)
        .map(|_| FrameMatch::from_fn(vec![7], vec![1, 99], |_, t| [1.0, 0.0][t]))
        .collect();
    let (h, c, id) = all(&frames);
    // HOTA: TP 10, FN 0, FP 10: DetA = 10/20, DetRe 1, DetPr 0.5; association of the
    // true positives is perfect: AssA 1. HOTA = sqrt(0.5).
    assert!(close(h.det_a, 0.5) && close(h.det_re, 1.0) && close(h.det_pr, 0.5));
    assert!(close(h.ass_a, 1.0), "{h:?}");
    assert!(close(h.hota, 0.5f64.sqrt()));
    // MOTA = 1 − 10 FP / 10 truths = 0.
    assert_eq!((c.false_positives, c.misses), (10, 0));
    assert_eq!(c.mota, 0.0);
    // IDF1 = 2 · 10 / (10 + 20); IDP 0.5, IDR 1.
    assert!(close(id.idf1, 2.0 / 3.0) && close(id.idp, 0.5) && close(id.idr, 1.0));
}

#[test]
fn only_false_positives_score_zero() {
    // No truth at all, two tracks for 5 frames.
    let frames: Vec<FrameMatch> = (0..5)
        .map(|_| FrameMatch::from_fn(vec![], vec![1, 2], |_, _| 0.0))
        .collect();
    let (h, c, id) = all(&frames);
    assert_eq!((h.hota, h.det_a, h.ass_a, h.det_pr), (0.0, 0.0, 0.0, 0.0));
    // Nothing matched: LocA and MOTP fall back to 1.
    assert_eq!((h.loc_a, c.motp), (1.0, 1.0));
    // TrackEval's convention with no truth: MOTA = −FP.
    assert_eq!((c.false_positives, c.truth_count), (10, 0));
    assert_eq!(c.mota, -10.0);
    assert_eq!((id.idf1, id.idp, id.idtp, id.idfp), (0.0, 0.0, 0, 10));
}

#[test]
fn missing_half_the_frames() {
    // Truth 7 for 20 frames; track 1 follows it for the first 10, then nothing.
    let mut tracks = vec![Some(1); 10];
    tracks.extend([None; 10]);
    let (h, c, id) = all(&single(&tracks, 1.0));
    // HOTA: TP 10, FN 10, FP 0: DetA 0.5 (DetRe 0.5, DetPr 1). The pair overlaps in 10
    // of 20 + 10 − 10 frames: AssA 0.5. HOTA = sqrt(0.25) = 0.5.
    assert!(close(h.det_a, 0.5) && close(h.det_re, 0.5) && close(h.det_pr, 1.0));
    assert!(close(h.ass_a, 0.5) && close(h.hota, 0.5), "{h:?}");
    // MOTA = 1 − 10/20. IDF1 = 2 · 10 / (20 + 10).
    assert_eq!((c.misses, c.id_switches), (10, 0));
    assert!(close(c.mota, 0.5));
    assert!(close(id.idf1, 2.0 / 3.0) && close(id.idr, 0.5) && close(id.idp, 1.0));
}

#[test]
fn a_similarity_of_one_half_passes_half_the_alphas() {
    // Truth 7 and track 1 together for 10 frames, always at similarity 0.5.
    let (h, c, id) = all(&single(&[Some(1); 10], 0.5));
    // The alphas 0.05, ..., 0.50 (10 of 19) accept the pair: DetA = AssA = HOTA = 1
    // there, LocA 0.5. The alphas 0.55, ..., 0.95 (9 of 19) see one miss and one false
    // positive per frame: DetA = AssA = HOTA = 0 and LocA = 1 (no true positive).
    assert!(
        close(h.det_a, 10.0 / 19.0) && close(h.ass_a, 10.0 / 19.0),
        "{h:?}"
    );
    assert!(close(h.hota, 10.0 / 19.0), "{h:?}");
    assert!(close(h.loc_a, (10.0 * 0.5 + 9.0) / 19.0), "{h:?}");
    // At threshold 0.5 CLEAR and IDF1 accept it (the threshold is inclusive).
    assert_eq!((c.mota, c.motp, id.idf1), (1.0, 0.5, 1.0));
    // Just below, nothing matches.
    let below = single(&[Some(1); 10], 0.49);
    assert_eq!(clear_mot(&below, 0.5).mota, -1.0); // 1 − (10 FN + 10 FP) / 10
    assert_eq!(identity(&below, 0.5).idf1, 0.0);
}

#[test]
fn pitch_positions_in_metres() {
    // Two players 10 m apart, tracked with 0.5 m and 1.5 m of error, similarity zero
    // at 2 m: 0.75 and 0.25. Alpha 0.05..0.25 (5 alphas) accept both, 0.30..0.75
    // (10 alphas) only the first, 0.80..0.95 (4 alphas) neither.
    let frames: Vec<FrameMatch> = (0..4)
        .map(|_| {
            FrameMatch::from_fn(vec![1, 2], vec![1, 2], |g, t| {
                let truth = [0.0, 10.0][g];
                let track = [0.5, 8.5][t];
                distance_similarity(f64::abs(truth - track), 2.0)
            })
        })
        .collect();
    let h = hota(&frames);
    // DetA: 2/2 on 5 alphas; 1 TP, 1 FN, 1 FP = 1/3 on 10; 0 on 4.
    assert!(close(h.det_a, (5.0 + 10.0 / 3.0) / 19.0), "{h:?}");
    assert!(close(h.ass_a, 15.0 / 19.0), "{h:?}");
    // LocA: (0.75 + 0.25) / 2 on 5 alphas, 0.75 on 10, 1 on 4.
    assert!(
        close(h.loc_a, (5.0 * 0.5 + 10.0 * 0.75 + 4.0) / 19.0),
        "{h:?}"
    );
}

#[test]
fn empty_input_is_perfect_and_does_not_panic() {
    for frames in [vec![], vec![FrameMatch::default(); 3]] {
        let (h, c, id) = all(&frames);
        assert_eq!((h.hota, h.det_a, h.ass_a, h.loc_a), (1.0, 1.0, 1.0, 1.0));
        assert_eq!((c.mota, c.motp, c.truth_count), (1.0, 1.0, 0));
        assert_eq!(id.idf1, 1.0);
    }
}

#[test]
fn truth_without_tracks_scores_zero() {
    let (h, c, id) = all(&single(&[None; 5], 1.0));
    assert_eq!((h.hota, h.det_a, h.det_re, h.ass_a), (0.0, 0.0, 0.0, 0.0));
    assert_eq!((c.mota, c.misses), (0.0, 5));
    assert_eq!((id.idf1, id.idr), (0.0, 0.0));
}

#[test]
fn malformed_frames_do_not_panic() {
    // Built through the public fields: wrong shape, out-of-range values, duplicates.
    let frames = vec![
        FrameMatch {
            truth: vec![1, 2],
            tracks: vec![1],
            similarity: vec![0.9],
        },
        FrameMatch {
            truth: vec![1, 1],
            tracks: vec![1, 1],
            similarity: vec![f64::NAN, 7.0, -1.0, f64::INFINITY],
        },
    ];
    assert!(frames.iter().all(|f| f.validate().is_err()));
    let (h, c, id) = all(&frames);
    for x in [h.hota, h.det_a, h.ass_a, h.loc_a, c.motp, id.idf1] {
        assert!((0.0..=1.0).contains(&x));
    }
    assert!(c.mota <= 1.0);
}

#[test]
fn a_long_match_is_scored_with_its_identity_switches() {
    // 15 000 frames (10 minutes at 25 fps), 22 players on a pitch each followed by a
    // track that is replaced every 1 000 frames, plus a ghost; positions in metres.
    // The time it takes is printed, not asserted: timings fail on loaded machines.
    let players = 22;
    let frames: Vec<FrameMatch> = (0..15_000u64)
        .map(|f| {
            let truth: Vec<u64> = (0..players).collect();
            let mut tracks: Vec<u64> = (0..players).map(|p| p * 1000 + f / 1000).collect();
            tracks.push(999_999);
            FrameMatch::from_fn(truth, tracks, |g, t| {
                let x = |p: usize| (p % 11) as f64 * 9.0 + (f as f64 * 0.01).sin();
                let y = |p: usize| (p / 11) as f64 * 30.0;
                let (tx, ty) = if t == players as usize {
                    (50.0, 15.0)
                } else {
                    (x(t) + 0.3, y(t))
                };
                distance_similarity((x(g) - tx).hypot(y(g) - ty), 2.0)
            })
        })
        .collect();
    let start = std::time::Instant::now();
    let (h, c, id) = all(&frames);
    let elapsed = start.elapsed();
    eprintln!("22 players × 15 000 frames: {elapsed:?}");
    // Similarity 0.85 for every true pair: 17 of 19 alphas. 15 tracks per player.
    assert!(close(h.det_re, 17.0 / 19.0), "{h:?}");
    assert_eq!(c.id_switches, 22 * 14);
    assert_eq!(id.idtp, 22 * 1000);
}

/// Random frames: up to 4 truth ids and 4 tracker ids out of small pools, similarities
/// either 0 or continuous (so that ties in the assignment are improbable).
fn frames_strategy() -> impl Strategy<Value = Vec<FrameMatch>> {
    let frame = (ids_present(), ids_present())
        .prop_flat_map(|(truth, tracks)| {
            let n = truth.len() * tracks.len();
            (
                Just(truth),
                Just(tracks),
                prop::collection::vec(prop_oneof![Just(0.0), 0.01..1.0f64], n),
            )
        })
        .prop_map(|(truth, tracks, similarity)| FrameMatch {
            truth,
            tracks,
            similarity,
        });
    prop::collection::vec(frame, 0..12)
}

/// Up to 4 of the ids 0..5, in increasing order: a bit mask over the five, all but the
/// mask that holds every one.
fn ids_present() -> impl Strategy<Value = Vec<u64>> {
    (0u8..0b11111).prop_map(|mask| (0..5u64).filter(|i| mask & (1 << i) != 0).collect())
}

fn hota_fields(h: &Hota) -> [f64; 8] {
    [
        h.hota, h.det_a, h.ass_a, h.loc_a, h.det_re, h.det_pr, h.ass_re, h.ass_pr,
    ]
}

proptest! {
    #[test]
    fn renaming_and_reordering_tracks_changes_nothing(
        frames in frames_strategy(),
        rotate in 0usize..4,
    ) {
        // New, large tracker ids, and each frame's tracks listed in another order.
        let renamed: Vec<FrameMatch> = frames
            .iter()
            .map(|f| {
                let n = f.tracks.len();
                let order: Vec<usize> = (0..n).map(|k| (k + rotate) % n.max(1)).collect();
                FrameMatch::from_fn(
                    f.truth.clone(),
                    order.iter().map(|&k| u64::MAX - 17 * f.tracks[k]).collect(),
                    |g, t| f.similarity_at(g, order[t]),
                )
            })
            .collect();
        let (h1, c1, i1) = all(&frames);
        let (h2, c2, i2) = all(&renamed);
        for (a, b) in hota_fields(&h1).into_iter().zip(hota_fields(&h2)) {
            prop_assert!((a - b).abs() < 1e-9, "{h1:?} vs {h2:?}");
        }
        // Counts are exact; MOTP may differ in the last bits (another summation order).
        prop_assert_eq!(Clear { motp: 0.0, ..c1 }, Clear { motp: 0.0, ..c2 });
        prop_assert!((c1.motp - c2.motp).abs() < 1e-9);
        prop_assert_eq!(i1, i2);
    }

    #[test]
    fn swapping_truth_and_tracks_mirrors_hota_and_idf1(frames in frames_strategy()) {
        // HOTA and IDF1 treat both sides alike: recall and precision trade places.
        let swapped: Vec<FrameMatch> = frames
            .iter()
            .map(|f| FrameMatch::from_fn(f.tracks.clone(), f.truth.clone(), |t, g| {
                f.similarity_at(g, t)
            }))
            .collect();
        let (h1, h2) = (hota(&frames), hota(&swapped));
        let mirrored = Hota {
            det_re: h2.det_pr,
            det_pr: h2.det_re,
            ass_re: h2.ass_pr,
            ass_pr: h2.ass_re,
            ..h2
        };
        for (a, b) in hota_fields(&h1).into_iter().zip(hota_fields(&mirrored)) {
            prop_assert!((a - b).abs() < 1e-9, "{h1:?} vs {h2:?}");
        }
        let (i1, i2) = (identity(&frames, 0.5), identity(&swapped, 0.5));
        prop_assert_eq!((i1.idf1, i1.idtp), (i2.idf1, i2.idtp));
        prop_assert_eq!((i1.idp, i1.idr), (i2.idr, i2.idp));
    }

    #[test]
    fn figures_stay_in_range_and_counts_add_up(
        frames in frames_strategy(),
        threshold in 0.0..1.0f64,
    ) {
        let (h, c, id) = (hota(&frames), clear_mot(&frames, threshold), identity(&frames, threshold));
        for x in hota_fields(&h) {
            prop_assert!((0.0..=1.0).contains(&x), "{h:?}");
        }
        // Per alpha HOTA is a geometric mean, at most the arithmetic mean of DetA and
        // AssA; so are the averages over alphas.
        prop_assert!(h.hota <= (h.det_a + h.ass_a) / 2.0 + 1e-12);
        for x in [id.idf1, id.idp, id.idr, c.motp] {
            prop_assert!((0.0..=1.0).contains(&x));
        }
        prop_assert!(c.mota <= 1.0);
        let truth: u64 = frames.iter().map(|f| f.truth.len() as u64).sum();
        let tracks: u64 = frames.iter().map(|f| f.tracks.len() as u64).sum();
        prop_assert_eq!(c.truth_count, truth);
        prop_assert_eq!(c.true_positives + c.misses, truth);
        prop_assert_eq!(c.true_positives + c.false_positives, tracks);
        prop_assert_eq!(id.idtp + id.idfn, truth);
        prop_assert_eq!(id.idtp + id.idfp, tracks);
    }
}
