//! Rendering what a camera sees.
//!
//! The static scene is traced once per view, supersampled, through the true lens, and
//! kept as a ready I420 picture with a depth map. Every frame starts from a copy of it;
//! shadows, people and the ball are drawn on top by casting the rays of the pixels they
//! cover (so lens distortion, occlusion by goal posts and motion blur come out right),
//! and the sensor's noise is added last.

mod actors;
pub mod scene;
pub mod sensor;
mod texture;
pub mod view;

use std::sync::Arc;

use nalgebra::Vector2;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use touchline_core::geometry::Sensor;
use touchline_core::image::I420Frame;

use crate::ball::BALL_RADIUS;
use crate::engine::Snapshot;
use crate::people::Person;
pub use actors::Coverage;
use actors::{BallPath, Canvas, Figure, Shadow};
use scene::Scene;
use sensor::{NoiseTable, Response};
use view::{RayMap, View};

/// Default supersampling of the static scene per pixel side.
pub const DEFAULT_SUPERSAMPLING: u32 = 2;

/// What one rendered frame covers, for the ground truth.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FrameCoverage {
    /// One entry per person, in id order.
    pub people: Vec<Visibility>,
    /// The ball.
    pub ball: Visibility,
}

/// Where an actor appears in one picture and how much of it can be seen.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Visibility {
    /// Tight box around the actor's pixels, occluded parts included: x0, y0, x1, y1.
    pub bbox: Option<[f32; 4]>,
    /// Fraction of the actor's pixels not hidden by anything in front, 0 to 1.
    pub visible: f32,
}

/// Renders one view of the match.
pub struct Renderer {
    view: View,
    rays: RayMap,
    response: Response,
    noise: Option<NoiseTable>,
    background: I420Frame,
    depth: Vec<f32>,
    ids: Vec<u16>,
    scene: Arc<Scene>,
    shutter: f32,
    seed: u64,
}

impl Renderer {
    /// Prepares a view: traces the static scene with `supersampling`² rays per pixel.
    pub fn new(
        view: View,
        sensor: &Sensor,
        scene: Arc<Scene>,
        supersampling: u32,
        seed: u64,
    ) -> Renderer {
        let size = view.size();
        let rays = RayMap::new(&view);
        let response = Response::new(sensor, size);
        let origin = view.centre().coords.map(|v| v as f32);
        let (width, height) = (size.width as usize, size.height as usize);
        let s = supersampling.max(1) as usize;

        // Radiance per pixel (averaged over sub-samples) and depth at the centre.
        let mut radiance = vec![[0.0f32; 3]; width * height];
        let mut depth = vec![f32::INFINITY; width * height];
        radiance
            .par_chunks_mut(width)
            .zip(depth.par_chunks_mut(width))
            .enumerate()
            .for_each(|(y, (rad_row, depth_row))| {
                for x in 0..width {
                    let mut sum = [0.0f32; 3];
                    let mut n = 0.0;
                    for k in 0..s * s {
                        let sx = x as f32 - 0.5 + ((k % s) as f32 + 0.5) / s as f32;
                        let sy = y as f32 - 0.5 + ((k / s) as f32 + 0.5) / s as f32;
                        if let Some(dir) = rays.at(sx, sy) {
                            let hit = scene.trace(&origin, &dir.normalize());
                            for (total, r) in sum.iter_mut().zip(hit.radiance) {
                                *total += r;
                            }
                            n += 1.0;
                        }
                    }
                    if n > 0.0 {
                        rad_row[x] = sum.map(|v| v / n);
                    }
                    if let Some(dir) = rays.at(x as f32, y as f32) {
                        depth_row[x] = scene.trace(&origin, &dir.normalize()).depth;
                    }
                }
            });
        let background = encode_i420(&radiance, width, height, &response);
        let noise =
            (sensor.noise_sigma > 0.0).then(|| NoiseTable::new(sensor.noise_sigma as f32, seed));
        Renderer {
            view,
            rays,
            response,
            noise,
            background,
            depth,
            ids: vec![0; width * height],
            scene,
            shutter: sensor.shutter_s as f32,
            seed,
        }
    }

    /// The view.
    pub fn view(&self) -> &View {
        &self.view
    }

    /// The static scene alone, as this view sees it, without noise.
    pub fn background(&self) -> &I420Frame {
        &self.background
    }

