"""Lab rows -> value, unit, range, flag; built-in ranges; plausibility; plain-language summary."""

from __future__ import annotations

import pytest

from engine.meds.summary import summarise
from engine.ocr.labs import load_ranges, match_test, parse_labs, parse_line, reference_range


@pytest.mark.parametrize(("line", "code", "value", "unit", "low", "high", "flag"), [
    ("Haemoglobin 9.8 L g/dL 12.0 - 15.5", "haemoglobin", 9.8, "g/dL", 12.0, 15.5, "low"),
    ("Hemoglobin (Hb)   14.2   g/dL   13.0-17.0", "haemoglobin", 14.2, "g/dL", 13.0, 17.0, "normal"),
    ("Haemoglobin 6.1 g/dL 12-15.5", "haemoglobin", 6.1, "g/dL", 12.0, 15.5, "critical"),
    ("Platelet Count 45000 /cumm 150000 - 410000", "platelets", 45000, "/cumm", 150000, 410000, "critical"),
    ("Platelets 1.2 lakh/cumm 1.5 - 4.1", "platelets", 1.2, "lakh/cumm", 1.5, 4.1, "low"),
    ("TLC 7,800 /cumm 4000 - 11000", "tlc", 7800, "/cumm", 4000, 11000, "normal"),
    ("TSH 6.2 uIU/mL 0.4-4.5", "tsh", 6.2, "µIU/mL", 0.4, 4.5, "high"),
    # a number in the name's brackets is no value
    ("Vitamin D (25-OH)   14.2   ng/mL   30 - 100", "vitamin_d", 14.2, "ng/mL", 30.0, 100.0, "low"),
    ("Serum Creatinine 1.9 mg/dL 0.7 - 1.3", "creatinine", 1.9, "mg/dL", 0.7, 1.3, "high"),
    ("Fasting Blood Sugar 98 mg/dL 70 - 100", "fasting_glucose", 98, "mg/dL", 70, 100, "normal"),
    ("Vitamin B12 150 pg/mL 211 - 911", "vitamin_b12", 150, "pg/mL", 211, 911, "low"),
    ("Vitamin 0 13 ng/mL 30 - 100", "vitamin_d", 13, "ng/mL", 30, 100, "low"),  # OCR read D as 0
    ("HbA1c 7.2 % 4.0 - 5.6", "hba1c", 7.2, "%", 4.0, 5.6, "high"),
    ("Potassium 6.9 mmol/L 3.5-5.1", "potassium", 6.9, "mmol/L", 3.5, 5.1, "critical"),
    ("HDL Cholesterol 72 mg/dL 40 - 60", "hdl", 72, "mg/dL", 40, 60, "normal"),  # high HDL is not abnormal
    # ranges in every printed form (issue #17, item 2)
    ("Fasting Blood Glucose 112 mg/dL 70–100", "fasting_glucose", 112, "mg/dL", 70, 100, "high"),
    ("Glucose (Fasting) 92 mg/dL 70 to 100", "fasting_glucose", 92, "mg/dL", 70, 100, "normal"),
    ("Random Blood Glucose 240 mg/dL (70-140)", "random_glucose", 240, "mg/dL", 70, 140, "high"),
    ("Post Prandial Blood Glucose 130 mg/dL [70 - 140]", "pp_glucose", 130, "mg/dL", 70, 140, "normal"),
    ("Total Cholesterol 230 mg/dL < 200", "total_cholesterol", 230, "mg/dL", None, 200, "high"),
    ("Total Cholesterol 180 mg/dL Desirable: Less than 200", "total_cholesterol", 180, "mg/dL", None, 200, "normal"),
    ("HDL Cholesterol 38 L mg/dL > 40", "hdl", 38, "mg/dL", 40, None, "low"),
    ("HDL Cholesterol 38 * mg/dL More than 40", "hdl", 38, "mg/dL", 40, None, "low"),
    ("HbA1c 6.1 % Up to 5.6", "hba1c", 6.1, "%", None, 5.6, "high"),
    ("HbA1c 5.2 % Upto 5.6", "hba1c", 5.2, "%", None, 5.6, "normal"),
    ("Fasting Blood Glucose 92mg/dL 70-100", "fasting_glucose", 92, "mg/dL", 70, 100, "normal"),  # unit glued on
    ("Haemoglobin 11.2g/dL 12.0 - 15.5", "haemoglobin", 11.2, "g/dL", 12.0, 15.5, "low"),
    ("Vitamin D3 15ng/mL 30 - 100", "vitamin_d", 15, "ng/mL", 30, 100, "low"),
])
def test_rows(line, code, value, unit, low, high, flag):
    row = parse_line(line)
    assert row is not None
    assert (row.code, row.value, row.unit, row.ref_low, row.ref_high, row.flag) == (code, value, unit, low, high, flag)


def test_standard_test_names():
    from engine.ocr.labs import display_names

    assert set(display_names()) == set(load_ranges())
    row = parse_line("Vitamin 0 13 ng/mL 30 - 100")
    assert (row.test, row.label) == ("Vitamin D", "Vitamin 0")
    assert set(row.to_contract()) == {"test", "value", "unit", "ref_low", "ref_high", "flag"}


