//! The static scene: grass, painted lines, goals with nets, advertising boards, trees
//! and buildings around the ground, and the sky. Traced once per camera; the moving
//! people and the ball are drawn over it every frame.

use nalgebra::{Vector2, Vector3};
use touchline_core::geometry::{Marking, Pitch};

use super::texture::{cell_noise, fractal_noise, value_noise};

/// Linear RGB.
pub type Rgb = [f32; 3];

/// Sky light reaching every surface, relative to direct sun.
pub const AMBIENT: f32 = 0.42;
/// Direct sun.
pub const SUN: f32 = 1.0;

/// What a ray meets first.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hit {
    /// Light leaving the surface towards the camera (linear RGB, 1 ≈ white in sun).
    pub radiance: Rgb,
    /// Distance along the (unit) ray to the first opaque surface, metres
    /// (`f32::INFINITY` for the sky).
    pub depth: f32,
}

/// Resolution of the painted-line coverage raster, metres per cell.
const LINE_CELL: f32 = 0.02;
/// Distance of the far advertising boards behind the touchline, metres.
const BOARD_SETBACK: f32 = 4.0;
/// Distance of the boards behind each goal line, metres.
const END_BOARD_SETBACK: f32 = 5.0;
const BOARD_HEIGHT: f32 = 0.9;
/// Where the trees and buildings stand behind the far touchline and the goal lines.
const SURROUND_FAR: f32 = 18.0;
const SURROUND_END: f32 = 16.0;
const NET_DEPTH: f32 = 1.8;
const NET_MESH: f32 = 0.12;
const NET_STRING: f32 = 0.018;
const POST_RADIUS: f32 = 0.06;

/// The static scene around one pitch.
pub struct Scene {
    hl: f32,
    hw: f32,
    pitch: Pitch,
    line_mask: LineMask,
    sun: Vector3<f32>,
    seed: u32,
}

/// Painted-line coverage on a fine ground raster, so that a texture lookup does not
/// have to measure the distance to every marking.
struct LineMask {
    x0: f32,
    y0: f32,
    columns: usize,
    rows: usize,
    coverage: Vec<u8>,
}

impl LineMask {
    fn new(pitch: &Pitch) -> LineMask {
        let (hl, hw) = (pitch.length as f32 / 2.0, pitch.width as f32 / 2.0);
        let margin = 0.5;
        let x0 = -hl - margin;
        let y0 = -hw - margin;
        let columns = ((2.0 * (hl + margin)) / LINE_CELL).ceil() as usize + 1;
        let rows = ((2.0 * (hw + margin)) / LINE_CELL).ceil() as usize + 1;
        let mut coverage = vec![0u8; columns * rows];
        let half_width = pitch.line_width / 2.0;
        for marking in pitch.markings() {
            // Bounding box of the marking, dilated by the line width.
            let (min, max) = match marking {
                Marking::Segment { a, b } => (a.coords.inf(&b.coords), a.coords.sup(&b.coords)),
                Marking::Arc { centre, radius, .. } => (
                    centre.coords - Vector2::repeat(radius),
                    centre.coords + Vector2::repeat(radius),
                ),
                Marking::Spot { centre, radius } => (
                    centre.coords - Vector2::repeat(radius),
                    centre.coords + Vector2::repeat(radius),
                ),
            };
            let pad = half_width + 2.0 * LINE_CELL as f64;
            let c0 = (((min.x - pad) as f32 - x0) / LINE_CELL).floor().max(0.0) as usize;
            let c1 = ((((max.x + pad) as f32 - x0) / LINE_CELL).ceil() as usize).min(columns - 1);
            let r0 = (((min.y - pad) as f32 - y0) / LINE_CELL).floor().max(0.0) as usize;
            let r1 = ((((max.y + pad) as f32 - y0) / LINE_CELL).ceil() as usize).min(rows - 1);
            for r in r0..=r1 {
                for c in c0..=c1 {
                    let p = nalgebra::Point2::new(
                        (x0 + c as f32 * LINE_CELL) as f64,
                        (y0 + r as f32 * LINE_CELL) as f64,
                    );
                    let d = marking.distance(&p);
                    // Coverage of a cell by the line, with a one-cell ramp for anti-aliasing.
                    let cover = ((half_width - d) / LINE_CELL as f64 + 0.5).clamp(0.0, 1.0);
                    let value = (cover * 255.0).round() as u8;
                    let cell = &mut coverage[r * columns + c];
                    *cell = (*cell).max(value);
                }
            }
        }
        LineMask {
            x0,
            y0,
            columns,
            rows,
            coverage,
        }
    }

