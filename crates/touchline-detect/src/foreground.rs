//! Foreground from a background model: what a fixed camera sees that was not there before.
//!
//! The rig never moves, so everything that is not the pitch, the stands or the
//! advertising boards is a player, a referee or the ball. The model keeps, per pixel of
//! the panorama, an estimate of the empty scene and marks the pixels that differ from it.
//!
//! The estimate is a sigma-delta (approximate running median): each update moves the
//! background one level towards the picture. It costs one compare per sample, needs no
//! warm-up buffer, converges to the per-pixel median (so noise and passing players do not
//! bias it), and follows slow light changes. Foreground pixels are updated only every
//! [`ForegroundOptions::foreground_update_every`] frames, so a player standing still
//! fades into the background only after many seconds, while the ghost left where a
//! player stood in the first frame fades at the same slow pace. Where the tracker says
//! someone is, it holds the background ([`BackgroundModel::hold`]): slowed like
//! foreground under people on the move, not learning at all under people standing or
//! walking about one spot, whose feet would otherwise fade in the end.
//!
//! Shadows are not foreground: a pixel darker than the background by a bounded ratio,
//! with its chroma darkened by about the same ratio, is the same surface in less light.

use rayon::prelude::*;
use touchline_core::geometry::ImageSize;
use touchline_core::warp::{Frame, PixelFormat};

use crate::{Error, Result};

/// Weight of a chroma level against a luma level in [`BackgroundModel::is_ghost`]'s
/// contrast (chroma varies over a narrower range than luma).
const GHOST_CHROMA_WEIGHT: i64 = 4;

/// Tuning of the background model.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ForegroundOptions {
    /// Luma difference (levels) above which a pixel is foreground.
    pub luma_threshold: u8,
    /// Chroma difference (sum over Cb and Cr, levels) above which a pixel is foreground.
    pub chroma_threshold: u8,
    /// Foreground pixels move their background one level every this many frames.
    pub foreground_update_every: u32,
    /// A darker pixel whose luma is at least this fraction of the background's and whose
    /// chroma matches the darkened background's is a shadow.
    pub shadow_min_ratio: f32,
}

impl Default for ForegroundOptions {
    fn default() -> Self {
        ForegroundOptions {
            luma_threshold: 20,
            chroma_threshold: 12,
            foreground_update_every: 8,
            shadow_min_ratio: 0.45,
        }
    }
}

/// The rows of each column that may hold something of interest (the pitch and a margin,
/// with room above it for a standing person); everything else is never foreground.
#[derive(Clone, Debug, PartialEq)]
pub struct ColumnSpans {
    /// First row of interest per column.
    pub top: Vec<u32>,
    /// One past the last row of interest per column.
    pub bottom: Vec<u32>,
}

impl ColumnSpans {
    /// Every row of every column.
    pub fn full(size: ImageSize) -> ColumnSpans {
        ColumnSpans {
            top: vec![0; size.width as usize],
            bottom: vec![size.height; size.width as usize],
        }
    }

    fn contains(&self, x: usize, y: u32) -> bool {
        y >= self.top[x] && y < self.bottom[x]
    }
}

/// The region of interest laid out for the per-row kernel: per row, the columns from
/// the first to one past the last of interest, and a per-pixel byte mask (0xFF inside)
/// to AND the foreground with.
struct RegionOfInterest {
    rows: Vec<(usize, usize)>,
    inside: Vec<u8>,
}

impl RegionOfInterest {
    fn new(size: ImageSize, spans: &ColumnSpans) -> RegionOfInterest {
        let (w, h) = (size.width as usize, size.height as usize);
        let mut inside = vec![0u8; w * h];
        let mut rows = vec![(0, 0); h];
        for (y, (row, range)) in inside.chunks_exact_mut(w).zip(rows.iter_mut()).enumerate() {
            let mut first = None;
            let mut last = 0;
            for (x, byte) in row.iter_mut().enumerate() {
                if spans.contains(x, y as u32) {
                    *byte = 0xFF;
                    first.get_or_insert(x);
                    last = x + 1;
                }
            }
            *range = (first.unwrap_or(0), last);
        }
        RegionOfInterest { rows, inside }
    }
}

/// A connected region of foreground pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Blob {
    /// Leftmost column.
    pub x0: u32,
    /// Topmost row.
    pub y0: u32,
    /// One past the rightmost column.
    pub x1: u32,
    /// One past the bottom row.
    pub y1: u32,
    /// Number of foreground pixels.
    pub pixels: u32,
}

