"""Seeded generator of camera-like frames with and without QR codes, for the decode benchmark.

Frames are made in memory: a cluttered scene rendered at twice the target resolution, a poster or a
phone screen placed by a homography, then the kind's degradation, a webcam-like resize, sensor noise
and JPEG. The same seed always gives the same frames; develop on one seed and report on another.

`KINDS` is the kiosk-like corpus. `PHYSICS` adds the optics and surfaces a kiosk camera meets,
each family at strengths 1-3 (``disc-2``): a code out of focus (a disc point-spread function, as
a real lens gives, not a Gaussian), moving past the camera on a straight or a curved path, bent
on a cylinder (a pillar, a lamp post, a card bent in a wallet) or on a smooth wrinkle field (a
poster, a vest), each surface rendered through a pinhole camera with its shading.
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from qr.render import matrix  # noqa: E402

KINDS = (
    "clean", "angle", "far", "dark_screen", "glare", "moire", "motion",
    "lowlight", "shadow", "jpeg", "defocus", "nocode",
)  # fmt: skip
#: family -> its strength parameter at strengths 1, 2, 3, in modules of the final frame unless said:
#: disc radius; motion path length; cylinder half-angle the code subtends (degrees); wrinkle
#: displacement amplitude.
FAMILIES = {
    "disc": (0.6, 0.9, 1.2),
    "line": (1.2, 2.0, 3.0),
    "curve": (1.2, 2.0, 3.0),
    "cylinder": (35.0, 55.0, 70.0),
    "wrinkle": (0.25, 0.45, 0.7),
}
PHYSICS = tuple(f"{family}-{n}" for family in FAMILIES for n in (1, 2, 3))
ALL_KINDS = KINDS + PHYSICS
SIZES = ((640, 480), (1280, 720), (1920, 1080))
_CHINESE = "昭化区新时代文明实践站志愿服务点单签到时间银行元坝镇太平村图书馆"


@dataclass
class Frame:
    kind: str
    image: np.ndarray  # BGR uint8
    text: str | None  # None for frames without a code
    size: tuple[int, int]


def payload(rng: np.random.Generator) -> str:
    """A URL, a bare token or a Chinese text, in the proportions a kiosk would meet them."""
    raw = rng.integers(0, 256, int(rng.integers(76, 84)), dtype=np.uint8).tobytes()
    token = base64.b32encode(raw).decode().rstrip("=")
    pick = rng.random()
    if pick < 0.5:
        return "HTTPS://ZHAOHUA.EXAMPLE.ORG/S/" + token
    if pick < 0.8:
        return token
    chars = "".join(rng.choice(list(_CHINESE), int(rng.integers(6, 30))))
    return f"文明服务码:{chars}:{int(rng.integers(1, 10**6))}"


def _symbol(text: str, px: int) -> np.ndarray:
    mods = np.pad(np.array(matrix(text), dtype=bool), 4)
    return np.kron(np.where(mods, 0, 255).astype(np.uint8), np.ones((px, px), np.uint8))


def _scene(rng: np.random.Generator, w: int, h: int) -> np.ndarray:
    """Low-frequency shading plus clutter: boxes, lines and text, as behind a kiosk camera."""
    base = rng.uniform(60, 200)
    low = cv2.resize(
        rng.normal(0, 35, (6, 8)).astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC
    )
    img = np.clip(base + low, 0, 255)
    img = np.repeat(img[:, :, None], 3, axis=2) * rng.uniform(0.8, 1.2, 3)
    img = img.astype(np.uint8)
    for _ in range(int(rng.integers(5, 20))):
        color = tuple(int(c) for c in rng.integers(0, 256, 3))
        x, y = int(rng.integers(0, w)), int(rng.integers(0, h))
        shape = rng.integers(0, 3)
        if shape == 0:
            cv2.rectangle(
                img,
                (x, y),
                (x + int(rng.integers(20, w // 3)), y + int(rng.integers(20, h // 3))),
                color,
                -1,
            )
        elif shape == 1:
            cv2.line(
                img,
                (x, y),
                (int(rng.integers(0, w)), int(rng.integers(0, h))),
                color,
                int(rng.integers(1, 8)),
            )
        else:
            words = "".join(rng.choice(list("ABCDEFGHIJKLMNOP0123456789 "), 12))
            cv2.putText(
                img,
                words,
                (x, y),
                cv2.FONT_HERSHEY_SIMPLEX,
                rng.uniform(0.8, 3),
                color,
                int(rng.integers(1, 5)),
            )
    return img


def _card(rng: np.random.Generator, sym: np.ndarray, inverted: bool) -> np.ndarray:
    """The code on a poster (white paper with a printed text block) or on a phone screen."""
    s = sym.shape[0]
    pad = int(s * rng.uniform(0.05, 0.3))
    card = np.full((s + 2 * pad + s // 3, s + 2 * pad), 255, np.uint8)
    card[pad : pad + s, pad : pad + s] = sym
    for i in range(3):  # lines of "text" under the code
        y = pad + s + int(s * 0.06) + i * int(s * 0.09)
        x2 = int(card.shape[1] * rng.uniform(0.4, 0.9))
        cv2.rectangle(card, (pad, y), (x2, y + max(2, s // 40)), 40, -1)
    if inverted:  # dark mode: light modules on a near-black screen
        card = (255 - card) * rng.uniform(0.7, 1.0) + rng.uniform(0, 25)
    return np.repeat(card[:, :, None].astype(np.uint8), 3, axis=2)


def _cylinder(rng: np.random.Generator, card: np.ndarray, half_angle_deg: float):
    """The card wrapped on a convex cylinder, seen by a pinhole camera facing its axis.

    The card's width spans +-half_angle around the cylinder, so modules near the edges are
    foreshortened and the rows bow (perspective: the edges are farther away). Returns the image
    and its coverage mask; the axis is the card's vertical or horizontal at random.
    """
    horizontal = rng.random() < 0.5
    if horizontal:
        card = np.ascontiguousarray(card.transpose(1, 0, 2))
    ch, cw = card.shape[:2]
    theta_max = np.radians(half_angle_deg)
    radius = cw / 2 / theta_max
    dist = cw * rng.uniform(1.5, 3.0)  # camera distance from the nearest line of the surface
    theta = np.linspace(-theta_max, theta_max, 4 * cw)
    depth = radius * (1 - np.cos(theta))
    x_img = dist * radius * np.sin(theta) / (dist + depth)
    out_w = int(np.ceil(2 * x_img.max())) + 2
    out_h = ch + 2
    xs = np.arange(out_w, dtype=np.float64) - out_w / 2
    th = np.interp(xs, x_img, theta, left=np.nan, right=np.nan)
    z = dist + radius * (1 - np.cos(th))
    ys = np.arange(out_h, dtype=np.float64) - out_h / 2
    map_x = np.repeat((radius * th + cw / 2)[None, :], out_h, 0)
    map_y = ys[:, None] * (z / dist)[None, :] + ch / 2
    map_x, map_y = np.nan_to_num(map_x, nan=-10), np.nan_to_num(map_y, nan=-10)
    bent = cv2.remap(
        card,
        map_x.astype(np.float32),
        map_y.astype(np.float32),
        cv2.INTER_LINEAR,
        borderValue=(0, 0, 0),
    )
    mask = cv2.remap(
        np.full((ch, cw), 255, np.uint8),
        map_x.astype(np.float32),
        map_y.astype(np.float32),
        cv2.INTER_LINEAR,
        borderValue=0,
    )
    light = rng.uniform(-0.4, 0.4)  # light from one side: a shading gradient across the bend
    shade = 0.5 + 0.5 * np.cos(np.nan_to_num(th, nan=0) - light)
    bent = (bent * shade[None, :, None]).astype(np.uint8)
    if horizontal:
        bent, mask = bent.transpose(1, 0, 2), mask.T
    return np.ascontiguousarray(bent), np.ascontiguousarray(mask)


def _wrinkle(rng: np.random.Generator, card: np.ndarray, amplitude: float):
    """The card on a random smooth height field: displaced modules and shaded folds.

    amplitude is the largest displacement in card pixels; the folds are 5-10 modules apart.
    """
    ch, cw = card.shape[:2]
    cells = max(3, int(cw / (8 * rng.uniform(5, 10))))

    def field():
        low = rng.normal(0, 1, (cells, cells)).astype(np.float32)
        f = cv2.resize(low, (cw, ch), interpolation=cv2.INTER_CUBIC)
        return f / max(float(np.abs(f).max()), 1e-6)

    height = field()
    gy, gx = np.gradient(height)
    # A surface tilted by its slope moves its points sideways in the picture along the slope.
    map_x = np.arange(cw, dtype=np.float32)[None, :] + amplitude * field()
    map_y = np.arange(ch, dtype=np.float32)[:, None] + amplitude * field()
    bent = cv2.remap(card, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    slope = (gx * np.cos(1.0) + gy * np.sin(1.0)) * cells * 8
    shade = np.clip(
        1 + rng.uniform(0.2, 0.4) * slope / max(float(np.abs(slope).max()), 1e-6), 0.4, 1.3
    )
    bent = np.clip(bent * shade[:, :, None], 0, 255).astype(np.uint8)
    return bent, np.full((ch, cw), 255, np.uint8)


def _path_kernel(rng: np.random.Generator, length: float, curved: bool) -> np.ndarray:
    """A motion point-spread function: the path a point travels during the exposure.

    Straight, or an arc turning 60-120 degrees (a hand swinging a card past the camera), drawn
    with sub-pixel steps so the energy along the path is even.
    """
    size = int(np.ceil(length)) * 2 + 3
    k = np.zeros((size * 4, size * 4), np.float32)  # drawn at 4x, then area-averaged
    angle = rng.uniform(0, np.pi)
    turn = rng.uniform(np.pi / 3, 2 * np.pi / 3) * rng.choice([-1, 1]) if curved else 0.0
    t = np.linspace(-0.5, 0.5, 400)
    if curved:
        r = length / abs(turn)
        phi = angle + turn * t
        xs = r * np.sin(phi) * np.sign(turn)
        ys = -r * np.cos(phi) * np.sign(turn)
    else:
        xs, ys = length * t * np.cos(angle), length * t * np.sin(angle)
    xs, ys = xs - xs.mean(), ys - ys.mean()
    rows = np.round((ys + size / 2) * 4).astype(int) % (size * 4)
    cols = np.round((xs + size / 2) * 4).astype(int) % (size * 4)
    np.add.at(k, (rows, cols), 1.0)
    k = cv2.resize(k, (size, size), interpolation=cv2.INTER_AREA)
    return k / k.sum()


def disc_kernel(radius: float) -> np.ndarray:
    """A defocus point-spread function: a uniform disc (geometric optics), anti-aliased edge."""
    size = int(np.ceil(radius)) * 2 + 1
    yy, xx = np.mgrid[:size, :size] - size // 2
    k = np.clip(radius + 0.5 - np.hypot(xx, yy), 0, 1).astype(np.float32)
    return k / k.sum()


def _place(rng, scene, card, module_out: float, px: int, warp: float, scale: int, alpha=None):
    """Warp the card into the scene so one module is ~module_out pixels in the final frame."""
    h, w = scene.shape[:2]
    ch, cw = card.shape[:2]
    side = cw * module_out * scale / px
    cx = rng.uniform(0.3, 0.7) * w
    cy = rng.uniform(0.3, 0.7) * h
    angle = rng.uniform(-np.pi, np.pi) if rng.random() < 0.4 else rng.uniform(-0.3, 0.3)
    half = np.array([[-side / 2, -side * ch / cw / 2], [side / 2, -side * ch / cw / 2],
                     [side / 2, side * ch / cw / 2], [-side / 2, side * ch / cw / 2]])  # fmt: skip
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    dst = half @ rot.T + (cx, cy)
    dst += rng.uniform(-warp, warp, (4, 2)) * side
    # keep the whole card in frame: a cut-off code is a different problem
    lo, hi = dst.min(0), dst.max(0)
    shift = np.maximum(0, 4 - lo) - np.maximum(0, hi - (w - 4, h - 4))
    dst += shift
    src = np.float32([[0, 0], [cw, 0], [cw, ch], [0, ch]])
    m = cv2.getPerspectiveTransform(src, dst.astype(np.float32))
    warped = cv2.warpPerspective(card, m, (w, h), flags=cv2.INTER_LINEAR)
    if alpha is None:
        alpha = np.full((ch, cw), 255, np.uint8)
    mask = cv2.warpPerspective(alpha, m, (w, h)) > 127
    scene[mask] = warped[mask]
    return dst


def _frame(rng: np.random.Generator, kind: str) -> Frame:
    family, _, level = kind.partition("-")
    strength = FAMILIES[family][int(level) - 1] if level else 0.0
    size = SIZES[int(rng.integers(0, len(SIZES)))]
    w, h = size
    scale = 2  # render at 2x and downsample: a camera integrates light over each pixel
    scene = _scene(rng, w * scale, h * scale)
    text = None if kind == "nocode" else payload(rng)
    module = 3.0
    if text is not None:
        px = 8
        sym = _symbol(text, px)
        card = _card(rng, sym, kind == "dark_screen")
        alpha = None
        if family == "cylinder":
            card, alpha = _cylinder(rng, card, strength)
        elif family == "wrinkle":
            card, alpha = _wrinkle(rng, card, strength * px)
        # Module size in output pixels: small for "far"; otherwise up to what keeps the whole
        # card (at any rotation) inside the frame, since a cut-off code is not a decoding test.
        diagonal = np.hypot(*card.shape[:2]) / px
        fit = min(w, h) * 0.85 / diagonal
        module = (
            rng.uniform(1.5, 2.2) if kind == "far" else rng.uniform(2.4, max(2.5, min(8.0, fit)))
        )
        if family in ("disc", "line", "curve", "cylinder", "wrinkle"):
            # Physics families: a code held up close, not a far one; the family is the test.
            module = rng.uniform(3.0, max(3.1, min(8.0, fit)))
        warp = rng.uniform(0.12, 0.25) if kind == "angle" else rng.uniform(0.0, 0.06)
        quad = _place(rng, scene, card, module, px, warp, scale, alpha)
    img = scene.astype(np.float32)
    if kind in ("glare", "moire", "shadow"):
        yy, xx = np.mgrid[0 : h * scale, 0 : w * scale].astype(np.float32)
    if kind == "glare" and text is not None:
        c = quad.mean(0) + rng.uniform(-0.25, 0.25, 2) * (quad.max(0) - quad.min(0))
        r = (quad.max(0) - quad.min(0)).mean() * rng.uniform(0.12, 0.25)
        blob = np.exp(-(((xx - c[0]) ** 2 + (yy - c[1]) ** 2) / (2 * r * r)))
        img += blob[:, :, None] * rng.uniform(150, 260)
    if kind == "moire":
        period = rng.uniform(2.2, 4.5) * scale
        theta = rng.uniform(0, np.pi)
        grating = np.sin((xx * np.cos(theta) + yy * np.sin(theta)) * 2 * np.pi / period)
        img *= (1 + rng.uniform(0.15, 0.3) * grating)[:, :, None]
    if kind == "shadow":
        a, b = rng.uniform(-1, 1, 2)
        edge = (
            (xx - w * scale / 2) * a + (yy - h * scale / 2) * b + rng.uniform(-0.2, 0.2) * w * scale
        )
        shade = 1 - rng.uniform(0.55, 0.75) / (1 + np.exp(-edge / (4 * scale)))
        img *= shade[:, :, None]
        img *= (0.6 + 0.4 * xx / (w * scale))[:, :, None]
    img = cv2.resize(np.clip(img, 0, 255), (w, h), interpolation=cv2.INTER_AREA)
    if kind == "motion":
        # Blur is relative to the module: beyond ~2 modules no decoder can read it at all.
        length = max(3, int(round(module * rng.uniform(0.8, 2.0))))
        k = np.zeros((length, length), np.float32)
        k[length // 2, :] = 1 / length
        rot = cv2.getRotationMatrix2D((length / 2 - 0.5, length / 2 - 0.5), rng.uniform(0, 180), 1)
        k = cv2.warpAffine(k, rot, (length, length))
        img = cv2.filter2D(img, -1, k / max(k.sum(), 1e-6))
    if family in ("line", "curve"):
        img = cv2.filter2D(img, -1, _path_kernel(rng, module * strength, family == "curve"))
    if family == "disc":
        img = cv2.filter2D(img, -1, disc_kernel(module * strength))
    elif kind == "defocus":
        img = cv2.GaussianBlur(img, (0, 0), module * rng.uniform(0.3, 0.55))
    else:
        img = cv2.GaussianBlur(img, (0, 0), 0.6)  # every webcam lens is a little soft
    noise = 2.5
    if kind == "lowlight":
        img = img * rng.uniform(0.12, 0.25) + rng.uniform(0, 6)
        noise = rng.uniform(3, 6)
    img = np.clip(img + rng.normal(0, noise, img.shape).astype(np.float32), 0, 255).astype(np.uint8)
    quality = int(rng.integers(8, 18)) if kind == "jpeg" else int(rng.integers(60, 92))
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])
    img = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    return Frame(kind, img, text, size)


def frame(seed: int, kind: str, i: int) -> Frame:
    """Frame i of kind k for a seed: always the same frame."""
    return _frame(np.random.default_rng([seed, ALL_KINDS.index(kind), i]), kind)


def generate(seed: int, per_kind: int, kinds=KINDS) -> Iterator[Frame]:
    """per_kind frames of each kind; frame i of kind k depends only on (seed, k, i)."""
    for kind in kinds:
        for i in range(per_kind):
            yield frame(seed, kind, i)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--per-kind", type=int, default=5)
    ap.add_argument("--out", type=Path, required=True, help="a scratch directory (not the repo)")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    manifest = []
    for n, f in enumerate(generate(args.seed, args.per_kind, ALL_KINDS)):
        name = f"{n:04d}-{f.kind}.png"
        cv2.imwrite(str(args.out / name), f.image)
        manifest.append({"file": name, "kind": f.kind, "text": f.text, "size": f.size})
    (args.out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
    print(f"wrote {len(manifest)} frames to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
