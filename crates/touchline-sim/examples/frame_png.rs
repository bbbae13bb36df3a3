use std::time::Instant;
use touchline_core::geometry::{ImageSize, Sport};
use touchline_sim::{SimConfig, Simulation};
fn save(f: &touchline_core::image::I420Frame, path: &str) {
    let s = f.size();
    image::RgbImage::from_raw(s.width, s.height, f.to_rgb())
        .unwrap()
        .save(path)
        .unwrap();
}
fn main() {
    let skip: u64 = std::env::args()
        .nth(1)
        .map(|s| s.parse().unwrap())
        .unwrap_or(100);
    let mut c = SimConfig::new(
        Sport::Football,
        Sport::Football.pitch(),
        ImageSize::new(1920, 1080).unwrap(),
        7,
        60.0,
        25,
    )
    .unwrap();
    c.panorama = std::env::var("PANO").is_ok();
    let t = Instant::now();
    let mut sim = Simulation::new(c).unwrap();
    eprintln!("setup {:?}", t.elapsed());
    let t = Instant::now();
    let mut last = None;
    for _ in 0..=skip {
        last = sim.next_frame();
    }
    eprintln!("{} frames {:?}", skip + 1, t.elapsed());
    let fs = last.unwrap();
    save(&fs.cameras[0], "/tmp/left.png");
    save(&fs.cameras[1], "/tmp/right.png");
    if let Some(p) = fs.panorama.as_ref() {
        save(p, "/tmp/pano.png");
    }
}
