//! Stitching two cameras into the rig's panorama through precomputed maps.
//!
//! Every panorama sample looks along its ray from the panorama's centre to the ground
//! (or, above the horizon and far away, to a distant sphere), and reads the cameras
//! that see that point. Mapping through the ground plane rather than through directions
//! removes the parallax of the cameras' few centimetres of baseline on the pitch, where
//! it matters. Where both cameras see a point, a feathered seam blends them, centred
//! where the point is equally far from both pictures' edges. Each camera's vignetting
//! (when the rig knows it) is undone through the map's weights, and the exposure and
//! colour differences between the cameras are measured in the overlap on every frame
//! and evened out, smoothed over time so that the picture does not flicker.

use std::ops::Range;

use nalgebra::{Point2, Point3};
use rayon::prelude::*;

use super::frame::{
    luma_to_plane, plane_to_luma, ChannelKind, ChromaSiting, Frame, FrameMut, PixelFormat, Plane,
    PlaneLayout, PlaneMut,
};
use super::kernel::{bilinear, Interpolation, Tap, LINE_BITS, WEIGHT_ONE};
use crate::error::{Error, Result};
use crate::geometry::{Camera, ImageSize, Panorama, Rig, Sensor};

/// Distance of the sphere that rays which miss the ground nearby are mapped through.
const FAR_DISTANCE_M: f64 = 250.0;
/// The display gamma the cameras encode with: vignetting, a loss of light, scales the
/// encoded values by its 1/γ power.
const GAMMA: f64 = 2.2;
/// Overlap samples used to measure the cameras' differences, per plane.
const GAIN_SAMPLES: usize = 4096;
/// Corrections are bounded: a camera that differs more than this is broken, not
/// mismatched.
const GAIN_RANGE: (f64, f64) = (0.5, 2.0);
const OFFSET_LIMIT: f64 = 40.0;

/// How the stitcher blends and evens out the cameras.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StitchOptions {
    /// Width of the blend across the seam, in source pixels.
    pub feather_px: f64,
    /// Measure and even out exposure and colour differences between the cameras.
    pub compensate: bool,
    /// Weight of the newest frame's measurement in the running correction, (0, 1]:
    /// 1 follows every frame, small values change slowly.
    pub smoothing: f64,
    /// Where chroma samples sit (4:2:0 formats).
    pub siting: ChromaSiting,
}

impl Default for StitchOptions {
    fn default() -> Self {
        StitchOptions {
            feather_px: 48.0,
            compensate: true,
            smoothing: 0.1,
            siting: ChromaSiting::Centre,
        }
    }
}

impl StitchOptions {
    fn validate(&self) -> Result<()> {
        if !(self.feather_px.is_finite() && self.feather_px >= 1.0) {
            return Err(Error::invalid("feather", "must be at least one pixel"));
        }
        if !(self.smoothing > 0.0 && self.smoothing <= 1.0) {
            return Err(Error::invalid("gain smoothing", "must be in (0, 1]"));
        }
        Ok(())
    }
}

/// Which cameras a sample reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Coverage {
    /// No camera sees it: filled with black.
    None,
    /// One camera (index into the rig's cameras).
    One(usize),
    /// Both cameras, blended.
    Both,
}

/// Consecutive samples of one row with the same coverage.
#[derive(Clone, Debug)]
struct Run {
    start: u32,
    len: u32,
    reads: Reads,
}

/// How a run reads its cameras.
#[derive(Clone, Debug, PartialEq)]
enum Reads {
    /// No camera sees it: filled with black.
    Nothing,
    /// One camera (index into the rig's cameras), along straight segments.
    One {
        camera: usize,
        segments: Range<usize>,
    },
    /// Both cameras, blended: `2·len` taps from `first_tap`, the run's left taps, then
    /// its right taps.
    Both {
        first_tap: usize,
        /// Whether every tap's footprint may be read as 4-byte words (for SIMD).
        wide_reads: bool,
    },
}

/// Consecutive samples of a one-camera run whose source positions and weights step
/// evenly, within [`SEGMENT_TOLERANCE_PX`] and [`SEGMENT_TOLERANCE_WEIGHT`] of the exact
/// warp's. The warps are smooth, so a segment spans tens of samples: the kernels read
/// a few bytes per segment instead of a [`Tap`] per sample, which spared most of the
/// memory traffic that bounded the stitcher's speed (the tap table of a 3840×1130
/// panorama is 52 MB, read on every frame).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Segment {
    /// Source position of the first sample, 1/2^16 sample.
    x: i32,
    y: i32,
    /// Its weight, in [`WEIGHT_ONE`]/2^16 units.
    weight: i32,
    /// What each next sample adds to the position and weight.
    dx: i32,
    dy: i32,
    dweight: i32,
    len: u32,
}

/// How far a segment's positions may stray from the exact warp's, in source samples.
const SEGMENT_TOLERANCE_PX: f64 = 1.0 / 32.0;
/// How far its weights may, in [`WEIGHT_ONE`] units.
const SEGMENT_TOLERANCE_WEIGHT: f64 = 1.0;
/// The longest segment, in samples.
const SEGMENT_MAX_LEN: usize = 128;

impl Segment {
    /// Position `i` (1/2^16 sample), wrapping as the SIMD kernel's lanes do.
    fn position(&self, i: u32) -> (i32, i32) {
        let i = i as i32;
        (
            self.x.wrapping_add(self.dx.wrapping_mul(i)),
            self.y.wrapping_add(self.dy.wrapping_mul(i)),
        )
    }

