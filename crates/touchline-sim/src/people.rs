//! The people on the pitch: two teams and a referee.

use std::fmt;

use nalgebra::Vector2;
use serde::{Deserialize, Serialize};

/// Identifies one person for the whole match (1-based, stable).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PersonId(pub u32);

impl fmt::Display for PersonId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// A team. Home attacks towards +x, away towards −x.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// Attacks towards +x.
    Home,
    /// Attacks towards −x.
    Away,
}

impl Side {
    /// The other team.
    pub fn opponent(self) -> Side {
        match self {
            Side::Home => Side::Away,
            Side::Away => Side::Home,
        }
    }

    /// +1 for the team attacking towards +x, −1 otherwise.
    pub fn attack_sign(self) -> f64 {
        match self {
            Side::Home => 1.0,
            Side::Away => -1.0,
        }
    }

    /// Name as written in files.
    pub fn name(self) -> &'static str {
        match self {
            Side::Home => "home",
            Side::Away => "away",
        }
    }
}

/// What a person does on the pitch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Outfield player.
    Player,
    /// Goalkeeper.
    Goalkeeper,
    /// Referee.
    Referee,
}

/// Colours of a kit, linear RGB albedo in [0, 1].
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Kit {
    /// Shirt and sleeves.
    pub shirt: [f32; 3],
    /// Shorts.
    pub shorts: [f32; 3],
    /// Socks.
    pub socks: [f32; 3],
}

/// Who a person is: fixed for the whole match.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Person {
    /// Stable id.
    pub id: PersonId,
    /// Team, or `None` for the referee.
    pub team: Option<Side>,
    /// Role.
    pub role: Role,
    /// Shirt number (0 for the referee).
    pub number: u8,
    /// Standing height, metres.
    pub height: f64,
    /// Top speed, m/s.
    #[serde(skip)]
    pub max_speed: f64,
    /// Kit colours.
    pub kit: Kit,
    /// Skin colour.
    #[serde(skip)]
    pub skin: [f32; 3],
    /// Hair colour.
    #[serde(skip)]
    pub hair: [f32; 3],
    /// Position in the formation, in the team's frame: x from the own goal line (0) to
    /// the opponent's (1), y from the left touchline (−1) to the right (+1) looking
    /// up the pitch in attack.
    #[serde(skip)]
    pub anchor: Vector2<f64>,
}

/// Where a person is and how they move, at one instant.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PersonState {
    /// Ground position in the pitch frame, metres.
    pub position: Vector2<f64>,
    /// Velocity, m/s.
    pub velocity: Vector2<f64>,
    /// Running-cycle phase in radians, unwrapped (it only grows).
    pub gait_phase: f64,
}
