//! `touchline eval tracks.json truth.json`: the tracker against the simulator's truth.
//!
//! People are compared twice: in the panorama (boxes, intersection over union; the
//! truth's per-camera boxes are carried into the panorama through the rig) and on the
//! pitch (feet positions, similarity 1 − distance / [`PITCH_ZERO_AT_M`]). The ball is
//! found in a frame when the tracker's ball lies within [`ball_radius_px`] of the truth's
//! in the panorama; its pitch error is measured while it is on the ground.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{anyhow, bail, Context, Result};
use nalgebra::Point2;
use touchline_core::geometry::{Camera, Rig};
use touchline_sim::people::{Role as TruthRole, Side};
use touchline_sim::truth::{BoxTruth, Truth, TRUTH_FORMAT};
use touchline_track::metrics::{
    box_iou, clear_mot, distance_similarity, hota, identity, FrameMatch,
};
use touchline_track::people::TrackId;
use touchline_track::teams::{Role, Team};
use touchline_track::tracks::TracksFile;

use super::rig_beside;

/// Distance on the pitch at which a track and a truth position stop being similar.
pub const PITCH_ZERO_AT_M: f64 = 2.0;
/// Least similarity of a match for IDF1 and MOTA (IoU in the panorama; 1 m on the pitch).
const MATCH_AT: f64 = 0.5;
/// A ball counts as visible when at least this fraction of it is in view of a camera.
pub(crate) const BALL_VISIBLE: f64 = 0.5;
/// The ball counts as on the ground below this height of its centre, metres.
const ON_GROUND_M: f64 = 0.25;

/// How close the tracker's ball must be to the truth's in the panorama: one and a half
/// ball diameters, and never less than 8 pixels.
pub fn ball_radius_px(diameter: f64) -> f64 {
    (1.5 * diameter).max(8.0)
}

/// The figures `touchline eval` prints for tracks.
#[derive(Clone, Debug, Default)]
pub struct TrackScores {
    /// Frames compared.
    pub frames: usize,
    /// HOTA, DetA, AssA in the panorama.
    pub image_hota: [f64; 3],
    /// IDF1 and MOTA in the panorama.
    pub image_idf1_mota: [f64; 2],
    /// HOTA, DetA, AssA on the pitch.
    pub pitch_hota: [f64; 3],
    /// Detection recall and precision on the pitch (HOTA's DetRe and DetPr).
    pub pitch_det_re_pr: [f64; 2],
    /// IDF1 and MOTA on the pitch.
    pub pitch_idf1_mota: [f64; 2],
    /// Identity switches on the pitch (CLEAR MOT's: a person matched to another track
    /// than the last time), and how many per minute of one person on the pitch.
    pub pitch_id_switches: (u64, f64),
    /// Median pitch error of the people matched within a metre, metres, and its mean
    /// along the line from the cameras (positive: placed beyond where they stand).
    pub people_error_m: [f64; 2],
    /// Share of matched track-frames whose team is right.
    pub team_accuracy: f64,
    /// Share of matched track-frames whose role is right.
    pub role_accuracy: f64,
    /// Ball found in this share of the frames it is visible in.
    pub ball_recall: f64,
    /// This share of the frames the tracker gives a ball has it right.
    pub ball_precision: f64,
    /// Median and 90th-percentile pitch error of the found ball on the ground, metres.
    pub ball_ground_error_m: [f64; 2],
    /// Median panorama error of the found ball, pixels.
    pub ball_image_error_px: f64,
}

/// Reads both files and scores the tracks.
pub fn evaluate(tracks_path: &Path, truth_path: &Path, rig: Option<&Path>) -> Result<TrackScores> {
    let rig_path = rig_beside(rig, truth_path)?;
    let rig = Rig::load(&rig_path)?;
    let tracks = load_tracks(tracks_path)?;
    let truth = load_truth(truth_path)?;
    if tracks.panorama != rig.panorama {
        bail!(
            "{} was tracked on another panorama than {} describes",
            tracks_path.display(),
            rig_path.display()
        );
    }
    score(&tracks, &truth, &rig)
}

