"""Issue #14 finding 9: property-based fuzzing of every parser that reads what a stranger typed.

Webhook forms, ASHA and pharmacist SMS commands, dose-time, frequency and duration parsers, the
prescription and lab parsers, numbers in three scripts, language detection, the symptom and
danger-sign extractors. The property is the least a parser owes the internet: it returns a value
of its declared kind, or refuses in the way its callers handle, and never raises anything else.

Inputs are grammar-aware: words from our own lexicons and command lists (so inputs reach deep
branches), numbers in Latin, Devanagari and Gurmukhi digits including the absurd (``1e999``, 5000
digits, ``nan``), mixed with arbitrary Unicode. Each Hypothesis example is a batch of inputs, so
every parser sees at least ``INPUTS_PER_PARSER`` (10,000) generated inputs in about a few
seconds each; ``test_every_parser_saw_its_inputs`` checks the count. Profiles:
``SAATHI_FUZZ_PROFILE=ci`` (default: derandomised, the same inputs every run, stable for
everyone) or ``deep`` (random, ten times the inputs, for a security review).
"""

from __future__ import annotations

import collections
import datetime as dt
import functools
import os
from collections.abc import Callable, Iterable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

INPUTS_PER_PARSER = 10_000
BATCH = 25
settings.register_profile("ci", max_examples=INPUTS_PER_PARSER // BATCH, deadline=None, derandomize=True,
                          database=None, suppress_health_check=list(HealthCheck), print_blob=True)
settings.register_profile("deep", max_examples=10 * INPUTS_PER_PARSER // BATCH, deadline=None, database=None,
                          suppress_health_check=list(HealthCheck), print_blob=True)
PROFILE = settings.get_profile(os.environ.get("SAATHI_FUZZ_PROFILE", "ci"))
SEEN: collections.Counter[str] = collections.Counter()

DIGITS = "0123456789" + "".join(chr(0x0966 + i) for i in range(10)) + "".join(chr(0x0A66 + i) for i in range(10))
ODD_NUMBERS = ["1e999", "-1e999", "inf", "nan", "-0", "0x1F", "1_000", "٣", "²", "½", "१२.५", "੧੨੦/੮੦", "9" * 5000,
               "0" * 40 + "7", "12:75", "25:00", "99/99/9999", "31-02-2024", "1.2.3", "..", "１２"]


@functools.cache
def vocabulary() -> list[str]:
    """Words our parsers look for: lexicon forms, ASHA and pharmacy command words, units."""
    import yaml

    from engine.pharmacy.sms import COMMAND_WORDS
    from nlu.resources import DATA_DIR, LEXICON_DIR, word_list

    words: set[str] = set(COMMAND_WORDS)
    for path in LEXICON_DIR.glob("*.tsv"):
        for forms in word_list(path.stem).values():
            words.update(forms)
    for forms in (yaml.safe_load((DATA_DIR / "asha" / "keywords.yml").read_text(encoding="utf-8")) or {}).values():
        words.update(str(form) for form in forms)
    words.update(["paracetamol", "Dolo", "crocin", "metformin", "amoxicillin", "ORS", "cetirizine", "azithromycin",
                  "mg", "mcg", "ml", "g/dL", "mmHg", "bpm", "BP", "HB", "SPO2", "TEMP", "Tab", "Cap", "Syp", "x",
                  "1-0-1", "0-0-1", "BD", "TDS", "OD", "SOS", "HS", "AM", "PM", "baje", "बजे", "ਵਜੇ", "#1", "[2]",
                  "3)", "+919876543210", "AB123", "din", "दिन", "ਦਿਨ", "hafte", "हफ्ते", "ਹਫ਼ਤੇ", "saal", "mahine"])
    return sorted(words)


def numbers() -> st.SearchStrategy[str]:
    return st.one_of(
        st.integers(min_value=-(10**6), max_value=10**24).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.text(alphabet=DIGITS + ".,:/-", min_size=1, max_size=10),
        st.sampled_from(ODD_NUMBERS),
    )


def words() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(vocabulary()), numbers(), st.text(max_size=6))


def commands() -> st.SearchStrategy[str]:
    """A command word, then a few words and numbers: the shape of ASHA and pharmacist SMS."""
    heads = st.sampled_from(["STOCK", "stock", "VISIT", "REG", "PREG", "CHILD", "DONE", "REFER", "READY", "CANCEL",
                             "स्टॉक", "ਸਟਾਕ", "विजिट", "ਦੌਰਾ"])
    return st.tuples(heads, st.lists(st.one_of(numbers(), st.sampled_from(vocabulary())), max_size=6)).map(
        lambda parts: " ".join([parts[0], *parts[1]]))