impl Blob {
    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.x1 - self.x0
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.y1 - self.y0
    }

    /// The smallest blob holding both.
    pub fn union(&self, other: &Blob) -> Blob {
        Blob {
            x0: self.x0.min(other.x0),
            y0: self.y0.min(other.y0),
            x1: self.x1.max(other.x1),
            y1: self.y1.max(other.y1),
            pixels: self.pixels + other.pixels,
        }
    }
}

/// The background of an I420 panorama and the foreground mask of the latest frame.
pub struct BackgroundModel {
    size: ImageSize,
    roi: RegionOfInterest,
    options: ForegroundOptions,
    luma: Vec<u8>,
    chroma: [Vec<u8>; 2],
    /// 1 where the latest frame is foreground, one byte per pixel.
    mask: Vec<u8>,
    frames: u64,
    /// Regions whose background is held in the next frame, and how.
    held: Vec<(Blob, Hold)>,
}

/// How the background of a region where someone is tracked learns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hold {
    /// At the slow pace of foreground pixels: someone moving through.
    Slowed,
    /// Not at all: someone standing still, whose feet would otherwise fade.
    Frozen,
}

impl BackgroundModel {
    /// A model for frames of `size`, looking only inside `spans`.
    pub fn new(size: ImageSize, spans: ColumnSpans, options: ForegroundOptions) -> Result<Self> {
        if spans.top.len() != size.width as usize || spans.bottom.len() != size.width as usize {
            return Err(Error::Input(format!(
                "the region of interest has {} columns, the picture {}",
                spans.top.len(),
                size.width
            )));
        }
        let n = size.width as usize * size.height as usize;
        let nc = n / 4;
        Ok(BackgroundModel {
            size,
            roi: RegionOfInterest::new(size, &spans),
            options,
            luma: vec![0; n],
            chroma: [vec![128; nc], vec![128; nc]],
            mask: vec![0; n],
            frames: 0,
            held: Vec::new(),
        })
    }

    /// Holds the background of these regions in the next frame: [`Hold::Slowed`] ones
    /// learn only at the slow pace of foreground pixels, whether or not they differ
    /// from it, and [`Hold::Frozen`] ones do not learn. Someone tracked there whose
    /// socks are nearly the grass's colour would otherwise fade into the background a
    /// little more on every frame a pixel of theirs falls under the threshold, until
    /// their legs are gone and their feet are placed metres away along the line of
    /// sight; someone standing still fades even at the slow pace, boots first (faint
    /// against the grass), which the tracker's frozen holds prevent. (The caller bounds
    /// how long a region stays frozen: a ghost that is tracked would never fade.)
    pub fn hold(&mut self, regions: impl IntoIterator<Item = (Blob, Hold)>) {
        let (w, h) = (self.size.width, self.size.height);
        self.held = regions
            .into_iter()
            .map(|(r, hold)| {
                let r = Blob {
                    x0: r.x0.min(w),
                    x1: r.x1.min(w),
                    y0: r.y0.min(h),
                    y1: r.y1.min(h),
                    pixels: 0,
                };
                (r, hold)
            })
            .filter(|(r, _)| r.x0 < r.x1 && r.y0 < r.y1)
            .collect();
    }

    /// Picture size.
    pub fn size(&self) -> ImageSize {
        self.size
    }

    /// The latest foreground mask, row-major, one byte per pixel (1 = foreground).
    pub fn mask(&self) -> &[u8] {
        &self.mask
    }

    /// The background luma, row-major.
    pub fn background_luma(&self) -> &[u8] {
        &self.luma
    }

