"""Pictorial symptom selection: a numbered emoji menu and a picture card drawn with Pillow.

Shared by two channel types: WhatsApp shows the menu and its card (``channels.types.whatsapp``),
a call reads the groups out by number (``channels.types.voice``). People who read little can pick a picture and reply with its number; the number is turned into
the symptom's name in their language (the words the bot's lexicon understands) before it goes
to Rasa. The card is drawn once per language and cached as a PNG under the var directory.
"""

from __future__ import annotations

import csv
import io
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from config.paths import ROOT
from engine.i18n import t

MENU_FILE = Path(__file__).parent / "data" / "symptom_menu.yml"
#: After these questions the bot is waiting for a symptom: WhatsApp shows the menu, a call reads it.
MENU_AFTER_KEYS = ("core_greet", "core_ask_symptom_text", "core_reprompt_symptom_text")
FONTS = {
    "hi": "/usr/share/fonts/truetype/lohit-devanagari/Lohit-Devanagari.ttf",
    "pa": "/usr/share/fonts/truetype/lohit-punjabi/Lohit-Gurmukhi.ttf",
    "en": "/usr/share/fonts/truetype/lohit-devanagari/Lohit-Devanagari.ttf",  # has Latin glyphs too
}


@dataclass(frozen=True)
class Category:
    number: int
    emoji: str
    icon: str
    codes: tuple[str, ...]


@lru_cache(maxsize=1)
def categories() -> tuple[Category, ...]:
    rows = yaml.safe_load(MENU_FILE.read_text(encoding="utf-8"))
    return tuple(Category(r["number"], r["emoji"], r["icon"], tuple(r["codes"])) for r in rows)


@lru_cache(maxsize=1)
def _symptom_names() -> dict[str, dict[str, str]]:
    with (ROOT / "data" / "symptoms.tsv").open(encoding="utf-8") as handle:
        return {row["code"]: row for row in csv.DictReader(handle, delimiter="\t")}


def label(category: Category, language: str) -> str:
    names = _symptom_names()
    return ", ".join(names[c].get(language) or names[c]["en"] for c in category.codes if c in names)


def menu_text(language: str) -> str:
    lines = [f"{c.number} {c.emoji} {label(c, language)}" for c in categories()]
    return t("channels_symptom_menu", language, menu="\n".join(lines))


def choice_text(reply: str, language: str) -> str | None:
    """The symptom words for a bare-number reply to the menu, else None."""
    reply = reply.strip().translate(str.maketrans("०१२३४५६७८९੦੧੨੩੪੫੬੭੮੯", "01234567890123456789"))
    if not (reply.isascii() and reply.isdigit()) or len(reply) > 3:  # not "²", not 5000 digits (int() refuses both)
        return None
    for category in categories():
        if category.number == int(reply):
            return label(category, language)
    return None


# --- the picture card ---------------------------------------------------------------------

_COLOURS = ["#e63946", "#457b9d", "#8d5524", "#2a9d8f", "#6d597a", "#f4a261", "#577590", "#3a86ff", "#e76f51"]


