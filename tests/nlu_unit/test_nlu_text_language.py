"""Normalisation, tokenisation, script and language detection."""

from __future__ import annotations

import pytest

from nlu.language import LOW_CONFIDENCE, detect_language
from nlu.text import detect_script, match_key, normalize, tokenize


def test_vowel_signs_stay_inside_words():
    assert [t.text for t in tokenize("मुझे बुख़ार है। ਮੈਨੂੰ ਸਿਰ ਦਰਦ")] == ["मुझे", "बुख़ार", "है", "ਮੈਨੂੰ", "ਸਿਰ", "ਦਰਦ"]


def test_digits_split_from_letters_and_offsets_are_exact():
    text = "3din se बुखार"
    tokens = tokenize(text)
    assert [t.text for t in tokens] == ["3", "din", "se", "बुखार"]
    assert all(text[t.start : t.end] == t.text for t in tokens)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("बुख़ार", "बुखार"),  # precomposed/decomposed nukta
        ("बुख\u093cार", "बुखार"),
        ("ਸ਼ਾਮ", "ਸਾਮ"),
        ("bahuttt", "bahut"),
        ("bukhaaar", "bukhar"),
        ("BUKHAR", "bukhar"),
        ("ਬੱਚਾ", "ਬਚਾ"),  # addak often omitted
        ("हँसी", "हंसी"),  # candrabindu/anusvara
    ],
)
def test_match_key_folds_spelling_variants(a, b):
    assert match_key(a) == match_key(b)


def test_normalize_removes_zero_width_and_lowercases():
    assert normalize("Bu\u200dKhar\u200c") == "bukhar"


@pytest.mark.parametrize(
    ("text", "script"),
    [("मुझे बुखार है", "Deva"), ("ਮੈਨੂੰ ਤਾਪ ਹੈ", "Guru"), ("mujhe bukhar", "Latn"), ("मुझे fever है", "Deva"), ("123", "Latn"), ("", "Latn")],
)
def test_detect_script_by_majority(text, script):
    assert detect_script(text) == script


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("मुझे बुखार है", "hi"),
        ("ਮੈਨੂੰ ਬੁਖਾਰ ਹੈ", "pa"),
        ("mujhe bukhar hai", "hi"),
        ("mere bete ko 3 din se bukhar hai", "hi"),
        ("kya haal hai", "hi"),
        ("mainu taap chadya ae", "pa"),
        ("mere munde nu 3 dina ton bukhar ae", "pa"),
        ("sanu dasso ki karna chahida", "pa"),
        ("tuhanu ki hoya", "pa"),
        ("pet vich dard hunda", "pa"),
        ("mainu bukhar hai ji", "pa"),
        ("I have fever since 2 days", "en"),
        ("my head hurts a lot", "en"),
        ("please help me", "en"),
    ],
)
def test_detect_language(text, language):
    guess = detect_language(text)
    assert guess.language == language
    assert guess.confidence >= LOW_CONFIDENCE


@pytest.mark.parametrize("text", ["ok", "1", "", "asdf qwerty", "bukhar", "hmm"])
def test_short_or_unknown_text_has_low_confidence(text):
    assert detect_language(text).confidence < LOW_CONFIDENCE


def test_language_guess_carries_script():
    guess = detect_language("ਮੈਨੂੰ ਸਿਰ ਦਰਦ")
    assert (guess.language, guess.script) == ("pa", "Guru")
