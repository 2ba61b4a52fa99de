"""Poster benchmark: posters per second into one batch PDF, beside a bare qrcode PNG.

Run from the repo root: ``.venv/bin/python tests/bench/bench_posters.py [--count N]``.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from qr import Payload, SigningKey, sign, to_png  # noqa: E402
from qr.payload import CodeType  # noqa: E402
from qr.tokens import code_url  # noqa: E402
from server.prints import Poster, posters_pdf  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--count", type=int, default=170, help="posters per batch (the district has ~170)"
    )
    args = ap.parse_args(argv)
    key = SigningKey.generate("K1")
    now = int(time.time())
    posters = []
    for i in range(1, args.count + 1):
        token = sign(Payload(CodeType.POINT, str(i), 1, now, None, key.key_id), key)
        posters.append(
            Poster(
                title=f"昭化镇第{i}村新时代文明实践站",
                address=f"广元市昭化区昭化镇{i}村村委会",
                instruction="微信或相机扫码 · 点单 · 签到",
                url=code_url("https://zhaohua.example.org", token),
                version_label="码版本 v1",
                short_code=f"ZH-{i:04d}-1",
                subtitle="昭化区新时代文明实践中心",
            )
        )
    posters_pdf(posters[:1])  # warm-up: font registration happens once per process
    for size in ("A4", "A6"):
        start = time.perf_counter()
        pdf = posters_pdf(posters, size)
        dt = time.perf_counter() - start
        print(
            f"{size}: {len(posters)} posters in {dt:.2f} s = {len(posters) / dt:.0f} posters/s, "
            f"{len(pdf) / 1e6:.2f} MB"
        )
    import qrcode

    start = time.perf_counter()
    for p in posters:
        qrcode.make(p.url).save(io.BytesIO())
    bare = time.perf_counter() - start
    start = time.perf_counter()
    for p in posters:
        to_png(p.url)
    ours = time.perf_counter() - start
    print(
        f"bare qrcode.make PNG: {len(posters) / bare:.0f} codes/s; "
        f"qr.to_png (level Q): {len(posters) / ours:.0f} codes/s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
