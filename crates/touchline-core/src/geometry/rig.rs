//! The two-camera rig and its file format, `rig.toml`.
//!
//! A rig is the pitch it films, its cameras (each with intrinsics, lens, position and
//! orientation in the pitch frame — the pitch placement and the calibration in one), and
//! the panorama the stitcher produces from them. Simulated rigs also carry each camera's
//! true sensor response and clock offset, which the pipeline itself never reads.

use std::path::Path;

use nalgebra::{Point2, Point3, Rotation3, Vector3};
use serde::{Deserialize, Serialize};

use super::camera::{Camera, ImageSize, Intrinsics, Orientation};
use super::lens::Lens;
use super::panorama::{Panorama, Projection};
use super::pitch::{Pitch, Sport};
use crate::error::{Error, Result};

/// The `format` line every rig file starts with.
pub const RIG_FORMAT: &str = "touchline-rig/1";

/// How a camera's sensor turns light into pixel values: the differences between two
/// otherwise identical cameras that a stitcher has to even out.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sensor {
    /// Exposure gain (1 = nominal).
    pub gain: f64,
    /// Per-channel white-balance gains, red, green, blue.
    pub white_balance: [f64; 3],
    /// Light fall-off at the picture's corners, 0 (none) to 1 (black corners).
    pub vignetting: f64,
    /// Standard deviation of the sensor noise, in 8-bit luma levels.
    pub noise_sigma: f64,
    /// Shutter time in seconds (motion blur).
    pub shutter_s: f64,
}

impl Default for Sensor {
    fn default() -> Self {
        Sensor {
            gain: 1.0,
            white_balance: [1.0, 1.0, 1.0],
            vignetting: 0.0,
            noise_sigma: 0.0,
            shutter_s: 1.0 / 250.0,
        }
    }
}

impl Sensor {
    /// The fraction of the centre's light that reaches pixel (`x`, `y`) of a picture of
    /// `size`: falling with the square of the distance from the centre, to
    /// `1 − vignetting` in the corners.
    pub fn relative_illumination(&self, size: ImageSize, x: f64, y: f64) -> f64 {
        let cx = (size.width as f64 - 1.0) / 2.0;
        let cy = (size.height as f64 - 1.0) / 2.0;
        let r2 = ((x - cx).powi(2) + (y - cy).powi(2)) / (cx * cx + cy * cy);
        1.0 - self.vignetting * r2
    }

    fn validate(&self, camera: &str) -> Result<()> {
        let ok = self.gain.is_finite()
            && self.gain > 0.0
            && self.white_balance.iter().all(|g| g.is_finite() && *g > 0.0)
            && (0.0..1.0).contains(&self.vignetting)
            && self.noise_sigma.is_finite()
            && (0.0..=50.0).contains(&self.noise_sigma)
            && self.shutter_s.is_finite()
            && (0.0..=0.1).contains(&self.shutter_s);
        if ok {
            Ok(())
        } else {
            Err(Error::invalid(
                format!("sensor of camera '{camera}'"),
                "gains must be positive, vignetting in [0, 1), noise in [0, 50], shutter in [0, 0.1] s",
            ))
        }
    }
}

/// One camera of a rig as written in `rig.toml`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RigCamera {
    /// `left` or `right`, or any name.
    pub name: String,
    /// Picture size.
    pub size: ImageSize,
    /// Intrinsics.
    pub intrinsics: Intrinsics,
    /// Lens distortion.
    pub lens: Lens,
    /// Centre of projection in the pitch frame, metres.
    pub position: [f64; 3],
    /// Where it looks.
    pub orientation: Orientation,
    /// When this camera's frames are exposed, relative to the frame clock, seconds.
    #[serde(default)]
    pub time_offset_s: f64,
    /// The true sensor response (simulated rigs only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sensor: Option<Sensor>,
}

impl RigCamera {
    /// The calibrated camera model.
    pub fn camera(&self) -> Result<Camera> {
        Camera::new(
            self.size,
            self.intrinsics,
            self.lens,
            Point3::from(self.position),
            self.orientation.rotation(),
        )
        .map_err(|e| Error::invalid(format!("camera '{}'", self.name), e.to_string()))
    }
}

