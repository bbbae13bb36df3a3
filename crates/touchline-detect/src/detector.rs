//! A learned detector in ONNX, run through tract over tiles of a picture.

use std::path::Path;

use image::RgbImage;
use rayon::prelude::*;
use tract_onnx::prelude::*;

use crate::nms::suppress;
use crate::{BoxPx, Detection, Error, ObjectClass, Result};

/// How a model's outputs are laid out, and what its classes mean.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModelFormat {
    /// NanoDet (the vendored COCO NanoDet-g): per stride 8, 16 and 32 a `[1, N, C]`
    /// sigmoid class-score map and a `[1, N, 4·11]` box distribution map; input BGR,
    /// normalised by NanoDet's means and deviations. COCO classes: person 0, ball 32.
    NanoDet,
}

impl ModelFormat {
    fn class_of(self, index: usize) -> Option<ObjectClass> {
        match (self, index) {
            (ModelFormat::NanoDet, 0) => Some(ObjectClass::Person),
            (ModelFormat::NanoDet, 32) => Some(ObjectClass::Ball),
            _ => None,
        }
    }
}

/// NanoDet's input normalisation, B, G, R.
const NANODET_MEAN: [f32; 3] = [103.53, 116.28, 123.675];
const NANODET_STD: [f32; 3] = [57.375, 57.12, 58.395];
/// The vendored NanoDet-g (Apache-2.0; see models/nanodet-g-coco/NOTICE).
static NANODET_G: &[u8] = include_bytes!("../../../models/nanodet-g-coco/nanodet-g-coco80.onnx");
/// Bins of NanoDet's box-side distributions.
const NANODET_BINS: usize = 11;
const NANODET_STRIDES: [u32; 3] = [8, 16, 32];

/// How a picture is cut into the network's input tiles and what is kept.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TileOptions {
    /// The picture is scaled by this before tiling: above 1 makes small players and the
    /// ball bigger for the network, at the cost of more tiles.
    pub scale: f32,
    /// Overlap between neighbouring tiles, pixels of the scaled picture, so that an
    /// object cut by one tile's edge is whole in the next.
    pub overlap: u32,
    /// Least score of a person.
    pub person_threshold: f32,
    /// Least score of a ball.
    pub ball_threshold: f32,
    /// Boxes of one class overlapping more than this (IoU) are one object.
    pub nms_iou: f32,
}

impl Default for TileOptions {
    fn default() -> Self {
        TileOptions {
            scale: 1.0,
            overlap: 64,
            // Chosen on the real broadcast frames: recall 0.87 for people.
            person_threshold: 0.4,
            ball_threshold: 0.25,
            nms_iou: 0.5,
        }
    }
}

type Plan = std::sync::Arc<TypedRunnableModel>;

/// A detector: an ONNX model of a known format at a fixed square input size.
pub struct OnnxDetector {
    plan: Plan,
    tile: u32,
    format: ModelFormat,
    /// For each output: the stride it belongs to and whether it holds class scores.
    outputs: Vec<(u32, bool)>,
    classes: usize,
}

/// The shape the model's first input declares (unknown sizes as `None`), if it
/// declares one.
fn declared_input(proto: &tract_onnx::pb::ModelProto) -> Option<Vec<Option<i64>>> {
    use tract_onnx::pb::tensor_shape_proto::dimension::Value;
    use tract_onnx::pb::type_proto;
    let graph = proto.graph.as_ref()?;
    // Inputs that have an initializer are weights, not the picture.
    let input = graph
        .input
        .iter()
        .find(|i| !graph.initializer.iter().any(|w| w.name == i.name))?;
    let type_proto::Value::TensorType(tensor) = input.r#type.as_ref()?.value.as_ref()?;
    let shape = tensor.shape.as_ref()?;
    Some(
        shape
            .dim
            .iter()
            .map(|d| match d.value {
                Some(Value::DimValue(v)) if v > 0 => Some(v),
                _ => None,
            })
            .collect(),
    )
}

