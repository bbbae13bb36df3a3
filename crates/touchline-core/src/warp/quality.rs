//! Picture quality measures.

use super::frame::Plane;
use crate::error::{Error, Result};

/// Peak signal-to-noise ratio in dB between two single-channel planes of the same
/// size, over the samples where `include(x, y)` holds. Identical planes give infinity.
pub fn psnr(a: &Plane, b: &Plane, include: impl Fn(u32, u32) -> bool) -> Result<f64> {
    if (a.width, a.height) != (b.width, b.height) {
        return Err(Error::invalid(
            "PSNR",
            format!(
                "planes differ in size: {}×{} and {}×{}",
                a.width, a.height, b.width, b.height
            ),
        ));
    }
    let (mut sum, mut n) = (0u64, 0u64);
    for y in 0..a.height {
        let ra = &a.data[y as usize * a.stride..];
        let rb = &b.data[y as usize * b.stride..];
        for x in 0..a.width {
            if include(x, y) {
                let d = ra[x as usize] as i64 - rb[x as usize] as i64;
                sum += (d * d) as u64;
                n += 1;
            }
        }
    }
    if n == 0 {
        return Err(Error::invalid("PSNR", "no samples to compare"));
    }
    let mse = sum as f64 / n as f64;
    Ok(10.0 * (255.0 * 255.0 / mse).log10())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn psnr_of_a_known_error() {
        let a = vec![100u8; 64];
        let mut b = a.clone();
        b[0] = 108; // MSE = 64 / 64 = 1 → 48.13 dB
        let pa = Plane {
            data: &a,
            width: 8,
            height: 8,
            stride: 8,
        };
        let pb = Plane {
            data: &b,
            width: 8,
            height: 8,
            stride: 8,
        };
        assert!((psnr(&pa, &pb, |_, _| true).unwrap() - 48.1308).abs() < 1e-3);
        assert!(psnr(&pa, &pa, |_, _| true).unwrap().is_infinite());
        assert!(psnr(&pa, &pb, |_, _| false).is_err());
    }
}