    /// Renders the match at the instant of `snapshot`; `frame` numbers the noise.
    pub fn render(
        &mut self,
        people: &[Person],
        snapshot: &Snapshot,
        frame: u64,
    ) -> (I420Frame, FrameCoverage) {
        let mut picture = self.background.clone();
        let size = self.view.size();
        let (width, height) = (size.width as usize, size.height as usize);
        let origin = self.view.centre().coords.map(|v| v as f32);
        let canvas = Canvas {
            view: &self.view,
            origin,
            rays: &self.rays,
            depth: &self.depth,
            width,
            height,
            response: &self.response,
            scene: &self.scene,
        };
        let sun = self.scene.sun();
        let shadow_dir = Vector2::new(-sun.x, -sun.y).normalize();
        let shadow_stretch = sun.z.atan2(sun.xy().norm()).tan().recip();
        let figures: Vec<Figure> = people
            .iter()
            .zip(&snapshot.people)
            .map(|(person, state)| Figure {
                ground: state.position.map(|v| v as f32),
                height: person.height as f32,
                velocity: state.velocity.map(|v| v as f32),
                gait_phase: state.gait_phase as f32,
                kit: person.kit,
                skin: person.skin,
                hair: person.hair,
            })
            .collect();
        let ball_centre = snapshot.ball.position.map(|v| v as f32);
        let ball_velocity = snapshot.ball.velocity.map(|v| v as f32);
        let half_shutter = ball_velocity * (self.shutter / 2.0);
        let ball = BallPath {
            start: ball_centre - half_shutter,
            end: ball_centre + half_shutter,
            radius: BALL_RADIUS as f32,
        };

        // Shadows first: they lie on the ground under everything.
        {
            let planes = picture.planes_mut();
            let (luma, cb, cr) = planes;
            for f in &figures {
                let length = f.height * shadow_stretch;
                let shadow = Shadow {
                    centre: f.ground + shadow_dir * (length / 2.0),
                    along: shadow_dir,
                    half_length: length / 2.0 + 0.1,
                    half_width: 0.22,
                    strength: 1.0,
                };
                actors::draw_shadow(&canvas, &shadow, (&mut *luma, &mut *cb, &mut *cr));
            }
            let z = ball_centre.z - BALL_RADIUS as f32;
            let shadow = Shadow {
                centre: ball_centre.xy() + shadow_dir * (z * shadow_stretch),
                along: shadow_dir,
                half_length: BALL_RADIUS as f32 * (1.0 + 0.05 * z) * 1.5,
                half_width: BALL_RADIUS as f32 * (1.0 + 0.05 * z),
                strength: 1.0 / (1.0 + 0.3 * z),
            };
            actors::draw_shadow(&canvas, &shadow, (luma, cb, cr));
        }

        // Then the actors, farthest first, so nearer ones hide them.
        let ball_id = figures.len();
        let mut order: Vec<(f32, usize)> = figures
            .iter()
            .enumerate()
            .map(|(i, f)| ((f.ground - origin.xy()).norm(), i))
            .collect();
        order.push(((ball_centre - origin).norm(), ball_id));
        order.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut coverage = vec![Coverage::default(); figures.len() + 1];
        {
            let (luma, cb, cr) = picture.planes_mut();
            for &(_, k) in &order {
                let id = k as u16 + 1;
                coverage[k] = if k == ball_id {
                    actors::draw_ball(
                        &canvas,
                        &ball,
                        (&mut *luma, &mut *cb, &mut *cr),
                        &mut self.ids,
                        id,
                    )
                } else {
                    actors::draw_figure(
                        &canvas,
                        &figures[k],
                        (&mut *luma, &mut *cb, &mut *cr),
                        &mut self.ids,
                        id,
                    )
                };
            }
        }

        // Who is still visible: count each actor's pixels left in the id buffer, then
        // clear the buffer where it was written.
        let visibility: Vec<Visibility> = coverage
            .iter()
            .enumerate()
            .map(|(k, c)| {
                let Some(b) = c.bbox else {
                    return Visibility::default();
                };
                let id = k as u16 + 1;
                let (x0, y0) = (b[0] as usize, b[1] as usize);
                let (x1, y1) = ((b[2] as usize).min(width), (b[3] as usize).min(height));
                let mut seen = 0u32;
                for y in y0..y1 {
                    for x in x0..x1 {
                        if self.ids[y * width + x] == id {
                            seen += 1;
                        }
                    }
                }
                Visibility {
                    bbox: Some(b),
                    visible: if c.pixels > 0 {
                        (seen as f32 / c.pixels as f32).min(1.0)
                    } else {
                        0.0
                    },
                }
            })
            .collect();
        for c in &coverage {
            if let Some(b) = c.bbox {
                // Drawing may mark pixels a few outside the tight box; clear generously.
                let x0 = (b[0] as usize).saturating_sub(4);
                let y0 = (b[1] as usize).saturating_sub(4);
                let x1 = (b[2] as usize + 4).min(width);
                let y1 = (b[3] as usize + 4).min(height);
                for y in y0..y1 {
                    self.ids[y * width + x0..y * width + x1].fill(0);
                }
            }
        }

        if let Some(noise) = &self.noise {
            let mut rng =
                ChaCha8Rng::seed_from_u64(self.seed ^ frame.wrapping_mul(0x9e37_79b9_7f4a_7c15));
            let (luma, cb, cr) = picture.planes_mut();
            noise.apply(luma, width, false, &mut rng);
            noise.apply(cb, width / 2, true, &mut rng);
            noise.apply(cr, width / 2, true, &mut rng);
        }
        let mut people_visibility = visibility;
        let ball_visibility = people_visibility.pop().unwrap_or_default();
        (
            picture,
            FrameCoverage {
                people: people_visibility,
                ball: ball_visibility,
            },
        )
    }
}

/// Encodes per-pixel radiance through the sensor into I420 (chroma averaged over 2×2).
fn encode_i420(
    radiance: &[[f32; 3]],
    width: usize,
    height: usize,
    response: &Response,
) -> I420Frame {
    let size = touchline_core::geometry::ImageSize {
        width: width as u32,
        height: height as u32,
    };
    let mut frame = I420Frame::filled(size, [16, 128, 128]);
    let (luma, cb, cr) = frame.planes_mut();
    luma.par_chunks_mut(2 * width)
        .zip(cb.par_chunks_mut(width / 2))
        .zip(cr.par_chunks_mut(width / 2))
        .enumerate()
        .for_each(|(by, ((luma_rows, cb_row), cr_row))| {
            for bx in 0..width / 2 {
                let (mut u, mut v) = (0.0, 0.0);
                for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                    let (x, y) = (2 * bx + dx, 2 * by + dy);
                    let yuv = response.yuv(radiance[y * width + x], x as f32, y as f32);
                    luma_rows[dy * width + x] = yuv[0].round().clamp(0.0, 255.0) as u8;
                    u += yuv[1] / 4.0;
                    v += yuv[2] / 4.0;
                }
                cb_row[bx] = u.round().clamp(0.0, 255.0) as u8;
                cr_row[bx] = v.round().clamp(0.0, 255.0) as u8;
            }
        });
    frame
}