/// A rig: the pitch, two or more cameras and the panorama they make.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rig {
    /// Always [`RIG_FORMAT`].
    pub format: String,
    /// The sport profile.
    pub sport: Sport,
    /// The pitch as built (may differ from the profile's standard size).
    pub pitch: Pitch,
    /// The panorama the stitcher renders.
    pub panorama: Panorama,
    /// The cameras, left to right.
    pub cameras: Vec<RigCamera>,
}

impl Rig {
    /// Reads and validates a rig file.
    pub fn load(path: &Path) -> Result<Rig> {
        let text = std::fs::read_to_string(path).map_err(|error| Error::RigIo {
            path: path.to_owned(),
            action: "read",
            error,
        })?;
        Rig::from_toml(&text).map_err(|e| Error::RigFormat {
            path: path.to_owned(),
            why: e.to_string(),
        })
    }

    /// Parses and validates rig TOML.
    pub fn from_toml(text: &str) -> Result<Rig> {
        let rig: Rig = toml::from_str(text).map_err(|e| {
            // toml's messages span several lines with a source excerpt; keep the gist.
            let message = e.message().to_owned();
            let at = e
                .span()
                .map(|s| {
                    let line = text[..s.start.min(text.len())].lines().count().max(1);
                    format!(" (line {line})")
                })
                .unwrap_or_default();
            Error::invalid("rig", format!("{message}{at}"))
        })?;
        rig.validate()?;
        Ok(rig)
    }

    /// The rig as TOML text.
    pub fn to_toml(&self) -> String {
        let body = toml::to_string(self).expect("a rig always serialises");
        format!(
            "# Touchline rig: pitch, cameras (pitch frame: origin on the centre spot, x along the\n\
             # length, y away from the rig, z up; metres and degrees) and the panorama.\n{body}"
        )
    }

    /// Writes the rig file.
    pub fn save(&self, path: &Path) -> Result<()> {
        std::fs::write(path, self.to_toml()).map_err(|error| Error::RigIo {
            path: path.to_owned(),
            action: "write",
            error,
        })
    }

    /// Checks everything a rig file could get wrong.
    pub fn validate(&self) -> Result<()> {
        if self.format != RIG_FORMAT {
            return Err(Error::invalid(
                "rig",
                format!("format is '{}', expected '{RIG_FORMAT}'", self.format),
            ));
        }
        self.pitch.validate()?;
        self.panorama.validate()?;
        if self.cameras.len() < 2 {
            return Err(Error::invalid("rig", "needs at least two cameras"));
        }
        for cam in &self.cameras {
            cam.camera()?;
            if !cam.time_offset_s.is_finite() || cam.time_offset_s.abs() > 1.0 {
                return Err(Error::invalid(
                    format!("camera '{}'", cam.name),
                    "time_offset_s must be within ±1 s",
                ));
            }
            if let Some(sensor) = &cam.sensor {
                sensor.validate(&cam.name)?;
            }
        }
        Ok(())
    }

    /// The calibrated camera models, in rig order.
    pub fn camera_models(&self) -> Result<Vec<Camera>> {
        self.cameras.iter().map(RigCamera::camera).collect()
    }

    /// Looks a camera up by name.
    pub fn camera(&self, name: &str) -> Option<&RigCamera> {
        self.cameras.iter().find(|c| c.name == name)
    }
}

/// What decides the default rig: where the mast stands and what each camera is.
#[derive(Clone, Debug, PartialEq)]
pub struct RigOptions {
    /// Sport profile.
    pub sport: Sport,
    /// The pitch.
    pub pitch: Pitch,
    /// Height of the cameras above the ground, metres.
    pub mast_height: f64,
    /// Distance of the mast behind the near touchline, metres.
    pub setback: f64,
    /// Distance between the two cameras' centres, metres.
    pub baseline: f64,
    /// Picture size of each camera.
    pub size: ImageSize,
    /// Lens of each camera.
    pub lens: Lens,
    /// How far past halfway each camera sees, metres along the far touchline.
    pub overlap: f64,
    /// Width of the panorama, pixels.
    pub panorama_width: u32,
}

