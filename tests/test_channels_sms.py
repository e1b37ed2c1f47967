"""SMS arithmetic and the promise that every catalogue sentence fits in at most 2 segments."""

from __future__ import annotations

import string

import pytest

from channels.rasa import BotMessage
from channels.types.sms.render import (
    MAX_SEGMENTS,
    fit,
    is_gsm7,
    render_sms,
    segments,
    short_form,
    sms_friendly,
)
from engine.i18n import LANGUAGES, catalogue, t

#: Realistic values for the fields of catalogue sentences (long-ish on purpose).
FIELD_VALUES = {
    "en": {"symptoms": "fever, headache, body ache", "symptom": "chills or shivering", "label": "checking your symptoms",
           "specialist": "a general physician (family doctor)", "name": "Dengue fever",
           "why": "fever with body ache and rash", "advice": "Drink plenty of fluids, rest, take paracetamol.",
           "signs": "bleeding gums, fainting, severe stomach pain", "text": "I have fever and headache since two days",
           "days": "90", "limit": "5", "number": "108", "menu": "1 fever\n2 cough\n3 headache"},
    "hi": {"symptoms": "बुखार, सिर दर्द, बदन दर्द", "symptom": "ठंड लगकर कंपकंपी", "label": "आपके लक्षणों की जाँच",
           "specialist": "सामान्य चिकित्सक (फ़ैमिली डॉक्टर)", "name": "डेंगू बुखार", "why": "बुखार और बदन दर्द",
           "advice": "खूब पानी पिएँ, आराम करें।", "signs": "मसूड़ों से ख़ून, बेहोशी", "text": "मुझे दो दिन से बुखार है",
           "days": "90", "limit": "5", "number": "108", "menu": "1 बुखार\n2 खांसी\n3 सिर दर्द"},
    "pa": {"symptoms": "ਬੁਖਾਰ, ਸਿਰ ਦਰਦ, ਸਰੀਰ ਦਰਦ", "symptom": "ਠੰਢ ਲੱਗ ਕੇ ਕਾਂਬਾ", "label": "ਤੁਹਾਡੇ ਲੱਛਣਾਂ ਦੀ ਜਾਂਚ",
           "specialist": "ਆਮ ਡਾਕਟਰ (ਫ਼ੈਮਿਲੀ ਡਾਕਟਰ)", "name": "ਡੇਂਗੂ ਬੁਖਾਰ", "why": "ਬੁਖਾਰ ਅਤੇ ਸਰੀਰ ਦਰਦ",
           "advice": "ਖੂਬ ਪਾਣੀ ਪੀਓ, ਆਰਾਮ ਕਰੋ।", "signs": "ਮਸੂੜਿਆਂ ਤੋਂ ਖ਼ੂਨ, ਬੇਹੋਸ਼ੀ", "text": "ਮੈਨੂੰ ਦੋ ਦਿਨਾਂ ਤੋਂ ਬੁਖਾਰ ਹੈ",
           "days": "90", "limit": "5", "number": "108", "menu": "1 ਬੁਖਾਰ\n2 ਖੰਘ\n3 ਸਿਰ ਦਰਦ"},
}
#: Names (medicines, key providers) are written the same way in every language.
NAMES = {"a": "Atorvastatin", "b": "Clarithromycin", "medicine": "Montelukast", "provider": "aws-kms",
         "doctor": "Dr. Harpreet Kaur", "drug": "Paracetamol"}
for _values in FIELD_VALUES.values():
    for _name, _value in NAMES.items():
        _values.setdefault(_name, _value)
#: Sentences with a free-text field whose SMS form is still checked, with a shorter realistic value.
DEFAULT_FIELD = {"en": "value", "hi": "मान", "pa": "ਮੁੱਲ"}


def _fields(key: str, language: str) -> dict[str, str]:
    names = {f[1] for f in string.Formatter().parse(catalogue()[key]["en"]) if f[1]}
    return {n: FIELD_VALUES[language].get(n, DEFAULT_FIELD[language]) for n in names}


CASES = [(key, language) for key in sorted(catalogue()) for language in LANGUAGES]


@pytest.mark.parametrize(("key", "language"), CASES, ids=[f"{k}-{lang}" for k, lang in CASES])
def test_every_catalogue_sentence_fits_two_sms_segments(key, language):
    fields = _fields(key, language)
    message = BotMessage(text=t(key, language, **fields), key=key, language=language, fields=fields)
    text = short_form(message)
    assert text, key
    assert segments(text) <= MAX_SEGMENTS, f"{key}/{language}: {segments(text)} segments, {len(text)} chars: {text}"
    # and the renderer sends it unchanged (no truncation needed)
    assert render_sms([message]) == text


def test_segment_arithmetic():
    assert segments("") == 0
    assert segments("a" * 160) == 1 and segments("a" * 161) == 2 and segments("a" * 306) == 2
    assert segments("a" * 307) == 3
    assert segments("[" * 80) == 1 and segments("[" * 81) == 2  # extension characters cost two septets
    assert segments("क" * 70) == 1 and segments("क" * 71) == 2 and segments("क" * 134) == 2
    assert segments("क" * 135) == 3
    assert segments("a" * 150 + "क") == 3  # one Devanagari letter turns the whole text into UCS-2
    assert segments("😀" * 35) == 1 and segments("😀" * 36) == 2  # surrogate pairs cost two units
    assert is_gsm7("Hello @ £ 108") and not is_gsm7("नमस्ते") and not is_gsm7("1 Yes · 2 No")


def test_sms_friendly_keeps_english_in_gsm7():
    text = sms_friendly("⚠️ Urgency: EMERGENCY. Who is unwell? 1 Me · 2 A child “quoted” …")
    assert is_gsm7(text) and "1 Me - 2 A child" in text and '"quoted"' in text


def test_fit_cuts_at_a_sentence_end():
    text = " ".join(["यह एक वाक्य है।"] * 20)
    cut = fit(text)
    assert segments(cut) <= 2 and cut.endswith("।") and len(cut) < len(text)


def test_emergency_survives_condensing():
    messages = [BotMessage(t(k, "pa"), k, "pa") for k in
                ("core_emergency", "core_emergency_tip_suicide", "core_emergency_tip_chest_pain", "core_emergency_after")]
    reply = render_sms(messages)
    assert segments(reply) <= 2 and reply.startswith(t("core_emergency", "pa", variant="sms"))