/// Reads and checks a tracks file.
pub fn load_tracks(path: &Path) -> Result<TracksFile> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    TracksFile::from_json(&text).map_err(|e| anyhow!("{}: {e}", path.display()))
}

/// Reads and checks a truth file.
pub fn load_truth(path: &Path) -> Result<Truth> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let truth: Truth = serde_json::from_str(&text)
        .map_err(|e| anyhow!("{} is not a truth file: {e}", path.display()))?;
    if truth.format != TRUTH_FORMAT {
        bail!(
            "{}: format is {:?}, expected {TRUTH_FORMAT:?}",
            path.display(),
            truth.format
        );
    }
    Ok(truth)
}

/// Carries truth boxes from the cameras into the panorama.
pub struct BoxMapper {
    rig: Rig,
    cameras: Vec<(String, Camera)>,
}

impl BoxMapper {
    pub fn new(rig: &Rig) -> Result<BoxMapper> {
        let models = rig.camera_models()?;
        Ok(BoxMapper {
            rig: rig.clone(),
            cameras: rig
                .cameras
                .iter()
                .map(|c| c.name.clone())
                .zip(models)
                .collect(),
        })
    }

    /// The panorama box of the best-seen camera box, with its visible fraction.
    pub fn panorama_box(
        &self,
        boxes: &std::collections::BTreeMap<String, BoxTruth>,
    ) -> Option<([f64; 4], f64)> {
        let (name, b) = boxes.iter().max_by(|a, b| a.1[4].total_cmp(&b.1[4]))?;
        let camera = &self.cameras.iter().find(|(n, _)| n == name)?.1;
        let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for (fx, fy) in [
            (0.0, 0.0),
            (0.5, 0.0),
            (1.0, 0.0),
            (0.0, 0.5),
            (1.0, 0.5),
            (0.0, 1.0),
            (0.5, 1.0),
            (1.0, 1.0),
        ] {
            let pixel = Point2::new(b[0] + fx * (b[2] - b[0]), b[1] + fy * (b[3] - b[1]));
            let ray = camera.ray(&pixel)?;
            let p = self.rig.panorama.project_direction(&ray)?;
            x0 = x0.min(p.x);
            y0 = y0.min(p.y);
            x1 = x1.max(p.x);
            y1 = y1.max(p.y);
        }
        Some(([x0, y0, x1, y1], b[4]))
    }
}