impl RigOptions {
    /// The defaults for a sport: a 6 m mast 8 m behind the touchline at halfway, two
    /// 1080p cameras with wide lenses.
    pub fn for_sport(sport: Sport) -> Self {
        RigOptions {
            sport,
            pitch: sport.pitch(),
            mast_height: 6.0,
            setback: 8.0,
            baseline: 0.12,
            size: ImageSize {
                width: 1920,
                height: 1080,
            },
            lens: Lens::BrownConrady {
                k1: -0.28,
                k2: 0.07,
                p1: 0.0004,
                p2: -0.0003,
                k3: -0.006,
            },
            overlap: 8.0,
            panorama_width: 3840,
        }
    }

    fn validate(&self) -> Result<()> {
        self.pitch.validate()?;
        if !(self.mast_height.is_finite() && (1.0..=50.0).contains(&self.mast_height)) {
            return Err(Error::invalid(
                "mast height",
                format!("{} m is outside 1–50 m", self.mast_height),
            ));
        }
        if !(self.setback.is_finite() && (0.0..=100.0).contains(&self.setback)) {
            return Err(Error::invalid(
                "mast setback",
                format!("{} m is outside 0–100 m", self.setback),
            ));
        }
        if !(self.baseline.is_finite() && (0.0..=2.0).contains(&self.baseline)) {
            return Err(Error::invalid("camera baseline", "must be within 0–2 m"));
        }
        self.lens.validate()
    }

    /// Builds the rig: each camera framed to see its half of the pitch plus the overlap
    /// with the longest focal length that fits, and a panorama around both.
    pub fn build(&self) -> Result<Rig> {
        self.validate()?;
        let (hl, hw) = self.pitch.half();
        let mast = Point3::new(0.0, -hw - self.setback, self.mast_height);
        let mut cameras = Vec::new();
        for (name, side) in [("left", -1.0), ("right", 1.0)] {
            let position = mast + Vector3::new(side * self.baseline / 2.0, 0.0, 0.0);
            // What the camera must see: its half of the pitch with a margin for the
            // goal and runoff, the overlap past halfway, and players' heads at the far side.
            let mut targets = Vec::new();
            let x_far = side * (hl + 2.5);
            let x_near = -side * self.overlap / 2.0;
            let steps = 24;
            for i in 0..=steps {
                let x = x_near + (x_far - x_near) * i as f64 / steps as f64;
                targets.push(Point3::new(x, hw + 1.0, 2.2));
                targets.push(Point3::new(x, -hw - 0.5, 0.0));
            }
            for i in 0..=steps {
                let y = -hw - 0.5 + (2.0 * hw + 1.5) * i as f64 / steps as f64;
                targets.push(Point3::new(x_far, y, 0.0));
                targets.push(Point3::new(x_far, y, 2.2));
                targets.push(Point3::new(x_near, y, 0.0));
            }
            let (orientation, focal) = frame_targets(&position, &targets, self)?;
            cameras.push(RigCamera {
                name: name.to_owned(),
                size: self.size,
                intrinsics: Intrinsics {
                    fx: focal,
                    fy: focal,
                    cx: self.size.width as f64 / 2.0 - 0.5,
                    cy: self.size.height as f64 / 2.0 - 0.5,
                },
                lens: self.lens,
                position: position.coords.into(),
                orientation,
                time_offset_s: 0.0,
                sensor: None,
            });
        }
        let panorama = frame_panorama(&self.pitch, &mast, self.panorama_width)?;
        let rig = Rig {
            format: RIG_FORMAT.to_owned(),
            sport: self.sport,
            pitch: self.pitch,
            panorama,
            cameras,
        };
        rig.validate()?;
        Ok(rig)
    }
}

