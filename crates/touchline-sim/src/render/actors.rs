//! People, the ball and their shadows, drawn into a frame by casting each pixel's ray
//! at the actor: a person is a camera-facing figure standing on the ground, the ball
//! a sphere smeared along its path while the shutter is open.

use nalgebra::{Vector2, Vector3};

use super::scene::{Rgb, Scene, AMBIENT, SUN};
use super::sensor::Response;
use super::view::{RayMap, View};
use crate::people::Kit;

/// Supersampling of actors per pixel side (2 → four rays per pixel).
const ACTOR_SAMPLES: usize = 2;
/// Light shadows let through: the ground in shade gets only the sky's light.
const SHADOW_DEPTH: f32 = 0.85;

/// Everything a drawing call needs about the view and the static scene.
pub struct Canvas<'a> {
    /// The projection.
    pub view: &'a View,
    /// Centre of projection.
    pub origin: Vector3<f32>,
    /// Viewing rays.
    pub rays: &'a RayMap,
    /// Distance to the first static surface along each pixel's ray.
    pub depth: &'a [f32],
    /// Picture width and height.
    pub width: usize,
    /// Picture height.
    pub height: usize,
    /// The sensor.
    pub response: &'a Response,
    /// The scene (sun).
    pub scene: &'a Scene,
}

/// A pixel rectangle, half-open, with even corners so that it covers whole chroma blocks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rect {
    /// Left column.
    pub x0: usize,
    /// Top row.
    pub y0: usize,
    /// One past the right column.
    pub x1: usize,
    /// One past the bottom row.
    pub y1: usize,
}

impl Canvas<'_> {
    /// The even-aligned pixel rectangle that holds the projections of `points`, padded
    /// and clipped to the picture; `None` when nothing of it is in view.
    pub fn bounds(&self, points: &[Option<nalgebra::Point2<f64>>]) -> Option<Rect> {
        let mut min = Vector2::repeat(f64::INFINITY);
        let mut max = Vector2::repeat(f64::NEG_INFINITY);
        let mut any = false;
        for p in points.iter().flatten() {
            min = min.inf(&p.coords);
            max = max.sup(&p.coords);
            any = true;
        }
        if !any {
            return None;
        }
        let pad = 3.0;
        let x0 = (min.x - pad).floor().max(0.0);
        let y0 = (min.y - pad).floor().max(0.0);
        let x1 = (max.x + pad).ceil().min(self.width as f64);
        let y1 = (max.y + pad).ceil().min(self.height as f64);
        if x0 >= x1 || y0 >= y1 {
            return None;
        }
        let even_down = |v: f64| (v as usize) & !1;
        let even_up = |v: f64, limit: usize| (((v as usize) + 1) & !1).min(limit);
        Some(Rect {
            x0: even_down(x0),
            y0: even_down(y0),
            x1: even_up(x1, self.width),
            y1: even_up(y1, self.height),
        })
    }

    /// The sub-pixel rays of a pixel, `n` × `n` of them.
    #[inline]
    fn sample_rays(&self, x: usize, y: usize, n: usize) -> impl Iterator<Item = Vector3<f32>> + '_ {
        let step = 1.0 / n as f32;
        (0..n * n).filter_map(move |k| {
            let sx = x as f32 - 0.5 + (k % n) as f32 * step + step / 2.0;
            let sy = y as f32 - 0.5 + (k / n) as f32 * step + step / 2.0;
            self.rays.at(sx, sy).map(|r| r.normalize())
        })
    }
}

/// What an actor's drawing covered, for the ground truth.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Coverage {
    /// Tight box around the pixels the actor covers by at least a quarter, occluded or
    /// not: (x0, y0, x1, y1) in pixel coordinates, or `None` if none.
    pub bbox: Option<[f32; 4]>,
    /// Pixels covered by at least half, ignoring anything in front.
    pub pixels: u32,
}