def phrases() -> st.SearchStrategy[str]:
    """One message: lexicon words and numbers with separators, a command, or arbitrary Unicode."""
    glued = st.tuples(st.lists(words(), max_size=10), st.sampled_from([" ", "  ", ", ", "\n", "-", "/", ".", ""]))
    return st.one_of(glued.map(lambda parts: parts[1].join(parts[0])), commands(), st.text(max_size=40),
                     st.sampled_from(ODD_NUMBERS))


def batches() -> st.SearchStrategy[list[str]]:
    return st.lists(phrases(), min_size=BATCH, max_size=BATCH)


#: parser name -> (group, check). A group's parsers share one Hypothesis test, so the inputs are
#: generated once for all of them (generation costs more than most of these parsers).
PARSERS: dict[str, tuple[str, Callable[[str], None]]] = {}


def parser(name: str, group: str) -> Callable[[Callable[[str], None]], Callable[[str], None]]:
    def register(check: Callable[[str], None]) -> Callable[[str], None]:
        PARSERS[name] = (group, check)
        return check

    return register


def fuzz_group(group: str) -> Any:
    """The Hypothesis test of ``group``: every parser of the group on every generated input."""

    @settings(PROFILE)
    @given(batches())
    def test(values: list[str]) -> None:
        checks = [(name, check) for name, (g, check) in PARSERS.items() if g == group]
        assert checks, group
        for value in values:
            for name, check in checks:
                check(value)
                SEEN[name] += 1

    return test


def _all(kind: type | tuple[type, ...], values: Iterable[Any]) -> bool:
    return all(isinstance(v, kind) for v in values)


# ------------------------------------------------------------------ webhook forms

FORM_FIELDS = ["From", "Body", "NumMedia", "MediaUrl0", "MediaContentType0", "Latitude", "Longitude", "Label",
               "To", "MessageSid", "MediaUrl1", "MediaContentType1", "Address", "SmsMessageSid"]
SENDERS = ("whatsapp:+919812345678", "+919812345679", "", " ")


def form_of(text: str) -> dict[str, str]:
    """A webhook form made from one generated message: its words fill the fields in turn (so
    NumMedia, coordinates and media URLs get numbers, words and garbage alike)."""
    parts = text.split()
    form = {field: parts[i] if i < len(parts) else text for i, field in enumerate(FORM_FIELDS)}
    form["From"] = SENDERS[len(text) % len(SENDERS)] or form["From"]
    return form


@parser("webhook_form", "channels")
def check_webhook_form(text: str) -> None:
    """Twilio's messaging form: an InboundMessage or None, with in-range coordinates only."""
    from channels.inbound import InboundMessage, parse_message

    message = parse_message(form_of(text))
    assert message is None or isinstance(message, InboundMessage)
    if message is not None:
        assert len(message.media) <= 10
        if message.location:
            assert -90 <= message.location.latitude <= 90 and -180 <= message.location.longitude <= 180


# ------------------------------------------------------------------ ASHA and pharmacist commands


@parser("asha_command", "channels")
def check_asha_command(text: str) -> None:
    """An ASHA worker's SMS: a list of commands or parse errors (the reply explains errors)."""
    from engine.asha.parse import Command, ParseError, parse_message

    assert _all((Command, ParseError), parse_message(text))


@parser("asha_date", "channels")
def check_asha_date(text: str) -> None:
    """Dates in ASHA commands (each word of the message, and the whole of it)."""
    from engine.asha.parse import parse_date

    for token in [*text.split(), text]:
        found = parse_date(token)
        assert found is None or isinstance(found, dt.date)


@parser("pharmacist_command", "channels")
def check_pharmacist_command(text: str) -> None:
    """A pharmacist's SMS: the command test, and a STOCK line down to the stock row, refused
    only with ValueError (what ``engine.pharmacy.sms._stock`` turns into its help reply)."""
    from engine.pharmacy.inventory import StockRow, row_from_fields
    from engine.pharmacy.sms import looks_like_command, normalise, parse_stock

    assert isinstance(looks_like_command(text), bool)
    words = normalise(text)
    try:
        row = row_from_fields(parse_stock(list(words[1:])))
    except ValueError:
        return
    # what the stock table can hold (Integer columns, strength String(40)): else a database error
    assert isinstance(row, StockRow) and 0 <= row.quantity < 2**31 and 0 <= row.price_paise < 2**31
    assert len(row.strength) <= 40


@parser("symptom_menu_choice", "channels")
def check_symptom_menu_choice(text: str) -> None:
    """A bare-number answer to the SMS/WhatsApp symptom menu."""
    from channels.symptom_menu import choice_text

    for language in ("hi", "pa", "en"):
        answer = choice_text(text, language)
        assert answer is None or isinstance(answer, str)


# ------------------------------------------------------------------ doses, times, durations


@parser("dose_times", "meds")
def check_dose_times(text: str) -> None:
    """Reminder times a patient asks for ("subah 8 baje, raat 9")."""
    from engine.notify.dose_times import parse_dose_times

    found = parse_dose_times(text)
    assert _all(str, found) and _all(dt.time, found.values())


