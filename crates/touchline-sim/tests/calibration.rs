//! Calibration from simulated footage, checked against the rig the simulator used
//! (which the calibration never reads).

use touchline_core::calibration::{calibrate_pair, match_overlap, Match};
use touchline_core::geometry::{ImageSize, Rig, Sport};
use touchline_core::warp::{Frame, PixelFormat};
use touchline_sim::{SimConfig, Simulation};

/// Matches from a few frame pairs spread over the first seconds of a match.
fn footage_matches(seconds: f64, every: u64) -> (Rig, Vec<Match>, ImageSize) {
    let sport = Sport::Football;
    let size = ImageSize::new(1920, 1080).unwrap();
    let config = SimConfig::new(sport, sport.pitch(), size, 7, seconds, 25).unwrap();
    let rig = config.rig.clone();
    let mut sim = Simulation::new(config).unwrap();
    let mut matches = Vec::new();
    while let Some(set) = sim.next_frame() {
        if set.index % every != 0 {
            continue;
        }
        let frames: Vec<Frame> = set
            .cameras
            .iter()
            .map(|f| Frame::packed(PixelFormat::I420, f.size(), f.as_bytes()).unwrap())
            .collect();
        matches.extend(match_overlap(&frames[0].planes[0], &frames[1].planes[0]));
    }
    (rig, matches, size)
}

#[test]
fn the_pair_calibrates_from_footage_alone() {
    let (rig, matches, size) = footage_matches(6.0, 30);
    println!("{} matches", matches.len());
    let pair = calibrate_pair(&matches, size).unwrap();
    let cams = rig.camera_models().unwrap();
    // Left-camera vectors into the right camera's frame.
    let truth = cams[1].rotation().inverse() * cams[0].rotation();
    let error_deg = (pair.rotation * truth.inverse()).angle().to_degrees();
    let true_focal = rig.cameras[0].intrinsics.fx;
    let focal_error = (pair.focal / true_focal - 1.0).abs();
    println!(
        "{} inliers, rms {:.2} px; rotation error {:.4}°; focal {:.1} vs {:.1} ({:.2}%); lens {:?}",
        pair.inliers.len(),
        pair.rms_px,
        error_deg,
        pair.focal,
        true_focal,
        focal_error * 100.0,
        pair.lens
    );
    assert!(error_deg < 0.1, "rotation off by {error_deg}°");
    assert!(
        focal_error < 0.01,
        "focal length off by {:.2}%",
        focal_error * 100.0
    );
}

#[test]
#[ignore]
fn debug_matches() {
    let (rig, matches, _) = footage_matches(6.0, 30);
    let cams = rig.camera_models().unwrap();
    let mut good = 0;
    let mut errs = Vec::new();
    for m in &matches {
        if let Some(p) = cams[0].ground_point(&m.left, 0.0) {
            if let Some(q) = cams[1].project(&p) {
                let e = (q - m.right).norm();
                errs.push(e);
                if e < 4.0 {
                    good += 1;
                }
            }
        }
    }
    errs.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!(
        "{} matches, {} within 4 px of the ground truth; median err {:?}",
        matches.len(),
        good,
        errs.get(errs.len() / 2)
    );
    for m in matches.iter().take(10) {
        println!("{:?} {:?}", m.left, m.right);
    }
}
