//! The simulator against what it claims: its truth, its calibration, its events and its
//! stitching. One test binary (one link instead of one per file).

mod calibration;
mod match_events;
mod stitching;
mod truth_matches_pictures;
