//! Line-ups: formations and kits for each sport profile.

use nalgebra::Vector2;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use touchline_core::geometry::Sport;

use crate::people::{Kit, Person, PersonId, Role, Side};

/// Formation anchors in the team frame (see [`Person::anchor`]), goalkeeper first.
fn formation(sport: Sport) -> &'static [(f64, f64)] {
    match sport {
        // 4-4-2.
        Sport::Football => &[
            (0.03, 0.0),
            (0.20, -0.72),
            (0.16, -0.26),
            (0.16, 0.26),
            (0.20, 0.72),
            (0.40, -0.68),
            (0.36, -0.22),
            (0.36, 0.22),
            (0.40, 0.68),
            (0.60, -0.22),
            (0.60, 0.22),
        ],
        // 2-3-1.
        Sport::Football7 => &[
            (0.04, 0.0),
            (0.22, -0.45),
            (0.22, 0.45),
            (0.42, -0.7),
            (0.40, 0.0),
            (0.42, 0.7),
            (0.62, 0.0),
        ],
    }
}

/// Kits that differ clearly from each other, from the referee's and from grass. Each
/// pair is home, away; the match draws one pair.
const KIT_PAIRS: [(Kit, Kit); 4] = [
    (
        Kit {
            shirt: [0.62, 0.05, 0.06],
            shorts: [0.85, 0.85, 0.85],
            socks: [0.62, 0.05, 0.06],
        },
        Kit {
            shirt: [0.80, 0.80, 0.82],
            shorts: [0.05, 0.07, 0.20],
            socks: [0.80, 0.80, 0.82],
        },
    ),
    (
        Kit {
            shirt: [0.04, 0.12, 0.55],
            shorts: [0.04, 0.04, 0.06],
            socks: [0.04, 0.12, 0.55],
        },
        Kit {
            shirt: [0.85, 0.55, 0.05],
            shorts: [0.85, 0.55, 0.05],
            socks: [0.05, 0.05, 0.05],
        },
    ),
    (
        Kit {
            shirt: [0.85, 0.85, 0.85],
            shorts: [0.04, 0.04, 0.05],
            socks: [0.85, 0.85, 0.85],
        },
        Kit {
            shirt: [0.55, 0.10, 0.45],
            shorts: [0.55, 0.10, 0.45],
            socks: [0.85, 0.85, 0.85],
        },
    ),
    (
        Kit {
            shirt: [0.20, 0.45, 0.80],
            shorts: [0.85, 0.85, 0.85],
            socks: [0.20, 0.45, 0.80],
        },
        Kit {
            shirt: [0.70, 0.12, 0.05],
            shorts: [0.05, 0.05, 0.05],
            socks: [0.70, 0.12, 0.05],
        },
    ),
];

const GOALKEEPER_KITS: [Kit; 2] = [
    Kit {
        shirt: [0.15, 0.65, 0.10],
        shorts: [0.05, 0.05, 0.05],
        socks: [0.15, 0.65, 0.10],
    },
    Kit {
        shirt: [0.90, 0.80, 0.05],
        shorts: [0.90, 0.80, 0.05],
        socks: [0.05, 0.05, 0.05],
    },
];

const REFEREE_KIT: Kit = Kit {
    shirt: [0.02, 0.02, 0.02],
    shorts: [0.02, 0.02, 0.02],
    socks: [0.02, 0.02, 0.02],
};

const SKIN_TONES: [[f32; 3]; 5] = [
    [0.70, 0.48, 0.36],
    [0.55, 0.36, 0.25],
    [0.36, 0.22, 0.14],
    [0.20, 0.12, 0.08],
    [0.62, 0.42, 0.30],
];

const HAIR: [[f32; 3]; 4] = [
    [0.03, 0.02, 0.02],
    [0.15, 0.08, 0.04],
    [0.45, 0.30, 0.12],
    [0.08, 0.05, 0.03],
];

/// Both teams and the referee, ids from 1: home goalkeeper first, then home outfield,
/// away likewise, the referee last.
pub fn line_up(sport: Sport, rng: &mut ChaCha8Rng) -> Vec<Person> {
    let (home_kit, away_kit) = KIT_PAIRS[rng.random_range(0..KIT_PAIRS.len())];
    let mut people = Vec::new();
    for (side, kit, keeper_kit) in [
        (Side::Home, home_kit, GOALKEEPER_KITS[0]),
        (Side::Away, away_kit, GOALKEEPER_KITS[1]),
    ] {
        for (slot, &(ax, ay)) in formation(sport).iter().enumerate() {
            let keeper = slot == 0;
            people.push(Person {
                id: PersonId(people.len() as u32 + 1),
                team: Some(side),
                role: if keeper {
                    Role::Goalkeeper
                } else {
                    Role::Player
                },
                number: if keeper { 1 } else { slot as u8 + 1 },
                height: rng.random_range(1.70..1.93) + if keeper { 0.04 } else { 0.0 },
                max_speed: rng.random_range(7.0..8.6),
                kit: if keeper { keeper_kit } else { kit },
                skin: SKIN_TONES[rng.random_range(0..SKIN_TONES.len())],
                hair: HAIR[rng.random_range(0..HAIR.len())],
                anchor: Vector2::new(ax, ay),
            });
        }
    }
    people.push(Person {
        id: PersonId(people.len() as u32 + 1),
        team: None,
        role: Role::Referee,
        number: 0,
        height: rng.random_range(1.72..1.88),
        max_speed: 7.0,
        kit: REFEREE_KIT,
        skin: SKIN_TONES[rng.random_range(0..SKIN_TONES.len())],
        hair: HAIR[0],
        anchor: Vector2::new(0.5, 0.0),
    });
    people
}
