//! AVX2 versions of the single-channel bilinear kernels, eight samples at a time: row
//! loads and byte shuffles fetch the eight 2×2 footprints where they lie close together
//! (nearly always: the warps are smooth), two gathers where they do not, and the
//! arithmetic is the scalar kernel's, lane by lane, so the results are bit-identical
//! (tests check).
//!
//! Every function here requires AVX2 ([`avx2_available`]) and footprints that are
//! inside the plane when read as 4-byte words.

use std::arch::x86_64::*;
use std::sync::OnceLock;

use super::frame::Plane;
use super::kernel::{Tap, LINE_BITS, SUBPIXEL_BITS};

/// Whether this processor has AVX2 (checked once).
pub(crate) fn avx2_available() -> bool {
    static AVX2: OnceLock<bool> = OnceLock::new();
    *AVX2.get_or_init(|| is_x86_feature_detected!("avx2"))
}

/// Whether positions (1/2^16 sample) need no clamping and their footprints, read as
/// two 4-byte words, lie inside the plane's bytes.
pub(crate) fn points_are_inside(plane: &Plane, points: &[(i32, i32)]) -> bool {
    let max_x = ((plane.width as i64 - 1) << LINE_BITS) - 1;
    let max_y = ((plane.height as i64 - 1) << LINE_BITS) - 1;
    let mut far = (0, 0);
    for &(x, y) in points {
        if !((0..=max_x).contains(&(x as i64)) && (0..=max_y).contains(&(y as i64))) {
            return false;
        }
        far = (far.0.max(x >> LINE_BITS), far.1.max(y >> LINE_BITS));
    }
    // The largest anchor in each axis bounds every offset read between the points.
    far.1 as usize * plane.stride + far.0 as usize + plane.stride + 4 <= plane.data.len()
}

/// Bilinear interpolation of eight samples anchored at columns `x` and rows `y`
/// (byte offsets `offset`) with fractions `fx`, `fy` (0..=255), scaled by 2^16 as
/// [`super::kernel::bilinear`].
///
/// # Safety
/// AVX2; every `offset + 4` and `offset + stride + 4` within the plane's bytes.
#[target_feature(enable = "avx2")]
#[inline]
pub(crate) unsafe fn bilinear8(
    plane: &Plane,
    anchors: Anchors8,
    fx: __m256i,
    fy: __m256i,
) -> __m256i {
    let full = _mm256_set1_epi32(256);
    let (top, bottom) = footprints8(plane, anchors);
    // Horizontal weights as 16-bit pairs (256 − fx, fx): one multiply-add per row
    // interpolates the row's two samples, which `footprints8` gives as 16-bit pairs.
    let wx = _mm256_or_si256(_mm256_sub_epi32(full, fx), _mm256_slli_epi32::<16>(fx));
    _mm256_add_epi32(
        _mm256_mullo_epi32(_mm256_madd_epi16(top, wx), _mm256_sub_epi32(full, fy)),
        _mm256_mullo_epi32(_mm256_madd_epi16(bottom, wx), fy),
    )
}

/// Eight samples' anchors: column, row and byte offset (`row · stride + column`).
#[derive(Clone, Copy)]
pub(crate) struct Anchors8 {
    pub x: __m256i,
    pub y: __m256i,
    pub offset: __m256i,
    /// The least column and row of the first and last anchors, which the caller knows
    /// as plain integers: taking them out of the vectors would hold up the row loads.
    pub corner: (i32, i32),
}

/// The anchors of eight samples from their columns and rows, and the corner of the
/// first and last (see [`Anchors8::corner`]).
#[target_feature(enable = "avx2")]
#[inline]
pub(crate) unsafe fn anchors8(
    x: __m256i,
    y: __m256i,
    stride: usize,
    corner: (i32, i32),
) -> Anchors8 {
    Anchors8 {
        x,
        y,
        offset: _mm256_add_epi32(_mm256_mullo_epi32(y, _mm256_set1_epi32(stride as i32)), x),
        corner,
    }
}

/// Widest spread of eight neighbouring anchors' columns that one 16-byte load of a row
/// still holds with each anchor's right-hand neighbour.
const LOCAL_SPAN: i32 = 14;

