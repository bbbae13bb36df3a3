#!/usr/bin/env bash
# Speed of `touchline process` end to end (decode both cameras, stitch, detect, track,
# direct, render the 1080p follow-cam, encode it and the panorama), as a multiple of real
# time, against the peer the issue names, run in the same session on the same machine:
# a bare GStreamer transcode of the same files (decode both, encode one 1080p stream).
# Then where the time goes: the same pipeline built up stage by stage with gst-launch
# (each line adds one stage), in wall seconds and CPU seconds (user + system, both cores).
#   bench/process_speed.sh [SECONDS]     (default 30; build with ./install.sh --no-demo first)
# Short matches over-weight the start (the stitch maps, the learned detector's
# optimisation, the buffers in flight while the director's delay fills): the README's
# figures since session 12 use 120.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
bin=./target/release/touchline
[ -x "$bin" ] || { echo "build first: ./install.sh --no-demo" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "needs GNU time: apt-get install time" >&2; exit 1; }
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

# Stage by stage. The sinks do not wait for preroll (async=false): the director holds
# frames for its delay, which would stall a tee'd sink waiting for its first buffer.
export GST_PLUGIN_PATH=target/release
rig="$out/rig.toml"
encode="x264enc speed-preset=ultrafast trellis=false pass=quant quantizer=21 key-int-max=50"
# The stages decode as `touchline process` does: one thread per camera (README, process
# row); the simulator writes H.264 in MP4.
decode="qtdemux ! h264parse ! avdec_h264 max-threads=1"
inputs="filesrc location=$out/left.mp4 ! $decode ! videoconvert ! video/x-raw,format=I420 ! queue max-size-buffers=4 ! stitch.sink_0 filesrc location=$out/right.mp4 ! $decode ! videoconvert ! video/x-raw,format=I420 ! queue max-size-buffers=4 ! stitch.sink_1"
# gst-launch rarely never exits after EOS with the tee'd director line (README, process
# row): a run that outlasts ten times the match is stopped and run once more.
stage() {
    local label=$1; shift
    local attempt rc
    for attempt in 1 2; do
        rc=0
        /usr/bin/time -f "%e %U %S" -o "$out/time" timeout $((10 * seconds + 60)) \
            gst-launch-1.0 -q "$@" >/dev/null 2>&1 || rc=$?
        if [ "$rc" -eq 0 ]; then
            read -r wall user sys <"$out/time"
            awk -v l="$label" -v w="$wall" -v u="$user" -v s="$sys" -v n="$seconds" \
                'BEGIN{printf "  %-52s %6.1f s wall (%.2fx real time), %6.1f s CPU\n", l, w, n / w, u + s}'
            return 0
        fi
        [ "$rc" -eq 124 ] || break
        echo "  $label: gst-launch did not exit after EOS (attempt $attempt), stopped" >&2
    done
    echo "$label: pipeline failed" >&2
    return 1
}
echo "stage by stage (cumulative):"
# shellcheck disable=SC2086
stage "decode both" filesrc location="$out/left.mp4" ! $decode ! fakesink \
    filesrc location="$out/right.mp4" ! $decode ! fakesink
# shellcheck disable=SC2086
stage "+ stitch" touchlinestitch name=stitch rig="$rig" ! fakesink $inputs
# shellcheck disable=SC2086
stage "+ detect and track" touchlinestitch name=stitch rig="$rig" ! queue max-size-buffers=4 \
    ! touchlinetrack rig="$rig" ! fakesink $inputs
# shellcheck disable=SC2086
stage "+ encode the panorama" touchlinestitch name=stitch rig="$rig" ! queue max-size-buffers=4 \
    ! touchlinetrack rig="$rig" ! $encode ! fakesink $inputs
# shellcheck disable=SC2086
stage "+ direct, render and encode the follow-cam (all)" touchlinestitch name=stitch rig="$rig" \
    ! queue max-size-buffers=4 ! touchlinetrack rig="$rig" ! tee name=split \
    split. ! queue max-size-buffers=8 ! $encode ! fakesink async=false \
    split. ! queue max-size-buffers=8 ! touchlinedirector rig="$rig" \
    ! touchlinevirtualcam rig="$rig" width=1920 height=1080 ! queue max-size-buffers=8 \
    ! $encode ! fakesink async=false $inputs
