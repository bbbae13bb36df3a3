//! Touchline's command line as a library, so that integration tests and benchmarks call
//! the same code as the binary.

pub mod cli;
pub mod commands;
pub mod media;
pub mod output;
