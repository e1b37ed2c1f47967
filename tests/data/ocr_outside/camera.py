"""Render the hand-written HTML documents with Chromium and "photograph" them with a phone-camera model.

This is the independent OCR evaluation set's own camera, written apart from the project's generator
(``engine/ocr/synth.py``, ``degrade.py``) and sharing none of its code, so the reading pipeline is
measured on photos it was never shaped by. The model, in the order light reaches the sensor:

* paper: crumple (a smooth random height field displaces the page and shades its slopes) and
  optional fold lines (a crease that bends the page and darkens one side);
* pose: the page is a plane turned in 3-D (yaw, pitch, roll) in front of a pinhole camera with a
  phone's field of view, lying on a textured table; the projection is a true homography;
* light: a linear gradient of ambient light, cos^4 vignetting, a colour temperature (tungsten,
  daylight, tube light), and the soft shadow of a hand (palm and fingers) reaching in from one edge;
* optics: defocus (a disc kernel, not a Gaussian), optional hand shake (a line kernel), lateral
  chromatic aberration;
* moiré: optional beat of two fine gratings (a halftone print or a screen photographed);
* sensor and phone: resampling to the phone's resolution, shot and read noise, the phone's
  unsharp-mask sharpening, then JPEG (sometimes twice: WhatsApp re-compression).

Each document's settings come from ``camera:`` in its gold file (``severity`` 0..1, optional
``moire``, ``fold``, ``shake``) and a seed derived from its id, so the photos are reproducible. The
photos are committed (``photos/``); run this script again only when a document is added or changed:

    .venv/bin/python tests/data/ocr_outside/camera.py [ID ...]

It needs Playwright for Python and Debian's ``chromium`` plus the fonts the HTML names
(``fonts-noto-core fonts-dkg-handwriting fonts-humor-sans fonts-breip fonts-comic-neue fonts-kristi
fonts-gargi fonts-nakula fonts-femkeklaver fonts-liberation2 fonts-freefont-ttf``).
"""

from __future__ import annotations

import hashlib
import io
import sys
from pathlib import Path

import cv2
import numpy as np
import yaml
from PIL import Image

HERE = Path(__file__).resolve().parent
DOCS, PHOTOS = HERE / "docs", HERE / "photos"
CHROMIUM = "/usr/bin/chromium"


def render_html(paths: list[Path], scale: float = 1.5) -> dict[str, np.ndarray]:
    """Full-page screenshots (RGB arrays) of the HTML files, by document id."""
    from playwright.sync_api import sync_playwright

    shots = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--font-render-hinting=none"])
        page = browser.new_page(viewport={"width": 900, "height": 600}, device_scale_factor=scale)
        for path in paths:
            page.goto(path.as_uri())
            page.wait_for_load_state("networkidle")
            png = page.locator("body").screenshot(type="png")
            shots[path.stem] = np.array(Image.open(io.BytesIO(png)).convert("RGB"))
        browser.close()
    return shots


def _smooth_field(rng: np.random.Generator, h: int, w: int, cells: int) -> np.ndarray:
    """A smooth random field in [-1, 1]: coarse noise upsampled with a bicubic filter."""
    coarse = rng.uniform(-1, 1, (cells, max(2, int(cells * w / h))))
    return cv2.resize(coarse, (w, h), interpolation=cv2.INTER_CUBIC)


def crumple(page: np.ndarray, rng: np.random.Generator, amount: float, fold: bool) -> np.ndarray:
    """Displace the page by a random height field and shade it by the field's slope."""
    h, w = page.shape[:2]
    height = _smooth_field(rng, h, w, 4) + _smooth_field(rng, h, w, 9) * 0.2
    if fold:  # a crease across the page: a ridge that bends and shades one side
        angle = rng.uniform(0, np.pi)
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        dist = (xx - w * rng.uniform(0.3, 0.7)) * np.cos(angle) + (yy - h * rng.uniform(0.3, 0.7)) * np.sin(angle)
        height = height + 1.5 * np.clip(-np.abs(dist) / (0.25 * w) + 1, 0, None)
    gy, gx = np.gradient(height.astype(np.float32))
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    push = 0.004 * max(h, w) / (np.abs(gx).max() + np.abs(gy).max() + 1e-9)  # at most ~0.4% of the page
    warped = cv2.remap(page, xx + gx * push * amount, yy + gy * push * amount, cv2.INTER_LINEAR,
                       borderMode=cv2.BORDER_REPLICATE)
    slope = gx * 0.6 - gy * 0.8
    shade = 1.0 + np.clip(slope / (slope.std() + 1e-9) * 0.035 * amount, -0.15, 0.06)
    return np.clip(warped.astype(np.float32) * shade[..., None], 0, 255).astype(np.uint8)


