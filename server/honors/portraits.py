"""Generated portraits for the demo honor roll: drawn shapes, never photos of real people."""

from __future__ import annotations

import io
import random

SKIN = [(236, 200, 170), (224, 184, 150), (210, 166, 130), (241, 210, 182)]
HAIR = [(30, 26, 24), (60, 50, 44), (120, 120, 120), (200, 200, 200)]
CLOTHES = [(150, 30, 36), (30, 80, 140), (40, 110, 70), (120, 80, 40), (90, 60, 120)]
BACKS = [(250, 236, 220), (226, 238, 250), (234, 246, 232), (248, 232, 236)]


def portrait_png(seed: int, *, size=(360, 480)) -> bytes:
    """A friendly head-and-shoulders silhouette, different for each seed."""
    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    width, height = size
    back = rng.choice(BACKS)
    image = Image.new("RGB", size, back)
    draw = ImageDraw.Draw(image)
    for step in range(0, height, 8):  # a soft vertical gradient, a little darker below
        shade = int(28 * step / height)
        draw.rectangle((0, step, width, step + 8), fill=tuple(max(0, c - shade) for c in back))
    cx, head = width // 2, int(width * 0.22)
    clothes, skin, hair = rng.choice(CLOTHES), rng.choice(SKIN), rng.choice(HAIR)
    draw.ellipse((cx - int(width * 0.46), int(height * 0.66), cx + int(width * 0.46),
                  int(height * 1.25)), fill=clothes)
    draw.rectangle((cx - head // 3, int(height * 0.52), cx + head // 3, int(height * 0.7)),
                   fill=skin)
    top = int(height * 0.2)
    draw.ellipse((cx - head, top, cx + head, top + int(head * 2.3)), fill=skin)
    if rng.random() < 0.5:  # short hair
        draw.chord((cx - head - 4, top - 10, cx + head + 4, top + int(head * 1.6)), 180, 360,
                   fill=hair)
    else:  # long hair falling behind the shoulders
        draw.chord((cx - head - 10, top - 12, cx + head + 10, top + int(head * 1.8)), 160, 380,
                   fill=hair)
        draw.rectangle((cx - head - 10, top + int(head * 0.8), cx - head + 8,
                        top + int(head * 2.6)), fill=hair)
        draw.rectangle((cx + head - 8, top + int(head * 0.8), cx + head + 10,
                        top + int(head * 2.6)), fill=hair)
    eye_y = top + int(head * 1.15)
    for dx in (-head // 2, head // 2):
        draw.ellipse((cx + dx - 6, eye_y - 6, cx + dx + 6, eye_y + 6), fill=(40, 30, 30))
    draw.arc((cx - head // 2, eye_y + head // 3, cx + head // 2, eye_y + int(head * 0.9)),
             20, 160, fill=(150, 60, 60), width=5)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
