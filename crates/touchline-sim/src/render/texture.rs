//! Procedural textures: hashed value noise in world coordinates, so that a texture
//! looks the same from every camera and at every frame.

/// A hash of two integer lattice coordinates and a seed to [0, 1).
#[inline]
fn hash(x: i32, y: i32, seed: u32) -> f32 {
    let mut h = (x as u32).wrapping_mul(0x8da6_b343)
        ^ (y as u32).wrapping_mul(0xd816_3841)
        ^ seed.wrapping_mul(0xcb1a_b31f);
    h ^= h >> 13;
    h = h.wrapping_mul(0x5bd1_e995);
    h ^= h >> 15;
    (h & 0x00ff_ffff) as f32 / 16_777_216.0
}

/// Smooth value noise in [0, 1) with features about `scale` metres apart.
#[inline]
pub fn value_noise(x: f32, y: f32, scale: f32, seed: u32) -> f32 {
    let (x, y) = (x / scale, y / scale);
    let (xi, yi) = (x.floor(), y.floor());
    let (fx, fy) = (x - xi, y - yi);
    let (xi, yi) = (xi as i32, yi as i32);
    let sx = fx * fx * (3.0 - 2.0 * fx);
    let sy = fy * fy * (3.0 - 2.0 * fy);
    let a = hash(xi, yi, seed);
    let b = hash(xi + 1, yi, seed);
    let c = hash(xi, yi + 1, seed);
    let d = hash(xi + 1, yi + 1, seed);
    let top = a + (b - a) * sx;
    let bottom = c + (d - c) * sx;
    top + (bottom - top) * sy
}

/// Three octaves of value noise, in [0, 1).
#[inline]
pub fn fractal_noise(x: f32, y: f32, scale: f32, seed: u32) -> f32 {
    (value_noise(x, y, scale, seed) * 0.57
        + value_noise(x, y, scale * 0.43, seed ^ 0x9e37) * 0.29
        + value_noise(x, y, scale * 0.19, seed ^ 0x7f4a) * 0.14)
        .clamp(0.0, 0.999)
}

/// A white-noise value in [0, 1) for a lattice cell, for features like board panels.
#[inline]
pub fn cell_noise(x: i32, y: i32, seed: u32) -> f32 {
    hash(x, y, seed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noise_is_continuous_and_in_range() {
        let mut prev = value_noise(0.0, 0.3, 1.0, 1);
        for i in 1..1000 {
            let v = value_noise(i as f32 * 0.01, 0.3, 1.0, 1);
            assert!((0.0..1.0).contains(&v));
            assert!((v - prev).abs() < 0.05, "jump at {i}");
            prev = v;
        }
    }
}