fn model_error(path: &Path, why: impl std::fmt::Display) -> Error {
    // tract's errors carry a chain; the first line names the problem.
    let why = why.to_string();
    Error::Model {
        path: path.to_owned(),
        why: why.lines().next().unwrap_or("unknown error").to_owned(),
    }
}

impl OnnxDetector {
    /// Loads a model and prepares it for `tile`×`tile` inputs (a multiple of 32),
    /// checking that it takes one `[1, 3, H, W]` picture and that its outputs are
    /// those of `format`.
    pub fn load(path: &Path, tile: u32, format: ModelFormat) -> Result<OnnxDetector> {
        let bytes = std::fs::read(path).map_err(|e| model_error(path, e))?;
        OnnxDetector::from_bytes(&bytes, path, tile, format)
    }

    /// The side of the square input the model runs at.
    pub fn tile(&self) -> u32 {
        self.tile
    }

    /// The vendored COCO NanoDet-g, built into the program, at `tile`×`tile` inputs.
    pub fn nanodet(tile: u32) -> Result<OnnxDetector> {
        let name = Path::new("(built-in NanoDet-g)");
        OnnxDetector::from_bytes(NANODET_G, name, tile, ModelFormat::NanoDet)
    }

    /// Like [`OnnxDetector::load`] for a model already in memory; `path` names it in
    /// errors.
    pub fn from_bytes(
        bytes: &[u8],
        path: &Path,
        tile: u32,
        format: ModelFormat,
    ) -> Result<OnnxDetector> {
        if tile == 0 || !tile.is_multiple_of(32) || tile > 2048 {
            return Err(Error::Format(format!(
                "tile size {tile} must be a multiple of 32 up to 2048"
            )));
        }
        let onnx = tract_onnx::onnx();
        let proto = onnx
            .proto_model_for_read(&mut &bytes[..])
            .map_err(|e| model_error(path, format!("not an ONNX model tract can read ({e})")))?;
        if let Some(dims) = declared_input(&proto) {
            // The detector feeds 1×3×tile×tile pictures; a model that says it takes
            // something else would otherwise be forced to and fail somewhere inside.
            let fits = dims.len() == 4 && dims[1].is_none_or(|c| c == 3);
            if !fits {
                let shown: Vec<String> = dims
                    .iter()
                    .map(|d| d.map_or("?".to_owned(), |d| d.to_string()))
                    .collect();
                return Err(model_error(
                    path,
                    format!(
                        "its input has shape [{}], not a picture of shape [N, 3, H, W]",
                        shown.join(", ")
                    ),
                ));
            }
        }
        let model = onnx
            .model_for_proto_model(&proto)
            .map_err(|e| model_error(path, format!("not an ONNX model tract can read ({e})")))?;
        let inputs = model
            .input_outlets()
            .map_err(|e| model_error(path, e))?
            .len();
        if inputs != 1 {
            return Err(Error::Format(format!(
                "the model takes {inputs} inputs, expected one picture"
            )));
        }
        let plan = model
            .with_input_fact(0, f32::fact([1, 3, tile as usize, tile as usize]).into())
            .and_then(|m| m.into_optimized())
            .and_then(|m| m.into_runnable())
            .map_err(|e| {
                model_error(
                    path,
                    format!("cannot prepare it for {tile}×{tile} inputs ({e})"),
                )
            })?;
        let mut detector = OnnxDetector {
            plan,
            tile,
            format,
            outputs: Vec::new(),
            classes: 0,
        };
        detector.learn_outputs()?;
        Ok(detector)
    }

