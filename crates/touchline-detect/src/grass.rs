//! Who stands on the pitch, in a single picture without calibration: the grass around
//! a person's boots. A broadcast picture also shows people who are not in the match
//! (the bench, stewards, photographers, the front rows of the crowd), and a learned
//! person detector finds them all; players, goalkeepers and referees stand on grass.
//! Grass is told by its hue, not by one shade of green, so that mowing stripes, the
//! shadow of a stand and a sunlit, yellower half of the pitch all count.
//!
//! The same holds for the ball: seen from high above the pitch, a ball on the grass or
//! in the air is seen against the grass, while ball-like specks in the crowd are not.
//!
//! On the 49 real broadcast frames (Bundesliga, 1,062 labelled people, 45 balls), grass
//! under less than [`ON_GRASS_SHARE`] of the band around the boots rules out 239 of the
//! 677 person detections no label matches, and one of the 921 a label matches; grass
//! around less than [`BALL_ON_GRASS_SHARE`] of a ball rules out 11 of the 21 ball
//! detections no label matches, and none of the 11 a label matches.

use image::{Rgb, RgbImage};

use crate::BoxPx;

/// Least share of grass in the band around the boots of someone on the pitch.
pub const ON_GRASS_SHARE: f64 = 0.3;

/// Least share of grass around a ball on the pitch: most of what it is seen against.
pub const BALL_ON_GRASS_SHARE: f64 = 0.5;

/// Least share of a picture that is grass for it to show a pitch at all (a match
/// picture is mostly pitch); in a picture that does not, nobody is judged by it.
const PITCH_SHARE: f64 = 0.1;

/// Whether a pixel is grass: a clear green (hue between yellow-green and cyan-green,
/// some colour at all), however light or dark.
pub fn is_grass(Rgb([r, g, b]): Rgb<u8>) -> bool {
    let (r, g, b) = (f32::from(r), f32::from(g), f32::from(b));
    let (max, min) = (r.max(g).max(b), r.min(g).min(b));
    let chroma = max - min;
    if chroma < 12.0 || max != g {
        return false;
    }
    // Hue in degrees: yellow is 60, green 120, cyan 180.
    let hue = 60.0 * (2.0 + (b - r) / chroma);
    (65.0..=170.0).contains(&hue)
}

/// Whether a picture shows a pitch: at least [`PITCH_SHARE`] of it is grass.
pub fn shows_pitch(picture: &RgbImage) -> bool {
    let (mut grass, mut n) = (0u64, 0u64);
    // Every fourth pixel each way is plenty for a share.
    for y in (0..picture.height()).step_by(4) {
        for x in (0..picture.width()).step_by(4) {
            grass += u64::from(is_grass(*picture.get_pixel(x, y)));
            n += 1;
        }
    }
    n > 0 && grass as f64 >= PITCH_SHARE * n as f64
}

/// The share of grass in the band around the boots of the person in `bbox`: from a
/// tenth of their height above the bottom of the box to a tenth below, half their
/// width wider on each side (their boots are few of its pixels). `None` when the band
/// reaches past the picture's bottom edge: their boots may be out of the picture.
pub fn grass_at_feet(picture: &RgbImage, bbox: &BoxPx) -> Option<f64> {
    let (w, h) = (bbox.x1 - bbox.x0, bbox.y1 - bbox.y0);
    if !(w > 0.0 && h > 0.0) || bbox.y1 + 0.1 * h >= picture.height() as f32 {
        return None;
    }
    grass_share(
        picture,
        &BoxPx {
            x0: bbox.x0 - 0.5 * w,
            y0: bbox.y1 - 0.1 * h,
            x1: bbox.x1 + 0.5 * w,
            y1: bbox.y1 + 0.1 * h,
        },
    )
}

