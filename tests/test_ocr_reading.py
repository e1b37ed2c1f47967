"""Line-by-line reading choices, lab tables from word boxes, range forms and the patient's sex."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from engine.ocr import reading
from engine.ocr.labs import parse_line, parse_range, patient
from engine.ocr.layout import Word
from engine.ocr.render import Cell, draw_line
from engine.ocr.table import header_columns, parse_rows


def _row(y: int, *cells: tuple[str, int], conf: float = 95.0) -> list[Word]:
    """Words of one table row; each cell is (text, left x); words of a cell are 12 px per character apart."""
    words = []
    for text, x in cells:
        for part in text.split():
            words.append(Word(part, x, y, 12 * len(part), 24, conf))
            x += 12 * len(part) + 10
    return words


@pytest.mark.parametrize(("text", "sex", "expected"), [
    ("70 - 100", None, (70.0, 100.0)), ("70–100", None, (70.0, 100.0)), ("< 200", None, (None, 200.0)),
    ("> 40", None, (40.0, None)), ("Up to 5.6", None, (None, 5.6)), ("upto 40", None, (None, 40.0)),
    ("M: 13-17 F: 12-15", "f", (12.0, 15.0)), ("M: 13-17 F: 12-15", "m", (13.0, 17.0)),
    ("Male 13 - 17 Female 12 - 15", None, (12.0, 17.0)), ("1,50,000 - 4,10,000", None, (150000.0, 410000.0)),
    ("Desirable: < 200", None, (None, 200.0)), ("Negative", None, None),
])
def test_range_forms(text, sex, expected):
    assert parse_range(text, sex) == expected


def test_one_sided_and_sex_specific_ranges_decide_the_flag():
    hdl = parse_line("HDL Cholesterol 38 mg/dL > 40")
    assert (hdl.ref_low, hdl.ref_high, hdl.flag, hdl.range_source) == (40.0, None, "low", "printed")
    bili = parse_line("Bilirubin Total 1.8 * mg/dL Up to 1.2")
    assert (bili.ref_high, bili.flag) == (1.2, "high")
    assert parse_line("Haemoglobin 12.5 g/dL M: 13-17 F: 12-15", sex="f").flag == "normal"
    assert parse_line("Haemoglobin 12.5 g/dL M: 13-17 F: 12-15", sex="m").flag == "low"
    assert parse_line("Haemoglobin 11.0 g/dL", age=40, sex="f").range_source == "reference"


@pytest.mark.parametrize(("text", "expected"), [
    ("Age / Sex: 29 Years / Female", (29, "f")), ("AGE/SEX: 63/M", (63, "m")), ("Age/Gender: 33 / Male", (33, "m")),
    ("आयु: 31   लिंग: स्त्री", (31, "f")), ("ਉਮਰ/ਲਿੰਗ: 39 / F", (39, "f")), ("AGE : 57 YRS  SEX : FEMALE", (57, "f")),
    ("Date 12/08/2025", (None, None)),
])
def test_patient_age_and_sex(text, expected):
    assert patient(text) == expected


def test_table_columns_from_header_words():
    header = _row(100, ("Test", 50), ("Result", 400), ("Flag", 520), ("Unit", 600), ("Reference", 760))
    columns = header_columns(header)
    assert [c.role for c in columns] == ["name", "value", "flag", "unit", "range"]
    assert header_columns(_row(100, ("Name: Ramesh Kumar", 50), ("Age 45", 500))) is None
    rows = [header,
            _row(140, ("Total Cholesterol", 50), ("232", 400), ("H", 520), ("mg/dL", 600), ("< 200", 760)),
            _row(180, ("HDL Cholesterol", 50), ("38", 400), ("L", 520), ("mg/dL", 600), ("> 40", 760)),
            _row(220, ("VLDL", 50), ("36", 400), ("mg/dL", 600), ("< 30", 760))]
    results = parse_rows(rows)
    assert [(r.code, r.value, r.ref_low, r.ref_high, r.flag) for r in results] == [
        ("total_cholesterol", 232.0, None, 200.0, "high"), ("hdl", 38.0, 40.0, None, "low")]


def test_table_with_hindi_header_and_method_column():
    rows = [_row(100, ("जाँच", 50), ("परिणाम", 400), ("इकाई", 560), ("सामान्य सीमा", 700)),
            _row(140, ("हीमोग्लोबिन (Haemoglobin)", 50), ("8.4", 400), ("g/dL", 560), ("12 - 15", 700)),
            _row(180, ("प्लेटलेट (Platelet count)", 50), ("2,35,000", 400), ("/cumm", 560),
                 ("1,50,000 - 4,10,000", 700))]
    assert [(r.code, r.value, r.flag) for r in parse_rows(rows)] == [("haemoglobin", 8.4, "low"),
                                                                     ("platelets", 235000.0, "normal")]
    method = [_row(100, ("TEST NAME", 50), ("TECHNOLOGY", 330), ("VALUE", 520), ("UNITS", 620), ("RANGE", 740)),
              _row(140, ("TRIGLYCERIDES", 50), ("PHOTOMETRY", 330), ("212", 520), ("mg/dl", 620), ("< 150", 740))]
    assert [(r.code, r.value, r.flag) for r in parse_rows(method)] == [("triglycerides", 212.0, "high")]


def test_rows_without_a_header_use_the_line_parser():
    rows = [_row(100, ("Haemoglobin", 50), ("9.8", 300), ("g/dL", 400), ("12.0 - 15.5", 500))]
    assert [(r.code, r.flag) for r in parse_rows(rows)] == [("haemoglobin", "low")]


def test_indic_reading_never_replaces_digits_or_known_words():
    latin = [Word("Tab", 10, 0, 40, 20, 96), Word("Dolo", 60, 0, 50, 20, 95), Word("650", 120, 0, 40, 20, 93),
             Word("aa", 200, 0, 80, 20, 31)]
    indic = [Word("६५०", 120, 0, 40, 20, 90), Word("डोलो", 60, 0, 50, 20, 80), Word("रात", 200, 0, 40, 20, 85),
             Word("को", 245, 0, 35, 20, 84)]
    merged = [w.text for w in reading.merge_indic(latin, indic)]
    assert merged == ["Tab", "Dolo", "650", "रात", "को"]


def _draw(text: str, size: int = 40) -> np.ndarray:
    page = Image.new("RGB", (900, 120), (255, 255, 255))
    draw_line(ImageDraw.Draw(page), 30, [Cell(text)], "sans", size, margin=20)
    return np.array(page.convert("L"))


def test_headline_detector_tells_devanagari_and_gurmukhi_from_latin():
    def word_box(img):
        ys, xs = np.where(img < 128)
        return Word("w", int(xs.min()), int(ys.min()), int(xs.max() - xs.min()), int(ys.max() - ys.min()), 50)

    for text in ("खाने के बाद", "ਖਾਣੇ ਤੋਂ ਬਾਅਦ"):
        words = text.split()
        img = _draw(words[0])
        assert reading.has_headline(img, word_box(img)), text
    for text in ("Haemoglobin", "Paracetamol", "TEMPERATURE"):
        img = _draw(text)
        assert not reading.has_headline(img, word_box(img)), text


def _ink_box(img: np.ndarray, text: str, conf: float) -> Word:
    ys, xs = np.where(img < 128)
    return Word(text, int(xs.min()), int(ys.min()), int(xs.max() - xs.min()), int(ys.max() - ys.min()), conf)


def test_only_plausibly_indic_lines_go_to_the_indic_reading():
    img = _draw("Haemoglobin")
    box = _ink_box(img, "Haemoglobin", 91)
    latin = [box, Word("13.5", 400, box.top, 60, box.height, 88), Word("Rdgwk", 500, box.top, 90, box.height, 31),
             Word("g/dL", 620, box.top, 60, box.height, 45), Word("Vxq", 700, box.top, 60, box.height, 22),
             Word("Method", 780, box.top, 60, box.height, 90), Word("Result", 860, box.top, 60, box.height, 90)]
    assert not reading.plausibly_indic(img, latin)  # a few blurred words do not make a line Indic
    for text in ("खाने", "ਖਾਣੇ"):
        img = _draw(text)
        box = _ink_box(img, "Xjq", 62)
        assert reading.plausibly_indic(img, [box]), text  # the head-stroke, even when eng was fairly sure
        junk = [Word("Fwqr", 20, 20, 60, 30, 35), Word("Bx", 90, 20, 40, 30, 20), Word("650", 140, 20, 40, 30, 90)]
        assert reading.plausibly_indic(np.full((120, 900), 255, np.uint8), junk), text  # mostly unreadable in eng


def test_a_crossed_out_dose_is_left_unread():
    img = _draw("1-1-1")
    ys, xs = np.where(img < 128)
    box = Word("1-1-1", int(xs.min()), int(ys.min()), int(xs.max() - xs.min()), int(ys.max() - ys.min()), 90)
    assert not reading.struck_through(img, box)
    crossed = img.copy()
    crossed[box.top + box.height // 2 - 2: box.top + box.height // 2 + 2, box.left: box.left + box.width] = 0
    assert reading.struck_through(crossed, box)
    assert reading.mark_unread_doses(crossed, [[box]])[0][0].text == reading.UNREAD
    assert reading.mark_unread_doses(img, [[box]])[0][0].text == "1-1-1"


def test_an_unsure_number_is_read_again_alone_and_a_sure_one_is_left():
    img = _draw("3.1")
    box = _ink_box(img, "34", 60)  # as a table row's context made Tesseract read it, unsure
    again = reading.reread_numbers(img, [[box]])[0][0]
    assert (again.text, again.left, again.width) == ("3.1", box.left, box.width)
    assert again.conf >= reading.NUMBER_SURE
    sure = Word("34", box.left, box.top, box.width, box.height, 90)
    assert reading.reread_numbers(img, [[sure]])[0][0] == sure  # Tesseract was sure: not read again
    word = Word("Albumin", box.left, box.top, box.width, box.height, 40)
    assert reading.reread_numbers(img, [[word]])[0][0] == word  # no digit: not read again


def test_a_speck_above_a_number_is_not_read_with_it():
    img = _draw("2.1")
    box = _ink_box(img, "2.1", 60)
    specked = img.copy()
    specked[box.top - 9: box.top - 3, box.left - 6: box.left] = 0  # left where a table's rules crossed
    with_speck = Word("“24", box.left - 6, box.top - 9, box.width + 6, box.height + 9, 56)
    crop = reading._cropped(specked, with_speck)
    cleaned = reading.strays_removed(crop)
    assert (cleaned < 128).sum() < (crop < 128).sum()  # the speck is gone
    assert (reading.strays_removed(reading._cropped(img, box)) == reading._cropped(img, box)).all()  # the point stays
    again = reading.reread_numbers(specked, [[with_speck]])[0][0]
    assert again.text == "2.1" and again.conf >= reading.NUMBER_SURE


def test_an_indic_word_never_costs_a_line_its_lab_row():
    latin = _row(100, ("Hb", 20), ("9.6", 200), ("M: 13-17 F: 12-15", 400), conf=45)
    indic = [Word("कह", 20, 100, 24, 24, 47)] + latin[1:]
    assert reading._loses_lab_row(latin, indic)
    pp = _row(100, ("Blood Sugar PP", 20), ("238", 300), ("Up to 140", 400))
    assert reading._loses_lab_row(pp, pp[:2] + [Word("ਨ", pp[2].left, 100, 24, 24, 73)] + pp[3:])
    label = _row(100, ("Haemoglobin", 20), ("9.6", 200), ("12 - 15", 400))
    assert not reading._loses_lab_row(label, label + [Word("हीमोग्लोबिन", 700, 100, 120, 24, 80)])


def test_vocabulary_knows_medicines_labs_and_three_languages():
    for word in ("paracetamol", "haemoglobin", "mg/dl", "खाने", "ਦਿਨ", "fever", "650", "70-100", "1-0-1"):
        assert reading.known(word), word
    assert not reading.known("xqzvv")


def test_document_type_follows_what_the_page_holds():
    """A page's parsed content outweighs wording the generator-trained classifier never saw."""
    from engine.meds.parse import parse_medications
    from engine.ocr.document import document_type
    from engine.ocr.labs import parse_labs

    lab_text = ("Shiv Diagnostic Centre\nPatient: Kamlesh 52/F\nTEST RESULT UNITS NORMAL RANGE\n"
                "Blood Sugar Fasting 142 mg/dl 70-100\nSerum Creatinine 0.8 mg/dl 0.6-1.1\nHbA1c 7.4 % Up to 5.6")
    assert document_type(lab_text, [], parse_labs(lab_text))[0] == "lab_report"
    rx_text = "Saxena Clinic\nAman Khan 24 M\nTab Taxim O 200 subah-shaam x 14 din\nTab Pantocid 40 1-0-0 x 14 din"
    assert document_type(rx_text, parse_medications(rx_text), [])[0] == "prescription"
    ds_text = "DISCHARGE SUMMARY\nDate of Admission: 02/10/2025\n" + rx_text
    assert document_type(ds_text, parse_medications(ds_text), [])[0] == "discharge_summary"
    bill = "TAX INVOICE / CASH MEMO GSTIN 03AAKPB1234C1Z9\nDOLO 650 TAB 15S DOBS4471 11/27 10 30.60\nNet Rs. 106.51"
    assert document_type(bill, parse_medications(bill), [])[0] == "other"


