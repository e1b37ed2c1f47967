"""Every user-facing sentence exists in Hindi, Punjabi and English, with the same fields."""

from __future__ import annotations

import re
import string

import pytest

from engine.i18n import LANGUAGES, catalogue, t


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def entries():
    for key, entry in catalogue().items():
        yield key, entry
        for variant, block in entry.items():
            if isinstance(block, dict):
                yield f"{key}.{variant}", block


@pytest.mark.parametrize(("key", "entry"), list(entries()))
def test_every_message_in_three_languages_with_same_fields(key, entry):
    missing = [lang for lang in LANGUAGES if not isinstance(entry.get(lang), str) or not entry[lang].strip()]
    assert not missing, f"{key} lacks {missing}"
    assert fields(entry["hi"]) == fields(entry["pa"]) == fields(entry["en"]), key


def words(template: str) -> str:
    """The template's own letters: fields like {name} and punctuation removed."""
    return "".join(ch for ch in re.sub(r"\{[^}]*\}", "", template) if ch.isalpha())


def test_scripts_match_languages():
    """Hindi text is in Devanagari and Punjabi in Gurmukhi (Latin brand names aside)."""
    for key, entry in entries():
        hi, pa = words(entry["hi"]), words(entry["pa"])
        if len(hi) > 20 and not any("\u0900" <= ch <= "\u097f" for ch in hi):
            pytest.fail(f"{key}: Hindi text has no Devanagari")
        if len(pa) > 20 and not any("\u0a00" <= ch <= "\u0a7f" for ch in pa):
            pytest.fail(f"{key}: Punjabi text has no Gurmukhi")


def test_render_falls_back_to_english_for_unknown_language():
    assert t("core_thank", "fr") == t("core_thank", "en")


def test_sms_variant_is_used_when_present():
    assert t("core_greet", "hi", variant="sms") != t("core_greet", "hi")
    assert t("core_thank", "hi", variant="sms") == t("core_thank", "hi")