/// The share of grass around a ball's box: the box grown by its own size on every
/// side. A camera high above the pitch sees a ball, rolling or lofted, against the
/// grass, and a ball-like speck in the crowd or on a board against anything else.
pub fn grass_around(picture: &RgbImage, bbox: &BoxPx) -> Option<f64> {
    let (w, h) = (bbox.x1 - bbox.x0, bbox.y1 - bbox.y0);
    grass_share(
        picture,
        &BoxPx {
            x0: bbox.x0 - w,
            y0: bbox.y0 - h,
            x1: bbox.x1 + w,
            y1: bbox.y1 + h,
        },
    )
}

/// The share of grass among the pixels of `area` inside the picture; `None` when none
/// are.
fn grass_share(picture: &RgbImage, area: &BoxPx) -> Option<f64> {
    let x0 = area.x0.max(0.0) as u32;
    let y0 = area.y0.max(0.0) as u32;
    let x1 = (area.x1.max(0.0).ceil() as u32).min(picture.width());
    let y1 = (area.y1.max(0.0).ceil() as u32).min(picture.height());
    let (mut grass, mut n) = (0u32, 0u32);
    for y in y0..y1 {
        for x in x0..x1 {
            grass += u32::from(is_grass(*picture.get_pixel(x, y)));
            n += 1;
        }
    }
    (n > 0).then(|| f64::from(grass) / f64::from(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    const GRASS: Rgb<u8> = Rgb([60, 120, 50]);
    const SHADED_GRASS: Rgb<u8> = Rgb([25, 48, 28]);
    const SUNLIT_GRASS: Rgb<u8> = Rgb([150, 170, 80]);
    const CONCRETE: Rgb<u8> = Rgb([130, 128, 125]);
    const RED_SEATS: Rgb<u8> = Rgb([170, 30, 40]);

    #[test]
    fn grass_is_told_by_its_hue_in_light_and_shade() {
        for green in [GRASS, SHADED_GRASS, SUNLIT_GRASS] {
            assert!(is_grass(green), "{green:?}");
        }
        for other in [
            CONCRETE,
            RED_SEATS,
            Rgb([255, 255, 255]),
            Rgb([40, 60, 160]),
        ] {
            assert!(!is_grass(other), "{other:?}");
        }
    }

    /// A pitch with a strip of stands along its top, and boxes of people standing on
    /// each.
    #[test]
    fn a_player_stands_on_grass_and_a_spectator_does_not() {
        let mut picture = RgbImage::from_pixel(200, 100, GRASS);
        for y in 0..30 {
            for x in 0..200 {
                picture.put_pixel(x, y, RED_SEATS);
            }
        }
        assert!(shows_pitch(&picture));
        let player = BoxPx {
            x0: 100.0,
            y0: 50.0,
            x1: 106.0,
            y1: 70.0,
        };
        let spectator = BoxPx {
            x0: 40.0,
            y0: 2.0,
            x1: 46.0,
            y1: 20.0,
        };
        assert!(grass_at_feet(&picture, &player).unwrap() > ON_GRASS_SHARE);
        assert!(grass_at_feet(&picture, &spectator).unwrap() < ON_GRASS_SHARE);
        // Boots cut by the picture's bottom edge: nothing to judge by.
        let cut = BoxPx {
            y0: 85.0,
            y1: 99.0,
            ..player
        };
        assert_eq!(grass_at_feet(&picture, &cut), None);
        // A ball on the grass, and a white speck among the seats.
        let ball = |x0: f32, y0: f32| BoxPx {
            x0,
            y0,
            x1: x0 + 4.0,
            y1: y0 + 4.0,
        };
        assert!(grass_around(&picture, &ball(150.0, 60.0)).unwrap() >= BALL_ON_GRASS_SHARE);
        assert!(grass_around(&picture, &ball(150.0, 10.0)).unwrap() < BALL_ON_GRASS_SHARE);
        // Stands alone are no pitch.
        assert!(!shows_pitch(&RgbImage::from_pixel(50, 50, RED_SEATS)));
    }
}
