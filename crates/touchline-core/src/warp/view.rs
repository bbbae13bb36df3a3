//! Rendering the virtual camera's view from the panorama.
//!
//! The exact mapping (a ray per output sample, projected into the panorama) needs
//! trigonometry per sample. It is smooth, though, so it is computed exactly only on a
//! sparse grid and interpolated in between in fixed point, which is indistinguishable
//! (within an eighth of a pixel, a test checks) and leaves the inner loop with adds and the interpolation
//! itself. The grid is kept while the view holds still, and recomputed (a few thousand
//! rays) when it moves, so a moving view costs no more than a still one.

use rayon::prelude::*;

use super::frame::{
    luma_to_plane, plane_to_luma, ChromaSiting, Frame, FrameMut, PixelFormat, Plane, PlaneLayout,
    PlaneMut,
};
use super::kernel::{sample_polyline, CubicTable, Interpolation, Kernel, LINE_BITS};
use crate::error::{Error, Result};
use crate::geometry::{ImageSize, Panorama, ViewAngles, VirtualCamera};

/// Output samples between exactly mapped grid points (a power of two).
const GRID_STEP: u32 = 16;
const GRID_SHIFT: u32 = GRID_STEP.trailing_zeros();
/// Fractional bits of the grid's source positions.
const GRID_BITS: u32 = LINE_BITS;

/// Exactly mapped source positions for one output plane, every `GRID_STEP` samples.
#[derive(Clone, Debug)]
struct Grid {
    columns: usize,
    rows: usize,
    /// Source plane positions (x, y) in 1/2^16 sample, row-major.
    points: Vec<(i32, i32)>,
}

/// Renders virtual camera views of a panorama.
pub struct ViewRenderer {
    panorama: Panorama,
    format: PixelFormat,
    size: ImageSize,
    interpolation: Interpolation,
    siting: ChromaSiting,
    cubic: CubicTable,
    /// The grids of the last view rendered.
    cached: Option<(ViewAngles, Vec<Grid>)>,
}

impl ViewRenderer {
    /// A renderer of `size` views of `panorama` frames in `format`.
    pub fn new(
        panorama: Panorama,
        format: PixelFormat,
        size: ImageSize,
        interpolation: Interpolation,
        siting: ChromaSiting,
    ) -> Result<Self> {
        for (what, s) in [("panorama", panorama.size), ("view", size)] {
            if s.width < 16 || s.height < 16 {
                return Err(Error::invalid(
                    format!("{what} size"),
                    format!("{}×{} is too small", s.width, s.height),
                ));
            }
        }
        Ok(ViewRenderer {
            panorama,
            format,
            size,
            interpolation,
            siting,
            cubic: CubicTable::new(),
            cached: None,
        })
    }

    /// The size of the views it renders.
    pub fn size(&self) -> ImageSize {
        self.size
    }

    /// Renders the view along `angles` from the panorama frame `src` into `dst`.
    /// Parts of the view outside the panorama repeat its edge.
    pub fn render(&mut self, angles: ViewAngles, src: &Frame, dst: &mut FrameMut) -> Result<()> {
        if src.size != self.panorama.size || src.format != self.format {
            return Err(Error::invalid(
                "panorama frame",
                format!(
                    "{}×{} {:?}, expected {}×{} {:?}",
                    src.size.width,
                    src.size.height,
                    src.format,
                    self.panorama.size.width,
                    self.panorama.size.height,
                    self.format
                ),
            ));
        }
        if dst.size != self.size || dst.format != self.format {
            return Err(Error::invalid(
                "view frame",
                format!(
                    "{}×{} {:?}, expected {}×{} {:?}",
                    dst.size.width,
                    dst.size.height,
                    dst.format,
                    self.size.width,
                    self.size.height,
                    self.format
                ),
            ));
        }
        let grids = match &self.cached {
            Some((cached, grids)) if *cached == angles => grids,
            _ => {
                let camera = VirtualCamera::new(angles, self.size)?;
                let grids = self
                    .format
                    .planes()
                    .iter()
                    .map(|layout| self.grid(&camera, layout))
                    .collect();
                &self.cached.insert((angles, grids)).1
            }
        };
        for ((grid, layout), (source, out)) in grids
            .iter()
            .zip(self.format.planes())
            .zip(src.planes.iter().zip(dst.planes.iter_mut()))
        {
            let job = PlaneJob {
                grid,
                source,
                interpolation: self.interpolation,
                cubic: &self.cubic,
            };
            match layout.channels.len() {
                1 => job.run::<1>(out),
                2 => job.run::<2>(out),
                4 => job.run::<4>(out),
                n => unreachable!("no format has {n}-channel planes"),
            }
        }
        Ok(())
    }

