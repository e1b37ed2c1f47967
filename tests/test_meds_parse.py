"""Prescription lines -> medications, including OCR slips and two-line layouts."""

from __future__ import annotations

import pytest

from engine.meds.parse import parse_line, parse_medications


@pytest.mark.parametrize(("line", "name", "generic", "strength", "form", "frequency", "times", "days", "instr"), [
    ("1. Tab Dolo 650 1-0-1 x 5 days after food", "Dolo 650", "paracetamol", "650 mg", "tablet", "1-0-1", 2, 5,
     "after food"),
    ("Cap. Pan D 1-0-0 before food 10 days", "Pan D", "pantoprazole+domperidone", "40 mg+30 mg", "capsule", "1-0-0",
     1, 10, "before food"),
    ("Tab Augmentn 625 BD x 5d", "Augmentin 625", "amoxicillin+clavulanic acid", "500 mg+125 mg", "tablet", "BD", 2,
     5, None),
    ("Tab Telma 40 OD", "Telma 40", "telmisartan", "40 mg", "tablet", "OD", 1, None, None),
    ("Tab Telma 80 OD", "Telma 80", "telmisartan", "80 mg", "tablet", "OD", 1, None, None),
    ("Tab Dol0 650 1-O-1", "Dolo 650", "paracetamol", "650 mg", "tablet", "1-0-1", 2, None, None),
    ("Tab. Glycomet GP 2 1-0-1 खाने के बाद", "Glycomet GP 2", "glimepiride+metformin", "2 mg+500 mg", "tablet",
     "1-0-1", 2, None, "after food"),
    ("Tab Taxim-O 200 mg 1-0-1 5 din", "Taxim O 200", "cefixime", "200 mg", "tablet", "1-0-1", 2, 5, None),
    ("Montair LC 0-0-1", "Montair LC", "montelukast+levocetirizine", "10 mg+5 mg", "tablet", "0-0-1", 1, None, None),
    ("Tab Paracetamol 500 mg SOS", "Paracetamol", "paracetamol", "500 mg", "tablet", "SOS", None, None, None),
    ("Syp Ascoril LS 5 ml TDS", "Ascoril LS", "ambroxol+levosalbutamol+guaifenesin", "5 ml", "syrup", "TDS", 3, None,
     None),
    ("Tab Combiflam ਦਿਨ ਵਿੱਚ ਦੋ ਵਾਰ", "Combiflam", "ibuprofen+paracetamol", "400 mg+325 mg", "tablet", "BD", 2, None,
     None),
])
def test_parse_line(line, name, generic, strength, form, frequency, times, days, instr):
    med = parse_line(line)
    assert med is not None
    assert (med.name, med.generic, med.strength, med.form) == (name, generic, strength, form)
    assert (med.frequency, med.times_per_day, med.duration_days, med.instructions) == (frequency, times, days, instr)


def test_combination_written_as_generics():
    med = parse_line("Tab Amoxicillin + Clavulanic acid 625 mg twice daily")
    assert med.generics == ["amoxicillin", "clavulanic acid"]
    assert med.times_per_day == 2


@pytest.mark.parametrize("line", ["Date: 12/03/2025", "Name: Ramesh Kumar Age/Sex: 45/M", "Review after 5 days",
                                  "Advice: plenty of oral fluids, rest", "Diagnosis: Viral fever"])
def test_lines_without_medicines(line):
    assert parse_line(line) is None


def test_two_line_layout_and_no_bleed_into_following_lines():
    text = ("1. Tab Doxobid\nਦਿਨ ਵਿੱਚ ਦੋ ਵਾਰ — 3/7 — empty stomach\n2. Tab Calpol 650 1-1-1 after food\n"
            "Follow up in OPD after 10 days.")
    meds = parse_medications(text)
    assert [(m.name, m.frequency, m.duration_days, m.instructions) for m in meds] == [
        ("Doxobid", "BD", 3, "empty stomach"), ("Calpol 650", "1-1-1", None, "after food")]


def test_garbled_indic_days_word_still_gives_duration():
    assert parse_medications("2. Tab Sibelium   दिन में दो बार   30 रिठ   khane ke baad")[0].duration_days == 30


