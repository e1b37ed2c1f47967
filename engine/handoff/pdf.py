"""The PDF prescription: doctor's name and registration number, the medicines (generic name,
dose, frequency, duration) and the patient's instructions in the patient's language and English.

Any string may mix scripts (a Punjabi name, a Hindi instruction typed by the doctor, an English
dose), so fonts are chosen per *run of script*, not per field: Devanagari runs in Lohit
Devanagari, Gurmukhi runs in Lohit Gurmukhi (Debian's fonts-lohit-deva, fonts-lohit-guru), the
rest in DejaVu Sans; spaces, digits and punctuation stay in the run around them when its font has
them. A paragraph with an Indic run is shaped (conjuncts, vowel signs) through uharfbuzz, each
run with its own font; Latin-only paragraphs are not shaped (on Latin text shaping turns "st"
into a ligature pdftotext misreads). Times are India time. Text is escaped before it goes into
paragraph markup.

Shaped glyphs do not map back to the letters they show (a conjunct is one glyph, a pre-base vowel
sign is drawn first), so copy, search and screen readers would get broken words; each shaped
paragraph is therefore wrapped in a marked-content span whose ``/ActualText`` is the text as typed
(PDF 1.5 14.9.4), which pdftotext and PDF readers return instead of the glyphs.
"""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from config.timezone import IST
from engine.handoff.names import doctor_title

FONT_DIRS = [Path("/usr/share/fonts/truetype"), Path("/usr/share/fonts")]
#: script -> (registered name, file)
FONTS = {"deva": ("SaathiDeva", "Lohit-Devanagari.ttf"), "guru": ("SaathiGuru", "Lohit-Gurmukhi.ttf"),
         "latin": ("SaathiLatin", "DejaVuSans.ttf")}
_DANDA = {"\u0964", "\u0965"}  # used by Hindi and Punjabi alike


def _find(filename: str) -> Path | None:
    for base in FONT_DIRS:
        for path in base.rglob(filename):
            return path
    return None


@cache
def _font(script: str) -> tuple[str, frozenset[int]]:
    """(registered font name, the code points it has glyphs for) for a script.

    Lohit missing is an error (Indic text would print as boxes); DejaVu missing falls back to
    Helvetica, whose coverage is taken as Latin-1."""
    name, filename = FONTS[script]
    path = _find(filename)
    if path is None:
        if script != "latin":
            raise RuntimeError(f"font {filename} not installed (Debian: fonts-lohit-deva / fonts-lohit-guru)")
        return "Helvetica", frozenset(range(32, 256))
    font = TTFont(name, str(path))
    pdfmetrics.registerFont(font)
    return name, frozenset(font.face.charToGlyph)


def script_of(ch: str) -> str | None:
    """deva / guru / latin for letters and signs of a script; None for what every script shares
    (spaces, digits, punctuation, joiners, the danda)."""
    code = ord(ch)
    if ch in _DANDA:
        return None
    if 0x0900 <= code <= 0x097F or 0xA8E0 <= code <= 0xA8FF or 0x1CD0 <= code <= 0x1CFF:
        return "deva"
    if 0x0A00 <= code <= 0x0A7F:
        return "guru"
    category = unicodedata.category(ch)
    if category[0] in "LM":
        return "latin"
    return None


def runs(text: str) -> list[tuple[str, str]]:
    """``text`` as (script, run) pairs: each run is shown in one font that has all its glyphs.
    A shared character stays in the current run when that run's font has it."""
    out: list[tuple[str, str]] = []
    for ch in text:
        script = script_of(ch)
        current = out[-1][0] if out else None
        if script is None and current is not None and ord(ch) in _font(current)[1]:
            script = current
        elif script is None:
            script = next((s for s in ("latin", "deva", "guru") if ord(ch) in _font(s)[1]), "latin")
        if out and out[-1][0] == script:
            out[-1] = (script, out[-1][1] + ch)
        else:
            out.append((script, ch))
    return out


def missing_glyphs(text: str) -> list[str]:
    """Characters of ``text`` that the font chosen for them cannot show (each would be a box)."""
    return [ch for script, run in runs(text) for ch in run
            if not ch.isspace() and ord(ch) not in _font(script)[1] and unicodedata.category(ch) != "Cf"]