    /// The exact source position of output sample (x, y) of a plane.
    fn exact(&self, camera: &VirtualCamera, layout: &PlaneLayout, x: f64, y: f64) -> (f64, f64) {
        let (lx, ly) = plane_to_luma(layout, self.siting, x, y);
        let ray = camera.ray(lx, ly);
        match self.panorama.project_direction(&ray) {
            Some(p) => luma_to_plane(layout, self.siting, p.x, p.y),
            // Straight up or down: no azimuth; any edge sample will do.
            None => (0.0, 0.0),
        }
    }

    fn grid(&self, camera: &VirtualCamera, layout: &PlaneLayout) -> Grid {
        let (w, h) = layout.size(self.size);
        let columns = (w as usize - 1).div_ceil(GRID_STEP as usize) + 1;
        let rows = (h as usize - 1).div_ceil(GRID_STEP as usize) + 1;
        let scale = (1u32 << GRID_BITS) as f64;
        let points = (0..rows * columns)
            .into_par_iter()
            .map(|i| {
                let (gx, gy) = (
                    (i % columns) as u32 * GRID_STEP,
                    (i / columns) as u32 * GRID_STEP,
                );
                let (sx, sy) = self.exact(camera, layout, gx as f64, gy as f64);
                let clamp = |v: f64| (v * scale).round().clamp(-1e9, 1e9) as i32;
                (clamp(sx), clamp(sy))
            })
            .collect();
        Grid {
            columns,
            rows,
            points,
        }
    }
}

/// One plane's rendering.
struct PlaneJob<'a> {
    grid: &'a Grid,
    source: &'a Plane<'a>,
    interpolation: Interpolation,
    cubic: &'a CubicTable,
}