    /// Runs the model once on a blank tile and works out which output is which.
    fn learn_outputs(&mut self) -> Result<()> {
        let outputs = self.run(vec![0.0; 3 * (self.tile * self.tile) as usize])?;
        let cells = |stride: u32| ((self.tile / stride) * (self.tile / stride)) as usize;
        let mut layout = Vec::new();
        for o in &outputs {
            let shape = o.shape();
            let (n, width) = match shape {
                [1, n, w] => (*n, *w),
                other => {
                    return Err(Error::Format(format!(
                        "an output of shape {other:?}; NanoDet outputs are [1, N, C]"
                    )))
                }
            };
            let stride = NANODET_STRIDES
                .iter()
                .copied()
                .find(|&s| cells(s) == n)
                .ok_or_else(|| {
                    Error::Format(format!("an output of {n} cells matches no stride"))
                })?;
            let is_boxes = width == 4 * NANODET_BINS;
            if !is_boxes {
                if self.classes != 0 && self.classes != width {
                    return Err(Error::Format("score maps of different class counts".into()));
                }
                self.classes = width;
            }
            layout.push((stride, !is_boxes));
        }
        for s in NANODET_STRIDES {
            let count = |scores: bool| {
                layout
                    .iter()
                    .filter(|&&(st, sc)| st == s && sc == scores)
                    .count()
            };
            if count(true) != 1 || count(false) != 1 {
                return Err(Error::Format(format!(
                    "expected one score map and one box map at stride {s}"
                )));
            }
        }
        if self.classes <= 32 {
            return Err(Error::Format(format!(
                "{} classes; the COCO ball class (32) needs at least 33",
                self.classes
            )));
        }
        self.outputs = layout;
        Ok(())
    }

    fn run(&self, input: Vec<f32>) -> Result<Vec<Tensor>> {
        let t = self.tile as usize;
        let tensor = Tensor::from_shape(&[1, 3, t, t], &input)
            .map_err(|e| Error::Inference(e.to_string()))?;
        let outputs = self
            .plan
            .run(tvec!(tensor.into()))
            .map_err(|e| Error::Inference(e.to_string()))?;
        Ok(outputs.into_iter().map(|v| v.into_tensor()).collect())
    }

    /// The network's input for the tile at (`x`, `y`) of `image`: BGR, normalised,
    /// outside the picture the mean (zero after normalisation).
    fn tile_input(&self, image: &RgbImage, x: u32, y: u32) -> Vec<f32> {
        let t = self.tile as usize;
        let mut input = vec![0.0f32; 3 * t * t];
        let (w, h) = image.dimensions();
        for ty in 0..t {
            let sy = y as usize + ty;
            if sy >= h as usize {
                break;
            }
            for tx in 0..t {
                let sx = x as usize + tx;
                if sx >= w as usize {
                    break;
                }
                let p = image.get_pixel(sx as u32, sy as u32).0;
                // Planes B, G, R from the picture's R, G, B.
                for (plane, value) in [p[2], p[1], p[0]].into_iter().enumerate() {
                    input[plane * t * t + ty * t + tx] =
                        (value as f32 - NANODET_MEAN[plane]) / NANODET_STD[plane];
                }
            }
        }
        input
    }

    /// Decodes one tile's outputs into detections in the tile's pixels.
    fn decode(&self, outputs: &[Tensor], options: &TileOptions) -> Result<Vec<Detection>> {
        let mut found = Vec::new();
        for stride in NANODET_STRIDES {
            let find = |scores: bool| {
                self.outputs
                    .iter()
                    .position(|&(s, sc)| s == stride && sc == scores)
                    .map(|i| &outputs[i])
                    .ok_or_else(|| Error::Inference("an output went missing".into()))
            };
            let (scores, boxes) = (view(find(true)?)?, view(find(false)?)?);
            let (Some(scores), Some(boxes)) = (scores.as_slice(), boxes.as_slice()) else {
                return Err(Error::Inference("an output is not contiguous".into()));
            };
            let columns = (self.tile / stride) as usize;
            for (cell, row) in scores.chunks_exact(self.classes).enumerate() {
                for (index, &score) in row.iter().enumerate() {
                    let Some(class) = self.format.class_of(index) else {
                        continue;
                    };
                    let threshold = match class {
                        ObjectClass::Person => options.person_threshold,
                        ObjectClass::Ball => options.ball_threshold,
                    };
                    if score < threshold {
                        continue;
                    }
                    let sides = &boxes[cell * 4 * NANODET_BINS..(cell + 1) * 4 * NANODET_BINS];
                    let distance: Vec<f32> = sides
                        .chunks_exact(NANODET_BINS)
                        .map(|bins| expected_bin(bins) * stride as f32)
                        .collect();
                    let cx = ((cell % columns) as f32 + 0.5) * stride as f32;
                    let cy = ((cell / columns) as f32 + 0.5) * stride as f32;
                    found.push(Detection {
                        class,
                        bbox: BoxPx {
                            x0: cx - distance[0],
                            y0: cy - distance[1],
                            x1: cx + distance[2],
                            y1: cy + distance[3],
                        },
                        score,
                    });
                }
            }
        }
        Ok(found)
    }