    /// Weight `i` ([`WEIGHT_ONE`]/2^16), wrapping as the SIMD kernel's lanes do.
    fn weight_at(&self, i: u32) -> i32 {
        self.weight
            .wrapping_add(self.dweight.wrapping_mul(i as i32))
    }

    /// The tap of sample `i` on a plane of `width`×`height` samples, clamped to its
    /// edge: the reference the SIMD kernel must match.
    fn tap(&self, i: u32, width: u32, height: u32) -> Tap {
        let weight = (self.weight_at(i) >> LINE_BITS).clamp(0, u16::MAX as i32) as u16;
        Tap::at_line_position(
            self.position(i),
            width,
            height,
            Interpolation::Bilinear,
            weight,
        )
    }

    /// Covers `reads` (one camera's, in order) with segments, each as long as the
    /// tolerances allow.
    fn fit(reads: &[Read], out: &mut Vec<Segment>) {
        // Each read's position and weight in the segments' fixed point.
        let one = (1u32 << LINE_BITS) as f64;
        let q = |v: f64, scale: f64| (v * scale).round().clamp(-1e9, 1e9) as i32;
        let exact: Vec<[i32; 3]> = reads
            .iter()
            .map(|r| {
                [
                    q(r.x, one),
                    q(r.y, one),
                    q(r.weight, one * WEIGHT_ONE as f64),
                ]
            })
            .collect();
        let tolerance = [
            SEGMENT_TOLERANCE_PX * one,
            SEGMENT_TOLERANCE_PX * one,
            SEGMENT_TOLERANCE_WEIGHT * one,
        ];
        let through = |exact: &[[i32; 3]]| {
            let (a, b) = (exact[0], exact[exact.len() - 1]);
            let steps = (exact.len() as i64 - 1).max(1);
            // Truncating the steps keeps every sample between the ends.
            let step = |k: usize| ((b[k] as i64 - a[k] as i64) / steps) as i32;
            Segment {
                x: a[0],
                y: a[1],
                weight: a[2],
                dx: step(0),
                dy: step(1),
                dweight: step(2),
                len: exact.len() as u32,
            }
        };
        let fits = |segment: &Segment, exact: &[[i32; 3]]| {
            exact.iter().enumerate().all(|(i, e)| {
                let (x, y) = segment.position(i as u32);
                [x, y, segment.weight_at(i as u32)]
                    .iter()
                    .zip(e)
                    .zip(tolerance)
                    .all(|((s, e), t)| (*s as i64 - *e as i64).abs() as f64 <= t)
            })
        };
        let mut start = 0;
        while start < exact.len() {
            let left = exact.len() - start;
            // The longest that fits: the rest of the run, else whole groups of eight
            // (for the SIMD kernel), else as short as need be.
            let longest = left.min(SEGMENT_MAX_LEN);
            let segment = std::iter::once(longest)
                .chain((1..=longest / 8).rev().map(|groups| groups * 8))
                .chain([4, 2])
                .filter(|&n| n <= left)
                .map(|n| through(&exact[start..start + n]))
                .find(|s| fits(s, &exact[start..start + s.len as usize]))
                .unwrap_or_else(|| through(&exact[start..start + 1]));
            start += segment.len as usize;
            out.push(segment);
        }
    }
}

/// The map of one output plane.
struct PlaneMap {
    layout: PlaneLayout,
    width: u32,
    height: u32,
    /// Runs of each row.
    rows: Vec<Range<usize>>,
    runs: Vec<Run>,
    /// The segments of the one-camera runs.
    segments: Vec<Segment>,
    /// The taps of the two-camera runs.
    taps: Vec<Tap>,
    /// A sparse grid of overlap samples (left, right) whose weights are vignetting
    /// corrections only, for measuring the cameras' differences.
    overlap: Vec<[Tap; 2]>,
    /// Per row, the first sample the right camera weighs more than the left.
    seam: Vec<Option<u32>>,
}

/// A per-camera, per-channel correction: `base + gain·(v − base) + offset`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ChannelCorrection {
    /// Multiplies the value's distance from its base.
    pub gain: f64,
    /// Added, in 8-bit levels.
    pub offset: f64,
}

impl ChannelCorrection {
    const NONE: ChannelCorrection = ChannelCorrection {
        gain: 1.0,
        offset: 0.0,
    };
}

/// What one sample of one camera looks like to the kernel.
#[derive(Clone, Copy)]
struct Fixed {
    gain: i32,
    offset: i32,
}

/// Stitches the first two cameras of a rig into its panorama.
pub struct Stitcher {
    panorama: Panorama,
    format: PixelFormat,
    camera_sizes: [ImageSize; 2],
    planes: Vec<PlaneMap>,
    options: StitchOptions,
    /// Current correction of each camera, plane and channel.
    corrections: [Vec<Vec<ChannelCorrection>>; 2],
    frames: u64,
}

