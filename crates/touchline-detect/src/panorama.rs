//! People and ball candidates on the stitched panorama: the background model finds
//! everything that moves every frame, cheaply; the learned detector looks closer, on a
//! budget, where the background model cannot tell people apart (groups).
//!
//! The learned detector at the network's native size costs tens of milliseconds a
//! tile on a 2-core CPU, so it never sweeps the panorama: it runs on at most
//! [`LearnedOptions::crops_per_frame`] crops a frame around the widest groups, each
//! upscaled so that a 15–40 px player is the size the network was trained on. A group
//! it does not reach this frame is split where its silhouette is thinnest.

use std::time::Instant;

use image::RgbImage;
use nalgebra::Point2;
use touchline_core::image::yuv_to_rgb;
use touchline_core::warp::Frame;

use crate::detector::{OnnxDetector, TileOptions};
use crate::foreground::{connected_regions, BackgroundModel, Blob, ForegroundOptions, Hold};
use crate::scene::{Scene, BALL_DIAMETER_M, PERSON_HEIGHT_M};
use crate::{BoxPx, ObjectClass, Result};

/// A ball at a person's feet: at least this much lighter than the grass behind it, this
/// light, and this close to grey (|Cb − 128| + |Cr − 128|).
const AT_FEET_CONTRAST: i32 = 35;
const AT_FEET_LUMA: u8 = 110;
const AT_FEET_CHROMA: u32 = 30;

/// How far down a person's region may grow to reach the feet, as a fraction of the
/// height expected there.
const FEET_GROWTH: f64 = 0.2;
/// The head's band of a person's box, as fractions of its height from the top: a
/// standing person's head is the top eighth of their height.
const HEAD_BAND: (f32, f32) = (0.0, 0.13);

/// Mean colour (Y, Cb, Cr) of a person's shirt band and shorts band, from foreground
/// pixels only.
pub type KitColour = [f32; 6];

/// Mean colour (Y, Cb, Cr) of the top of a person's box, from foreground pixels only:
/// their hair and face, which no kit covers and which team-mates do not share.
pub type HeadColour = [f32; 3];

/// Where a person may be.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PersonCandidate {
    /// Panorama pixels.
    pub bbox: BoxPx,
    /// How sure: 0–1. Whole silhouettes of the expected size score high, fragments and
    /// pieces of split groups lower.
    pub score: f32,
    /// The kit's colours.
    pub colour: KitColour,
    /// The head's colour.
    pub head: HeadColour,
    /// Whether this came out of a group of people seen as one region.
    pub from_group: bool,
}

/// Rows by which a silhouette's foreground reaches below the feet: the picture's blur
/// (lens, sensor, compression, the resampling into the panorama) and the shadow at the
/// feet spread a boot over the grass under it, and the threshold still catches some of
/// that. On simulated matches, whose cameras blur, compress and cast shadows as real
/// ones do, taking the box's bottom edge as the feet put people 0.14 m too near the
/// cameras at the near touchline and 0.47 m at the far one (a pixel there); one pixel
/// removed that bias.
pub const FOOT_SPREAD_PX: f64 = 1.0;

impl PersonCandidate {
    /// The pixel under the feet: the box's bottom centre, above the blur's spread.
    pub fn foot(&self) -> Point2<f64> {
        Point2::new(
            ((self.bbox.x0 + self.bbox.x1) * 0.5) as f64,
            self.bbox.y1 as f64 - 0.5 - FOOT_SPREAD_PX,
        )
    }

    /// The bottom of the box of someone whose feet are at the row `foot_y` (the
    /// converse of [`PersonCandidate::foot`]).
    pub fn bottom_below(foot_y: f64) -> f64 {
        foot_y + 0.5 + FOOT_SPREAD_PX
    }
}

/// Where the ball may be.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BallCandidate {
    /// Centre, panorama pixels.
    pub centre: Point2<f64>,
    /// Size across, pixels.
    pub diameter: f32,
    /// How ball-like: bright, small, round; 0–1.
    pub score: f32,
}

/// The learned detector's place in the panorama detector.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LearnedOptions {
    /// Crops run through the network on a frame it runs on, at most.
    pub crops_per_frame: u32,
    /// The network runs on one frame in this many (groups change slowly; between its
    /// runs the silhouette split stands in).
    pub every: u32,
    /// Least score of a person found in a crop.
    pub person_threshold: f32,
}

