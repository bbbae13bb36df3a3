//! The camera's sensor: exposure, white balance, vignetting, tone curve and noise, and
//! the conversion to BT.709 Y′CbCr.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use touchline_core::geometry::{ImageSize, Sensor};
use touchline_core::image::rgb_to_yuv;

use super::scene::Rgb;

/// Overall exposure: scene radiance 1 (white in sun) sits just under the knee.
const EXPOSURE: f32 = 0.95;
/// Start of the highlight shoulder of the tone curve (linear).
const KNEE: f32 = 0.8;

/// A sensor's response, ready to apply per pixel.
#[derive(Clone, Debug)]
pub struct Response {
    gain: [f32; 3],
    vignetting: f32,
    cx: f32,
    cy: f32,
    inv_r2: f32,
    noise_sigma: f32,
}

impl Response {
    /// The response of `sensor` over a picture of `size`.
    pub fn new(sensor: &Sensor, size: ImageSize) -> Response {
        let g = sensor.gain as f32 * EXPOSURE;
        let wb = sensor.white_balance.map(|v| v as f32);
        let cx = (size.width as f32 - 1.0) / 2.0;
        let cy = (size.height as f32 - 1.0) / 2.0;
        Response {
            gain: [g * wb[0], g * wb[1], g * wb[2]],
            vignetting: sensor.vignetting as f32,
            cx,
            cy,
            inv_r2: 1.0 / (cx * cx + cy * cy),
            noise_sigma: sensor.noise_sigma as f32,
        }
    }

    /// Gamma-encoded RGB in [0, 1] of the light arriving at pixel (x, y).
    #[inline]
    pub fn encode(&self, radiance: Rgb, x: f32, y: f32) -> Rgb {
        let (dx, dy) = (x - self.cx, y - self.cy);
        let fall_off = 1.0 - self.vignetting * (dx * dx + dy * dy) * self.inv_r2;
        let mut out = [0.0; 3];
        for c in 0..3 {
            let v = radiance[c] * self.gain[c] * fall_off;
            let v = if v < KNEE {
                v.max(0.0)
            } else {
                KNEE + (1.0 - KNEE) * (1.0 - (-(v - KNEE) / (1.0 - KNEE)).exp())
            };
            out[c] = v.powf(1.0 / 2.2);
        }
        out
    }

    /// Y′CbCr (8-bit scale, unrounded) of the light arriving at pixel (x, y).
    #[inline]
    pub fn yuv(&self, radiance: Rgb, x: f32, y: f32) -> [f32; 3] {
        rgb_to_yuv(self.encode(radiance, x, y))
    }

    /// Standard deviation of the luma noise.
    pub fn noise_sigma(&self) -> f32 {
        self.noise_sigma
    }
}

/// Pre-drawn Gaussian noise, read at a random offset for every row of every frame:
/// far cheaper than drawing two million normal numbers per frame, and indistinguishable
/// in the picture.
pub struct NoiseTable {
    luma: Vec<i8>,
    chroma: Vec<i8>,
}

const TABLE_LEN: usize = 1 << 20;

impl NoiseTable {
    /// A table with luma noise of `sigma` levels and chroma noise of half that.
    pub fn new(sigma: f32, seed: u64) -> NoiseTable {
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x6e_6f69_7365);
        let mut gaussian = |s: f32| -> i8 {
            // Box–Muller.
            let u1: f32 = rng.random_range(f32::EPSILON..1.0);
            let u2: f32 = rng.random_range(0.0..1.0);
            let n = (-2.0 * u1.ln()).sqrt() * (std::f32::consts::TAU * u2).cos();
            (n * s).round().clamp(-127.0, 127.0) as i8
        };
        let luma = (0..TABLE_LEN).map(|_| gaussian(sigma)).collect();
        let chroma = (0..TABLE_LEN).map(|_| gaussian(sigma * 0.5)).collect();
        NoiseTable { luma, chroma }
    }

    /// Adds noise to one plane, each row from its own random offset.
    pub fn apply(&self, plane: &mut [u8], width: usize, chroma: bool, rng: &mut ChaCha8Rng) {
        let table = if chroma { &self.chroma } else { &self.luma };
        for row in plane.chunks_exact_mut(width) {
            let start = rng.random_range(0..TABLE_LEN - width);
            for (p, n) in row.iter_mut().zip(&table[start..start + width]) {
                *p = p.saturating_add_signed(*n);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brighter_light_gives_brighter_pixels_and_vignetting_darkens_corners() {
        let size = ImageSize::new(1920, 1080).unwrap();
        let sensor = Sensor {
            vignetting: 0.2,
            ..Sensor::default()
        };
        let r = Response::new(&sensor, size);
        let dim = r.yuv([0.2, 0.2, 0.2], 960.0, 540.0)[0];
        let bright = r.yuv([0.8, 0.8, 0.8], 960.0, 540.0)[0];
        let corner = r.yuv([0.8, 0.8, 0.8], 0.0, 0.0)[0];
        assert!(dim < bright && corner < bright);
        assert!(
            r.yuv([5.0, 5.0, 5.0], 960.0, 540.0)[0] <= 235.5,
            "highlights roll off"
        );
    }
}