impl PlaneJob<'_> {
    fn run<const C: usize>(&self, out: &mut PlaneMut) {
        let (width, height, stride) = (out.width as usize, out.height as usize, out.stride);
        out.data
            .par_chunks_mut(stride)
            .take(height)
            .enumerate()
            .for_each_init(
                || vec![(0i32, 0i32); self.grid.columns],
                |line, (y, row)| {
                    self.grid_row(y as u32, line);
                    self.row::<C>(line, &mut row[..width * C]);
                },
            );
    }

    /// The grid's positions interpolated down to output row `y`.
    fn grid_row(&self, y: u32, line: &mut [(i32, i32)]) {
        let g = &self.grid;
        let gy = (y >> GRID_SHIFT) as usize;
        let t = (y & (GRID_STEP - 1)) as i64;
        let top = &g.points[gy * g.columns..(gy + 1) * g.columns];
        let bottom = if gy + 1 < g.rows {
            &g.points[(gy + 1) * g.columns..(gy + 2) * g.columns]
        } else {
            top
        };
        for ((out, a), b) in line.iter_mut().zip(top).zip(bottom) {
            let lerp =
                |a: i32, b: i32| (a as i64 + (((b as i64 - a as i64) * t) >> GRID_SHIFT)) as i32;
            *out = (lerp(a.0, b.0), lerp(a.1, b.1));
        }
    }

    /// One output row from the interpolated grid positions of its row: each stretch of
    /// `GRID_STEP` samples follows a straight line between two grid positions.
    fn row<const C: usize>(&self, line: &[(i32, i32)], out: &mut [u8]) {
        let kernel = match self.interpolation {
            Interpolation::Bilinear => Kernel::Bilinear,
            Interpolation::Bicubic => Kernel::Bicubic(self.cubic),
        };
        sample_polyline::<C>(self.source, kernel, line, GRID_SHIFT, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::{RigOptions, Sport};

    fn renderer(interpolation: Interpolation) -> ViewRenderer {
        let rig = RigOptions::for_sport(Sport::Football).build().unwrap();
        ViewRenderer::new(
            rig.panorama,
            PixelFormat::I420,
            ImageSize::new(1280, 720).unwrap(),
            interpolation,
            ChromaSiting::Centre,
        )
        .unwrap()
    }

    #[test]
    fn the_interpolated_grid_stays_within_an_eighth_of_a_pixel() {
        // (A tenth on a cylindrical panorama; an equirectangular one's rows, equal steps
        // of elevation rather than of its tangent, bend a little more across a cell.)
        let r = renderer(Interpolation::Bilinear);
        for (pan, tilt, fov) in [(0.0, 20.0, 30.0), (-50.0, 15.0, 70.0), (40.0, 25.0, 10.0)] {
            let angles = ViewAngles {
                pan_deg: pan,
                tilt_deg: tilt,
                fov_deg: fov,
            };
            let camera = VirtualCamera::new(angles, r.size).unwrap();
            for layout in PixelFormat::I420.planes() {
                let grid = r.grid(&camera, layout);
                let job = PlaneJob {
                    grid: &grid,
                    source: &Plane {
                        data: &[],
                        width: 1,
                        height: 1,
                        stride: 1,
                    },
                    interpolation: Interpolation::Bilinear,
                    cubic: &r.cubic,
                };
                let (w, h) = layout.size(r.size);
                let mut line = vec![(0, 0); grid.columns];
                let mut worst: f64 = 0.0;
                for y in (0..h).step_by(7) {
                    job.grid_row(y, &mut line);
                    for x in (0..w).step_by(5) {
                        let seg = (x >> GRID_SHIFT) as usize;
                        let (x0, y0) = line[seg];
                        let (x1, y1) = line[(seg + 1).min(line.len() - 1)];
                        let k = (x & (GRID_STEP - 1)) as i32;
                        let ix = (x0 + ((x1 - x0) >> GRID_SHIFT) * k) as f64 / 65536.0;
                        let iy = (y0 + ((y1 - y0) >> GRID_SHIFT) * k) as f64 / 65536.0;
                        let (ex, ey) = r.exact(&camera, layout, x as f64, y as f64);
                        worst = worst.max((ix - ex).abs()).max((iy - ey).abs());
                    }
                }
                assert!(worst < 0.125, "view {angles:?}: worst error {worst} px");
            }
        }
    }

    #[test]
    fn a_flat_panorama_gives_a_flat_view() {
        for interpolation in [Interpolation::Bilinear, Interpolation::Bicubic] {
            let mut r = renderer(interpolation);
            let pano = r.panorama.size;
            let mut data = vec![0u8; PixelFormat::I420.packed_len(pano)];
            let luma = pano.area();
            data[..luma].fill(90);
            data[luma..].fill(60);
            let src = Frame::packed(PixelFormat::I420, pano, &data).unwrap();
            let mut out = vec![0u8; PixelFormat::I420.packed_len(r.size)];
            let mut dst = FrameMut::packed(PixelFormat::I420, r.size, &mut out).unwrap();
            let angles = ViewAngles {
                pan_deg: 10.0,
                tilt_deg: 20.0,
                fov_deg: 40.0,
            };
            r.render(angles, &src, &mut dst).unwrap();
            let luma = r.size.area();
            assert!(out[..luma].iter().all(|&v| v == 90));
            assert!(out[luma..].iter().all(|&v| v == 60));
        }
    }

    #[test]
    fn a_mark_in_the_panorama_appears_where_the_geometry_says() {
        let mut r = renderer(Interpolation::Bilinear);
        let pano = r.panorama;
        // A bright 9×9 square on the panorama around the point the view looks at.
        let angles = ViewAngles {
            pan_deg: -20.0,
            tilt_deg: 18.0,
            fov_deg: 25.0,
        };
        let camera = VirtualCamera::new(angles, r.size).unwrap();
        let target = pano.project_direction(&camera.ray(300.0, 200.0)).unwrap();
        let mut data = vec![16u8; PixelFormat::I420.packed_len(pano.size)];
        let w = pano.size.width as usize;
        let (cx, cy) = (target.x.round() as usize, target.y.round() as usize);
        for y in cy - 4..=cy + 4 {
            data[y * w + cx - 4..=y * w + cx + 4].fill(235);
        }
        let src = Frame::packed(PixelFormat::I420, pano.size, &data).unwrap();
        let mut out = vec![0u8; PixelFormat::I420.packed_len(r.size)];
        let mut dst = FrameMut::packed(PixelFormat::I420, r.size, &mut out).unwrap();
        r.render(angles, &src, &mut dst).unwrap();
        // The brightest output pixel's centroid sits at (300, 200).
        let vw = r.size.width as usize;
        let (mut sx, mut sy, mut n) = (0.0, 0.0, 0.0);
        for (i, &v) in out[..r.size.area()].iter().enumerate() {
            if v > 200 {
                sx += (i % vw) as f64;
                sy += (i / vw) as f64;
                n += 1.0;
            }
        }
        assert!(n > 0.0);
        assert!(
            (sx / n - 300.0).abs() < 1.0 && (sy / n - 200.0).abs() < 1.0,
            "{} {}",
            sx / n,
            sy / n
        );
    }
}
