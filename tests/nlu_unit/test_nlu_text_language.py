"""Normalisation, tokenisation, script and language detection."""

from __future__ import annotations

from nlu.language import LOW_CONFIDENCE, detect_language
from nlu.text import detect_script, match_key, normalize, tokenize
from tests.support.phrases import phrases


def test_vowel_signs_stay_inside_words():
    assert [t.text for t in tokenize("मुझे बुख़ार है। ਮੈਨੂੰ ਸਿਰ ਦਰਦ")] == ["मुझे", "बुख़ार", "है", "ਮੈਨੂੰ", "ਸਿਰ", "ਦਰਦ"]


def test_digits_split_from_letters_and_offsets_are_exact():
    text = "3din se बुखार"
    tokens = tokenize(text)
    assert [t.text for t in tokens] == ["3", "din", "se", "बुखार"]
    assert all(text[t.start : t.end] == t.text for t in tokens)


@phrases("a", "b")
def test_match_key_folds_spelling_variants(a, b):
    assert match_key(a) == match_key(b)


def test_normalize_removes_zero_width_and_lowercases():
    assert normalize("Bu\u200dKhar\u200c") == "bukhar"


@phrases("text", "script")
def test_detect_script_by_majority(text, script):
    assert detect_script(text) == script


@phrases("text", "language")
def test_detect_language(text, language):
    guess = detect_language(text)
    assert guess.language == language
    assert guess.confidence >= LOW_CONFIDENCE


@phrases("text")
def test_short_or_unknown_text_has_low_confidence(text):
    assert detect_language(text).confidence < LOW_CONFIDENCE


def test_language_guess_carries_script():
    guess = detect_language("ਮੈਨੂੰ ਸਿਰ ਦਰਦ")
    assert (guess.language, guess.script) == ("pa", "Guru")
