"""Every dosing notation we claim to read: patterns, abbreviations, phrases in three scripts."""

from __future__ import annotations

import pytest

from engine.meds.frequency import parse_duration, parse_frequency, parse_instructions


@pytest.mark.parametrize(("text", "canonical", "times"), [
    ("1-0-1", "1-0-1", 2), ("1-1-1", "1-1-1", 3), ("0-0-1", "0-0-1", 1), ("1-0-0", "1-0-0", 1),
    ("0-1-0", "0-1-0", 1), ("1-1-1-1", "1-1-1-1", 4), ("1-0-0-1", "1-0-0-1", 2), ("½-0-½", "½-0-½", 2),
    ("1 - 0 - 1", "1-0-1", 2), ("1—0—1", "1-0-1", 2), ("1+0+1", "1-0-1", 2), ("1 + 1 + 1", "1-1-1", 3), ("l-O-1", "1-0-1", 2), ("I-0-I", "1-0-1", 2),
    ("OD", "OD", 1), ("o.d.", "OD", 1), ("BD", "BD", 2), ("B.D.", "BD", 2), ("BID", "BD", 2),
    ("TDS", "TDS", 3), ("TID", "TDS", 3), ("QID", "QID", 4), ("QDS", "QID", 4), ("HS", "HS", 1),
    ("SOS", "SOS", None), ("STAT", "STAT", None),
    ("once daily", "OD", 1), ("once a day", "OD", 1), ("twice daily", "BD", 2), ("twice a day", "BD", 2),
    ("thrice daily", "TDS", 3), ("three times a day", "TDS", 3), ("four times a day", "QID", 4),
    ("every 8 hours", "TDS", 3), ("8 hourly", "TDS", 3), ("q12h", "BD", 2), ("6 hourly", "QID", 4),
    ("at bedtime", "HS", 1), ("when required", "SOS", None), ("as needed", "SOS", None),
    ("din me ek baar", "OD", 1), ("din me do baar", "BD", 2), ("din me teen baar", "TDS", 3),
    ("subah shaam", "BD", 2), ("raat ko", "HS", 1),
    ("दिन में एक बार", "OD", 1), ("दिन में दो बार", "BD", 2), ("दिन में तीन बार", "TDS", 3), ("सुबह-शाम", "BD", 2),
    ("रात को सोते समय", "HS", 1),
    ("ਦਿਨ ਵਿੱਚ ਇੱਕ ਵਾਰ", "OD", 1), ("ਦਿਨ ਵਿੱਚ ਦੋ ਵਾਰ", "BD", 2), ("ਦਿਨ ਵਿੱਚ ਤਿੰਨ ਵਾਰ", "TDS", 3),
    ("ਰਾਤ ਨੂੰ ਸੌਣ ਵੇਲੇ", "HS", 1),
    ("ਦਿਨ ਵਿੱਚ ਦੇ ਵਾਰ", "BD", 2),  # OCR reads ਦੋ as ਦੇ
    ("1–0–1", "1-0-1", 2), ("1-1-1 x 5 days", "1-1-1", 3), ("subah-shaam", "BD", 2), ("ਸਵੇਰੇ-ਸ਼ਾਮ", "BD", 2),
    ("रात को", "HS", 1), ("ਰਾਤ ਨੂੰ", "HS", 1), ("at night", "HS", 1), ("O.D.", "OD", 1), ("S.O.S.", "SOS", None),
    ("H.S.", "HS", 1), ("T.D.S.", "TDS", 3),
    # 'when needed' in Hindi, nukta combining, precomposed or left out by OCR
    ("\u091c\u093cरूरत प\u0921\u093cने पर", "SOS", None), ("\u095bरूरत प\u095cने पर", "SOS", None),
    ("जरूरत पडने पर", "SOS", None), ("ज़रूरत होने पर", "SOS", None),
    # a time of day alone is one dose at that time
    ("ਸਵੇਰੇ", "1-0-0", 1), ("सुबह", "1-0-0", 1), ("subah khali pet", "1-0-0", 1), ("in the morning", "1-0-0", 1),
    ("शाम को", "0-0-1", 1), ("after lunch", "0-1-0", 1),
    ("दिन में 2 बार", "BD", 2), ("ਦਿਨ ਵਿੱਚ 3 ਵਾਰ", "TDS", 3), ("din me 1 baar", "OD", 1),
    # dotted patterns and "hrly" (issue #17, item 4)
    ("1.0.1", "1-0-1", 2), ("1 . 1 . 1", "1-1-1", 3), ("1·0·1", "1-0-1", 2), ("0.0.1", "0-0-1", 1),
    ("6 hrly", "QID", 4), ("8-hrly", "TDS", 3), ("12 hrly", "BD", 2), ("every 8 hrs", "TDS", 3),
])
def test_frequency(text, canonical, times):
    freq = parse_frequency(f"Tab X 500 mg {text} x 5 days")
    assert freq is not None and (freq.canonical, freq.times_per_day) == (canonical, times)


