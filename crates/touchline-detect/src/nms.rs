//! Non-maximum suppression: of boxes of one class that overlap much, keep the surest.

use crate::Detection;

/// Keeps, per class, each detection that overlaps no surer kept one by more than
/// `iou` (intersection over union). Returns them surest first.
pub(crate) fn suppress(mut detections: Vec<Detection>, iou: f32) -> Vec<Detection> {
    detections.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut kept: Vec<Detection> = Vec::with_capacity(detections.len());
    for d in detections {
        if kept
            .iter()
            .all(|k| k.class != d.class || k.bbox.iou(&d.bbox) <= iou)
        {
            kept.push(d);
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{BoxPx, ObjectClass};

    fn det(class: ObjectClass, x0: f32, score: f32) -> Detection {
        Detection {
            class,
            bbox: BoxPx {
                x0,
                y0: 0.0,
                x1: x0 + 10.0,
                y1: 20.0,
            },
            score,
        }
    }

    #[test]
    fn overlapping_boxes_of_one_class_collapse_to_the_surest() {
        let kept = suppress(
            vec![
                det(ObjectClass::Person, 0.0, 0.6),
                det(ObjectClass::Person, 1.0, 0.9),
                det(ObjectClass::Ball, 1.0, 0.5),
                det(ObjectClass::Person, 40.0, 0.3),
            ],
            0.5,
        );
        assert_eq!(kept.len(), 3);
        assert_eq!(kept[0].score, 0.9);
        assert!(kept.iter().any(|d| d.class == ObjectClass::Ball));
    }
}
