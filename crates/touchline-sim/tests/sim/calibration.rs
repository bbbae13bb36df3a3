//! Calibration from simulated footage, checked against the rig the simulator used
//! (which the calibration never reads).

use nalgebra::{Point2, Point3};
use touchline_core::calibration::{fit_rig, match_overlap, FitOptions, Landmark, Match, Side};
use touchline_core::geometry::{Camera, ImageSize, Rig, Sport};
use touchline_core::image::I420Frame;
use touchline_core::warp::{Frame, PixelFormat};
use touchline_sim::{SimConfig, Simulation};

/// Matches from a few frame pairs spread over the first seconds of a match, and the
/// last pair's pictures.
fn footage_matches(seconds: f64, every: u64) -> (Rig, Vec<Match>, Vec<I420Frame>) {
    let sport = Sport::Football;
    let size = ImageSize::new(1920, 1080).unwrap();
    let config = SimConfig::new(sport, sport.pitch(), size, 7, seconds, 25).unwrap();
    let rig = config.rig.clone();
    let mut sim = Simulation::new(config).unwrap();
    let mut matches = Vec::new();
    let mut last = Vec::new();
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
        last = set.cameras;
    }
    assert_eq!(last[0].size(), size);
    (rig, matches, last)
}

/// What a person would click: the pitch's corners, line ends and spots where each
/// camera sees them, to within a pixel.
fn clicked_landmarks(rig: &Rig, cams: &[Camera]) -> Vec<Landmark> {
    let pitch = rig.pitch;
    let (hl, hw) = pitch.half();
    let inset = pitch.line_width / 2.0;
    let (l, w) = (hl - inset, hw - inset);
    let box_x = hl - pitch.penalty_area_depth;
    let box_y = pitch.penalty_area_width / 2.0;
    let mut points = vec![(0.0, -w), (0.0, w), (0.0, 0.0)];
    for s in [-1.0, 1.0] {
        points.extend([
            (s * l, -w),
            (s * l, w),
            (s * box_x, -box_y),
            (s * box_x, box_y),
            (s * l, -box_y),
            (s * l, box_y),
            (s * (hl - pitch.penalty_spot_distance), 0.0),
        ]);
    }
    let mut jitter = 0.37f64;
    let mut out = Vec::new();
    for (camera, side) in cams.iter().zip([Side::Left, Side::Right]) {
        for &(x, y) in &points {
            let Some(p) = camera.project(&Point3::new(x, y, 0.0)) else {
                continue;
            };
            if p.x < 20.0 || p.y < 20.0 || p.x > 1900.0 || p.y > 1060.0 {
                continue;
            }
            jitter = (jitter * 7.13 + 0.31).fract();
            let (dx, dy) = (jitter - 0.5, (jitter * 3.7).fract() - 0.5);
            out.push(Landmark {
                camera: side,
                pixel: Point2::new(p.x + dx, p.y + dy),
                pitch: Point2::new(x, y),
            });
        }
    }
    out
}

#[test]
fn the_rig_calibrates_from_footage_and_landmarks() {
    let (rig, matches, last) = footage_matches(6.0, 30);
    let cams = rig.camera_models().unwrap();
    let landmarks = clicked_landmarks(&rig, &cams);
    let frames: Vec<Frame> = last
        .iter()
        .map(|f| Frame::packed(PixelFormat::I420, f.size(), f.as_bytes()).unwrap())
        .collect();
    let options = FitOptions {
        sport: rig.sport,
        pitch: rig.pitch,
        panorama_width: 3840,
    };
    let fit = fit_rig(
        &matches,
        &landmarks,
        if std::env::var("NO_LINES").is_ok() {
            None
        } else {
            Some([&frames[0].planes[0], &frames[1].planes[0]])
        },
        last[0].size(),
        &options,
    )
    .unwrap();
    let est = fit.rig.camera_models().unwrap();
    println!(
        "{} matches, {} landmarks; {:?}",
        matches.len(),
        landmarks.len(),
        fit.report
    );

    // The rotation from the left camera to the right one.
    let relative = |c: &[Camera]| c[1].rotation().inverse() * c[0].rotation();
    let rotation_error = (relative(&est) * relative(&cams).inverse())
        .angle()
        .to_degrees();
    // Each camera's orientation on the pitch.
    let absolute: Vec<f64> = (0..2)
        .map(|i| {
            (est[i].rotation() * cams[i].rotation().inverse())
                .angle()
                .to_degrees()
        })
        .collect();
    let focal_error = (est[0].intrinsics().fx / cams[0].intrinsics().fx - 1.0).abs();
    // Pitch reprojection: a grid of pitch points seen by the true cameras, traced back
    // to the ground through the calibrated ones.
    let (hl, hw) = rig.pitch.half();
    let mut ground = Vec::new();
    for i in 0..=20 {
        for j in 0..=10 {
            let p = Point3::new(
                -hl + 2.0 * hl * i as f64 / 20.0,
                -hw + 2.0 * hw * j as f64 / 10.0,
                0.0,
            );
            for (truth, fitted) in cams.iter().zip(&est) {
                let Some(px) = truth.project(&p) else {
                    continue;
                };
                if !truth.size().contains(&px) {
                    continue;
                }
                if let Some(q) = fitted.ground_point(&px, 0.0) {
                    ground.push((q - p).norm());
                }
            }
        }
    }
    ground.sort_by(f64::total_cmp);
    let mean = ground.iter().sum::<f64>() / ground.len() as f64;
    let rms = (ground.iter().map(|e| e * e).sum::<f64>() / ground.len() as f64).sqrt();
    let p95 = ground[ground.len() * 95 / 100];
    let max = ground.last().copied().unwrap_or(f64::INFINITY);
    println!(
        "relative rotation error {rotation_error:.4}°, orientations {:.4}° / {:.4}°, focal {:.1} vs {:.1} ({:.2}%), pitch error mean {mean:.3} m, rms {rms:.3} m, 95% {p95:.3} m, max {max:.3} m over {} points",
        absolute[0],
        absolute[1],
        est[0].intrinsics().fx,
        cams[0].intrinsics().fx,
        focal_error * 100.0,
        ground.len()
    );
    assert!(
        rotation_error < 0.1,
        "relative rotation off by {rotation_error}°"
    );
    assert!(
        focal_error < 0.01,
        "focal length off by {:.2}%",
        focal_error * 100.0
    );
    // A pixel at the far corners covers more than 0.3 m of grass, so the worst point is
    // reported, and the typical error is what must stay within 0.3 m.
    assert!(rms <= 0.3, "pitch reprojection error {rms} m (rms)");
}
