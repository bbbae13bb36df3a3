//! Similarities in `[0, 1]` between a truth and a tracker output, for [`FrameMatch`].
//!
//! [`FrameMatch`]: super::FrameMatch

/// Intersection over union of two axis-aligned boxes `[x0, y0, x1, y1]`, in `[0, 1]`.
///
/// The usual similarity for image-space tracking (MOT benchmarks match at IoU 0.5). A
/// box with `x1 <= x0` or `y1 <= y0` is empty; two empty boxes, or any NaN, give `0`.
///
/// ```
/// use touchline_track::metrics::box_iou;
///
/// // Half of a 10 × 10 box: intersection 50, union 100.
/// assert_eq!(box_iou([0.0, 0.0, 10.0, 10.0], [0.0, 0.0, 10.0, 5.0]), 0.5);
/// assert_eq!(box_iou([0.0, 0.0, 1.0, 1.0], [2.0, 2.0, 3.0, 3.0]), 0.0);
/// ```
pub fn box_iou(a: [f64; 4], b: [f64; 4]) -> f64 {
    if a.iter().chain(&b).any(|v| v.is_nan()) {
        return 0.0;
    }
    let area = |r: [f64; 4]| (r[2] - r[0]).max(0.0) * (r[3] - r[1]).max(0.0);
    let inter = [
        a[0].max(b[0]),
        a[1].max(b[1]),
        a[2].min(b[2]),
        a[3].min(b[3]),
    ];
    let inter = area(inter);
    let union = area(a) + area(b) - inter;
    if union > 0.0 {
        (inter / union).clamp(0.0, 1.0)
    } else {
        0.0
    }
}

/// Similarity of two positions `distance_m` apart: `1` when they coincide, falling
/// linearly to `0` at `zero_at_m` and beyond, i.e. `max(0, 1 − d / zero_at)`.
///
/// For pitch-space evaluation, where truth and tracks are positions in metres rather
/// than boxes. With `zero_at_m = 2`, a HOTA threshold alpha corresponds to a distance
/// of `2 (1 − alpha)` metres: alpha 0.5 accepts matches within one metre. A NaN
/// distance, or a `zero_at_m` that is not positive, gives `0`.
///
/// ```
/// use touchline_track::metrics::distance_similarity;
///
/// assert_eq!(distance_similarity(0.5, 2.0), 0.75);
/// assert_eq!(distance_similarity(3.0, 2.0), 0.0);
/// ```
pub fn distance_similarity(distance_m: f64, zero_at_m: f64) -> f64 {
    // Written so that NaN in either argument fails the comparisons and gives 0.
    if zero_at_m > 0.0 && distance_m >= 0.0 {
        (1.0 - distance_m / zero_at_m).max(0.0)
    } else if zero_at_m > 0.0 && distance_m < 0.0 {
        // A distance cannot be negative; treat it as its magnitude.
        (1.0 + distance_m / zero_at_m).max(0.0)
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iou_of_overlapping_boxes() {
        // Two 2 × 2 boxes offset by 1 in x: intersection 1 × 2 = 2, union 4 + 4 − 2 = 6.
        let iou = box_iou([0.0, 0.0, 2.0, 2.0], [1.0, 0.0, 3.0, 2.0]);
        assert!((iou - 1.0 / 3.0).abs() < 1e-15);
        // Symmetric, and 1 for identical boxes.
        assert_eq!(iou, box_iou([1.0, 0.0, 3.0, 2.0], [0.0, 0.0, 2.0, 2.0]));
        assert_eq!(box_iou([1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0]), 1.0);
        // One box inside the other: 1 / 4.
        assert_eq!(box_iou([0.0, 0.0, 2.0, 2.0], [0.0, 0.0, 1.0, 1.0]), 0.25);
    }

    #[test]
    fn iou_of_degenerate_boxes_is_zero() {
        // Touching edges only.
        assert_eq!(box_iou([0.0, 0.0, 1.0, 1.0], [1.0, 0.0, 2.0, 1.0]), 0.0);
        // Empty and inverted boxes.
        assert_eq!(box_iou([0.0; 4], [0.0; 4]), 0.0);
        assert_eq!(box_iou([2.0, 2.0, 0.0, 0.0], [0.0, 0.0, 2.0, 2.0]), 0.0);
        assert_eq!(
            box_iou([f64::NAN, 0.0, 1.0, 1.0], [0.0, 0.0, 1.0, 1.0]),
            0.0
        );
        assert_eq!(
            box_iou([0.0, 0.0, f64::NAN, f64::NAN], [0.0, 0.0, 2.0, 2.0]),
            0.0
        );
    }

    #[test]
    fn distance_similarity_is_linear_then_zero() {
        assert_eq!(distance_similarity(0.0, 2.0), 1.0);
        assert_eq!(distance_similarity(1.0, 2.0), 0.5);
        assert_eq!(distance_similarity(2.0, 2.0), 0.0);
        assert_eq!(distance_similarity(10.0, 2.0), 0.0);
        assert_eq!(distance_similarity(-1.0, 2.0), 0.5);
        assert_eq!(distance_similarity(f64::NAN, 2.0), 0.0);
        assert_eq!(distance_similarity(0.0, 0.0), 0.0);
        assert_eq!(distance_similarity(0.0, f64::NAN), 0.0);
    }
}
