//! `touchline calibrate` as a user runs it: two recordings of the simulated match and a
//! landmarks file in, a rig.toml out that agrees with the rig the simulator used.

use crate::common::{succeeds, text, touchline};

use nalgebra::Point3;
use touchline_core::geometry::Rig;

/// Landmarks as a person would click them: the pitch's corners, the halfway line's
/// ends, the centre spot and the penalty boxes' corners, rounded to whole pixels.
fn landmarks_csv(rig: &Rig) -> String {
    let pitch = rig.pitch;
    let (hl, hw) = pitch.half();
    let inset = pitch.line_width / 2.0;
    let (l, w) = (hl - inset, hw - inset);
    let (bx, by) = (
        hl - pitch.penalty_area_depth,
        pitch.penalty_area_width / 2.0,
    );
    let mut points = vec![(0.0, -w), (0.0, w), (0.0, 0.0)];
    for s in [-1.0, 1.0] {
        points.extend([(s * l, -w), (s * l, w), (s * bx, -by), (s * bx, by)]);
    }
    let mut csv = String::from("camera,x,y,pitch_x,pitch_y\n");
    for (camera, name) in rig.camera_models().unwrap().iter().zip(["left", "right"]) {
        for &(x, y) in &points {
            let Some(p) = camera.project(&Point3::new(x, y, 0.0)) else {
                continue;
            };
            if camera.size().contains(&p) && p.x > 10.0 && p.y > 10.0 {
                csv += &format!("{name},{:.0},{:.0},{x},{y}\n", p.x, p.y);
            }
        }
    }
    csv
}

#[test]
fn calibration_from_footage_matches_the_simulated_rig() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    succeeds(&["sim", "--seconds", "7", "-o", text(d)]);
    let truth = Rig::load(&d.join("rig.toml")).unwrap();
    std::fs::write(d.join("landmarks.csv"), landmarks_csv(&truth)).unwrap();

    let rig_out = d.join("calibrated.toml");
    let out = succeeds(&[
        "calibrate",
        text(&d.join("left.mp4")),
        text(&d.join("right.mp4")),
        "--landmarks",
        text(&d.join("landmarks.csv")),
        "-o",
        text(&rig_out),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("landmarks:"),
        "the report is printed: {stdout}"
    );
    println!("{stdout}");

    let fitted = Rig::load(&rig_out).unwrap();
    let (est, cams) = (
        fitted.camera_models().unwrap(),
        truth.camera_models().unwrap(),
    );
    let relative =
        |c: &[touchline_core::geometry::Camera]| c[1].rotation().inverse() * c[0].rotation();
    let rotation_error = (relative(&est) * relative(&cams).inverse())
        .angle()
        .to_degrees();
    let focal_error = (est[0].intrinsics().fx / cams[0].intrinsics().fx - 1.0).abs();
    println!(
        "relative rotation error {rotation_error:.4}°, focal error {:.2}%",
        focal_error * 100.0
    );
    // Through H.264 and with whole-pixel landmarks: still well within a tenth of a
    // degree and one percent.
    assert!(rotation_error < 0.1, "rotation off by {rotation_error}°");
    assert!(
        focal_error < 0.01,
        "focal off by {:.2}%",
        focal_error * 100.0
    );
}

#[test]
fn bad_landmarks_give_one_line_and_no_rig() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    succeeds(&[
        "sim",
        "--seconds",
        "1",
        "--width",
        "640",
        "--height",
        "360",
        "-o",
        text(d),
    ]);
    for (content, needle) in [
        ("camera,x,y,pitch_x,pitch_y\nleft,10,10,0,0\nleft,20,10,5,0\nleft,30,10,10,0\n", "at least 4"),
        ("camera,x,y,pitch_x,pitch_y\nleft,10,10,0,0\nleft,20,10,5,0\nleft,30,10,10,0\nleft,40,10,15,0\n", "one line"),
        ("x,y\n", "header"),
    ] {
        std::fs::write(d.join("landmarks.csv"), content).unwrap();
        let rig_out = d.join("out.toml");
        let out = touchline(&[
            "calibrate",
            text(&d.join("left.mp4")),
            text(&d.join("right.mp4")),
            "--landmarks",
            text(&d.join("landmarks.csv")),
            "-o",
            text(&rig_out),
        ]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success());
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
        assert!(stderr.contains(needle), "{stderr}");
        assert!(!rig_out.exists() && !d.join("out.toml.partial").exists());
    }
}
