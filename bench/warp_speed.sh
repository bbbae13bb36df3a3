#!/usr/bin/env bash
# Speed of Touchline's virtual camera and stitcher against OpenCV's cv2.remap and
# ffmpeg's v360 filter, measured in one run on this machine at the same thread count.
#
#   bench/warp_speed.sh [THREADS] [SECONDS]     (defaults: 2 threads, 3 s per measurement)
#
# Installs what it compares against if missing: ffmpeg from Debian (apt-get, through
# sudo when not root) and opencv-python-headless from PyPI (in target/bench-venv).
# The view is 1920x1080 I420 from the default rig's 3840x1130 equirectangular panorama
# (ffmpeg's v360 cannot read a partial equirectangular picture, so it reads a cylindrical
# one of the same size: the same work per pixel).
set -euo pipefail
cd "$(dirname "$0")/.."
threads=${1:-2}
seconds=${2:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if ! command -v ffmpeg >/dev/null; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
    $SUDO apt-get install -y -q --no-install-recommends ffmpeg >/dev/null
fi
venv=target/bench-venv
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q opencv-python-headless numpy
fi
cargo build -q --release -p touchline-core --example warp_speed

echo "== Touchline (RAYON_NUM_THREADS=$threads)"
RAYON_NUM_THREADS=$threads ./target/release/examples/warp_speed "$work/maps" "$seconds" | tee "$work/touchline.txt"
echo "== OpenCV $("$venv/bin/python" -c 'import cv2; print(cv2.__version__)') cv2.remap, CV_16SC2 fixed-point maps, cv2.setNumThreads($threads)"
"$venv/bin/python" bench/remap_peers.py "$work/maps" "$threads" "$seconds" 3840 1130 | tee "$work/opencv.txt"

echo "== ffmpeg $(ffmpeg -version | head -1 | cut -d' ' -f3) v360 (cylindrical -> flat, $threads filter threads)"
frames=400
head -c $((3840 * 1130 * 3 / 2)) /dev/urandom > "$work/pano.yuv"
ff() {
    local start end
    start=$(date +%s.%N)
    ffmpeg -hide_banner -loglevel error -nostats -f rawvideo -pix_fmt yuv420p -s 3840x1130 \
        -stream_loop -1 -i "$work/pano.yuv" -frames:v $frames -filter_threads "$threads" \
        -threads "$threads" -vf "$1" -f null -
    end=$(date +%s.%N)
    awk "BEGIN{printf \"%.1f\", $frames / ($end - $start)}"
}
v360="v360=input=cylindrical:output=flat:ih_fov=165.6:iv_fov=48.7:yaw=12:pitch=-20:h_fov=40:v_fov=23.3:w=1920:h=1080:interp=linear"
echo "ffmpeg_v360_bilinear $(ff "$v360")" | tee "$work/ffmpeg.txt"
echo "ffmpeg_v360_bicubic $(ff "${v360/interp=linear/interp=cubic}")" | tee -a "$work/ffmpeg.txt"
echo "ffmpeg_null_input_only $(ff null)" | tee -a "$work/ffmpeg.txt"

get() { awk -v k="$1" '$1 == k {print $2}' "$work"/*.txt; }
ratio() { awk "BEGIN{printf \"%.2f\", $(get "$1") / $(get "$2")}"; }
echo "== ratios (higher is better for Touchline)"
echo "view bilinear, still  vs cv2.remap bilinear: $(ratio view_bilinear_still opencv_remap_bilinear)x"
echo "view bilinear, moving vs cv2.remap bilinear: $(ratio view_bilinear_moving opencv_remap_bilinear)x"
echo "view bicubic,  still  vs cv2.remap bicubic:  $(ratio view_bicubic_still opencv_remap_bicubic)x"
echo "view bilinear, still  vs ffmpeg v360 linear: $(ratio view_bilinear_still ffmpeg_v360_bilinear)x"
echo "view bicubic,  still  vs ffmpeg v360 cubic:  $(ratio view_bicubic_still ffmpeg_v360_bicubic)x"
echo "stitch of two 1080p frames: $(get stitch) fps (goal 60)"
