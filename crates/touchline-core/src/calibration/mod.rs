//! Calibration from footage, with no rig file: features matched in the cameras'
//! overlap ([`features`]), and the whole rig fitted to them, to a few landmarks given
//! as pixel ↔ metre pairs and to the painted lines ([`rig_fit`]).

mod adjust;
pub mod features;
mod relative;
pub mod rig_fit;

pub use features::{match_overlap, Match};
pub use rig_fit::{fit_rig, parse_landmarks, FitOptions, FitReport, Landmark, RigFit, Side};
