//! `touchline process`: two recordings of a short simulated match through the one
//! pipeline to a follow-cam video, the panorama, tracks and the camera path, scored by
//! `touchline eval --camera`; and inputs it must refuse without leaving anything that
//! looks finished.

use std::path::Path;

use crate::common::{succeeds, text, touchline};
use touchline::media::{decode, VideoWriter};
use touchline_core::geometry::ImageSize;
use touchline_core::image::I420Frame;

/// Seconds of the simulated match: longer than the director's delay, so frames leave
/// it both while the stream runs and at its end.
const SECONDS: &str = "4";

fn simulate(dir: &Path, seconds: &str) {
    succeeds(&[
        "sim",
        "--seconds",
        seconds,
        "--seed",
        "5",
        "--width",
        "640",
        "--height",
        "360",
        "-o",
        text(dir),
    ]);
}

/// Files of `dir`, by name.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn two_recordings_become_a_follow_cam_video_with_tracks_and_a_camera_path() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    simulate(d, SECONDS);
    let out = d.join("out");
    succeeds(&[
        "process",
        text(&d.join("left.mp4")),
        text(&d.join("right.mp4")),
        "-o",
        text(&out),
        "--delay",
        "1.5",
    ]);
    assert_eq!(
        names(&out),
        [
            "camera_path.csv",
            "follow.mp4",
            "panorama.mp4",
            "tracks.json"
        ]
    );

    // Every frame of the match is in the follow-cam, at 1080p, and in each output.
    let frames = 100;
    let (follow, _) = decode(&out.join("follow.mp4"), &[]).unwrap();
    assert_eq!(
        (follow.width, follow.height, follow.frames),
        (1920, 1080, frames)
    );
    let (panorama, _) = decode(&out.join("panorama.mp4"), &[]).unwrap();
    assert_eq!(panorama.frames, frames);
    let path = std::fs::read_to_string(out.join("camera_path.csv")).unwrap();
    assert_eq!(path.lines().count() as u64, frames + 1);
    assert!(path.starts_with("time,pan,tilt,fov\n"));
    let tracks: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("tracks.json")).unwrap()).unwrap();
    assert_eq!(tracks["frames"].as_array().unwrap().len() as u64, frames);

    // The camera path is scored against the true ball beside the two baselines, and
    // the view never leaves the panorama.
    let eval = succeeds(&[
        "eval",
        text(&out.join("tracks.json")),
        text(&d.join("truth.json")),
        "--camera",
        text(&out.join("camera_path.csv")),
    ]);
    let report = String::from_utf8_lossy(&eval.stdout);
    for row in ["camera path", "static wide", "raw ball-follow"] {
        let line = report
            .lines()
            .find(|l| l.trim_start().starts_with(row))
            .unwrap_or_else(|| panic!("no {row} row in:\n{report}"));
        let outside: u64 = line.split_whitespace().last().unwrap().parse().unwrap();
        assert_eq!(outside, 0, "{row} leaves the panorama: {line}");
    }
}

/// `process` refuses with one line naming the problem and leaves `out` without any
/// finished or partial result.
fn refuses(left: &Path, right: &Path, rig: &Path, out: &Path, expected: &str) {
    let run = touchline(&[
        "process",
        text(left),
        text(right),
        "--rig",
        text(rig),
        "-o",
        text(out),
    ]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success(), "{left:?} {right:?} succeeded");
    assert!(!stderr.contains("panicked"), "panicked: {stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "not one line: {stderr}");
    assert!(
        stderr.contains(expected),
        "'{stderr}' does not mention '{expected}'"
    );
    assert!(names(out).is_empty(), "left behind: {:?}", names(out));
}

#[test]
fn corrupt_mismatched_or_videoless_recordings_are_refused_and_leave_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    simulate(d, "2");
    let (left, right, rig) = (d.join("left.mp4"), d.join("right.mp4"), d.join("rig.toml"));
    let out = d.join("out");

    // Truncated: the first half of the file.
    let bytes = std::fs::read(&left).unwrap();
    let truncated = d.join("truncated.mp4");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    refuses(&truncated, &right, &rig, &out, "truncated.mp4");

    // Another frame rate, and another length.
    let size = ImageSize::new(640, 360).unwrap();
    let video = |name: &str, fps: u32, frames: usize| {
        let path = d.join(name);
        let mut writer = VideoWriter::new(&path, size, fps).unwrap();
        for _ in 0..frames {
            writer
                .push(I420Frame::filled(size, [90, 128, 128]))
                .unwrap();
        }
        writer.finish().unwrap();
        path
    };
    refuses(
        &left,
        &video("faster.mp4", 30, 60),
        &rig,
        &out,
        "frame rates differ",
    );
    refuses(
        &left,
        &video("shorter.mp4", 25, 20),
        &rig,
        &out,
        "same length",
    );

    // No video at all: a file of sound only.
    let sound = d.join("sound.mp4");
    let status = std::process::Command::new("gst-launch-1.0")
        .args([
            "-q",
            "audiotestsrc",
            "num-buffers=20",
            "!",
            "avenc_aac",
            "!",
            "mp4mux",
            "!",
            "filesink",
        ])
        .arg(format!("location={}", text(&sound)))
        .status()
        .expect("gst-launch-1.0 runs");
    assert!(status.success());
    refuses(&left, &sound, &rig, &out, "sound.mp4");
}