impl Stitcher {
    /// Builds the maps for `rig`'s panorama from its first two cameras (left, right).
    ///
    /// Fails when the rig has fewer than two cameras, when the pictures are too small,
    /// or when the cameras do not overlap in the panorama (no seam can be placed).
    pub fn new(rig: &Rig, format: PixelFormat, options: StitchOptions) -> Result<Stitcher> {
        options.validate()?;
        let cameras = rig.camera_models()?;
        if cameras.len() < 2 {
            return Err(Error::invalid("rig", "stitching needs two cameras"));
        }
        let pair = [&cameras[0], &cameras[1]];
        let sensors = [rig.cameras[0].sensor, rig.cameras[1].sensor];
        let panorama = rig.panorama;
        for size in [pair[0].size(), pair[1].size(), panorama.size] {
            if size.width < 16 || size.height < 16 {
                return Err(Error::invalid(
                    "picture size",
                    format!("{}×{} is too small to stitch", size.width, size.height),
                ));
            }
        }
        let planes = format
            .planes()
            .iter()
            .map(|layout| build_plane(&panorama, layout, pair, sensors, &options))
            .collect::<Vec<_>>();
        if planes[0].overlap.is_empty() {
            return Err(Error::invalid(
                "rig",
                format!(
                    "cameras '{}' and '{}' do not overlap in the panorama",
                    rig.cameras[0].name, rig.cameras[1].name
                ),
            ));
        }
        let neutral = || {
            format
                .planes()
                .iter()
                .map(|p| vec![ChannelCorrection::NONE; p.channels.len()])
                .collect::<Vec<_>>()
        };
        Ok(Stitcher {
            panorama,
            format,
            camera_sizes: [pair[0].size(), pair[1].size()],
            planes,
            options,
            corrections: [neutral(), neutral()],
            frames: 0,
        })
    }

    /// The panorama this stitcher renders.
    pub fn panorama(&self) -> &Panorama {
        &self.panorama
    }

    /// The pixel format it reads and writes.
    pub fn format(&self) -> PixelFormat {
        self.format
    }

    /// The current correction of camera `camera` (0 left, 1 right), plane and channel.
    pub fn correction(&self, camera: usize, plane: usize, channel: usize) -> ChannelCorrection {
        self.corrections[camera][plane][channel]
    }

    /// Fraction of the panorama's samples that at least one camera sees.
    pub fn coverage(&self) -> f64 {
        let plane = &self.planes[0];
        let seen: u64 = plane
            .runs
            .iter()
            .filter(|r| r.reads != Reads::Nothing)
            .map(|r| r.len as u64)
            .sum();
        seen as f64 / (plane.width as f64 * plane.height as f64)
    }

    /// Per panorama row, the column where the seam lies (the right camera starts to
    /// weigh more), or `None` where the cameras do not overlap.
    pub fn seam(&self) -> &[Option<u32>] {
        &self.planes[0].seam
    }

    /// Stitches one pair of frames into `out`, updating the exposure and colour
    /// correction from this pair first.
    pub fn stitch(&mut self, left: &Frame, right: &Frame, out: &mut FrameMut) -> Result<()> {
        for (name, frame, size) in [
            ("left", left, self.camera_sizes[0]),
            ("right", right, self.camera_sizes[1]),
        ] {
            if frame.size != size || frame.format != self.format {
                return Err(Error::invalid(
                    format!("{name} frame"),
                    format!(
                        "{}×{} {:?}, but the rig's camera is {}×{} and the stitcher expects {:?}",
                        frame.size.width,
                        frame.size.height,
                        frame.format,
                        size.width,
                        size.height,
                        self.format
                    ),
                ));
            }
        }
        if out.size != self.panorama.size || out.format != self.format {
            return Err(Error::invalid(
                "panorama frame",
                format!(
                    "{}×{} {:?}, expected {}×{} {:?}",
                    out.size.width,
                    out.size.height,
                    out.format,
                    self.panorama.size.width,
                    self.panorama.size.height,
                    self.format
                ),
            ));
        }
        if self.options.compensate {
            self.update_corrections(left, right);
        }
        self.frames += 1;
        for (p, (map, dst)) in self.planes.iter().zip(out.planes.iter_mut()).enumerate() {
            let sources = [left.planes[p], right.planes[p]];
            let fixed: [Vec<Fixed>; 2] = [0, 1].map(|cam| {
                self.corrections[cam][p]
                    .iter()
                    .map(|c| Fixed {
                        gain: (c.gain * WEIGHT_ONE as f64).round() as i32,
                        offset: (c.offset * 256.0).round() as i32,
                    })
                    .collect()
            });
            match map.layout.channels.len() {
                1 => stitch_plane::<1>(map, sources, &fixed, dst, SIMD),
                2 => stitch_plane::<2>(map, sources, &fixed, dst, SIMD),
                4 => stitch_plane::<4>(map, sources, &fixed, dst, SIMD),
                n => unreachable!("no format has {n}-channel planes"),
            }
        }
        Ok(())
    }

