//! The match's event log.

use serde::{Deserialize, Serialize};

use crate::people::{PersonId, Side};

/// What happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// Play starts or restarts from the centre spot.
    KickOff,
    /// A pass along the ground.
    Pass,
    /// A pass through the air.
    LoftedPass,
    /// A shot at goal.
    Shot,
    /// A header.
    Header,
    /// A player takes control of a loose ball (first touch after a pass or a loose ball).
    Reception,
    /// A player wins the ball from an opponent's feet.
    Tackle,
    /// A player takes a pass meant for an opponent.
    Interception,
    /// The goalkeeper stops a shot.
    Save,
    /// The ball hits a post or the crossbar.
    Woodwork,
    /// The ball crosses a touchline or goal line; play stops.
    Out,
    /// The whole ball crosses the goal line between the posts and under the bar.
    Goal,
    /// Restart from the touchline.
    ThrowIn,
    /// Restart from the corner arc.
    Corner,
    /// Restart from the goal area.
    GoalKick,
}

/// One logged event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Match time, seconds.
    pub time: f64,
    /// What happened.
    pub kind: EventKind,
    /// The team it is credited to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team: Option<Side>,
    /// The player who did it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person: Option<PersonId>,
    /// Where on the pitch (ball position), metres.
    pub x: f64,
    /// Where on the pitch, metres.
    pub y: f64,
}