impl Coverage {
    fn add(&mut self, x: usize, y: usize, alpha: f32) {
        if alpha >= 0.25 {
            let (x, y) = (x as f32, y as f32);
            let b = self.bbox.get_or_insert([x, y, x + 1.0, y + 1.0]);
            b[0] = b[0].min(x);
            b[1] = b[1].min(y);
            b[2] = b[2].max(x + 1.0);
            b[3] = b[3].max(y + 1.0);
        }
        if alpha >= 0.5 {
            self.pixels += 1;
        }
    }
}

/// One person as the renderer needs them.
#[derive(Clone, Copy, Debug)]
pub struct Figure {
    /// Feet, on the ground.
    pub ground: Vector2<f32>,
    /// Standing height.
    pub height: f32,
    /// Horizontal velocity.
    pub velocity: Vector2<f32>,
    /// Running-cycle phase, radians.
    pub gait_phase: f32,
    /// Kit.
    pub kit: Kit,
    /// Skin.
    pub skin: Rgb,
    /// Hair.
    pub hair: Rgb,
}

/// The planes of a camera-facing figure.
struct Billboard {
    foot: Vector3<f32>,
    /// Horizontal, towards the camera.
    normal: Vector3<f32>,
    /// Horizontal, to the figure's right in the picture.
    side: Vector3<f32>,
}

impl Billboard {
    fn facing(canvas: &Canvas, ground: Vector2<f32>) -> Billboard {
        let foot = Vector3::new(ground.x, ground.y, 0.0);
        let to_camera = Vector2::new(canvas.origin.x - ground.x, canvas.origin.y - ground.y);
        let n = if to_camera.norm() > 1e-3 {
            to_camera.normalize()
        } else {
            Vector2::new(0.0, -1.0)
        };
        Billboard {
            foot,
            normal: Vector3::new(n.x, n.y, 0.0),
            side: Vector3::new(-n.y, n.x, 0.0),
        }
    }

    /// Distance along the ray and in-plane (u across, v up) coordinates.
    fn hit(&self, origin: &Vector3<f32>, dir: &Vector3<f32>) -> Option<(f32, f32, f32)> {
        let denom = dir.dot(&self.normal);
        if denom.abs() < 1e-6 {
            return None;
        }
        let t = (self.foot - origin).dot(&self.normal) / denom;
        if t <= 0.0 {
            return None;
        }
        let h = origin + dir * t;
        Some((t, (h - self.foot).dot(&self.side), h.z))
    }
}

fn segment_t(p: Vector2<f32>, a: Vector2<f32>, b: Vector2<f32>) -> (f32, f32) {
    let ab = b - a;
    let t = ((p - a).dot(&ab) / ab.norm_squared().max(1e-9)).clamp(0.0, 1.0);
    ((p - (a + ab * t)).norm(), t)
}

/// The figure's albedo at (u, v) metres on its billboard, or `None` off the figure.
/// `swing` is the stride's reach in the picture plane; `lean` the forward lean.
fn figure_albedo(f: &Figure, u: f32, v: f32, swing: f32, lean: f32) -> Option<Rgb> {
    let h = f.height;
    if v < 0.0 || v > h * 1.01 || u.abs() > 0.9 {
        return None;
    }
    let hip = 0.52 * h;
    let shoulder = 0.81 * h;
    // The upper body leans into the run.
    let bend = |v: f32| lean * ((v - hip) / h).max(0.0);
    let s = f.gait_phase.sin();
    let p = Vector2::new(u, v);
    // Head and hair.
    let head_centre = Vector2::new(bend(0.93 * h), 0.93 * h);
    let head_r = 0.062 * h;
    if (p - head_centre).norm() < head_r {
        return Some(if v > head_centre.y + head_r * 0.25 {
            f.hair
        } else {
            f.skin
        });
    }
    // Neck.
    if v > shoulder && v < 0.88 * h && (u - bend(v)).abs() < 0.045 {
        return Some(f.skin);
    }
    // Torso: shoulders a little wider than the waist.
    if v >= hip - 0.02 && v <= shoulder + 0.02 {
        let t = (v - hip) / (shoulder - hip);
        let half_width = 0.14 + 0.05 * t;
        if (u - bend(v)).abs() < half_width {
            return Some(f.kit.shirt);
        }
    }
    // Arms swing against the legs.
    for (side, phase) in [(-1.0f32, s), (1.0, -s)] {
        let root = Vector2::new(bend(shoulder) + side * 0.17, shoulder - 0.02);
        let reach = 0.34 * h;
        let hand = root + Vector2::new(side * 0.05 + phase * swing * 0.6, -reach);
        let (d, t) = segment_t(p, root, hand);
        if d < 0.045 {
            return Some(if t < 0.35 { f.kit.shirt } else { f.skin });
        }
    }
    // Legs.
    for (side, phase) in [(-1.0f32, s), (1.0, -s)] {
        let root = Vector2::new(side * 0.08, hip);
        let foot = Vector2::new(side * 0.09 + phase * swing, 0.0);
        let (d, t) = segment_t(p, root, foot);
        let width = 0.075 - 0.02 * t;
        if d < width {
            return Some(if t < 0.27 {
                f.kit.shorts
            } else if t < 0.5 {
                f.skin
            } else if t < 0.92 {
                f.kit.socks
            } else {
                [0.03, 0.03, 0.03]
            });
        }
    }
    None
}