/// The top and bottom rows of eight samples' 2×2 footprints, each row's two samples
/// as a pair of 16-bit lanes (left, right).
///
/// Neighbouring output samples read neighbouring source samples: when the eight
/// anchors lie within [`LOCAL_SPAN`] columns and two rows, three 16-byte row loads
/// and byte shuffles fetch them, far cheaper than gathers; otherwise two gathers do.
///
/// # Safety
/// AVX2; as [`bilinear8`].
#[target_feature(enable = "avx2")]
#[inline]
unsafe fn footprints8(plane: &Plane, a: Anchors8) -> (__m256i, __m256i) {
    let (x0, y0) = a.corner;
    let dx = _mm256_sub_epi32(a.x, _mm256_set1_epi32(x0));
    let dy = _mm256_sub_epi32(a.y, _mm256_set1_epi32(y0));
    // Out of reach: a column before x0 or past the span, a row before y0 or past y0 + 1.
    let zero = _mm256_setzero_si256();
    let outside = _mm256_or_si256(
        _mm256_or_si256(
            _mm256_cmpgt_epi32(zero, dx),
            _mm256_cmpgt_epi32(dx, _mm256_set1_epi32(LOCAL_SPAN)),
        ),
        _mm256_or_si256(
            _mm256_cmpgt_epi32(zero, dy),
            _mm256_cmpgt_epi32(dy, _mm256_set1_epi32(1)),
        ),
    );
    let start = y0 as usize * plane.stride + x0 as usize;
    let base = plane.data.as_ptr();
    if _mm256_testz_si256(outside, outside) == 1
        && start + 2 * plane.stride + 16 <= plane.data.len()
    {
        // SAFETY: the three 16-byte loads end within the plane's bytes (checked above).
        let row = |k: usize| {
            _mm256_broadcastsi128_si256(_mm_loadu_si128(
                base.add(start + k * plane.stride) as *const __m128i
            ))
        };
        let (r0, r1, r2) = (row(0), row(1), row(2));
        // The next output row reads one source row further down, whose start no
        // hardware prefetcher sees coming: ask for it now. (A prefetch never faults;
        // `wrapping_add` keeps the pointer arithmetic defined past the plane.)
        _mm_prefetch::<_MM_HINT_T0>(base.wrapping_add(start + 3 * plane.stride) as *const i8);
        // Per sample the bytes (dx, dx + 1) into the low byte of two 16-bit lanes (the
        // sum cannot carry: dx < 16); a control byte with its high bit set gives zero.
        let control = _mm256_add_epi32(
            _mm256_or_si256(dx, _mm256_slli_epi32::<16>(dx)),
            _mm256_set1_epi32(0x8001_8000_u32 as i32),
        );
        let (s0, s1, s2) = (
            _mm256_shuffle_epi8(r0, control),
            _mm256_shuffle_epi8(r1, control),
            _mm256_shuffle_epi8(r2, control),
        );
        let lower = _mm256_cmpeq_epi32(dy, _mm256_set1_epi32(1));
        return (
            _mm256_blendv_epi8(s0, s1, lower),
            _mm256_blendv_epi8(s1, s2, lower),
        );
    }
    // SAFETY (caller): both words of every footprint are in bounds.
    let top = _mm256_i32gather_epi32::<1>(base as *const i32, a.offset);
    let bottom = _mm256_i32gather_epi32::<1>(base.add(plane.stride) as *const i32, a.offset);
    // The word's first two bytes, spread to 16-bit lanes.
    let spread = |w: __m256i| {
        let pair = _mm256_and_si256(w, _mm256_set1_epi32(0xffff));
        _mm256_and_si256(
            _mm256_or_si256(pair, _mm256_slli_epi32::<8>(pair)),
            _mm256_set1_epi32(0x00ff_00ff),
        )
    };
    (spread(top), spread(bottom))
}

/// Stores eight 32-bit lanes, saturated to 0..=255, as eight bytes.
///
/// # Safety
/// AVX2; `out` has at least eight bytes.
#[target_feature(enable = "avx2")]
#[inline]
pub(crate) unsafe fn store8(out: &mut [u8], v: __m256i) {
    debug_assert!(out.len() >= 8);
    let words = _mm256_packus_epi32(v, v);
    let bytes = _mm256_packus_epi16(words, words);
    let packed = _mm_unpacklo_epi32(
        _mm256_castsi256_si128(bytes),
        _mm256_extracti128_si256::<1>(bytes),
    );
    _mm_storel_epi64(out.as_mut_ptr() as *mut __m128i, packed);
}

/// Eight taps' anchors in a plane of `stride`, fractions and weights.
pub(crate) struct Taps8 {
    pub anchors: Anchors8,
    pub fx: __m256i,
    pub fy: __m256i,
    pub weight: __m256i,
}

/// Loads eight consecutive taps.
///
/// # Safety
/// AVX2; `taps` has at least eight elements.
#[target_feature(enable = "avx2")]
#[inline]
pub(crate) unsafe fn load_taps8(taps: &[Tap], stride: usize) -> Taps8 {
    debug_assert!(taps.len() >= 8);
    // A tap is two 32-bit words: x | y << 16, then fx | fy << 8 | weight << 16.
    let p = taps.as_ptr() as *const __m256i;
    let gather = _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7);
    let a = _mm256_permutevar8x32_epi32(_mm256_loadu_si256(p), gather);
    let b = _mm256_permutevar8x32_epi32(_mm256_loadu_si256(p.add(1)), gather);
    let position = _mm256_permute2x128_si256::<0x20>(a, b);
    let rest = _mm256_permute2x128_si256::<0x31>(a, b);
    let x = _mm256_and_si256(position, _mm256_set1_epi32(0xffff));
    let y = _mm256_srli_epi32::<16>(position);
    let byte = _mm256_set1_epi32(0xff);
    let (first, last) = (taps[0], taps[7]);
    let corner = (first.x.min(last.x) as i32, first.y.min(last.y) as i32);
    Taps8 {
        anchors: anchors8(x, y, stride, corner),
        fx: _mm256_and_si256(rest, byte),
        fy: _mm256_and_si256(_mm256_srli_epi32::<8>(rest), byte),
        weight: _mm256_srli_epi32::<16>(rest),
    }
}