/// Scores tracks against truth.
pub fn score(tracks: &TracksFile, truth: &Truth, rig: &Rig) -> Result<TrackScores> {
    let mapper = BoxMapper::new(rig)?;
    let n = tracks.frames.len().min(truth.frames.len());
    if n == 0 {
        bail!("nothing to compare: the tracks or the truth have no frames");
    }
    let people: HashMap<u32, (Side, TruthRole)> = truth
        .people
        .iter()
        .map(|p| (p.id.0, (p.team.unwrap_or(Side::Home), p.role)))
        .collect();
    let referee_ids: Vec<u32> = truth
        .people
        .iter()
        .filter(|p| p.team.is_none())
        .map(|p| p.id.0)
        .collect();
    let identities: HashMap<TrackId, (Option<Team>, Role)> = tracks
        .people
        .iter()
        .map(|t| (t.id, (t.team, t.role)))
        .collect();

    let mut image_frames = Vec::with_capacity(n);
    let mut pitch_frames = Vec::with_capacity(n);
    // Team agreement counted per (track team, truth side) so the naming can be chosen.
    let mut team_pairs: HashMap<(Option<Team>, Option<Side>), u64> = HashMap::new();
    let mut role_right = 0u64;
    let mut matched_pairs = 0u64;
    let (mut visible, mut found, mut reported, mut reported_right) = (0u64, 0u64, 0u64, 0u64);
    let mut ground_errors = Vec::new();
    let mut image_errors = Vec::new();
    let mut people_errors = Vec::new();
    let mut beyond_sum = 0.0;
    let cameras = rig.panorama.centre().xy();
    for (tf, gf) in tracks.frames.iter().zip(&truth.frames).take(n) {
        let truth_people: Vec<(u32, [f64; 4], Point2<f64>)> = gf
            .people
            .iter()
            .filter_map(|p| {
                let (bbox, _) = mapper.panorama_box(&p.boxes)?;
                Some((p.id.0, bbox, Point2::new(p.x, p.y)))
            })
            .collect();
        let truth_ids: Vec<u64> = truth_people.iter().map(|p| p.0 as u64).collect();
        let track_ids: Vec<u64> = tf.people.iter().map(|p| p.id.0).collect();
        image_frames.push(FrameMatch::from_fn(
            truth_ids.clone(),
            track_ids.clone(),
            |g, t| box_iou(truth_people[g].1, tf.people[t].bbox),
        ));
        let pitch = FrameMatch::from_fn(truth_ids, track_ids, |g, t| {
            let d = (truth_people[g].2 - Point2::new(tf.people[t].x, tf.people[t].y)).norm();
            distance_similarity(d, PITCH_ZERO_AT_M)
        });
        // Teams and roles on this frame's best pitch matching.
        let score: Vec<f64> = pitch
            .similarity
            .iter()
            .map(|s| if *s >= MATCH_AT { *s } else { 0.0 })
            .collect();
        for (g, t) in
            touchline_track::metrics::assign(pitch.truth.len(), pitch.tracks.len(), &score)
        {
            let id = truth_people[g].0;
            let (side, role) = people
                .get(&id)
                .copied()
                .unwrap_or((Side::Home, TruthRole::Player));
            let truth_side = if referee_ids.contains(&id) {
                None
            } else {
                Some(side)
            };
            let (team, track_role) = identities
                .get(&tf.people[t].id)
                .copied()
                .unwrap_or((None, Role::Player));
            *team_pairs.entry((team, truth_side)).or_default() += 1;
            let same_role = matches!(
                (track_role, role),
                (Role::Player, TruthRole::Player)
                    | (Role::Goalkeeper, TruthRole::Goalkeeper)
                    | (Role::Referee, TruthRole::Referee)
            );
            role_right += u64::from(same_role);
            matched_pairs += 1;
            let stands = truth_people[g].2;
            let placed = Point2::new(tf.people[t].x, tf.people[t].y);
            people_errors.push((placed - stands).norm());
            if let Some(sight) = (stands - cameras).try_normalize(1e-9) {
                beyond_sum += (placed - stands).dot(&sight);
            }
        }
        pitch_frames.push(pitch);

        // The ball.
        let truth_ball = mapper.panorama_box(&gf.ball.boxes);
        let ball_is_visible = truth_ball.is_some_and(|(_, v)| v >= BALL_VISIBLE);
        visible += u64::from(ball_is_visible);
        if let Some(b) = &tf.ball {
            reported += 1;
            if let Some((bbox, _)) = truth_ball {
                let centre = Point2::new((bbox[0] + bbox[2]) / 2.0, (bbox[1] + bbox[3]) / 2.0);
                let diameter = (bbox[2] - bbox[0]).max(bbox[3] - bbox[1]);
                let error_px = (Point2::new(b.u, b.v) - centre).norm();
                if error_px <= ball_radius_px(diameter) {
                    reported_right += 1;
                    found += u64::from(ball_is_visible);
                    image_errors.push(error_px);
                    if gf.ball.z <= ON_GROUND_M && b.x.is_finite() {
                        ground_errors.push(
                            (Point2::new(b.x, b.y) - Point2::new(gf.ball.x, gf.ball.y)).norm(),
                        );
                    }
                }
            }
        }
    }

    // The naming of teams that agrees with the truth most: a→home or a→away.
    let agree = |a: Side, b: Side| -> u64 {
        team_pairs
            .iter()
            .filter(|((team, side), _)| match (team, side) {
                (Some(Team::A), Some(s)) => *s == a,
                (Some(Team::B), Some(s)) => *s == b,
                (None, None) => true,
                _ => false,
            })
            .map(|(_, n)| n)
            .sum()
    };
    let team_right = agree(Side::Home, Side::Away).max(agree(Side::Away, Side::Home));

    let image = hota(&image_frames);
    let pitch = hota(&pitch_frames);
    let pitch_clear = clear_mot(&pitch_frames, MATCH_AT);
    let ratio = |a: u64, b: u64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    Ok(TrackScores {
        frames: n,
        image_hota: [image.hota, image.det_a, image.ass_a],
        image_idf1_mota: [
            identity(&image_frames, MATCH_AT).idf1,
            clear_mot(&image_frames, MATCH_AT).mota,
        ],
        pitch_hota: [pitch.hota, pitch.det_a, pitch.ass_a],
        pitch_det_re_pr: [pitch.det_re, pitch.det_pr],
        pitch_idf1_mota: [identity(&pitch_frames, MATCH_AT).idf1, pitch_clear.mota],
        pitch_id_switches: (
            pitch_clear.id_switches,
            ratio(pitch_clear.id_switches, pitch_clear.truth_count) * tracks.fps * 60.0,
        ),
        people_error_m: [
            percentile(&mut people_errors, 0.5),
            beyond_sum / (matched_pairs.max(1) as f64),
        ],
        team_accuracy: ratio(team_right, matched_pairs),
        role_accuracy: ratio(role_right, matched_pairs),
        ball_recall: ratio(found, visible),
        ball_precision: ratio(reported_right, reported),
        ball_ground_error_m: [
            percentile(&mut ground_errors, 0.5),
            percentile(&mut ground_errors, 0.9),
        ],
        ball_image_error_px: percentile(&mut image_errors, 0.5),
    })
}

