//! A ten-minute match holds what later stages must cope with: goals, restarts and balls
//! in the air.

use touchline_core::geometry::Sport;
use touchline_sim::engine::{MatchEngine, STEP_SECONDS};
use touchline_sim::events::EventKind;

#[test]
fn ten_minutes_hold_a_goal_restarts_and_lofted_balls() {
    let mut engine = MatchEngine::new(Sport::Football, Sport::Football.pitch(), 7);
    let mut highest: f64 = 0.0;
    for _ in 0..(600.0 / STEP_SECONDS) as usize {
        engine.step();
        highest = highest.max(engine.snapshot().ball.position.z);
    }
    let count = |kind| engine.events().iter().filter(|e| e.kind == kind).count();
    assert!(count(EventKind::Goal) >= 1, "no goal");
    assert!(
        count(EventKind::Corner) + count(EventKind::ThrowIn) >= 1,
        "no corner or throw-in"
    );
    assert!(count(EventKind::LoftedPass) >= 5, "too few lofted balls");
    assert!(highest > 5.0, "the ball never rose above {highest:.1} m");
    assert_eq!(
        engine.score().iter().sum::<u32>() as usize,
        count(EventKind::Goal),
        "every goal is logged"
    );
    // Events come in time order.
    assert!(engine.events().windows(2).all(|w| w[0].time <= w[1].time));
}

#[test]
fn the_small_sided_profile_plays_seven_a_side() {
    let mut engine = MatchEngine::new(Sport::Football7, Sport::Football7.pitch(), 1);
    assert_eq!(engine.people().len(), 15);
    for _ in 0..(120.0 / STEP_SECONDS) as usize {
        engine.step();
    }
    assert!(engine.events().iter().any(|e| e.kind == EventKind::Pass));
}
