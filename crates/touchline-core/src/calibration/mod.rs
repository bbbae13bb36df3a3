//! Calibration from footage, with no rig file: the cameras relative to each other from
//! features matched in their overlap ([`relative`]), then their place on the pitch from
//! a few landmarks given as pixel ↔ metre pairs ([`pitch`]).

pub mod features;
pub mod relative;

pub use features::{match_overlap, Match};
pub use relative::{calibrate_pair, PairCalibration};