    /// Measures how the cameras differ in the overlap and moves the corrections towards
    /// evening that out. Light (luma, RGB) is matched by gains that meet at the
    /// geometric mean; chroma, after the luma gain, by offsets that meet half-way.
    fn update_corrections(&mut self, left: &Frame, right: &Frame) {
        let alpha = if self.frames == 0 {
            1.0
        } else {
            self.options.smoothing
        };
        let mut light_gain = [1.0f64; 2];
        for (p, map) in self.planes.iter().enumerate() {
            let (l, r) = (&left.planes[p], &right.planes[p]);
            for (c, kind) in map.layout.channels.iter().enumerate() {
                let base = kind.base() as f64;
                let mut sums = [0.0f64; 2];
                for [tl, tr] in &map.overlap {
                    let vl = sample(l, *tl, map.layout.channels.len(), c);
                    let vr = sample(r, *tr, map.layout.channels.len(), c);
                    sums[0] += (vl - base) * tl.weight as f64 / WEIGHT_ONE as f64;
                    sums[1] += (vr - base) * tr.weight as f64 / WEIGHT_ONE as f64;
                }
                let n = map.overlap.len() as f64;
                let target = match kind {
                    ChannelKind::Luma | ChannelKind::Colour => {
                        // Too dark to measure a ratio: leave the gains alone.
                        let ratio = if sums[0] > n && sums[1] > n {
                            sums[1] / sums[0]
                        } else {
                            1.0
                        };
                        let g = ratio.sqrt().clamp(GAIN_RANGE.0, GAIN_RANGE.1);
                        if *kind == ChannelKind::Luma {
                            light_gain = [g, 1.0 / g];
                        }
                        [(g, 0.0), (1.0 / g, 0.0)]
                    }
                    ChannelKind::Chroma => {
                        let [gl, gr] = light_gain;
                        let diff = (sums[1] * gr - sums[0] * gl) / n;
                        let half = (diff / 2.0).clamp(-OFFSET_LIMIT, OFFSET_LIMIT);
                        [(gl, half), (gr, -half)]
                    }
                    ChannelKind::Alpha => [(1.0, 0.0), (1.0, 0.0)],
                };
                for (cam, (gain, offset)) in target.into_iter().enumerate() {
                    let current = &mut self.corrections[cam][p][c];
                    current.gain = (current.gain.ln() * (1.0 - alpha) + gain.ln() * alpha).exp();
                    current.offset = current.offset * (1.0 - alpha) + offset * alpha;
                }
            }
        }
    }
}

/// Channel `c` of a tap, as an unrounded 8-bit value.
fn sample(plane: &Plane, tap: Tap, channels: usize, c: usize) -> f64 {
    let v = match channels {
        1 => bilinear::<1>(plane, tap, c),
        2 => bilinear::<2>(plane, tap, c),
        _ => bilinear::<4>(plane, tap, c),
    };
    v as f64 / 65536.0
}

/// Where a panorama sample's ray lands: on the ground when it meets it within the far
/// distance, else on the far sphere, so that the mapping is continuous.
fn scene_point(panorama: &Panorama, luma: Point2<f64>) -> Point3<f64> {
    let ray = panorama.ray(&luma);
    let centre = panorama.centre();
    let ground = if ray.z < -1e-9 {
        -centre.z / ray.z
    } else {
        f64::INFINITY
    };
    centre + ray.into_inner() * ground.min(FAR_DISTANCE_M)
}

/// One camera's view of a scene point, in its luma coordinates, with the distance to
/// its picture's nearest edge; `None` when the camera does not see it.
fn camera_view(camera: &Camera, point: &Point3<f64>) -> Option<(Point2<f64>, f64)> {
    let p = camera.project(point)?;
    let size = camera.size();
    let (w, h) = (size.width as f64 - 1.0, size.height as f64 - 1.0);
    let edge = p.x.min(w - p.x).min(p.y).min(h - p.y);
    (edge >= 0.0).then_some((p, edge))
}

