"""ASHA command parsing: keywords and short forms in three scripts, any order, precise corrections."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.asha.parse import Command, ParseError, parse_line, parse_message, split_ref, starts_with_command


@pytest.mark.parametrize("line", [
    "REG Sita Devi 25 F Dhuri",
    "reg  sita devi   f 25 dhuri",
    "R Sita Devi, 25y, female, Dhuri",
    "register Sita Devi 25 saal F Dhuri",
    "पंजीकरण Sita Devi 25 म Dhuri",
    "ਰਜਿਸਟਰ Sita Devi 25 ਮ Dhuri",
])
def test_registration_any_order_and_script(line):
    cmd = parse_line(line)
    assert isinstance(cmd, Command) and cmd.name == "reg"
    assert cmd.name_text.casefold() == "sita devi" and cmd.village.casefold() == "dhuri"
    assert cmd.age_years == 25 and cmd.sex == "f"


def test_registration_in_devanagari_and_gurmukhi_with_native_digits():
    hi = parse_line("पंजीकरण सीता देवी २५ साल महिला धूरी")
    assert isinstance(hi, Command) and hi.language == "hi"
    assert (hi.name_text, hi.age_years, hi.sex, hi.village) == ("सीता देवी", 25, "f", "धूरी")
    pa = parse_line("ਰਜਿਸਟਰ ਗੁਰਪ੍ਰੀਤ ਸਿੰਘ ੪੦ ਪੁਰਸ਼ ਧੂਰੀ 9812345678")
    assert isinstance(pa, Command) and pa.language == "pa"
    assert (pa.name_text, pa.age_years, pa.sex, pa.village, pa.phone) == ("ਗੁਰਪ੍ਰੀਤ ਸਿੰਘ", 40, "m", "ਧੂਰੀ",
                                                                           "+919812345678")


def test_child_age_in_months():
    cmd = parse_line("REG Baby Kaur 8 months F Dhuri")
    assert isinstance(cmd, Command) and cmd.age_months == 8 and cmd.age_years is None


@pytest.mark.parametrize(("line", "missing"), [
    ("REG Sita Devi F Dhuri", "age"),
    ("REG Sita 25 F", "village"),
    ("REG Sita Devi 25 Dhuri", "sex"),
    ("REG 25 F", "name"),
    ("पंजीकरण सीता २५ धूरी", "sex"),
    ("VISIT bukhar khansi", "code"),
    ("VISIT KD472", "symptoms"),
    ("ਦੌਰਾ KD472", "symptoms"),
    ("REFER", "code"),
    ("DONE", "code"),
    ("PREG KD472", "date"),
    ("गर्भ KD472 कल", "date"),
    ("CHILD KD472 31/02/26", "date"),
    ("VERIFY", "number"),
])
def test_missing_fields_are_named(line, missing):
    error = parse_line(line)
    assert isinstance(error, ParseError) and error.missing == missing


def test_not_a_command():
    error = parse_line("hello how are you")
    assert isinstance(error, ParseError) and error.command is None
    assert not starts_with_command("mujhe bukhar hai")
    assert starts_with_command("VISIT KD472 bukhar") and starts_with_command("#1 सूची")


@pytest.mark.parametrize(("line", "name"), [
    ("VISIT kd472 tez bukhar 3 din", "visit"), ("v KD472 fever", "visit"), ("दौरा KD472 बुखार", "visit"),
    ("ਦੌਰਾ KD472 ਬੁਖਾਰ", "visit"), ("REFER KD472", "refer"), ("रेफर KD472", "refer"), ("ਰੈਫਰ KD472", "refer"),
    ("LIST", "list"), ("सूची", "list"), ("ਸੂਚੀ", "list"), ("DONE KD472", "done"), ("पूरा KD472", "done"),
    ("ਪੂਰਾ KD472", "done"), ("HELP", "help"), ("मदद", "help"), ("ਮਦਦ", "help"),
])
def test_commands_in_three_languages(line, name):
    cmd = parse_line(line)
    assert isinstance(cmd, Command) and cmd.name == name
    if name in ("visit", "refer", "done"):
        assert cmd.code == "KD472"


def test_visit_keeps_symptom_words():
    cmd = parse_line("VISIT   tez bukhar KD472 aur khansi")
    assert isinstance(cmd, Command) and cmd.text == "tez bukhar aur khansi"


def test_pregnancy_and_child_dates():
    preg = parse_line("PREG KD472 EDD 15/03/2027")
    assert isinstance(preg, Command) and preg.date == dt.date(2027, 3, 15) and not preg.date_is_lmp
    lmp = parse_line("ਗਰਭ KD472 ਮਾਹਵਾਰੀ ੦੧-੦੬-੨੬")
    assert isinstance(lmp, Command) and lmp.date == dt.date(2026, 6, 1) and lmp.date_is_lmp
    child = parse_line("टीका 2026-10-01 KD472")
    assert isinstance(child, Command) and child.name == "child" and child.date == dt.date(2026, 10, 1)


def test_client_references_and_batches():
    assert split_ref("#12 REG a") == ("12", "REG a")
    assert split_ref("[a7] LIST") == ("a7", "LIST")
    assert split_ref("3) LIST") == ("3", "LIST")
    assert split_ref("REG: x") == (None, "REG: x")
    parsed = parse_message("#1 REG Sita 25 F Dhuri\n\n#2 VISIT KD472 bukhar\n#3 LIST\n")
    assert [p.ref for p in parsed] == ["1", "2", "3"]
