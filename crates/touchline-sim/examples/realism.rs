//! Sizes of people and the ball in each camera of the default rig, from the truth of a
//! simulated match: `cargo run --release -p touchline-sim --example realism -- [SECONDS] [SEED]`.

use touchline_core::geometry::{ImageSize, Sport};
use touchline_sim::{SimConfig, Simulation};

fn percentiles(mut v: Vec<f64>) -> String {
    if v.is_empty() {
        return "none".into();
    }
    v.sort_by(f64::total_cmp);
    let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    format!(
        "min {:.1}, 5% {:.1}, median {:.1}, 95% {:.1}, max {:.1} (n = {})",
        at(0.0),
        at(0.05),
        at(0.5),
        at(0.95),
        at(1.0),
        v.len()
    )
}

fn main() {
    let mut args = std::env::args().skip(1);
    let seconds: f64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(120.0);
    let seed: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(7);
    let sport = Sport::Football;
    let size = ImageSize::new(1920, 1080).expect("valid size");
    let mut config =
        SimConfig::new(sport, sport.pitch(), size, seed, seconds, 25).expect("valid config");
    config.supersampling = 1;
    let mut sim = Simulation::new(config).expect("simulation starts");
    let names = sim.camera_names();
    let mut heights = vec![Vec::new(); names.len()];
    let mut balls = vec![Vec::new(); names.len()];
    let mut k = 0u64;
    while let Some(set) = sim.next_frame() {
        k += 1;
        if !k.is_multiple_of(5) {
            continue;
        }
        for (c, name) in names.iter().enumerate() {
            for p in &set.truth.people {
                if let Some(b) = p.boxes.get(name) {
                    // Whole figures only: not cut by the picture's edge, mostly visible.
                    if b[4] > 0.5
                        && b[1] > 0.0
                        && b[3] < size.height as f64
                        && b[0] > 0.0
                        && b[2] < size.width as f64
                    {
                        heights[c].push(b[3] - b[1]);
                    }
                }
            }
            if let Some(b) = set.truth.ball.boxes.get(name) {
                if b[4] > 0.5 {
                    // The box of a blurred ball is long along the motion: its diameter
                    // is the shorter side.
                    balls[c].push((b[2] - b[0]).min(b[3] - b[1]));
                }
            }
        }
    }
    for (c, name) in names.iter().enumerate() {
        println!(
            "{name}: player height px: {}",
            percentiles(heights[c].clone())
        );
        println!(
            "{name}: ball diameter px: {}",
            percentiles(balls[c].clone())
        );
    }
}
