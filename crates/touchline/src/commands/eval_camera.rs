//! `touchline eval tracks.json truth.json --camera camera_path.csv`: a camera path
//! against the true ball, beside two baselines measured the same way: a static wide
//! shot of the whole pitch, and a raw ball-follow (aimed at the tracked ball every
//! frame, at a fixed width, without smoothing).

use std::path::Path;

use anyhow::{bail, Context, Result};
use nalgebra::Point3;
use touchline_core::camera_path::CameraPath;
use touchline_core::geometry::ViewAngles;
use touchline_direct::aim::Aim;
use touchline_direct::metrics::{camera_report, BallTruth, CameraReport};
use touchline_sim::truth::Truth;
use touchline_track::tracks::TracksFile;

use super::direct::plays;
use super::eval_tracks::BALL_VISIBLE;

/// Width of the raw ball-follow's shot, metres of pitch.
const FOLLOW_WIDTH_M: f64 = 40.0;

/// A camera path and the baselines, measured.
pub struct CameraScores {
    /// The path under test.
    pub path: CameraReport,
    /// A static shot of the whole pitch.
    pub static_wide: CameraReport,
    /// The tracked ball followed frame by frame.
    pub raw_follow: CameraReport,
}

/// Reads the camera path and measures it and the baselines.
pub fn evaluate(camera: &Path, tracks: &TracksFile, truth: &Truth) -> Result<CameraScores> {
    let text = std::fs::read_to_string(camera)
        .with_context(|| format!("cannot read {}", camera.display()))?;
    let path = CameraPath::from_csv(&text)?;
    let fps = f64::from(truth.fps);
    if fps <= 0.0 {
        bail!("the truth's frame rate is 0");
    }
    let view = touchline_core::geometry::ImageSize::new(1920, 1080)?;
    let aim = Aim::new(tracks.panorama, view);
    let balls: Vec<BallTruth> = truth
        .frames
        .iter()
        .map(|f| BallTruth {
            position: Point3::new(f.ball.x, f.ball.y, f.ball.z),
            in_play: f.in_play,
            in_sight: f.ball.boxes.values().any(|b| b[4] >= BALL_VISIBLE),
        })
        .collect();
    let views: Vec<ViewAngles> = (0..balls.len()).map(|i| path.at(i as f64 / fps)).collect();

    let pitch_length = truth.pitch.length;
    let wide = aim.clamp(aim.look_at(&Point3::origin(), pitch_length + 10.0));
    let static_wide = vec![wide; balls.len()];
    let mut last = Point3::origin();
    let raw_follow: Vec<ViewAngles> = plays(tracks)
        .iter()
        .take(balls.len())
        .map(|p| {
            if let Some(ball) = p.ball {
                last = ball;
            }
            aim.clamp(aim.look_at(&last, FOLLOW_WIDTH_M))
        })
        .collect();
    let report = |views: &[ViewAngles]| camera_report(views, &balls, &aim, fps);
    Ok(CameraScores {
        path: report(&views),
        static_wide: report(&static_wide),
        raw_follow: report(&raw_follow),
    })
}

/// Prints the camera figures as a table.
pub fn print(scores: &CameraScores) {
    println!(
        "camera (ball in the central 80 % over in-play frames, and over those a camera sees the ball in; angular speed °/s, acceleration °/s², jerk °/s³ as mean / 95th percentile):"
    );
    println!(
        "  {:<16} {:>8} {:>9} {:>15} {:>15} {:>17} {:>12} {:>10} {:>8}",
        "",
        "ball in",
        "in sight",
        "speed",
        "acceleration",
        "jerk",
        "pan rev/min",
        "zoom/min",
        "outside"
    );
    for (name, r) in [
        ("camera path", &scores.path),
        ("static wide", &scores.static_wide),
        ("raw ball-follow", &scores.raw_follow),
    ] {
        println!(
            "  {:<16} {:>7.1}% {:>8.1}% {:>7.2} / {:<6.2} {:>6.1} / {:<7.1} {:>7.0} / {:<8.0} {:>12.2} {:>10.2} {:>8}",
            name,
            100.0 * r.ball_in_view,
            100.0 * r.ball_in_view_in_sight,
            r.speed.mean,
            r.speed.p95,
            r.acceleration.mean,
            r.acceleration.p95,
            r.jerk.mean,
            r.jerk.p95,
            r.pan_reversals_per_min,
            r.zoom_changes_per_min,
            r.outside_panorama
        );
    }
}