@pytest.mark.parametrize(("label", "code"), [("HbAic", "hba1c"), ("HbAlc", "hba1c"), ("Vitamin Bi2", "vitamin_b12"),
                                           ("HbA1c", "hba1c"), ("Hb", "haemoglobin")])
def test_ocr_look_alikes_in_test_names(label, code):
    assert match_test(label) == code  # Tesseract's i/l for a 1 in a test's name


def test_a_row_whose_test_name_ocr_misread_still_parses():
    row = parse_line("HbAic   8.2   %   4.0-6.0")
    assert (row.code, row.value, row.flag) == ("hba1c", 8.2, "high")


def test_builtin_range_by_sex_and_age():
    assert reference_range("haemoglobin", 40, "f") == (12.0, 15.5)
    assert reference_range("haemoglobin", 40, "m") == (13.0, 17.0)
    assert reference_range("haemoglobin", 8, "m") == (11.0, 14.5)
    row = parse_line("Haemoglobin 12.5 g/dL", age=40, sex="m")
    assert (row.ref_low, row.flag) == (13.0, "low")
    assert parse_line("Haemoglobin 12.5 g/dL", age=40, sex="f").flag == "normal"


def test_ocr_damage_in_values_and_ranges():
    assert parse_line("Vitamin B12   153. L   pg/mL   211-911").value == 153.0  # stray dot after the value
    row = parse_line("Serum Potassium   5.5H   mmol/L   30 - 5:1")  # range damaged: built-in range decides
    assert (row.ref_low, row.ref_high, row.flag) == (3.5, 5.1, "high")


def test_lost_decimal_point_is_recovered_and_nonsense_dropped():
    assert parse_line("Haemoglobin 98 g/dL 12.0 - 15.5").value == 9.8
    assert parse_line("Potassium 4000 mmol/L 3.5-5.1") is None


def test_non_lab_lines_ignored():
    assert parse_labs("Date: 12/03/2025\nName: Sunita Devi Age/Sex: 45/F\nPathologist") == []


def test_every_test_has_texts_and_sane_ranges():
    for code, spec in load_ranges().items():
        for key in ("name", "low_means", "high_means"):
            assert set(spec[key]) == {"en", "hi", "pa"}, (code, key)
        low, high = reference_range(code)
        assert 0 <= low < high <= spec["plausible"][1], code


@pytest.mark.parametrize("language", ["en", "hi", "pa"])
def test_summary_urgency(language):
    critical = summarise("lab_report", [], parse_labs("Haemoglobin 6.1 g/dL 12-15.5"), language)
    soon = summarise("lab_report", [], parse_labs("TSH 6.2 uIU/mL 0.4-4.5"), language)
    normal = summarise("lab_report", [], parse_labs("TSH 2.2 uIU/mL 0.4-4.5"), language)
    from engine.i18n import t

    assert t("meds_summary_critical", language) in critical
    assert t("meds_summary_abnormal_soon", language) in soon
    assert t("meds_summary_labs_normal", language) in normal


@pytest.mark.parametrize("language", ["en", "hi", "pa"])
def test_summary_says_which_range_decided(language):
    from engine.i18n import t

    printed = summarise("lab_report", [], parse_labs("TSH 6.2 uIU/mL 0.4-4.5"), language)
    ours = summarise("lab_report", [], parse_labs("TSH 6.2 uIU/mL"), language)
    assert t("ocr_range_printed", language) in printed and t("ocr_range_reference", language) in ours


@pytest.mark.parametrize(("language", "script"), [("en", None), ("hi", None), ("pa", None), ("hi", "Latn"),
                                                  ("pa", "Latn")])
def test_summary_says_a_restored_decimal_point_is_to_be_checked(language, script):
    """A value the reading changed (a dropped decimal point put back, 7c8c7f8) is shown with what was read,
    in every language and script, so the person checks the paper; an unchanged row carries no note."""
    from engine.i18n import reply_script, t

    restored = parse_labs("Bilirubin Total 18 mg/dL 0.3 - 1.2")
    as_printed = parse_labs("Bilirubin Total 1.8 mg/dL 0.3 - 1.2")
    with reply_script(script):
        note = t("ocr_note_decimal_restored", language, read="18", value="1.8")
        shown, plain = (summarise("lab_report", [], rows, language) for rows in (restored, as_printed))
    assert "18" in note and "1.8" in note
    assert note in shown and note not in plain
    assert shown.replace(" " + note, "") == plain  # the same row, the note after it


def test_sexed_ranges_in_every_printed_form():
    """"M: 13-17 F: 12-15" and its variants: the patient's sex picks the pair."""
    for printed in ("M: 13-17 F: 12-15", "M 13-17 F 12-15", "Male: 13 - 17 Female: 12 - 15", "(M) 13-17 (F) 12-15"):
        woman = parse_line(f"Haemoglobin 12.5 g/dL {printed}", sex="f")
        man = parse_line(f"Haemoglobin 12.5 g/dL {printed}", sex="m")
        assert (woman.ref_low, woman.ref_high, woman.flag) == (12, 15, "normal"), printed
        assert (man.ref_low, man.ref_high, man.flag) == (13, 17, "low"), printed