/// An equirectangular panorama centred on `centre` (the mast) that holds the whole
/// pitch with a margin and, above it, a lofted ball 12 m over the centre spot, with
/// square pixels at the horizon, `width` pixels wide.
///
/// Equirectangular rather than cylindrical: rows are equal steps of elevation, so the
/// near touchline, seen steeply down, gets no more rows per degree than the far one
/// (a cylinder's rows per degree grow with sec² of the elevation, 1.7 times at 40°
/// down, more than the cameras resolve there). The rows saved pay for the sky a lofted
/// ball flies through, which a camera operator tilts up to follow.
pub fn frame_panorama(pitch: &Pitch, centre: &Point3<f64>, width: u32) -> Result<Panorama> {
    let (hl, hw) = pitch.half();
    let mut az_min = f64::INFINITY;
    let mut az_max = f64::NEG_INFINITY;
    let mut el_min = f64::INFINITY;
    let mut el_max = f64::NEG_INFINITY;
    for (x, y, z) in [
        (-hl - 3.0, -hw - 1.0, 0.0),
        (hl + 3.0, -hw - 1.0, 0.0),
        (-hl - 3.0, hw + 3.0, 0.0),
        (hl + 3.0, hw + 3.0, 0.0),
        (0.0, -hw - 1.0, 0.0),
        (0.0, 0.0, 12.0),
    ] {
        let d = Point3::new(x, y, z) - centre;
        let az = d.x.atan2(d.y).to_degrees();
        let el = d.z.atan2((d.x * d.x + d.y * d.y).sqrt()).to_degrees();
        az_min = az_min.min(az);
        az_max = az_max.max(az);
        el_min = el_min.min(el);
        el_max = el_max.max(el);
    }
    let round = |deg: f64| (deg * 100.0).round() / 100.0;
    let (az_min, az_max, el_min, el_max) =
        (round(az_min), round(az_max), round(el_min), round(el_max));
    let per_radian = width as f64 / (az_max - az_min).to_radians();
    let projection = Projection::Equirectangular;
    let rows = per_radian
        * (projection.surface_v(el_max.to_radians()) - projection.surface_v(el_min.to_radians()));
    let height = ((rows / 2.0).round() as u32 * 2).max(2);
    let panorama = Panorama {
        projection,
        size: ImageSize::new(width, height)?,
        centre: centre.coords.into(),
        azimuth_min_deg: az_min,
        azimuth_max_deg: az_max,
        elevation_max_deg: el_max,
        elevation_min_deg: el_min,
    };
    panorama.validate()?;
    Ok(panorama)
}

