//! What the calibration says about sizes in the panorama: how tall a person standing at
//! a pixel looks, where the pitch lies, and which pitch point a pixel shows.

use nalgebra::{Point2, Point3};
use touchline_core::geometry::panorama::Panorama;
use touchline_core::geometry::pitch::Pitch;

use crate::foreground::ColumnSpans;
use crate::{Error, Result};

/// A typical standing height, metres: sizes expected of people are relative to it.
pub const PERSON_HEIGHT_M: f64 = 1.8;
/// A football's diameter, metres.
pub const BALL_DIAMETER_M: f64 = 0.22;

/// The panorama and the pitch it shows.
#[derive(Clone, Copy, Debug)]
pub struct Scene {
    /// The panorama's projection and its place on the pitch.
    pub panorama: Panorama,
    /// The pitch.
    pub pitch: Pitch,
}

impl Scene {
    /// A scene, refused when the calibration holds values that are not numbers or the
    /// camera is not above the ground.
    pub fn new(panorama: Panorama, pitch: Pitch) -> Result<Scene> {
        panorama
            .validate()
            .and_then(|_| pitch.validate())
            .map_err(|e| Error::Input(format!("unusable calibration: {e}")))?;
        if panorama.centre[2] <= 0.5 {
            return Err(Error::Input(format!(
                "unusable calibration: the cameras are {:.2} m above the pitch; they must look down on it",
                panorama.centre[2]
            )));
        }
        Ok(Scene { panorama, pitch })
    }

    /// The pitch point (metres, on the ground) a panorama pixel shows, if the pixel looks
    /// down at the ground.
    pub fn ground(&self, pixel: Point2<f64>) -> Option<Point2<f64>> {
        self.panorama
            .ground_point(&pixel, 0.0)
            .map(|p| Point2::new(p.x, p.y))
    }

    /// The panorama pixel of a pitch point at a height.
    pub fn pixel(&self, ground: Point2<f64>, height: f64) -> Option<Point2<f64>> {
        self.panorama
            .project(&Point3::new(ground.x, ground.y, height))
    }

    /// How many pixels tall an object of `height` metres standing on the pitch point
    /// under `foot` looks.
    pub fn height_px_at_foot(&self, foot: Point2<f64>, height: f64) -> Option<f64> {
        let ground = self.ground(foot)?;
        let head = self.pixel(ground, height)?;
        Some(foot.y - head.y)
    }

    /// The foot pixel of a person of [`PERSON_HEIGHT_M`] standing upright whose head is
    /// at `head`, searched from `below` (a first guess under the head).
    pub fn standing_foot(&self, head: Point2<f64>, below: f64) -> Option<Point2<f64>> {
        // The height expected grows about a third as fast as the feet move down the
        // picture (the ratio of a person's height to the camera's), so the fixed point
        // is reached in a few steps.
        let mut foot = Point2::new(head.x, below.max(head.y + 1.0));
        for _ in 0..6 {
            foot.y = head.y + self.height_px_at_foot(foot, PERSON_HEIGHT_M)?;
        }
        Some(foot)
    }

    /// Metres on the pitch per pixel of the panorama at a foot pixel (the larger of the
    /// two directions), for measurement noise.
    pub fn metres_per_pixel(&self, foot: Point2<f64>) -> Option<f64> {
        let g = self.ground(foot)?;
        let gx = self.ground(foot + nalgebra::Vector2::new(1.0, 0.0))?;
        let gy = self.ground(foot + nalgebra::Vector2::new(0.0, 1.0))?;
        Some((gx - g).norm().max((gy - g).norm()))
    }

    /// For each column, the rows that show the pitch grown by `margin` metres on every
    /// side, and room above for a person standing on its far edge.
    pub fn pitch_spans(&self, margin: f64) -> ColumnSpans {
        let size = self.panorama.size;
        let mut spans = ColumnSpans::full(size);
        for x in 0..size.width as usize {
            let (mut top, mut bottom) = (size.height, 0);
            // Rows step by 2: the spans are a coarse region of interest.
            for y in (0..size.height).step_by(2) {
                let pixel = Point2::new(x as f64, y as f64);
                if self
                    .ground(pixel)
                    .is_some_and(|p| self.pitch.within(&p, margin))
                {
                    top = top.min(y);
                    bottom = bottom.max(y + 2);
                }
            }
            if top < bottom {
                let foot = Point2::new(x as f64, top as f64);
                let head_room = self
                    .height_px_at_foot(foot, PERSON_HEIGHT_M * 1.4)
                    .unwrap_or(0.0)
                    .ceil() as u32;
                spans.top[x] = top.saturating_sub(head_room);
                spans.bottom[x] = bottom.min(size.height);
            } else {
                spans.top[x] = 0;
                spans.bottom[x] = 0;
            }
        }
        spans
    }
}