/// A tile of an actor's colour and coverage, composited into the frame afterwards.
struct Tile {
    rect: Rect,
    radiance: Vec<Rgb>,
    alpha: Vec<f32>,
}

impl Tile {
    /// Keeps the mean radiance of the `hits` of `samples` sub-samples at pixel (x, y).
    fn store(&mut self, x: usize, y: usize, sum: Rgb, hits: f32, samples: f32) {
        if hits > 0.0 {
            let k = (y - self.rect.y0) * (self.rect.x1 - self.rect.x0) + (x - self.rect.x0);
            self.radiance[k] = sum.map(|s| s / hits);
            self.alpha[k] = hits / samples;
        }
    }

    fn new(rect: Rect) -> Tile {
        let n = (rect.x1 - rect.x0) * (rect.y1 - rect.y0);
        Tile {
            rect,
            radiance: vec![[0.0; 3]; n],
            alpha: vec![0.0; n],
        }
    }
}

/// Draws a person; returns what they cover.
pub fn draw_figure(
    canvas: &Canvas,
    figure: &Figure,
    planes: (&mut [u8], &mut [u8], &mut [u8]),
    ids: &mut [u16],
    id: u16,
) -> Coverage {
    let board = Billboard::facing(canvas, figure.ground);
    let speed = figure.velocity.norm();
    let heading = if speed > 0.1 {
        figure.velocity / speed
    } else {
        Vector2::zeros()
    };
    let across = heading.dot(&board.side.xy());
    let swing = (0.065 * speed).min(0.42) * across;
    let lean = (0.03 * speed).min(0.25) * across;
    let h = figure.height;
    // How far the figure reaches sideways: legs below the hip, arms and body above,
    // the head alone at the top.
    let hip = 0.52 * h;
    let neck = 0.86 * h;
    let legs_reach = 0.09 + swing.abs() + 0.075;
    let body_reach = 0.17 + 0.05 + 0.6 * swing.abs() + 0.045 + lean.abs();
    let head_reach = 0.062 * h + lean.abs();
    let half_width = legs_reach.max(body_reach) + 0.05;
    let top = h + 0.05;
    let corners: Vec<_> = [
        (-half_width, 0.0f32),
        (half_width, 0.0),
        (-half_width, top),
        (half_width, top),
    ]
    .iter()
    .map(|&(u, v)| {
        let p = board.foot + board.side * u + Vector3::z() * v;
        canvas_project(canvas, &p)
    })
    .collect();
    let Some(rect) = canvas.bounds(&corners) else {
        return Coverage::default();
    };
    // Shading: a cylinder-like body, lit by the sun and the sky.
    let sun = canvas.scene.sun();
    let sun_front = board.normal.dot(&sun);
    let sun_side = board.side.dot(&sun);
    let mut tile = Tile::new(rect);
    let mut coverage = Coverage::default();
    // The billboard coordinates (u, v) as an affine function of the pixel, from three
    // neighbouring rays at the figure's middle. It skips, with one multiply-add, the
    // pixels clearly off the outline, and places the sub-samples inside a pixel; each
    // pixel's centre still comes from its exact ray through the lens.
    let Some(centre) = canvas_project(canvas, &(board.foot + Vector3::z() * (h / 2.0))) else {
        return Coverage::default();
    };
    let (cx, cy) = (centre.x as f32, centre.y as f32);
    let hit_at = |x: f32, y: f32| -> Option<(f32, f32, f32)> {
        let ray = canvas.rays.at(x, y)?;
        board.hit(&canvas.origin, &ray.normalize())
    };
    let (Some(o), Some(ox), Some(oy)) =
        (hit_at(cx, cy), hit_at(cx + 1.0, cy), hit_at(cx, cy + 1.0))
    else {
        return Coverage::default();
    };
    let (du_dx, dv_dx) = (ox.1 - o.1, ox.2 - o.2);
    let (du_dy, dv_dy) = (oy.1 - o.1, oy.2 - o.2);
    let metres_per_pixel = (du_dx * du_dx + dv_dx * dv_dx).sqrt().max(1e-4);
    // Small figures need anti-aliasing; near ones are big enough without.
    let n = if metres_per_pixel > 0.02 {
        ACTOR_SAMPLES
    } else {
        1
    };
    let offsets: Vec<(f32, f32)> = (0..n * n)
        .map(|k| {
            let step = 1.0 / n as f32;
            let sx = -0.5 + (k % n) as f32 * step + step / 2.0;
            let sy = -0.5 + (k / n) as f32 * step + step / 2.0;
            (du_dx * sx + du_dy * sy, dv_dx * sx + dv_dy * sy)
        })
        .collect();
    let samples = offsets.len() as f32;
    // Generous: the affine estimate drifts a little from the true lens over big figures.
    let margin = 3.0 * metres_per_pixel + 0.02;
    for y in rect.y0..rect.y1 {
        for x in rect.x0..rect.x1 {
            let (px, py) = (x as f32 - cx, y as f32 - cy);
            let u = o.1 + du_dx * px + du_dy * py;
            let v = o.2 + dv_dx * px + dv_dy * py;
            let reach = if v < hip {
                legs_reach
            } else if v < neck {
                body_reach
            } else {
                head_reach
            } + margin;
            if u.abs() > reach || v < -margin || v > h + margin {
                continue;
            }
            let Some((t, u, v)) = hit_at(x as f32, y as f32) else {
                continue;
            };
            let occluded = t > canvas.depth[y * canvas.width + x];
            let mut sum = [0.0f32; 3];
            let (mut hits, mut unoccluded) = (0.0f32, 0.0f32);
            for &(du, dv) in &offsets {
                let (u, v) = (u + du, v + dv);
                let Some(albedo) = figure_albedo(figure, u, v, swing, lean) else {
                    continue;
                };
                unoccluded += 1.0;
                if occluded {
                    continue;
                }
                let theta = (u / 0.25).clamp(-1.0, 1.0) * 1.1;
                let lambert = theta.cos() * sun_front + theta.sin() * sun_side;
                let light = AMBIENT + SUN * (0.85 * lambert.max(0.0) + 0.15 * sun.z);
                for c in 0..3 {
                    sum[c] += albedo[c] * light;
                }
                hits += 1.0;
            }
            coverage.add(x, y, unoccluded / samples);
            tile.store(x, y, sum, hits, samples);
        }
    }
    composite(canvas, &tile, planes, ids, id);
    coverage
}

