"""The prescription PDF in Hindi, Punjabi and English (issue #18 item 1): every run of script in a
font that has its glyphs (checked in the file with pdffonts and pdftohtml, which names the font of
each piece of text), the text round-trips through pdftotext (shaped Indic glyphs carry their typed
text as ActualText), times in IST, the follow-up once, "Dr" once, and the page renders."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path

import pytest

from engine.handoff.pdf import RxDocument, RxItem, missing_glyphs, render, runs
from engine.i18n import t

DEVANAGARI = re.compile("[\u0900-\u0963\u0966-\u097f]")  # the danda is shared with Punjabi
GURMUKHI = re.compile("[\u0a00-\u0a7f]")


def _flat(text: str) -> str:
    return " ".join(text.split())


def _pdf(tmp_path: Path, rx: RxDocument) -> Path:
    path = tmp_path / "rx.pdf"
    path.write_bytes(render(rx))
    return path


def _document(doctor: str, patient: str, language: str, **extra) -> RxDocument:
    follow = dt.date(2026, 12, 13)
    date = follow.strftime("%d/%m/%Y")
    lines = [(t(k, language), t(k, "en")) for k in ("portal_rx_take", "portal_rx_warning")]
    lines.append((t("portal_rx_follow_up", language, date=date), t("portal_rx_follow_up", "en", date=date)))
    return RxDocument(
        doctor_name=doctor, registration_number="PMC-4521", specialty="General physician", patient_label=patient,
        language=language, diagnosis="A97.0 Dengue without warning signs", follow_up=follow,
        issued_at=dt.datetime(2026, 12, 6, 8, 30, tzinfo=dt.timezone.utc), instructions=lines, **extra)


CASES = {
    "pa": _document("ਗੁਰਪ੍ਰੀਤ ਕੌਰ", "ਹਰਜੀਤ ਸਿੰਘ, m, born 1975", "pa", advice_en="ਆਰਾਮ ਕਰੋ, ਪਾਣੀ ਵੱਧ ਪੀਓ।",
                    items=[RxItem("paracetamol", "500 mg", "1-0-1 ਖਾਣੇ ਤੋਂ ਬਾਅਦ", 3, "ਬੁਖ਼ਾਰ ਹੋਵੇ ਤਾਂ ਹੀ"),
                           RxItem("oral rehydration salts", "1 sachet", "ਹਰ ਦਸਤ ਤੋਂ ਬਾਅਦ", 2, "ਇੱਕ ਲੀਟਰ ਪਾਣੀ ਵਿੱਚ")]),
    "hi": _document("डॉ. मीरा शर्मा", "रमेश कुमार, m, born 1980", "hi", advice_en="आराम करें, खूब पानी पिएँ।",
                    items=[RxItem("paracetamol", "500 mg", "सुबह-शाम खाने के बाद", 3, "बुखार हो तभी; क्षमा, श्रद्धा")]),
    "en": _document("Dr. Meera Sharma", "Ramesh Kumar, m, born 1980", "en", advice_en="Rest and fluids",
                    items=[RxItem("amoxicillin", "500 mg", "1-1-1", 5, "after food")]),
}


def _typed(rx: RxDocument) -> list[str]:
    """Every string a person typed or the catalogue gave, as it must come back out of the PDF."""
    out = [rx.doctor_name, rx.patient_label, rx.advice_en]
    for item in rx.items:
        out += [item.generic, item.dose, item.frequency, item.instructions]
    for local, english in rx.instructions:
        out += [local, english]
    return [x for x in out if x]


@pytest.mark.parametrize("language", CASES)
def test_every_script_has_its_font_and_the_text_round_trips(tmp_path, language):
    rx = CASES[language]
    for text in _typed(rx):
        assert missing_glyphs(text) == [], text
    path = _pdf(tmp_path, rx)

    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    used = {}
    xml = subprocess.run(["pdftohtml", "-xml", "-stdout", "-i", str(path)], capture_output=True, text=True,
                         check=True).stdout
    families = dict(re.findall(r'<fontspec id="(\d+)"[^>]*family="([^"]+)"', xml))
    for font_id, piece in re.findall(r'<text [^>]*font="(\d+)">(.*?)</text>', xml):
        used.setdefault(families[font_id], []).append(piece)
    for family, pieces in used.items():
        name = family.split("+")[-1]
        assert re.search(rf"\+{re.escape(name)}\s+TrueType\s+\S+\s+yes", fonts), f"{name} not embedded"
        text = "".join(pieces)
        if DEVANAGARI.search(text):
            assert name == "Lohit-Devanagari" and not GURMUKHI.search(text), (name, text)
        if GURMUKHI.search(text):
            assert name == "Lohit-Gurmukhi" and not DEVANAGARI.search(text), (name, text)
    if language != "en":
        assert {"Lohit-Devanagari" if language == "hi" else "Lohit-Gurmukhi", "DejaVuSans"} <= {
            f.split("+")[-1] for f in used}

    out = _flat(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout)
    for text in _typed(rx):
        assert _flat(text) in out, f"{text!r} does not round-trip"
    assert "06 Dec 2026 14:00 IST" in out, "issued time in India time"
    assert out.count("13/12/2026") == (1 if language == "en" else 2) and "Follow-up:" not in out, \
        "the follow-up once per language"
    assert "Dr ਡਾ" not in out and "Dr डॉ" not in out and "Dr Dr" not in out

    subprocess.run(["pdftoppm", "-r", "40", "-png", "-singlefile", str(path), str(tmp_path / "page")], check=True)
    from PIL import Image

    assert Image.open(tmp_path / "page.png").convert("L").getextrema()[0] < 100, "the page is not blank"


def test_doctor_title_once_in_any_script(tmp_path):
    out = subprocess.run(["pdftotext", str(_pdf(tmp_path, CASES["pa"])), "-"], capture_output=True, text=True,
                         check=True).stdout
    assert out.splitlines()[0] == "Dr ਗੁਰਪ੍ਰੀਤ ਕੌਰ"
    out = subprocess.run(["pdftotext", str(_pdf(tmp_path, CASES["hi"])), "-"], capture_output=True, text=True,
                         check=True).stdout
    assert out.splitlines()[0] == "डॉ. मीरा शर्मा"


def test_runs_split_by_script_and_keep_shared_marks():
    assert runs("ਹਰਜੀਤ (PMC-1) रमेश।") == [("guru", "ਹਰਜੀਤ ("), ("latin", "PMC-1) "), ("deva", "रमेश।")]
    assert missing_glyphs("ਡਾ. ਗੁਰਪ੍ਰੀਤ – “x” ₹ 1-0-1") == []
