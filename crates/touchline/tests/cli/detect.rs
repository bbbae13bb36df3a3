//! `touchline detect` and `touchline eval --yolo` on a few of the vendored real frames.

use crate::common::{text, touchline};
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
    let dets = dir.path().join("dets");
    let out = touchline(&[
        "detect",
        text(&images),
        "-o",
        text(&dets),
        "--resize",
        "1920x1080",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read_dir(&dets).unwrap().count(), 3);

    let out = touchline(&["eval", "--yolo", text(&dets), text(&labels)]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = String::from_utf8_lossy(&out.stdout);
    let recall: f64 = report
        .lines()
        .find(|l| l.starts_with("person"))
        .and_then(|l| l.split("recall").nth(1))
        .and_then(|r| r.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no person recall in: {report}"));
    assert!(recall >= 0.75, "person recall {recall}");
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
