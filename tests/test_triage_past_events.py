"""Past events do not fire a current emergency through the triage engine (``saathi triage``), and events
told now still do (issue #13 item 4): the engine reads the symptom codes without the red-flag layer's
history rule and hands them in, so the history rule must reach those codes too."""

from __future__ import annotations

import pytest

from engine.triage import Engine


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(use_classifier=False)


PAST = ["I had a heart attack 2 years ago", "pichle saal daura pada tha", "पिछले साल दौरा पड़ा था",
        "ਪਿਛਲੇ ਸਾਲ ਦੌਰਾ ਪਿਆ ਸੀ", "my father had a stroke 3 years ago, now he has knee pain",
        "had a seizure as a child, now sore throat"]
NOW = ["abhi daura pada hai", "pichle saal daura pada tha, aaj phir se daura pada", "उसे अभी दौरा पड़ रहा है",
       "ਹੁਣੇ ਦੌਰਾ ਪੈ ਰਿਹਾ ਹੈ", "chest pain and sweating since this morning, had a heart attack 2 years ago",
       "3 day history of seizures"]


@pytest.mark.parametrize(("text", "now"), [(text, False) for text in PAST] + [(text, True) for text in NOW])
def test_an_event_told_now_is_an_emergency_and_a_past_one_is_not(engine, text, now):
    result = engine.triage(text, age=55, sex="m")
    assert (result.urgency == "emergency") is now, (result.urgency, result.red_flags)
    if not now:
        assert not result.red_flags, result.red_flags


@pytest.mark.parametrize("text", [
    "pichle mahine billi ne chehre pe kaata tha", "bandar ne 2 mahine pehle kaata tha, ab paani se dar lagta hai",
    "snake bite 5 saal pehle hua tha", "pichle saal saanp ne kaata tha", "kal saanp ne kaata tha",
    "pichle hafte sir me chot lagi thi", "pichle hafte sir me chot lagi thi, ab sir dard badh raha hai aur ulti",
    "2 saal pehle jal gaya tha, ab theek hai",
])
def test_the_bot_and_the_engine_agree_on_a_past_cause(engine, text):
    """The bot's NLU reads the text alone, the engine hands in its own codes too: one answer (issue #13 item 4)."""
    from nlu.red_flags import detect_red_flags

    bot = {f.id for f in detect_red_flags(text)} - {"safety_net"}
    result = engine.triage(text)
    assert set(result.red_flags) - {"safety_net"} == bot
    assert (result.urgency == "emergency") is bool(bot) or "safety_net" in result.red_flags