impl Default for LearnedOptions {
    fn default() -> Self {
        LearnedOptions {
            crops_per_frame: 1,
            every: 3,
            person_threshold: 0.3,
        }
    }
}

/// Tuning of the panorama detector.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PanoramaOptions {
    /// The background model.
    pub foreground: ForegroundOptions,
    /// The region of interest reaches this far beyond the pitch lines, metres.
    pub margin_m: f64,
    /// The learned detector on groups; `None` to split groups by their silhouette only.
    pub learned: Option<LearnedOptions>,
}

impl Default for PanoramaOptions {
    fn default() -> Self {
        PanoramaOptions {
            foreground: ForegroundOptions::default(),
            margin_m: 4.0,
            learned: Some(LearnedOptions::default()),
        }
    }
}

/// What the detector found in one frame, and what each stage cost.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PanoramaDetections {
    /// People.
    pub people: Vec<PersonCandidate>,
    /// Ball candidates, best first.
    pub balls: Vec<BallCandidate>,
    /// Milliseconds in the background model.
    pub foreground_ms: f64,
    /// Milliseconds in the learned detector.
    pub learned_ms: f64,
    /// Crops the learned detector ran on.
    pub crops: u32,
}

/// The fused detector over panorama frames.
pub struct PanoramaDetector {
    scene: Scene,
    options: PanoramaOptions,
    background: BackgroundModel,
    learned: Option<OnnxDetector>,
    /// Per column, the first row where someone on the pitch (or just off it) can be
    /// seen. The background model also looks above it, up to the panorama's top: there
    /// only a lofted ball can be, flying over the far half against the stands.
    people_top: Vec<u32>,
    /// Per column, the ball's diameter (pixels) on the ground halfway down the rows
    /// where people can be: the largest a lofted ball looks above them (nearer than
    /// that, it would have to fly higher than a lofted ball goes to be seen there).
    largest_ball_px: Vec<f64>,
    /// Per column, the ball's diameter (pixels) on the ground at the bottom of the rows
    /// where people can be: the largest a ball anywhere over the pitch looks there (a
    /// ball in the air near the cameras, seen against the far pitch).
    nearest_ball_px: Vec<f64>,
}

/// What a foreground region looks like, against the size expected where it stands.
enum Shape {
    Person,
    Group(u32),
    Stacked,
    Fragment,
    Ball,
    Other,
}

impl PanoramaDetector {
    /// A detector for a scene's panorama. `learned` is the network for groups (its tile
    /// is the crop's size); without it groups are split by silhouette.
    pub fn new(
        scene: Scene,
        options: PanoramaOptions,
        learned: Option<OnnxDetector>,
    ) -> Result<PanoramaDetector> {
        let mut spans = scene.pitch_spans(options.margin_m);
        let people_top = spans.top.clone();
        // Per column, a ball's diameter (pixels) on the ground at the given rows.
        let ball_px = |rows: &mut dyn Iterator<Item = f64>| -> Vec<f64> {
            rows.enumerate()
                .map(|(x, row)| {
                    scene
                        .height_px_at_foot(Point2::new(x as f64, row), BALL_DIAMETER_M)
                        .unwrap_or(0.0)
                })
                .collect()
        };
        let largest_ball_px = ball_px(
            &mut spans
                .top
                .iter()
                .zip(&spans.bottom)
                .map(|(&top, &bottom)| (top + bottom) as f64 / 2.0),
        );
        let nearest_ball_px = ball_px(&mut spans.bottom.iter().map(|&bottom| bottom as f64));
        for (top, &bottom) in spans.top.iter_mut().zip(&spans.bottom) {
            if bottom > 0 {
                *top = 0;
            }
        }
        let background = BackgroundModel::new(scene.panorama.size, spans, options.foreground)?;
        Ok(PanoramaDetector {
            scene,
            options,
            background,
            learned,
            people_top,
            largest_ball_px,
            nearest_ball_px,
        })
    }

    /// The scene.
    pub fn scene(&self) -> &Scene {
        &self.scene
    }

    /// The background model (for pictures of the mask and the background).
    pub fn background(&self) -> &BackgroundModel {
        &self.background
    }

