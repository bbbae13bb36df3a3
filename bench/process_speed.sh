#!/usr/bin/env bash
# Speed of `touchline process` end to end (decode both cameras, stitch, detect, track,
# direct, render the 1080p follow-cam, encode it and the panorama), as a multiple of real
# time, against the peer the issue names, run in the same session on the same machine:
# a bare GStreamer transcode of the same files (decode both, encode one 1080p stream).
#   bench/process_speed.sh [SECONDS]     (default 30; build with ./install.sh --no-demo first)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
bin=./target/release/touchline
[ -x "$bin" ] || { echo "build first: ./install.sh --no-demo" >&2; exit 1; }
now() { date +%s.%N; }

"$bin" sim --seconds "$seconds" --seed 7 -o "$out" 2>/dev/null

start=$(now)
gst-launch-1.0 -q \
    filesrc location="$out/left.mp4" ! decodebin ! videoconvert ! video/x-raw,format=I420 \
    ! x264enc speed-preset=ultrafast trellis=false pass=quant quantizer=21 key-int-max=50 \
    ! mp4mux ! filesink location="$out/peer.mp4" \
    filesrc location="$out/right.mp4" ! decodebin ! fakesink sync=false >/dev/null
peer_s=$(awk "BEGIN{print $(now) - $start}")

start=$(now)
"$bin" process "$out/left.mp4" "$out/right.mp4" -o "$out/processed" >/dev/null 2>&1
process_s=$(awk "BEGIN{print $(now) - $start}")

awk -v s="$seconds" -v p="$process_s" -v q="$peer_s" 'BEGIN{
    printf "touchline process: %.1f s for %d s of match = %.2fx real time; bare transcode peer (decode both, encode one 1080p): %.1f s = %.2fx real time; cost ratio %.2fx\n", p, s, s / p, q, s / q, p / q }'
