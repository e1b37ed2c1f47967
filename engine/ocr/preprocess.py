"""Phone photo -> clean page image for Tesseract.

Steps, each a small function so the quality check and the benchmark can reuse them:
decode -> resolution normalisation -> page detection and perspective correction (kept only when the
found outline really bounds the text) -> deskew; then three photometric versions of the same
geometry for the reader to choose from line by line (:mod:`engine.ocr.reading`): ``gray``
(illumination/shadow flattened and denoised) and ``binary`` (adaptive threshold of ``gray``); the photo
as it came (``original_gray``, ``photo_gray``) competes with the whole page. None of them is always
best: flattening rescues a shadowed page and can thin the strokes of a clean one, so no step is forced
on a photo.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import cv2
import numpy as np

WORK_LONG_SIDE = 2000  # pixels: gives body text a height Tesseract's LSTM reads well


@dataclass
class Prepared:
    """The processed page plus what was measured on the way (for the quality report)."""

    gray: np.ndarray  # illumination-corrected, deskewed grayscale page
    original_gray: np.ndarray  # the photo as received, grayscale, at work resolution
    page_found: bool = False

    @property
    def binary(self) -> np.ndarray:
        return threshold(self.gray)
    skew_degrees: float = 0.0  # residual text-line angle corrected after the page warp
    page_angle: float = 0.0  # how far the paper itself was turned in the photo
    shadow_ratio: float = 1.0
    scale: float = 1.0  # work-page pixels per original photo pixel (for text size in the photo)
    photo_gray: np.ndarray | None = None  # the photo as received, grayscale, its own size (the plain reading)


class ImageTooLarge(ValueError):
    """More pixels than we decode (``SAATHI_MEDIA_MAX_PIXELS``): a 5 MB PNG can declare 30000x30000
    pixels, 2.7 GB once decoded. Refused from the header, before any decoding."""

    def __init__(self, width: int, height: int, limit: int) -> None:
        super().__init__(f"{width}x{height} pixels is more than {limit}")
        self.width, self.height, self.limit = width, height, limit


def check_pixels(data: bytes, max_pixels: int | None = None) -> tuple[int, int]:
    """(width, height) from the image's header (Pillow reads no pixel data for this); raises
    ImageTooLarge above the limit and ValueError when it is no image format we know."""
    from PIL import Image, UnidentifiedImageError

    if max_pixels is None:
        from config.settings import load

        max_pixels = load().media_max_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as header:
                width, height = header.size
    except Image.DecompressionBombError as exc:  # Pillow's own, far higher, ceiling
        raise ImageTooLarge(0, 0, max_pixels) from exc
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise ValueError("not a readable image") from exc
    if width * height > max_pixels:
        raise ImageTooLarge(width, height, max_pixels)
    return width, height


def decode(data: bytes) -> np.ndarray:
    """Image bytes -> BGR array; raises ImageTooLarge (from the header, before decoding) or
    ValueError on anything that is not a readable image."""
    check_pixels(data)
    img = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR)
    if img is None:
        raise ValueError("not a readable image")
    return img


def normalise_resolution(img: np.ndarray, long_side: int = WORK_LONG_SIDE) -> np.ndarray:
    scale = long_side / max(img.shape[:2])
    if abs(scale - 1) < 0.05:
        return img
    interp = cv2.INTER_CUBIC if scale > 1 else cv2.INTER_AREA
    return cv2.resize(img, None, fx=scale, fy=scale, interpolation=interp)


def _order(pts: np.ndarray) -> np.ndarray:
    s, d = pts.sum(axis=1), np.diff(pts, axis=1).ravel()
    return np.float32([pts[np.argmin(s)], pts[np.argmin(d)], pts[np.argmax(s)], pts[np.argmax(d)]])


def _quad(mask: np.ndarray) -> tuple[np.ndarray, float] | None:
    """The largest external contour of ``mask`` as four corners, with its area fraction."""
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    contour = max(contours, key=cv2.contourArea)
    hull = cv2.convexHull(contour)
    quad = cv2.approxPolyDP(hull, 0.02 * cv2.arcLength(hull, True), True)
    pts = quad.reshape(-1, 2) if len(quad) == 4 else cv2.boxPoints(cv2.minAreaRect(hull))
    return np.asarray(pts, dtype=np.float32), cv2.contourArea(hull) / mask.size


def find_page(gray: np.ndarray, colour: np.ndarray | None = None) -> np.ndarray | None:
    """Corners of the paper, or None when no page boundary is visible.

    Candidates in turn, the first whose outline has a plausible size and holds the writing wins: edges
    (Canny; they find the paper's border even when a shadow darkens half the page, where a global
    brightness threshold would split it), a bright-region mask (a textured table defeats edges), and a
    paper-colour mask (bright and unsaturated, from ``colour`` when given).
    """
    small_scale = 600 / max(gray.shape)
    small = cv2.resize(gray, None, fx=small_scale, fy=small_scale, interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (5, 5), 0)
    masks = [cv2.dilate(cv2.Canny(small, 20, 60), np.ones((3, 3), np.uint8), iterations=2)]
    _, bright = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    masks.append(cv2.morphologyEx(bright, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8)))
    if colour is not None:
        hsv = cv2.cvtColor(cv2.resize(colour, (small.shape[1], small.shape[0]), interpolation=cv2.INTER_AREA),
                           cv2.COLOR_BGR2HSV)
        paper = ((hsv[..., 1] < 70) & (hsv[..., 2] > np.percentile(hsv[..., 2], 40))).astype(np.uint8) * 255
        masks.append(cv2.morphologyEx(paper, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8)))
    for mask in masks:
        found = _quad(mask)
        if found and 0.25 <= found[1] <= 0.97 and shows_paper_edges(small, _order(found[0])):
            corners = _order(found[0] / small_scale)
            if _outline_bounds_text(gray, corners):
                return corners
    return None


EDGE_STEP = 12.0  # grey levels between the two sides of an outline's side where the paper's edge runs
EDGE_SIDE_MIN = 0.1  # each side: share of its length that must show the edge
EDGE_MEAN_MIN = 0.75  # the four sides on average
_EDGE_DEPTHS = np.arange(3, 9)  # pixels (600-px image) either side of the line where brightness is compared


def edge_support(small: np.ndarray, corners: np.ndarray, samples: int = 48) -> list[float]:
    """Per side of the outline ``corners`` (in ``small``'s pixels), the share of its length where the
    brightness just inside differs from just outside by ``EDGE_STEP`` or more: where a paper edge runs.
    A point whose outside lies beyond the photo shows no edge (a side along the frame is no paper edge)."""
    centre = corners.mean(axis=0)
    h, w = small.shape
    support = []
    for a, b in zip(corners, np.roll(corners, -1, axis=0), strict=True):
        length = float(np.linalg.norm(b - a))
        if length < 1:
            support.append(0.0)
            continue
        normal = np.array([a[1] - b[1], b[0] - a[0]]) / length
        if np.dot(centre - (a + b) / 2, normal) < 0:
            normal = -normal  # pointing into the outline
        points = a + (b - a) * np.linspace(0.04, 0.96, samples)[:, None]

        def side(
            sign: int, points: np.ndarray = points, normal: np.ndarray = normal
        ) -> tuple[np.ndarray, np.ndarray]:
            at = points[:, None, :] + sign * _EDGE_DEPTHS[None, :, None] * normal  # samples x depths x (x, y)
            xs, ys = np.rint(at[..., 0]).astype(int), np.rint(at[..., 1]).astype(int)
            ok = ((xs >= 0) & (xs < w) & (ys >= 0) & (ys < h)).all(axis=1)
            values = small[np.clip(ys, 0, h - 1), np.clip(xs, 0, w - 1)].astype(np.float64)
            return values.mean(axis=1), ok

        inside, ok_in = side(1)
        outside, ok_out = side(-1)
        support.append(float((ok_in & ok_out & (np.abs(inside - outside) >= EDGE_STEP)).mean()))
    return support


def shows_paper_edges(small: np.ndarray, corners: np.ndarray) -> bool:
    """Whether an outline runs along the paper's edge on every side: each side shows a brightness step
    between inside and outside along ``EDGE_SIDE_MIN`` of its length, the four on average ``EDGE_MEAN_MIN``.
    Why: on a streaked or grained table the edge and brightness masks also outline a band of the table
    (or run along the photo's frame), and warping to that outline kept the table and skewed the page."""
    support = edge_support(small, corners)
    return min(support) >= EDGE_SIDE_MIN and sum(support) / len(support) >= EDGE_MEAN_MIN


def warp_page(img: np.ndarray, corners: np.ndarray) -> np.ndarray:
    tl, tr, br, bl = corners
    width = int(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl)))
    height = int(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr)))
    dst = np.float32([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]])
    matrix = cv2.getPerspectiveTransform(corners, dst)
    return cv2.warpPerspective(img, matrix, (width, height), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)