    /// Holds the background's learning where these boxes are in the next frame: where
    /// people are tracked (see [`BackgroundModel::hold`]).
    pub fn hold_background(&mut self, boxes: impl IntoIterator<Item = (BoxPx, Hold)>) {
        self.background.hold(boxes.into_iter().map(|(b, hold)| {
            let region = Blob {
                x0: b.x0.max(0.0).floor() as u32,
                y0: b.y0.max(0.0).floor() as u32,
                x1: b.x1.max(0.0).ceil() as u32,
                y1: b.y1.max(0.0).ceil() as u32,
                pixels: 0,
            };
            (region, hold)
        }));
    }

    /// Finds people and ball candidates in the next panorama frame (I420).
    pub fn detect(&mut self, frame: &Frame) -> Result<PanoramaDetections> {
        let started = Instant::now();
        self.background.apply(frame)?;
        let mut blobs = self.background.blobs(3);
        blobs.retain(|blob| {
            let ghost = self.background.is_ghost(frame, blob);
            if ghost {
                self.background.absorb(frame, blob);
            }
            !ghost
        });
        let blobs: Vec<Blob> = merge_stacked(blobs, &self.scene)
            .into_iter()
            .map(|blob| self.grow_to_feet(frame, blob))
            .collect();
        let mut found = PanoramaDetections::default();
        let mut groups = Vec::new();
        for blob in blobs {
            let shape = self.shape(&blob);
            if !matches!(shape, Shape::Ball | Shape::Other) {
                found.balls.extend(self.balls_at_feet(frame, &blob));
                found.balls.extend(self.ball_near_the_cameras(frame, &blob));
            }
            match shape {
                Shape::Person => found.people.push(self.person(frame, &blob, 0.9, false)),
                Shape::Fragment => found.people.push(self.person(frame, &blob, 0.35, false)),
                Shape::Group(n) => groups.push((blob, Some(n))),
                Shape::Stacked => groups.push((blob, None)),
                Shape::Ball => {
                    if let Some(ball) = self.ball(frame, &blob) {
                        found.balls.push(ball);
                    }
                }
                Shape::Other => {}
            }
        }
        found.foreground_ms = started.elapsed().as_secs_f64() * 1e3;

        // The widest groups first get the network; the rest are split by silhouette.
        groups.sort_by_key(|(b, _)| std::cmp::Reverse(b.width() * b.height()));
        let budget = match (&self.learned, self.options.learned) {
            (Some(_), Some(l))
                if self
                    .background
                    .frames()
                    .is_multiple_of(u64::from(l.every.max(1))) =>
            {
                l.crops_per_frame as usize
            }
            _ => 0,
        };
        let learned_started = Instant::now();
        for (i, (blob, n)) in groups.iter().enumerate() {
            let mut people = Vec::new();
            if i < budget {
                people = self.learned_in(frame, blob)?;
                found.crops += 1;
            }
            if people.len() < 2 {
                let parts = match n {
                    Some(n) => self.split(blob, *n),
                    None => self.split_stacked(blob),
                };
                people = parts
                    .into_iter()
                    .map(|part| self.person(frame, &part, 0.6, true))
                    .collect();
            }
            found.people.extend(people);
        }
        found.learned_ms = if found.crops > 0 {
            learned_started.elapsed().as_secs_f64() * 1e3
        } else {
            0.0
        };
        found.balls.sort_by(|a, b| b.score.total_cmp(&a.score));
        Ok(found)
    }

    /// A region as tall as a person or part of one, grown down to the feet (a fifth of
    /// a person's height at most: the boots and the blurred bottom of the legs).
    fn grow_to_feet(&mut self, frame: &Frame, blob: Blob) -> Blob {
        match self.expected_height(&blob) {
            Some(expected) if blob.height() as f64 >= 0.3 * expected => {
                let max_rows = (FEET_GROWTH * expected).ceil() as u32;
                self.background.grow_to_feet(frame, &blob, max_rows)
            }
            _ => blob,
        }
    }

    /// For a region wholly above where people can be, the largest (pixels across) a
    /// lofted ball looks there, blur adding a pixel each side; `None` for regions where
    /// people can be.
    fn largest_ball_in_the_air(&self, blob: &Blob) -> Option<f64> {
        let x = ((blob.x0 + blob.x1) / 2) as usize;
        let top = *self.people_top.get(x)?;
        (blob.y1 <= top).then(|| self.largest_ball_px[x].max(4.0) + 2.0)
    }

    fn expected_height(&self, blob: &Blob) -> Option<f64> {
        let foot = Point2::new((blob.x0 + blob.x1) as f64 * 0.5, blob.y1 as f64);
        self.scene
            .height_px_at_foot(foot, PERSON_HEIGHT_M)
            .filter(|h| *h > 1.0)
    }