fn smoothstep(t: f64) -> f64 {
    let t = t.clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

/// Multiplier that undoes a camera's vignetting at a luma position, in the encoded
/// (gamma) domain.
fn devignette(sensor: &Option<Sensor>, size: ImageSize, p: &Point2<f64>) -> f64 {
    sensor.map_or(1.0, |s| {
        s.relative_illumination(size, p.x, p.y)
            .max(0.25)
            .powf(-1.0 / GAMMA)
    })
}

fn weight(w: f64) -> u16 {
    (w * WEIGHT_ONE as f64).round().clamp(0.0, u16::MAX as f64) as u16
}

/// Where one camera's sample is read: a position on its plane (samples) and the weight
/// it is read with (1.0 is [`WEIGHT_ONE`]).
#[derive(Clone, Copy, Debug)]
struct Read {
    x: f64,
    y: f64,
    weight: f64,
}

impl Read {
    /// The tap of this read on a plane of `width`×`height` samples.
    fn tap(&self, (width, height): (u32, u32)) -> Tap {
        Tap::at(
            self.x,
            self.y,
            width,
            height,
            Interpolation::Bilinear,
            weight(self.weight),
        )
    }
}

/// What one panorama sample reads.
enum Source {
    None,
    One(usize, Read),
    /// Both cameras: their reads weighted for the blend, then without it.
    Both([Read; 2], [Read; 2]),
}

impl Source {
    /// The sample as the kernels read it: most of the overlap lies outside the blend
    /// across the seam, where one camera has no weight and reading it is wasted work.
    /// Dropping it changes no output value (its term of the sum is zero).
    fn without_unweighted(self) -> Source {
        match self {
            Source::Both([left, right], _) if weight(right.weight) == 0 => Source::One(0, left),
            Source::Both([left, right], _) if weight(left.weight) == 0 => Source::One(1, right),
            other => other,
        }
    }

    fn coverage(&self) -> Coverage {
        match self {
            Source::None => Coverage::None,
            Source::One(cam, _) => Coverage::One(*cam),
            Source::Both(..) => Coverage::Both,
        }
    }
}

fn build_sample(
    panorama: &Panorama,
    layout: &PlaneLayout,
    cameras: [&Camera; 2],
    sensors: [Option<Sensor>; 2],
    options: &StitchOptions,
    x: u32,
    y: u32,
) -> Source {
    let (lx, ly) = plane_to_luma(layout, options.siting, x as f64, y as f64);
    let point = scene_point(panorama, Point2::new(lx, ly));
    let views = cameras.map(|c| camera_view(c, &point));
    let read = |p: &Point2<f64>, weight: f64| {
        let (x, y) = luma_to_plane(layout, options.siting, p.x, p.y);
        Read { x, y, weight }
    };
    let k = |cam: usize, p: &Point2<f64>| devignette(&sensors[cam], cameras[cam].size(), p);
    match views {
        [None, None] => Source::None,
        [Some((p, _)), None] => Source::One(0, read(&p, k(0, &p))),
        [None, Some((p, _))] => Source::One(1, read(&p, k(1, &p))),
        [Some((pl, el)), Some((pr, er))] => {
            let blend = smoothstep(0.5 + (el - er) / (2.0 * options.feather_px));
            let (kl, kr) = (k(0, &pl), k(1, &pr));
            Source::Both(
                [read(&pl, blend * kl), read(&pr, (1.0 - blend) * kr)],
                [read(&pl, kl), read(&pr, kr)],
            )
        }
    }
}

/// The runs, segments and taps of one row, indexed from the row's own start.
#[derive(Default)]
struct RowMap {
    runs: Vec<Run>,
    segments: Vec<Segment>,
    taps: Vec<Tap>,
    overlap: Vec<[Tap; 2]>,
    seam: Option<u32>,
}

/// The run a row's scan is in: its reads so far.
struct OpenRun {
    start: u32,
    coverage: Coverage,
    len: u32,
    /// One camera's reads.
    reads: Vec<Read>,
    /// Both cameras' taps, and whether all allow wide reads.
    both: [Vec<Tap>; 2],
    wide_reads: bool,
}

impl OpenRun {
    fn new(start: u32, coverage: Coverage) -> OpenRun {
        OpenRun {
            start,
            coverage,
            len: 0,
            reads: Vec::new(),
            both: [Vec::new(), Vec::new()],
            wide_reads: true,
        }
    }

    fn close(self, row: &mut RowMap) {
        let reads = match self.coverage {
            Coverage::None => Reads::Nothing,
            Coverage::One(camera) => {
                let first = row.segments.len();
                Segment::fit(&self.reads, &mut row.segments);
                Reads::One {
                    camera,
                    segments: first..row.segments.len(),
                }
            }
            Coverage::Both => {
                let first_tap = row.taps.len();
                let [lefts, rights] = self.both;
                row.taps.extend(lefts);
                row.taps.extend(rights);
                Reads::Both {
                    first_tap,
                    wide_reads: self.wide_reads,
                }
            }
        };
        row.runs.push(Run {
            start: self.start,
            len: self.len,
            reads,
        });
    }
}

fn build_plane(
    panorama: &Panorama,
    layout: &PlaneLayout,
    cameras: [&Camera; 2],
    sensors: [Option<Sensor>; 2],
    options: &StitchOptions,
) -> PlaneMap {
    let (width, height) = layout.size(panorama.size);
    let cam_planes = cameras.map(|c| layout.size(c.size()));
    // A regular grid of overlap samples, GAIN_SAMPLES or more wherever the overlap is a
    // tenth of the plane or more; thinned to at most GAIN_SAMPLES below, once the
    // overlap's size is known.
    let spacing =
        ((width as f64 * height as f64 / 10.0 / GAIN_SAMPLES as f64).sqrt() as u32).max(1);
    let rows: Vec<RowMap> = (0..height)
        .into_par_iter()
        .map(|y| {
            let mut row = RowMap::default();
            let mut open: Option<OpenRun> = None;
            for x in 0..width {
                let source = build_sample(panorama, layout, cameras, sensors, options, x, y);
                if let Source::Both(blend, plain) = &source {
                    let blend = blend.map(|r| weight(r.weight) as u32);
                    let plain = [plain[0].tap(cam_planes[0]), plain[1].tap(cam_planes[1])];
                    // Compare blend shares, not weights, which include devignetting.
                    if row.seam.is_none()
                        && blend[0] * plain[1].weight as u32 <= blend[1] * plain[0].weight as u32
                    {
                        row.seam = Some(x);
                    }
                    if x % spacing == 0 && y % spacing == 0 {
                        row.overlap.push(plain);
                    }
                }
                let source = source.without_unweighted();
                let coverage = source.coverage();
                let run = match open.take() {
                    Some(run) if run.coverage == coverage => run,
                    other => {
                        if let Some(done) = other {
                            done.close(&mut row);
                        }
                        OpenRun::new(x, coverage)
                    }
                };
                let run = open.insert(run);
                run.len += 1;
                match source {
                    Source::None => {}
                    Source::One(_, read) => run.reads.push(read),
                    Source::Both(blend, _) => {
                        for (cam, read) in blend.iter().enumerate() {
                            let tap = read.tap(cam_planes[cam]);
                            run.wide_reads &= allows_wide_reads(&tap, cam_planes[cam]);
                            run.both[cam].push(tap);
                        }
                    }
                }
            }
            if let Some(run) = open {
                run.close(&mut row);
            }
            row
        })
        .collect();
    let mut map = PlaneMap {
        layout: *layout,
        width,
        height,
        rows: Vec::with_capacity(height as usize),
        runs: Vec::new(),
        segments: Vec::new(),
        taps: Vec::new(),
        overlap: Vec::new(),
        seam: Vec::with_capacity(height as usize),
    };
    for row in rows {
        let first_run = map.runs.len();
        let (segment_base, tap_base) = (map.segments.len(), map.taps.len());
        map.runs.extend(row.runs.into_iter().map(|run| Run {
            reads: match run.reads {
                Reads::Nothing => Reads::Nothing,
                Reads::One { camera, segments } => Reads::One {
                    camera,
                    segments: segments.start + segment_base..segments.end + segment_base,
                },
                Reads::Both {
                    first_tap,
                    wide_reads,
                } => Reads::Both {
                    first_tap: first_tap + tap_base,
                    wide_reads,
                },
            },
            ..run
        }));
        map.rows.push(first_run..map.runs.len());
        map.segments.extend(row.segments);
        map.taps.extend(row.taps);
        map.overlap.extend(row.overlap);
        map.seam.push(row.seam);
    }
    // Every frame's exposure measurement reads these from both cameras: on a rig whose
    // overlap is half the panorama, the whole grid cost a sixth as much as the stitch
    // kernels themselves.
    let thinning = map.overlap.len().div_ceil(GAIN_SAMPLES).max(1);
    if thinning > 1 {
        map.overlap = map.overlap.into_iter().step_by(thinning).collect();
    }
    map
}

/// Whether a tap's footprint, read as two 4-byte words (its row and the row below),
/// lies inside a plane of the given size whatever its stride.
fn allows_wide_reads(tap: &Tap, (width, height): (u32, u32)) -> bool {
    (tap.y as u32) + 2 < height || tap.x as u32 + 4 <= width
}

/// Whether to use the SIMD kernels where the processor has them.
const SIMD: bool = true;

/// Writes one output plane; `simd` allows the SIMD kernels (tests compare both).
fn stitch_plane<const C: usize>(
    map: &PlaneMap,
    sources: [Plane; 2],
    fixed: &[Vec<Fixed>; 2],
    dst: &mut PlaneMut,
    simd: bool,
) {
    let kinds = map.layout.channels;
    let stride = dst.stride;
    let row_bytes = map.width as usize * C;
    #[cfg(target_arch = "x86_64")]
    let simd = simd && C == 1 && super::simd::avx2_available();
    #[cfg(not(target_arch = "x86_64"))]
    let _ = simd;
    dst.data
        .par_chunks_mut(stride)
        .take(map.height as usize)
        .zip(map.rows.par_iter())
        .for_each(|(row, runs)| {
            let row = &mut row[..row_bytes];
            for run in &map.runs[runs.clone()] {
                let out = &mut row[run.start as usize * C..(run.start + run.len) as usize * C];
                let len = run.len as usize;
                match &run.reads {
                    Reads::Nothing => {
                        for px in out.chunks_exact_mut(C) {
                            for (v, kind) in px.iter_mut().zip(kinds) {
                                *v = kind.empty();
                            }
                        }
                    }
                    Reads::One { camera, segments } => {
                        let src = &sources[*camera];
                        let fixed = &fixed[*camera];
                        let mut first = 0;
                        for segment in &map.segments[segments.clone()] {
                            let end = first + segment.len as usize;
                            let pixels = &mut out[first * C..end * C];
                            first = end;
                            // Samples already written by the SIMD kernel.
                            #[allow(unused_mut)]
                            let mut done = 0;
                            #[cfg(target_arch = "x86_64")]
                            if simd
                                && super::simd::points_are_inside(
                                    src,
                                    &[segment.position(0), segment.position(segment.len - 1)],
                                )
                            {
                                // SAFETY: AVX2 is available, the plane has one channel,
                                // and every position of the segment lies between its
                                // ends, whose footprints allow 4-byte reads.
                                done = unsafe {
                                    simd_stitch::one(
                                        src,
                                        segment,
                                        fixed[0],
                                        kinds[0].base(),
                                        pixels,
                                    )
                                };
                            }
                            for (i, px) in pixels.chunks_exact_mut(C).enumerate().skip(done) {
                                let tap = segment.tap(i as u32, src.width, src.height);
                                for c in 0..C {
                                    let v = bilinear::<C>(src, tap, c);
                                    px[c] = correct(&[(v, tap.weight, fixed[c])], kinds[c], v);
                                }
                            }
                        }
                    }
                    Reads::Both {
                        first_tap,
                        wide_reads,
                    } => {
                        let taps = &map.taps[*first_tap..*first_tap + 2 * len];
                        let (lefts, rights) = taps.split_at(len);
                        #[allow(unused_mut)]
                        let mut done = 0;
                        #[cfg(target_arch = "x86_64")]
                        if simd && *wide_reads {
                            // SAFETY: AVX2 is available, the plane has one channel, and
                            // every tap's footprint allows 4-byte reads.
                            done = unsafe {
                                simd_stitch::both(
                                    [&sources[0], &sources[1]],
                                    [lefts, rights],
                                    [fixed[0][0], fixed[1][0]],
                                    kinds[0].base(),
                                    out,
                                )
                            };
                        }
                        let pairs = lefts.iter().zip(rights);
                        for (px, (l, r)) in out.chunks_exact_mut(C).zip(pairs).skip(done) {
                            for c in 0..C {
                                let vl = bilinear::<C>(&sources[0], *l, c);
                                let vr = bilinear::<C>(&sources[1], *r, c);
                                px[c] = correct(
                                    &[(vl, l.weight, fixed[0][c]), (vr, r.weight, fixed[1][c])],
                                    kinds[c],
                                    vl,
                                );
                            }
                        }
                    }
                }
            }
        });
}

#[cfg(target_arch = "x86_64")]
mod simd_stitch {
    //! The single-channel stitch kernels in AVX2, eight samples at a time, computing
    //! exactly what [`super::correct`] computes.

    use std::arch::x86_64::*;

    use super::super::simd::{bilinear8, load_taps8, store8, Line8};
    use super::{Fixed, Plane, Segment, Tap, LINE_BITS};

    /// `(gain·(v − base) + offset)·weight` of eight interpolated samples.
    #[target_feature(enable = "avx2")]
    #[inline]
    unsafe fn corrected(v: __m256i, f: Fixed, base8: __m256i, weight: __m256i) -> __m256i {
        let d = _mm256_sub_epi32(_mm256_srli_epi32::<8>(v), base8);
        let c = _mm256_add_epi32(
            _mm256_srai_epi32::<12>(_mm256_mullo_epi32(_mm256_set1_epi32(f.gain), d)),
            _mm256_set1_epi32(f.offset),
        );
        _mm256_mullo_epi32(c, weight)
    }

    /// [`corrected`] for eight consecutive taps.
    #[target_feature(enable = "avx2")]
    #[inline]
    unsafe fn weighted(src: &Plane, taps: &[Tap], f: Fixed, base8: __m256i) -> __m256i {
        let t = load_taps8(taps, src.stride);
        corrected(bilinear8(src, t.anchors, t.fx, t.fy), f, base8, t.weight)
    }

    #[target_feature(enable = "avx2")]
    #[inline]
    unsafe fn finish(acc: __m256i, base8: __m256i) -> __m256i {
        let total = _mm256_add_epi32(
            _mm256_add_epi32(_mm256_slli_epi32::<12>(base8), acc),
            _mm256_set1_epi32(1 << 19),
        );
        _mm256_srai_epi32::<20>(total)
    }

    /// Writes whole groups of eight samples of a one-camera segment; returns how many.
    ///
    /// # Safety
    /// AVX2; the footprints of the segment's first and last positions may be read as
    /// two 4-byte words.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn one(
        src: &Plane,
        segment: &Segment,
        f: Fixed,
        base: i32,
        out: &mut [u8],
    ) -> usize {
        let base8 = _mm256_set1_epi32(base << 8);
        let n = (segment.len as usize).min(out.len()) / 8 * 8;
        let mut line = Line8::new((segment.x, segment.y), (segment.dx, segment.dy));
        let mut weight = _mm256_add_epi32(
            _mm256_set1_epi32(segment.weight),
            _mm256_mullo_epi32(
                _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7),
                _mm256_set1_epi32(segment.dweight),
            ),
        );
        let weight_step = _mm256_set1_epi32(segment.dweight.wrapping_mul(8));
        for k in (0..n).step_by(8) {
            let (anchors, fx, fy) = line.taps(src.stride);
            let acc = corrected(
                bilinear8(src, anchors, fx, fy),
                f,
                base8,
                _mm256_srai_epi32::<{ LINE_BITS as i32 }>(weight),
            );
            line.advance();
            weight = _mm256_add_epi32(weight, weight_step);
            store8(&mut out[k..], finish(acc, base8));
        }
        n
    }

    /// Writes whole groups of eight samples of a two-camera run; returns how many.
    ///
    /// # Safety
    /// As [`one`], for both cameras.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn both(
        src: [&Plane; 2],
        taps: [&[Tap]; 2],
        f: [Fixed; 2],
        base: i32,
        out: &mut [u8],
    ) -> usize {
        let base8 = _mm256_set1_epi32(base << 8);
        let n = taps[0].len().min(taps[1].len()).min(out.len()) / 8 * 8;
        for k in (0..n).step_by(8) {
            let acc = _mm256_add_epi32(
                weighted(src[0], &taps[0][k..], f[0], base8),
                weighted(src[1], &taps[1][k..], f[1], base8),
            );
            store8(&mut out[k..], finish(acc, base8));
        }
        n
    }
}

