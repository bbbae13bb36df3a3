//! A shot as camera angles, and keeping the view inside the panorama.
//!
//! The virtual camera turns about the panorama's centre of projection: pan is the
//! azimuth of the pitch point to centre (0 straight across the pitch, positive to the
//! right), tilt its depression, and the field of view spans the shot's width at its
//! distance. A view fits the panorama when every point of its border has an azimuth and
//! elevation the panorama covers.

use nalgebra::{Point3, Vector3};
use touchline_core::geometry::panorama::Panorama;
use touchline_core::geometry::virtual_camera::FOV_RANGE_DEG;
use touchline_core::geometry::{ImageSize, ViewAngles, VirtualCamera};

use crate::framing::Shot;

/// Points checked along each side of the view's border.
const BORDER_SAMPLES: usize = 8;
/// How far inside the panorama's edges a clamped view stays, degrees: room for the
/// rounding of a written camera path.
const CLAMP_MARGIN_DEG: f64 = 0.05;
/// How far in (as a fraction of the wanted field of view) the camera may zoom to keep a
/// view inside the panorama before it turns away from what it should show.
pub const ZOOM_IN_LIMIT: f64 = 0.6;

/// Aims the virtual camera of one rig.
#[derive(Clone, Copy, Debug)]
pub struct Aim {
    panorama: Panorama,
    /// The rendered picture (only its aspect matters).
    view: ImageSize,
    /// The view straight at the middle of the panorama, which always fits at a narrow
    /// enough field of view.
    home: ViewAngles,
}

impl Aim {
    /// An aim for views of `view`'s aspect into `panorama`.
    pub fn new(panorama: Panorama, view: ImageSize) -> Aim {
        let home = ViewAngles {
            pan_deg: 0.5 * (panorama.azimuth_min_deg + panorama.azimuth_max_deg),
            tilt_deg: -0.5 * (panorama.elevation_min_deg + panorama.elevation_max_deg),
            fov_deg: 10.0,
        };
        Aim {
            panorama,
            view,
            home,
        }
    }

    /// The picture size the angles are for.
    pub fn view(&self) -> ImageSize {
        self.view
    }

    /// The angles that centre `point` and span `width_m` of pitch at its distance.
    pub fn look_at(&self, point: &Point3<f64>, width_m: f64) -> ViewAngles {
        let d = point - self.panorama.centre();
        let distance = d.norm().max(1.0);
        ViewAngles {
            pan_deg: d.x.atan2(d.y).to_degrees(),
            tilt_deg: (-d.z / distance).clamp(-1.0, 1.0).asin().to_degrees(),
            fov_deg: (2.0 * (0.5 * width_m / distance).atan()).to_degrees(),
        }
    }

    /// The pan and tilt (degrees) of the panorama's point nearest a direction: where
    /// it leaves the picture, for a ball above (or beside) what the cameras see.
    pub fn nearest_seen(&self, pan_deg: f64, tilt_deg: f64) -> [f64; 2] {
        let p = &self.panorama;
        [
            pan_deg.clamp(p.azimuth_min_deg, p.azimuth_max_deg),
            tilt_deg.clamp(-p.elevation_max_deg, -p.elevation_min_deg),
        ]
    }

    /// The angles for a shot.
    pub fn shot(&self, shot: &Shot) -> ViewAngles {
        self.look_at(&shot.focus, shot.width_m)
    }

    /// Whether the whole view lies inside the panorama.
    pub fn fits(&self, angles: &ViewAngles) -> bool {
        self.fits_within(angles, 0.0)
    }

    /// Whether the whole view lies inside the panorama and at least `margin_deg` from
    /// its edges.
    fn fits_within(&self, angles: &ViewAngles, margin_deg: f64) -> bool {
        let Ok(camera) = VirtualCamera::new(*angles, self.view) else {
            return false;
        };
        let (w, h) = (self.view.width as f64 - 1.0, self.view.height as f64 - 1.0);
        let p = &self.panorama;
        (0..=BORDER_SAMPLES).all(|i| {
            let s = i as f64 / BORDER_SAMPLES as f64;
            [(s * w, 0.0), (s * w, h), (0.0, s * h), (w, s * h)]
                .into_iter()
                .all(|(x, y)| {
                    let (azimuth, elevation) = direction_angles(&camera.ray(x, y));
                    azimuth >= p.azimuth_min_deg + margin_deg
                        && azimuth <= p.azimuth_max_deg - margin_deg
                        && elevation >= p.elevation_min_deg + margin_deg
                        && elevation <= p.elevation_max_deg - margin_deg
                })
        })
    }

