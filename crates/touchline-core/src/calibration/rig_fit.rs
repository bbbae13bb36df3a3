//! The whole rig from footage: the cameras relative to each other (matched features),
//! their place on the pitch (landmarks given as pixel ↔ metre pairs), refined on the
//! painted lines, solved together.
//!
//! Features in a narrow overlap alone leave focal length and distortion nearly
//! interchangeable (a longer lens with more barrel distortion maps the strip almost
//! the same); the pitch's known shape, seen across both whole pictures, separates them.
//! So the fit is one adjustment over: focal length and radial distortion (shared, as
//! both cameras of a rig are alike), the left camera's pose, the rotation from the left
//! camera to the right one and the baseline between them; its observations are the
//! matches (each with its own depth), the landmarks, and points found on the painted
//! lines near where the current estimate draws them.

use nalgebra::{DVector, Matrix3, Point2, Point3, Rotation3, Vector2, Vector3};
use rayon::prelude::*;

use super::adjust::Problem;
use super::features::Match;
use super::relative::{ransac_starts, solve_depth, Model};
use crate::csv;
use crate::error::{Error, Result};
use crate::geometry::{
    frame_panorama, Homography, ImageSize, Intrinsics, Lens, Orientation, Pitch, Rig, RigCamera,
    Sport, RIG_FORMAT,
};
use crate::warp::Plane;

/// Which camera of the rig.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// The left camera (the rig's first).
    Left,
    /// The right camera (the rig's second).
    Right,
}

/// A point of the pitch whose pixel in one camera is known.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Landmark {
    /// The camera it was marked in.
    pub camera: Side,
    /// Its pixel there.
    pub pixel: Point2<f64>,
    /// Where it is on the pitch, metres (pitch frame, on the ground).
    pub pitch: Point2<f64>,
}

/// The header of a landmarks file.
pub const LANDMARKS_HEADER: &str = "camera,x,y,pitch_x,pitch_y";

/// Parses a landmarks file: the header `camera,x,y,pitch_x,pitch_y`, then one landmark
/// per line (`left` or `right`, pixel, metres). `#` lines and blank lines are skipped.
pub fn parse_landmarks(text: &str) -> Result<Vec<Landmark>> {
    csv::records(text, LANDMARKS_HEADER, "landmarks")?
        .iter()
        .map(|r| {
            let camera = match r.text(0) {
                "left" => Side::Left,
                "right" => Side::Right,
                other => {
                    return Err(r.error(format!("camera '{other}' is neither 'left' nor 'right'")))
                }
            };
            Ok(Landmark {
                camera,
                pixel: Point2::new(r.number(1)?, r.number(2)?),
                pitch: Point2::new(r.number(3)?, r.number(4)?),
            })
        })
        .collect()
}

/// How well the fitted rig explains what it was fitted to.
#[derive(Clone, Debug, PartialEq)]
pub struct FitReport {
    /// Feature matches the final model explains.
    pub matches: usize,
    /// Their root-mean-square reprojection error, pixels.
    pub match_rms_px: f64,
    /// Landmarks' root-mean-square reprojection error, pixels.
    pub landmark_rms_px: f64,
    /// Landmarks' root-mean-square error on the ground: each landmark's pixel traced
    /// back to the pitch, against where it is, metres.
    pub landmark_rms_m: f64,
    /// The worst landmark on the ground, metres.
    pub landmark_max_m: f64,
    /// Points found on the painted lines and used.
    pub line_points: usize,
    /// Their root-mean-square distance from the drawn lines, pixels.
    pub line_rms_px: f64,
}

/// A fitted rig and its report.
#[derive(Clone, Debug)]
pub struct RigFit {
    /// The rig, ready to save as rig.toml.
    pub rig: Rig,
    /// How well it fits.
    pub report: FitReport,
}

/// What the fit needs besides the observations.
#[derive(Clone, Debug)]
pub struct FitOptions {
    /// The sport and its pitch as built.
    pub sport: Sport,
    /// The pitch.
    pub pitch: Pitch,
    /// Width of the panorama to frame, pixels.
    pub panorama_width: u32,
}

