"""Frame sources: a camera, a video file, a folder of images, or a replay of recorded frames.

Each has `read() -> BGR ndarray | None` (None: no frame now, the source is gone or ended) and
`reopen()`; the frame loop calls reopen() with backoff until frames come again.
"""

from __future__ import annotations

import json
from pathlib import Path

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".webp")
VIDEO_SUFFIXES = (".mp4", ".avi", ".mkv", ".mov", ".webm", ".m4v")


class CameraSource:
    def __init__(self, index: int, width: int = 1280, height: int = 720) -> None:
        self.index, self.width, self.height = index, width, height
        self.cap = None
        self.reopen()

    def reopen(self) -> None:
        import cv2

        self.close()
        cap = cv2.VideoCapture(self.index)
        if cap.isOpened():
            cap.set(cv2.CAP_PROP_FRAME_WIDTH, self.width)
            cap.set(cv2.CAP_PROP_FRAME_HEIGHT, self.height)
            cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)  # the newest frame, not a stale queue
            self.cap = cap

    def read(self):
        if self.cap is None:
            return None
        ok, frame = self.cap.read()
        return frame if ok else None

    def close(self) -> None:
        if self.cap is not None:
            self.cap.release()
            self.cap = None


class VideoSource(CameraSource):
    """A video file, looped: the demo's "camera"."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self.cap = None
        self.reopen()

    def reopen(self) -> None:
        import cv2

        self.close()
        cap = cv2.VideoCapture(self.path)
        self.cap = cap if cap.isOpened() else None

    def read(self):
        frame = super().read()
        if frame is None and self.cap is not None:
            self.reopen()  # loop back to the start
            frame = super().read()
        return frame


class FolderSource:
    """Images in a folder, each shown for `hold` frames, in name order, looping.

    The folder is listed again on each pass, so files added later are shown too; a missing or
    empty folder reads as "no camera". A `replay.json` in the folder (``{"frames": [{"file":
    "a.jpg", "repeat": 30}, ...]}``) gives the order and how long each frame stays in view.
    """

    def __init__(self, folder: str | Path, hold: int = 1) -> None:
        self.folder = Path(folder)
        self.hold = hold
        self._cache: dict[str, object] = {}
        self._plan: list[tuple[str, int]] = []
        self._pos = 0
        self._repeat = 0
        self.reopen()

    def reopen(self) -> None:
        self._plan, self._pos, self._repeat = self._listing(), 0, 0

    def _listing(self) -> list[tuple[str, int]]:
        if not self.folder.is_dir():
            return []
        manifest = self.folder / "replay.json"
        if manifest.is_file():
            doc = json.loads(manifest.read_text())
            return [(f["file"], int(f.get("repeat", 1))) for f in doc["frames"]]
        return [(p.name, self.hold) for p in sorted(self.folder.iterdir())
                if p.suffix.lower() in IMAGE_SUFFIXES and not p.name.startswith(".")]

    def _image(self, name: str):
        import cv2

        image = self._cache.get(name)
        if image is None:
            image = cv2.imread(str(self.folder / name), cv2.IMREAD_COLOR)
            if image is not None:  # a file still being written is tried again next time
                self._cache[name] = image
        return image

    def read(self):
        if self._pos >= len(self._plan):
            self.reopen()
            if not self._plan:
                return None
        name, repeat = self._plan[self._pos]
        self._repeat += 1
        if self._repeat >= repeat:
            self._pos, self._repeat = self._pos + 1, 0
        return self._image(name)

    def close(self) -> None:
        self._cache.clear()


def open_source(spec: str):
    """A camera index ("0"), a video file, or a folder of images / recorded frames."""
    if spec.isdigit():
        return CameraSource(int(spec))
    path = Path(spec)
    if path.suffix.lower() in VIDEO_SUFFIXES:
        return VideoSource(path)
    return FolderSource(path)
