"""Make a clean page look like a phone photo: tilt, perspective, shadow, blur, noise, JPEG.

Every random choice comes from the caller's ``random.Random`` so a seed reproduces the photo.
"""

from __future__ import annotations

import io
import random

import cv2
import numpy as np
from PIL import Image


def _perspective(page: np.ndarray, rng: random.Random, strength: float, angle: float) -> np.ndarray:
    """Place the page on a table-coloured background, rotated and seen slightly from an angle."""
    h, w = page.shape[:2]
    pad = int(0.08 * max(h, w))
    canvas_w, canvas_h = w + 2 * pad, h + 2 * pad
    table = np.array([rng.randint(60, 160), rng.randint(50, 140), rng.randint(40, 120)], dtype=np.uint8)
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    jitter = [(rng.uniform(-strength, strength) * w, rng.uniform(-strength, strength) * h) for _ in range(4)]
    dst = np.float32([[pad + dx + cx, pad + dy + cy] for (cx, cy), (dx, dy) in zip(src, jitter, strict=True)])
    centre = (canvas_w / 2, canvas_h / 2)
    rot = cv2.getRotationMatrix2D(centre, angle, 1.0)
    dst = cv2.transform(dst[None], rot)[0].astype(np.float32)
    matrix = cv2.getPerspectiveTransform(src, dst)
    return cv2.warpPerspective(page, matrix, (canvas_w, canvas_h), flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_CONSTANT, borderValue=tuple(int(c) for c in table))


def _shadow(img: np.ndarray, rng: random.Random, depth: float) -> np.ndarray:
    """Multiply by a soft gradient: the shade of a hand or phone over part of the page."""
    h, w = img.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    theta = rng.uniform(0, 2 * np.pi)
    proj = (xx / w - 0.5) * np.cos(theta) + (yy / h - 0.5) * np.sin(theta)
    edge = rng.uniform(-0.2, 0.3)
    mask = 1.0 - depth / (1.0 + np.exp(-(proj - edge) * 14))
    return np.clip(img.astype(np.float32) * mask[..., None], 0, 255).astype(np.uint8)


def photograph(page: Image.Image, rng: random.Random, level: float = 1.0, long_side: int = 1600,
               jpeg_quality: int | None = None) -> bytes:
    """A JPEG of ``page`` as a phone would take it; ``level`` 0 = clean scan, 1 = typical, 1.5 = poor."""
    img = cv2.cvtColor(np.array(page), cv2.COLOR_RGB2BGR)
    angle = rng.uniform(-7, 7) * level
    img = _perspective(img, rng, strength=0.035 * level, angle=angle)
    if level > 0:
        img = _shadow(img, rng, depth=rng.uniform(0.15, 0.5) * min(level, 1.2))
        warm = np.array([rng.uniform(0.85, 1.0), rng.uniform(0.92, 1.0), 1.0], dtype=np.float32)
        img = np.clip(img.astype(np.float32) * warm, 0, 255).astype(np.uint8)
    scale = long_side / max(img.shape[:2])
    img = cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    sigma = rng.uniform(0.2, 1.1) * level
    if sigma > 0.1:
        img = cv2.GaussianBlur(img, (0, 0), sigma)
    if level > 0:
        noise = np.random.default_rng(rng.randrange(2**32)).normal(0, rng.uniform(2, 7) * level, img.shape)
        img = np.clip(img.astype(np.float32) + noise, 0, 255).astype(np.uint8)
    quality = jpeg_quality or int(rng.uniform(55, 90))
    buf = io.BytesIO()
    Image.fromarray(cv2.cvtColor(img, cv2.COLOR_BGR2RGB)).save(buf, format="JPEG", quality=quality)
    return buf.getvalue()
