//! Teams and roles from kit colours: the two largest groups of similar shirts are the
//! teams; a kit unlike both is a goalkeeper when it keeps near a goal, the referee
//! otherwise. Teams are named `a` and `b` (the program cannot know which is "home"),
//! and each goalkeeper joins the team that defends their end.

use serde::{Deserialize, Serialize};
use touchline_detect::panorama::KitColour;

use crate::people::TrackId;

/// A team as the tracker names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Team {
    /// The team of the first kit found.
    A,
    /// The other team.
    B,
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

/// A track's team and role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    /// The team; none for the referee.
    pub team: Option<Team>,
    /// The role.
    pub role: Role,
}

/// What team assignment needs to know of a track.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TrackSummary {
    /// Which track.
    pub id: TrackId,
    /// Mean kit colour.
    pub colour: KitColour,
    /// Frames its colour was measured in.
    pub samples: u32,
    /// Mean pitch position along the length, metres.
    pub mean_x: f64,
}

fn shirt(c: &KitColour) -> [f64; 3] {
    // Luma counts half: shade and light change it more than they change hue.
    [c[0] as f64 * 0.5, c[1] as f64, c[2] as f64]
}

fn distance(a: &[f64; 3], b: &[f64; 3]) -> f64 {
    (0..3).map(|i| (a[i] - b[i]).powi(2)).sum::<f64>().sqrt()
}

/// Shirts within this distance (levels, as [`distance`]) of each other count as one
/// kit: a team's shirts differ by shade, two teams' by far more.
const SAME_KIT: f64 = 14.0;

/// Weighted two-means, from the two most different colours that many frames were seen
/// in (each colour weighed with everything within [`SAME_KIT`] of it: a team's kit is
/// worn by ten people, a goalkeeper's by one, who may still be one long track).
fn two_means(points: &[([f64; 3], f64)]) -> [[f64; 3]; 2] {
    let worn: Vec<f64> = points
        .iter()
        .map(|(p, _)| {
            points
                .iter()
                .filter(|(q, _)| distance(p, q) <= SAME_KIT)
                .map(|(_, w)| w)
                .sum()
        })
        .collect();
    let mut centres = [points[0].0, points[0].0];
    let mut best = -1.0;
    for (i, a) in points.iter().enumerate() {
        for (j, b) in points.iter().enumerate().skip(i + 1) {
            let d = distance(&a.0, &b.0) * worn[i].min(worn[j]).sqrt();
            if d > best {
                best = d;
                centres = [a.0, b.0];
            }
        }
    }
    for _ in 0..20 {
        let mut sums = [[0.0; 3]; 2];
        let mut weights = [0.0; 2];
        for (p, w) in points {
            let k = usize::from(distance(p, &centres[1]) < distance(p, &centres[0]));
            for c in 0..3 {
                sums[k][c] += p[c] * w;
            }
            weights[k] += w;
        }
        for k in 0..2 {
            if weights[k] > 0.0 {
                centres[k] = sums[k].map(|s| s / weights[k]);
            }
        }
    }
    centres
}

/// Teams and roles for a match's tracks. `half_length` is half the pitch length.
pub fn assign_teams(tracks: &[TrackSummary], half_length: f64) -> Vec<(TrackId, Assignment)> {
    let measured: Vec<&TrackSummary> = tracks.iter().filter(|t| t.samples >= 5).collect();
    if measured.len() < 2 {
        return tracks
            .iter()
            .map(|t| {
                (
                    t.id,
                    Assignment {
                        team: None,
                        role: Role::Player,
                    },
                )
            })
            .collect();
    }
    let points: Vec<([f64; 3], f64)> = measured
        .iter()
        .map(|t| (shirt(&t.colour), t.samples as f64))
        .collect();
    let mut centres = two_means(&points);
    // Refit without the kits far from both teams (goalkeepers, referee), which would
    // otherwise pull the centres.
    let nearest = |p: &[f64; 3], centres: &[[f64; 3]; 2]| {
        distance(p, &centres[0]).min(distance(p, &centres[1]))
    };
    let mut spread: Vec<f64> = points.iter().map(|(p, _)| nearest(p, &centres)).collect();
    spread.sort_by(f64::total_cmp);
    let typical = spread[spread.len() / 2];
    let outlier_at = (3.0 * typical).max(SAME_KIT);
    let inliers: Vec<([f64; 3], f64)> = points
        .iter()
        .copied()
        .filter(|(p, _)| nearest(p, &centres) <= outlier_at)
        .collect();
    if inliers.len() >= 2 {
        centres = two_means(&inliers);
    }
    // Name the teams in a fixed order (by shirt luma, then chroma) so runs agree.
    if shirt_order(&centres[1]) < shirt_order(&centres[0]) {
        centres.swap(0, 1);
    }
    let team_of = |p: &[f64; 3]| {
        if distance(p, &centres[0]) <= distance(p, &centres[1]) {
            Team::A
        } else {
            Team::B
        }
    };

    // Which end each team defends: its players' mean position lies towards it.
    let mut side_sum = [0.0f64; 2];
    for t in &measured {
        let p = shirt(&t.colour);
        if nearest(&p, &centres) <= outlier_at {
            let k = team_of(&p) as usize;
            side_sum[k] += t.mean_x * t.samples as f64;
        }
    }
    let defends_negative_x = if side_sum[0] <= side_sum[1] {
        Team::A
    } else {
        Team::B
    };
    let other = |t: Team| if t == Team::A { Team::B } else { Team::A };

    tracks
        .iter()
        .map(|t| {
            let p = shirt(&t.colour);
            let assignment = if t.samples >= 5 && nearest(&p, &centres) > outlier_at {
                if t.mean_x.abs() > half_length - 25.0 {
                    let team = if t.mean_x < 0.0 {
                        defends_negative_x
                    } else {
                        other(defends_negative_x)
                    };
                    Assignment {
                        team: Some(team),
                        role: Role::Goalkeeper,
                    }
                } else {
                    Assignment {
                        team: None,
                        role: Role::Referee,
                    }
                }
            } else {
                Assignment {
                    team: Some(team_of(&p)),
                    role: Role::Player,
                }
            };
            (t.id, assignment)
        })
        .collect()
}