    /// Frames seen so far.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// Marks the foreground of `frame` (I420, the model's size) and updates the
    /// background. The first frame becomes the background and has no foreground.
    pub fn apply(&mut self, frame: &Frame) -> Result<()> {
        if frame.format != PixelFormat::I420 || frame.size != self.size {
            return Err(Error::Input(format!(
                "the background model takes {}×{} I420 frames, got {}×{} {:?}",
                self.size.width,
                self.size.height,
                frame.size.width,
                frame.size.height,
                frame.format
            )));
        }
        let (w, h) = (self.size.width as usize, self.size.height as usize);
        let (cw, ch) = (w / 2, h / 2);
        let [py, pu, pv] = [&frame.planes[0], &frame.planes[1], &frame.planes[2]];
        if self.frames == 0 {
            for y in 0..h {
                self.luma[y * w..(y + 1) * w].copy_from_slice(&py.data[y * py.stride..][..w]);
            }
            for (plane, bg) in [pu, pv].into_iter().zip(self.chroma.iter_mut()) {
                for y in 0..ch {
                    bg[y * cw..(y + 1) * cw].copy_from_slice(&plane.data[y * plane.stride..][..cw]);
                }
            }
            self.mask.fill(0);
            self.frames = 1;
            return Ok(());
        }
        let update_foreground = self
            .frames
            .is_multiple_of(u64::from(self.options.foreground_update_every.max(1)));
        let mut held = std::mem::take(&mut self.held);
        if update_foreground {
            // Slowed pixels learn on these frames, as foreground ones do.
            held.retain(|(_, hold)| *hold == Hold::Frozen);
        }
        // The columns held in a row.
        let held_in = |y: usize| {
            held.iter()
                .map(|(r, _)| r)
                .filter(move |r| (r.y0 as usize..r.y1 as usize).contains(&y))
                .map(|r| (r.x0 as usize, r.x1 as usize))
        };
        let options = self.options;
        let roi = &self.roi;
        let [bg_u, bg_v] = &mut self.chroma;
        // Two picture rows share a chroma row: work on row pairs, in parallel bands. Each
        // pass below is a plain loop over bytes that the compiler turns into vector code;
        // only the few pixels that differ from the background take the scalar shadow test.
        self.luma
            .par_chunks_mut(2 * w)
            .zip(self.mask.par_chunks_mut(2 * w))
            .zip(bg_u.par_chunks_mut(cw).zip(bg_v.par_chunks_mut(cw)))
            .enumerate()
            .for_each_init(
                || (vec![0u8; w], vec![0u8; cw], Vec::new(), Vec::new()),
                |(chroma_diff, chroma_mask, kept, kept_v), (cy, ((luma, mask), (bu, bv)))| {
                    let u_row = &pu.data[cy * pu.stride..][..cw];
                    let v_row = &pv.data[cy * pv.stride..][..cw];
                    // Chroma difference, spread to both luma columns it covers.
                    for (pair, ((&u, &v), (&b_u, &b_v))) in chroma_diff
                        .chunks_exact_mut(2)
                        .zip(u_row.iter().zip(v_row).zip(bu.iter().zip(bv.iter())))
                    {
                        let d = u.abs_diff(b_u).saturating_add(v.abs_diff(b_v));
                        pair[0] = d;
                        pair[1] = d;
                    }
                    for dy in 0..luma.len() / w {
                        let y = 2 * cy + dy;
                        let (x0, x1) = roi.rows[y];
                        let mask_row = &mut mask[dy * w..(dy + 1) * w];
                        mask_row.fill(0);
                        if x0 >= x1 {
                            continue;
                        }
                        let frame_row = &py.data[y * py.stride..][x0..x1];
                        let bg_row = &mut luma[dy * w..(dy + 1) * w];
                        keep(kept, bg_row, held_in(y));
                        let bg_row = &mut bg_row[x0..x1];
                        let inside = &roi.inside[y * w + x0..y * w + x1];
                        let row = RowPixels {
                            frame: frame_row,
                            u: u_row,
                            v: v_row,
                            bu,
                            bv,
                            x0,
                        };
                        mark_row(
                            &options,
                            &row,
                            bg_row,
                            &chroma_diff[x0..x1],
                            inside,
                            &mut mask_row[x0..x1],
                            update_foreground,
                        );
                        restore(kept, &mut luma[dy * w..(dy + 1) * w], held_in(y));
                    }
                    // Chroma follows when its top-left luma sample does.
                    let top_mask = &mask[..w];
                    let held_chroma = || held_in(2 * cy).map(|(x0, x1)| (x0 / 2, x1.div_ceil(2)));
                    keep(kept, bu, held_chroma());
                    keep(kept_v, bv, held_chroma());
                    // The top row's mask at chroma resolution first, so that the update
                    // below runs over contiguous bytes and compiles to vector code like
                    // the luma pass does.
                    for (m, pair) in chroma_mask.iter_mut().zip(top_mask.chunks_exact(2)) {
                        *m = pair[0];
                    }
                    for ((b_u, b_v), ((&u, &v), &m)) in bu
                        .iter_mut()
                        .zip(bv.iter_mut())
                        .zip(u_row.iter().zip(v_row).zip(chroma_mask.iter()))
                    {
                        let held = (m != 0) & !update_foreground;
                        *b_u = step_towards(*b_u, u, held);
                        *b_v = step_towards(*b_v, v, held);
                    }
                    restore(kept, bu, held_chroma());
                    restore(kept_v, bv, held_chroma());
                },
            );
        self.frames += 1;
        Ok(())
    }

    /// The connected regions (8-neighbourhood) of the latest foreground mask with at
    /// least `min_pixels` pixels, top to bottom.
    pub fn blobs(&self, min_pixels: u32) -> Vec<Blob> {
        connected_regions(
            &self.mask,
            self.size.width as usize,
            self.size.height as usize,
            min_pixels,
        )
    }