def table_background(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """A wooden table or a cloth: streaks or fine weave in a random earthy colour."""
    base = np.array([rng.uniform(70, 170), rng.uniform(60, 140), rng.uniform(40, 120)], dtype=np.float32)
    if rng.random() < 0.5:
        streaks = cv2.resize(rng.normal(0, 1, (h // 8 + 1, 3)), (w, h), interpolation=cv2.INTER_LINEAR)
        texture = 18 * streaks + 6 * rng.normal(0, 1, (h, w))
    else:
        yy, xx = np.mgrid[0:h, 0:w]
        texture = 10 * np.sin(xx * 0.9) * np.sin(yy * 0.9) + 5 * rng.normal(0, 1, (h, w))
    return np.clip(base[None, None, :] + texture[..., None], 0, 255).astype(np.float32)


def pose(page: np.ndarray, rng: np.random.Generator, severity: float) -> np.ndarray:
    """The page as a plane turned in 3-D, seen by a pinhole camera, lying on a table."""
    h, w = page.shape[:2]
    yaw, pitch = np.radians(rng.uniform(-14, 14) * severity), np.radians(rng.uniform(-16, 16) * severity)
    roll = np.radians(rng.uniform(-9, 9) * severity)
    rx = np.array([[1, 0, 0], [0, np.cos(pitch), -np.sin(pitch)], [0, np.sin(pitch), np.cos(pitch)]])
    ry = np.array([[np.cos(yaw), 0, np.sin(yaw)], [0, 1, 0], [-np.sin(yaw), 0, np.cos(yaw)]])
    rz = np.array([[np.cos(roll), -np.sin(roll), 0], [np.sin(roll), np.cos(roll), 0], [0, 0, 1]])
    rot = rz @ ry @ rx
    corners = np.array([[-w / 2, -h / 2, 0], [w / 2, -h / 2, 0], [w / 2, h / 2, 0], [-w / 2, h / 2, 0]])
    focal = 1.1 * max(h, w)  # a phone's ~65 degree field of view
    distance = focal * rng.uniform(1.08, 1.3)
    cam = corners @ rot.T + np.array([rng.uniform(-0.04, 0.04) * w, rng.uniform(-0.04, 0.04) * h, distance])
    projected = focal * cam[:, :2] / cam[:, 2:3]
    out_w, out_h = int(w * 1.12), int(h * 1.12)
    projected += np.array([out_w / 2, out_h / 2])
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    matrix = cv2.getPerspectiveTransform(src, projected.astype(np.float32))
    paper = cv2.warpPerspective(page, matrix, (out_w, out_h), flags=cv2.INTER_AREA)
    mask = cv2.warpPerspective(np.full((h, w), 255, np.uint8), matrix, (out_w, out_h), flags=cv2.INTER_LINEAR)
    alpha = (cv2.GaussianBlur(mask, (3, 3), 0).astype(np.float32) / 255)[..., None]
    table = table_background(rng, out_h, out_w)
    return np.clip(paper.astype(np.float32) * alpha + table * (1 - alpha), 0, 255).astype(np.uint8)


def hand_shadow(h: int, w: int, rng: np.random.Generator) -> np.ndarray:
    """A soft mask (1 = full shadow) of a hand and forearm reaching in from one edge."""
    side = 1000
    mask = np.zeros((side, side), np.uint8)
    palm = (int(rng.uniform(0.25, 0.75) * side), int(rng.uniform(0.18, 0.42) * side))
    size = int(0.12 * side)
    cv2.ellipse(mask, palm, (size, int(size * 1.2)), 0, 0, 360, 255, -1)
    cv2.rectangle(mask, (palm[0] - size, 0), (palm[0] + size, palm[1]), 255, -1)  # forearm to the edge
    for k in range(4):
        fx = palm[0] + int((k - 1.5) * size * 0.5)
        length = int(size * rng.uniform(0.9, 1.4))
        cv2.line(mask, (fx, palm[1]), (fx + int(rng.uniform(-0.2, 0.2) * size), palm[1] + length), 255,
                 int(size * 0.28))
    mask = np.ascontiguousarray(np.rot90(mask, k=int(rng.integers(4))))
    mask = cv2.resize(mask, (w, h))
    blur = int(0.05 * max(h, w)) | 1
    return cv2.GaussianBlur(mask.astype(np.float32) / 255, (blur, blur), 0)


def lighting(img: np.ndarray, rng: np.random.Generator, severity: float, hand: bool) -> np.ndarray:
    h, w = img.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    angle = rng.uniform(0, 2 * np.pi)
    ramp = ((xx / w - 0.5) * np.cos(angle) + (yy / h - 0.5) * np.sin(angle))
    light = 1.0 + ramp * rng.uniform(0.2, 0.75) * severity
    r2 = ((xx - w / 2) ** 2 + (yy - h / 2) ** 2) / (0.5 * np.hypot(w, h)) ** 2
    light *= np.cos(np.arctan(np.sqrt(r2) * rng.uniform(0.3, 0.8))) ** 4  # cos^4 vignetting
    if hand:
        light *= 1.0 - hand_shadow(h, w, rng) * rng.uniform(0.3, 0.6) * max(severity, 0.5)
    temperature = [np.array([0.78, 0.9, 1.0]), np.array([1.0, 0.98, 0.95]), np.array([0.95, 1.0, 0.97])]
    tint = temperature[rng.integers(3)].astype(np.float32)  # BGR: tungsten, daylight, tube light
    exposure = rng.uniform(0.85, 1.05)
    return np.clip(img.astype(np.float32) * light[..., None] * tint * exposure, 0, 255).astype(np.uint8)


def optics(img: np.ndarray, rng: np.random.Generator, severity: float, shake: bool) -> np.ndarray:
    radius = rng.uniform(0.5, 2.2) * severity + 0.3
    size = int(np.ceil(radius)) * 2 + 1
    disc = np.zeros((size, size), np.float32)
    cv2.circle(disc, (size // 2, size // 2), max(1, int(round(radius))), 1.0, -1, lineType=cv2.LINE_AA)
    img = cv2.filter2D(img, -1, disc / disc.sum())
    if shake:
        length = int(rng.uniform(3, 7))
        line = np.zeros((length * 2 + 1, length * 2 + 1), np.float32)
        a = rng.uniform(0, np.pi)
        cv2.line(line, (length - int(length * np.cos(a)), length - int(length * np.sin(a))),
                 (length + int(length * np.cos(a)), length + int(length * np.sin(a))), 1.0, 1)
        img = cv2.filter2D(img, -1, line / line.sum())
    h, w = img.shape[:2]
    shift = rng.uniform(0.0, 0.004) * severity  # lateral chromatic aberration: R and B scaled apart
    channels = list(cv2.split(img))
    for idx, s in ((0, 1 + shift), (2, 1 - shift)):
        m = cv2.getRotationMatrix2D((w / 2, h / 2), 0, s)
        channels[idx] = cv2.warpAffine(channels[idx], m, (w, h), borderMode=cv2.BORDER_REFLECT)
    return cv2.merge(channels)


def moire(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    h, w = img.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    f1, a1 = rng.uniform(0.45, 0.6), rng.uniform(0, np.pi)
    f2, a2 = f1 * rng.uniform(0.97, 1.03), a1 + rng.uniform(0.02, 0.08)
    g1 = np.sin(f1 * (xx * np.cos(a1) + yy * np.sin(a1)))
    g2 = np.sin(f2 * (xx * np.cos(a2) + yy * np.sin(a2)))
    pattern = 1.0 + rng.uniform(0.05, 0.12) * g1 * g2
    return np.clip(img.astype(np.float32) * pattern[..., None], 0, 255).astype(np.uint8)


def sensor(img: np.ndarray, rng: np.random.Generator, severity: float, long_side: int) -> np.ndarray:
    scale = long_side / max(img.shape[:2])
    img = cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    signal = img.astype(np.float32)
    shot = rng.normal(0, 1, signal.shape) * np.sqrt(signal) * rng.uniform(0.15, 0.45) * (0.5 + severity)
    read = rng.normal(0, rng.uniform(1, 3), signal.shape)
    noisy = np.clip(signal + shot + read, 0, 255)
    soft = cv2.GaussianBlur(noisy, (0, 0), 1.2)
    sharpened = cv2.addWeighted(noisy, 1.0 + rng.uniform(0.3, 0.8), soft, -rng.uniform(0.3, 0.8), 0)
    return np.clip(sharpened, 0, 255).astype(np.uint8)


def jpeg(img: np.ndarray, quality: int) -> bytes:
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return buf.tobytes()


def photograph(page_rgb: np.ndarray, doc_id: str, camera: dict) -> bytes:
    """The phone photo of one rendered page (deterministic for a document id and its settings)."""
    seed = int.from_bytes(hashlib.sha256(f"outside/{doc_id}".encode()).digest()[:8], "big")
    rng = np.random.default_rng(seed)
    severity = float(camera.get("severity", 0.5))
    img = cv2.cvtColor(page_rgb, cv2.COLOR_RGB2BGR)
    img = crumple(img, rng, amount=0.3 + 1.2 * severity * rng.uniform(0.5, 1.0), fold=bool(camera.get("fold")))
    img = pose(img, rng, severity)
    img = lighting(img, rng, severity, hand=bool(camera.get("hand", rng.random() < 0.5)))
    img = optics(img, rng, severity, shake=bool(camera.get("shake")))
    if camera.get("moire"):
        img = moire(img, rng)
    long_side = int(camera.get("long_side", rng.choice([1280, 1400, 1600])))
    img = sensor(img, rng, severity, long_side)
    quality = int(camera.get("jpeg", rng.integers(55, 80)))
    data = jpeg(img, quality)
    if camera.get("whatsapp"):
        again = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
        data = jpeg(again, 60)
    return data


def main(ids: list[str]) -> int:
    html = sorted(DOCS.glob("*.html"))
    if ids:
        html = [p for p in html if p.stem in ids]
    shots = render_html(html)
    PHOTOS.mkdir(exist_ok=True)
    total = 0
    for path in html:
        gold = yaml.safe_load(path.with_suffix(".yml").read_text(encoding="utf-8"))
        data = photograph(shots[path.stem], path.stem, gold.get("camera", {}))
        (PHOTOS / f"{path.stem}.jpg").write_bytes(data)
        total += len(data)
        print(f"{path.stem}: {len(data) // 1024} KB", file=sys.stderr)
    print(f"{len(html)} photos, {total / 1e6:.1f} MB", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