/// `base + Σ weight·(gain·(v − base) + offset)` in fixed point, for interpolated
/// values scaled by 2^16. Alpha is copied from `alpha`.
#[inline(always)]
fn correct(parts: &[(u32, u16, Fixed)], kind: ChannelKind, alpha: u32) -> u8 {
    if kind == ChannelKind::Alpha {
        return super::kernel::round16(alpha);
    }
    let base8 = kind.base() << 8;
    let mut acc: i64 = 0;
    for &(v, w, f) in parts {
        let v8 = (v >> 8) as i32 - base8;
        let corrected = ((f.gain as i64 * v8 as i64) >> 12) + f.offset as i64;
        acc += corrected * w as i64;
    }
    let out = ((base8 as i64) << 12) + acc;
    ((out + (1 << 19)) >> 20).clamp(0, 255) as u8
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::{RigOptions, Sport};

    #[test]
    fn fixed_point_correction_matches_the_formula() {
        let one = Fixed {
            gain: 4096,
            offset: 0,
        };
        // A plain sample passes through.
        assert_eq!(
            correct(&[(100 << 16, WEIGHT_ONE, one)], ChannelKind::Luma, 0),
            100
        );
        // Gain 1.5 around the luma base of 16: 16 + 1.5·84 = 142.
        let gain = Fixed {
            gain: 6144,
            offset: 0,
        };
        assert_eq!(
            correct(&[(100 << 16, WEIGHT_ONE, gain)], ChannelKind::Luma, 0),
            142
        );
        // Half and half of two chroma values with offsets ±4 meet in the middle.
        let up = Fixed {
            gain: 4096,
            offset: 4 * 256,
        };
        let down = Fixed {
            gain: 4096,
            offset: -4 * 256,
        };
        let half = WEIGHT_ONE / 2;
        assert_eq!(
            correct(
                &[(120 << 16, half, up), (140 << 16, half, down)],
                ChannelKind::Chroma,
                0
            ),
            130
        );
    }

    #[test]
    fn the_default_rig_stitches_with_a_seam_in_the_middle() {
        let rig = RigOptions::for_sport(Sport::Football).build().unwrap();
        let stitcher = Stitcher::new(&rig, PixelFormat::I420, StitchOptions::default()).unwrap();
        assert!(
            stitcher.coverage() > 0.9,
            "coverage {}",
            stitcher.coverage()
        );
        // The overlap straddles the panorama's middle column.
        let luma = &stitcher.planes[0];
        let mid = luma.width / 2;
        let row = &luma.runs[luma.rows[(luma.height * 2 / 3) as usize].clone()];
        let both = row
            .iter()
            .find(|r| matches!(r.reads, Reads::Both { .. }))
            .expect("an overlap");
        assert!(both.start < mid && both.start + both.len > mid, "{both:?}");
        // Only the feathered band reads both cameras: about the feather's width in
        // source pixels, not the whole overlap.
        let feather = StitchOptions::default().feather_px as u32;
        assert!(
            both.len > feather / 4 && both.len < 3 * feather,
            "blend {} samples wide",
            both.len
        );
    }

    #[test]
    fn one_camera_runs_are_read_along_long_segments() {
        // The kernels' memory traffic is the segments': a few bytes per segment rather
        // than a tap per sample.
        let rig = RigOptions::for_sport(Sport::Football).build().unwrap();
        let stitcher = Stitcher::new(&rig, PixelFormat::I420, StitchOptions::default()).unwrap();
        for (p, map) in stitcher.planes.iter().enumerate() {
            let samples: u32 = map
                .runs
                .iter()
                .filter(|r| matches!(r.reads, Reads::One { .. }))
                .map(|r| r.len)
                .sum();
            let mean = samples as f64 / map.segments.len() as f64;
            eprintln!(
                "plane {p}: {} segments, {mean:.1} samples each",
                map.segments.len()
            );
            assert!(mean >= 16.0, "plane {p}: {mean:.1} samples per segment");
        }
    }

    fn noise(len: usize, seed: u64) -> Vec<u8> {
        let mut state = seed | 1;
        (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 56) as u8
            })
            .collect()
    }

    #[test]
    fn simd_and_scalar_kernels_agree_exactly() {
        let mut rig = RigOptions::for_sport(Sport::Football).build().unwrap();
        rig.cameras[0].size = ImageSize::new(640, 360).unwrap();
        rig.cameras[1].size = ImageSize::new(640, 360).unwrap();
        for cam in &mut rig.cameras {
            cam.intrinsics.fx /= 3.0;
            cam.intrinsics.fy /= 3.0;
            cam.intrinsics.cx = 319.5;
            cam.intrinsics.cy = 179.5;
            cam.sensor = Some(Sensor {
                vignetting: 0.2,
                ..Sensor::default()
            });
        }
        rig.panorama.size = ImageSize::new(1280, 400).unwrap();
        let stitcher = Stitcher::new(&rig, PixelFormat::I420, StitchOptions::default()).unwrap();
        let size = rig.cameras[0].size;
        let (left, right) = (
            noise(PixelFormat::I420.packed_len(size), 3),
            noise(PixelFormat::I420.packed_len(size), 5),
        );
        let left = Frame::packed(PixelFormat::I420, size, &left).unwrap();
        let right = Frame::packed(PixelFormat::I420, size, &right).unwrap();
        let fixed = [
            vec![Fixed {
                gain: 4300,
                offset: 300,
            }],
            vec![Fixed {
                gain: 3900,
                offset: -300,
            }],
        ];
        for (p, map) in stitcher.planes.iter().enumerate() {
            let (w, h) = (map.width as usize, map.height as usize);
            let outputs: Vec<Vec<u8>> = [false, true]
                .into_iter()
                .map(|simd| {
                    // A stride wider than the row, as GStreamer buffers may have.
                    let stride = w + 16;
                    let mut data = vec![0u8; stride * h];
                    let mut dst = PlaneMut {
                        data: &mut data,
                        width: w as u32,
                        height: h as u32,
                        stride,
                    };
                    stitch_plane::<1>(
                        map,
                        [left.planes[p], right.planes[p]],
                        &fixed,
                        &mut dst,
                        simd,
                    );
                    data
                })
                .collect();
            assert!(outputs[0] == outputs[1], "plane {p} differs");
        }
    }

    #[test]
    fn cameras_that_do_not_overlap_are_refused() {
        let mut rig = RigOptions::for_sport(Sport::Football).build().unwrap();
        rig.cameras[0].orientation.yaw_deg -= 40.0;
        rig.cameras[1].orientation.yaw_deg += 40.0;
        let err = Stitcher::new(&rig, PixelFormat::I420, StitchOptions::default())
            .err()
            .expect("no overlap");
        assert!(err.to_string().contains("do not overlap"), "{err}");
    }

    #[test]
    fn frames_of_the_wrong_size_are_refused() {
        let rig = RigOptions::for_sport(Sport::Football).build().unwrap();
        let mut stitcher =
            Stitcher::new(&rig, PixelFormat::I420, StitchOptions::default()).unwrap();
        let small = ImageSize::new(640, 360).unwrap();
        let data = vec![0u8; PixelFormat::I420.packed_len(small)];
        let frame = Frame::packed(PixelFormat::I420, small, &data).unwrap();
        let mut out = vec![0u8; PixelFormat::I420.packed_len(rig.panorama.size)];
        let mut out = FrameMut::packed(PixelFormat::I420, rig.panorama.size, &mut out).unwrap();
        let err = stitcher.stitch(&frame, &frame, &mut out).unwrap_err();
        assert!(err.to_string().contains("left frame"), "{err}");
    }
}