fn percentile(values: &mut [f64], q: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    values[((values.len() - 1) as f64 * q).round() as usize]
}

/// Prints the scores, one figure a line.
pub fn print(scores: &TrackScores) {
    println!("{} frames", scores.frames);
    let [h, d, a] = scores.image_hota;
    let [i, m] = scores.image_idf1_mota;
    println!("people, panorama boxes (IoU):   HOTA {h:.3} (DetA {d:.3}, AssA {a:.3})  IDF1 {i:.3}  MOTA {m:.3}");
    let [h, d, a] = scores.pitch_hota;
    let [i, m] = scores.pitch_idf1_mota;
    println!(
        "people, pitch positions ({PITCH_ZERO_AT_M} m): HOTA {h:.3} (DetA {d:.3}, AssA {a:.3})  IDF1 {i:.3}  MOTA {m:.3}"
    );
    let [re, pr] = scores.pitch_det_re_pr;
    println!("  detection recall {re:.3}, precision {pr:.3}");
    let (switches, per_minute) = scores.pitch_id_switches;
    println!("  identity switches {switches} ({per_minute:.2} per person-minute)");
    let [median, beyond] = scores.people_error_m;
    println!(
        "  pitch error median {median:.2} m, {:.2} m {} the cameras than they stand on average",
        beyond.abs(),
        if beyond >= 0.0 {
            "farther from"
        } else {
            "nearer to"
        }
    );
    println!(
        "teams right on {:.1} % of matched track-frames, roles on {:.1} %",
        100.0 * scores.team_accuracy,
        100.0 * scores.role_accuracy
    );
    println!(
        "ball: recall {:.3} (of frames it is at least half visible), precision {:.3}, median error {:.1} px",
        scores.ball_recall, scores.ball_precision, scores.ball_image_error_px
    );
    let [median, p90] = scores.ball_ground_error_m;
    println!("ball on the ground: pitch error median {median:.2} m, 90th percentile {p90:.2} m");
}