@pytest.mark.parametrize("text", ["Tab Dolo 650 mg", "Date: 12/03/2025", "Ph: 9876543210", "Reg. No. 1-2",
                                  "Cap Uprise D3 60K once a week x 8 weeks", "Tab X weekly", "हफ्ते में एक बार"])
def test_no_frequency_where_there_is_none(text):
    assert parse_frequency(text) is None


@pytest.mark.parametrize(("text", "days"), [
    ("5 days", 5), ("x 5 days", 5), ("x 5 d", 5), ("x 5d", 5), ("for 7 days", 7), ("(10 days)", 10), ("5 din", 5),
    ("5 दिन", 5), ("5 ਦਿਨ", 5), ("1 week", 7), ("2 weeks", 14), ("1 month", 30), ("5/7", 5), ("2/52", 14),
    ("× 3 days", 3), ("x 1 month", 30), ("x 3 months", 90), ("x 8 weeks", 56), ("14 din", 14),
])
def test_duration(text, days):
    assert parse_duration(f"Tab X 1-0-1 {text}") == days


def test_no_duration_in_strengths():
    assert parse_duration("Tab Dolo 650 mg 1-0-1") is None
    assert parse_duration("Syp 5 ml TDS") is None


@pytest.mark.parametrize(("text", "canonical"), [
    ("after food", "after food"), ("after meals", "after food"), ("khane ke baad", "after food"),
    ("खाने के बाद", "after food"), ("ਖਾਣੇ ਤੋਂ ਬਾਅਦ", "after food"), ("before food", "before food"),
    ("khane se pehle", "before food"), ("खाने से पहले", "before food"), ("ਖਾਣੇ ਤੋਂ ਪਹਿਲਾਂ", "before food"),
    ("empty stomach", "empty stomach"), ("खाली पेट", "empty stomach"), ("ਖਾਲੀ ਪੇਟ", "empty stomach"),
    ("with food", "with food"),
])
def test_instructions(text, canonical):
    assert parse_instructions(text) == canonical


@pytest.mark.parametrize(("text", "canonical"), [
    ("subah aur shaam", "BD"), ("morning and evening", "BD"), ("morning & night", "BD"), ("ਸਵੇਰੇ ਤੇ ਸ਼ਾਮ", "BD"),
    ("सुबह और शाम", "BD"), ("1 subah 1 shaam", "BD"), ("subah dopahar shaam", "TDS"), ("सुबह दोपहर शाम", "TDS"),
    ("ਸਵੇਰੇ ਦੁਪਹਿਰ ਸ਼ਾਮ", "TDS"), ("morning afternoon night", "TDS"),
])
def test_times_of_day_named_together_count_the_doses(text, canonical):
    assert parse_frequency(text).canonical == canonical


def test_one_time_of_day_or_an_either_or_is_not_a_count():
    assert parse_frequency("morning or evening") is None
    assert parse_frequency("Shampoo at night").canonical == "HS"


@pytest.mark.parametrize("text", ["Tab X 0.5-1-0", "Date 10.1.2024", "Ver 2.1.0.1", "Tab X 1.0 mg"])
def test_dotted_numbers_are_no_dose_pattern(text):
    """A dot separates dose slots only when every separator is one and the run is no longer dotted number."""
    freq = parse_frequency(text)
    assert freq is None or freq.canonical not in {"1-0-1", "0-1-0", "1-0-0", "0-0-1"}