    /// Detects people and the ball in a picture: scaled by `options.scale`, cut into
    /// overlapping tiles, each run through the model, boxes merged across tiles.
    pub fn detect(&self, image: &RgbImage, options: &TileOptions) -> Result<Vec<Detection>> {
        let (w, h) = image.dimensions();
        if w == 0 || h == 0 {
            return Err(Error::Input("the picture is empty".into()));
        }
        if !(options.scale.is_finite() && (0.1..=8.0).contains(&options.scale)) {
            return Err(Error::Input(format!(
                "scale {} must be within 0.1–8",
                options.scale
            )));
        }
        let scaled;
        let picture = if (options.scale - 1.0).abs() > 1e-6 {
            let sw = ((w as f32 * options.scale).round() as u32).max(1);
            let sh = ((h as f32 * options.scale).round() as u32).max(1);
            scaled = image::imageops::resize(image, sw, sh, image::imageops::FilterType::Triangle);
            &scaled
        } else {
            image
        };
        let (pw, ph) = picture.dimensions();
        let tiles: Vec<(u32, u32)> = tile_starts(ph, self.tile, options.overlap)
            .into_iter()
            .flat_map(|y| {
                tile_starts(pw, self.tile, options.overlap)
                    .into_iter()
                    .map(move |x| (x, y))
            })
            .collect();
        // Tiles are independent: one per core.
        let per_tile = tiles
            .par_iter()
            .map(|&(x, y)| {
                let outputs = self.run(self.tile_input(picture, x, y))?;
                let s = options.scale;
                let tile = self.tile as f32;
                // Edges of this tile that lie inside the picture: a box reaching one
                // may hold only the part of its object this tile shows.
                let inner = [x > 0, y > 0, x + self.tile < pw, y + self.tile < ph];
                Ok(self
                    .decode(&outputs, options)?
                    .into_iter()
                    .map(|d| {
                        let b = d.bbox;
                        let reaches = [
                            b.x0 <= 1.0,
                            b.y0 <= 1.0,
                            b.x1 >= tile - 1.0,
                            b.y1 >= tile - 1.0,
                        ];
                        let cut = inner.iter().zip(reaches).any(|(&i, r)| i && r);
                        let d = Detection {
                            bbox: BoxPx {
                                x0: ((b.x0 + x as f32) / s).max(0.0),
                                y0: ((b.y0 + y as f32) / s).max(0.0),
                                x1: ((b.x1 + x as f32) / s).min(w as f32),
                                y1: ((b.y1 + y as f32) / s).min(h as f32),
                            },
                            ..d
                        };
                        (d, cut)
                    })
                    .collect::<Vec<_>>())
            })
            .collect::<Result<Vec<_>>>()?;
        let all: Vec<(Detection, bool)> = per_tile.into_iter().flatten().collect();
        Ok(suppress(without_cut_parts(all), options.nms_iou))
    }
}

/// Share of a box cut by a tile's edge that must lie inside a larger box of its class
/// for it to be that object's part.
const PART_INSIDE: f32 = 0.6;