fn shirt_order(c: &[f64; 3]) -> (i64, i64, i64) {
    (
        c[0].round() as i64,
        c[1].round() as i64,
        c[2].round() as i64,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn track(id: u64, shirt: [f32; 3], x: f64) -> TrackSummary {
        TrackSummary {
            id: TrackId(id),
            colour: [shirt[0], shirt[1], shirt[2], 128.0, 128.0, 128.0],
            samples: 100,
            mean_x: x,
        }
    }

    #[test]
    fn two_kits_make_two_teams_and_odd_kits_take_roles_by_place() {
        let red = [80.0, 100.0, 200.0];
        let white = [200.0, 128.0, 128.0];
        let mut tracks = Vec::new();
        for i in 0..10 {
            tracks.push(track(
                i,
                [red[0] + i as f32, red[1], red[2] - i as f32],
                -10.0,
            ));
            tracks.push(track(
                100 + i,
                [white[0] - i as f32, white[1], white[2]],
                8.0,
            ));
        }
        tracks.push(track(50, [150.0, 60.0, 90.0], -49.0)); // keeper at the −x end
        tracks.push(track(150, [120.0, 170.0, 100.0], 50.0)); // keeper at the +x end
        tracks.push(track(99, [30.0, 128.0, 128.0], 3.0)); // referee in black
        let assigned: std::collections::HashMap<_, _> =
            assign_teams(&tracks, 52.5).into_iter().collect();
        let red_team = assigned[&TrackId(0)].team.unwrap();
        let white_team = assigned[&TrackId(100)].team.unwrap();
        assert_ne!(red_team, white_team);
        for i in 0..10 {
            assert_eq!(assigned[&TrackId(i)].team, Some(red_team));
            assert_eq!(assigned[&TrackId(100 + i)].team, Some(white_team));
        }
        // Red players stand towards −x, so red defends the −x goal.
        assert_eq!(
            assigned[&TrackId(50)],
            Assignment {
                team: Some(red_team),
                role: Role::Goalkeeper
            }
        );
        assert_eq!(
            assigned[&TrackId(150)],
            Assignment {
                team: Some(white_team),
                role: Role::Goalkeeper
            }
        );
        assert_eq!(
            assigned[&TrackId(99)],
            Assignment {
                team: None,
                role: Role::Referee
            }
        );
    }

    #[test]
    fn a_goalkeeper_tracked_all_match_does_not_take_a_team_s_place() {
        // Ten red and ten white players, each in three tracks of 200 s, and a yellow
        // keeper in one track of 560 s: his kit is as far from the white one as the red
        // one is.
        let (red, white, yellow) = (
            [105.0, 116.0, 161.0],
            [184.0, 125.0, 127.0],
            [187.0, 80.0, 138.0],
        );
        let mut tracks = Vec::new();
        for i in 0..30u64 {
            let shade = (i % 10) as f32;
            for (id, kit, x) in [(i, red, -10.0), (100 + i, white, 8.0)] {
                tracks.push(TrackSummary {
                    samples: 5_000,
                    ..track(id, [kit[0] + shade, kit[1], kit[2]], x)
                });
            }
        }
        // One white player was tracked whole for 520 s.
        tracks[1].samples = 13_000;
        tracks.push(TrackSummary {
            samples: 14_000,
            ..track(500, yellow, 48.0)
        });
        let assigned: std::collections::HashMap<_, _> =
            assign_teams(&tracks, 52.5).into_iter().collect();
        let red_team = assigned[&TrackId(0)].team;
        let white_team = assigned[&TrackId(100)].team;
        assert_ne!(red_team, white_team);
        assert!((0..30).all(|i| assigned[&TrackId(i)].team == red_team));
        assert!((100..130).all(|i| assigned[&TrackId(i)].team == white_team));
        assert_eq!(assigned[&TrackId(500)].role, Role::Goalkeeper);
    }
}