    fn shape(&self, blob: &Blob) -> Shape {
        if let Some(largest) = self.largest_ball_in_the_air(blob) {
            // Nobody can be seen up there: only a lofted ball.
            let fits = blob.width() as f64 <= largest && blob.height() as f64 <= largest;
            return if fits { Shape::Ball } else { Shape::Other };
        }
        let Some(expected) = self.expected_height(blob) else {
            return Shape::Other;
        };
        let (w, h) = (blob.width() as f64, blob.height() as f64);
        let ball_px = expected * BALL_DIAMETER_M / PERSON_HEIGHT_M;
        // A ball in the air stands above the point its pixel would meet the ground at,
        // so it looks larger than the ball expected there: allow for it.
        if w <= (ball_px * 3.0).max(4.0) + 2.0
            && h <= (ball_px * 3.0).max(4.0) + 2.0
            && h < 0.4 * expected
        {
            return Shape::Ball;
        }
        let ratio = h / expected;
        if ratio < 0.3 {
            return Shape::Other;
        }
        // A standing or running person is at most about half as wide as tall; wider
        // regions are people side by side, taller ones people one behind another.
        let tall = h.max(0.9 * expected);
        let side_by_side = (w / (0.36 * tall)).round().max(1.0);
        if w > 0.62 * tall && side_by_side >= 2.0 {
            return Shape::Group(side_by_side as u32);
        }
        if ratio > 1.4 {
            return Shape::Stacked;
        }
        if ratio < 0.65 {
            Shape::Fragment
        } else {
            Shape::Person
        }
    }

    fn person(&self, frame: &Frame, blob: &Blob, score: f32, from_group: bool) -> PersonCandidate {
        PersonCandidate {
            bbox: BoxPx {
                x0: blob.x0 as f32,
                y0: blob.y0 as f32,
                x1: blob.x1 as f32,
                y1: blob.y1 as f32,
            },
            score,
            colour: self.kit_colour(frame, blob),
            head: self.band_colour(frame, blob, HEAD_BAND),
            from_group,
        }
    }

    /// Mean colour of the foreground in the shirt band (18–45 % down the box) and the
    /// shorts band (48–62 %).
    fn kit_colour(&self, frame: &Frame, blob: &Blob) -> KitColour {
        let [y, u, v] = self.band_colour(frame, blob, (0.18, 0.45));
        let [ys, us, vs] = self.band_colour(frame, blob, (0.48, 0.62));
        [y, u, v, ys, us, vs]
    }

    /// Mean colour (Y, Cb, Cr) of the foreground in a band of the box, given as
    /// fractions of its height from the top; mid-grey when the band has none.
    fn band_colour(&self, frame: &Frame, blob: &Blob, (from, to): (f32, f32)) -> [f32; 3] {
        let mask = self.background.mask();
        let w = self.background.size().width as usize;
        let [py, pu, pv] = [&frame.planes[0], &frame.planes[1], &frame.planes[2]];
        let h = blob.height() as f32;
        let y0 = blob.y0 + (h * from) as u32;
        let y1 = (blob.y0 + (h * to).ceil() as u32).max(y0 + 1).min(blob.y1);
        let mut sum = [0u32; 3];
        let mut n = 0u32;
        for y in y0..y1 {
            for x in blob.x0..blob.x1 {
                let (xs, ys) = (x as usize, y as usize);
                if mask[ys * w + xs] == 0 {
                    continue;
                }
                sum[0] += py.data[ys * py.stride + xs] as u32;
                sum[1] += pu.data[(ys / 2) * pu.stride + xs / 2] as u32;
                sum[2] += pv.data[(ys / 2) * pv.stride + xs / 2] as u32;
                n += 1;
            }
        }
        sum.map(|s| if n > 0 { s as f32 / n as f32 } else { 128.0 })
    }

