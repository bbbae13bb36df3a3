//! Touchline's match simulator: a deterministic football match filmed by a two-camera
//! rig, with ground truth for everything the pipeline will later have to find.
//!
//! - [`engine`]: the match model (players, referee, ball physics, restarts, events).
//! - [`render`]: what each camera sees (and the ideal panorama), as I420 frames.
//! - [`truth`]: per-frame positions and boxes, and the event log, as `truth.json`.
//! - [`Simulation`]: the three together, frame by frame.

pub mod ball;
pub mod engine;
pub mod events;
pub mod people;
pub mod render;
pub mod simulation;
pub mod truth;

pub use simulation::{default_sensors, FrameSet, SimConfig, Simulation};