@parser("frequency", "meds")
def check_frequency(text: str) -> None:
    """Dose frequency, course length and instructions of a prescription line."""
    from engine.meds.frequency import Frequency, parse_duration, parse_frequency, parse_instructions

    frequency = parse_frequency(text)
    assert frequency is None or isinstance(frequency, Frequency)
    days = parse_duration(text)
    assert days is None or (isinstance(days, int) and days >= 0)
    instructions = parse_instructions(text)
    assert instructions is None or isinstance(instructions, str)


@parser("duration", "intake")
def check_duration(text: str) -> None:
    """How long the symptoms have lasted, in days."""
    from nlu.slots import parse_duration_days

    days = parse_duration_days(text)
    assert days is None or (isinstance(days, float) and days >= 0)


@parser("intake_answers", "intake")
def check_intake_answers(text: str) -> None:
    """The intake form's other answers: age, sex, yes/no, severity, who is ill, language."""
    from nlu.slots import (
        parse_age,
        parse_language_choice,
        parse_patient,
        parse_severity,
        parse_sex,
        parse_yes_no,
    )

    age = parse_age(text)
    assert age is None or isinstance(age, float)
    assert parse_sex(text) in (None, "m", "f")
    assert parse_yes_no(text) in (None, True, False)
    assert parse_severity(text) in (None, "mild", "moderate", "severe")
    assert parse_patient(text) in (None, "self", "child", "other")
    assert parse_language_choice(text) in (None, "hi", "pa", "en")


# ------------------------------------------------------------------ prescriptions and labs


@parser("prescription", "meds")
def check_prescription(text: str) -> None:
    """Medicines read from a prescription's text (OCR output is as wild as typing)."""
    from engine.meds.parse import Medication, parse_medications

    assert _all(Medication, parse_medications(text))


@parser("lab_report", "meds")
def check_lab_report(text: str) -> None:
    """Lab values with units and reference ranges."""
    from engine.ocr.labs import LabResult, parse_labs

    assert _all(LabResult, parse_labs(text))
    assert _all(LabResult, parse_labs(text, age=4, sex="f"))


# ------------------------------------------------------------------ numbers, language, symptoms


@parser("numbers", "intake")
def check_numbers(text: str) -> None:
    """Numbers as digits in three scripts and as words; menu choices."""
    from nlu.choice import parse_choice
    from nlu.numbers import digit_value, find_numbers
    from nlu.text import tokenize

    tokens = tokenize(text)
    for match in find_numbers(tokens):
        assert isinstance(match.value, float) and 0 <= match.first <= match.last < len(tokens)
    for token in tokens:
        value = digit_value(token.text)
        assert value is None or isinstance(value, float)
    choice = parse_choice(text)
    assert choice is None or 0 <= choice <= 99


@parser("language", "text")
def check_language(text: str) -> None:
    """Which language and script a message is in."""
    from nlu.language import LanguageGuess, detect_language
    from nlu.text import detect_script

    guess = detect_language(text)
    assert isinstance(guess, LanguageGuess) and guess.language in ("hi", "pa", "en")
    assert isinstance(detect_script(text), str)


@parser("symptoms", "text")
def check_symptoms(text: str) -> None:
    """Symptom mentions with their span inside the text."""
    from nlu.symptoms import SymptomMention, extract_symptoms

    assert _all(SymptomMention, extract_symptoms(text))


@parser("danger_signs", "danger")
def check_danger_signs(text: str) -> None:
    """The emergency rules every caller goes through (text, and what is known of the patient)."""
    from nlu.red_flags import RedFlag, detect_red_flags

    assert _all(RedFlag, detect_red_flags(text))
    if len(text) % 4 == 0:  # with what is known of the patient too (a quarter of the inputs: time)
        assert _all(RedFlag, detect_red_flags(text, symptoms=["fever"], age=0.1, sex="f", pregnant=True))


test_fuzz_channel_inputs = fuzz_group("channels")
test_fuzz_medicine_and_lab_text = fuzz_group("meds")
test_fuzz_intake_answers_and_numbers = fuzz_group("intake")
test_fuzz_language_and_symptoms = fuzz_group("text")
test_fuzz_danger_signs = fuzz_group("danger")


def test_every_parser_saw_its_inputs() -> None:
    """Each fuzz test that ran here fed its parser at least INPUTS_PER_PARSER generated inputs."""
    if not SEEN:
        pytest.skip("no fuzz test ran in this session (deselected)")
    ran = {PARSERS[name][0] for name in SEEN}
    short = {name: SEEN[name] for name, (group, _) in PARSERS.items() if group in ran and SEEN[name] < INPUTS_PER_PARSER}
    assert not short, short
    print("\nfuzzed inputs per parser:", dict(sorted(SEEN.items())))
