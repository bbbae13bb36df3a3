//! The stitcher against the simulator's ideal panorama: the two simulated cameras (with
//! their lenses, mismatched exposure and white balance, vignetting and noise) stitched
//! through the true rig must match what a perfect camera at the rig's centre sees.
//!
//! Keeps the stitched panorama, the ideal one and their difference (×8) as PNGs under
//! the target directory's `tmp/stitching/` for a person to look at.

use std::path::PathBuf;

use nalgebra::Point2;
use touchline_core::geometry::{ImageSize, Sport};
use touchline_core::image::I420Frame;
use touchline_core::warp::quality::psnr;
use touchline_core::warp::{Frame, FrameMut, PixelFormat, StitchOptions, Stitcher};
use touchline_sim::{SimConfig, Simulation};

fn frame(f: &I420Frame) -> Frame<'_> {
    Frame::packed(PixelFormat::I420, f.size(), f.as_bytes()).unwrap()
}

fn save_grey(path: &PathBuf, size: ImageSize, pixels: Vec<u8>) {
    image::GrayImage::from_raw(size.width, size.height, pixels)
        .unwrap()
        .save(path)
        .unwrap();
}

#[test]
fn the_stitched_panorama_matches_the_ideal_one_without_a_visible_seam() {
    let sport = Sport::Football;
    let size = ImageSize::new(1920, 1080).unwrap();
    let mut config = SimConfig::new(sport, sport.pitch(), size, 7, 0.4, 25).unwrap();
    config.panorama = true;
    let rig = config.rig.clone();
    let pano = rig.panorama;
    let mut stitcher = Stitcher::new(&rig, PixelFormat::I420, StitchOptions::default()).unwrap();
    let mut sim = Simulation::new(config).unwrap();

    let mut stitched = I420Frame::filled(pano.size, [0, 0, 0]);
    let mut last = None;
    while let Some(set) = sim.next_frame() {
        let mut bytes = stitched.into_bytes();
        let mut out = FrameMut::packed(PixelFormat::I420, pano.size, &mut bytes).unwrap();
        stitcher
            .stitch(&frame(&set.cameras[0]), &frame(&set.cameras[1]), &mut out)
            .unwrap();
        stitched = I420Frame::from_bytes(pano.size, bytes).unwrap();
        last = set.panorama;
    }
    let ideal = last.expect("the simulation renders the ideal panorama");

    // The pitch's pixels: their ray meets the ground inside the touchlines.
    let on_pitch = |x: u32, y: u32| {
        pano.ground_point(&Point2::new(x as f64, y as f64), 0.0)
            .is_some_and(|p| rig.pitch.contains(&Point2::new(p.x, p.y)))
    };
    let (s, i) = (frame(&stitched), frame(&ideal));
    let luma = psnr(&s.planes[0], &i.planes[0], on_pitch).unwrap();
    let chroma_on_pitch = |x: u32, y: u32| on_pitch(2 * x, 2 * y);
    let cb = psnr(&s.planes[1], &i.planes[1], chroma_on_pitch).unwrap();
    let cr = psnr(&s.planes[2], &i.planes[2], chroma_on_pitch).unwrap();
    println!("PSNR over the pitch: Y {luma:.2} dB, Cb {cb:.2} dB, Cr {cr:.2} dB");

    // The seam: the error next to it is no larger than the error elsewhere on the pitch.
    let w = pano.size.width as usize;
    let seam = stitcher.seam();
    let (mut near, mut far) = ((0.0, 0u64), (0.0, 0u64));
    let mut difference = vec![0u8; pano.size.area()];
    for y in 0..pano.size.height {
        for x in 0..pano.size.width {
            let at = y as usize * w + x as usize;
            let d = (s.planes[0].data[at] as f64 - i.planes[0].data[at] as f64).abs();
            difference[at] = (d * 8.0).min(255.0) as u8;
            if !on_pitch(x, y) {
                continue;
            }
            let bucket = match seam[y as usize] {
                Some(c) if (x as i64 - c as i64).abs() <= 24 => &mut near,
                _ => &mut far,
            };
            bucket.0 += d;
            bucket.1 += 1;
        }
    }
    let (near, far) = (near.0 / near.1 as f64, far.0 / far.1 as f64);
    println!("mean |difference|: {near:.2} levels along the seam, {far:.2} elsewhere");

    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("stitching");
    std::fs::create_dir_all(&dir).unwrap();
    save_grey(&dir.join("difference_x8.png"), pano.size, difference);
    for (name, f) in [("stitched.png", &stitched), ("ideal.png", &ideal)] {
        image::RgbImage::from_raw(pano.size.width, pano.size.height, f.to_rgb())
            .unwrap()
            .save(dir.join(name))
            .unwrap();
    }
    println!("pictures in {}", dir.display());

    assert!(luma >= 32.0, "luma PSNR {luma:.2} dB is under 32 dB");
    assert!(near <= far * 1.25, "the seam shows: {near:.2} vs {far:.2}");
}