// The globals: f, the lens (k1, k2, p1, p2, k3), the left camera→pitch rotation (3),
// the left centre (3), the left→right rotation (3), the baseline's length and its
// direction's y and z.
const F: usize = 0;
const LENS: usize = 1;
/// The lens terms freed only once the painted lines, all over both pictures, can
/// tell them apart: p1, p2 and k3.
const FINE_LENS: [usize; 3] = [3, 4, 5];
const LEFT_ROTATION: usize = 6;
const LEFT_CENTRE: usize = 9;
const RELATIVE: usize = 12;
const BASELINE: usize = 15;
const GLOBALS: usize = 18;
const STEPS: [f64; GLOBALS] = [
    0.5, 1e-4, 1e-4, 1e-5, 1e-5, 1e-4, 1e-6, 1e-6, 1e-6, 1e-4, 1e-4, 1e-4, 1e-6, 1e-6, 1e-6, 1e-4,
    1e-4, 1e-4,
];

fn lens(g: &[f64]) -> Lens {
    Lens::BrownConrady {
        k1: g[LENS],
        k2: g[LENS + 1],
        p1: g[LENS + 2],
        p2: g[LENS + 3],
        k3: g[LENS + 4],
    }
}

/// A pinhole-plus-distortion camera in the pitch frame.
struct PitchCamera {
    focal: f64,
    lens: Lens,
    centre_px: (f64, f64),
    /// Camera → pitch.
    rotation: Rotation3<f64>,
    position: Point3<f64>,
}

impl PitchCamera {
    fn project(&self, p: &Point3<f64>) -> Option<Point2<f64>> {
        let v = self.rotation.inverse_transform_vector(&(p - self.position));
        let (x, y) = self.lens.project_ray(&v)?;
        Some(Point2::new(
            self.focal * x + self.centre_px.0,
            self.focal * y + self.centre_px.1,
        ))
    }

    fn ground(&self, pixel: &Point2<f64>) -> Option<Point2<f64>> {
        let ray = self.lens.unproject(
            (pixel.x - self.centre_px.0) / self.focal,
            (pixel.y - self.centre_px.1) / self.focal,
        )?;
        let d = self.rotation * ray;
        if d.z >= -1e-9 {
            return None;
        }
        let t = -self.position.z / d.z;
        Some(Point2::new(
            self.position.x + d.x * t,
            self.position.y + d.y * t,
        ))
    }
}

/// Both cameras under a set of globals.
fn cameras(g: &[f64], centre_px: (f64, f64)) -> [PitchCamera; 2] {
    let lens = lens(g);
    let vector = |i: usize| Vector3::new(g[i], g[i + 1], g[i + 2]);
    let left_rotation = Rotation3::from_scaled_axis(vector(LEFT_ROTATION));
    let left_position = Point3::from(vector(LEFT_CENTRE));
    let relative = Rotation3::from_scaled_axis(vector(RELATIVE));
    let right_rotation = left_rotation * relative.inverse();
    let baseline = Vector3::new(1.0, g[BASELINE + 1], g[BASELINE + 2]) * g[BASELINE];
    let right_position = left_position - right_rotation * baseline;
    [
        (left_rotation, left_position),
        (right_rotation, right_position),
    ]
    .map(|(rotation, position)| PitchCamera {
        focal: g[F],
        lens,
        centre_px,
        rotation,
        position,
    })
}

/// The pair model (for matches) inside the globals.
fn pair_model(g: &[f64], centre_px: (f64, f64)) -> Model {
    Model {
        focal: g[F],
        lens: lens(g),
        rotation: Rotation3::from_scaled_axis(Vector3::new(
            g[RELATIVE],
            g[RELATIVE + 1],
            g[RELATIVE + 2],
        )),
        baseline: Vector3::new(1.0, g[BASELINE + 1], g[BASELINE + 2]),
        centre: centre_px,
    }
}

fn side_index(side: Side) -> usize {
    match side {
        Side::Left => 0,
        Side::Right => 1,
    }
}

/// Refuses landmark sets that cannot fix a pose.
fn check_landmarks(landmarks: &[Landmark], size: ImageSize) -> Result<()> {
    if landmarks.len() < 4 {
        return Err(Error::invalid(
            "landmarks",
            format!("{} given, at least 4 are needed", landmarks.len()),
        ));
    }
    for l in landmarks {
        if !size.contains(&l.pixel) {
            return Err(Error::invalid(
                "landmarks",
                format!(
                    "pixel ({}, {}) is outside the {}×{} picture",
                    l.pixel.x, l.pixel.y, size.width, size.height
                ),
            ));
        }
    }
    // Spread on the pitch: the smaller principal axis of the points must be real.
    let n = landmarks.len() as f64;
    let mean = landmarks
        .iter()
        .fold(Vector2::zeros(), |s, l| s + l.pitch.coords)
        / n;
    let mut cov = nalgebra::Matrix2::zeros();
    for l in landmarks {
        let d = l.pitch.coords - mean;
        cov += d * d.transpose() / n;
    }
    let spread = cov.symmetric_eigenvalues().min().max(0.0).sqrt();
    if spread < 1.0 {
        return Err(Error::invalid(
            "landmarks",
            format!("they lie (nearly) on one line (spread {spread:.2} m across it): a pose needs points off any single line"),
        ));
    }
    Ok(())
}