/// The ball during the shutter: from `start` to `end`.
#[derive(Clone, Copy, Debug)]
pub struct BallPath {
    /// Centre when the shutter opens.
    pub start: Vector3<f32>,
    /// Centre when it closes.
    pub end: Vector3<f32>,
    /// Radius.
    pub radius: f32,
}

/// Draws the ball, blurred along its path; returns what it covers.
pub fn draw_ball(
    canvas: &Canvas,
    ball: &BallPath,
    planes: (&mut [u8], &mut [u8], &mut [u8]),
    ids: &mut [u16],
    id: u16,
) -> Coverage {
    let r = ball.radius;
    let mut points = Vec::new();
    for c in [ball.start, ball.end] {
        for (dx, dy, dz) in [
            (-r, -r, -r),
            (r, r, r),
            (-r, r, -r),
            (r, -r, r),
            (-r, -r, r),
            (r, r, -r),
        ] {
            points.push(canvas_project(canvas, &(c + Vector3::new(dx, dy, dz))));
        }
    }
    let Some(rect) = canvas.bounds(&points) else {
        return Coverage::default();
    };
    // Enough positions along the path that consecutive ones overlap.
    let travel_px = {
        let a = canvas_project(canvas, &ball.start);
        let b = canvas_project(canvas, &ball.end);
        match (a, b) {
            (Some(a), Some(b)) => (a - b).norm() as f32,
            _ => 0.0,
        }
    };
    let positions = (travel_px.ceil() as usize).clamp(1, 16);
    let sun = canvas.scene.sun();
    let mut tile = Tile::new(rect);
    let mut coverage = Coverage::default();
    let total = (ACTOR_SAMPLES * ACTOR_SAMPLES * positions) as f32;
    for y in rect.y0..rect.y1 {
        for x in rect.x0..rect.x1 {
            let static_depth = canvas.depth[y * canvas.width + x];
            let mut sum = [0.0f32; 3];
            let (mut hits, mut unoccluded) = (0.0f32, 0.0f32);
            for dir in canvas.sample_rays(x, y, ACTOR_SAMPLES) {
                for k in 0..positions {
                    let s = if positions == 1 {
                        0.5
                    } else {
                        k as f32 / (positions - 1) as f32
                    };
                    let centre = ball.start + (ball.end - ball.start) * s;
                    let oc = canvas.origin - centre;
                    let b = dir.dot(&oc);
                    let disc = b * b - (oc.norm_squared() - r * r);
                    if disc < 0.0 {
                        continue;
                    }
                    let t = -b - disc.sqrt();
                    if t <= 0.0 {
                        continue;
                    }
                    unoccluded += 1.0;
                    if t > static_depth {
                        continue;
                    }
                    let n = (canvas.origin + dir * t - centre) / r;
                    // A hint of panels on a white ball.
                    let panels = (n.x * 6.0).sin() * (n.y * 6.0).sin() * (n.z * 6.0).sin();
                    let albedo = if panels > 0.55 { 0.3 } else { 0.82 };
                    let light = AMBIENT + SUN * n.dot(&sun).max(0.0);
                    for channel in &mut sum {
                        *channel += albedo * light;
                    }
                    hits += 1.0;
                }
            }
            coverage.add(x, y, unoccluded / total);
            tile.store(x, y, sum, hits, total);
        }
    }
    composite(canvas, &tile, planes, ids, id);
    coverage
}

