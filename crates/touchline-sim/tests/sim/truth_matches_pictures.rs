//! The ground truth and the rendered pictures agree: a truth position projected through
//! the rig file lands on that player's shirt, or on the ball.

use nalgebra::{Point2, Point3};
use touchline_core::geometry::{ImageSize, Rig, Sport};
use touchline_core::image::{yuv_to_rgb, I420Frame};
use touchline_sim::{SimConfig, Simulation};

fn colour_at(frame: &I420Frame, p: &Point2<f64>) -> [f32; 3] {
    let rgb = yuv_to_rgb(frame.yuv(p.x.round() as u32, p.y.round() as u32));
    rgb.map(|c| c as f32 / 255.0)
}

fn distance(a: [f32; 3], b: [f32; 3]) -> f32 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)).sqrt()
}

/// The gamma-encoded colour of an albedo, for comparing hues roughly.
fn encoded(albedo: [f32; 3]) -> [f32; 3] {
    albedo.map(|c| c.powf(1.0 / 2.2))
}

#[test]
fn truth_positions_project_onto_their_player_and_the_ball() {
    let sport = Sport::Football;
    let size = ImageSize::new(960, 540).unwrap();
    let mut config = SimConfig::new(sport, sport.pitch(), size, 7, 40.0, 25).unwrap();
    config.supersampling = 1;
    // The test reads the rig back from its file text, as a user of rig.toml would.
    let rig = Rig::from_toml(&config.rig.to_toml()).unwrap();
    let cameras = rig.camera_models().unwrap();
    let mut sim = Simulation::new(config).unwrap();
    let people = sim.engine().people().to_vec();
    let (mut checked, mut on_shirt) = (0, 0);
    let (mut balls, mut on_ball) = (0, 0);
    let mut frame_index = 0;
    while let Some(set) = sim.next_frame() {
        frame_index += 1;
        if frame_index % 25 != 0 {
            continue;
        }
        for (k, (camera, picture)) in cameras.iter().zip(&set.cameras).enumerate() {
            let name = &rig.cameras[k].name;
            // Skip the camera with a clock offset: positions are at the frame clock.
            if rig.cameras[k].time_offset_s != 0.0 {
                continue;
            }
            for (person, truth) in people.iter().zip(&set.truth.people) {
                let Some(b) = truth.boxes.get(name) else {
                    continue;
                };
                if b[4] < 0.95 || b[3] - b[1] < 25.0 {
                    continue;
                }
                // Chest height: the middle of the shirt.
                let chest = Point3::new(truth.x, truth.y, 0.68 * person.height);
                let Some(p) = camera.project(&chest) else {
                    continue;
                };
                if !size.contains(&p) {
                    continue;
                }
                checked += 1;
                let seen = colour_at(picture, &p);
                let shirt = encoded(person.kit.shirt);
                let grass = encoded([0.06, 0.2, 0.045]);
                if distance(seen, shirt) < distance(seen, grass) && distance(seen, shirt) < 0.35 {
                    on_shirt += 1;
                }
            }
            let ball = &set.truth.ball;
            if let Some(b) = ball.boxes.get(name) {
                if b[4] >= 0.95 && b[2] - b[0] >= 3.0 {
                    let Some(p) = camera.project(&Point3::new(ball.x, ball.y, ball.z)) else {
                        continue;
                    };
                    balls += 1;
                    let seen = colour_at(picture, &p);
                    // The ball is white; the grass around it is not.
                    if seen.iter().all(|&c| c > 0.45) {
                        on_ball += 1;
                    }
                }
            }
        }
    }
    assert!(checked > 100, "only {checked} people checked");
    let share = on_shirt as f64 / checked as f64;
    assert!(
        share > 0.95,
        "{on_shirt}/{checked} truth positions on the player's shirt"
    );
    assert!(balls > 10, "only {balls} balls checked");
    let share = on_ball as f64 / balls as f64;
    assert!(share > 0.9, "{on_ball}/{balls} ball positions on the ball");
}
