#!/usr/bin/env bash
# Speed of detection and tracking on the panorama of two 1080p cameras.
#  1. Detection + tracking alone (benches/detect_track.rs): the stitched panorama is
#     decoded into memory first, then timed per stage (background model and candidates,
#     the learned detector averaged over its duty cycle, the trackers) with both cores
#     free for it.
#  2. End to end, `touchline track` on the two recordings (decode + stitch + detect +
#     track, all sharing the cores); the peer, run in the same session on the same
#     machine, is the bare GStreamer pipeline that decodes and stitches the same files
#     (`touchlinestitch ! fakesink`), so the wall ratio is what tracking adds on top of
#     producing the panorama.
#   bench/track_speed.sh [SECONDS]     (default 30; build with ./install.sh --no-demo first)
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
GST_PLUGIN_PATH=target/release gst-launch-1.0 -q \
    filesrc location="$out/left.mp4" ! decodebin ! videoconvert ! video/x-raw,format=I420 \
    ! touchlinestitch name=s rig="$out/rig.toml" ! video/x-raw,format=I420 ! fakesink sync=false \
    filesrc location="$out/right.mp4" ! decodebin ! videoconvert ! video/x-raw,format=I420 ! s.sink_1 >/dev/null
peer_s=$(awk "BEGIN{print $(now) - $start}")

start=$(now)
report=$("$bin" track "$out/left.mp4" "$out/right.mp4" -o "$out/tracks.json" 2>&1 | tail -1)
track_s=$(awk "BEGIN{print $(now) - $start}")

echo "$report"
"$bin" stitch "$out/left.mp4" "$out/right.mp4" --rig "$out/rig.toml" -o "$out/panorama.mp4" 2>/dev/null
cargo bench -q --locked -p touchline --bench detect_track -- "$out/panorama.mp4" "$out/rig.toml" $((seconds * 25)) 2>/dev/null
frames=$((seconds * 25))
printf 'decode + stitch + detect + track: %.1f s wall (%.1f fps); bare decode + stitch peer: %.1f s (%.1f fps); ratio %.2fx\n' \
    "$track_s" "$(awk "BEGIN{print $frames / $track_s}")" "$peer_s" "$(awk "BEGIN{print $frames / $peer_s}")" \
    "$(awk "BEGIN{print $track_s / $peer_s}")"
