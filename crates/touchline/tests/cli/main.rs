//! The command line, end to end: one test binary for all of it (one link instead of one
//! per file, which is most of a release build's test time).

mod calibrate;
mod commands;
mod common;
mod detect;
mod process;
mod stitch_render;
mod track;