    /// Line coverage at a ground point, 0 to 1.
    fn at(&self, x: f32, y: f32) -> f32 {
        let gx = (x - self.x0) / LINE_CELL;
        let gy = (y - self.y0) / LINE_CELL;
        if gx < 0.0 || gy < 0.0 {
            return 0.0;
        }
        let (c, r) = (gx as usize, gy as usize);
        if c + 1 >= self.columns || r + 1 >= self.rows {
            return 0.0;
        }
        let (fx, fy) = (gx - c as f32, gy - r as f32);
        let at = |r: usize, c: usize| self.coverage[r * self.columns + c] as f32;
        let top = at(r, c) + (at(r, c + 1) - at(r, c)) * fx;
        let bottom = at(r + 1, c) + (at(r + 1, c + 1) - at(r + 1, c)) * fx;
        (top + (bottom - top) * fy) / 255.0
    }
}

fn mix(a: Rgb, b: Rgb, t: f32) -> Rgb {
    [
        a[0] + (b[0] - a[0]) * t,
        a[1] + (b[1] - a[1]) * t,
        a[2] + (b[2] - a[2]) * t,
    ]
}

fn scale(a: Rgb, s: f32) -> Rgb {
    [a[0] * s, a[1] * s, a[2] * s]
}

impl Scene {
    /// The scene around `pitch`; `seed` varies the textures.
    pub fn new(pitch: &Pitch, seed: u64) -> Scene {
        // Afternoon sun behind the rig's left shoulder, 35° up: players are lit from the
        // camera side and their shadows fall away from it.
        let elevation = 35f32.to_radians();
        let azimuth = 205f32.to_radians();
        let sun = Vector3::new(
            elevation.cos() * azimuth.sin(),
            elevation.cos() * azimuth.cos(),
            elevation.sin(),
        );
        Scene {
            hl: pitch.length as f32 / 2.0,
            hw: pitch.width as f32 / 2.0,
            pitch: *pitch,
            line_mask: LineMask::new(pitch),
            sun,
            seed: seed as u32,
        }
    }

    /// Unit vector towards the sun.
    pub fn sun(&self) -> Vector3<f32> {
        self.sun
    }

    /// Light falling on the ground in the open (sun and sky).
    pub fn ground_light(&self) -> f32 {
        AMBIENT + SUN * self.sun.z
    }

    /// Light on a surface with normal `n`.
    pub fn light(&self, n: &Vector3<f32>) -> f32 {
        AMBIENT + SUN * n.dot(&self.sun).max(0.0)
    }

    /// The pitch.
    pub fn pitch(&self) -> &Pitch {
        &self.pitch
    }

    /// Albedo of the ground at a point: grass with mowing stripes, wear and painted
    /// lines on the pitch; runoff and paths around it.
    pub fn ground_albedo(&self, x: f32, y: f32) -> Rgb {
        let (hl, hw) = (self.hl, self.hw);
        let seed = self.seed;
        let grass_base: Rgb = [0.060, 0.200, 0.045];
        // Patchiness at three scales, and slow changes of hue.
        // Real grass is far from flat: measured against the real reference panorama,
        // the local contrast has to survive averaging over a pixel's footprint.
        let patch = fractal_noise(x, y, 4.0, seed) - 0.5;
        let blades = value_noise(x, y, 0.09, seed ^ 0x51) - 0.5;
        let clumps = value_noise(x, y, 0.35, seed ^ 0x77) - 0.5;
        let tufts = value_noise(x, y, 1.2, seed ^ 0x78) - 0.5;
        let hue = value_noise(x, y, 14.0, seed ^ 0x1234);
        let mut grass = mix(grass_base, [0.085, 0.19, 0.04], hue * 0.8);
        grass = scale(
            grass,
            1.0 + 0.35 * patch + 0.3 * blades + 0.4 * clumps + 0.35 * tufts,
        );
        let inside_runoff = x.abs() < hl + 2.5 && y.abs() < hw + 2.5;
        if inside_runoff {
            // Mowing stripes across the length, 20 over a full-size pitch.
            let stripe_width = 2.0 * hl / 20.0;
            let band = ((x + hl) / stripe_width).floor() as i32;
            grass = scale(grass, if band % 2 == 0 { 1.10 } else { 0.91 });
            // Wear in the goalmouths and the centre circle.
            let goalmouth = ((hl - x.abs()) / 9.0).max(0.0) + (y.abs() / 6.0);
            let centre = (x * x + y * y).sqrt() / 5.0;
            let wear_shape = (1.0 - goalmouth.min(centre)).clamp(0.0, 1.0);
            if wear_shape > 0.0 {
                let wear =
                    (wear_shape * (0.4 + fractal_noise(x, y, 1.5, seed ^ 0x99))).clamp(0.0, 0.8);
                grass = mix(grass, [0.13, 0.14, 0.07], wear * 0.6);
            }
            let line = self.line_mask.at(x, y);
            if line > 0.0 {
                let paint = scale([0.72, 0.74, 0.70], 1.0 + 0.1 * blades);
                grass = mix(grass, paint, line * 0.95);
            }
            return grass;
        }
        // Around the pitch: unstriped grass, then a gravel path before the boards.
        let beyond_far = y - hw;
        let beyond_end = x.abs() - hl;
        if beyond_far > BOARD_SETBACK - 1.0 || beyond_end > END_BOARD_SETBACK - 1.0 || y < -hw - 5.0
        {
            let gravel = 0.8 + 0.4 * value_noise(x, y, 0.3, seed ^ 0x33);
            return scale([0.20, 0.17, 0.13], gravel);
        }
        scale(grass, 0.95)
    }