/// The pose implied by the pitch → camera homography of landmark rays: camera → pitch
/// rotation and centre. The homography is `[r1 r2 t]` (two rotation columns and the
/// translation) up to scale.
fn pose_from_rays(rays: &[(Vector3<f64>, Point2<f64>)]) -> Option<(Rotation3<f64>, Point3<f64>)> {
    let (to, from): (Vec<Vector3<f64>>, Vec<Point2<f64>>) = rays.iter().copied().unzip();
    let h = Homography::fit(&from, &to).ok()?.0;
    let (h1, h2, h3) = (
        h.column(0).into_owned(),
        h.column(1).into_owned(),
        h.column(2).into_owned(),
    );
    let mut scale = 2.0 / (h1.norm() + h2.norm());
    // Points must be in front of the camera: rays and mapped points agree in direction.
    let front: f64 = rays
        .iter()
        .map(|(ray, p)| (h * Vector3::new(p.x, p.y, 1.0)).dot(ray))
        .sum();
    if front < 0.0 {
        scale = -scale;
    }
    let (r1, r2, t) = (h1 * scale, h2 * scale, h3 * scale);
    let r = Matrix3::from_columns(&[r1, r2, r1.cross(&r2)]);
    let svd = r.svd(true, true);
    let mut nearest = svd.u? * svd.v_t?;
    if nearest.determinant() < 0.0 {
        nearest = -nearest;
    }
    let pitch_to_camera = Rotation3::from_matrix_unchecked(nearest);
    let centre = Point3::from(-(pitch_to_camera.inverse() * t));
    Some((pitch_to_camera.inverse(), centre))
}

/// Sum of squared landmark reprojection errors under globals.
fn landmark_cost(g: &[f64], centre_px: (f64, f64), landmarks: &[Landmark]) -> f64 {
    let cams = cameras(g, centre_px);
    landmarks
        .iter()
        .map(|l| {
            cams[side_index(l.camera)]
                .project(&Point3::new(l.pitch.x, l.pitch.y, 0.0))
                .map_or(1e8, |p| (p - l.pixel).norm_squared().min(1e8))
        })
        .sum()
}

/// A point found on a painted line: the pitch point it should show, the camera, the
/// pixel found and the line's normal in the picture there.
#[derive(Clone, Copy, Debug)]
struct LinePoint {
    camera: usize,
    pitch: Point3<f64>,
    pixel: Point2<f64>,
    normal: Vector2<f64>,
}

fn sample(plane: &Plane, x: f64, y: f64) -> Option<f64> {
    if x < 0.0 || y < 0.0 || x >= plane.width as f64 - 1.0 || y >= plane.height as f64 - 1.0 {
        return None;
    }
    let (x0, y0) = (x.floor() as usize, y.floor() as usize);
    let (fx, fy) = (x - x0 as f64, y - y0 as f64);
    let p = |dx: usize, dy: usize| plane.data[(y0 + dy) * plane.stride + x0 + dx] as f64;
    Some(
        (p(0, 0) * (1.0 - fx) + p(1, 0) * fx) * (1.0 - fy)
            + (p(0, 1) * (1.0 - fx) + p(1, 1) * fx) * fy,
    )
}

