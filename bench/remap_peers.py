"""OpenCV's cv2.remap on the very same virtual-camera warp as Touchline's renderer.

Reads the exact float maps written by `warp_speed MAPS_DIR` (one file per plane and
axis), converts them to OpenCV's fastest form (fixed-point CV_16SC2 plus interpolation
table, `cv2.convertMaps`), and times remapping an I420 panorama (Y, Cb and Cr planes)
to the 1920x1080 view with bilinear interpolation.

    python remap_peers.py MAPS_DIR THREADS SECONDS PANO_W PANO_H
Prints `opencv_remap_bilinear FPS` and `opencv_remap_bicubic FPS`.
"""
import sys
import time

import cv2
import numpy as np


def load(dir_, name, w, h):
    xs = np.fromfile(f"{dir_}/{name}_x.f32", dtype="<f4").reshape(h, w)
    ys = np.fromfile(f"{dir_}/{name}_y.f32", dtype="<f4").reshape(h, w)
    return cv2.convertMaps(xs, ys, cv2.CV_16SC2, nninterpolation=False)


def main():
    maps_dir, threads, seconds, pw, ph = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    cv2.setNumThreads(threads)
    rng = np.random.default_rng(1)
    planes = [rng.integers(0, 256, (ph, pw), dtype=np.uint8),
              rng.integers(0, 256, (ph // 2, pw // 2), dtype=np.uint8),
              rng.integers(0, 256, (ph // 2, pw // 2), dtype=np.uint8)]
    luma = load(maps_dir, "luma", 1920, 1080)
    chroma = load(maps_dir, "chroma", 960, 540)
    outs = [np.empty((1080, 1920), np.uint8), np.empty((540, 960), np.uint8), np.empty((540, 960), np.uint8)]
    for name, interp in [("bilinear", cv2.INTER_LINEAR), ("bicubic", cv2.INTER_CUBIC)]:
        def frame():
            for plane, (m1, m2), out in zip(planes, [luma, chroma, chroma], outs):
                cv2.remap(plane, m1, m2, interp, dst=out, borderMode=cv2.BORDER_REPLICATE)
        frame()
        n, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            frame()
            n += 1
        print(f"opencv_remap_{name} {n / (time.perf_counter() - start):.1f}")


if __name__ == "__main__":
    main()