def correct_illumination(gray: np.ndarray) -> tuple[np.ndarray, float]:
    """Divide by the estimated paper brightness (text removed by dilation): flattens shadows.

    Returns the corrected image and the shadow ratio (darkest/brightest background, 1 = even light).
    """
    small = _paper(gray)
    ratio = float(np.percentile(small, 5) / max(np.percentile(small, 95), 1))
    flat = cv2.divide(gray, _full_size(small, gray), scale=255)
    return flat, ratio


def _paper(gray: np.ndarray) -> np.ndarray:
    """The paper's brightness under the writing, at a quarter of the page's size: text removed by
    dilation (ink is darker than paper), then smoothed."""
    small = cv2.resize(gray, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    return cv2.medianBlur(cv2.dilate(small, np.ones((7, 7), np.uint8)), 21)


def _full_size(small: np.ndarray, like: np.ndarray) -> np.ndarray:
    return cv2.resize(small, (like.shape[1], like.shape[0]), interpolation=cv2.INTER_LINEAR)


def denoise(gray: np.ndarray) -> np.ndarray:
    return cv2.medianBlur(gray, 3)


def estimate_skew(gray: np.ndarray) -> float:
    """Text-line angle in degrees by projection-profile sharpness (coarse then fine search)."""
    scale = 800 / max(gray.shape)
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    _, binary = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    h, w = binary.shape
    ys, xs = np.nonzero(binary)
    xs, ys = xs - w / 2, ys - h / 2

    def sharpness(angle: float) -> float:
        # The row each ink pixel lands on when the page is turned by ``angle`` about its centre (as
        # cv2.warpAffine with cv2.getRotationMatrix2D would place it), counted per row: the same profile
        # as rotating the whole image, at a fraction of the cost (36 angles are tried).
        rad = np.radians(angle)
        rows = np.rint(-np.sin(rad) * xs + np.cos(rad) * ys + h / 2).astype(np.int64)
        profile = np.bincount(rows[(rows >= 0) & (rows < h)], minlength=h).astype(np.float64)
        return float(np.var(np.diff(profile)))

    best = max(np.arange(-12, 12.1, 1.0), key=sharpness)
    return float(max(np.arange(best - 1, best + 1.01, 0.2), key=sharpness))


def rotate(gray: np.ndarray, angle: float) -> np.ndarray:
    h, w = gray.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(gray, matrix, (w, h), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)


def rotate_quarters(gray: np.ndarray, quarters: int) -> np.ndarray:
    """Turn by a multiple of 90 degrees clockwise (from Tesseract's orientation detection)."""
    codes = {1: cv2.ROTATE_90_CLOCKWISE, 2: cv2.ROTATE_180, 3: cv2.ROTATE_90_COUNTERCLOCKWISE}
    return cv2.rotate(gray, codes[quarters % 4]) if quarters % 4 else gray


def threshold(gray: np.ndarray) -> np.ndarray:
    """Adaptive (local) threshold: black text on white, robust to what illumination correction left."""
    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, 31, 15)