/// Looks for the painted lines near where the globals draw them: along each drawn
/// line's normal, within `reach` pixels, the brightest narrow ridge.
fn find_lines(
    g: &[f64],
    centre_px: (f64, f64),
    pitch: &Pitch,
    lumas: [&Plane; 2],
    reach: f64,
) -> Vec<LinePoint> {
    /// A ridge must stand this much above its sides, luma levels.
    const MIN_RIDGE: f64 = 12.0;
    /// How far beyond the line's edge its sides are sampled, pixels.
    const SIDE_PX: f64 = 2.0;
    const STEP_M: f64 = 0.5;
    const MARGIN_PX: f64 = 24.0;
    let cams = cameras(g, centre_px);
    let samples: Vec<(Point2<f64>, Vector2<f64>)> = pitch
        .markings()
        .iter()
        .flat_map(|m| m.samples(STEP_M))
        .collect();
    (0..2)
        .flat_map(|c| samples.iter().map(move |s| (c, *s)))
        .collect::<Vec<_>>()
        .into_par_iter()
        .filter_map(|(c, (p, tangent))| {
            let plane = lumas[c];
            let at = Point3::new(p.x, p.y, 0.0);
            let ahead = Point3::new(p.x + tangent.x * 0.1, p.y + tangent.y * 0.1, 0.0);
            let (a, b) = (cams[c].project(&at)?, cams[c].project(&ahead)?);
            let inside = a.x > MARGIN_PX
                && a.y > MARGIN_PX
                && a.x < plane.width as f64 - MARGIN_PX
                && a.y < plane.height as f64 - MARGIN_PX;
            let along = b - a;
            if !inside || along.norm() < 1e-6 {
                return None;
            }
            let normal = Vector2::new(-along.y, along.x).normalize();
            // The line's half width in the picture here, from its painted width.
            let across = Vector2::new(-tangent.y, tangent.x) * (pitch.line_width / 2.0);
            let edge = |sign: f64| {
                cams[c].project(&Point3::new(
                    p.x + sign * across.x,
                    p.y + sign * across.y,
                    0.0,
                ))
            };
            let half_px = (edge(1.0)? - edge(-1.0)?).norm() / 2.0;
            let side = half_px + SIDE_PX;
            let ridge = |t: f64| -> Option<f64> {
                let q = a + normal * t;
                let centre = sample(plane, q.x, q.y)?;
                let l = sample(plane, q.x - normal.x * side, q.y - normal.y * side)?;
                let r = sample(plane, q.x + normal.x * side, q.y + normal.y * side)?;
                // Both sides must be darker: an edge (a board, a shadow) is no line.
                Some(centre - l.max(r))
            };
            let mut best: (f64, Option<f64>) = (MIN_RIDGE, None);
            let mut t = -reach;
            while t <= reach {
                let v = ridge(t)?;
                if v > best.0 {
                    best = (v, Some(t));
                }
                t += 0.5;
            }
            // Sub-pixel: the vertex of a parabola through the peak and its neighbours.
            let refined = best.1.and_then(|t| {
                let (l, m, r) = (ridge(t - 0.5)?, best.0, ridge(t + 0.5)?);
                let curvature = l - 2.0 * m + r;
                let shift = if curvature < 0.0 {
                    0.25 * (l - r) / curvature
                } else {
                    0.0
                };
                Some(a + normal * (t + shift.clamp(-0.5, 0.5)))
            });
            refined.map(|pixel| LinePoint {
                camera: c,
                pitch: at,
                pixel,
                normal,
            })
        })
        .collect()
}

