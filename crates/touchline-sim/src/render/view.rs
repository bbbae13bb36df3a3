//! What a renderer looks through: a real camera of the rig, or the ideal panorama.

use nalgebra::{Point2, Point3, Vector3};
use rayon::prelude::*;
use touchline_core::geometry::{Camera, ImageSize, Panorama};

/// A projection from the pitch frame to a picture.
#[derive(Clone, Debug, PartialEq)]
pub enum View {
    /// One of the rig's cameras, lens and all.
    Camera(Camera),
    /// The ideal panorama from the rig's centre.
    Panorama(Panorama),
}

impl View {
    /// Picture size.
    pub fn size(&self) -> ImageSize {
        match self {
            View::Camera(c) => c.size(),
            View::Panorama(p) => p.size,
        }
    }

    /// Centre of projection.
    pub fn centre(&self) -> Point3<f64> {
        match self {
            View::Camera(c) => c.position(),
            View::Panorama(p) => p.centre(),
        }
    }

    /// Where a point appears, if it can.
    pub fn project(&self, p: &Point3<f64>) -> Option<Point2<f64>> {
        match self {
            View::Camera(c) => c.project(p),
            View::Panorama(pano) => pano.project(p),
        }
    }

    /// Unit ray through a pixel.
    pub fn ray(&self, pixel: &Point2<f64>) -> Option<Vector3<f64>> {
        match self {
            View::Camera(c) => c.ray(pixel).map(|r| r.into_inner()),
            View::Panorama(p) => Some(p.ray(pixel).into_inner()),
        }
    }
}

/// Viewing rays at every pixel corner, so that rays anywhere in the picture come from a
/// bilinear lookup instead of inverting the lens.
pub struct RayMap {
    columns: usize,
    rows: usize,
    rays: Vec<[f32; 3]>,
}

impl RayMap {
    /// Rays for every corner of `view`'s pixel grid (corner (i, j) sits at pixel
    /// coordinates (i − ½, j − ½)). Corners where the lens is undefined hold NaN.
    pub fn new(view: &View) -> RayMap {
        let size = view.size();
        let columns = size.width as usize + 1;
        let rows = size.height as usize + 1;
        let mut rays = vec![[f32::NAN; 3]; columns * rows];
        rays.par_chunks_mut(columns)
            .enumerate()
            .for_each(|(j, row)| {
                for (i, ray) in row.iter_mut().enumerate() {
                    let pixel = Point2::new(i as f64 - 0.5, j as f64 - 0.5);
                    if let Some(r) = view.ray(&pixel) {
                        *ray = [r.x as f32, r.y as f32, r.z as f32];
                    }
                }
            });
        RayMap {
            columns,
            rows,
            rays,
        }
    }

    /// The (not quite unit) ray at continuous pixel coordinates, or `None` off the
    /// picture or where the lens is undefined.
    #[inline(always)]
    pub fn at(&self, x: f32, y: f32) -> Option<Vector3<f32>> {
        let gx = x + 0.5;
        let gy = y + 0.5;
        if !(gx >= 0.0 && gy >= 0.0) {
            return None;
        }
        let (c, r) = (gx as usize, gy as usize);
        let (c, r) = (c.min(self.columns - 2), r.min(self.rows - 2));
        if gx > self.columns as f32 - 1.0 || gy > self.rows as f32 - 1.0 {
            return None;
        }
        let (fx, fy) = (gx - c as f32, gy - r as f32);
        let a = self.rays[r * self.columns + c];
        let b = self.rays[r * self.columns + c + 1];
        let cc = self.rays[(r + 1) * self.columns + c];
        let d = self.rays[(r + 1) * self.columns + c + 1];
        let lerp = |k: usize| {
            let top = a[k] + (b[k] - a[k]) * fx;
            let bottom = cc[k] + (d[k] - cc[k]) * fx;
            top + (bottom - top) * fy
        };
        let ray = Vector3::new(lerp(0), lerp(1), lerp(2));
        ray.x.is_finite().then_some(ray)
    }
}