/// A soft elliptical shadow on the ground.
#[derive(Clone, Copy, Debug)]
pub struct Shadow {
    /// Centre on the ground.
    pub centre: Vector2<f32>,
    /// Unit direction of the long axis.
    pub along: Vector2<f32>,
    /// Half length.
    pub half_length: f32,
    /// Half width.
    pub half_width: f32,
    /// Darkness at the centre, 0 to 1.
    pub strength: f32,
}

/// Darkens the ground under a shadow.
pub fn draw_shadow(canvas: &Canvas, shadow: &Shadow, planes: (&mut [u8], &mut [u8], &mut [u8])) {
    let across = Vector2::new(-shadow.along.y, shadow.along.x);
    let corners: Vec<_> = [(-1.0f32, -1.0f32), (1.0, -1.0), (-1.0, 1.0), (1.0, 1.0)]
        .iter()
        .map(|&(a, b)| {
            let p = shadow.centre
                + shadow.along * (a * shadow.half_length)
                + across * (b * shadow.half_width);
            canvas_project(canvas, &Vector3::new(p.x, p.y, 0.0))
        })
        .collect();
    let Some(rect) = canvas.bounds(&corners) else {
        return;
    };
    // Shade passes only the sky's light; in gamma-encoded values that is this factor.
    let shade = (AMBIENT / canvas.scene.ground_light()).powf(1.0 / 2.2);
    let (luma, cb, cr) = planes;
    let w = canvas.width;
    for by in (rect.y0..rect.y1).step_by(2) {
        for bx in (rect.x0..rect.x1).step_by(2) {
            let mut block = 0.0;
            for (x, y) in [(bx, by), (bx + 1, by), (bx, by + 1), (bx + 1, by + 1)] {
                let mut factor = 1.0;
                if let Some(dir) = canvas.rays.at(x as f32, y as f32) {
                    let dir = dir.normalize();
                    if dir.z < -1e-6 {
                        let t = -canvas.origin.z / dir.z;
                        if t <= canvas.depth[y * w + x] + 0.05 {
                            let g = canvas.origin + dir * t;
                            let d = g.xy() - shadow.centre;
                            let qa = d.dot(&shadow.along) / shadow.half_length;
                            let qb = d.dot(&across) / shadow.half_width;
                            let q = qa * qa + qb * qb;
                            let soft = ((1.0 - q) / 0.4).clamp(0.0, 1.0);
                            factor = 1.0 - SHADOW_DEPTH * shadow.strength * soft * (1.0 - shade);
                        }
                    }
                }
                let p = &mut luma[y * w + x];
                *p = (16.0 + (*p as f32 - 16.0) * factor).round() as u8;
                block += factor / 4.0;
            }
            let c = (by / 2) * (w / 2) + bx / 2;
            cb[c] = (128.0 + (cb[c] as f32 - 128.0) * block).round() as u8;
            cr[c] = (128.0 + (cr[c] as f32 - 128.0) * block).round() as u8;
        }
    }
}

