//! Point features matched between the two cameras where their pictures overlap.
//!
//! Corners are FAST corners from `imageproc` on a lightly blurred picture. They are
//! described as *oriented patches* (Brown, Szeliski and Winder's MOPS, made for
//! panorama stitching): an 8×8 grid of samples 5 px apart, turned to the corner's
//! dominant gradient direction and normalised for brightness and contrast. The
//! orientation matters here: the overlap lies at the right edge of one wide, tilted
//! lens and at the left edge of the other, where the same patch of pitch appears
//! turned by tens of degrees, which defeats unoriented descriptors such as BRIEF
//! (imageproc offers no oriented one). Matches must be mutual best matches and pass
//! Lowe's ratio test, which keeps repeated patterns such as advertising boards out.
//!
//! The overlap of a side-by-side rig is in the right part of the left picture and the
//! left part of the right one, so only those are searched.

use image::GrayImage;
use imageproc::corners::corners_fast9;
use imageproc::filter::gaussian_blur_f32;
use nalgebra::Point2;
use rayon::prelude::*;

use crate::warp::Plane;

/// A point seen by both cameras: its pixel in each (luma coordinates).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Match {
    /// Pixel in the left camera.
    pub left: Point2<f64>,
    /// Pixel in the right camera.
    pub right: Point2<f64>,
}

/// Blur before corner detection, so that sensor noise makes no corners, pixels.
const DETECT_SIGMA: f32 = 1.0;
/// FAST threshold on the blurred picture, luma levels.
const FAST_THRESHOLD: u8 = 7;
/// One corner (the strongest) per cell of this many pixels, so that features spread
/// over the overlap instead of crowding on a few players.
const CELL_PX: u32 = 8;
/// Blur of the picture the orientation is measured on, pixels (MOPS: 4.5).
const ORIENTATION_SIGMA: f32 = 4.5;
/// Blur of the picture the descriptor samples, against aliasing at its spacing.
const SAMPLE_SIGMA: f32 = 2.0;
/// Descriptor grid: `GRID`×`GRID` samples `SPACING` pixels apart.
const GRID: usize = 8;
const SPACING: f64 = 5.0;
/// Keep clear of the border by the descriptor's turned half-diagonal.
const BORDER_PX: u32 = 32;
/// Lowe's ratio: the best match must be this much closer than the second best.
const RATIO: f32 = 0.75;
/// Fraction of each picture searched, from the side facing the other camera.
const OVERLAP_SEARCH: f64 = 0.55;
/// Patches flatter than this (luma standard deviation) describe nothing.
const MIN_CONTRAST: f32 = 1.0;

type Descriptor = [f32; GRID * GRID];

struct Feature {
    at: Point2<f64>,
    descriptor: Descriptor,
}

fn gray(plane: &Plane) -> GrayImage {
    let mut data = Vec::with_capacity(plane.width as usize * plane.height as usize);
    for y in 0..plane.height as usize {
        data.extend_from_slice(
            &plane.data[y * plane.stride..y * plane.stride + plane.width as usize],
        );
    }
    GrayImage::from_raw(plane.width, plane.height, data).expect("the buffer holds the plane")
}

fn bilinear(image: &GrayImage, x: f64, y: f64) -> f32 {
    let (x0, y0) = (x.floor(), y.floor());
    let (fx, fy) = ((x - x0) as f32, (y - y0) as f32);
    let (x0, y0) = (x0 as u32, y0 as u32);
    let p = |dx: u32, dy: u32| image.get_pixel(x0 + dx, y0 + dy)[0] as f32;
    (p(0, 0) * (1.0 - fx) + p(1, 0) * fx) * (1.0 - fy) + (p(0, 1) * (1.0 - fx) + p(1, 1) * fx) * fy
}