    /// Whether a region is a ghost: something that was in the background and has gone
    /// (a player standing in the first frame, who has since run off). Across the
    /// region's outline a real object contrasts with its surroundings in the picture;
    /// a ghost contrasts in the background and not in the picture.
    ///
    /// Contrast counts colour as well as brightness, each chroma level as
    /// [`GHOST_CHROMA_WEIGHT`] luma levels: a kit often differs from the grass more in
    /// colour than in brightness, and on brightness alone the ghosts of people who
    /// stood still at the start were often kept and tracked as people.
    pub fn is_ghost(&self, frame: &Frame, blob: &Blob) -> bool {
        let w = self.size.width as usize;
        let cw = w / 2;
        let [py, pu, pv] = [&frame.planes[0], &frame.planes[1], &frame.planes[2]];
        let (mut in_picture, mut in_background) = (0i64, 0i64);
        for y in blob.y0 as usize..blob.y1 as usize {
            for x in blob.x0 as usize..blob.x1 as usize {
                if self.mask[y * w + x] == 0 {
                    continue;
                }
                // Outline pixels: a neighbour to the side that is not foreground.
                for nx in [x.wrapping_sub(1), x + 1] {
                    if nx >= w || self.mask[y * w + nx] != 0 {
                        continue;
                    }
                    in_picture += (py.data[y * py.stride + x] as i64
                        - py.data[y * py.stride + nx] as i64)
                        .abs();
                    in_background +=
                        (self.luma[y * w + x] as i64 - self.luma[y * w + nx] as i64).abs();
                    let (c, cn) = ((y / 2) * cw + x / 2, (y / 2) * cw + nx / 2);
                    for (plane, bg) in [pu, pv].into_iter().zip(&self.chroma) {
                        let row = &plane.data[(y / 2) * plane.stride..];
                        in_picture +=
                            GHOST_CHROMA_WEIGHT * (row[x / 2] as i64 - row[nx / 2] as i64).abs();
                        in_background += GHOST_CHROMA_WEIGHT * (bg[c] as i64 - bg[cn] as i64).abs();
                    }
                }
            }
        }
        in_background > 2 * in_picture.max(1)
    }

    /// Grows a region down to where its feet are, by hysteresis: below the lowest
    /// foreground pixel of each column, pixels that differ from the background only
    /// faintly (more than half the thresholds) or look like shadow join the region, up
    /// to `max_rows` rows. Legs and boots darker than the grass pass the shadow test and
    /// blur into the grass at the bottom edge, so without this a far person's region
    /// ends 1–4 px above the feet, which is metres of depth there. Only pixels directly
    /// under the region's columns can join, so a shadow cast to the side does not, and
    /// the cap bounds a shadow cast towards the camera. Returns the grown region; the
    /// mask gains the pixels.
    pub fn grow_to_feet(&mut self, frame: &Frame, blob: &Blob, max_rows: u32) -> Blob {
        let (w, h) = (self.size.width as usize, self.size.height as usize);
        let cw = w / 2;
        let [py, pu, pv] = [&frame.planes[0], &frame.planes[1], &frame.planes[2]];
        let luma_faint = i32::from(self.options.luma_threshold / 2);
        let chroma_faint = i32::from(self.options.chroma_threshold / 2);
        let differs = |x: usize, y: usize| {
            let dy = i32::from(py.data[y * py.stride + x]) - i32::from(self.luma[y * w + x]);
            let (cx, cy) = (x / 2, y / 2);
            let du =
                i32::from(pu.data[cy * pu.stride + cx]) - i32::from(self.chroma[0][cy * cw + cx]);
            let dv =
                i32::from(pv.data[cy * pv.stride + cx]) - i32::from(self.chroma[1][cy * cw + cx]);
            dy.abs() > luma_faint || du.abs() + dv.abs() > chroma_faint
        };
        let mut grown = *blob;
        for x in blob.x0 as usize..blob.x1 as usize {
            let Some(lowest) = (blob.y0 as usize..blob.y1 as usize)
                .rev()
                .find(|&y| self.mask[y * w + x] != 0)
            else {
                continue;
            };
            let end = (lowest + 1 + max_rows as usize).min(h);
            // A foreground pixel below belongs to some other region: stop there too.
            for y in lowest + 1..end {
                if self.mask[y * w + x] != 0 || !differs(x, y) {
                    break;
                }
                self.mask[y * w + x] = 1;
                grown.pixels += 1;
                grown.y1 = grown.y1.max(y as u32 + 1);
            }
        }
        grown
    }