    /// `wanted` tilted towards the middle of the panorama by as little as makes it fit,
    /// its pan and field of view kept: a wide view near the top or bottom edge moves
    /// away from it rather than zoom in. Unchanged when no tilt makes it fit.
    pub fn tilt_to_fit(&self, wanted: ViewAngles) -> ViewAngles {
        let tilted = |t: f64| ViewAngles {
            tilt_deg: wanted.tilt_deg + t * (self.home.tilt_deg - wanted.tilt_deg),
            ..wanted
        };
        if self.fits_within(&wanted, CLAMP_MARGIN_DEG)
            || !self.fits_within(&tilted(1.0), CLAMP_MARGIN_DEG)
        {
            return wanted;
        }
        tilted(self.edge_of_fit(1.0, 0.0, tilted))
    }

    /// The widest field of view, up to `wanted`'s, that fits the panorama at `wanted`'s
    /// pan and tilt (the narrowest lens when none does).
    pub fn widest_fitting(&self, wanted: ViewAngles) -> f64 {
        let zoomed = |fov_deg| ViewAngles { fov_deg, ..wanted };
        if self.fits_within(&wanted, CLAMP_MARGIN_DEG) {
            return wanted.fov_deg;
        }
        let narrowest_lens = FOV_RANGE_DEG.0;
        if !self.fits_within(&zoomed(narrowest_lens), CLAMP_MARGIN_DEG) {
            return narrowest_lens;
        }
        self.edge_of_fit(narrowest_lens, wanted.fov_deg, zoomed)
    }

    /// The widest field of view, up to `wanted`'s, that fits the panorama at `wanted`'s
    /// pan when the view may tilt towards the middle of the panorama as well
    /// ([`Aim::tilt_to_fit`]).
    pub fn widest_tilting(&self, wanted: ViewAngles) -> f64 {
        let here = self.widest_fitting(wanted);
        if here >= wanted.fov_deg {
            return here;
        }
        let middle = ViewAngles {
            tilt_deg: self.home.tilt_deg,
            ..wanted
        };
        here.max(self.widest_fitting(middle))
    }

    /// Where, between a parameter at which `view` fits and one at which it does not,
    /// it stops fitting: the last fitting value found by bisection.
    fn edge_of_fit(&self, fits: f64, fails: f64, view: impl Fn(f64) -> ViewAngles) -> f64 {
        let (mut fits, mut fails) = (fits, fails);
        for _ in 0..30 {
            let mid = 0.5 * (fits + fails);
            if self.fits_within(&view(mid), CLAMP_MARGIN_DEG) {
                fits = mid;
            } else {
                fails = mid;
            }
        }
        fits
    }

    /// The nearest view to `wanted` that fits. First the camera zooms in on the same
    /// point (the subject stays in the middle of the picture), by as little as fits
    /// and at most to [`ZOOM_IN_LIMIT`] of the wanted field of view; if that is not
    /// enough, the field of view is narrowed until the middle of the panorama can hold
    /// it, and the direction moves from `wanted` towards the middle only as far as
    /// needed.
    pub fn clamp(&self, wanted: ViewAngles) -> ViewAngles {
        if self.fits_within(&wanted, CLAMP_MARGIN_DEG) {
            return wanted;
        }
        // Angles no camera can take (a point almost straight below, or so far away
        // that the shot is narrower than any lens) are brought into range first.
        if !(wanted.pan_deg.is_finite()
            && wanted.tilt_deg.is_finite()
            && wanted.fov_deg.is_finite())
        {
            return self.clamp(self.home);
        }
        let (narrowest_lens, widest_lens) = FOV_RANGE_DEG;
        let wanted = ViewAngles {
            pan_deg: wanted.pan_deg,
            tilt_deg: wanted.tilt_deg.clamp(-85.0, 85.0),
            fov_deg: wanted
                .fov_deg
                .clamp(self.home.fov_deg.max(narrowest_lens), widest_lens),
        };
        if self.fits_within(&wanted, CLAMP_MARGIN_DEG) {
            return wanted;
        }
        let zoomed = |fov_deg| ViewAngles { fov_deg, ..wanted };
        let narrowest = wanted.fov_deg * ZOOM_IN_LIMIT;
        if self.fits_within(&zoomed(narrowest), CLAMP_MARGIN_DEG) {
            return zoomed(self.edge_of_fit(narrowest, wanted.fov_deg, zoomed));
        }
        let mut angles = zoomed(narrowest);
        let home = |fov_deg| ViewAngles {
            fov_deg,
            ..self.home
        };
        if !self.fits_within(&home(angles.fov_deg), CLAMP_MARGIN_DEG) {
            let narrowest = self.home.fov_deg.min(angles.fov_deg);
            angles.fov_deg = self.edge_of_fit(narrowest, angles.fov_deg, home);
        }
        let towards = |t: f64| ViewAngles {
            pan_deg: self.home.pan_deg + t * (angles.pan_deg - self.home.pan_deg),
            tilt_deg: self.home.tilt_deg + t * (angles.tilt_deg - self.home.tilt_deg),
            fov_deg: angles.fov_deg,
        };
        if self.fits_within(&towards(1.0), CLAMP_MARGIN_DEG) {
            return towards(1.0);
        }
        towards(self.edge_of_fit(0.0, 1.0, towards))
    }

