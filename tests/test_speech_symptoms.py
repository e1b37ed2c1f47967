"""Symptoms read back from a refused voice transcript (engine.speech.symptoms, channels.closed_questions):
what the lexicon finds in Whisper's text, named in the caller's language, or nothing."""

from __future__ import annotations

import pytest

from channels import closed_questions
from engine.speech import symptoms
from engine.speech.stt import Transcript

ROUTE = symptoms.ROUTES["pa"]
#: The shipped route without the scores against the clip: what the transcript alone gives.
TEXT_ONLY = symptoms.Route(ROUTE.floor, ROUTE.most, ROUTE.similar)
#: A Punjabi note decoded as Hindi and mapped to Gurmukhi: Hindi grammar, Punjabi symptom words.
MAPPED = "ਮੁਝੇ ਦੋ ਦਿਨ ਸੇ ਖੰਘ ਔਰ ਢਿੱਡ ਦਰਦ ਹੈ"
SURE = (ROUTE.floor or -2.0) + 0.1


def _heard(text: str, logprob: float, language: str = "pa", route: symptoms.Route = TEXT_ONLY) -> list[str]:
    return symptoms.decide(symptoms.candidates(text, logprob, language, route), {}, route)


def _transcript(text: str, logprob: float, language: str = "pa") -> Transcript:
    return Transcript(text=text, language=language, duration=2.0, backend="stub", logprob=logprob)


def test_the_symptoms_of_a_mapped_punjabi_transcript_are_named_in_punjabi():
    codes = _heard(MAPPED, SURE)
    assert codes[:2] == ["cough", "abdominal_pain"]  # the exact forms first, in the order said
    assert symptoms.names(codes[:2], "pa") == "ਖੰਘ, ਢਿੱਡ ਦਰਦ"
    assert symptoms.names(codes[:2], "en") == "cough, stomach pain"


def test_a_devanagari_form_is_found_too_and_a_denied_symptom_is_not():
    assert _heard("मुझे बुखार है", SURE, route=symptoms.Route(None, 2)) == ["fever"]
    assert _heard("ਬੁਖਾਰ ਨਹੀਂ ਹੈ", SURE, route=symptoms.Route(None, 2)) == []


def test_a_misspelt_symptom_is_a_candidate_only_when_similar_words_are_allowed():
    """Whisper wrote "ਜਕ੍ਕਰ" for "ਚੱਕਰ" (bench/speech.py's set, 8 kHz): a letter off the lexicon's form."""
    assert _heard("ਜਕ੍ਕਰ ਆਰ ਪੇ ਬਨ.", SURE, route=symptoms.Route(None, 2)) == []
    assert _heard("ਜਕ੍ਕਰ ਆਰ ਪੇ ਬਨ.", SURE, route=symptoms.Route(None, 2, 0.7)) == ["dizziness"]


@pytest.mark.skipif(ROUTE.floor is None, reason="the shipped route has no floor")
def test_below_the_routes_floor_nothing_is_read_back():
    assert _heard(MAPPED, ROUTE.floor - 0.1) == []


def test_more_symptoms_than_a_note_names_is_a_loop_and_nothing_is_read_back():
    many = "ਬੁਖਾਰ, ਖੰਘ, ਸਿਰ ਦਰਦ, ਉਲਟੀ, ਦਸਤ, ਚੱਕਰ"
    assert len(_heard(many, SURE, route=symptoms.Route(None, 9))) == 6
    assert _heard(many, SURE) == [] and ROUTE.most < 6


def test_a_language_without_a_route_and_an_empty_transcript_read_back_nothing():
    assert "en" not in symptoms.ROUTES and symptoms.candidates("I have fever", 0.0, "en") == []
    assert symptoms.candidates("", 0.0, "pa") == []


@pytest.fixture(scope="module")
def model():
    from config.settings import load
    from engine.speech.models import install_whisper_base

    install_whisper_base(load().effective_whisper_model_dir)


def _clip(said: str) -> bytes:
    from engine.speech import stt, synthesize

    return stt.convert(synthesize(said, "pa", "ogg", engines=("espeak",)).data, "wav16k")