/// Fits the rig to matches, landmarks and (when one frame pair's luma is given) the
/// painted lines.
pub fn fit_rig(
    matches: &[Match],
    landmarks: &[Landmark],
    lumas: Option<[&Plane; 2]>,
    size: ImageSize,
    options: &FitOptions,
) -> Result<RigFit> {
    check_landmarks(landmarks, size)?;
    let centre_px = (
        size.width as f64 / 2.0 - 0.5,
        size.height as f64 / 2.0 - 0.5,
    );
    // Starts: the pure-rotation fits of the focal/distortion grid that the matches
    // support well, each placed on the pitch by the landmarks; the one that explains
    // the landmarks best wins.
    let starts = ransac_starts(matches, size, centre_px, 40);
    let best_count = starts.first().map_or(0, |(_, inliers)| inliers.len());
    if best_count < 20 {
        return Err(Error::invalid(
            "calibration",
            format!(
                "only {best_count} features fit between the cameras: do their pictures overlap?"
            ),
        ));
    }
    let (start, inliers) = starts
        .into_par_iter()
        .filter(|(_, inliers)| inliers.len() * 2 >= best_count)
        .filter_map(|(pair, inliers)| {
            let model = Model::from_globals(pair.as_slice(), centre_px);
            let relative = Rotation3::from_scaled_axis(Vector3::new(pair[3], pair[4], pair[5]));
            let rays: Vec<(Vector3<f64>, Point2<f64>)> = landmarks
                .iter()
                .filter_map(|l| {
                    let ray = model.ray(&l.pixel)?;
                    let ray = match l.camera {
                        Side::Left => ray,
                        Side::Right => relative.inverse() * ray,
                    };
                    Some((ray, l.pitch))
                })
                .collect();
            let (rotation, centre) = pose_from_rays(&rays)?;
            let w = rotation.scaled_axis();
            let mut g = vec![0.0; GLOBALS];
            // f, k1, k2; the finer lens terms start at zero.
            g[..3].copy_from_slice(&pair.as_slice()[..3]);
            g[LEFT_ROTATION..LEFT_ROTATION + 3].copy_from_slice(w.as_slice());
            g[LEFT_CENTRE..LEFT_CENTRE + 3].copy_from_slice(centre.coords.as_slice());
            g[RELATIVE..RELATIVE + 3].copy_from_slice(&pair.as_slice()[3..6]);
            g[BASELINE] = 0.1;
            let cost = landmark_cost(&g, centre_px, landmarks);
            Some((cost, g, inliers))
        })
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, g, inliers)| (g, inliers))
        .ok_or_else(|| Error::invalid("landmarks", "no camera pose explains them"))?;
    let mut g = DVector::from_vec(start);
    let mut chosen: Vec<Match> = inliers.iter().map(|&i| matches[i]).collect();
    let mut lines: Vec<LinePoint> = Vec::new();
    // Passes: the distance within which a match counts, and how far from the drawn
    // lines to look for painted ones. Lines join only once matches and landmarks have
    // placed the rig to within a pixel or two, so that a nearby line, a board's edge
    // or a net cannot capture them.
    let passes: [(f64, Option<f64>); 5] = [
        (12.0, None),
        (6.0, None),
        (3.0, Some(6.0)),
        (3.0, Some(4.0)),
        (3.0, Some(3.0)),
    ];
    for (match_limit, line_reach) in passes {
        if let (Some(reach), Some(lumas)) = (line_reach, lumas) {
            lines = find_lines(g.as_slice(), centre_px, &options.pitch, lumas, reach);
        }
        let depths = {
            let model = pair_model(g.as_slice(), centre_px);
            chosen
                .iter()
                .map(|m| solve_depth(&model, m, 0.0))
                .collect::<Vec<_>>()
        };
        let point = |g: &DVector<f64>, i: usize, rho: f64| {
            pair_model(g.as_slice(), centre_px).residual(&chosen[i], rho)
        };
        let fixed = |g: &DVector<f64>, j: usize| -> Option<Vector2<f64>> {
            let cams = cameras(g.as_slice(), centre_px);
            if j < landmarks.len() {
                let l = &landmarks[j];
                let p =
                    cams[side_index(l.camera)].project(&Point3::new(l.pitch.x, l.pitch.y, 0.0))?;
                Some(p - l.pixel)
            } else {
                let lp = &lines[j - landmarks.len()];
                let p = cams[lp.camera].project(&lp.pitch)?;
                Some(Vector2::new(lp.normal.dot(&(p - lp.pixel)), 0.0))
            }
        };
        let mut steps = STEPS.to_vec();
        if lines.is_empty() {
            FINE_LENS.iter().for_each(|&k| steps[k] = 0.0);
        }
        (g, _) = Problem {
            steps,
            point: &point,
            fixed: landmarks.len() + lines.len(),
            fixed_residual: &fixed,
        }
        .solve(g, depths, 30);
        // Re-select the matches that fit the improved model.
        let model = pair_model(g.as_slice(), centre_px);
        chosen = matches
            .iter()
            .filter(|m| {
                let rho = solve_depth(&model, m, 0.0);
                rho > -1e-3
                    && model
                        .residual(m, rho)
                        .is_some_and(|r| r.norm() < match_limit)
            })
            .copied()
            .collect();
        if chosen.len() < 20 {
            return Err(Error::invalid(
                "calibration",
                "too few features fit the cameras' model",
            ));
        }
    }
    report_and_rig(
        g.as_slice(),
        centre_px,
        &chosen,
        landmarks,
        &lines,
        size,
        options,
    )
}

fn rms(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v * v, n + 1));
    if n == 0 {
        0.0
    } else {
        (sum / n as f64).sqrt()
    }
}