    /// Where a point appears in the view, as fractions of the picture's width and
    /// height from its top-left corner; `None` when behind the camera.
    pub fn in_view(&self, angles: &ViewAngles, point: &Point3<f64>) -> Option<(f64, f64)> {
        let camera = VirtualCamera::new(*angles, self.view).ok()?;
        let (x, y) = camera.project_direction(&(point - self.panorama.centre()))?;
        Some((
            x / (self.view.width as f64 - 1.0),
            y / (self.view.height as f64 - 1.0),
        ))
    }
}

/// Azimuth (from +y towards +x) and elevation (up from the ground plane) of a
/// direction, degrees.
fn direction_angles(d: &Vector3<f64>) -> (f64, f64) {
    (
        d.x.atan2(d.y).to_degrees(),
        d.z.atan2((d.x * d.x + d.y * d.y).sqrt()).to_degrees(),
    )
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use touchline_core::geometry::panorama::Projection;

    pub(crate) fn panorama() -> Panorama {
        Panorama {
            projection: Projection::Equirectangular,
            size: ImageSize::new(3840, 1130).unwrap(),
            centre: [0.0, -42.0, 6.0],
            azimuth_min_deg: -82.8,
            azimuth_max_deg: 82.8,
            elevation_max_deg: 8.1,
            elevation_min_deg: -40.6,
        }
    }

    fn aim() -> Aim {
        Aim::new(panorama(), ImageSize::new(1920, 1080).unwrap())
    }

    #[test]
    fn looking_at_a_point_puts_it_in_the_middle_of_the_picture() {
        let aim = aim();
        let point = Point3::new(20.0, 10.0, 0.0);
        let angles = aim.look_at(&point, 30.0);
        let (x, y) = aim.in_view(&angles, &point).unwrap();
        assert!((x - 0.5).abs() < 1e-9 && (y - 0.5).abs() < 1e-9, "{x} {y}");
        // The shot's width at the point spans the picture.
        let (left, _) = aim.in_view(&angles, &Point3::new(5.0, 10.0, 0.0)).unwrap();
        assert!(left > -0.2 && left < 0.3, "{left}");
    }

    #[test]
    fn a_ball_above_the_panorama_is_aimed_at_where_it_left_the_picture() {
        let aim = aim();
        let on_pitch = aim.look_at(&Point3::new(10.0, 5.0, 0.11), 1.0);
        let [pan, tilt] = aim.nearest_seen(on_pitch.pan_deg, on_pitch.tilt_deg);
        assert_eq!([pan, tilt], [on_pitch.pan_deg, on_pitch.tilt_deg]);
        // 30 m up over the far half: above the top of the panorama.
        let high = aim.look_at(&Point3::new(10.0, 20.0, 30.0), 1.0);
        let [pan, tilt] = aim.nearest_seen(high.pan_deg, high.tilt_deg);
        assert_eq!(pan, high.pan_deg);
        assert!(tilt > high.tilt_deg, "{tilt} against {}", high.tilt_deg);
        // At the top edge: a narrow view just below it fits, one just above does not.
        let narrow = |tilt_deg| ViewAngles {
            pan_deg: pan,
            tilt_deg,
            fov_deg: 1.0,
        };
        assert!(aim.fits(&narrow(tilt + 1.0)));
        assert!(!aim.fits(&narrow(tilt - 1.0)));
    }

    #[test]
    fn the_widest_fitting_view_is_as_wide_as_the_panorama_holds_there() {
        let aim = aim();
        let inside = aim.look_at(&Point3::new(0.0, 0.0, 0.0), 30.0);
        assert_eq!(aim.widest_fitting(inside), inside.fov_deg);
        // Near the top edge (the far touchline), 60° is too wide.
        let wanted = ViewAngles {
            pan_deg: 20.0,
            tilt_deg: 4.0,
            fov_deg: 60.0,
        };
        let widest = aim.widest_fitting(wanted);
        let at = |fov_deg| ViewAngles { fov_deg, ..wanted };
        assert!(widest > 10.0 && widest < 60.0, "{widest}");
        assert!(
            aim.fits(&at(widest)) && !aim.fits(&at(widest + 0.5)),
            "{widest}"
        );
        // Tilted down from the edge, all 60° fit; 100° fit at no tilt, and the widest
        // that does is wider than at the edge and fits once tilted.
        assert_eq!(aim.widest_tilting(wanted), 60.0);
        let very_wide = at(100.0);
        let tilting = aim.widest_tilting(very_wide);
        assert!(tilting > widest && tilting < 100.0, "{tilting}");
        let fitted = aim.tilt_to_fit(at(tilting));
        assert!(aim.fits(&fitted), "{fitted:?}");
        assert!(!aim.fits(&aim.tilt_to_fit(at(tilting + 0.5))));
    }

    #[test]
    fn clamped_views_fit_and_views_that_fit_are_kept() {
        let aim = aim();
        let inside = aim.look_at(&Point3::new(0.0, 0.0, 0.0), 30.0);
        assert!(aim.fits(&inside));
        assert_eq!(aim.clamp(inside), inside);
        for wanted in [
            ViewAngles {
                pan_deg: 79.0,
                tilt_deg: 10.0,
                fov_deg: 30.0,
            },
            ViewAngles {
                pan_deg: -10.0,
                tilt_deg: 45.0,
                fov_deg: 20.0,
            },
            ViewAngles {
                pan_deg: 0.0,
                tilt_deg: 10.0,
                fov_deg: 170.0,
            },
            // A ball seen far beyond the pitch: a shot narrower than any lens.
            ViewAngles {
                pan_deg: 5.0,
                tilt_deg: 0.001,
                fov_deg: 0.002,
            },
            ViewAngles {
                pan_deg: f64::NAN,
                tilt_deg: 10.0,
                fov_deg: 30.0,
            },
        ] {
            let clamped = aim.clamp(wanted);
            assert!(aim.fits(&clamped), "{wanted:?} → {clamped:?}");
        }
        // Moved only as far as needed: the far right view still looks right.
        let right = aim.clamp(ViewAngles {
            pan_deg: 79.0,
            tilt_deg: 10.0,
            fov_deg: 30.0,
        });
        assert!(right.pan_deg > 55.0, "{right:?}");
    }

    #[test]
    fn a_wide_view_by_the_far_touchline_tilts_down_to_fit_keeping_its_width() {
        let aim = aim();
        // The far touchline, just below the horizon, in a 60° view: its top edge would
        // be above the panorama's.
        let wanted = ViewAngles {
            pan_deg: 20.0,
            tilt_deg: 5.0,
            fov_deg: 60.0,
        };
        assert!(!aim.fits(&wanted));
        let fitted = aim.tilt_to_fit(wanted);
        assert!(aim.fits(&fitted), "{fitted:?}");
        assert_eq!((fitted.pan_deg, fitted.fov_deg), (20.0, 60.0));
        assert!(fitted.tilt_deg > wanted.tilt_deg, "{fitted:?}");
        // Tilted no further than it needs: a little less and it would not fit.
        let less = ViewAngles {
            tilt_deg: fitted.tilt_deg - 0.2,
            ..fitted
        };
        assert!(!aim.fits(&less), "{less:?}");
        // Where the zoom-in clamp would have narrowed it instead.
        assert!(aim.clamp(wanted).fov_deg < 50.0);
        // Views that fit are kept, and so are views no tilt can fit.
        let inside = aim.look_at(&Point3::new(0.0, 0.0, 0.0), 30.0);
        assert_eq!(aim.tilt_to_fit(inside), inside);
        let too_tall = ViewAngles {
            fov_deg: 120.0,
            ..wanted
        };
        assert_eq!(aim.tilt_to_fit(too_tall), too_tall);
    }
}
