#!/usr/bin/env python3
"""Cross-check touchline-track's tracking metrics (HOTA, CLEAR MOT, IDF1) against TrackEval.

Generates random sequences (players moving on a pitch, tracks that follow them with
noise, id switches, gaps and ghosts; similarity max(0, 1 - d / 2 m)), evaluates each
with TrackEval's metric classes and with the Rust implementation (through the ignored
test crates/touchline-track/tests/metrics/trackeval.rs), and compares every figure.

Needs a Python with trackeval 1.3.0, numpy and scipy, e.g.:

    python3 -m venv /tmp/te-venv && /tmp/te-venv/bin/pip install trackeval==1.3.0 scipy
    /tmp/te-venv/bin/python bench/metrics_crosscheck.py [--cases 200] [--seed 1]

Run from the repository root. Exits 1 if any figure differs by more than 1e-9.

Known, deliberate differences (cases are generated so that they do not arise):
- sequences with no truth or no tracker output (TrackEval returns 0s; we return 1.0
  for an empty evaluation and follow TrackEval otherwise);
- MOTP with no match (TrackEval 0, we 1, like LocA);
- exact ties in the assignment, which either side may break differently.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import trackeval

# TrackEval prints its config on init unless told not to.
CONFIG = {"PRINT_CONFIG": False}


def random_case(rng):
    """One sequence: dense gt ids, dense tracker ids and similarity per frame."""
    n_frames = int(rng.integers(5, 80))
    n_players = int(rng.integers(1, 9))
    pos = rng.uniform([0, 0], [40, 25], size=(n_players, 2))
    # Each player has a current track id (or None while missed); ids change sometimes.
    next_track = 0
    current = []
    for _ in range(n_players):
        current.append(next_track)
        next_track += 1
    frames = []
    for _ in range(n_frames):
        pos += rng.normal(0, 0.6, size=pos.shape)
        present = rng.random(n_players) > 0.1  # truth sometimes absent
        gt_ids, gt_pos = [], []
        tr_ids, tr_pos = [], []
        for p in range(n_players):
            if rng.random() < 0.03:  # id switch: a new track takes over
                current[p] = next_track
                next_track += 1
            if present[p]:
                gt_ids.append(p)
                gt_pos.append(pos[p])
            if rng.random() > 0.15:  # tracker misses sometimes
                tr_ids.append(current[p])
                tr_pos.append(pos[p] + rng.normal(0, 0.5, size=2))
        if rng.random() < 0.3:  # a ghost, sometimes near a player
            tr_ids.append(1000 + int(rng.integers(0, 3)))
            anchor = pos[int(rng.integers(0, n_players))]
            tr_pos.append(anchor + rng.normal(0, 1.5, size=2))
        # A track id can occur once per frame only.
        seen = set()
        keep = [k for k, t in enumerate(tr_ids) if not (t in seen or seen.add(t))]
        tr_ids = [tr_ids[k] for k in keep]
        tr_pos = [tr_pos[k] for k in keep]
        sim = np.zeros((len(gt_ids), len(tr_ids)))
        for i, g in enumerate(gt_pos):
            for j, t in enumerate(tr_pos):
                sim[i, j] = max(0.0, 1.0 - np.hypot(*(g - t)) / 2.0)
        frames.append((gt_ids, tr_ids, sim))
    return frames


def trackeval_data(frames):
    """The dict TrackEval's metrics take, with ids remapped to 0..n."""
    gt_map, tr_map = {}, {}
    for gt_ids, tr_ids, _ in frames:
        for g in gt_ids:
            gt_map.setdefault(g, len(gt_map))
        for t in tr_ids:
            tr_map.setdefault(t, len(tr_map))
    return {
        "num_timesteps": len(frames),
        "num_gt_ids": len(gt_map),
        "num_tracker_ids": len(tr_map),
        "num_gt_dets": sum(len(f[0]) for f in frames),
        "num_tracker_dets": sum(len(f[1]) for f in frames),
        "gt_ids": [np.array([gt_map[g] for g in f[0]], dtype=int) for f in frames],
        "tracker_ids": [np.array([tr_map[t] for t in f[1]], dtype=int) for f in frames],
        "similarity_scores": [f[2] for f in frames],
    }


def rust_frames(frames):
    """The same sequence as FrameMatch JSON, with sparse, large ids."""
    return [
        {
            "truth": [g * 7919 + 10**12 for g in gt_ids],
            "tracks": [(t + 1) * 2**40 for t in tr_ids],
            "similarity": sim.flatten().tolist(),
        }
        for gt_ids, tr_ids, sim in frames
    ]


def trackeval_figures(frames):
    data = trackeval_data(frames)
    h = trackeval.metrics.HOTA(CONFIG).eval_sequence(data)
    c = trackeval.metrics.CLEAR({**CONFIG, "THRESHOLD": 0.5}).eval_sequence(data)
    i = trackeval.metrics.Identity({**CONFIG, "THRESHOLD": 0.5}).eval_sequence(data)
    return {
        "hota": float(np.mean(h["HOTA"])),
        "det_a": float(np.mean(h["DetA"])),
        "ass_a": float(np.mean(h["AssA"])),
        "loc_a": float(np.mean(h["LocA"])),
        "det_re": float(np.mean(h["DetRe"])),
        "det_pr": float(np.mean(h["DetPr"])),
        "ass_re": float(np.mean(h["AssRe"])),
        "ass_pr": float(np.mean(h["AssPr"])),
        "mota": float(c["MOTA"]),
        "motp": float(c["MOTP"]),
        "true_positives": int(c["CLR_TP"]),
        "false_positives": int(c["CLR_FP"]),
        "misses": int(c["CLR_FN"]),
        "id_switches": int(c["IDSW"]),
        "idf1": float(i["IDF1"]),
        "idp": float(i["IDP"]),
        "idr": float(i["IDR"]),
        "idtp": int(i["IDTP"]),
        "idfp": int(i["IDFP"]),
        "idfn": int(i["IDFN"]),
    }


def rust_figures(cases):
    with tempfile.TemporaryDirectory() as tmp:
        cases_path = os.path.join(tmp, "cases.json")
        out_path = os.path.join(tmp, "out.json")
        with open(cases_path, "w") as f:
            json.dump([rust_frames(c) for c in cases], f)
        env = {**os.environ, "TOUCHLINE_METRICS_CASES": cases_path, "TOUCHLINE_METRICS_OUT": out_path}
        subprocess.run(
            ["cargo", "test", "--release", "-q", "-p", "touchline-track",
             "--test", "metrics", "--", "--ignored"],
            check=True, env=env,
        )
        with open(out_path) as f:
            results = json.load(f)
    flat = []
    for r in results:
        figures = {**r["hota"], **r["clear"], **r["identity"]}
        figures.pop("truth_count")
        flat.append(figures)
    return flat


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    cases = [random_case(rng) for _ in range(args.cases)]
    ours = rust_figures(cases)
    worst = {}
    failures = 0
    for k, (case, mine) in enumerate(zip(cases, ours)):
        theirs = trackeval_figures(case)
        for field, expected in theirs.items():
            diff = abs(mine[field] - expected)
            worst[field] = max(worst.get(field, 0.0), diff)
            if diff > 1e-9:
                failures += 1
                print(f"case {k}: {field} = {mine[field]} (TrackEval {expected})")
    print(f"{args.cases} cases, largest difference per figure:")
    for field, diff in worst.items():
        print(f"  {field:16} {diff:.3g}")
    if failures:
        print(f"{failures} figures differ")
        sys.exit(1)
    print("all figures agree with TrackEval")


if __name__ == "__main__":
    main()