    /// Traces a unit ray from `origin` through the static scene.
    pub fn trace(&self, origin: &Vector3<f32>, dir: &Vector3<f32>) -> Hit {
        let mut best_t = f32::INFINITY;
        let mut best: Option<Surface> = None;
        let mut consider = |t: f32, surface: Surface| {
            if t > 1e-3 && t < best_t {
                best_t = t;
                best = Some(surface);
            }
        };
        if dir.z < -1e-6 {
            consider(-origin.z / dir.z, Surface::Ground);
        }
        // Vertical planes: far boards, end boards, trees.
        let plane_y = |y: f32| (y - origin.y) / dir.y;
        let plane_x = |x: f32| (x - origin.x) / dir.x;
        if dir.y.abs() > 1e-6 {
            let t = plane_y(self.hw + BOARD_SETBACK);
            let p = origin + dir * t;
            if p.z >= 0.0 && p.z <= BOARD_HEIGHT && p.x.abs() <= self.hl + END_BOARD_SETBACK {
                consider(
                    t,
                    Surface::Board {
                        along: p.x,
                        up: p.z,
                        normal: -Vector3::y(),
                    },
                );
            }
            let t = plane_y(self.hw + SURROUND_FAR);
            consider(
                t,
                Surface::Surround {
                    along: (origin + dir * t).x,
                },
            );
        }
        if dir.x.abs() > 1e-6 {
            for side in [-1.0f32, 1.0] {
                let t = plane_x(side * (self.hl + END_BOARD_SETBACK));
                let p = origin + dir * t;
                if p.z >= 0.0 && p.z <= BOARD_HEIGHT && p.y.abs() <= self.hw {
                    consider(
                        t,
                        Surface::Board {
                            along: p.y + 500.0 * side,
                            up: p.z,
                            normal: Vector3::x() * -side,
                        },
                    );
                }
                let t = plane_x(side * (self.hl + SURROUND_END));
                consider(
                    t,
                    Surface::Surround {
                        along: (origin + dir * t).y + 1000.0 * side,
                    },
                );
            }
        }
        self.goal_frames(origin, dir, &mut consider);

        let mut radiance = match best {
            None => self.sky(dir),
            Some(surface) => {
                let p = origin + dir * best_t;
                self.shade(surface, &p, dir)
            }
        };
        if best.is_none() {
            best_t = f32::INFINITY;
        }
        // Nets in front of the first opaque surface veil it.
        self.for_each_net_hit(origin, dir, |t, u, v| {
            if t < best_t {
                let cover = mesh_coverage(u).max(mesh_coverage(v));
                let net = scale([0.75, 0.75, 0.75], self.ground_light());
                radiance = mix(radiance, net, cover * 0.9);
            }
        });
        Hit {
            radiance,
            depth: best_t,
        }
    }

    fn goal_frames(
        &self,
        origin: &Vector3<f32>,
        dir: &Vector3<f32>,
        consider: &mut impl FnMut(f32, Surface),
    ) {
        let gh = self.pitch.goal_height as f32;
        let half = self.pitch.goal_width as f32 / 2.0 + POST_RADIUS;
        for side in [-1.0f32, 1.0] {
            let x = side * (self.hl - POST_RADIUS);
            for post_y in [-half, half] {
                if let Some(t) = ray_cylinder(
                    (origin.x, origin.y),
                    (dir.x, dir.y),
                    (x, post_y),
                    POST_RADIUS,
                ) {
                    let z = origin.z + dir.z * t;
                    if (0.0..=gh + 2.0 * POST_RADIUS).contains(&z) {
                        consider(t, Surface::Frame);
                    }
                }
            }
            if let Some(t) = ray_cylinder(
                (origin.x, origin.z),
                (dir.x, dir.z),
                (x, gh + POST_RADIUS),
                POST_RADIUS,
            ) {
                let y = origin.y + dir.y * t;
                if y.abs() <= half {
                    consider(t, Surface::Frame);
                }
            }
        }
    }