def test_a_second_reading_fills_what_the_first_missed_and_never_overrides_it():
    """read_document's two readings (prepared page, photo as it came): the leading one keeps its values; a
    medicine, a schedule or a lab row only the other saw is taken from it."""
    from engine.ocr.document import interpret
    from engine.ocr.quality import Quality
    from engine.ocr.tesseract import from_rows

    def page(*lines: str) -> object:
        return from_rows([_row(40 * (i + 1), (line, 50)) for i, line in enumerate(lines)])

    header = "Rx Dr. Mehta Clinic"
    first = page(header, "Tab Dolo 650 mg", "Cap Amoxyclav 625", "1-0-1 x 5 days")
    second = page(header, "Tab Dolo 650 mg 1-1-1 x 3 days", "Cap Amoxyclav 625 0-0-1", "Tab Pan 40 mg 1-0-0")
    meds = {m.generic: m.frequency for m in interpret(first, "x", Quality(1.0, []), (second,)).medications}
    assert meds["paracetamol"] == "1-1-1"  # the first left it blank
    assert meds["amoxicillin+clavulanic acid"] == "1-0-1"  # the first read it: kept
    assert meds["pantoprazole"] == "1-0-0"  # only the second saw it
    lab_second = page("Pathology Lab Report", "Haemoglobin 8.9 g/dL 12 - 15", "TSH 6.2 uIU/mL 0.4 - 4.2",
                      "Serum Creatinine 1.1 mg/dL 0.6 - 1.2")
    lab_first = page("Pathology Lab Report", "Haemoglobin 9.8 g/dL 12 - 15", "Serum Creatinine 11")
    labs = {r.code: r.value for r in interpret(lab_first, "x", Quality(1.0, []), (lab_second,)).lab_results}
    assert labs == {"haemoglobin": 9.8, "tsh": 6.2, "creatinine": 1.1}  # a row read whole beats a bare number


