//! Tuning aid: runs the detector over PNG panorama frames (f0000.png …) and writes the
//! foreground mask and the candidates of the last one as a picture.
use image::{Rgb, RgbImage};
use rayon::prelude::*;
use touchline_core::geometry::{ImageSize, Rig};
use touchline_core::image::rgb_to_yuv;
use touchline_core::warp::{Frame, PixelFormat};
use touchline_detect::panorama::{PanoramaDetector, PanoramaOptions};
use touchline_detect::scene::Scene;

fn i420(img: &RgbImage) -> Vec<u8> {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let yuv: Vec<[f32; 3]> = img
        .pixels()
        .collect::<Vec<_>>()
        .par_iter()
        .map(|p| rgb_to_yuv(p.0.map(|c| c as f32 / 255.0)))
        .collect();
    let mut out = vec![0u8; w * h * 3 / 2];
    for i in 0..w * h {
        out[i] = yuv[i][0].round() as u8;
    }
    for cy in 0..h / 2 {
        for cx in 0..w / 2 {
            for c in 1..3 {
                let s: f32 = [(0, 0), (1, 0), (0, 1), (1, 1)]
                    .iter()
                    .map(|(dx, dy)| yuv[(2 * cy + dy) * w + 2 * cx + dx][c])
                    .sum();
                out[w * h + (c - 1) * (w * h / 4) + cy * (w / 2) + cx] = (s / 4.0).round() as u8;
            }
        }
    }
    out
}

fn main() -> anyhow::Result<()> {
    let a: Vec<String> = std::env::args().collect();
    let rig = Rig::load(std::path::Path::new(&a[1]))?;
    let (dir, from, to): (&str, usize, usize) = (&a[2], a[3].parse()?, a[4].parse()?);
    let scene = Scene::new(rig.panorama, rig.pitch)?;
    let mut det = PanoramaDetector::new(
        scene,
        PanoramaOptions {
            learned: None,
            ..Default::default()
        },
        None,
    )?;
    let size = ImageSize::new(rig.panorama.size.width, rig.panorama.size.height)?;
    let mut last = None;
    for f in (from..=to).step_by(1) {
        let img = image::open(format!("{dir}/f{f:04}.png"))?.to_rgb8();
        let data = i420(&img);
        let frame = Frame::packed(PixelFormat::I420, size, &data)?;
        let found = det.detect(&frame)?;
        let top: Vec<String> = found
            .balls
            .iter()
            .take(6)
            .map(|b| {
                format!(
                    "({:.0},{:.0} d{:.0} s{:.2})",
                    b.centre.x, b.centre.y, b.diameter, b.score
                )
            })
            .collect();
        println!("{f} {}", top.join(" "));
        last = Some((img, found));
    }
    let (mut img, found) = last.unwrap();
    let mask = det.background().mask();
    for (i, p) in img.pixels_mut().enumerate() {
        if mask[i] != 0 {
            p.0 = [255, 0, 255];
        }
    }
    for p in &found.people {
        for x in p.bbox.x0 as u32..p.bbox.x1 as u32 {
            for y in [p.bbox.y0 as u32, p.bbox.y1 as u32] {
                if x < img.width() && y < img.height() {
                    img.put_pixel(
                        x,
                        y,
                        Rgb(if p.from_group {
                            [255, 255, 0]
                        } else {
                            [0, 255, 255]
                        }),
                    );
                }
            }
        }
    }
    for b in &found.balls {
        println!(
            "ball {:.1} {:.1} d {:.1} s {:.2}",
            b.centre.x, b.centre.y, b.diameter, b.score
        );
    }
    img.save("/tmp/mask.png")?;
    Ok(())
}
