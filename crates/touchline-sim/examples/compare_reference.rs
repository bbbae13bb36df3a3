//! Compares the simulated ideal panorama with the real one in
//! shared/data/reference-panorama: picture statistics at the reference's width.
//! `cargo run --release -p touchline-sim --example compare_reference -- PATH/panorama-day.jpg [OUT.png]`

use image::{imageops, GrayImage, RgbImage};
use touchline_core::geometry::{ImageSize, Sport};
use touchline_sim::{SimConfig, Simulation};

struct Stats {
    size: (u32, u32),
    grass_texture: f64,
    edge_density: f64,
    median_line_px: f64,
}

fn stats(rgb: &RgbImage) -> Stats {
    let (w, h) = rgb.dimensions();
    let luma = GrayImage::from_fn(w, h, |x, y| {
        let p = rgb.get_pixel(x, y);
        image::Luma([(0.2126 * p[0] as f64 + 0.7152 * p[1] as f64 + 0.0722 * p[2] as f64) as u8])
    });
    let is_grass = |x: u32, y: u32| {
        let p = rgb.get_pixel(x, y);
        p[1] as i32 > p[0] as i32 + 25 && p[1] as i32 > p[2] as i32 + 25
    };
    // Grass texture: local luma deviation in 5×5 windows that are all grass.
    let (mut dev, mut n) = (0.0f64, 0.0f64);
    for y in (2..h - 2).step_by(3) {
        for x in (2..w - 2).step_by(3) {
            if !(0..25).all(|k| is_grass(x + k % 5 - 2, y + k / 5 - 2)) {
                continue;
            }
            let vals: Vec<f64> = (0..25)
                .map(|k| luma.get_pixel(x + k % 5 - 2, y + k / 5 - 2)[0] as f64)
                .collect();
            let mean = vals.iter().sum::<f64>() / 25.0;
            dev += (vals.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / 25.0).sqrt();
            n += 1.0;
        }
    }
    // Edge density: mean gradient magnitude over the grass.
    let (mut grad, mut m) = (0.0f64, 0.0f64);
    for y in 1..h - 1 {
        for x in 1..w - 1 {
            if !is_grass(x, y) {
                continue;
            }
            let gx = luma.get_pixel(x + 1, y)[0] as f64 - luma.get_pixel(x - 1, y)[0] as f64;
            let gy = luma.get_pixel(x, y + 1)[0] as f64 - luma.get_pixel(x, y - 1)[0] as f64;
            grad += (gx * gx + gy * gy).sqrt();
            m += 1.0;
        }
    }
    // Painted lines: vertical runs of bright, unsaturated pixels between grass pixels.
    let mut runs = Vec::new();
    for x in (0..w).step_by(2) {
        let mut y = 1;
        while y < h - 1 {
            let white = |y: u32| {
                let p = rgb.get_pixel(x, y);
                let (mx, mn) = (p[0].max(p[1]).max(p[2]), p[0].min(p[1]).min(p[2]));
                mx > 170 && (mx - mn) < 60
            };
            if white(y) && is_grass(x, y - 1) {
                let start = y;
                while y < h - 1 && white(y) {
                    y += 1;
                }
                if is_grass(x, y) && y - start <= 8 {
                    runs.push((y - start) as f64);
                }
            }
            y += 1;
        }
    }
    runs.sort_by(f64::total_cmp);
    Stats {
        size: (w, h),
        grass_texture: dev / n.max(1.0),
        edge_density: grad / m.max(1.0),
        median_line_px: runs.get(runs.len() / 2).copied().unwrap_or(f64::NAN),
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let reference = args
        .next()
        .unwrap_or_else(|| "../shared/data/reference-panorama/panorama-day.jpg".into());
    let out = args.next();
    let real = image::open(&reference)
        .expect("reference panorama loads")
        .to_rgb8();
    let sport = Sport::Football;
    let mut config = SimConfig::new(
        sport,
        sport.pitch(),
        ImageSize::new(1920, 1080).expect("size"),
        7,
        10.0,
        25,
    )
    .expect("config");
    config.panorama = true;
    let mut sim = Simulation::new(config).expect("simulation");
    let mut last = None;
    for _ in 0..125 {
        last = sim.next_frame();
    }
    let pano = last.and_then(|f| f.panorama).expect("a panorama frame");
    let s = pano.size();
    let rgb = RgbImage::from_raw(s.width, s.height, pano.to_rgb()).expect("rgb");
    let width = real.width();
    let height = (s.height as f64 * width as f64 / s.width as f64).round() as u32;
    let small = imageops::resize(&rgb, width, height, imageops::FilterType::Triangle);
    if let Some(out) = out {
        small.save(&out).expect("write");
    }
    for (name, st) in [("real", stats(&real)), ("simulated", stats(&small))] {
        println!(
            "{name:10} {}x{}  grass texture (5x5 luma sd) {:.2}  grass gradient {:.2}  median line width {:.1} px",
            st.size.0, st.size.1, st.grass_texture, st.edge_density, st.median_line_px
        );
    }
}
