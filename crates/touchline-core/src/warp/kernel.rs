//! The inner loops: where one output sample reads its source, and bilinear or bicubic
//! interpolation in fixed point.
//!
//! Source positions are 1/256 pixel; interpolation weights are 8-bit (bilinear) or
//! 14-bit (bicubic), so a sample costs a few integer multiplies and no float.

use super::frame::Plane;
#[cfg(target_arch = "x86_64")]
use super::simd;

/// Fractional bits of a source position.
pub const SUBPIXEL_BITS: u32 = 8;
const SUBPIXEL: i32 = 1 << SUBPIXEL_BITS;

/// How output samples are interpolated from the source.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Interpolation {
    /// From the 2×2 nearest samples. Fast; the default.
    #[default]
    Bilinear,
    /// From the 4×4 nearest samples with Keys' cubic (a = −0.5): sharper when zooming in.
    Bicubic,
}

impl Interpolation {
    /// Samples the kernel reaches left of (and above) the one it starts from.
    fn reach_before(self) -> i32 {
        match self {
            Interpolation::Bilinear => 0,
            Interpolation::Bicubic => 1,
        }
    }
    /// Samples the kernel reaches right of (and below) the one it starts from.
    fn reach_after(self) -> i32 {
        match self {
            Interpolation::Bilinear => 1,
            Interpolation::Bicubic => 2,
        }
    }
}

/// Where an output sample reads: the sample at (`x`, `y`) and the fraction (1/256) of
/// the way to the next one in each direction, with a weight the caller gives meaning
/// to (blend and vignetting for the stitcher).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct Tap {
    /// Source column of the interpolation's anchor sample.
    pub x: u16,
    /// Source row of the interpolation's anchor sample.
    pub y: u16,
    /// Fraction towards the next column, 1/256.
    pub fx: u8,
    /// Fraction towards the next row, 1/256.
    pub fy: u8,
    /// A weight in [`WEIGHT_ONE`] units.
    pub weight: u16,
}

/// The fixed-point weight 1.0 of [`Tap::weight`].
pub const WEIGHT_ONE: u16 = 1 << 12;

/// Splits a fixed-point position (1/256 px) into an anchor and fraction, clamped so the
/// kernel's whole footprint lies in `0..len`: within a sample or two of the edge the
/// picture's edge repeats.
#[inline(always)]
pub(crate) fn anchor(pos: i32, len: u32, interpolation: Interpolation) -> (u16, u8) {
    let lo = interpolation.reach_before() * SUBPIXEL;
    let hi = (len as i32 - 1 - interpolation.reach_after()) * SUBPIXEL + SUBPIXEL - 1;
    let pos = pos.clamp(lo, hi.max(lo));
    ((pos >> SUBPIXEL_BITS) as u16, (pos & (SUBPIXEL - 1)) as u8)
}

impl Tap {
    /// The tap for a continuous source position (pixel centres at integers) on a plane
    /// of `width`×`height` samples, clamped to the plane's edge.
    pub fn at(
        x: f64,
        y: f64,
        width: u32,
        height: u32,
        interpolation: Interpolation,
        weight: u16,
    ) -> Tap {
        let to_fixed = |v: f64| (v * SUBPIXEL as f64).round().clamp(-1e9, 1e9) as i32;
        let (ax, fx) = anchor(to_fixed(x), width, interpolation);
        let (ay, fy) = anchor(to_fixed(y), height, interpolation);
        Tap {
            x: ax,
            y: ay,
            fx,
            fy,
            weight,
        }
    }
}

impl Tap {
    /// The tap for a position in 1/2^[`LINE_BITS`] sample, as the line samplers step
    /// them, on a plane of `width`×`height` samples, clamped to the plane's edge.
    pub(crate) fn at_line_position(
        (x, y): (i32, i32),
        width: u32,
        height: u32,
        interpolation: Interpolation,
        weight: u16,
    ) -> Tap {
        let shift = LINE_BITS - SUBPIXEL_BITS;
        let (ax, fx) = anchor(x >> shift, width, interpolation);
        let (ay, fy) = anchor(y >> shift, height, interpolation);
        Tap {
            x: ax,
            y: ay,
            fx,
            fy,
            weight,
        }
    }
}

