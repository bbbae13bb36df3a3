//! The built-in detector on real broadcast frames (data/real-broadcast-frames, CC BY 4.0),
//! and clear errors for models it cannot use.

use std::path::{Path, PathBuf};

use touchline_detect::yolo::{read_yolo, score, Counts};
use touchline_detect::{ModelFormat, ObjectClass, OnnxDetector, TileOptions};

fn frames() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/real-broadcast-frames/valid")
}

#[test]
fn people_on_real_frames_are_found() {
    let detector = OnnxDetector::nanodet(416).unwrap();
    let mut images: Vec<PathBuf> = std::fs::read_dir(frames().join("images"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    images.sort();
    let mut people = Counts::default();
    // Every tenth frame keeps the test short; `touchline eval --yolo` scores them all.
    for path in images.iter().step_by(10) {
        // The frames were stretched to 1280×1280 when exported; back to 1920×1080.
        let img = image::open(path).unwrap().to_rgb8();
        let img = image::imageops::resize(&img, 1920, 1080, image::imageops::FilterType::Triangle);
        let found = detector.detect(&img, &TileOptions::default()).unwrap();
        let labels = frames()
            .join("labels")
            .join(path.with_extension("txt").file_name().unwrap());
        let truth = read_yolo(&labels, 1920, 1080, |c| {
            (1..=3).contains(&c).then_some(ObjectClass::Person)
        })
        .unwrap();
        people.add(score(&found, &truth, ObjectClass::Person, 0.5));
    }
    println!(
        "people: {people:?}, recall {:.3}, precision {:.3}",
        people.recall(),
        people.precision()
    );
    assert!(people.recall() >= 0.8, "recall {}", people.recall());
    assert!(
        people.precision() >= 0.4,
        "precision {}",
        people.precision()
    );
}

#[test]
fn files_that_are_not_models_are_refused_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("model.onnx");
    std::fs::write(&fake, b"this is not a protobuf").unwrap();
    let err = OnnxDetector::load(&fake, 416, ModelFormat::NanoDet)
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("cannot load the detector model"), "{err}");
    assert!(!err.contains('\n'));
    let missing = OnnxDetector::load(&dir.path().join("none.onnx"), 416, ModelFormat::NanoDet)
        .err()
        .unwrap();
    assert!(missing.to_string().contains("none.onnx"));
    let odd_tile = OnnxDetector::nanodet(100).err().unwrap();
    assert!(odd_tile.to_string().contains("multiple of 32"));
}

/// A valid ONNX model whose input is not a picture: one Relu over a `dims` tensor.
fn relu_model(dims: &[i64]) -> Vec<u8> {
    use prost::Message;
    use tract_onnx::pb::{
        tensor_shape_proto::{dimension, Dimension},
        type_proto, GraphProto, ModelProto, NodeProto, OperatorSetIdProto, TensorShapeProto,
        TypeProto, ValueInfoProto,
    };
    let value = |name: &str| ValueInfoProto {
        name: name.into(),
        r#type: Some(TypeProto {
            value: Some(type_proto::Value::TensorType(type_proto::Tensor {
                elem_type: 1, // float
                shape: Some(TensorShapeProto {
                    dim: dims
                        .iter()
                        .map(|&d| Dimension {
                            value: Some(dimension::Value::DimValue(d)),
                            ..Default::default()
                        })
                        .collect(),
                }),
            })),
            ..Default::default()
        }),
        ..Default::default()
    };
    ModelProto {
        ir_version: 7,
        opset_import: vec![OperatorSetIdProto {
            domain: String::new(),
            version: 13,
        }],
        graph: Some(GraphProto {
            name: "vector".into(),
            node: vec![NodeProto {
                input: vec!["x".into()],
                output: vec!["y".into()],
                op_type: "Relu".into(),
                ..Default::default()
            }],
            input: vec![value("x")],
            output: vec![value("y")],
            ..Default::default()
        }),
        ..Default::default()
    }
    .encode_to_vec()
}

#[test]
fn models_whose_input_is_not_a_picture_are_refused_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    for dims in [&[1i64, 8][..], &[1, 1, 32, 32][..]] {
        let path = dir.path().join("vector.onnx");
        std::fs::write(&path, relu_model(dims)).unwrap();
        let err = OnnxDetector::load(&path, 416, ModelFormat::NanoDet)
            .err()
            .unwrap_or_else(|| panic!("a {dims:?} model was accepted"))
            .to_string();
        assert!(err.contains("vector.onnx"), "{err}");
        assert!(err.contains("not a picture of shape [N, 3, H, W]"), "{err}");
        assert!(!err.contains('\n'), "{err}");
    }
}

#[test]
fn a_black_frame_holds_nothing() {
    let detector = OnnxDetector::nanodet(416).unwrap();
    let black = image::RgbImage::new(640, 360);
    assert!(detector
        .detect(&black, &TileOptions::default())
        .unwrap()
        .is_empty());
    let empty = image::RgbImage::new(0, 0);
    assert!(detector.detect(&empty, &TileOptions::default()).is_err());
}