def markup(text: str) -> tuple[str, bool]:
    """Paragraph markup of ``text`` with a ``<font>`` per non-Latin run, and whether it needs shaping."""
    parts, indic = [], False
    for script, run in runs(text):
        if script == "latin":
            parts.append(escape(run))
        else:
            indic = True
            parts.append(f'<font face="{_font(script)[0]}">{escape(run)}</font>')
    return "".join(parts), indic


@cache
def _style(size: float, shaping: bool) -> ParagraphStyle:
    return ParagraphStyle(f"rx-{size}-{shaping}", fontName=_font("latin")[0], fontSize=size, leading=size * 1.5,
                          shaping=int(shaping), spaceAfter=2)


class ActualText(Flowable):
    """A paragraph drawn inside ``/Span <</ActualText (text)>> BDC … EMC``: what it shows is shaped
    glyphs, what it says (copy, search, pdftotext) is ``text``."""

    def __init__(self, paragraph: Paragraph, text: str) -> None:
        super().__init__()
        self.paragraph, self.text = paragraph, text

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width, self.height = self.paragraph.wrap(available_width, available_height)
        return self.width, self.height

    def getSpaceAfter(self) -> float:  # noqa: N802 - ReportLab's name
        return self.paragraph.getSpaceAfter()

    def draw(self) -> None:
        utf16 = "FEFF" + self.text.encode("utf-16-be").hex().upper()
        self.canv._code.append(f"/Span <</ActualText <{utf16}>>> BDC")
        self.paragraph.drawOn(self.canv, 0, 0)
        self.canv._code.append("EMC")


def para(text: str, size: float = 10) -> Flowable:
    """One paragraph of any mix of scripts, each run in a font that has its glyphs."""
    body, indic = markup(text)
    paragraph = Paragraph(body, _style(size, indic))
    return ActualText(paragraph, text) if indic else paragraph


@dataclass
class RxItem:
    generic: str
    dose: str
    frequency: str
    duration_days: int
    instructions: str = ""


@dataclass
class RxDocument:
    doctor_name: str
    registration_number: str
    specialty: str
    patient_label: str
    language: str
    items: list[RxItem]
    diagnosis: str = ""
    advice_en: str = ""
    #: patient-facing lines already rendered from the catalogue: (patient language, English);
    #: the follow-up date is one of them when there is one
    instructions: list[tuple[str, str]] = field(default_factory=list)
    follow_up: dt.date | None = None
    issued_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc))


def issued_text(issued_at: dt.datetime) -> str:
    """'06 Dec 2026 14:05 IST': the time the portal shows, in India time."""
    aware = issued_at if issued_at.tzinfo else issued_at.replace(tzinfo=dt.timezone.utc)
    return f"{aware.astimezone(IST):%d %b %Y %H:%M} IST"


def render(rx: RxDocument) -> bytes:
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm,
                            bottomMargin=16 * mm, title="Prescription", author="Sehat Saathi",
                            initialFontName=_font("latin")[0])  # no unembedded Helvetica in the file
    story = [
        para(doctor_title(rx.doctor_name), 15),
        para(f"{rx.specialty} - Registration no. {rx.registration_number}"),
        para(f"Teleconsultation via Sehat Saathi - {issued_text(rx.issued_at)}", 8),
        Spacer(1, 4 * mm),
        para(f"Patient: {rx.patient_label}"),
    ]
    if rx.diagnosis:
        story.append(para(f"Diagnosis: {rx.diagnosis}"))
    story.append(Spacer(1, 3 * mm))
    rows = [["Medicine (generic)", "Dose", "Frequency", "Days", "Instructions"]]
    rows += [[i.generic, i.dose, i.frequency, str(i.duration_days), i.instructions] for i in rx.items]
    table = Table([[para(c) for c in row] for row in rows], colWidths=[48 * mm, 22 * mm, 30 * mm, 14 * mm, 60 * mm])
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8f1f8")),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story += [table, Spacer(1, 4 * mm)]
    if rx.advice_en:
        story.append(para(f"Advice: {rx.advice_en}"))
    for local_line, english in rx.instructions:
        if rx.language != "en" and local_line != english:
            story.append(para(local_line, 11))
        story.append(para(english))
    story += [Spacer(1, 6 * mm), para("Digitally issued prescription; valid with the registration number above.", 8)]
    doc.build(story)
    return buf.getvalue()