/// Bilinear interpolation of channel `c` of a `C`-channel plane, scaled by 2^16.
#[inline(always)]
pub fn bilinear<const C: usize>(plane: &Plane, tap: Tap, c: usize) -> u32 {
    let i = tap.y as usize * plane.stride + tap.x as usize * C + c;
    let row0 = &plane.data[i..i + C + 1];
    let row1 = &plane.data[i + plane.stride..i + plane.stride + C + 1];
    let (fx, fy) = (tap.fx as u32, tap.fy as u32);
    let top = row0[0] as u32 * (256 - fx) + row0[C] as u32 * fx;
    let bottom = row1[0] as u32 * (256 - fx) + row1[C] as u32 * fx;
    top * (256 - fy) + bottom * fy
}

/// Keys' cubic weights (a = −0.5) for the four samples around a fraction, 14-bit.
fn cubic_weights(frac: u8) -> [i32; 4] {
    let t = frac as f64 / 256.0;
    let a = -0.5;
    let w = |d: f64| {
        let d = d.abs();
        if d <= 1.0 {
            (a + 2.0) * d * d * d - (a + 3.0) * d * d + 1.0
        } else if d < 2.0 {
            a * d * d * d - 5.0 * a * d * d + 8.0 * a * d - 4.0 * a
        } else {
            0.0
        }
    };
    let raw = [w(1.0 + t), w(t), w(1.0 - t), w(2.0 - t)];
    let mut q = raw.map(|v| (v * 16384.0).round() as i32);
    // Make the weights sum to exactly one so flat areas stay flat.
    q[1] += 16384 - q.iter().sum::<i32>();
    q
}

/// The bicubic weight table, one row per fraction.
pub(crate) struct CubicTable([[i32; 4]; 256]);

impl CubicTable {
    pub(crate) fn new() -> Self {
        let mut table = [[0; 4]; 256];
        for (f, row) in table.iter_mut().enumerate() {
            *row = cubic_weights(f as u8);
        }
        CubicTable(table)
    }
}

/// Bicubic interpolation of channel `c` of a `C`-channel plane, scaled by 2^16 and
/// clamped to the 8-bit range. The tap's anchor must leave one sample before and two
/// after it ([`Tap::at`] with [`Interpolation::Bicubic`] does).
#[inline(always)]
pub(crate) fn bicubic<const C: usize>(
    plane: &Plane,
    table: &CubicTable,
    tap: Tap,
    c: usize,
) -> u32 {
    let wx = &table.0[tap.fx as usize];
    let wy = &table.0[tap.fy as usize];
    let origin = (tap.y as usize - 1) * plane.stride + (tap.x as usize - 1) * C + c;
    let mut sum: i64 = 0;
    for (j, wyj) in wy.iter().enumerate() {
        let row = &plane.data[origin + j * plane.stride..origin + j * plane.stride + 3 * C + 1];
        let h = row[0] as i32 * wx[0]
            + row[C] as i32 * wx[1]
            + row[2 * C] as i32 * wx[2]
            + row[3 * C] as i32 * wx[3];
        sum += h as i64 * *wyj as i64;
    }
    // 28 fractional bits → 16.
    ((sum + (1 << 11)) >> 12).clamp(0, 255 << 16) as u32
}

/// Fractional bits of the positions [`sample_line`] steps along.
pub(crate) const LINE_BITS: u32 = 16;

/// An interpolation ready to run: bicubic carries its weight table.
#[derive(Clone, Copy)]
pub(crate) enum Kernel<'a> {
    Bilinear,
    Bicubic(&'a CubicTable),
}

