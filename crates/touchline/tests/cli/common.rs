//! What every test of the command line needs: running the binary, and paths as text.

use std::path::Path;
use std::process::{Command, Output};

/// Runs the `touchline` binary built for these tests.
pub fn touchline(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_touchline"))
        .args(args)
        .output()
        .expect("the binary runs")
}

/// Runs the binary and checks that it succeeded, showing what it printed on error if
/// not.
pub fn succeeds(args: &[&str]) -> Output {
    let out = touchline(args);
    assert!(
        out.status.success(),
        "touchline {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A temporary path as an argument (they are always UTF-8 here).
pub fn text(path: &Path) -> &str {
    path.to_str().unwrap()
}
