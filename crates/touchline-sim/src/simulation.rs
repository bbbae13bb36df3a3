//! The simulation: the match engine, one renderer per camera (and optionally the ideal
//! panorama), and the ground truth, advanced one video frame at a time.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use rayon::prelude::*;
use touchline_core::geometry::{ImageSize, Pitch, Rig, RigOptions, Sensor, Sport};
use touchline_core::image::I420Frame;
use touchline_core::{Error, Result};

use crate::engine::{MatchEngine, Snapshot, STEP_SECONDS};
use crate::render::scene::Scene;
use crate::render::view::View;
use crate::render::{FrameCoverage, Renderer, DEFAULT_SUPERSAMPLING};
use crate::truth::{box_truth, round_to, BallTruth, PersonTruth, TruthFrame};

/// Everything that decides a simulated match and its footage.
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// Seed: the same seed gives the same match, frame for frame.
    pub seed: u64,
    /// Length of the footage, seconds.
    pub seconds: f64,
    /// Frames per second.
    pub fps: u32,
    /// The rig, with each camera's true sensor and clock offset.
    pub rig: Rig,
    /// Static-scene supersampling per pixel side.
    pub supersampling: u32,
    /// Also render the ideal panorama of every frame.
    pub panorama: bool,
}

/// The longest clock offset between cameras the simulation accepts, seconds.
pub const MAX_TIME_OFFSET: f64 = 0.1;

impl SimConfig {
    /// The default simulation of a sport: its standard pitch, the default rig at
    /// `size`, two slightly different sensors and a 12 ms clock offset on the right camera.
    pub fn new(
        sport: Sport,
        pitch: Pitch,
        size: ImageSize,
        seed: u64,
        seconds: f64,
        fps: u32,
    ) -> Result<SimConfig> {
        let mut options = RigOptions::for_sport(sport);
        options.pitch = pitch;
        options.size = size;
        let mut rig = options.build()?;
        default_sensors(&mut rig);
        let config = SimConfig {
            seed,
            seconds,
            fps,
            rig,
            supersampling: DEFAULT_SUPERSAMPLING,
            panorama: false,
        };
        config.validate()?;
        Ok(config)
    }

