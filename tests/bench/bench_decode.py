"""Decode benchmark: the qr.decode pipeline against each library alone, per kind of camera frame.

Run from the repo root: ``.venv/bin/python tests/bench/bench_decode.py [--quick] [--seed N]``.
Seed 1 is the development seed; report on another (the default, 2) so the figures are held-out.

One run prints: per kind (the kiosk-like corpus, then each physics family at strengths 1-3) the
detection rate and median ms of the pipeline (every pass, recovery included), the thorough
pipeline and each library alone; then the kiosk loop (kiosk.scanner.Scanner.process, cheap
pass plus one recovery step a miss frame) on 1280x720 frames with no code, with a code nothing
cheap reads and with such a code zxing-cpp locates, idle and with a second process keeping one
core busy, median, p95 and max of every frame and of the expensive frames alone; with
``--held``, how many frames of a card held in view the loop needs for the frames the cheap pass
alone misses. ``--families`` runs only some recovery families, to measure what one adds (a run
with it, a run without).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import cv2

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import qr_corpus  # noqa: E402

from qr.decode import DECODERS, decode  # noqa: E402

# One core's worth of load that ends with the process that started it (argv[1]: its pid).
BURNER = ("import os, sys\nparent = int(sys.argv[1])\nwhile os.getppid() == parent:\n"
          "    for _ in range(100_000): pass")

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
    ap.add_argument("--kinds", help="comma-separated kinds (default: all)")
    ap.add_argument("--held", action="store_true", help="also the loop's frames-to-read")
    ap.add_argument(
        "--families",
        help="comma-separated recovery families to run (default: all of qr.recover.FAMILIES), "
        "to measure what one family adds: run once with and once without it",
    )
    args = ap.parse_args(argv)
    if args.families:
        import qr.recover

        chosen = tuple(args.families.split(","))
        unknown = set(chosen) - set(qr.recover.FAMILIES)
        if unknown:
            ap.error(f"unknown recovery families {sorted(unknown)}; of {qr.recover.FAMILIES}")
        # qr.decode and the kiosk's Schedule read FAMILIES when they run, so this is the switch.
        qr.recover.FAMILIES = tuple(f for f in qr.recover.FAMILIES if f in chosen)
    per_kind = args.per_kind or (8 if args.quick else 25)
    kinds = args.kinds.split(",") if args.kinds else qr_corpus.ALL_KINDS

    start = time.perf_counter()
    frames = list(qr_corpus.generate(args.seed, per_kind, kinds))
    grays = [cv2.cvtColor(f.image, cv2.COLOR_BGR2GRAY) for f in frames]
    import qr.recover

    print(
        f"corpus: seed {args.seed}, {len(frames)} frames ({per_kind} per kind), "
        f"made in {time.perf_counter() - start:.0f} s; "
        f"recovery families: {', '.join(qr.recover.FAMILIES)}"
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
    kiosk_like = [k for k in kinds if k in qr_corpus.KINDS]
    head = f"{'kind':<12}" + "".join(f"{n:>19}" for n in COLUMNS)
    print(head)
    print(f"{'':<12}" + "".join(f"{'rate %   ms':>19}" for _ in COLUMNS))
    groups = {"KIOSK-LIKE": kiosk_like, "ALL": kinds}
    for kind in [*kinds, *groups]:
        if kind in groups and not groups[kind]:
            continue
        row = f"{kind:<12}"
        for name in COLUMNS:
            chosen = groups.get(kind, [kind])
            h = sum((hits[name][k] for k in chosen), [])
            t = sum((times[name][k] for k in chosen), [])
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
    low = [k for k in kinds if k != "nocode" and sum(hits["pipeline"][k]) < 0.95 * per_kind]
    print("kinds where the pipeline reads under 95%:", ", ".join(low) or "none")
    _kiosk_loop(args.seed)
    if args.held:
        _held(frames, grays)
    return 0


def _loop_times(frames) -> tuple[list[float], list[float]]:
    """Scanner.process on each frame in turn, ms: every frame's cost, and the expensive frames'
    (the one in `fallback_every` that adds the fallbacks and a recovery turn on a miss)."""
    from kiosk.scanner import Scanner

    scanner = Scanner(None, on_code=lambda text: None)
    every, expensive = [], []
    for n, frame in enumerate(frames):
        start = time.perf_counter()
        scanner.process(frame)
        ms = (time.perf_counter() - start) * 1000
        every.append(ms)
        if n % scanner.fallback_every == 0:
            expensive.append(ms)
    return every, expensive


def _unreadable(seed: int, wanted: int = 12) -> list:
    """1280x720 frames whose code the cheap pass and its fallbacks cannot read (the strongest
    physics): the miss path's worst case, where the code places are real and the crops big."""
    kinds = [k for k in qr_corpus.PHYSICS if k.endswith("-3") and not k.startswith("wrinkle")]
    out, i = [], 0
    while len(out) < wanted and i < 40:
        for kind in kinds:
            f = qr_corpus.frame(seed + 100, kind, i)
            gray = cv2.cvtColor(f.image, cv2.COLOR_BGR2GRAY)
            if f.size == (1280, 720) and not decode(gray, recover=False):
                out.append(f.image)
        i += 1
    return out[:wanted]