    /// A ball at someone's feet joins their region: look for it among the region's
    /// bright, grey pixels below the knees, in pieces no bigger than a ball there.
    /// (White socks pass this too; the ball tracker tells them apart by their motion.)
    fn balls_at_feet(&self, frame: &Frame, blob: &Blob) -> Vec<BallCandidate> {
        let Some(expected) = self.expected_height(blob) else {
            return Vec::new();
        };
        let ball_px = expected * BALL_DIAMETER_M / PERSON_HEIGHT_M;
        let y0 = blob
            .y0
            .max(blob.y1.saturating_sub((0.35 * expected).round() as u32));
        let (bw, bh) = (blob.width() as usize, (blob.y1 - y0) as usize);
        let mask = self.background.mask();
        let bg = self.background.background_luma();
        let w = self.background.size().width as usize;
        let [py, pu, pv] = [&frame.planes[0], &frame.planes[1], &frame.planes[2]];
        let mut bright = vec![0u8; bw * bh];
        for (j, y) in (y0 as usize..blob.y1 as usize).enumerate() {
            for (i, x) in (blob.x0 as usize..blob.x1 as usize).enumerate() {
                let luma = py.data[y * py.stride + x];
                let chroma = pu.data[(y / 2) * pu.stride + x / 2].abs_diff(128) as u32
                    + pv.data[(y / 2) * pv.stride + x / 2].abs_diff(128) as u32;
                let lighter = luma as i32 - bg[y * w + x] as i32;
                bright[j * bw + i] = u8::from(
                    mask[y * w + x] != 0
                        && lighter >= AT_FEET_CONTRAST
                        && luma >= AT_FEET_LUMA
                        && chroma <= AT_FEET_CHROMA,
                );
            }
        }
        // A ball at the feet rests on the ground: its piece reaches the feet's row (white
        // socks end above the boots) and is about as tall as a ball there.
        let largest = (2.0 * ball_px + 2.0) as u32;
        let tallest = (1.5 * ball_px + 1.0).ceil() as u32;
        connected_regions(&bright, bw, bh, 2)
            .into_iter()
            .filter(|piece| {
                piece.width() <= largest && piece.height() <= tallest && piece.y1 + 1 >= bh as u32
            })
            .filter_map(|piece| {
                let piece = Blob {
                    x0: blob.x0 + piece.x0,
                    x1: blob.x0 + piece.x1,
                    y0: y0 + piece.y0,
                    y1: y0 + piece.y1,
                    pixels: piece.pixels,
                };
                self.ball(frame, &piece)
            })
            .collect()
    }

    /// A region too large for a ball on the pitch behind it, but round and no larger
    /// than a ball nearer the cameras looks: a ball in the air on its way down near
    /// them. It may also be people, so it is a ball candidate besides.
    fn ball_near_the_cameras(&self, frame: &Frame, blob: &Blob) -> Option<BallCandidate> {
        let x = ((blob.x0 + blob.x1) / 2) as usize;
        let largest = self.nearest_ball_px.get(x)? + 2.0;
        let (w, h) = (blob.width() as f64, blob.height() as f64);
        if w > largest || h > largest || w.min(h) < 0.6 * w.max(h) {
            return None;
        }
        self.ball(frame, blob)
    }

    fn ball(&self, frame: &Frame, blob: &Blob) -> Option<BallCandidate> {
        let mask = self.background.mask();
        let bg = self.background.background_luma();
        let w = self.background.size().width as usize;
        let [py, pu, pv] = [&frame.planes[0], &frame.planes[1], &frame.planes[2]];
        let (mut luma, mut chroma, mut contrast, mut n) = (0f32, 0f32, 0f32, 0f32);
        for y in blob.y0 as usize..blob.y1 as usize {
            for x in blob.x0 as usize..blob.x1 as usize {
                if mask[y * w + x] == 0 {
                    continue;
                }
                let l = py.data[y * py.stride + x] as f32;
                luma += l;
                contrast += l - bg[y * w + x] as f32;
                chroma += (pu.data[(y / 2) * pu.stride + x / 2] as f32 - 128.0).abs()
                    + (pv.data[(y / 2) * pv.stride + x / 2] as f32 - 128.0).abs();
                n += 1.0;
            }
        }
        if n < 2.0 {
            return None;
        }
        let (luma, chroma, contrast) = (luma / n, chroma / n, contrast / n);
        // A ball is light and grey-white against darker grass; blur spreads it, so it is
        // judged on its mean.
        let brightness = ((contrast - 10.0) / 60.0).clamp(0.0, 1.0);
        let greyness = (1.0 - chroma / 40.0).clamp(0.0, 1.0);
        let (bw, bh) = (blob.width() as f32, blob.height() as f32);
        let roundness = bw.min(bh) / bw.max(bh);
        let fill = n / (bw * bh);
        let score =
            brightness * (0.5 + 0.5 * greyness) * (0.5 + 0.5 * roundness) * fill.min(1.0).sqrt();
        if luma < 90.0 || score < 0.05 {
            return None;
        }
        Some(BallCandidate {
            centre: Point2::new(
                (blob.x0 + blob.x1) as f64 * 0.5,
                (blob.y0 + blob.y1) as f64 * 0.5,
            ),
            diameter: bw.max(bh),
            score,
        })
    }