fn canvas_project(canvas: &Canvas, p: &Vector3<f32>) -> Option<nalgebra::Point2<f64>> {
    canvas
        .view
        .project(&nalgebra::Point3::new(p.x as f64, p.y as f64, p.z as f64))
}

/// Blends a tile into the frame: luma per pixel, chroma per 2×2 block with the block's
/// mean coverage, and marks the pixels the actor now owns.
fn composite(
    canvas: &Canvas,
    tile: &Tile,
    planes: (&mut [u8], &mut [u8], &mut [u8]),
    ids: &mut [u16],
    id: u16,
) {
    let (luma, cb, cr) = planes;
    let w = canvas.width;
    let rect = tile.rect;
    let tw = rect.x1 - rect.x0;
    for by in (rect.y0..rect.y1).step_by(2) {
        for bx in (rect.x0..rect.x1).step_by(2) {
            let (mut a_sum, mut cb_sum, mut cr_sum) = (0.0f32, 0.0f32, 0.0f32);
            for (x, y) in [(bx, by), (bx + 1, by), (bx, by + 1), (bx + 1, by + 1)] {
                let k = (y - rect.y0) * tw + (x - rect.x0);
                let a = tile.alpha[k];
                if a <= 0.0 {
                    continue;
                }
                let yuv = canvas.response.yuv(tile.radiance[k], x as f32, y as f32);
                let p = &mut luma[y * w + x];
                *p = (yuv[0] * a + *p as f32 * (1.0 - a))
                    .round()
                    .clamp(0.0, 255.0) as u8;
                a_sum += a;
                cb_sum += a * yuv[1];
                cr_sum += a * yuv[2];
                if a >= 0.5 {
                    ids[y * w + x] = id;
                }
            }
            if a_sum > 0.0 {
                let c = (by / 2) * (w / 2) + bx / 2;
                let keep = 1.0 - a_sum / 4.0;
                cb[c] = (cb[c] as f32 * keep + cb_sum / 4.0)
                    .round()
                    .clamp(0.0, 255.0) as u8;
                cr[c] = (cr[c] as f32 * keep + cr_sum / 4.0)
                    .round()
                    .clamp(0.0, 255.0) as u8;
            }
        }
    }
}