fn report_and_rig(
    g: &[f64],
    centre_px: (f64, f64),
    matches: &[Match],
    landmarks: &[Landmark],
    lines: &[LinePoint],
    size: ImageSize,
    options: &FitOptions,
) -> Result<RigFit> {
    let cams = cameras(g, centre_px);
    let model = pair_model(g, centre_px);
    let match_errors: Vec<f64> = matches
        .iter()
        .filter_map(|m| {
            model
                .residual(m, solve_depth(&model, m, 0.0))
                .map(|r| r.norm())
        })
        .collect();
    let landmark_px = landmarks.iter().map(|l| {
        cams[side_index(l.camera)]
            .project(&Point3::new(l.pitch.x, l.pitch.y, 0.0))
            .map_or(f64::INFINITY, |p| (p - l.pixel).norm())
    });
    let landmark_m: Vec<f64> = landmarks
        .iter()
        .map(|l| {
            cams[side_index(l.camera)]
                .ground(&l.pixel)
                .map_or(f64::INFINITY, |p| (p - l.pitch).norm())
        })
        .collect();
    let line_px = lines.iter().filter_map(|lp| {
        cams[lp.camera]
            .project(&lp.pitch)
            .map(|p| lp.normal.dot(&(p - lp.pixel)).abs())
    });
    let report = FitReport {
        matches: matches.len(),
        match_rms_px: rms(match_errors.iter().copied()),
        landmark_rms_px: rms(landmark_px),
        landmark_rms_m: rms(landmark_m.iter().copied()),
        landmark_max_m: landmark_m.iter().copied().fold(0.0, f64::max),
        line_points: lines.len(),
        line_rms_px: rms(line_px),
    };
    let rig_cameras = cams
        .iter()
        .zip(["left", "right"])
        .map(|(c, name)| RigCamera {
            name: name.to_owned(),
            size,
            intrinsics: Intrinsics {
                fx: c.focal,
                fy: c.focal,
                cx: centre_px.0,
                cy: centre_px.1,
            },
            lens: c.lens,
            position: c.position.coords.into(),
            orientation: Orientation::from_rotation(&c.rotation),
            time_offset_s: 0.0,
            sensor: None,
        })
        .collect::<Vec<_>>();
    let mast = Point3::from((cams[0].position.coords + cams[1].position.coords) / 2.0);
    let rig = Rig {
        format: RIG_FORMAT.to_owned(),
        sport: options.sport,
        pitch: options.pitch,
        panorama: frame_panorama(&options.pitch, &mast, options.panorama_width)?,
        cameras: rig_cameras,
    };
    rig.validate()?;
    Ok(RigFit { rig, report })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn landmark_files_parse_and_bad_ones_name_the_line() {
        let text =
            "camera,x,y,pitch_x,pitch_y\nleft,100.5,200,-52.5,-34\n# a comment\nright,10,20,0,0\n";
        let l = parse_landmarks(text).unwrap();
        assert_eq!(l.len(), 2);
        assert_eq!(l[1].camera, Side::Right);
        for (bad, needle) in [
            ("", "empty"),
            ("camera,x,y\n", "header"),
            ("camera,x,y,pitch_x,pitch_y\nmiddle,1,2,3,4\n", "line 2"),
            ("camera,x,y,pitch_x,pitch_y\nleft,1,2,3\n", "5 fields"),
            (
                "camera,x,y,pitch_x,pitch_y\nleft,1,NaN,3,4\n",
                "not a number",
            ),
        ] {
            let err = parse_landmarks(bad).unwrap_err().to_string();
            assert!(err.contains(needle), "{err}");
        }
    }

    #[test]
    fn degenerate_landmark_sets_are_refused() {
        let size = ImageSize::new(1920, 1080).unwrap();
        let at = |x: f64, y: f64| Landmark {
            camera: Side::Left,
            pixel: Point2::new(500.0 + x, 500.0),
            pitch: Point2::new(x, y),
        };
        let three = [at(0.0, 0.0), at(10.0, 0.0), at(0.0, 10.0)];
        assert!(check_landmarks(&three, size)
            .unwrap_err()
            .to_string()
            .contains("at least 4"));
        let collinear = [at(0.0, 0.0), at(10.0, 0.0), at(20.0, 0.0), at(30.0, 0.1)];
        assert!(check_landmarks(&collinear, size)
            .unwrap_err()
            .to_string()
            .contains("one line"));
        let mut outside = [at(0.0, 0.0), at(10.0, 0.0), at(0.0, 10.0), at(10.0, 10.0)];
        outside[0].pixel.x = 5000.0;
        assert!(check_landmarks(&outside, size)
            .unwrap_err()
            .to_string()
            .contains("outside"));
    }
}
