//! Touchline's object detection, without GStreamer.
//!
//! - [`OnnxDetector`]: a learned detector in ONNX run through `tract` (pure Rust, no
//!   native runtime to install), with the output decoding of its format
//!   ([`ModelFormat::NanoDet`] for the vendored COCO NanoDet-g), over tiles of a
//!   picture so that small players and the ball are seen at the network's scale.
//! - [`foreground`]: a background model of the fixed panorama and the connected
//!   regions of what moves over it.
//! - [`yolo`]: YOLO-format detection and label files, and precision and recall of
//!   detections against labels.
#![deny(missing_docs)]

mod detector;
pub mod foreground;
pub mod grass;
mod nms;
pub mod panorama;
pub mod scene;
pub mod yolo;

pub use detector::{ModelFormat, OnnxDetector, TileOptions};

/// What Touchline looks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ObjectClass {
    /// A player, goalkeeper or referee.
    Person,
    /// The ball.
    Ball,
}

impl ObjectClass {
    /// Both classes, in YOLO-file order (person 0, ball 1).
    pub const ALL: [ObjectClass; 2] = [ObjectClass::Person, ObjectClass::Ball];

    /// The class's name.
    pub fn name(self) -> &'static str {
        match self {
            ObjectClass::Person => "person",
            ObjectClass::Ball => "ball",
        }
    }
}

/// An axis-aligned box in pixels: left, top, right, bottom.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BoxPx {
    /// Left edge.
    pub x0: f32,
    /// Top edge.
    pub y0: f32,
    /// Right edge.
    pub x1: f32,
    /// Bottom edge.
    pub y1: f32,
}

impl BoxPx {
    /// Area (zero for an empty box).
    pub fn area(&self) -> f32 {
        (self.x1 - self.x0).max(0.0) * (self.y1 - self.y0).max(0.0)
    }

    /// Area shared with another box.
    pub fn intersection(&self, other: &BoxPx) -> f32 {
        let w = (self.x1.min(other.x1) - self.x0.max(other.x0)).max(0.0);
        let h = (self.y1.min(other.y1) - self.y0.max(other.y0)).max(0.0);
        w * h
    }

    /// Intersection over union with another box.
    pub fn iou(&self, other: &BoxPx) -> f32 {
        let inter = self.intersection(other);
        let union = self.area() + other.area() - inter;
        if union > 0.0 {
            inter / union
        } else {
            0.0
        }
    }
}

/// One detected object.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Detection {
    /// What it is.
    pub class: ObjectClass,
    /// Where it is.
    pub bbox: BoxPx,
    /// The detector's confidence, 0–1.
    pub score: f32,
}

/// What can go wrong in detection: one line each.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The model file could not be read or is not an ONNX model tract can run.
    #[error("cannot load the detector model {path}: {why}")]
    Model {
        /// The file.
        path: std::path::PathBuf,
        /// What is wrong.
        why: String,
    },
    /// The model runs but is not the kind of detector its format says.
    #[error("the detector model does not fit its format: {0}")]
    Format(String),
    /// Inference failed.
    #[error("detection failed: {0}")]
    Inference(String),
    /// A picture or labels file that cannot be used.
    #[error("{0}")]
    Input(String),
}

/// The detection crate's result type.
pub type Result<T> = std::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iou_of_known_boxes() {
        let a = BoxPx {
            x0: 0.0,
            y0: 0.0,
            x1: 10.0,
            y1: 10.0,
        };
        let b = BoxPx {
            x0: 5.0,
            y0: 0.0,
            x1: 15.0,
            y1: 10.0,
        };
        assert!((a.iou(&b) - 50.0 / 150.0).abs() < 1e-6);
        assert_eq!(
            a.iou(&BoxPx {
                x0: 20.0,
                y0: 20.0,
                x1: 30.0,
                y1: 30.0
            }),
            0.0
        );
        assert!((a.iou(&a) - 1.0).abs() < 1e-6);
    }
}
