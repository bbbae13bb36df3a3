#!/usr/bin/env bash
# Installs everything Touchline needs on Debian 12, builds it, and runs the demo.
#   ./install.sh            install, build, run `touchline demo`
#   ./install.sh --no-demo  install and build only
set -euo pipefail
cd "$(dirname "$0")"

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "install.sh: not root and no sudo to install packages with" >&2; exit 1; }
    SUDO="sudo"
fi

PACKAGES=(
    build-essential pkg-config
    libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev
    gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good
    gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav
)
missing=()
for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}"
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if ! command -v cargo >/dev/null; then
    echo "install.sh: Rust is missing; install the toolchain named in rust-toolchain.toml with rustup" >&2
    exit 1
fi

cargo build --release --workspace --locked

if [ "${1:-}" != "--no-demo" ]; then
    ./target/release/touchline demo
fi