    /// Calls `hit` with the distance and the two in-plane coordinates of every net plane
    /// the ray crosses.
    fn for_each_net_hit(
        &self,
        origin: &Vector3<f32>,
        dir: &Vector3<f32>,
        mut hit: impl FnMut(f32, f32, f32),
    ) {
        let gh = self.pitch.goal_height as f32;
        let half = self.pitch.goal_width as f32 / 2.0;
        for side in [-1.0f32, 1.0] {
            let inner = self.hl;
            let outer = self.hl + NET_DEPTH;
            let within_depth = |x: f32| x * side >= inner && x * side <= outer;
            // Back.
            if dir.x.abs() > 1e-6 {
                let t = (side * outer - origin.x) / dir.x;
                let p = origin + dir * t;
                if t > 0.0 && p.y.abs() <= half && (0.0..=gh).contains(&p.z) {
                    hit(t, p.y, p.z);
                }
            }
            // Roof.
            if dir.z.abs() > 1e-6 {
                let t = (gh - origin.z) / dir.z;
                let p = origin + dir * t;
                if t > 0.0 && p.y.abs() <= half && within_depth(p.x) {
                    hit(t, p.x, p.y);
                }
            }
            // Sides.
            if dir.y.abs() > 1e-6 {
                for y in [-half, half] {
                    let t = (y - origin.y) / dir.y;
                    let p = origin + dir * t;
                    if t > 0.0 && within_depth(p.x) && (0.0..=gh).contains(&p.z) {
                        hit(t, p.x, p.z);
                    }
                }
            }
        }
    }

    fn sky(&self, dir: &Vector3<f32>) -> Rgb {
        let up = dir.z.max(0.0).sqrt();
        let haze = value_noise(dir.x * 8.0, dir.z * 20.0, 1.0, self.seed ^ 0x5) * 0.08;
        mix([0.85, 0.90, 0.95], [0.40, 0.58, 0.88], up.min(1.0)).map(|c| c * (1.15 + haze))
    }

    fn shade(&self, surface: Surface, p: &Vector3<f32>, dir: &Vector3<f32>) -> Rgb {
        match surface {
            Surface::Ground => scale(self.ground_albedo(p.x, p.y), self.ground_light()),
            Surface::Frame => scale([0.85, 0.85, 0.85], self.light(&-dir)),
            Surface::Board { along, up, normal } => {
                let panel = (along / 6.0).floor() as i32;
                let palette: [Rgb; 6] = [
                    [0.02, 0.05, 0.30],
                    [0.55, 0.03, 0.03],
                    [0.02, 0.02, 0.02],
                    [0.03, 0.25, 0.08],
                    [0.70, 0.45, 0.02],
                    [0.70, 0.70, 0.70],
                ];
                let base = palette[(cell_noise(panel, 3, self.seed) * 6.0) as usize % 6];
                let letters = if base[0] + base[1] + base[2] > 1.5 {
                    [0.05, 0.05, 0.05]
                } else {
                    [0.8, 0.8, 0.8]
                };
                // Lettering: blocks along the middle of the panel.
                let u = along.rem_euclid(6.0);
                let glyph = ((u * 2.2).floor() as i32, panel);
                let in_text = (0.8..5.2).contains(&u)
                    && (0.25..0.7).contains(&up)
                    && (u * 2.2).fract() < 0.72
                    && cell_noise(glyph.0, glyph.1, self.seed ^ 0x77) > 0.15;
                let albedo = if in_text { letters } else { base };
                let lit = self.light(&normal).min(self.ground_light() * 1.1);
                scale(albedo, lit)
            }
            Surface::Surround { along } => self.surround(along, p.z),
        }
    }