    /// Makes the picture inside a region the background at once (for ghosts).
    pub fn absorb(&mut self, frame: &Frame, blob: &Blob) {
        let w = self.size.width as usize;
        let cw = w / 2;
        let [py, pu, pv] = [&frame.planes[0], &frame.planes[1], &frame.planes[2]];
        for y in blob.y0 as usize..blob.y1 as usize {
            for x in blob.x0 as usize..blob.x1 as usize {
                if self.mask[y * w + x] == 0 {
                    continue;
                }
                self.mask[y * w + x] = 0;
                self.luma[y * w + x] = py.data[y * py.stride + x];
                let (cx, cy) = (x / 2, y / 2);
                self.chroma[0][cy * cw + cx] = pu.data[cy * pu.stride + cx];
                self.chroma[1][cy * cw + cx] = pv.data[cy * pv.stride + cx];
            }
        }
    }
}

/// Copies a row's samples in the given column ranges into `kept`.
fn keep(kept: &mut Vec<u8>, row: &[u8], ranges: impl Iterator<Item = (usize, usize)>) {
    kept.clear();
    for (x0, x1) in ranges {
        kept.extend_from_slice(&row[x0..x1]);
    }
}

/// Puts back what [`keep`] copied from the same ranges. (Overlapping ranges were
/// copied before either changed, so either copy is the original.)
fn restore(kept: &mut [u8], row: &mut [u8], ranges: impl Iterator<Item = (usize, usize)>) {
    let mut from = 0;
    for (x0, x1) in ranges {
        row[x0..x1].copy_from_slice(&kept[from..from + x1 - x0]);
        from += x1 - x0;
    }
}

/// One picture row's samples, with the chroma row it shares, from column `x0` on.
struct RowPixels<'a> {
    frame: &'a [u8],
    u: &'a [u8],
    v: &'a [u8],
    bu: &'a [u8],
    bv: &'a [u8],
    x0: usize,
}

/// Marks one row's foreground and moves its background one level towards the picture.
fn mark_row(
    options: &ForegroundOptions,
    row: &RowPixels,
    background: &mut [u8],
    chroma_diff: &[u8],
    inside: &[u8],
    mask: &mut [u8],
    update_foreground: bool,
) {
    let (luma_threshold, chroma_threshold) = (options.luma_threshold, options.chroma_threshold);
    // Pass 1, vectorised: anything that differs by more than noise.
    for ((m, (&f, &b)), (&c, &roi)) in mask
        .iter_mut()
        .zip(row.frame.iter().zip(background.iter()))
        .zip(chroma_diff.iter().zip(inside))
    {
        *m = (((f.abs_diff(b) > luma_threshold) | (c > chroma_threshold)) as u8) & roi;
    }
    // Pass 2, scalar over the few candidates: darker pixels may be shadow.
    for (start, chunk) in mask.chunks_mut(32).enumerate().map(|(i, c)| (i * 32, c)) {
        if chunk.iter().fold(0u8, |a, &m| a | m) == 0 {
            continue;
        }
        for (i, m) in chunk.iter_mut().enumerate() {
            let x = start + i;
            if *m == 0 || row.frame[x] >= background[x] {
                continue;
            }
            let cx = (row.x0 + x) / 2;
            let picture = [row.frame[x], row.u[cx], row.v[cx]];
            let bg = [background[x], row.bu[cx], row.bv[cx]];
            *m = is_foreground(options, picture, bg) as u8;
        }
    }
    // Pass 3, vectorised: the background follows the picture, under foreground only
    // on update frames.
    for ((b, &f), &m) in background.iter_mut().zip(row.frame).zip(mask.iter()) {
        *b = step_towards(*b, f, (m != 0) & !update_foreground);
    }
}

/// One sample moved one level towards a target, unless it is held. Masks rather than
/// branches or selects, so that the loops over rows compile to vector code. (Moving up
/// cannot overflow: the target is above the value; nor moving down underflow.)
#[inline]
fn step_towards(value: u8, target: u8, held: bool) -> u8 {
    let free = u8::from(!held);
    let up = u8::from(target > value) & free;
    let down = u8::from(target < value) & free;
    value.wrapping_add(up).wrapping_sub(down)
}

/// Whether a picture sample (Y, Cb, Cr) differs from its background by more than noise
/// and shadow.
#[inline]
fn is_foreground(options: &ForegroundOptions, picture: [u8; 3], background: [u8; 3]) -> bool {
    let dy = picture[0] as i32 - background[0] as i32;
    let du = picture[1] as i32 - background[1] as i32;
    let dv = picture[2] as i32 - background[2] as i32;
    let chroma = du.abs() + dv.abs();
    if dy.abs() <= options.luma_threshold as i32 && chroma <= options.chroma_threshold as i32 {
        return false;
    }
    if dy < 0 && background[0] > 0 {
        // Darker: a shadow keeps the background's colour at a lower light level. The
        // chroma offsets from grey scale with the light roughly like the luma does.
        let ratio = picture[0] as f32 / background[0] as f32;
        if ratio >= options.shadow_min_ratio {
            let expect_u = 128.0 + (background[1] as f32 - 128.0) * ratio;
            let expect_v = 128.0 + (background[2] as f32 - 128.0) * ratio;
            let off = (picture[1] as f32 - expect_u).abs() + (picture[2] as f32 - expect_v).abs();
            if off <= options.chroma_threshold as f32 {
                return false;
            }
        }
    }
    true
}