def test_a_dropped_decimal_point_is_restored_only_on_the_rows_own_evidence():
    bili = parse_line("Bilirubin Total 18 mg/dL 0.3 - 1.2")
    assert (bili.value, bili.flag, bili.note, bili.read_as) == (1.8, "high", "decimal_restored", "18")
    assert parse_line("Bilirubin Total 18.0 mg/dL 0.3 - 1.2").value == 18.0  # printed with its decimals
    assert parse_line("Serum Creatinine 12 mg/dL 0.6 - 1.2").value == 12.0  # a tenth would read normal
    assert parse_line("Bilirubin Total 18 mg/dL").note == ""  # no printed range: no evidence
    rows = [_row(100, ("Test", 50), ("Result", 400), ("Unit", 600), ("Reference", 760)),
            _row(140, ("Bilirubin Total", 50), ("18", 400), ("mg/dL", 600), ("0.3 - 1.2", 760))]
    assert [(r.value, r.flag) for r in parse_rows(rows)] == [(1.8, "high")]


def test_hindi_and_punjabi_headers_in_the_spellings_ocr_gives():
    for header in (("जांच", "रिजल्ट", "यूनिट", "संदर्भ सीमा"), ("ਜਾਂਚ", "ਮੁਲ", "ਇਕਾਈ", "ਸਧਾਰਨ ਸੀਮਾ"),
                   ("परीक्षण", "मान", "इकाई", "सामान्य सीमा"), ("ਟੈਸਟ", "ਨਤੀਜਾ", "ਯੂਨਿਟ", "ਹਵਾਲਾ ਸੀਮਾ")):
        row = _row(100, (header[0], 50), (header[1], 400), (header[2], 560), (header[3], 700))
        assert [c.role for c in header_columns(row)] == ["name", "value", "unit", "range"], header


def test_a_page_that_reads_as_medical_words_is_not_sent_to_orientation_detection():
    """Orientation detection (and the turned page's reading) is for pages that read as junk: five confident
    words of our vocabularies show the page is upright even when rules and noise lower its mean confidence."""
    from engine.ocr.tesseract import _reads_upright

    upright = reading.PageReading([_row(10, ("Haemoglobin 11.2 g/dL", 20), ("|", 400), ("—~", 460), conf=91),
                                   _row(50, ("Platelets Creatinine", 20), ("ee", 300), conf=88),
                                   _row(90, ("Paracetamol", 20), ("TEST Result", 200), conf=90)], [])
    assert _reads_upright(upright)
    sideways = reading.PageReading([_row(10, ("Wrrq", 20), ("ee", 100), ("lIlI", 200), conf=40),
                                    _row(50, ("Haemoglobin", 20), ("mmm", 300), conf=92)], [])
    assert not _reads_upright(sideways)
    unsure = reading.PageReading([_row(10, ("Haemoglobin Platelets Creatinine Paracetamol Result", 20), conf=60)], [])
    assert not _reads_upright(unsure)
