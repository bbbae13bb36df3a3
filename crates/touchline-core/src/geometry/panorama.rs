//! Panorama projections: how a viewing direction from the rig's centre maps to a pixel
//! of the panorama.

use nalgebra::{Point2, Point3, Unit, Vector3};
use serde::{Deserialize, Serialize};

use super::camera::ImageSize;
use crate::error::{Error, Result};

/// The projection surface of a panorama.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Projection {
    /// A vertical cylinder: columns are equal steps of azimuth, rows equal steps of
    /// `tan(elevation)`, so vertical lines stay straight. The default.
    Cylindrical,
    /// Columns equal steps of azimuth, rows equal steps of elevation.
    Equirectangular,
}

impl Projection {
    /// The vertical coordinate of an elevation (radians) on the projection surface, in
    /// radians of azimuth: a panorama's rows are equal steps of it.
    pub fn surface_v(self, elevation: f64) -> f64 {
        match self {
            Projection::Cylindrical => elevation.tan(),
            Projection::Equirectangular => elevation,
        }
    }
}

/// A panorama: a projection seen from a centre point, with its pixel grid.
///
/// Azimuth is measured from +y (straight across the pitch) towards +x, elevation up from
/// the horizontal, as for [`super::camera::Orientation`].
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Panorama {
    /// Projection surface.
    pub projection: Projection,
    /// Picture size.
    pub size: ImageSize,
    /// Centre of projection in the pitch frame.
    pub centre: [f64; 3],
    /// Azimuth of the left edge of the picture, degrees.
    pub azimuth_min_deg: f64,
    /// Azimuth of the right edge of the picture, degrees.
    pub azimuth_max_deg: f64,
    /// Elevation at the top edge of the picture, degrees.
    pub elevation_max_deg: f64,
    /// Elevation at the bottom edge of the picture, degrees.
    pub elevation_min_deg: f64,
}

impl Panorama {
    /// Checks the angles: increasing, within ±180° of azimuth and ±85° of elevation.
    pub fn validate(&self) -> Result<()> {
        let ok = self.azimuth_min_deg < self.azimuth_max_deg
            && self.azimuth_min_deg >= -180.0
            && self.azimuth_max_deg <= 180.0
            && self.elevation_min_deg < self.elevation_max_deg
            && self.elevation_min_deg > -85.0
            && self.elevation_max_deg < 85.0
            && self.centre.iter().all(|v| v.is_finite());
        if ok {
            Ok(())
        } else {
            Err(Error::invalid(
                "panorama",
                "angles must increase, azimuth within ±180°, elevation within ±85°",
            ))
        }
    }

    /// Centre of projection.
    pub fn centre(&self) -> Point3<f64> {
        Point3::from(self.centre)
    }

    /// The projection surface's vertical coordinate at the top and the bottom edge.
    fn surface_v_range(&self) -> [f64; 2] {
        [self.elevation_max_deg, self.elevation_min_deg]
            .map(|deg| self.projection.surface_v(deg.to_radians()))
    }

    /// Pixels per radian of azimuth.
    pub fn pixels_per_radian(&self) -> f64 {
        self.size.width as f64 / (self.azimuth_max_deg - self.azimuth_min_deg).to_radians()
    }

    /// The panorama pixel of a direction from the centre, or `None` for straight up/down.
    /// The pixel may lie outside the picture.
    pub fn project_direction(&self, d: &Vector3<f64>) -> Option<Point2<f64>> {
        let horizontal = (d.x * d.x + d.y * d.y).sqrt();
        if horizontal < 1e-12 {
            return None;
        }
        let azimuth = d.x.atan2(d.y);
        let elevation = d.z.atan2(horizontal);
        let (w, h) = (self.size.width as f64, self.size.height as f64);
        let a0 = self.azimuth_min_deg.to_radians();
        let a1 = self.azimuth_max_deg.to_radians();
        let [top, bottom] = self.surface_v_range();
        let u = (azimuth - a0) / (a1 - a0) * w - 0.5;
        let v = (top - self.projection.surface_v(elevation)) / (top - bottom) * h - 0.5;
        Some(Point2::new(u, v))
    }

    /// The panorama pixel where a pitch-frame point appears.
    pub fn project(&self, p: &Point3<f64>) -> Option<Point2<f64>> {
        self.project_direction(&(p - self.centre()))
    }

    /// The unit viewing direction of a panorama pixel.
    pub fn ray(&self, pixel: &Point2<f64>) -> Unit<Vector3<f64>> {
        let (w, h) = (self.size.width as f64, self.size.height as f64);
        let a0 = self.azimuth_min_deg.to_radians();
        let a1 = self.azimuth_max_deg.to_radians();
        let [top, bottom] = self.surface_v_range();
        let azimuth = a0 + (pixel.x + 0.5) / w * (a1 - a0);
        let v = top - (pixel.y + 0.5) / h * (top - bottom);
        let elevation = match self.projection {
            Projection::Cylindrical => v.atan(),
            Projection::Equirectangular => v,
        };
        Unit::new_normalize(Vector3::new(
            azimuth.sin() * elevation.cos(),
            azimuth.cos() * elevation.cos(),
            elevation.sin(),
        ))
    }

    /// Where the ray through a panorama pixel meets the horizontal plane at `height`,
    /// if it does (in front of the centre).
    pub fn ground_point(&self, pixel: &Point2<f64>, height: f64) -> Option<Point3<f64>> {
        let ray = self.ray(pixel);
        let centre = self.centre();
        if ray.z >= -1e-9 || centre.z <= height {
            return None;
        }
        Some(centre + ray.into_inner() * ((height - centre.z) / ray.z))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn panorama(projection: Projection) -> Panorama {
        Panorama {
            projection,
            size: ImageSize::new(3840, 1280).unwrap(),
            centre: [0.0, -42.0, 6.0],
            azimuth_min_deg: -95.0,
            azimuth_max_deg: 95.0,
            elevation_max_deg: 10.0,
            elevation_min_deg: -45.0,
        }
    }

    proptest! {
        #[test]
        fn pixel_ray_pixel_round_trips(u in 0.0f64..3839.0, v in 0.0f64..1279.0, equi in any::<bool>()) {
            let pano = panorama(if equi { Projection::Equirectangular } else { Projection::Cylindrical });
            let back = pano.project_direction(&pano.ray(&Point2::new(u, v))).unwrap();
            prop_assert!((back.x - u).abs() < 1e-6 && (back.y - v).abs() < 1e-6);
        }
    }

    #[test]
    fn cylindrical_panoramas_keep_vertical_lines_vertical() {
        let pano = panorama(Projection::Cylindrical);
        let bottom = pano.project(&Point3::new(20.0, 0.0, 0.0)).unwrap();
        let top = pano.project(&Point3::new(20.0, 0.0, 2.0)).unwrap();
        assert!((bottom.x - top.x).abs() < 1e-9 && top.y < bottom.y);
    }
}