/// Connected regions of non-zero bytes in a row-major mask, from runs joined with a
/// union-find: one pass over the pixels, one over the runs.
pub fn connected_regions(mask: &[u8], width: usize, height: usize, min_pixels: u32) -> Vec<Blob> {
    struct Run {
        y: u32,
        x0: u32,
        x1: u32,
    }
    let mut runs: Vec<Run> = Vec::new();
    // Index of the first run of each row, and one past the last.
    let mut row_start = Vec::with_capacity(height + 1);
    for y in 0..height {
        row_start.push(runs.len());
        let row = &mask[y * width..(y + 1) * width];
        let mut x = 0;
        while x < width {
            // Most of a mask is background: skip it sixteen bytes at a time.
            if x + 16 <= width && row[x..x + 16] == [0u8; 16] {
                x += 16;
                continue;
            }
            if row[x] == 0 {
                x += 1;
                continue;
            }
            let start = x;
            while x < width && row[x] != 0 {
                x += 1;
            }
            runs.push(Run {
                y: y as u32,
                x0: start as u32,
                x1: x as u32,
            });
        }
    }
    row_start.push(runs.len());

    let mut parent: Vec<usize> = (0..runs.len()).collect();
    fn find(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    for y in 1..height {
        let (above, here) = (
            row_start[y - 1]..row_start[y],
            row_start[y]..row_start[y + 1],
        );
        let mut a = above.start;
        for r in here {
            // 8-neighbourhood: runs touching diagonally join.
            while a < above.end && runs[a].x1 < runs[r].x0 {
                a += 1;
            }
            let mut k = a;
            while k < above.end && runs[k].x0 <= runs[r].x1 {
                let (ra, rb) = (find(&mut parent, k), find(&mut parent, r));
                if ra != rb {
                    parent[ra.max(rb)] = ra.min(rb);
                }
                k += 1;
            }
        }
    }
    let mut blobs: Vec<Option<Blob>> = vec![None; runs.len()];
    for (i, run) in runs.iter().enumerate() {
        let root = find(&mut parent, i);
        let piece = Blob {
            x0: run.x0,
            y0: run.y,
            x1: run.x1,
            y1: run.y + 1,
            pixels: run.x1 - run.x0,
        };
        blobs[root] = Some(match blobs[root] {
            Some(b) => b.union(&piece),
            None => piece,
        });
    }
    blobs
        .into_iter()
        .flatten()
        .filter(|b| b.pixels >= min_pixels)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame_bytes(size: ImageSize, luma: u8, u: u8, v: u8) -> Vec<u8> {
        let n = (size.width * size.height) as usize;
        let mut data = vec![luma; n];
        data.extend(std::iter::repeat_n(u, n / 4));
        data.extend(std::iter::repeat_n(v, n / 4));
        data
    }

    fn paint(data: &mut [u8], size: ImageSize, rect: (usize, usize, usize, usize), yuv: [u8; 3]) {
        let (w, h) = (size.width as usize, size.height as usize);
        let (x0, y0, x1, y1) = rect;
        for y in y0..y1 {
            for x in x0..x1 {
                data[y * w + x] = yuv[0];
                data[w * h + (y / 2) * (w / 2) + x / 2] = yuv[1];
                data[w * h + w * h / 4 + (y / 2) * (w / 2) + x / 2] = yuv[2];
            }
        }
    }

    /// A model over `spans` whose first frame, and so its background, is `background`.
    fn model_over(
        size: ImageSize,
        spans: ColumnSpans,
        options: ForegroundOptions,
        background: &[u8],
    ) -> BackgroundModel {
        let mut model = BackgroundModel::new(size, spans, options).unwrap();
        model
            .apply(&Frame::packed(PixelFormat::I420, size, background).unwrap())
            .unwrap();
        model
    }

    #[test]
    fn a_figure_on_grass_is_one_blob_and_its_shadow_is_not_foreground() {
        let size = ImageSize::new(64, 48).unwrap();
        let grass = frame_bytes(size, 100, 110, 118);
        let mut model = model_over(
            size,
            ColumnSpans::full(size),
            ForegroundOptions::default(),
            &grass,
        );
        let mut picture = grass.clone();
        // A red shirt over white shorts, and a shadow: the grass at 60 % light.
        paint(&mut picture, size, (20, 10, 26, 20), [90, 100, 190]);
        paint(&mut picture, size, (20, 20, 26, 30), [220, 128, 128]);
        paint(
            &mut picture,
            size,
            (26, 26, 40, 30),
            [60, 128 - 11, 128 - 6],
        );
        model
            .apply(&Frame::packed(PixelFormat::I420, size, &picture).unwrap())
            .unwrap();
        let blobs = model.blobs(4);
        assert_eq!(blobs.len(), 1, "{blobs:?}");
        let b = blobs[0];
        assert_eq!((b.x0, b.y0, b.x1, b.y1), (20, 10, 26, 30));
        assert_eq!(b.pixels, 120);
    }

    #[test]
    fn a_region_grows_down_through_dark_legs_to_the_feet_and_no_further() {
        let size = ImageSize::new(64, 48).unwrap();
        let grass = frame_bytes(size, 100, 110, 118);
        let mut model = model_over(
            size,
            ColumnSpans::full(size),
            ForegroundOptions::default(),
            &grass,
        );
        let mut picture = grass.clone();
        // Shirt and shorts, then dark socks the shadow test takes for shadow (grass at
        // 65 % light), then a boot row blurred into the grass (12 levels darker: under
        // the threshold). The feet stand on row 36; a shadow lies to the right.
        paint(&mut picture, size, (20, 10, 26, 20), [90, 100, 190]);
        paint(&mut picture, size, (20, 20, 26, 26), [220, 128, 128]);
        paint(
            &mut picture,
            size,
            (22, 26, 26, 34),
            [65, 128 - 12, 128 - 6],
        );
        paint(&mut picture, size, (22, 34, 26, 36), [88, 110, 118]);
        paint(
            &mut picture,
            size,
            (26, 30, 44, 36),
            [60, 128 - 11, 128 - 6],
        );
        model
            .apply(&Frame::packed(PixelFormat::I420, size, &picture).unwrap())
            .unwrap();
        let blobs = model.blobs(4);
        assert_eq!(blobs.len(), 1, "{blobs:?}");
        assert_eq!(blobs[0].y1, 26, "the socks alone look like shadow");
        let grown = model.grow_to_feet(
            &Frame::packed(PixelFormat::I420, size, &picture).unwrap(),
            &blobs[0],
            12,
        );
        assert_eq!((grown.x0, grown.y0, grown.x1, grown.y1), (20, 10, 26, 36));
        assert_eq!(grown.pixels, blobs[0].pixels + 4 * 10);
        // The mask agrees: one region down to the feet, the shadow beside it left out.
        assert_eq!(model.blobs(4), vec![grown]);
    }

    #[test]
    fn outside_the_region_of_interest_nothing_is_foreground() {
        let size = ImageSize::new(32, 32).unwrap();
        let grass = frame_bytes(size, 100, 110, 118);
        let mut spans = ColumnSpans::full(size);
        spans.top.iter_mut().for_each(|t| *t = 16);
        let mut model = model_over(size, spans, ForegroundOptions::default(), &grass);
        let mut picture = grass.clone();
        paint(&mut picture, size, (4, 2, 8, 8), [250, 128, 128]);
        paint(&mut picture, size, (20, 20, 24, 28), [250, 128, 128]);
        model
            .apply(&Frame::packed(PixelFormat::I420, size, &picture).unwrap())
            .unwrap();
        let blobs = model.blobs(1);
        assert_eq!(blobs.len(), 1);
        assert_eq!((blobs[0].x0, blobs[0].y0), (20, 20));
    }

    #[test]
    fn where_someone_stood_at_the_start_is_a_ghost_and_where_they_went_is_not() {
        // A shirt as bright as the grass and of another colour stands in the first
        // frame, then runs off: only colour tells either place from the grass.
        let size = ImageSize::new(64, 48).unwrap();
        let grass = frame_bytes(size, 100, 110, 118);
        let shirt = [100, 160, 90];
        let mut start = grass.clone();
        paint(&mut start, size, (10, 10, 16, 30), shirt);
        let mut model = model_over(
            size,
            ColumnSpans::full(size),
            ForegroundOptions::default(),
            &start,
        );
        let mut now = grass.clone();
        paint(&mut now, size, (40, 10, 46, 30), shirt);
        let frame = Frame::packed(PixelFormat::I420, size, &now).unwrap();
        model.apply(&frame).unwrap();
        let blobs = model.blobs(4);
        assert_eq!(blobs.len(), 2, "{blobs:?}");
        let ghosts: Vec<(u32, bool)> = blobs
            .iter()
            .map(|b| (b.x0, model.is_ghost(&frame, b)))
            .collect();
        assert_eq!(ghosts, vec![(10, true), (40, false)]);
    }

    #[test]
    fn a_still_object_fades_into_the_background_and_a_moving_one_does_not() {
        let size = ImageSize::new(32, 32).unwrap();
        let grass = frame_bytes(size, 100, 110, 118);
        let options = ForegroundOptions {
            foreground_update_every: 2,
            ..ForegroundOptions::default()
        };
        let mut model = model_over(size, ColumnSpans::full(size), options, &grass);
        let mut picture = grass.clone();
        paint(&mut picture, size, (10, 10, 14, 18), [140, 110, 118]);
        // 40 levels above, one level every second frame: foreground for ~40 frames.
        for _ in 0..30 {
            model
                .apply(&Frame::packed(PixelFormat::I420, size, &picture).unwrap())
                .unwrap();
        }
        assert_eq!(model.blobs(1).len(), 1);
        for _ in 0..60 {
            model
                .apply(&Frame::packed(PixelFormat::I420, size, &picture).unwrap())
                .unwrap();
        }
        assert!(model.blobs(1).is_empty());
    }

    #[test]
    fn legs_near_the_grass_colour_fade_unless_held_and_standing_legs_unless_frozen() {
        let size = ImageSize::new(32, 32).unwrap();
        let grass = frame_bytes(size, 100, 110, 118);
        let legs = (12, 12, 16, 20);
        // Socks a little lighter than the grass: with noise, 18 levels above on one
        // frame and 24 on the next, just under and just over the threshold of 20.
        let picture = |k: usize| {
            let mut picture = grass.clone();
            let luma = if k.is_multiple_of(2) { 118 } else { 124 };
            paint(&mut picture, size, legs, [luma, 110, 118]);
            picture
        };
        let legs_seen = |held: Option<Hold>, frames: usize| {
            let mut model = model_over(
                size,
                ColumnSpans::full(size),
                ForegroundOptions::default(),
                &grass,
            );
            for k in 0..frames {
                if let Some(hold) = held {
                    let (x0, y0, x1, y1) = legs;
                    let region = Blob {
                        x0: x0 as u32 - 2,
                        y0: y0 as u32 - 2,
                        x1: x1 as u32 + 2,
                        y1: y1 as u32 + 2,
                        pixels: 0,
                    };
                    model.hold([(region, hold)]);
                }
                model
                    .apply(&Frame::packed(PixelFormat::I420, size, &picture(k)).unwrap())
                    .unwrap();
            }
            // The last frame was a light one.
            model.blobs(1).len()
        };
        // Each dark frame moved the background a level towards the socks, until even the
        // light frames were under the threshold.
        assert_eq!(legs_seen(None, 26), 0);
        // Held, the background moved only on every eighth frame.
        assert_eq!(legs_seen(Some(Hold::Slowed), 26), 1);
        // Someone standing there for eight seconds fades even so; frozen, they do not.
        assert_eq!(legs_seen(Some(Hold::Slowed), 200), 0);
        assert_eq!(legs_seen(Some(Hold::Frozen), 200), 1);
    }

    #[test]
    fn diagonal_neighbours_join_and_separate_regions_stay_apart() {
        #[rustfmt::skip]
        let mask = [
            1, 0, 0, 0, 1,
            0, 1, 0, 0, 1,
            0, 0, 0, 0, 0,
            1, 1, 0, 1, 1,
        ];
        let mut blobs = connected_regions(&mask, 5, 4, 1);
        blobs.sort_by_key(|b| (b.y0, b.x0));
        let boxes: Vec<_> = blobs
            .iter()
            .map(|b| (b.x0, b.y0, b.x1, b.y1, b.pixels))
            .collect();
        assert_eq!(
            boxes,
            vec![
                (0, 0, 2, 2, 2),
                (4, 0, 5, 2, 2),
                (0, 3, 2, 4, 2),
                (3, 3, 5, 4, 2)
            ]
        );
    }

    #[test]
    fn frames_of_another_size_are_refused() {
        let size = ImageSize::new(32, 32).unwrap();
        let mut model =
            BackgroundModel::new(size, ColumnSpans::full(size), ForegroundOptions::default())
                .unwrap();
        let other = ImageSize::new(16, 16).unwrap();
        let data = frame_bytes(other, 0, 128, 128);
        let err = model
            .apply(&Frame::packed(PixelFormat::I420, other, &data).unwrap())
            .unwrap_err();
        assert!(err.to_string().contains("32×32"), "{err}");
    }
}
