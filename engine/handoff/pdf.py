"""The PDF prescription: doctor's name and registration number, the medicines (generic name,
dose, frequency, duration) and the patient's instructions in the patient's language and English.

Devanagari and Gurmukhi need shaping (conjuncts, vowel signs): ReportLab paragraphs with
``shaping=1`` shape through uharfbuzz, with the Lohit fonts Debian ships (fonts-lohit-deva,
fonts-lohit-guru). Text from doctors is escaped before it goes into paragraph markup.
"""

from __future__ import annotations

import datetime as dt
import io
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
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

FONT_DIRS = [Path("/usr/share/fonts/truetype"), Path("/usr/share/fonts")]
FONTS = {"hi": ("SaathiDeva", "Lohit-Devanagari.ttf"), "pa": ("SaathiGuru", "Lohit-Gurmukhi.ttf")}
LATIN = ("SaathiLatin", "DejaVuSans.ttf")


def _find(filename: str) -> Path | None:
    for base in FONT_DIRS:
        for path in base.rglob(filename):
            return path
    return None


@cache
def font_for(language: str) -> str:
    """A registered font name that can show ``language`` (Helvetica for English if no DejaVu)."""
    name, filename = FONTS.get(language, LATIN)
    path = _find(filename)
    if path is None:
        if language in FONTS:
            raise RuntimeError(f"font {filename} not installed (Debian: fonts-lohit-deva / fonts-lohit-guru)")
        return "Helvetica"
    pdfmetrics.registerFont(TTFont(name, str(path)))
    return name


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
    #: patient-facing lines already rendered from the catalogue: (patient language, English)
    instructions: list[tuple[str, str]] = field(default_factory=list)
    follow_up: dt.date | None = None
    issued_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc))


def _style(font: str, size: float = 10, shaping: bool = False) -> ParagraphStyle:
    """Shaping only for Indic scripts: on Latin text it turns "st" into a ligature pdftotext misreads."""
    return ParagraphStyle(f"{font}-{size}-{shaping}", fontName=font, fontSize=size, leading=size * 1.45,
                          shaping=int(shaping), spaceAfter=2)


def render(rx: RxDocument) -> bytes:
    latin = font_for("en")
    local = font_for(rx.language) if rx.language in FONTS else latin
    body, head, small = _style(latin), _style(latin, 15), _style(latin, 8)
    local_body = _style(local, 11, shaping=True)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm,
                            bottomMargin=16 * mm, title="Prescription", author="Sehat Saathi")
    story = [
        Paragraph(escape(f"Dr {rx.doctor_name}".replace("Dr Dr ", "Dr ")), head),
        Paragraph(escape(f"{rx.specialty} - Registration no. {rx.registration_number}"), body),
        Paragraph(escape(f"Teleconsultation via Sehat Saathi - {rx.issued_at:%d %b %Y %H:%M} UTC"), small),
        Spacer(1, 4 * mm),
        Paragraph(escape(f"Patient: {rx.patient_label}"), body),
    ]
    if rx.diagnosis:
        story.append(Paragraph(escape(f"Diagnosis: {rx.diagnosis}"), body))
    story.append(Spacer(1, 3 * mm))
    rows = [["Medicine (generic)", "Dose", "Frequency", "Days", "Instructions"]]
    rows += [[escape(i.generic), escape(i.dose), escape(i.frequency), str(i.duration_days), escape(i.instructions)]
             for i in rx.items]
    table = Table([[Paragraph(c, body) for c in row] for row in rows],
                  colWidths=[48 * mm, 22 * mm, 30 * mm, 14 * mm, 60 * mm])
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8f1f8")),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story += [table, Spacer(1, 4 * mm)]
    if rx.advice_en:
        story.append(Paragraph(escape(f"Advice: {rx.advice_en}"), body))
    for local_line, english in rx.instructions:
        if rx.language != "en":
            story.append(Paragraph(escape(local_line), local_body))
        story.append(Paragraph(escape(english), body))
    if rx.follow_up:
        story.append(Paragraph(escape(f"Follow-up: {rx.follow_up:%d %b %Y}"), body))
    story += [Spacer(1, 6 * mm),
              Paragraph("Digitally issued prescription; valid with the registration number above.", small)]
    doc.build(story)
    return buf.getvalue()