/// Samples along a polyline in the source: output samples `k·2^shift` to
/// `(k+1)·2^shift` follow the straight line from `points[k]` to `points[k + 1]`
/// (positions in 1/2^16 sample), written as `C`-channel samples into `out`.
/// Positions off the plane read its edge.
pub(crate) fn sample_polyline<const C: usize>(
    plane: &Plane,
    kernel: Kernel,
    points: &[(i32, i32)],
    shift: u32,
    out: &mut [u8],
) {
    let segment = (1usize << shift) * C;
    let step = |k: usize| {
        let (a, b) = (points[k], points[(k + 1).min(points.len() - 1)]);
        ((b.0 - a.0) >> shift, (b.1 - a.1) >> shift)
    };
    #[cfg(target_arch = "x86_64")]
    if C == 1 && matches!(kernel, Kernel::Bilinear) && simd::avx2_available() {
        let segments = out.len().div_ceil(segment);
        // Every position on a segment lies between its end points, so checking the
        // points checks the whole row.
        if simd::points_are_inside(plane, &points[..(segments + 1).min(points.len())]) {
            for (k, pixels) in out.chunks_mut(segment).enumerate() {
                // SAFETY: AVX2 is available, and every position of the line lies where
                // its 2×2 footprint, read as two 4-byte words, is inside `plane.data`.
                unsafe { simd::bilinear_line(plane, points[k], step(k), pixels) };
            }
            return;
        }
    }
    for (k, pixels) in out.chunks_mut(segment).enumerate() {
        sample_line_scalar::<C>(plane, kernel, points[k], step(k), pixels);
    }
}

/// Samples along one straight line, `start + k·step` for output sample `k`: the
/// reference implementation, which the SIMD one must match exactly.
pub(crate) fn sample_line_scalar<const C: usize>(
    plane: &Plane,
    kernel: Kernel,
    start: (i32, i32),
    step: (i32, i32),
    out: &mut [u8],
) {
    let interpolation = match kernel {
        Kernel::Bilinear => Interpolation::Bilinear,
        Kernel::Bicubic(_) => Interpolation::Bicubic,
    };
    let (mut x, mut y) = start;
    for px in out.chunks_exact_mut(C) {
        let tap =
            Tap::at_line_position((x, y), plane.width, plane.height, interpolation, WEIGHT_ONE);
        for (c, v) in px.iter_mut().enumerate() {
            *v = round16(match kernel {
                Kernel::Bilinear => bilinear::<C>(plane, tap, c),
                Kernel::Bicubic(table) => bicubic::<C>(plane, table, tap, c),
            });
        }
        x = x.wrapping_add(step.0);
        y = y.wrapping_add(step.1);
    }
}

