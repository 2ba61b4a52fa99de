"""The frame loop: reads a held-up card, ignores it while it stays, survives a lost camera."""

from __future__ import annotations

import shutil
import threading

import numpy as np

from kiosk.scanner import Scanner
from kiosk.sources import FolderSource, open_source
from tests.fixtures.kiosk import camera_frame, empty_frame, wait_until, write_frame

URL = "HTTPS://ZHAOHUA.EXAMPLE.ORG/S/ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def test_a_photographed_card_is_read_once_while_it_stays_in_view():
    scanner = Scanner(None, on_code=lambda text: None)
    frame = camera_frame(URL, seed=3)
    assert frame.shape == (720, 1280, 3)
    assert scanner.process(frame) == [URL]
    assert scanner.process(frame) == []  # still held up: not a second scan
    assert scanner.process(empty_frame()) == []


def test_the_same_card_counts_again_after_the_pause():
    scanner = Scanner(None, on_code=lambda text: None, repeat_seconds=0.0)
    frame = camera_frame(URL, seed=4)
    assert scanner.process(frame) == [URL]
    assert scanner.process(frame) == [URL]


def test_big_frames_are_scaled_down_and_still_read():
    scanner = Scanner(None, on_code=lambda text: None)
    frame = camera_frame(URL, seed=5, size=(2560, 1440))
    assert scanner.process(frame) == [URL]


def test_a_garbage_frame_does_not_stop_the_loop():
    scanner = Scanner(None, on_code=lambda text: None)
    assert scanner.process(np.zeros((4, 4, 3), np.uint8)) == []


def test_camera_lost_and_back(tmp_path):
    """The folder disappears (camera unplugged) and comes back: the loop reports both, reads on."""
    folder = tmp_path / "camera"
    write_frame(folder, "a.png", empty_frame())
    seen, states = [], []
    got = threading.Event()

    def on_code(text):
        seen.append(text)
        got.set()

    scanner = Scanner(FolderSource(folder), on_code, fps=30, on_camera=states.append)
    scanner.start()
    try:
        wait_until(lambda: states == [True], message="camera never came up")
        shutil.rmtree(folder)
        wait_until(lambda: states == [True, False], message="lost camera not noticed")
        write_frame(folder, "b.png", camera_frame(URL, seed=6))
        assert got.wait(15), "no code read after the camera came back"
        assert states == [True, False, True] and seen == [URL]
    finally:
        scanner.stop()
        scanner.join(5)
    assert not scanner.is_alive()


def test_open_source_kinds(tmp_path):
    assert type(open_source(str(tmp_path))).__name__ == "FolderSource"
    assert type(open_source(str(tmp_path / "clip.mp4"))).__name__ == "VideoSource"
    assert open_source(str(tmp_path / "clip.mp4")).read() is None  # missing file: no camera


def test_replay_manifest_sets_order_and_hold(tmp_path):
    write_frame(tmp_path, "blank.png", empty_frame())
    write_frame(tmp_path, "card.png", camera_frame(URL, seed=7))
    (tmp_path / "replay.json").write_text(
        '{"frames": [{"file": "blank.png", "repeat": 2}, {"file": "card.png", "repeat": 1}]}')
    source = FolderSource(tmp_path)
    shapes = [source.read() for _ in range(6)]
    first = shapes[0]
    assert shapes[1] is first and shapes[2] is not first and shapes[3] is first


def _needs_fallback_frames():
    """Motion-blurred 1280x720 frames the first pass misses and a fallback pass reads."""
    import qr
    from tests.bench.qr_corpus import generate

    for frame in generate(8, 6, kinds=("motion",)):
        if frame.image.shape[1] == 1280 and not qr.decode(frame.image, fallbacks=False) \
                and [d.text for d in qr.decode(frame.image)] == [frame.text]:
            yield frame


def test_fallback_passes_run_on_one_frame_in_three(monkeypatch):
    import qr

    calls = []

    def counting(gray, **options):
        calls.append(options.get("fallbacks", True))
        return []

    monkeypatch.setattr(qr, "decode", counting)
    scanner = Scanner(None, on_code=lambda text: None, fallback_every=3)
    for _ in range(9):
        scanner.process(empty_frame())
    assert calls == [True, False, False] * 3


def test_a_blurred_card_held_up_is_read_within_the_fallback_interval():
    frame = next(_needs_fallback_frames())
    for start in range(3):  # whichever frame of the cycle the card first shows in
        scanner = Scanner(None, on_code=lambda text: None, fallback_every=3)
        for _ in range(start):
            scanner.process(empty_frame())
        reads = [scanner.process(frame.image) for _ in range(3)]
        assert [frame.text] in reads, start


def test_expensive_miss_frames_take_the_recovery_families_in_turn():
    from qr.recover import FAMILIES

    scanner = Scanner(None, on_code=lambda text: None, fallback_every=3)
    for _ in range(3 * len(FAMILIES)):
        assert scanner.process(empty_frame()) == []
    # Frames 1, 4, 7, ... are the expensive ones: one family each, in order; the others none.
    assert [family for family, _ in scanner.schedule.turns] == list(FAMILIES)


def test_a_card_bent_on_a_pillar_is_read_on_the_curved_turn():
    import cv2

    import qr
    from tests.bench.qr_corpus import frame

    card = frame(1, "cylinder-2", 1)  # the cheap pass and its fallbacks miss it
    assert qr.decode(cv2.cvtColor(card.image, cv2.COLOR_BGR2GRAY), recover=False) == []
    # A budget no frame reaches, so each turn tries its family's whole bank: the read comes on
    # the curved family's turn (frame 4), not before.
    scanner = Scanner(None, on_code=lambda text: None, fallback_every=3, miss_budget_ms=1e6)
    reads = [scanner.process(card.image) for _ in range(4)]
    assert reads == [[], [], [], [card.text]]
