//! The `touchline` binary as a user runs it.

use crate::common::{succeeds, touchline};
use std::path::Path;
use std::process::Output;

use touchline::media::decode;

/// A small, short simulation into `dir`; `extra` adds or overrides options.
fn sim(dir: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "sim",
        "--width",
        "640",
        "--height",
        "360",
        "-o",
        dir.to_str().unwrap(),
    ];
    for (flag, default) in [("--seconds", "4"), ("--seed", "7")] {
        if !extra.contains(&flag) {
            args.extend_from_slice(&[flag, default]);
        }
    }
    args.extend_from_slice(extra);
    touchline(&args)
}

#[test]
fn sim_is_deterministic_and_its_videos_decode_as_asked() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let out = sim(a.path(), &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(sim(b.path(), &[]).status.success());
    let truth_a = std::fs::read(a.path().join("truth.json")).unwrap();
    let truth_b = std::fs::read(b.path().join("truth.json")).unwrap();
    assert_eq!(truth_a, truth_b, "same seed, same truth, byte for byte");
    let truth: serde_json::Value = serde_json::from_slice(&truth_a).unwrap();
    assert_eq!(truth["format"], "touchline-truth/1");
    assert_eq!(truth["frames"].as_array().unwrap().len(), 100);
    assert_eq!(truth["people"].as_array().unwrap().len(), 23);
    for name in ["left.mp4", "right.mp4"] {
        let (info, _) = decode(&a.path().join(name), &[]).unwrap();
        assert_eq!((info.width, info.height), (640, 360), "{name}");
        assert_eq!(info.fps, (25, 1), "{name}");
        assert_eq!(info.frames, 100, "{name}");
    }
    let rig = touchline_core::geometry::Rig::load(&a.path().join("rig.toml")).unwrap();
    assert_eq!(rig.cameras.len(), 2);
    // No half-written files are left beside the results.
    let leftovers: Vec<_> = std::fs::read_dir(a.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".partial"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn another_seed_is_another_match() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    assert!(sim(a.path(), &["--seconds", "2"]).status.success());
    assert!(sim(b.path(), &["--seconds", "2", "--seed", "8"])
        .status
        .success());
    assert_ne!(
        std::fs::read(a.path().join("truth.json")).unwrap(),
        std::fs::read(b.path().join("truth.json")).unwrap()
    );
}

/// Runs a bad command line and checks for one clear line on stderr and a failure code.
fn refuses(args: &[&str], expected: &str) {
    let out = touchline(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{args:?} succeeded");
    assert!(!stderr.contains("panicked"), "{args:?} panicked: {stderr}");
    assert_eq!(
        stderr.trim().lines().count(),
        1,
        "{args:?}: not one line: {stderr}"
    );
    assert!(
        stderr.contains(expected),
        "{args:?}: '{stderr}' does not mention '{expected}'"
    );
}

#[test]
fn bad_input_gets_one_clear_line_and_a_failure() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let out = out.to_str().unwrap();
    refuses(&["sim", "--width", "-640", "-o", out], "width");
    refuses(&["sim", "--height", "0", "-o", out], "image size");
    refuses(&["sim", "--seconds", "-3", "-o", out], "duration");
    refuses(
        &["sim", "--sport", "quidditch", "-o", out],
        "unknown sport 'quidditch'",
    );
    refuses(&["sim", "--pitch-length", "-105", "-o", out], "pitch");
    refuses(&["sim", "--mast-height", "-6", "-o", out], "mast height");
    refuses(&["sim", "--fps", "0", "-o", out], "frame rate");
    refuses(
        &[
            "sim",
            "--seconds",
            "1",
            "-o",
            "/proc/touchline-cannot-write-here",
        ],
        "output folder",
    );
    let bad_rig = dir.path().join("rig.toml");
    std::fs::write(
        &bad_rig,
        "format = \"touchline-rig/1\"\nsport = \"football\"\n[pitch\n",
    )
    .unwrap();
    refuses(
        &["sim", "--rig", bad_rig.to_str().unwrap(), "-o", out],
        "malformed rig file",
    );
    refuses(
        &["sim", "--rig", "/nonexistent/rig.toml", "-o", out],
        "cannot read rig file",
    );
    refuses(&["sim", "--bogus"], "--bogus");
}

#[test]
fn a_failed_run_leaves_earlier_results_alone() {
    let dir = tempfile::tempdir().unwrap();
    assert!(sim(dir.path(), &["--seconds", "1"]).status.success());
    let before = std::fs::read(dir.path().join("truth.json")).unwrap();
    // The same folder, an impossible run: nothing already written changes.
    let out = sim(dir.path(), &["--sport", "quidditch"]);
    assert!(!out.status.success());
    assert_eq!(
        std::fs::read(dir.path().join("truth.json")).unwrap(),
        before
    );
}

#[test]
fn the_cli_registers_touchline_elements_statically() {
    touchline::media::init().unwrap();
    assert!(gst::ElementFactory::find("touchlinesimsrc").is_some());
}

#[test]
fn decoding_a_file_that_is_not_a_video_fails_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fake.mp4");
    std::fs::write(&path, b"this is not a video").unwrap();
    let err = decode(&path, &[]).unwrap_err().to_string();
    assert!(err.contains("fake.mp4"), "{err}");
}

#[test]
fn the_demo_simulates_and_processes_the_match_into_a_follow_cam() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = succeeds(&["demo", "--seconds", "3", "-o", d.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    for name in [
        "left.mp4",
        "right.mp4",
        "rig.toml",
        "truth.json",
        "preview.png",
        "panorama.mp4",
        "tracks.json",
        "camera_path.csv",
        "follow.mp4",
        "contact_sheet.png",
    ] {
        assert!(d.join(name).is_file(), "{name} missing");
        assert!(
            stdout.contains(name),
            "the demo says where {name} is: {stdout}"
        );
    }
    let (pano, _) = decode(&d.join("panorama.mp4"), &[]).unwrap();
    let (view, _) = decode(&d.join("follow.mp4"), &[]).unwrap();
    assert_eq!((pano.width, pano.height, pano.frames), (3840, 1130, 75));
    assert_eq!((view.width, view.height, view.frames), (1920, 1080, 75));
    let sheet = image::open(d.join("contact_sheet.png")).unwrap();
    assert_eq!((sheet.width(), sheet.height()), (1920, 810));
}