def _located(seed: int, wanted: int = 12) -> list:
    """1280x720 frames with a code zxing-cpp locates (corners and version) but the cheap pass
    cannot read: every recovery family, the mesh too, then works on a real code place until it
    reads or its bank ends (on `_unreadable`'s frames the mesh has no grid to fit and costs
    nothing). The same frames whichever families run; the strongest frames of each family are
    rarely located, so strength 2 as well."""
    from qr.recover import regions

    kinds = [k for k in qr_corpus.PHYSICS if k[-1] in "23" and not k.startswith("wrinkle")]
    out, i = [], 0
    while len(out) < wanted and i < 40:
        for kind in kinds:
            f = qr_corpus.frame(seed + 100, kind, i)
            gray = cv2.cvtColor(f.image, cv2.COLOR_BGR2GRAY)
            if f.size != (1280, 720) or decode(gray, recover=False):
                continue
            first = regions(gray)[:1]
            if first and first[0].modules is not None:
                out.append(f.image)
        i += 1
    return out[:wanted]


def _kiosk_loop(seed: int) -> None:
    """The miss path as the kiosk runs it, 1280x720, frame after frame: no code in view, and a
    code in view that nothing cheap reads; idle and with a second process keeping one core busy.
    """
    empty = []
    i = 0
    while len(empty) < 30:
        frame = qr_corpus.frame(seed + 100, "nocode", i)
        i += 1
        if frame.size == (1280, 720):
            empty.append(frame.image)
    sets = {
        "no code": empty * 3,  # 90 frames: every recovery turn meets several frames
        "unreadable code": _unreadable(seed) * 6,
        "located code": _located(seed) * 6,
    }
    _loop_times(empty[:6])  # warm-up
    results = {}
    for load in (False, True):
        burner = None
        if load:
            # The burner spins until its parent is gone, so a run stopped by a signal (a
            # timeout's SIGTERM skips `finally`) does not leave a core busy for the next one.
            burner = subprocess.Popen([sys.executable, "-c", BURNER, str(os.getpid())])
        try:
            for name, frames in sets.items():
                results[name, load] = _loop_times(frames)
        finally:
            if burner is not None:
                burner.kill()
                burner.wait()

    def stats(xs: list[float]) -> str:
        t = sorted(xs)
        p95 = t[int(0.95 * (len(t) - 1))]
        return f"{statistics.median(t):6.1f} {p95:6.1f} {t[-1]:6.1f} {len(t):>4}"

    print("\nkiosk loop, 1280x720 frames (Scanner.process, ms): median p95 max n")
    print(f"{'':<34}{'idle':>26}{'one core loaded':>30}")
    for name in sets:
        for i, part in enumerate(("every frame", "expensive frames")):
            idle, loaded = results[name, False][i], results[name, True][i]
            print(f"  {name + ', ' + part:<32}{stats(idle):>26}    {stats(loaded):>26}")


def _held(frames, grays, limit: int = 27) -> None:
    """Frames a card must stay in view for the loop to read it (misses of the cheap pass only)."""
    from kiosk.scanner import Scanner

    needed: dict[str, list[int | None]] = defaultdict(list)
    for frame, gray in zip(frames, grays, strict=True):
        if frame.text is None or decode(gray, fallbacks=False):
            continue
        scanner = Scanner(None, on_code=lambda text: None)
        got = None
        for n in range(1, limit + 1):
            if frame.text in scanner.process(frame.image):
                got = n
                break
        needed[frame.kind].append(got)
    print(f"\nkiosk loop, a card held in view up to {limit} frames (cheap-pass misses only):")
    for kind, ns in needed.items():
        read = [n for n in ns if n is not None]
        med = statistics.median(read) if read else float("nan")
        print(f"  {kind:<12} read {len(read):>3}/{len(ns):<3} median frames {med:4.0f}")


if __name__ == "__main__":
    sys.exit(main())