/// Finds the orientation and the longest focal length at which every target projects
/// inside the picture with a small margin. A coarse grid over yaw and tilt, a bisection
/// on the focal length for each.
fn frame_targets(
    position: &Point3<f64>,
    targets: &[Point3<f64>],
    options: &RigOptions,
) -> Result<(Orientation, f64)> {
    const MARGIN_PX: f64 = 12.0;
    let size = options.size;
    let intrinsics = |focal: f64| Intrinsics {
        fx: focal,
        fy: focal,
        cx: size.width as f64 / 2.0 - 0.5,
        cy: size.height as f64 / 2.0 - 0.5,
    };
    // One camera with the lens' limits worked out once; the search re-aims it.
    let base = Camera::new(
        size,
        intrinsics(1000.0),
        options.lens,
        *position,
        Rotation3::identity(),
    )?;
    let fits = |orientation: &Orientation, focal: f64| -> bool {
        let Ok(camera) = base.with_pose(intrinsics(focal), orientation.rotation()) else {
            return false;
        };
        targets.iter().all(|t| {
            camera.project(t).is_some_and(|p: Point2<f64>| {
                p.x >= MARGIN_PX
                    && p.y >= MARGIN_PX
                    && p.x <= size.width as f64 - MARGIN_PX
                    && p.y <= size.height as f64 - MARGIN_PX
            })
        })
    };
    // Aim first at the centroid of the targets, then search around it.
    let centroid = targets
        .iter()
        .fold(Vector3::zeros(), |acc, t| acc + t.coords)
        / targets.len() as f64;
    let d = Point3::from(centroid) - position;
    let yaw0 = d.x.atan2(d.y).to_degrees();
    let tilt0 = (-d.z).atan2((d.x * d.x + d.y * d.y).sqrt()).to_degrees();
    // The longest focal length that fits at this orientation, if any does.
    let longest_focal = |orientation: &Orientation| -> Option<f64> {
        let (mut lo, mut hi) = (100.0, 20_000.0);
        if !fits(orientation, lo) {
            return None;
        }
        for _ in 0..30 {
            let mid = (lo + hi) / 2.0;
            if fits(orientation, mid) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        Some(lo)
    };
    let mut best: Option<(Orientation, f64)> = None;
    let consider = |best: &mut Option<(Orientation, f64)>, orientation: Orientation| {
        if let Some(focal) = longest_focal(&orientation) {
            if best.as_ref().is_none_or(|(_, f)| focal > *f) {
                *best = Some((orientation, focal));
            }
        }
    };
    for dy in -20..=20 {
        for dt in -15..=15 {
            consider(
                &mut best,
                Orientation {
                    yaw_deg: yaw0 + dy as f64,
                    tilt_deg: tilt0 + dt as f64,
                    roll_deg: 0.0,
                },
            );
        }
    }
    let (coarse, _) = best.ok_or_else(|| {
        Error::invalid(
            "rig",
            "no orientation lets one camera see its half of the pitch; move the mast back or up",
        )
    })?;
    for dy in -10..=10 {
        for dt in -10..=10 {
            consider(
                &mut best,
                Orientation {
                    yaw_deg: coarse.yaw_deg + dy as f64 * 0.1,
                    tilt_deg: coarse.tilt_deg + dt as f64 * 0.1,
                    roll_deg: 0.0,
                },
            );
        }
    }
    let (orientation, focal) = best.expect("the coarse pass found one");
    // Round to values a person can read in the file.
    Ok((
        Orientation {
            yaw_deg: (orientation.yaw_deg * 100.0).round() / 100.0,
            tilt_deg: (orientation.tilt_deg * 100.0).round() / 100.0,
            roll_deg: 0.0,
        },
        (focal * 0.98).round(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_rig_sees_every_corner_and_the_centre_spot() {
        let rig = RigOptions::for_sport(Sport::Football).build().unwrap();
        let cams = rig.camera_models().unwrap();
        let in_view = |p: Point3<f64>| {
            cams.iter()
                .filter(|c| c.project(&p).is_some_and(|px| c.size().contains(&px)))
                .count()
        };
        for (x, y) in [(-52.5, -34.0), (-52.5, 34.0), (52.5, -34.0), (52.5, 34.0)] {
            assert_eq!(in_view(Point3::new(x, y, 0.0)), 1, "corner ({x}, {y})");
        }
        assert_eq!(
            in_view(Point3::new(0.0, 0.0, 0.0)),
            2,
            "centre spot in the overlap"
        );
        let pano = rig.panorama;
        for (x, y) in [(-52.5, -34.0), (52.5, 34.0), (0.0, -34.0)] {
            let p = pano.project(&Point3::new(x, y, 0.0)).unwrap();
            assert!(pano.size.contains(&p), "panorama holds ({x}, {y})");
        }
    }

    #[test]
    fn rig_files_round_trip_and_bad_ones_are_refused() {
        let rig = RigOptions::for_sport(Sport::Football7).build().unwrap();
        let text = rig.to_toml();
        assert_eq!(Rig::from_toml(&text).unwrap(), rig);

        let broken = text.replace("fx = ", "fx = -");
        let err = Rig::from_toml(&broken).unwrap_err().to_string();
        assert!(err.contains("focal length"), "{err}");

        let err = Rig::from_toml("format = 'touchline-rig/1'\nsport = 3")
            .unwrap_err()
            .to_string();
        assert!(err.contains("line"), "{err}");
        assert!(!err.contains('\n'), "one line: {err}");
    }

    #[test]
    fn missing_rig_file_names_the_path() {
        let err = Rig::load(Path::new("/nonexistent/rig.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("/nonexistent/rig.toml"), "{err}");
    }

    #[test]
    fn impossible_mast_is_refused() {
        let mut options = RigOptions::for_sport(Sport::Football);
        options.mast_height = -6.0;
        assert!(options
            .build()
            .unwrap_err()
            .to_string()
            .contains("mast height"));
    }
}