    /// Trees and buildings beyond the ground; above them, the sky.
    fn surround(&self, along: f32, z: f32) -> Rgb {
        let seed = self.seed;
        let block = (along / 22.0).floor() as i32;
        let building = cell_noise(block, 9, seed) < 0.22;
        if building {
            let height = 6.0 + 7.0 * cell_noise(block, 10, seed);
            if z < height {
                let wall = mix(
                    [0.55, 0.52, 0.48],
                    [0.35, 0.22, 0.16],
                    cell_noise(block, 11, seed),
                );
                let window = (along.rem_euclid(3.0) < 1.4) && (z.rem_euclid(3.2) > 1.2) && z > 1.0;
                let albedo = if window { [0.06, 0.07, 0.09] } else { wall };
                return scale(albedo, AMBIENT + 0.45);
            }
        } else {
            let crown = 8.0
                + 6.0 * fractal_noise(along, 0.0, 9.0, seed ^ 0x4242)
                + 2.0 * value_noise(along, 0.0, 1.2, seed ^ 0x4343);
            if z < crown {
                let leaves = fractal_noise(along, z, 0.9, seed ^ 0x2121);
                let season = fractal_noise(along, 0.0, 30.0, seed ^ 0x3131);
                let green: Rgb = [0.04, 0.09, 0.025];
                let autumn: Rgb = [0.30, 0.11, 0.025];
                let mut albedo = mix(green, autumn, (season * 1.3 - 0.2).clamp(0.0, 1.0));
                albedo = scale(albedo, 0.5 + leaves);
                if z < 2.2 {
                    // Trunks and a fence in the shade under the trees.
                    albedo = if along.rem_euclid(2.5) < 0.08 {
                        [0.25, 0.25, 0.25]
                    } else {
                        [0.06, 0.065, 0.06]
                    };
                }
                return scale(albedo, AMBIENT + 0.5);
            }
        }
        self.sky(&Vector3::new(0.0, 1.0, ((z - 8.0) / 60.0).max(0.0)).normalize())
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Surface {
    Ground,
    Frame,
    Board {
        along: f32,
        up: f32,
        normal: Vector3<f32>,
    },
    Surround {
        along: f32,
    },
}

/// Fraction of a net cell covered by strings along one in-plane coordinate.
fn mesh_coverage(s: f32) -> f32 {
    if (s / NET_MESH).fract().abs() * NET_MESH < NET_STRING {
        1.0
    } else {
        0.0
    }
}

/// Nearest positive hit of a ray with an infinite cylinder of radius `r` whose axis
/// passes through `centre` in the plane of the two coordinates the ray's origin and
/// direction are projected on (`(x, y)` for a vertical post, `(x, z)` for a crossbar).
fn ray_cylinder(origin: (f32, f32), dir: (f32, f32), centre: (f32, f32), r: f32) -> Option<f32> {
    let (ou, ov) = (origin.0 - centre.0, origin.1 - centre.1);
    let a = dir.0 * dir.0 + dir.1 * dir.1;
    let b = 2.0 * (ou * dir.0 + ov * dir.1);
    let c = ou * ou + ov * ov - r * r;
    solve_nearest(a, b, c)
}

fn solve_nearest(a: f32, b: f32, c: f32) -> Option<f32> {
    if a < 1e-12 {
        return None;
    }
    let disc = b * b - 4.0 * a * c;
    if disc < 0.0 {
        return None;
    }
    let sq = disc.sqrt();
    let t0 = (-b - sq) / (2.0 * a);
    let t1 = (-b + sq) / (2.0 * a);
    if t0 > 1e-3 {
        Some(t0)
    } else if t1 > 1e-3 {
        Some(t1)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use touchline_core::geometry::Sport;

    #[test]
    fn lines_are_white_and_grass_is_green() {
        let scene = Scene::new(&Sport::Football.pitch(), 1);
        let line = scene.ground_albedo(0.0, 10.0);
        let grass = scene.ground_albedo(20.0, 10.0);
        assert!(line[0] > 0.5 && line[1] > 0.5 && line[2] > 0.5, "{line:?}");
        assert!(
            grass[1] > grass[0] * 1.5 && grass[1] > grass[2] * 2.0,
            "{grass:?}"
        );
    }

    #[test]
    fn a_ray_at_a_post_stops_at_the_post() {
        let scene = Scene::new(&Sport::Football.pitch(), 1);
        let origin = Vector3::new(40.0, 3.72, 1.0);
        let dir = Vector3::new(1.0, 0.0, 0.0);
        let hit = scene.trace(&origin, &dir);
        assert!(
            (hit.depth - (52.5 - 0.12 - 40.0)).abs() < 0.05,
            "depth {}",
            hit.depth
        );
        let sky = scene.trace(&origin, &Vector3::new(0.0, 0.0, 1.0));
        assert!(sky.depth.is_infinite());
    }
}
