"""Recovery passes for frames the cheap pass misses: deblurring, curved and wrinkled surfaces.

Each family looks where a code probably is (`regions`), works on that crop only, and hands the
result to zxing-cpp. `recover(gray, family)` runs one family's whole bank; `qr.decode` runs the
families in `FAMILIES` order when its cheap passes read nothing. The kiosk loop instead runs one
`Schedule` step a frame (one family, in turn, resuming its bank where the last turn's deadline
stopped it), so no frame costs more than its budget (kiosk/scanner.py).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

__all__ = ["FAMILIES", "Region", "Schedule", "regions", "recover"]

#: The recovery families, cheapest bank first.
FAMILIES = ("defocus", "curved", "mesh", "motion")
# Defocus: disc radii in pixels, ~12% apart (a Wiener filter tolerates that much mismatch), and
# two noise-to-signal ratios: 0.01 for mild blur, 0.002 to push the disc's spectral zeros
# harder when the blur is wide (more ringing, so it is tried second).
_DISC_RADII = (2.0, 2.7, 3.5, 4.5, 5.5, 6.5, 7.5, 9.0)
_DISC_K = (0.01, 0.002)
# Motion: path lengths in pixels and directions in 15 degree steps; a curved path is
# approximated by its chord, which is where most of its energy lies.
_MOTION_LENGTHS = (5.0, 7.0, 10.0, 14.0, 19.0)
_MOTION_ANGLES = tuple(range(0, 180, 15))
_MOTION_K = 0.01
# Cylinder: the half-angle the code subtends on the surface, and the camera distance in
# cylinder radii (inf: far away, no bowing of the rows).
_CYLINDER_ANGLES = (30.0, 45.0, 60.0, 75.0)
_CYLINDER_DISTANCES = (float("inf"), 3.0)
# Mesh: (node spacing, window half-width, fitting rounds), spacing and window in modules.
_MESH_FITS = ((3, 2.5, 1), (3, 2.5, 2), (2, 2.0, 2))
_MESH_PX = 8  # pixels per module of the rectified grid


@dataclass(frozen=True)
class Region:
    """Where a code probably is: an axis-aligned box (x0, y0, x1, y1) and, when known, corners
    (top-left, top-right, bottom-right, bottom-left) and the modules a side (from the version
    zxing-cpp read in the format and version information of a code it could not decode)."""

    box: tuple[int, int, int, int]
    corners: tuple[tuple[float, float], ...] | None = None
    modules: int | None = None


def regions(gray: np.ndarray) -> list[Region]:
    """Likely code places, most likely first: the codes zxing-cpp found but could not read, then
    the densest patch of edges (a code is the busiest thing a held-up card shows, even blurred).
    """
    import cv2
    import zxingcpp

    h, w = gray.shape
    out: list[Region] = []
    for b in zxingcpp.read_barcodes(
        gray, formats=zxingcpp.BarcodeFormat.QRCode, try_rotate=False, try_invert=True,
        return_errors=True, text_mode=zxingcpp.TextMode.Plain,
    ):  # fmt: skip
        if b.valid:
            continue
        p = b.position
        pts = np.array(
            [(c.x, c.y) for c in (p.top_left, p.top_right, p.bottom_right, p.bottom_left)],
            np.float32,
        )
        side = float(np.ptp(pts, axis=0).max())
        if side < 21:  # a micro code's worth of pixels: noise, not a kiosk card
            continue
        version = b.extra.get("Version", "") if isinstance(b.extra, dict) else ""
        modules = 17 + 4 * int(version) if str(version).isdigit() else None  # QR model 2 only
        out.append(Region(_padded(pts, 0.25, w, h), tuple(map(tuple, pts.tolist())), modules))
    # Edge density at half resolution: the patch is coarse anyway, and this runs every miss frame.
    step = 2 if min(h, w) >= 480 else 1
    small = cv2.resize(gray, (w // step, h // step), interpolation=cv2.INTER_AREA)
    gx = cv2.Sobel(small, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(small, cv2.CV_32F, 0, 1, ksize=3)
    window = max(8, min(small.shape) // 8)
    energy = cv2.boxFilter(cv2.magnitude(gx, gy), -1, (window, window))
    _, peak, _, at = cv2.minMaxLoc(energy)
    if peak > 0:
        mask = (energy > 0.5 * peak).astype(np.uint8)
        _, labels, stats, _ = cv2.connectedComponentsWithStats(mask)
        x, y, bw, bh = stats[labels[at[1], at[0]], :4] * step
        pts = np.float32([[x, y], [x + bw, y + bh]])
        box = _padded(pts, 0.15, w, h)
        if not any(_overlap(box, r.box) > 0.6 for r in out):
            out.append(Region(box))
    return out[:3]


def _padded(pts: np.ndarray, pad: float, w: int, h: int) -> tuple[int, int, int, int]:
    lo, hi = pts.min(0), pts.max(0)
    margin = pad * float((hi - lo).max())
    x0, y0 = np.maximum(0, np.floor(lo - margin)).astype(int)
    x1, y1 = np.minimum((w, h), np.ceil(hi + margin)).astype(int)
    return int(x0), int(y0), int(x1), int(y1)


def _overlap(a, b) -> float:
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    small = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return ix * iy / small if small else 0.0


# -- deblurring --------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _disc(radius: float) -> np.ndarray:
    """A defocus point-spread function: a uniform disc, as geometric optics gives a lens out of
    focus (a Gaussian is the wrong model: it has no spectral zeros, a disc's Airy-like rings do).
    """
    size = int(np.ceil(radius)) * 2 + 1
    yy, xx = np.mgrid[:size, :size] - size // 2
    k = np.clip(radius + 0.5 - np.hypot(xx, yy), 0, 1).astype(np.float32)
    return k / k.sum()


@lru_cache(maxsize=128)
def _line(length: float, degrees: int) -> np.ndarray:
    """A straight motion point-spread function, anti-aliased, centred."""
    import cv2

    size = int(np.ceil(length)) + 3
    k = np.zeros((size, size), np.float32)
    c = (size - 1) / 2
    dx, dy = np.cos(np.radians(degrees)) * length / 2, np.sin(np.radians(degrees)) * length / 2
    shift = 16  # cv2.line's sub-pixel coordinates: 4 fractional bits
    a = (int(round((c - dx) * shift)), int(round((c - dy) * shift)))
    b = (int(round((c + dx) * shift)), int(round((c + dy) * shift)))
    cv2.line(k, a, b, 1.0, 1, cv2.LINE_AA, 4)
    return k / k.sum()


class _Spectrum:
    """A crop's spectrum, computed once and filtered with each kernel of a bank."""

    def __init__(self, crop: np.ndarray, reach: int) -> None:
        import cv2

        self.h, self.w = crop.shape
        # Reflect-pad so the circular convolution the DFT assumes does not ring at the crop edges.
        self.H = cv2.getOptimalDFTSize(self.h + 2 * reach)
        self.W = cv2.getOptimalDFTSize(self.w + 2 * reach)
        img = cv2.copyMakeBorder(
            crop.astype(np.float32), 0, self.H - self.h, 0, self.W - self.w, cv2.BORDER_REFLECT
        )
        self.F = np.fft.rfft2(img)

    def wiener(self, kernel: np.ndarray, nsr: float) -> np.ndarray:
        """Wiener deconvolution (Wiener 1949; Gonzalez & Woods, Digital Image Processing, 5.8):
        X = conj(H) / (|H|^2 + K) * Y with a constant noise-to-signal ratio K.
        """
        kh, kw = kernel.shape
        padded = np.zeros((self.H, self.W), np.float32)
        padded[:kh, :kw] = kernel
        padded = np.roll(padded, (-(kh // 2), -(kw // 2)), (0, 1))
        otf = np.fft.rfft2(padded)
        out = np.fft.irfft2(
            self.F * np.conj(otf) / (otf.real**2 + otf.imag**2 + nsr), s=(self.H, self.W)
        )[: self.h, : self.w]
        return np.clip(out, 0, 255).astype(np.uint8)


def _deblur(gray, region: Region, bank: list[tuple[np.ndarray, float]], name: str, clock):
    from .decode import zxing

    x0, y0, x1, y1 = region.box
    crop = gray[y0:y1, x0:x1]
    if min(crop.shape) < 21:
        return []
    spectrum = _Spectrum(crop, reach=24)
    for kernel, nsr in bank:
        if not clock.room():
            return []
        found = zxing(spectrum.wiener(kernel, nsr), invert=True, downscale=False)
        if found:
            return _moved(found, x0, y0, name)
    return []


class _Clock:
    """Stops a bank before a try that would end past the deadline (judged by the last try,
    scaled by the tries' weights when a bank's tries differ in cost, as the mesh's rounds do)."""

    def __init__(self, deadline: float | None) -> None:
        self.deadline = deadline
        self.last: float | None = None
        self.weight = 1.0
        self.tries = 0  # how many kernels or models were tried

    def room(self, weight: float = 1.0) -> bool:
        now = time.monotonic()
        cost = 0.0 if self.last is None else (now - self.last) * weight / self.weight
        self.last, self.weight = now, weight
        if self.deadline is not None and now + cost > self.deadline:
            return False
        self.tries += 1
        return True


def _bank(family: str) -> list:
    if family == "defocus":
        return [(_disc(r), nsr) for nsr in _DISC_K for r in _DISC_RADII]
    if family == "motion":
        return [(_line(n, d), _MOTION_K) for n in _MOTION_LENGTHS for d in _MOTION_ANGLES]
    if family == "mesh":
        return list(_MESH_FITS)
    return [(t, a, d) for t in (False, True) for a in _CYLINDER_ANGLES for d in _CYLINDER_DISTANCES]


# -- curved surfaces ---------------------------------------------------------------------------


def _curved(gray, region: Region, bank: list, clock):
    """Unroll a code bent on a cylinder, then let zxing-cpp sample it.

    The parametric cylinder model of Lay, Wang & Wang ("Rectification of QR-code images using
    the parametric cylindrical surface model", ISNE 2015): a code wrapped on a cylinder is seen
    with its modules foreshortened as sin(theta) towards the edges and, under perspective, its
    rows bowed by the depth R(1 - cos theta). We do not fit the model to edge points; we try a
    small bank of half-angles and camera distances around each of the code's two axes (a pillar
    or a card bent either way), which costs a remap and a zxing call each. The module grid of
    the unrolled code is then sampled by zxing-cpp, which fits local perspective transforms
    around the alignment patterns (as ZBar's qr_hom_cell grid, Terriberry's qrdec.c, does), so
    what the cylinder model leaves (a wrinkle, an off-centre axis) is absorbed there.
    """
    import cv2

    from .decode import Decoded, zxing

    x0, y0, x1, y1 = region.box
    crop = gray[y0:y1, x0:x1]
    if min(crop.shape) < 21:
        return []
    if region.corners is not None:
        quad = np.float32(region.corners) - (x0, y0)
    else:
        quad = _quad_of_texture(crop)
        if quad is None:
            return []
    centre = quad.mean(0)
    # Turn the crop so the code's top edge is horizontal: the bend is then along x or along y.
    top = quad[1] - quad[0]
    angle = float(np.degrees(np.arctan2(top[1], top[0])))
    h, w = crop.shape
    side = int(np.hypot(h, w)) + 2
    turn = cv2.getRotationMatrix2D((float(centre[0]), float(centre[1])), angle, 1.0)
    turn[:, 2] += (side / 2 - centre[0], side / 2 - centre[1])
    upright = cv2.warpAffine(
        crop, turn, (side, side), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    flat_quad = cv2.transform(quad[None], turn)[0]
    half_w = float(np.ptp(flat_quad[:, 0])) / 2
    half_h = float(np.ptp(flat_quad[:, 1])) / 2
    c = side / 2
    for transpose, degrees, distance in bank:
        if not clock.room():
            return []
        img = upright.T if transpose else upright
        half = half_h if transpose else half_w
        found = zxing(
            _unroll(img, c, half, np.radians(degrees), distance), invert=True, downscale=False
        )
        if found:
            # Corners are reported on the region's box: the unrolled geometry is not the
            # frame's, and the box is what a caller draws or crops.
            box = ((x0, y0), (x1, y0), (x1, y1), (x0, y1))
            return [Decoded(d.text, box, "recover+curved") for d in found]  # type: ignore[arg-type]
    return []


def _unroll(img: np.ndarray, c: float, half: float, theta_max: float, distance: float):
    """The image of a cylinder-wrapped code flattened: output column s is the arc length."""
    import cv2

    radius = half / np.sin(theta_max)  # the code's visible half-width is R sin(theta_max)
    half_arc = radius * theta_max
    margin = 0.35 * half
    n = int(2 * (half_arc + margin))
    s = np.arange(n, dtype=np.float64) - n / 2
    theta = np.clip(s / radius, -np.pi / 2 * 0.98, np.pi / 2 * 0.98)
    xs = c + radius * np.sin(theta)
    depth = radius * (1 - np.cos(theta))
    bow = 1.0 if np.isinf(distance) else (distance * radius + depth) / (distance * radius)
    rows = img.shape[0]
    ys = np.arange(rows, dtype=np.float64) - c
    map_x = np.repeat(xs[None, :], rows, 0).astype(np.float32)
    map_y = (c + ys[:, None] / np.broadcast_to(bow, s.shape)[None, :]).astype(np.float32)
    return cv2.remap(img, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def _quad_of_texture(crop: np.ndarray):
    """The rotated rectangle around the crop's busiest patch, as four corners."""
    import cv2

    gx = cv2.Sobel(crop, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(crop, cv2.CV_32F, 0, 1, ksize=3)
    energy = cv2.GaussianBlur(cv2.magnitude(gx, gy), (0, 0), 4)
    mask = (energy > 0.35 * energy.max()).astype(np.uint8)
    pts = cv2.findNonZero(mask)
    if pts is None:
        return None
    return cv2.boxPoints(cv2.minAreaRect(pts)).astype(np.float32)


# -- wrinkled surfaces: a mesh of local grid fits -----------------------------------------------


def _mesh(gray, region: Region, bank: list, clock):
    """Sample the module grid of a wrinkled or unevenly bent code along a mesh of local fits.

    One homography from the four corners (what ZXing's and quirc's grid samplers start from)
    leaves a wrinkled code's modules off by up to a module here and there. ZBar's QR decoder
    (Terriberry, zbar/qrcode/qrdec.c, qr_hom_cell) instead samples through a mesh of cells, a
    local homography each, fitted to the alignment and timing patterns found inside the code.
    We fit the mesh to every module edge instead of to those patterns (a wrinkled code's
    patterns are bent too, and a version 7-9 code has only a handful): on the rectified code,
    around each node of a coarse grid, the edge energy folded over the module period gives the
    local grid's phase in x and in y (the argument of its first Fourier coefficient, as in
    phase-correlation), unwrapped across the nodes, the displacement that puts the edges back on
    the grid. The dense displacement is interpolated between the nodes (one bilinear patch per
    cell, the piecewise model) and the code resampled; after a round or two the module centres
    are read and a clean code drawn from them, which zxing-cpp decodes with its own error
    correction. Needs the corners and the version of a code zxing-cpp located but could not read.
    """
    import cv2

    from .decode import Decoded

    if region.corners is None or region.modules is None:
        return []
    n, px = region.modules, _MESH_PX
    size = n * px
    margin = 3 * px
    full = size + 2 * margin
    square = np.float32([[0, 0], [size, 0], [size, size], [0, size]]) + margin
    homography = cv2.getPerspectiveTransform(np.float32(region.corners), square)
    flat = cv2.warpPerspective(
        gray, homography, (full, full), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    ).astype(np.float32)
    grid = np.arange(full, dtype=np.float32)
    for spacing, half, rounds in bank:
        # A try costs about a round of fitting per round plus the reading, one round's worth.
        if not clock.room(rounds + 1):
            return []
        map_x, map_y = np.meshgrid(grid, grid)
        img = flat
        for _ in range(rounds):
            nodes, dx, dy = _grid_phase(img, margin, size, spacing, half)
            fx = _between(nodes, dx, full) + grid[None, :]
            fy = _between(nodes, dy, full) + grid[:, None]
            # Compose: the new sampling map is the old one read at the displaced places.
            map_x = cv2.remap(map_x, fx, fy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
            map_y = cv2.remap(map_y, fx, fy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
            img = cv2.remap(flat, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        found = _read_grid(img, n, margin)
        if found:
            x0, y0, x1, y1 = region.box
            box = ((x0, y0), (x1, y0), (x1, y1), (x0, y1))
            return [Decoded(d.text, box, "recover+mesh") for d in found]  # type: ignore[arg-type]
    return []


def _grid_phase(img, margin: int, size: int, spacing: int, half: float):
    """Per mesh node, how far (px) the module edges nearby sit from the rectified grid's."""
    import cv2

    px = _MESH_PX
    gx = np.abs(cv2.Sobel(img, cv2.CV_32F, 1, 0, ksize=3))
    gy = np.abs(cv2.Sobel(img, cv2.CV_32F, 0, 1, ksize=3))
    # An edge between modules i-1 and i belongs between pixels margin + i*px - 1 and + i*px.
    angle = 2 * np.pi * (np.arange(img.shape[0]) + 0.5 - margin) / px
    cos, sin = np.cos(angle).astype(np.float32), np.sin(angle).astype(np.float32)
    window = (int(2 * half * px) | 1,) * 2
    count = max(3, round((size / px - 2 * half) / spacing) + 1)
    nodes = np.linspace(margin + half * px, margin + size - half * px, count).astype(int)
    at = np.ix_(nodes, nodes)

    def phase(energy, c, s):
        re = cv2.boxFilter(energy * c, -1, window, normalize=False)[at]
        im = cv2.boxFilter(energy * s, -1, window, normalize=False)[at]
        return np.arctan2(im, re)

    ph_x = np.unwrap(np.unwrap(phase(gx, cos[None, :], sin[None, :]), axis=1), axis=0)
    ph_y = np.unwrap(np.unwrap(phase(gy, cos[:, None], sin[:, None]), axis=0), axis=1)
    dx = (ph_x * px / (2 * np.pi)).astype(np.float32)
    dy = (ph_y * px / (2 * np.pi)).astype(np.float32)
    # Unwrapping fixes the field up to whole modules; the corners hold the code in place.
    dx -= np.round(np.median(dx) / px) * px
    dy -= np.round(np.median(dy) / px) * px
    # A node on a flat patch (a finder's inside, a run of light modules) has no edges to go
    # by: its neighbours' median replaces it.
    return nodes, cv2.medianBlur(dx, 3), cv2.medianBlur(dy, 3)


def _between(nodes: np.ndarray, d: np.ndarray, full: int) -> np.ndarray:
    """The node displacements spread over the whole image, bilinear between nodes."""
    import cv2

    span = int(nodes[-1] - nodes[0] + 1)
    dense = cv2.resize(d, (span, span), interpolation=cv2.INTER_LINEAR)
    lo = int(nodes[0])
    return np.pad(dense, ((lo, full - lo - span),) * 2, mode="edge")


def _read_grid(img: np.ndarray, n: int, margin: int) -> list:
    """zxing-cpp on the resampled code, then on a clean code drawn from its module centres."""
    import cv2

    from .decode import zxing

    found = zxing(np.clip(img, 0, 255).astype(np.uint8), invert=True, downscale=False)
    if found:
        return found
    px = _MESH_PX
    core = img[margin : margin + n * px, margin : margin + n * px]
    centres = core.reshape(n, px, n, px)[:, 2 : px - 2, :, 2 : px - 2].mean((1, 3))
    # Dark against the modules around it: shading across a bent code defeats one threshold.
    dark = centres < cv2.blur(centres, (9, 9), borderType=cv2.BORDER_REFLECT)
    clean = np.kron(np.where(np.pad(dark, 4), 0, 255).astype(np.uint8), np.ones((4, 4), np.uint8))
    return zxing(clean, invert=True, downscale=False)


def _moved(found, dx: int, dy: int, name: str):
    from .decode import Decoded

    return [
        Decoded(d.text, tuple((x + dx, y + dy) for x, y in d.points), name)  # type: ignore[arg-type]
        for d in found
    ]


def recover(
    gray: np.ndarray,
    family: str,
    found_regions: list[Region] | None = None,
    *,
    deadline: float | None = None,
) -> list:
    """What one recovery family reads in ``gray`` (a uint8 grayscale frame): a list of
    `qr.decode.Decoded` named ``recover+<family>``, [] if nothing.

    ``found_regions`` lets a caller that runs several families locate the code once; past
    ``deadline`` (a `time.monotonic()` value) no further kernel or model is tried.
    """
    found, _ = _run(gray, family, found_regions, _bank(family), _Clock(deadline))
    return found


def _run(gray, family: str, found_regions, bank: list, clock: _Clock):
    if family not in FAMILIES:
        raise ValueError(f"unknown recovery family {family!r}; one of {FAMILIES}")
    if clock.deadline is not None and time.monotonic() > clock.deadline:
        return [], clock
    for region in regions(gray) if found_regions is None else found_regions:
        if family == "curved":
            found = _curved(gray, region, bank, clock)
        elif family == "mesh":
            found = _mesh(gray, region, bank, clock)
        else:
            found = _deblur(gray, region, bank, f"recover+{family}", clock)
        if found:
            return found, clock
    return [], clock


class Schedule:
    """The kiosk loop's recovery: one family a call, in `FAMILIES` order, each resuming its bank
    where its last turn's deadline stopped it, so frames with a small budget still cover every
    kernel and model in turn. `turns` records (family, first try) for each call.
    """

    def __init__(self) -> None:
        self.turn = 0
        self.cursor = dict.fromkeys(FAMILIES, 0)
        self.turns: list[tuple[str, int]] = []

    def step(self, gray: np.ndarray, deadline: float | None) -> list:
        """Run the next family's next tries on ``gray`` until ``deadline``; what they read."""
        family = FAMILIES[self.turn % len(FAMILIES)]
        self.turn += 1
        bank = _bank(family)
        start = self.cursor[family] % len(bank)
        self.turns.append((family, start))
        # Only the likeliest place: a frame's budget is too small for several.
        found, clock = _run(
            gray, family, regions(gray)[:1], bank[start:] + bank[:start], _Clock(deadline)
        )
        self.cursor[family] = start + max(1, clock.tries)
        return found