def _draw_icon(draw, icon: str, box: tuple[int, int, int, int], colour: str) -> None:
    """Simple geometric pictograms (no emoji font is needed to draw them)."""
    x0, y0, x1, y1 = box
    cx, cy, r = (x0 + x1) // 2, (y0 + y1) // 2, (x1 - x0) // 2
    if icon == "fever":  # thermometer
        draw.rounded_rectangle((cx - r // 6, y0, cx + r // 6, y1 - r // 2), radius=r // 6, outline=colour, width=5)
        draw.ellipse((cx - r // 3, y1 - 2 * r // 3, cx + r // 3, y1), fill=colour)
        draw.line((cx, y0 + r // 2, cx, y1 - r // 2), fill=colour, width=6)
    elif icon in ("cough", "head", "stomach", "vomit"):  # a face
        draw.ellipse(box, outline=colour, width=5)
        draw.ellipse((cx - r // 2, cy - r // 3, cx - r // 4, cy - r // 8), fill=colour)
        draw.ellipse((cx + r // 4, cy - r // 3, cx + r // 2, cy - r // 8), fill=colour)
        if icon == "cough":
            draw.ellipse((cx - r // 5, cy + r // 4, cx + r // 5, cy + r // 2), outline=colour, width=4)
            for i in range(3):
                draw.line((x1 + 4, cy + i * 10 - 10, x1 + 24, cy + i * 14 - 14), fill=colour, width=3)
        elif icon == "head":
            draw.arc((cx - r // 3, cy + r // 5, cx + r // 3, cy + r // 2), 200, 340, fill=colour, width=4)
            draw.line((x0, y0 + r // 3, x1, y0 + r // 6), fill=colour, width=8)
        elif icon == "stomach":
            draw.arc((cx - r // 3, cy + r // 4, cx + r // 3, cy + 2 * r // 3), 200, 340, fill=colour, width=4)
            draw.line((cx - r // 2, cy + r // 5, cx + r // 2, cy + r // 5), fill=colour, width=2)
        else:
            draw.polygon([(cx - r // 4, cy + r // 4), (cx + r // 4, cy + r // 4), (cx, y1 + 10)], fill=colour)
    elif icon == "drop":
        draw.polygon([(cx, y0), (x1 - r // 3, cy + r // 4), (x0 + r // 3, cy + r // 4)], fill=colour)
        draw.ellipse((x0 + r // 3, cy - r // 6, x1 - r // 3, y1), fill=colour)
    elif icon == "joint":
        draw.line((x0 + 10, y1 - 10, x1 - 10, y0 + 10), fill=colour, width=12)
        for ex, ey in ((x0 + 10, y1 - 10), (x1 - 10, y0 + 10)):
            draw.ellipse((ex - 14, ey - 14, ex + 14, ey + 14), fill=colour)
    elif icon == "lungs":
        draw.ellipse((x0, y0 + r // 3, cx - 6, y1), fill=colour)
        draw.ellipse((cx + 6, y0 + r // 3, x1, y1), fill=colour)
        draw.line((cx, y0, cx, cy), fill=colour, width=8)
    else:  # skin: spots
        draw.rounded_rectangle(box, radius=r // 3, outline=colour, width=5)
        for dx, dy in ((-r // 3, -r // 3), (r // 4, -r // 6), (-r // 6, r // 3), (r // 3, r // 3)):
            draw.ellipse((cx + dx - 8, cy + dy - 8, cx + dx + 8, cy + dy + 8), fill=colour)


def draw_card(language: str) -> bytes:
    """A 3x3 grid of numbered pictograms with their names in the user's script, as PNG."""
    from PIL import Image, ImageDraw, ImageFont

    cell_w, cell_h, top, bottom = 300, 260, 110, 70
    image = Image.new("RGB", (cell_w * 3, top + cell_h * 3 + bottom), "white")
    draw = ImageDraw.Draw(image)
    font_path = FONTS.get(language, FONTS["en"])
    title_font = ImageFont.truetype(font_path, 48)
    label_font = ImageFont.truetype(font_path, 30)
    number_font = ImageFont.truetype(FONTS["en"], 44)
    draw.text((image.width // 2, top // 2), t("channels_symptom_card_title", language), font=title_font,
              fill="#1d3557", anchor="mm")
    for index, category in enumerate(categories()):
        col, row = index % 3, index // 3
        x, y = col * cell_w, top + row * cell_h
        colour = _COLOURS[index % len(_COLOURS)]
        draw.rounded_rectangle((x + 8, y + 8, x + cell_w - 8, y + cell_h - 8), radius=24, outline="#cccccc", width=3)
        draw.ellipse((x + 18, y + 18, x + 78, y + 78), fill=colour)
        draw.text((x + 48, y + 48), str(category.number), font=number_font, fill="white", anchor="mm")
        _draw_icon(draw, category.icon, (x + cell_w // 2 - 55, y + 40, x + cell_w // 2 + 55, y + 150), colour)
        draw.text((x + cell_w // 2, y + 205), label(category, language), font=label_font, fill="#222222",
                  anchor="mm")
    footer = t("channels_symptom_card_footer", language).replace("·", "-")  # Lohit Gurmukhi has no "·"
    draw.text((image.width // 2, image.height - bottom // 2), footer,
              font=label_font, fill="#555555", anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def card_path(var_dir: Path, language: str) -> Path:
    """The card for ``language``, drawn on first use."""
    path = var_dir / "channels" / "cards" / f"symptoms-{language}.png"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Each drawer writes its own temporary file: the first senders after a start reach here at
        # the same time, and with one shared ".tmp" the second rename found it gone (a 500, and
        # Twilio's retry then counted as answered).
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.stem}-", suffix=".tmp", delete=False) as out:
            out.write(draw_card(language))
        Path(out.name).replace(path)
    return path
