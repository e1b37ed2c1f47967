"""Draw text lines that mix Latin, Devanagari and Gurmukhi onto a page with Pillow.

Pillow has no font fallback, so a line is split into runs by script and each run is drawn with a
font that has its glyphs (DejaVu for Latin, Lohit for Indic; raqm does the shaping).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT_DIRS = [Path("/usr/share/fonts/truetype")]
LATIN_FONTS = {
    "sans": "dejavu/DejaVuSans.ttf", "sans-bold": "dejavu/DejaVuSans-Bold.ttf",
    "serif": "dejavu/DejaVuSerif.ttf", "serif-bold": "dejavu/DejaVuSerif-Bold.ttf",
    "mono": "dejavu/DejaVuSansMono.ttf", "condensed": "dejavu/DejaVuSansCondensed.ttf",
}
SCRIPT_FONTS = {"Deva": "lohit-devanagari/Lohit-Devanagari.ttf", "Guru": "lohit-punjabi/Lohit-Gurmukhi.ttf"}
_RUN_RE = re.compile(r"([\u0900-\u097F][\u0900-\u097F\s\-:,.।]*)|([\u0A00-\u0A7F][\u0A00-\u0A7F\s\-:,.।]*)")


def _find(relative: str) -> Path:
    for directory in FONT_DIRS:
        path = directory / relative
        if path.exists():
            return path
    raise FileNotFoundError(f"font {relative} not installed (apt-get install fonts-dejavu-core fonts-lohit-*)")


@lru_cache(maxsize=64)
def font(face: str, size: int) -> ImageFont.FreeTypeFont:
    relative = SCRIPT_FONTS.get(face) or LATIN_FONTS[face]
    return ImageFont.truetype(str(_find(relative)), size, layout_engine=ImageFont.Layout.RAQM)


def runs(text: str) -> list[tuple[str, str]]:
    """Split ``text`` into (script, chunk) runs: "Latn", "Deva" or "Guru"."""
    out: list[tuple[str, str]] = []
    pos = 0
    for m in _RUN_RE.finditer(text):
        if m.start() > pos:
            out.append(("Latn", text[pos:m.start()]))
        out.append(("Deva" if m.group(1) else "Guru", m.group(0)))
        pos = m.end()
    if pos < len(text):
        out.append(("Latn", text[pos:]))
    return out


@dataclass
class Cell:
    """One piece of text on a line; ``x`` is its left edge in pixels (None: after the previous cell)."""

    text: str
    x: int | None = None
    bold: bool = False


def draw_line(draw: ImageDraw.ImageDraw, y: int, cells: list[Cell], face: str, size: int,
              fill: tuple[int, int, int] = (20, 20, 20), margin: int = 70) -> None:
    """Draw the cells of one line at baseline row ``y``."""
    x = margin
    for cell in cells:
        if cell.x is not None:
            x = cell.x
        latin_face = f"{face.split('-')[0]}-bold" if cell.bold and face in ("sans", "serif") else face
        for script, chunk in runs(cell.text):
            f = font(latin_face if script == "Latn" else script, size)
            draw.text((x, y), chunk, font=f, fill=fill)
            x += int(draw.textlength(chunk, font=f))
        x += size // 2


def render_page(lines: list[list[Cell]], face: str, size: int, width: int = 1240, height: int = 1754,
                spacing: float = 1.55, top: int = 80, paper: tuple[int, int, int] = (250, 250, 246)) -> Image.Image:
    """A clean page image of ``lines`` (empty list = blank line), top to bottom."""
    page = Image.new("RGB", (width, height), paper)
    draw = ImageDraw.Draw(page)
    y = top
    for cells in lines:
        if cells:
            draw_line(draw, y, cells, face, size)
        y += int(size * spacing)
        if y > height - size * 2:
            break
    return page