@pytest.mark.timeout(300)
def test_a_symptom_the_clip_bears_out_is_read_back_and_sent_as_its_name(model):
    """An open question (no closed kind): a refused transcript naming headache, of an espeak-ng
    "ਸਿਰ ਵਿੱਚ ਦਰਦ ਹੈ": Whisper's scores find the words in the clip, the caller hears "ਸਿਰ ਦਰਦ" and
    the bot gets it once confirmed."""
    transcript = Transcript("ਸਿਰ ਦਰਦ ਹੈ", "pa", 2.0, "faster-whisper", logprob=-0.8, wav16k=_clip("ਸਿਰ ਵਿੱਚ ਦਰਦ ਹੈ"))
    assert closed_questions.hear(b"", "pa", None, transcript, usable="") == closed_questions.Answer("ਸਿਰ ਦਰਦ", "ਸਿਰ ਦਰਦ")


@pytest.mark.timeout(300)
def test_a_symptom_word_the_clip_does_not_bear_out_is_not_read_back(model):
    """The same transcript over "ਕੱਲ੍ਹ ਤੋਂ" (since yesterday), as when Whisper pastes its prompt's
    symptom words into unclear audio: the words score far below the route's evidence, so the
    caller is asked again instead of confirming a symptom never said."""
    wav = _clip("ਕੱਲ੍ਹ ਤੋਂ")
    assert symptoms.evidence(["headache"], wav, "pa")["headache"] < ROUTE.evidence - 2
    transcript = Transcript("ਸਿਰ ਦਰਦ ਹੈ", "pa", 2.0, "faster-whisper", logprob=-0.8, wav16k=wav)
    assert closed_questions.hear(b"", "pa", None, transcript, usable="") is None


def test_usable_text_a_number_question_and_nothing_found_give_no_symptom_read_back():
    transcript = _transcript(MAPPED, SURE)
    assert closed_questions.hear(b"", "pa", None, transcript, usable=MAPPED) is None  # the transcript is read back
    assert closed_questions.hear(b"", "pa", "number", transcript, usable="") is None  # a symptom answers no number
    assert closed_questions.hear(b"", "pa", None, _transcript("ਮੁਝੇ ਦੋ ਦਿਨ ਸੇ", SURE), usable="") is None
    assert closed_questions.hear(b"", "en", None, _transcript("I have a cough", SURE, "en"), usable="") is None


@pytest.mark.timeout(300)
def test_a_word_scored_after_a_prefix_is_the_joint_score_less_the_prefixs(model):
    """``score_after`` counts the text's tokens only: with no prefix it is ``score`` without the end
    token, and prefix and text together add up to the whole sentence's score."""
    from engine.speech import stt

    engine = stt.backend()
    wav = _clip("ਬੱਚੇ ਨੂੰ ਤੇਜ਼ ਬੁਖਾਰ ਹੈ")
    ((alone, nothing),) = engine.score_after(wav, "hi", [("", "बुखार")])
    assert nothing == 0.0 and alone == pytest.approx(engine.score(wav, "hi", ["बुखार"], ending=False)[0][0], abs=1e-3)
    ((after, before),) = engine.score_after(wav, "hi", [("बच्चे नूं तेज़", "बुखार")])
    whole = engine.score(wav, "hi", ["बच्चे नूं तेज़ बुखार"], ending=False)[0][0]
    assert after + before == pytest.approx(whole, abs=1e-3)


@pytest.mark.timeout(300)
def test_a_symptom_said_mid_sentence_has_its_evidence_after_the_words_before_it(model):
    """Fever in an espeak-ng "ਬੱਚੇ ਨੂੰ ਤੇਜ਼ ਬੁਖਾਰ ਹੈ" (child has high fever): scored as the start of what
    was said it has none (the clip starts with "ਬੱਚੇ"), scored after the transcript's words before it,
    it has."""
    from engine.speech import stt

    wav = _clip("ਬੱਚੇ ਨੂੰ ਤੇਜ਼ ਬੁਖਾਰ ਹੈ")
    start = symptoms.evidence(["fever"], wav, "pa")["fever"]
    after = symptoms.evidence_after(["fever"], wav, "pa", stt.backend(), "ਬੱਚੇ ਨੂੰ ਤੇਜ਼ ਬੁਖਾਰ ਹੈ")["fever"]
    assert after > start + 2
    assert symptoms.evidence(["fever"], wav, "pa", text="ਬੱਚੇ ਨੂੰ ਤੇਜ਼ ਬੁਖਾਰ ਹੈ", where="best")["fever"] == max(start, after)
