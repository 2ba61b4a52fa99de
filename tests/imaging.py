"""Test helpers that turn printed output into what a camera would see."""

from __future__ import annotations

import subprocess
from pathlib import Path

import cv2
import numpy as np


def rasterise_pdf(pdf: bytes, folder: Path, dpi: int) -> list[np.ndarray]:
    """Each PDF page as a BGR image, rendered by poppler as a printer would."""
    src = folder / "print.pdf"
    src.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(src), str(folder / "page")],
                   check=True)
    return [cv2.imread(str(p)) for p in sorted(folder.glob("page*.png"))]


def photograph(page: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A phone photo of the print: perspective, a grey room around it, blur, noise, JPEG."""
    h, w = page.shape[:2]
    out_w, out_h = int(w * 1.3), int(h * 1.2)
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = (
        src
        + np.float32([w * 0.15, h * 0.1])
        + rng.uniform(-0.06, 0.06, (4, 2)).astype(np.float32) * [w, h]
    )
    matrix = cv2.getPerspectiveTransform(src, dst.astype(np.float32))
    photo = cv2.warpPerspective(page, matrix, (out_w, out_h), borderValue=(90, 100, 110))
    photo = cv2.GaussianBlur(photo, (0, 0), 1.0)
    photo = np.clip(photo + rng.normal(0, 6, photo.shape), 0, 255).astype(np.uint8)
    ok, jpg = cv2.imencode(".jpg", photo, [cv2.IMWRITE_JPEG_QUALITY, 35])
    assert ok
    return cv2.imdecode(jpg, cv2.IMREAD_COLOR)