/// Rounds a value scaled by 2^16 to 8 bits.
#[inline(always)]
pub fn round16(v: u32) -> u8 {
    ((v + (1 << 15)) >> 16).min(255) as u8
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ramp(width: u32, height: u32) -> Vec<u8> {
        (0..height)
            .flat_map(|y| (0..width).map(move |x| (x * 5 + y * 2) as u8))
            .collect()
    }

    proptest! {
        #[test]
        fn bilinear_reproduces_a_linear_ramp(x in 0.0f64..30.0, y in 0.0f64..20.0) {
            let data = ramp(31, 21);
            let plane = Plane { data: &data, width: 31, height: 21, stride: 31 };
            let tap = Tap::at(x, y, 31, 21, Interpolation::Bilinear, WEIGHT_ONE);
            let got = bilinear::<1>(&plane, tap, 0) as f64 / 65536.0;
            prop_assert!((got - (5.0 * x + 2.0 * y)).abs() < 0.05, "{} vs {}", got, 5.0 * x + 2.0 * y);
        }

        #[test]
        fn bicubic_reproduces_a_linear_ramp(x in 1.0f64..28.0, y in 1.0f64..18.0) {
            let data = ramp(31, 21);
            let plane = Plane { data: &data, width: 31, height: 21, stride: 31 };
            let tap = Tap::at(x, y, 31, 21, Interpolation::Bicubic, WEIGHT_ONE);
            let got = bicubic::<1>(&plane, &CubicTable::new(), tap, 0) as f64 / 65536.0;
            prop_assert!((got - (5.0 * x + 2.0 * y)).abs() < 0.05, "{} vs {}", got, 5.0 * x + 2.0 * y);
        }
    }

    #[test]
    fn polylines_sample_as_the_scalar_reference_does() {
        // A plane with a stride wider than its rows, and lines that run inside it, off
        // its edges and backwards.
        let (w, h, stride) = (200u32, 120u32, 216usize);
        let data: Vec<u8> = (0..stride * h as usize)
            .map(|i| (i * 7919 % 251) as u8)
            .collect();
        let plane = Plane {
            data: &data,
            width: w,
            height: h,
            stride,
        };
        let q = |v: f64| (v * 65536.0) as i32;
        let polylines = [
            vec![
                (q(3.3), q(4.1)),
                (q(20.7), q(6.2)),
                (q(41.0), q(5.9)),
                (q(60.2), q(9.0)),
            ],
            vec![
                (q(150.0), q(100.0)),
                (q(190.0), q(118.5)),
                (q(230.0), q(140.0)),
            ],
            vec![(q(120.0), q(50.0)), (q(100.0), q(40.0)), (q(80.0), q(30.5))],
        ];
        for points in &polylines {
            let n = (points.len() - 1) * 16 - 5;
            let mut fast = vec![0u8; n];
            sample_polyline::<1>(&plane, Kernel::Bilinear, points, 4, &mut fast);
            let mut reference = vec![0u8; n];
            for (k, chunk) in reference.chunks_mut(16).enumerate() {
                let step = (
                    (points[k + 1].0 - points[k].0) >> 4,
                    (points[k + 1].1 - points[k].1) >> 4,
                );
                sample_line_scalar::<1>(&plane, Kernel::Bilinear, points[k], step, chunk);
            }
            assert_eq!(fast, reference, "{points:?}");
        }
    }

    #[test]
    fn integer_positions_read_the_sample_exactly() {
        let data = ramp(8, 6);
        let plane = Plane {
            data: &data,
            width: 8,
            height: 6,
            stride: 8,
        };
        for (x, y) in [(0, 0), (7, 5), (3, 2), (7, 0), (0, 5)] {
            let tap = Tap::at(
                x as f64,
                y as f64,
                8,
                6,
                Interpolation::Bilinear,
                WEIGHT_ONE,
            );
            assert_eq!(
                round16(bilinear::<1>(&plane, tap, 0)),
                data[y * 8 + x],
                "({x}, {y})"
            );
        }
    }

    #[test]
    fn positions_off_the_plane_read_its_edge() {
        let data = ramp(8, 6);
        let plane = Plane {
            data: &data,
            width: 8,
            height: 6,
            stride: 8,
        };
        let tap = Tap::at(-40.0, 100.0, 8, 6, Interpolation::Bilinear, WEIGHT_ONE);
        let v = round16(bilinear::<1>(&plane, tap, 0));
        assert!(v.abs_diff(data[5 * 8]) <= 1, "{v}");
    }

    #[test]
    fn multi_channel_planes_interpolate_each_channel() {
        // Two channels: the first a ramp, the second constant.
        let data: Vec<u8> = (0..16).flat_map(|i| [(i % 4 * 10) as u8, 200]).collect();
        let plane = Plane {
            data: &data,
            width: 4,
            height: 4,
            stride: 8,
        };
        let tap = Tap::at(1.5, 1.0, 4, 4, Interpolation::Bilinear, WEIGHT_ONE);
        assert_eq!(round16(bilinear::<2>(&plane, tap, 0)), 15);
        assert_eq!(round16(bilinear::<2>(&plane, tap, 1)), 200);
    }
}
