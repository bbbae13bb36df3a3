//! `touchline detect` and `touchline eval --yolo` on a few of the vendored real frames.

use crate::common::{succeeds, text, touchline};
use std::path::Path;

#[test]
fn detections_are_written_and_scored_against_labels() {
    let frames = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/real-broadcast-frames");
    let dir = tempfile::tempdir().unwrap();
    let (images, labels) = (dir.path().join("images"), dir.path().join("labels"));
    std::fs::create_dir_all(&images).unwrap();
    std::fs::create_dir_all(&labels).unwrap();
    std::fs::copy(frames.join("data.yaml"), dir.path().join("data.yaml")).unwrap();
    let mut names: Vec<_> = std::fs::read_dir(frames.join("valid/images"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    for image in names.iter().take(3) {
        let name = image.file_name().unwrap();
        std::fs::copy(image, images.join(name)).unwrap();
        let label = Path::new(name).with_extension("txt");
        std::fs::copy(
            frames.join("valid/labels").join(&label),
            labels.join(&label),
        )
        .unwrap();
    }
    let run = |dets: &Path, extra: &[&str]| -> (f64, f64) {
        let mut args = vec![
            "detect",
            text(&images),
            "-o",
            text(dets),
            "--resize",
            "1920x1080",
        ];
        args.extend_from_slice(extra);
        succeeds(&args);
        assert_eq!(std::fs::read_dir(dets).unwrap().count(), 3);
        let out = succeeds(&["eval", "--yolo", text(dets), text(&labels)]);
        let report = String::from_utf8_lossy(&out.stdout);
        let person = report
            .lines()
            .find(|l| l.starts_with("person"))
            .unwrap_or_else(|| panic!("no person line in: {report}"));
        let figure = |label: &str| -> f64 {
            person
                .split(label)
                .nth(1)
                .and_then(|r| r.split_whitespace().next())
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("no {label} in: {person}"))
        };
        (figure("precision"), figure("recall"))
    };
    let (precision, recall) = run(&dir.path().join("dets"), &[]);
    assert!(recall >= 0.75, "person recall {recall}");
    // The bench, stewards and the crowd are people too, but not on the pitch: kept
    // only when asked for, they cost precision and find no labelled player.
    let (all_precision, all_recall) = run(&dir.path().join("all"), &["--off-pitch"]);
    assert!(
        precision > all_precision,
        "precision {precision} on the pitch, {all_precision} with everyone"
    );
    assert!(
        recall >= all_recall - 0.02,
        "recall {recall} against {all_recall}"
    );
}

#[test]
fn folders_without_pictures_or_labels_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = touchline(&[
        "detect",
        text(dir.path()),
        "-o",
        text(&dir.path().join("d")),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && stderr.contains("no JPEG or PNG pictures"),
        "{stderr}"
    );
    let out = touchline(&["eval", "--yolo", text(dir.path()), text(dir.path())]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && stderr.contains("no label files"),
        "{stderr}"
    );
    assert_eq!(stderr.trim().lines().count(), 1);
}

#[test]
fn a_ball_scale_out_of_range_is_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let dets = dir.path().join("d");
    for scale in ["0.5", "9", "NaN"] {
        let out = touchline(&[
            "detect",
            text(dir.path()),
            "-o",
            text(&dets),
            "--ball-scale",
            scale,
        ]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "--ball-scale {scale} accepted");
        assert!(stderr.contains("invalid --ball-scale"), "{stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
        assert!(
            !dets.exists(),
            "an output folder was made for --ball-scale {scale}"
        );
    }
}
