"""Render the kiosk's spoken prompts (kiosk/speech.py: PROMPTS and PARTS) with espeak-ng's
Mandarin voice into assets/kiosk/sounds/<key>.wav (16 kHz, 16-bit mono, silence trimmed).

Debian's espeak-ng reads most Chinese characters through its English rules (its Mandarin
dictionary is the small one), so each sentence is first turned into numbered pinyin
(pypinyin, with its phrase table for 还/行/重 and the like) and read by the `cmn-latn-pinyin`
voice, which speaks pinyin with its tones.

    .venv/bin/python scripts/prompts.py            # every prompt, stray files removed
    .venv/bin/python scripts/prompts.py signed_in  # only these keys

The WAV files are committed: a kiosk needs no synthesizer. espeak-ng comes from Debian
(scripts/sysdeps.sh installs it), pypinyin from requirements-dev.txt."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from kiosk.speech import PARTS, PROMPTS, SOUNDS  # noqa: E402

VOICE = "cmn-latn-pinyin"
PAUSES = {"，": ",", "、": ",", "；": ",", "：": ",", "。": ".", "？": ".", "！": "."}
WORDS_PER_MINUTE = "145"  # a little slower than espeak's 175: many listeners are elderly
RATE = 16000
SILENCE = 200  # samples quieter than this at either end are cut (of 32767)
PAD = int(0.08 * RATE)  # then 80 ms of quiet is kept on each side


def pinyin(text: str) -> str:
    """签到成功。 → "qian1 dao4 cheng2 gong1 ." (punctuation kept as pauses)."""
    from pypinyin import Style, lazy_pinyin

    words = lazy_pinyin(text, style=Style.TONE3, neutral_tone_with_five=True,
                        errors=lambda chars: [PAUSES.get(c, " ") for c in chars])
    return " ".join(w for w in (w.strip() for w in words) if w)


def render(text: str) -> bytes:
    out = subprocess.run(["espeak-ng", "-v", VOICE, "-s", WORDS_PER_MINUTE, "-a", "180",
                          "--stdout", pinyin(text)], check=True, capture_output=True).stdout
    with wave.open(io.BytesIO(out)) as source:
        rate = source.getframerate()
        samples = np.frombuffer(source.readframes(source.getnframes()), dtype="<i2")
    samples = samples.astype(np.float64)
    loud = np.flatnonzero(np.abs(samples) > SILENCE)
    if loud.size:
        samples = samples[max(loud[0] - PAD, 0):loud[-1] + PAD]
    count = int(len(samples) * RATE / rate)
    resampled = np.interp(np.linspace(0, len(samples) - 1, count), np.arange(len(samples)),
                          samples)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as target:
        target.setnchannels(1)
        target.setsampwidth(2)
        target.setframerate(RATE)
        target.writeframes(np.clip(resampled, -32768, 32767).astype("<i2").tobytes())
    return buffer.getvalue()


def main(argv: list[str]) -> int:
    if shutil.which("espeak-ng") is None:
        print("espeak-ng is missing: apt-get install -y espeak-ng", file=sys.stderr)
        return 1
    table = {**PROMPTS, **PARTS}
    keys = argv or list(table)
    unknown = [k for k in keys if k not in table]
    if unknown:
        print(f"no such prompt: {', '.join(unknown)}", file=sys.stderr)
        return 2
    SOUNDS.mkdir(parents=True, exist_ok=True)
    for key in keys:
        (SOUNDS / f"{key}.wav").write_bytes(render(table[key]))
    if not argv:
        for stray in SOUNDS.glob("*.wav"):
            if stray.stem not in table:
                stray.unlink()
    print(f"{len(keys)} prompts in {SOUNDS}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