    /// Splits one person standing in front of another: the nearer one's feet are the
    /// region's bottom, the farther one's head its top.
    fn split_stacked(&self, blob: &Blob) -> Vec<Blob> {
        let Some(expected) = self.expected_height(blob) else {
            return vec![*blob];
        };
        let h = blob.height() as f64;
        let near_top = blob.y1 - (expected.min(h) as u32).min(blob.height());
        let far_bottom = blob.y0 + ((0.9 * expected).min(h) as u32);
        [(near_top, blob.y1), (blob.y0, far_bottom)]
            .into_iter()
            .filter_map(|(y0, y1)| self.trim(blob.x0, blob.x1, y0, y1))
            .collect()
    }

    /// The foreground within a rectangle, as the rectangle it fills.
    fn trim(&self, x0: u32, x1: u32, y0: u32, y1: u32) -> Option<Blob> {
        let mask = self.background.mask();
        let w = self.background.size().width as usize;
        let on = |x: u32, y: u32| mask[y as usize * w + x as usize] != 0;
        let rows: Vec<u32> = (y0..y1).filter(|&y| (x0..x1).any(|x| on(x, y))).collect();
        let cols: Vec<u32> = (x0..x1).filter(|&x| (y0..y1).any(|y| on(x, y))).collect();
        let pixels = (y0..y1)
            .flat_map(|y| (x0..x1).map(move |x| (x, y)))
            .filter(|&(x, y)| on(x, y))
            .count();
        Some(Blob {
            x0: *cols.first()?,
            x1: cols.last()? + 1,
            y0: *rows.first()?,
            y1: rows.last()? + 1,
            pixels: pixels as u32,
        })
    }

    /// Splits a group into `n` people at the columns where the fewest foreground pixels
    /// are, each part then trimmed to its own foreground rows.
    fn split(&self, blob: &Blob, n: u32) -> Vec<Blob> {
        let mask = self.background.mask();
        let w = self.background.size().width as usize;
        let columns: Vec<u32> = (blob.x0..blob.x1)
            .map(|x| {
                (blob.y0..blob.y1)
                    .filter(|&y| mask[y as usize * w + x as usize] != 0)
                    .count() as u32
            })
            .collect();
        let width = blob.width() as f32;
        let mut cuts = vec![0usize];
        for k in 1..n {
            // Search for the thinnest column around the even split.
            let centre = (width * k as f32 / n as f32) as usize;
            let reach = (width / n as f32 * 0.35) as usize;
            let lo = centre.saturating_sub(reach).max(cuts[cuts.len() - 1] + 1);
            let hi = (centre + reach).min(columns.len() - 1);
            let cut = (lo..=hi.max(lo))
                .min_by_key(|&c| columns[c.min(columns.len() - 1)])
                .unwrap_or(centre);
            cuts.push(cut);
        }
        cuts.push(columns.len());
        cuts.windows(2)
            .filter_map(|pair| {
                self.trim(
                    blob.x0 + pair[0] as u32,
                    blob.x0 + pair[1] as u32,
                    blob.y0,
                    blob.y1,
                )
            })
            .collect()
    }