/// The strongest FAST corner of each cell within the columns `x_range`.
fn corners(image: &GrayImage, x_range: (u32, u32)) -> Vec<Point2<f64>> {
    let (w, h) = image.dimensions();
    let cols = w.div_ceil(CELL_PX) as usize;
    let mut best: Vec<Option<(f32, u32, u32)>> = vec![None; cols * h.div_ceil(CELL_PX) as usize];
    for c in corners_fast9(image, FAST_THRESHOLD) {
        let inside = c.x >= x_range.0.max(BORDER_PX)
            && c.x < x_range.1.min(w - BORDER_PX)
            && c.y >= BORDER_PX
            && c.y < h - BORDER_PX;
        if !inside {
            continue;
        }
        let cell = &mut best[(c.y / CELL_PX) as usize * cols + (c.x / CELL_PX) as usize];
        if cell.is_none_or(|(score, ..)| c.score > score) {
            *cell = Some((c.score, c.x, c.y));
        }
    }
    best.into_iter()
        .flatten()
        .map(|(_, x, y)| Point2::new(x as f64, y as f64))
        .collect()
}

/// The oriented, normalised patch around a corner, or `None` when it is flat.
fn describe(oriented: &GrayImage, sampled: &GrayImage, at: Point2<f64>) -> Option<Descriptor> {
    let (x, y) = (at.x as u32, at.y as u32);
    let gx = oriented.get_pixel(x + 1, y)[0] as f32 - oriented.get_pixel(x - 1, y)[0] as f32;
    let gy = oriented.get_pixel(x, y + 1)[0] as f32 - oriented.get_pixel(x, y - 1)[0] as f32;
    let angle = if gx == 0.0 && gy == 0.0 {
        0.0
    } else {
        gy.atan2(gx) as f64
    };
    let (s, c) = angle.sin_cos();
    let mut d = [0.0f32; GRID * GRID];
    let half = (GRID as f64 - 1.0) / 2.0;
    for (i, v) in d.iter_mut().enumerate() {
        let u = ((i % GRID) as f64 - half) * SPACING;
        let w = ((i / GRID) as f64 - half) * SPACING;
        *v = bilinear(sampled, at.x + c * u - s * w, at.y + s * u + c * w);
    }
    let mean = d.iter().sum::<f32>() / d.len() as f32;
    let sd = (d.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / d.len() as f32).sqrt();
    if sd < MIN_CONTRAST {
        return None;
    }
    d.iter_mut().for_each(|v| *v = (*v - mean) / sd);
    Some(d)
}

fn features(plane: &Plane, x_range: (u32, u32)) -> Vec<Feature> {
    let image = gray(plane);
    let detect = gaussian_blur_f32(&image, DETECT_SIGMA);
    let oriented = gaussian_blur_f32(&image, ORIENTATION_SIGMA);
    let sampled = gaussian_blur_f32(&image, SAMPLE_SIGMA);
    corners(&detect, x_range)
        .into_par_iter()
        .filter_map(|at| {
            Some(Feature {
                at,
                descriptor: describe(&oriented, &sampled, at)?,
            })
        })
        .collect()
}

fn distance(a: &Descriptor, b: &Descriptor) -> f32 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

/// For each feature of `from`, its best match in `to` if it passes the ratio test.
fn best_matches(from: &[Feature], to: &[Feature]) -> Vec<Option<usize>> {
    from.par_iter()
        .map(|f| {
            let (mut best, mut second) = ((f32::INFINITY, usize::MAX), f32::INFINITY);
            for (j, g) in to.iter().enumerate() {
                let d = distance(&f.descriptor, &g.descriptor);
                if d < best.0 {
                    second = best.0;
                    best = (d, j);
                } else if d < second {
                    second = d;
                }
            }
            (best.0 < RATIO * RATIO * second).then_some(best.1)
        })
        .collect()
}

/// Matches features between the overlapping parts of a left and a right luma plane.
pub fn match_overlap(left: &Plane, right: &Plane) -> Vec<Match> {
    let split_l = (left.width as f64 * (1.0 - OVERLAP_SEARCH)) as u32;
    let split_r = (right.width as f64 * OVERLAP_SEARCH) as u32;
    let (fl, fr) = rayon::join(
        || features(left, (split_l, left.width)),
        || features(right, (0, split_r)),
    );
    let (forward, backward) = rayon::join(|| best_matches(&fl, &fr), || best_matches(&fr, &fl));
    forward
        .iter()
        .enumerate()
        .filter_map(|(i, j)| {
            let j = (*j)?;
            (backward[j] == Some(i)).then(|| Match {
                left: fl[i].at,
                right: fr[j].at,
            })
        })
        .collect()
}
