#!/usr/bin/env bash
# Runs every check and test of the workspace (after ./install.sh --no-demo).
set -euo pipefail
cd "$(dirname "$0")"
cargo fmt --all -- --check
cargo clippy --release --workspace --all-targets --locked -- -D warnings
cargo test --release --workspace --locked