/// Drops the boxes a tile's edge cut (a player's upper half at the bottom of one tile)
/// that lie mostly inside a larger box of the same class (the whole player, seen by
/// the next tile): too small to pass as the same object by overlap, they would
/// otherwise each count as one more person.
fn without_cut_parts(all: Vec<(Detection, bool)>) -> Vec<Detection> {
    all.iter()
        .filter(|(d, cut)| {
            !cut || !all.iter().any(|(other, _)| {
                other.class == d.class
                    && other.bbox.area() > d.bbox.area()
                    && other.bbox.intersection(&d.bbox) >= PART_INSIDE * d.bbox.area()
            })
        })
        .map(|(d, _)| *d)
        .collect()
}

/// A tensor's values as a view.
fn view(t: &Tensor) -> Result<tract_onnx::prelude::tract_ndarray::ArrayViewD<'_, f32>> {
    t.to_plain_array_view::<f32>()
        .map_err(|e| Error::Inference(e.to_string()))
}

/// The expected index of a softmax over `bins`.
fn expected_bin(bins: &[f32]) -> f32 {
    let max = bins.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let weights: Vec<f32> = bins.iter().map(|b| (b - max).exp()).collect();
    let total: f32 = weights.iter().sum();
    weights
        .iter()
        .enumerate()
        .map(|(i, w)| i as f32 * w)
        .sum::<f32>()
        / total
}

/// Where tiles of `tile` pixels start along a side of `len`, overlapping by at least
/// `overlap`, the last one ending at the side's end.
fn tile_starts(len: u32, tile: u32, overlap: u32) -> Vec<u32> {
    if len <= tile {
        return vec![0];
    }
    let step = tile.saturating_sub(overlap).max(1);
    let count = (len - tile).div_ceil(step) + 1;
    (0..count)
        .map(|i| ((len - tile) as u64 * i as u64 / (count - 1) as u64) as u32)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(x0: f32, y0: f32, x1: f32, y1: f32) -> Detection {
        Detection {
            class: ObjectClass::Person,
            bbox: BoxPx { x0, y0, x1, y1 },
            score: 0.8,
        }
    }

    #[test]
    fn a_part_cut_by_a_tile_edge_gives_way_to_the_whole_object() {
        let whole = person(100.0, 50.0, 120.0, 110.0);
        // The same player's top half, cut by the tile edge at row 80.
        let half = person(101.0, 50.0, 119.0, 80.0);
        // A cut box inside nothing larger: the only sight of someone.
        let alone = person(300.0, 60.0, 318.0, 80.0);
        // A small uncut box inside a large one: a second person, partly hidden.
        let behind = person(104.0, 52.0, 116.0, 90.0);
        let ball = Detection {
            class: ObjectClass::Ball,
            bbox: BoxPx {
                x0: 105.0,
                y0: 100.0,
                x1: 109.0,
                y1: 104.0,
            },
            score: 0.5,
        };
        let kept = without_cut_parts(vec![
            (whole, false),
            (half, true),
            (alone, true),
            (behind, false),
            (ball, true),
        ]);
        assert_eq!(kept, vec![whole, alone, behind, ball]);
    }

    #[test]
    fn tiles_cover_the_side_with_overlap() {
        assert_eq!(tile_starts(300, 416, 64), vec![0]);
        let starts = tile_starts(1920, 416, 64);
        assert_eq!(*starts.first().unwrap(), 0);
        assert_eq!(*starts.last().unwrap() + 416, 1920);
        assert!(starts.windows(2).all(|w| w[0] + 416 >= w[1] + 64));
    }

    #[test]
    fn the_expected_bin_of_a_peaked_distribution_is_its_peak() {
        let mut bins = [-10.0f32; 11];
        bins[4] = 10.0;
        assert!((expected_bin(&bins) - 4.0).abs() < 1e-3);
    }
}
