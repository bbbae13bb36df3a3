//! YOLO-format files (`class cx cy w h` per line, normalised to 0..1) for detections
//! and labels, and precision and recall of detections against labels.

use std::path::Path;

use crate::{BoxPx, Detection, Error, ObjectClass, Result};

/// Writes detections of a `width`×`height` picture as YOLO lines: class (person 0,
/// ball 1), centre and size normalised, then the score.
pub fn to_yolo(detections: &[Detection], width: u32, height: u32) -> String {
    let (w, h) = (width as f32, height as f32);
    detections
        .iter()
        .map(|d| {
            let b = &d.bbox;
            let class = ObjectClass::ALL
                .iter()
                .position(|c| *c == d.class)
                .unwrap_or(0);
            format!(
                "{class} {:.6} {:.6} {:.6} {:.6} {:.4}\n",
                (b.x0 + b.x1) / 2.0 / w,
                (b.y0 + b.y1) / 2.0 / h,
                (b.x1 - b.x0) / w,
                (b.y1 - b.y0) / h,
                d.score
            )
        })
        .collect()
}

/// Reads YOLO lines into boxes of a `width`×`height` picture, mapping each file class
/// through `class_of` (lines whose class maps to `None` are skipped). A sixth field,
/// the score, is read when present.
pub fn read_yolo(
    path: &Path,
    width: u32,
    height: u32,
    class_of: impl Fn(u32) -> Option<ObjectClass>,
) -> Result<Vec<Detection>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::Input(format!("cannot read {}: {e}", path.display())))?;
    let (w, h) = (width as f32, height as f32);
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.is_empty() {
            continue;
        }
        let bad = || {
            Error::Input(format!(
                "{} line {}: expected 'class cx cy w h [score]'",
                path.display(),
                n + 1
            ))
        };
        if fields.len() != 5 && fields.len() != 6 {
            return Err(bad());
        }
        let class: u32 = fields[0].parse().map_err(|_| bad())?;
        let v: Vec<f32> = fields[1..]
            .iter()
            .map(|f| f.parse::<f32>().ok().filter(|v| v.is_finite()))
            .collect::<Option<_>>()
            .ok_or_else(bad)?;
        let Some(class) = class_of(class) else {
            continue;
        };
        out.push(Detection {
            class,
            bbox: BoxPx {
                x0: (v[0] - v[2] / 2.0) * w,
                y0: (v[1] - v[3] / 2.0) * h,
                x1: (v[0] + v[2] / 2.0) * w,
                y1: (v[1] + v[3] / 2.0) * h,
            },
            score: v.get(4).copied().unwrap_or(1.0),
        });
    }
    Ok(out)
}

/// Matched and unmatched counts of one class.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Detections matched to a label.
    pub true_positives: usize,
    /// Detections matched to none.
    pub false_positives: usize,
    /// Labels no detection matched.
    pub false_negatives: usize,
}

impl Counts {
    /// Matched detections over all detections (1 when there are none).
    pub fn precision(&self) -> f64 {
        let n = self.true_positives + self.false_positives;
        if n == 0 {
            1.0
        } else {
            self.true_positives as f64 / n as f64
        }
    }
    /// Matched labels over all labels (1 when there are none).
    pub fn recall(&self) -> f64 {
        let n = self.true_positives + self.false_negatives;
        if n == 0 {
            1.0
        } else {
            self.true_positives as f64 / n as f64
        }
    }
    /// Adds another picture's counts.
    pub fn add(&mut self, other: Counts) {
        self.true_positives += other.true_positives;
        self.false_positives += other.false_positives;
        self.false_negatives += other.false_negatives;
    }
}

/// Matches detections of `class` to labels of it, surest detection first, each to the
/// unmatched label it overlaps most if that overlap reaches `min_iou`.
pub fn score(
    detections: &[Detection],
    labels: &[Detection],
    class: ObjectClass,
    min_iou: f32,
) -> Counts {
    let mut dets: Vec<&Detection> = detections.iter().filter(|d| d.class == class).collect();
    dets.sort_by(|a, b| b.score.total_cmp(&a.score));
    let labels: Vec<&Detection> = labels.iter().filter(|l| l.class == class).collect();
    let mut taken = vec![false; labels.len()];
    let mut counts = Counts::default();
    for d in dets {
        let best = labels
            .iter()
            .enumerate()
            .filter(|(i, _)| !taken[*i])
            .map(|(i, l)| (i, d.bbox.iou(&l.bbox)))
            .max_by(|a, b| a.1.total_cmp(&b.1));
        match best {
            Some((i, iou)) if iou >= min_iou => {
                taken[i] = true;
                counts.true_positives += 1;
            }
            _ => counts.false_positives += 1,
        }
    }
    counts.false_negatives = taken.iter().filter(|t| !**t).count();
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn det(class: ObjectClass, x0: f32, score: f32) -> Detection {
        Detection {
            class,
            bbox: BoxPx {
                x0,
                y0: 10.0,
                x1: x0 + 20.0,
                y1: 50.0,
            },
            score,
        }
    }

    #[test]
    fn yolo_lines_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        let dets = vec![
            det(ObjectClass::Person, 100.0, 0.9),
            det(ObjectClass::Ball, 300.0, 0.4),
        ];
        std::fs::write(&path, to_yolo(&dets, 640, 360)).unwrap();
        let back = read_yolo(&path, 640, 360, |c| {
            ObjectClass::ALL.get(c as usize).copied()
        })
        .unwrap();
        assert_eq!(back.len(), 2);
        assert!((back[0].bbox.x0 - 100.0).abs() < 0.01 && (back[1].score - 0.4).abs() < 1e-3);
        std::fs::write(&path, "0 0.5 0.5\n").unwrap();
        let err = read_yolo(&path, 640, 360, |_| None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 1"), "{err}");
    }

    #[test]
    fn precision_and_recall_count_matches_once() {
        let labels = vec![
            det(ObjectClass::Person, 0.0, 1.0),
            det(ObjectClass::Person, 100.0, 1.0),
        ];
        let dets = vec![
            det(ObjectClass::Person, 1.0, 0.9),
            det(ObjectClass::Person, 2.0, 0.8), // a duplicate of the same player
            det(ObjectClass::Ball, 100.0, 0.7), // another class
        ];
        let c = score(&dets, &labels, ObjectClass::Person, 0.5);
        assert_eq!(
            c,
            Counts {
                true_positives: 1,
                false_positives: 1,
                false_negatives: 1
            }
        );
        assert_eq!(c.precision(), 0.5);
        assert_eq!(c.recall(), 0.5);
    }
}