/// Eight consecutive samples of a straight line: their positions (1/2^16 sample),
/// stepped eight samples at a time by additions, wrapping as `i32` arithmetic does.
pub(crate) struct Line8 {
    x: __m256i,
    y: __m256i,
    start: (i32, i32),
    step: (i32, i32),
    /// The first of the eight samples.
    k: i32,
}

impl Line8 {
    /// Samples `0..8` of the line `start + i·step`.
    ///
    /// # Safety
    /// AVX2.
    #[target_feature(enable = "avx2")]
    #[inline]
    pub(crate) unsafe fn new(start: (i32, i32), step: (i32, i32)) -> Line8 {
        let lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
        let along = |s: i32, d: i32| {
            _mm256_add_epi32(
                _mm256_set1_epi32(s),
                _mm256_mullo_epi32(lanes, _mm256_set1_epi32(d)),
            )
        };
        Line8 {
            x: along(start.0, step.0),
            y: along(start.1, step.1),
            start,
            step,
            k: 0,
        }
    }

    /// The anchors (on a plane of `stride` bytes per row) and fractions of the eight
    /// samples.
    ///
    /// # Safety
    /// AVX2.
    #[target_feature(enable = "avx2")]
    #[inline]
    pub(crate) unsafe fn taps(&self, stride: usize) -> (Anchors8, __m256i, __m256i) {
        let shift = |v: __m256i| _mm256_srai_epi32::<{ (LINE_BITS - SUBPIXEL_BITS) as i32 }>(v);
        let (xq, yq) = (shift(self.x), shift(self.y));
        // Lanes 0 and 7 in plain integers, wrapping as the vector lanes do.
        let lane = |s: i32, d: i32, i: i32| s.wrapping_add(d.wrapping_mul(self.k + i)) >> LINE_BITS;
        let (start, step) = (self.start, self.step);
        let corner = (
            lane(start.0, step.0, 0).min(lane(start.0, step.0, 7)),
            lane(start.1, step.1, 0).min(lane(start.1, step.1, 7)),
        );
        let byte = _mm256_set1_epi32(0xff);
        (
            anchors8(
                _mm256_srai_epi32::<{ SUBPIXEL_BITS as i32 }>(xq),
                _mm256_srai_epi32::<{ SUBPIXEL_BITS as i32 }>(yq),
                stride,
                corner,
            ),
            _mm256_and_si256(xq, byte),
            _mm256_and_si256(yq, byte),
        )
    }

    /// Moves on to the next eight samples.
    ///
    /// # Safety
    /// AVX2.
    #[target_feature(enable = "avx2")]
    #[inline]
    pub(crate) unsafe fn advance(&mut self) {
        self.x = _mm256_add_epi32(self.x, _mm256_set1_epi32(self.step.0.wrapping_mul(8)));
        self.y = _mm256_add_epi32(self.y, _mm256_set1_epi32(self.step.1.wrapping_mul(8)));
        self.k += 8;
    }
}

/// Bilinear samples along a straight line, as [`super::kernel::sample_line_scalar`].
///
/// # Safety
/// AVX2; [`points_are_inside`] holds for the line's two ends.
#[target_feature(enable = "avx2")]
pub(crate) unsafe fn bilinear_line(
    plane: &Plane,
    start: (i32, i32),
    step: (i32, i32),
    out: &mut [u8],
) {
    let n = out.len();
    let mut line = Line8::new(start, step);
    let mut k = 0;
    while k + 8 <= n {
        let (anchors, fx, fy) = line.taps(plane.stride);
        let v = bilinear8(plane, anchors, fx, fy);
        store8(
            &mut out[k..],
            _mm256_srli_epi32::<16>(_mm256_add_epi32(v, _mm256_set1_epi32(1 << 15))),
        );
        line.advance();
        k += 8;
    }
    if k < n {
        let kx = start.0.wrapping_add(step.0.wrapping_mul(k as i32));
        let ky = start.1.wrapping_add(step.1.wrapping_mul(k as i32));
        super::kernel::sample_line_scalar::<1>(
            plane,
            super::kernel::Kernel::Bilinear,
            (kx, ky),
            step,
            &mut out[k..],
        );
    }
}
