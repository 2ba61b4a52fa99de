"""Recorded-looking camera frames: cards held up to a 1280x720 camera, and a replay.json plan."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

import qr

FRAME = (1280, 720)


def room(seed: int = 0) -> np.ndarray:
    """The view with nobody in front of the kiosk."""
    rng = np.random.default_rng(seed)
    w, h = FRAME
    frame = rng.normal(110, 25, (h, w, 3)).clip(0, 255).astype(np.uint8)
    return cv2.GaussianBlur(frame, (0, 0), 4)


def png_image(png: bytes) -> np.ndarray:
    """A picture (a printed card's PNG, say) as an image array."""
    return cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)


def code_image(text: str) -> np.ndarray:
    """A bare QR, as the dashboard shows the enrollment code on a screen."""
    return png_image(qr.to_png(text, scale=6))


def held_up(page: np.ndarray, seed: int = 0) -> np.ndarray:
    """A card or screen held up at a slant: perspective, defocus, noise and JPEG, in the room."""
    rng = np.random.default_rng(seed)
    h, w = page.shape[:2]
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = src + rng.uniform(-0.05, 0.05, (4, 2)).astype(np.float32) * [w, h]
    dst -= dst.min(axis=0)
    size = (int(dst[:, 0].max()) + 1, int(dst[:, 1].max()) + 1)
    warp = cv2.getPerspectiveTransform(src, dst.astype(np.float32))
    photo = cv2.warpPerspective(page, warp, size, borderValue=(0, 0, 0))
    mask = cv2.warpPerspective(np.full((h, w), 255, np.uint8), warp, size)
    fw, fh = FRAME
    scale = min(fw * 0.7 / size[0], fh * 0.85 / size[1])
    photo = cv2.resize(photo, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    mask = cv2.resize(mask, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    frame = room(seed)
    y, x = (fh - photo.shape[0]) // 2, (fw - photo.shape[1]) // 2
    region = frame[y:y + photo.shape[0], x:x + photo.shape[1]]
    region[mask > 127] = photo[mask > 127]
    frame = cv2.GaussianBlur(frame, (0, 0), 0.9)
    frame = np.clip(frame + rng.normal(0, 5, frame.shape), 0, 255).astype(np.uint8)
    ok, jpg = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 60])
    return cv2.imdecode(jpg, cv2.IMREAD_COLOR)


def write_replay(folder: Path, cards: Sequence[bytes], *, fps: float = 15.0,
                 card_seconds: float = 2.0, gap_seconds: float = 18.0) -> Path:
    """Frames plus a replay.json: the room, then each card (its PNG) in turn, looping.

    The gap keeps a loop of four cards over a minute, so the second pass signs each volunteer
    out instead of being taken for the same read twice.
    """
    folder.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(folder / "room.jpg"), room())
    plan = []
    for i, card in enumerate(cards):
        name = f"card{i:02d}.jpg"
        cv2.imwrite(str(folder / name), held_up(png_image(card), seed=i + 1))
        plan += [{"file": "room.jpg", "repeat": int(gap_seconds * fps)},
                 {"file": name, "repeat": int(card_seconds * fps)}]
    (folder / "replay.json").write_text(json.dumps({"frames": plan}, indent=1))
    return folder