def _outline_bounds_text(gray: np.ndarray, corners: np.ndarray) -> bool:
    """Whether the found outline holds the page's writing: little ink may lie outside it (a table's border
    or a letterhead band found instead of the paper would cut off text). Ink is dark detail much darker
    than its surroundings (a morphological black-hat), which a table's grain or a cloth's weave is not."""
    scale = 700 / max(gray.shape)
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    ink = cv2.morphologyEx(small, cv2.MORPH_BLACKHAT, np.ones((7, 7), np.uint8)) > 60
    mask = np.zeros(small.shape, np.uint8)
    cv2.fillConvexPoly(mask, np.round(corners * scale).astype(np.int32), 255)
    mask = cv2.dilate(mask, np.ones((9, 9), np.uint8)) > 0
    inside = ink[mask].sum()
    return inside > 0 and ink[~mask].sum() < 0.05 * inside


RULE_THICKNESS = 9  # pixels (2000-px page): a ruling line is thinner; a filled header band or stripe is not


def remove_rules(gray: np.ndarray) -> np.ndarray:
    """The page with its thin ruling lines (table borders, underlines, ``====`` rows) painted paper-white.

    Why: once the page is warped straight, a table's rules run long and crisp beside every cell, and
    Tesseract reads them as ``|``, ``[`` or junk letters and drops the value next to them (a dev-set lipid
    table lost HDL's 38 to a rule and its neighbour read '7' instead, issue #17). A rule is ink that runs
    a fifth of the page's width (a Devanagari or Gurmukhi head-stroke spans one word, far less) or a tenth
    of its height (taller than any letter), and is thin: a dark header band or zebra stripe, where the
    text is the paper's colour, is left whole."""
    h, w = gray.shape
    # a local threshold: a faint grey rule counts as ink as much as black text does
    ink = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 10)

    def thin(length: tuple[int, int], across: tuple[int, int]) -> np.ndarray:
        # widened across its run first, so a rule a degree off the page's axis still runs the whole length
        widen = cv2.getStructuringElement(cv2.MORPH_RECT, (3, 1) if length[0] == 1 else (1, 3))
        run = cv2.getStructuringElement(cv2.MORPH_RECT, length)
        runs = cv2.morphologyEx(cv2.dilate(ink, widen), cv2.MORPH_OPEN, run) & ink
        thick = cv2.morphologyEx(runs, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, across))
        return cv2.subtract(runs, cv2.dilate(thick, np.ones((3, 3), np.uint8)))

    rules = thin((max(60, w // 5), 1), (1, RULE_THICKNESS)) | thin((1, max(80, h // 10)), (RULE_THICKNESS, 1))
    if not rules.any():
        return gray
    out = gray.copy()
    # Painted with the paper's own brightness there: one value for the whole page left boxes brighter than
    # a dimmer paper around them (what flattening left of a shadow), and Tesseract's threshold then took the
    # paper between them for ink (on the photo's own grey levels a dev-set LFT row read as nothing).
    painted = cv2.dilate(rules, np.ones((5, 5), np.uint8)) > 0
    out[painted] = _full_size(_paper(gray), gray)[painted]
    return out


def prepare(data: bytes) -> Prepared:
    """Run the whole pipeline on photo bytes."""
    raw = decode(data)
    img = normalise_resolution(raw)
    scale = img.shape[0] / raw.shape[0]
    gray_full = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    corners = find_page(gray_full, img)
    gray, page_angle = gray_full, 0.0
    if corners is not None:
        top = corners[1] - corners[0]
        page_angle = float(np.degrees(np.arctan2(top[1], top[0])))
        gray = warp_page(gray_full, corners)
        scale *= WORK_LONG_SIDE / max(gray.shape)
        gray = normalise_resolution(gray)
    flat, shadow_ratio = correct_illumination(gray)
    flat = denoise(flat)
    skew = estimate_skew(flat)
    if abs(skew) >= 0.3:
        flat = rotate(flat, skew)
    flat = remove_rules(flat)
    return Prepared(gray=flat, original_gray=gray_full, page_found=corners is not None,
                    skew_degrees=skew, page_angle=page_angle, shadow_ratio=shadow_ratio, scale=scale,
                    photo_gray=cv2.cvtColor(raw, cv2.COLOR_BGR2GRAY))
