//! Event counts of simulated matches: `match_stats [SECONDS] [SEED ...]`.
use std::collections::BTreeMap;
use touchline_core::geometry::Sport;
use touchline_sim::engine::{MatchEngine, STEP_SECONDS};
fn main() {
    let seconds: f64 = std::env::args()
        .nth(1)
        .map(|s| s.parse().unwrap())
        .unwrap_or(600.0);
    let seeds: Vec<u64> = std::env::args()
        .skip(2)
        .filter_map(|s| s.parse().ok())
        .collect();
    let seeds = if seeds.is_empty() {
        vec![1, 2, 3, 4]
    } else {
        seeds
    };
    for seed in seeds {
        let mut e = MatchEngine::new(Sport::Football, Sport::Football.pitch(), seed);
        let mut in_play = 0usize;
        let mut steps = 0usize;
        let mut max_z: f64 = 0.0;
        let mut air = 0usize;
        for _ in 0..(seconds / STEP_SECONDS) as usize {
            e.step();
            steps += 1;
            let s = e.snapshot();
            if s.in_play {
                in_play += 1
            };
            max_z = max_z.max(s.ball.position.z);
            if s.ball.position.z > 1.0 {
                air += 1
            }
        }
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for ev in e.events() {
            *counts.entry(format!("{:?}", ev.kind)).or_default() += 1;
        }
        println!(
            "seed {seed}: score {:?} in_play {:.0}% max_z {:.1} air {:.1}% {:?}",
            e.score(),
            100.0 * in_play as f64 / steps as f64,
            max_z,
            100.0 * air as f64 / steps as f64,
            counts
        );
    }
}