    /// Checks the parts a user can set.
    pub fn validate(&self) -> Result<()> {
        if !(self.seconds.is_finite() && self.seconds > 0.0 && self.seconds <= 6.0 * 3600.0) {
            return Err(Error::invalid(
                "duration",
                format!("{} s must be more than 0 and at most 6 hours", self.seconds),
            ));
        }
        if self.frame_count() == 0 {
            return Err(Error::invalid(
                "duration",
                format!(
                    "{} s is less than one frame at {} fps",
                    self.seconds, self.fps
                ),
            ));
        }
        if !(1..=120).contains(&self.fps) {
            return Err(Error::invalid(
                "frame rate",
                format!("{} fps must be between 1 and 120", self.fps),
            ));
        }
        if !(1..=8).contains(&self.supersampling) {
            return Err(Error::invalid("supersampling", "must be between 1 and 8"));
        }
        self.rig.validate()?;
        for cam in &self.rig.cameras {
            if cam.time_offset_s.abs() > MAX_TIME_OFFSET {
                return Err(Error::invalid(
                    format!("camera '{}'", cam.name),
                    format!(
                        "time offset {} s exceeds the simulator's ±{MAX_TIME_OFFSET} s",
                        cam.time_offset_s
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Number of frames.
    pub fn frame_count(&self) -> u64 {
        (self.seconds * self.fps as f64).round() as u64
    }
}

/// Gives a rig's cameras realistic, slightly mismatched sensors and clocks.
pub fn default_sensors(rig: &mut Rig) {
    let sensors = [
        (
            Sensor {
                gain: 0.96,
                white_balance: [1.03, 1.0, 0.96],
                vignetting: 0.16,
                noise_sigma: 1.8,
                shutter_s: 1.0 / 250.0,
            },
            0.0,
        ),
        (
            Sensor {
                gain: 1.05,
                white_balance: [0.97, 1.0, 1.04],
                vignetting: 0.16,
                noise_sigma: 1.8,
                shutter_s: 1.0 / 250.0,
            },
            0.012,
        ),
    ];
    for (cam, (sensor, offset)) in rig.cameras.iter_mut().zip(sensors) {
        cam.sensor = Some(sensor);
        cam.time_offset_s = offset;
    }
}

/// One frame of every camera, with its truth.
pub struct FrameSet {
    /// Frame index from 0.
    pub index: u64,
    /// One picture per camera, in rig order.
    pub cameras: Vec<I420Frame>,
    /// The ideal panorama, when asked for.
    pub panorama: Option<I420Frame>,
    /// The truth.
    pub truth: TruthFrame,
}

struct CameraRenderer {
    name: String,
    renderer: Renderer,
    time_offset: f64,
}

/// A running simulation.
pub struct Simulation {
    config: SimConfig,
    engine: MatchEngine,
    /// Recent engine states, oldest first, enough to interpolate any camera's instant.
    history: VecDeque<Snapshot>,
    cameras: Vec<CameraRenderer>,
    panorama: Option<Renderer>,
    next_frame: u64,
}

impl Simulation {
    /// Sets the match up and prepares every view (this traces the static scene, the
    /// slow part of starting).
    pub fn new(config: SimConfig) -> Result<Simulation> {
        config.validate()?;
        let engine = MatchEngine::new(config.rig.sport, config.rig.pitch, config.seed);
        let scene = Arc::new(Scene::new(&config.rig.pitch, config.seed));
        let cameras = config
            .rig
            .cameras
            .iter()
            .enumerate()
            .map(|(k, cam)| {
                let sensor = cam.sensor.unwrap_or_default();
                Ok(CameraRenderer {
                    name: cam.name.clone(),
                    renderer: Renderer::new(
                        View::Camera(cam.camera()?),
                        &sensor,
                        scene.clone(),
                        config.supersampling,
                        config.seed ^ ((k as u64 + 1) * 0x1000_0001),
                    ),
                    time_offset: cam.time_offset_s,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let panorama = config.panorama.then(|| {
            let ideal = Sensor::default();
            Renderer::new(
                View::Panorama(config.rig.panorama),
                &ideal,
                scene.clone(),
                config.supersampling,
                config.seed,
            )
        });
        let mut history = VecDeque::new();
        history.push_back(engine.snapshot());
        Ok(Simulation {
            config,
            engine,
            history,
            cameras,
            panorama,
            next_frame: 0,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &SimConfig {
        &self.config
    }

    /// The match engine (people, events, score).
    pub fn engine(&self) -> &MatchEngine {
        &self.engine
    }

    /// Camera names in rig order.
    pub fn camera_names(&self) -> Vec<String> {
        self.cameras.iter().map(|c| c.name.clone()).collect()
    }

    /// The renderer of camera `k` (for tests that project truth).
    pub fn camera_renderer(&self, k: usize) -> Option<&Renderer> {
        self.cameras.get(k).map(|c| &c.renderer)
    }

    /// The state at time `t`, interpolated between engine steps.
    fn snapshot_at(&mut self, t: f64) -> Snapshot {
        while self.engine.time() < t + STEP_SECONDS {
            self.engine.step();
            self.history.push_back(self.engine.snapshot());
            let keep = ((2.0 * MAX_TIME_OFFSET) / STEP_SECONDS) as usize + 4;
            while self.history.len() > keep {
                self.history.pop_front();
            }
        }
        let t = t.max(self.history[0].time);
        let later = self
            .history
            .iter()
            .position(|s| s.time >= t)
            .unwrap_or(self.history.len() - 1);
        if later == 0 {
            return self.history[0].clone();
        }
        let (a, b) = (&self.history[later - 1], &self.history[later]);
        let alpha = ((t - a.time) / (b.time - a.time)).clamp(0.0, 1.0);
        a.lerp(b, alpha)
    }

    /// Renders the next frame of every camera, or `None` at the end.
    pub fn next_frame(&mut self) -> Option<FrameSet> {
        if self.next_frame >= self.config.frame_count() {
            return None;
        }
        let index = self.next_frame;
        self.next_frame += 1;
        let time = index as f64 / self.config.fps as f64;
        let clock = self.snapshot_at(time);
        let instants: Vec<Snapshot> = self
            .cameras
            .iter()
            .map(|c| c.time_offset)
            .collect::<Vec<_>>()
            .into_iter()
            .map(|offset| self.snapshot_at(time + offset))
            .collect();
        let people = self.engine.people().to_vec();
        let (rendered, panorama) = rayon::join(
            || {
                self.cameras
                    .par_iter_mut()
                    .zip(instants.par_iter())
                    .map(|(cam, snap)| cam.renderer.render(&people, snap, index))
                    .collect::<Vec<_>>()
            },
            || {
                self.panorama
                    .as_mut()
                    .map(|p| p.render(&people, &clock, index).0)
            },
        );
        let names = self.camera_names();
        let coverages: Vec<&FrameCoverage> = rendered.iter().map(|(_, c)| c).collect();
        let boxes_of = |pick: &dyn Fn(&FrameCoverage) -> &crate::render::Visibility| {
            names
                .iter()
                .zip(&coverages)
                .filter_map(|(name, cov)| box_truth(pick(cov)).map(|b| (name.clone(), b)))
                .collect::<BTreeMap<_, _>>()
        };
        let ball = &clock.ball.position;
        let truth = TruthFrame {
            frame: index,
            time: round_to(time, 4),
            in_play: clock.in_play,
            ball: BallTruth {
                x: round_to(ball.x, 3),
                y: round_to(ball.y, 3),
                z: round_to(ball.z, 3),
                boxes: boxes_of(&|c| &c.ball),
            },
            people: people
                .iter()
                .enumerate()
                .map(|(k, person)| PersonTruth {
                    id: person.id,
                    x: round_to(clock.people[k].position.x, 3),
                    y: round_to(clock.people[k].position.y, 3),
                    boxes: boxes_of(&|c| &c.people[k]),
                })
                .collect(),
        };
        Some(FrameSet {
            index,
            cameras: rendered.into_iter().map(|(frame, _)| frame).collect(),
            panorama,
            truth,
        })
    }
}