    /// People the network finds in a square crop around a group, upscaled to its input.
    fn learned_in(&self, frame: &Frame, blob: &Blob) -> Result<Vec<PersonCandidate>> {
        let (Some(net), Some(options)) = (&self.learned, self.options.learned) else {
            return Ok(Vec::new());
        };
        let side = (blob.width().max(blob.height()) as f32 * 1.3)
            .ceil()
            .max(16.0);
        let cx = (blob.x0 + blob.x1) as f32 * 0.5;
        let cy = (blob.y0 + blob.y1) as f32 * 0.5;
        let (x0, y0) = (cx - side * 0.5, cy - side * 0.5);
        let tile = net.tile();
        let crop = crop_rgb(frame, x0, y0, side, tile);
        let scale = side / tile as f32;
        let tile_options = TileOptions {
            person_threshold: options.person_threshold,
            ..TileOptions::default()
        };
        let found = net.detect(&crop, &tile_options)?;
        Ok(found
            .into_iter()
            .filter(|d| d.class == ObjectClass::Person)
            .map(|d| BoxPx {
                x0: (x0 + d.bbox.x0 * scale).max(blob.x0 as f32),
                y0: (y0 + d.bbox.y0 * scale).max(blob.y0 as f32),
                x1: (x0 + d.bbox.x1 * scale).min(blob.x1 as f32),
                y1: (y0 + d.bbox.y1 * scale).min(blob.y1 as f32),
            })
            .filter(|b| b.x1 - b.x0 >= 2.0 && b.y1 - b.y0 >= 0.5 * blob.height() as f32)
            .map(|bbox| {
                let part = Blob {
                    x0: bbox.x0.floor() as u32,
                    y0: bbox.y0.floor() as u32,
                    x1: (bbox.x1.ceil() as u32).max(bbox.x0.floor() as u32 + 1),
                    y1: (bbox.y1.ceil() as u32).max(bbox.y0.floor() as u32 + 1),
                    pixels: 0,
                };
                let mut person = self.person(frame, &part, 0.8, true);
                person.bbox = bbox;
                person
            })
            .collect())
    }
}

/// Joins regions stacked one above the other (a head cut from its body by a collar the
/// colour of the grass, legs from a torso) when the gap is small for a person there.
fn merge_stacked(mut blobs: Vec<Blob>, scene: &Scene) -> Vec<Blob> {
    blobs.sort_by_key(|b| (b.x0, b.y0));
    let mut merged = true;
    while merged {
        merged = false;
        'outer: for i in 0..blobs.len() {
            for j in 0..blobs.len() {
                if i == j {
                    continue;
                }
                let (upper, lower) = (&blobs[i], &blobs[j]);
                if upper.y1 > lower.y0 + 1 {
                    continue;
                }
                let overlap = upper.x1.min(lower.x1) as i64 - upper.x0.max(lower.x0) as i64;
                if overlap <= 0 {
                    continue;
                }
                let foot = Point2::new((lower.x0 + lower.x1) as f64 * 0.5, lower.y1 as f64);
                let expected = scene
                    .height_px_at_foot(foot, PERSON_HEIGHT_M)
                    .unwrap_or(0.0);
                let gap = lower.y0 as f64 - upper.y1 as f64;
                let joined = upper.union(lower);
                if gap <= (0.12 * expected).max(1.0) && (joined.height() as f64) < 1.3 * expected {
                    blobs[i] = joined;
                    blobs.swap_remove(j);
                    merged = true;
                    break 'outer;
                }
            }
        }
    }
    blobs
}

