//! `touchline track` and `touchline eval tracks.json truth.json` on a short simulated match.

use crate::common::{succeeds, text, touchline};

fn figure(report: &str, label: &str) -> f64 {
    let at = report
        .find(label)
        .unwrap_or_else(|| panic!("{label} missing from:\n{report}"));
    report[at + label.len()..]
        .split_whitespace()
        .next()
        .and_then(|w| w.trim_end_matches(',').parse().ok())
        .unwrap_or_else(|| panic!("no number after {label}"))
}

#[test]
fn a_simulated_match_is_tracked_exported_and_scored() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    succeeds(&["sim", "--seconds", "6", "--seed", "3", "-o", text(d)]);
    let (tracks, mot) = (d.join("tracks.json"), d.join("tracks.csv"));
    succeeds(&[
        "track",
        text(&d.join("left.mp4")),
        text(&d.join("right.mp4")),
        "-o",
        text(&tracks),
        "--mot",
        text(&mot),
    ]);

    // MOTChallenge rows: frame from 1, id, a box with positive size.
    let csv = std::fs::read_to_string(&mot).unwrap();
    let rows: Vec<Vec<f64>> = csv
        .lines()
        .map(|l| l.split(',').map(|v| v.parse().unwrap()).collect())
        .collect();
    assert!(rows.len() > 150 * 15, "{} rows", rows.len());
    assert!(rows
        .iter()
        .all(|r| r.len() == 10 && r[0] >= 1.0 && r[4] > 0.0 && r[5] > 0.0));

    // Every person in every frame has an identity (team and role) in the file.
    let file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&tracks).unwrap()).unwrap();
    let identities: std::collections::HashSet<u64> = file["people"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_u64().unwrap())
        .collect();
    for frame in file["frames"].as_array().unwrap() {
        for person in frame["people"].as_array().unwrap() {
            let id = person["id"].as_u64().unwrap();
            assert!(identities.contains(&id), "track {id} has no identity");
        }
    }

    let eval = succeeds(&["eval", text(&tracks), text(&d.join("truth.json"))]);
    let report = String::from_utf8_lossy(&eval.stdout).to_string();
    println!("{report}");
    // Floors well below what the tracker reaches, so that a regression that breaks
    // detection, association or teams fails here.
    assert!(figure(&report, "detection recall") > 0.5, "{report}");
    assert!(figure(&report, "teams right on") > 90.0, "{report}");
    let pitch = report
        .lines()
        .find(|l| l.contains("pitch positions"))
        .unwrap();
    assert!(figure(pitch, "HOTA") > 0.4, "{report}");
    // Identities hold for seconds, not frames: on 10-minute matches a person changes
    // track about 6 times a minute, flickers between neighbours included.
    let switches = report
        .lines()
        .find(|l| l.contains("identity switches"))
        .unwrap();
    assert!(figure(switches, "(") < 20.0, "{report}");
    // People are placed where they stand, not along the line of sight towards the
    // cameras, where the blurred bottom of their silhouettes would put them.
    let error = report
        .lines()
        .find(|l| l.contains("pitch error median") && !l.starts_with("ball"))
        .unwrap();
    assert!(figure(error, "median") < 0.4, "{report}");
    assert!(figure(error, "m,") < 0.1, "{report}");
}

#[test]
fn unusable_inputs_get_one_line_and_no_tracks_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let sim = touchline(&["sim", "--seconds", "1", "-o", text(d)]);
    assert!(sim.status.success());
    // A calibration with a value that is not a number.
    let rig = std::fs::read_to_string(d.join("rig.toml")).unwrap();
    let broken = rig.replacen("centre = [0.0", "centre = [nan", 1);
    let broken_rig = d.join("broken.toml");
    std::fs::write(&broken_rig, broken).unwrap();
    let out = d.join("tracks.json");
    for args in [
        vec![
            "track",
            text(&d.join("left.mp4")),
            text(&d.join("right.mp4")),
            "--rig",
            text(&broken_rig),
            "-o",
            text(&out),
        ],
        vec![
            "track",
            text(&d.join("truth.json")),
            text(&d.join("right.mp4")),
            "-o",
            text(&out),
        ],
        vec![
            "eval",
            text(&d.join("truth.json")),
            text(&d.join("truth.json")),
        ],
    ] {
        let run = touchline(&args);
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(!run.status.success(), "{args:?} succeeded");
        assert_eq!(stderr.trim().lines().count(), 1, "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    assert!(!out.exists(), "a tracks file was left behind");
}
