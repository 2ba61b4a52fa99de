"""Decode benchmark: the qr.decode pipeline against each library alone, per kind of camera frame.

Run from the repo root: ``.venv/bin/python tests/bench/bench_decode.py [--quick] [--seed N]``.
Seed 1 is the development seed; report on another (the default, 2) so the figures are held-out.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

import cv2

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import qr_corpus  # noqa: E402

from qr.decode import DECODERS, decode  # noqa: E402

COLUMNS = {
    "pipeline": lambda g: decode(g),
    "thorough": lambda g: decode(g, thorough=True),
    **DECODERS,
}


def _timed(fn, gray):
    start = time.perf_counter()
    found = fn(gray)
    return found, (time.perf_counter() - start) * 1000


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=2)
    ap.add_argument("--quick", action="store_true", help="8 frames per kind instead of 25")
    ap.add_argument("--per-kind", type=int)
    args = ap.parse_args(argv)
    per_kind = args.per_kind or (8 if args.quick else 25)

    start = time.perf_counter()
    frames = list(qr_corpus.generate(args.seed, per_kind))
    grays = [cv2.cvtColor(f.image, cv2.COLOR_BGR2GRAY) for f in frames]
    print(
        f"corpus: seed {args.seed}, {len(frames)} frames ({per_kind} per kind), "
        f"made in {time.perf_counter() - start:.0f} s"
    )
    for fn in COLUMNS.values():  # warm-up: first calls load libraries and build detectors
        fn(grays[0])

    hits: dict[str, dict[str, list[bool]]] = defaultdict(lambda: defaultdict(list))
    times: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    first_pass_720, nocode_720, nocode_all = [], [], []
    for frame, gray in zip(frames, grays, strict=True):
        for name, fn in COLUMNS.items():
            found, ms = _timed(fn, gray)
            texts = {d.text for d in found}
            # A hit reads the right text and nothing else; on a no-code frame, reads nothing.
            ok = texts == ({frame.text} if frame.text else set())
            hits[name][frame.kind].append(ok)
            times[name][frame.kind].append(ms)
            if name == "pipeline":
                if frame.text is None:
                    nocode_all.append(ms)
                    if frame.size == (1280, 720):
                        nocode_720.append(ms)
                elif frame.size == (1280, 720) and found and found[0].decoder == "zxing":
                    first_pass_720.append(ms)

    kinds = list(dict.fromkeys(f.kind for f in frames))
    head = f"{'kind':<12}" + "".join(f"{n:>19}" for n in COLUMNS)
    print(head)
    print(f"{'':<12}" + "".join(f"{'rate %   ms':>19}" for _ in COLUMNS))
    for kind in [*kinds, "ALL"]:
        row = f"{kind:<12}"
        for name in COLUMNS:
            h = sum(hits[name].values(), []) if kind == "ALL" else hits[name][kind]
            t = sum(times[name].values(), []) if kind == "ALL" else times[name][kind]
            row += f"{100 * sum(h) / len(h):>12.1f}{statistics.median(t):>7.1f}"
        print(row)
    worse = [(k, n) for k in kinds for n in DECODERS if sum(hits["pipeline"][k]) < sum(hits[n][k])]
    med = lambda xs: f"{statistics.median(xs):.1f} ms (n={len(xs)})" if xs else "n/a"  # noqa: E731
    print(f"\npipeline median, 1280x720 frames read by the first pass: {med(first_pass_720)}")
    print(f"pipeline median, 1280x720 frames with no code:        {med(nocode_720)}")
    print(f"pipeline median, all frames with no code:             {med(nocode_all)}")
    print(
        "kinds where a single library beat the pipeline:",
        ", ".join(f"{k} ({n})" for k, n in worse) or "none",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
