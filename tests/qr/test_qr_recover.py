"""Recovery passes: each rescues a frame nothing else reads; none runs when the cheap pass reads."""

from __future__ import annotations

import io
from functools import cache

import cv2
import numpy as np
import pytest
from PIL import Image

import qr.recover
from qr import decode, to_png
from qr.decode import PASSES
from tests.bench.qr_corpus import frame

# Frames of the bench corpus (development seed 1) that the cheap pass and its fallbacks miss
# and exactly one recovery family reads; found by trying every family on each.
ONLY = {
    "defocus": ("disc-3", 11),
    "curved": ("cylinder-2", 1),
    "mesh": ("wrinkle-3", 8),
    "motion": ("line-2", 0),
}


@cache
def _gray(kind: str, i: int):
    f = frame(1, kind, i)
    return cv2.cvtColor(f.image, cv2.COLOR_BGR2GRAY), f.text


@pytest.mark.parametrize("family", qr.recover.FAMILIES)
def test_each_family_alone_rescues_its_frame(family):
    gray, text = _gray(*ONLY[family])
    assert decode(gray, recover=False) == []  # the cheap pass and the fallbacks miss it
    reads = {name: [d.text for d in qr.recover.recover(gray, name)] for name in qr.recover.FAMILIES}
    assert reads[family] == [text]
    assert all(reads[name] == [] for name in reads if name != family), reads
    [found] = decode(gray)  # and the pipeline reaches it, named for the family
    assert (found.text, found.decoder) == (text, f"recover+{family}")


def _recording(monkeypatch):
    calls = []
    real = qr.recover.recover

    def recover(gray, family, *args, **kwargs):
        calls.append(family)
        return real(gray, family, *args, **kwargs)

    monkeypatch.setattr(qr.recover, "recover", recover)
    return calls


def test_a_frame_the_cheap_pass_reads_runs_no_recovery(monkeypatch):
    calls = _recording(monkeypatch)
    gray = np.asarray(Image.open(io.BytesIO(to_png("CHEAP-PASS-CODE"))).convert("L"))
    [found] = decode(gray)
    assert (found.text, found.decoder) == ("CHEAP-PASS-CODE", PASSES[0]) and calls == []


def test_recovery_families_run_in_order_after_the_fallbacks(monkeypatch):
    calls = _recording(monkeypatch)
    gray, text = _gray(*ONLY["motion"])
    [found] = decode(gray)
    assert found.text == text and calls == list(qr.recover.FAMILIES)
    assert PASSES[-len(qr.recover.FAMILIES) :] == tuple(
        f"recover+{name}" for name in qr.recover.FAMILIES
    )


def test_a_passed_deadline_tries_nothing():
    gray, _ = _gray(*ONLY["curved"])
    assert qr.recover.recover(gray, "curved", deadline=0.0) == []


def test_schedule_takes_families_in_turn_and_resumes_each_bank():
    schedule = qr.recover.Schedule()
    blank = np.full((480, 640), 180, np.uint8)
    for _ in range(2 * len(qr.recover.FAMILIES)):
        assert schedule.step(blank, deadline=None) == []
    families = [family for family, _ in schedule.turns]
    assert families == list(qr.recover.FAMILIES) * 2
    # A deadline stops a turn early and that family's next turn starts where it stopped (one
    # further on at least, so a try that always overruns cannot stall the bank).
    stopped = qr.recover.Schedule()
    gray, _ = _gray(*ONLY["motion"])
    for _ in range(len(qr.recover.FAMILIES) + 1):
        stopped.step(gray, deadline=0.0)
    assert stopped.turns[-1] == ("defocus", 1)


def test_unknown_family_is_refused():
    with pytest.raises(ValueError, match="unknown recovery family"):
        qr.recover.recover(np.zeros((50, 50), np.uint8), "gaussian")
