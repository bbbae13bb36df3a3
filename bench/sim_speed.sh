#!/usr/bin/env bash
# Speed of `touchline sim` (simulate, render and encode both 1080p25 cameras) against a
# bare GStreamer peer run in the same session on the same machine: two videotestsrc
# streams of the same length encoded by the same x264 settings into MP4.
#   bench/sim_speed.sh [SECONDS]     (default 60; build with ./install.sh --no-demo first)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
frames=$((seconds * 25))
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
bin=./target/release/touchline
[ -x "$bin" ] || { echo "build first: ./install.sh --no-demo" >&2; exit 1; }

now() { date +%s.%N; }

start=$(now)
"$bin" sim --seconds "$seconds" --seed 7 -o "$out/sim" 2>/dev/null
sim_s=$(awk "BEGIN{print $(now) - $start}")

enc="x264enc speed-preset=ultrafast trellis=false pass=quant quantizer=21 key-int-max=50"
branch() {
    echo "videotestsrc num-buffers=$frames pattern=$1 ! video/x-raw,format=I420,width=1920,height=1080,framerate=25/1 ! $enc ! h264parse ! mp4mux ! filesink location=$out/$2.mp4"
}
start=$(now)
gst-launch-1.0 -q $(branch smpte left) $(branch ball right) >/dev/null
peer_s=$(awk "BEGIN{print $(now) - $start}")

printf 'touchline sim, %s s of two 1080p25 cameras: %.1f s wall, %.1f frame pairs/s, %.2fx real time\n' \
    "$seconds" "$sim_s" "$(awk "BEGIN{print $frames / $sim_s}")" "$(awk "BEGIN{print $seconds / $sim_s}")"
printf 'bare GStreamer peer (2x videotestsrc ! x264enc ! mp4mux): %.1f s wall, %.2fx real time\n' \
    "$peer_s" "$(awk "BEGIN{print $seconds / $peer_s}")"
printf 'touchline sim costs %.2fx the bare pipeline\n' "$(awk "BEGIN{print $sim_s / $peer_s}")"