@pytest.mark.parametrize(("text", "name", "frequency"), [
    ("3. TAB Janumet\n8.0. - 5/7 - खाने के बाद", "Janumet", "BD"),  # B.D. read as 8.0.
    ("1. Cap Imodium   505   5/7   खाने से पहले", "Imodium", "SOS"),  # SOS read as 505
    ("3. Tab Voveran SR   00   x 14 days", "Voveran SR", "OD"),  # OD read as 00
    ("2. Cap. Razo 0\n1-1-1 — for 30 days", "Razo D", "1-1-1"),  # D read as 0
    ("Tab Telma 80 1-0-0", "Telma 80", "1-0-0"),  # a real 80 stays a strength
])
def test_ocr_slips_in_schedules(text, name, frequency):
    med = parse_medications(text)[0]
    assert (med.name, med.frequency) == (name, frequency)


@pytest.mark.parametrize(("text", "frequency", "days"), [
    ("Cap. Redotil   ਦਿਨ ਵਿੱਚ ਤਿੰਨ रात for 7 days", "TDS", 7),  # last word garbled by OCR
    ("Tab. Met XL 50   010   7 ਦਿਨ", "0-1-0", 7),  # dashes lost
    ("Tab Thyronorm 100", None, None),  # a strength, not 1-0-0
    ("Tab Dolo 650 din me do baar x 5 din", "BD", 5),  # "650 din me" is no duration
    ("Tab Glycomet GP 2   1   0   1   30", "1-0-1", None),  # Morning / Noon / Night columns
    ("Tab Januvia 100   1   0   0   30", "1-0-0", None),
    ("Tab Pan 40   0   0   0", None, None),  # no dose in any column is no schedule
    ("Tab Thyronorm 50   1 (empty stomach)   0   0   30", "1-0-0", None),  # a remark beside a column's dose
    ("Syp K-Cit   11-1   x 7 days", "1-1-1", 7),  # one dash lost
    ("Tab Dolo 650   1-01   x 3 days", "1-0-1", 3),
    ("Syp K-Cit 11-1 x 7 days", None, 7),  # not in a column of its own: no dose pattern to repair
])
def test_more_ocr_repairs(text, frequency, days):
    med = parse_medications(text)[0]
    assert (med.frequency, med.duration_days) == (frequency, days)


@pytest.mark.parametrize("line", ["No painkillers like Brufen / Combiflam / Disprin.", "Avoid Combiflam and Brufen",
                                  "Allergic to Augmentin", "Do not take Disprin", "दर्द के लिए Brufen न लें",
                                  "ਦਰਦ ਲਈ Brufen ਨਾ ਲਓ"])
def test_medicines_named_to_avoid_are_not_prescribed(line):
    meds = parse_medications(f"Tab Dolo 650 1-0-1 x 3 days\n{line}\nTab Pan 40 1-0-0")
    assert [m.name for m in meds] == ["Dolo 650", "Pan 40"]


def test_a_dose_pattern_line_after_a_medicine_is_its_schedule_despite_ocr_junk():
    meds = parse_medications("1. TAB Pan 40\n|  0-0-1 — 30 din — ਖਾਣੇ ਡੋੰ ਬਾਅਦ  |\nReview after 5 days")
    assert [(m.name, m.frequency, m.duration_days) for m in meds] == [("Pan 40", "0-0-1", 30)]


@pytest.mark.parametrize(("line", "name", "generic"), [
    ("Tab Calpel 500 half SOS if fever", "Calpol", "paracetamol"),  # handwriting font: o read as e
    ("Tab Mentair LC 1 at night x 7 days", "Montair LC", "montelukast+levocetirizine"),
    ("Tal Concar 5 BD x 30 days", "Concor", "bisoprolol"),  # "Tab" itself misread
])
def test_a_name_right_after_a_form_word_may_be_one_slip_further(line, name, generic):
    med = parse_line(line)
    assert med is not None and (med.name, med.generic) == (name, generic)


@pytest.mark.parametrize("line", [
    "Take Calpel 500 half",  # no form word before it: the ordinary cutoff
    "Tab Calpe 500",  # fewer than 6 letters
    "Tab Xalpel 500",  # the first letter differs
])
def test_the_looser_match_needs_its_context(line):
    assert parse_line(line) is None


def test_a_review_line_is_no_medicines_schedule():
    meds = parse_medications("Tab Fexova 120   ?   x 5 days\nReview SOS")
    assert [(m.name, m.frequency) for m in meds] == [("Fexova", None)]
