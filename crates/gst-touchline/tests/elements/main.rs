//! The elements in real pipelines: one test binary for all of them (one link instead of
//! one per file, which is most of a release build's test time).

mod common;
mod director;
mod simsrc;
mod stitch;
mod track;
mod virtualcam;