/// A square crop of an I420 frame, `side` pixels from (`x0`, `y0`), resampled to
/// `out` × `out` RGB (nearest sample; the network sees blur either way). Outside the
/// frame is black.
fn crop_rgb(frame: &Frame, x0: f32, y0: f32, side: f32, out: u32) -> RgbImage {
    let [py, pu, pv] = [&frame.planes[0], &frame.planes[1], &frame.planes[2]];
    let (w, h) = (frame.size.width as i64, frame.size.height as i64);
    let step = side / out as f32;
    RgbImage::from_fn(out, out, |i, j| {
        let x = (x0 + (i as f32 + 0.5) * step).floor() as i64;
        let y = (y0 + (j as f32 + 0.5) * step).floor() as i64;
        if x < 0 || y < 0 || x >= w || y >= h {
            return image::Rgb([0, 0, 0]);
        }
        let (x, y) = (x as usize, y as usize);
        image::Rgb(yuv_to_rgb([
            py.data[y * py.stride + x],
            pu.data[(y / 2) * pu.stride + x / 2],
            pv.data[(y / 2) * pv.stride + x / 2],
        ]))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use touchline_core::geometry::{RigOptions, Sport};
    use touchline_core::warp::PixelFormat;

    /// An I420 panorama of grass with light squares painted on it (centre, side, Y).
    fn picture(scene: &Scene, squares: &[(u32, u32, u32, u8)]) -> Vec<u8> {
        let (w, h) = (
            scene.panorama.size.width as usize,
            scene.panorama.size.height as usize,
        );
        let mut data = vec![90u8; w * h];
        data.extend(std::iter::repeat_n(112u8, w * h / 2));
        for &(x, y, side, luma) in squares {
            let half = side / 2;
            for row in y - half..y - half + side {
                let start = row as usize * w + (x - half) as usize;
                data[start..start + side as usize].fill(luma);
            }
            for row in (y - half) / 2..(y - half + side).div_ceil(2) {
                let start = w * h + row as usize * w / 2 + ((x - half) / 2) as usize;
                data[start..start + side.div_ceil(2) as usize].fill(128);
                let start = start + w * h / 4;
                data[start..start + side.div_ceil(2) as usize].fill(128);
            }
        }
        data
    }

    /// A detector without the learned detector for the default rig, its background
    /// learnt from a frame of bare grass.
    fn detector_on_grass() -> (PanoramaDetector, Scene) {
        let rig = RigOptions::for_sport(Sport::Football).build().unwrap();
        let scene = Scene::new(rig.panorama, rig.pitch).unwrap();
        let options = PanoramaOptions {
            learned: None,
            ..PanoramaOptions::default()
        };
        let mut detector = PanoramaDetector::new(scene, options, None).unwrap();
        let grass = picture(&scene, &[]);
        detector
            .detect(&Frame::packed(PixelFormat::I420, scene.panorama.size, &grass).unwrap())
            .unwrap();
        (detector, scene)
    }

    #[test]
    fn a_person_s_head_colour_is_read_from_the_top_of_their_box_not_their_kit() {
        let (mut detector, scene) = detector_on_grass();
        let size = scene.panorama.size;
        let foot = scene.pixel(Point2::new(0.0, -20.0), 0.0).unwrap();
        let tall = scene
            .height_px_at_foot(foot, PERSON_HEIGHT_M)
            .unwrap()
            .round() as u32;
        let (wide, head) = ((0.3 * tall as f64).round() as u32, tall / 8);
        let (x0, y0) = (
            foot.x.round() as u32 - wide / 2,
            foot.y.round() as u32 - tall,
        );
        // Dark hair over a white kit, on the grass (Y 90).
        let mut picture = picture(&scene, &[]);
        let w = size.width as usize;
        for row in y0..y0 + tall {
            let luma = if row < y0 + head { 30 } else { 200 };
            let start = row as usize * w + x0 as usize;
            picture[start..start + wide as usize].fill(luma);
        }
        let found = detector
            .detect(&Frame::packed(PixelFormat::I420, size, &picture).unwrap())
            .unwrap();
        assert_eq!(found.people.len(), 1, "{:?}", found.people);
        let person = &found.people[0];
        assert!(person.head[0] < 60.0, "head {:?}", person.head);
        assert!(person.colour[0] > 190.0, "shirt {:?}", person.colour);
    }

    #[test]
    fn a_ball_flying_above_the_far_touchline_is_a_candidate_and_nothing_else_there_is() {
        let (mut detector, scene) = detector_on_grass();
        let size = scene.panorama.size;
        let column = size.width / 2;
        let people_top = detector.people_top[column as usize];
        assert!(people_top > 60, "no room above the pitch: {people_top}");
        // The ball well above where anyone on the pitch could be seen, and something
        // much larger than a ball up there too (a flag in the stands).
        let air_row = people_top - 30;
        let flying = picture(
            &scene,
            &[(column, air_row, 6, 230), (column + 400, air_row, 40, 230)],
        );
        let found = detector
            .detect(&Frame::packed(PixelFormat::I420, size, &flying).unwrap())
            .unwrap();
        assert_eq!(found.balls.len(), 1, "{:?}", found.balls);
        let ball = found.balls[0].centre;
        assert!(
            (ball - Point2::new(column as f64, air_row as f64)).norm() < 2.0,
            "{ball}"
        );
        assert!(found.people.is_empty(), "{:?}", found.people);
    }

    #[test]
    fn a_ball_dropping_near_the_cameras_is_a_candidate_against_the_far_pitch() {
        let (mut detector, scene) = detector_on_grass();
        let size = scene.panorama.size;
        let column = size.width / 2;
        // 24 px across where a ball on the grass would be 4: as wide as two far
        // players side by side, but round and white, and no larger than a ball near
        // the cameras looks.
        let row = detector.people_top[column as usize] + 60;
        let dropping = picture(&scene, &[(column, row, 24, 230)]);
        let found = detector
            .detect(&Frame::packed(PixelFormat::I420, size, &dropping).unwrap())
            .unwrap();
        let target = Point2::new(column as f64, row as f64);
        assert!(
            found.balls.iter().any(|b| (b.centre - target).norm() < 2.0),
            "{:?}",
            found.balls
        );
    }
}
