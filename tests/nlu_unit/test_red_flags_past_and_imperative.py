"""Past events and the imperative "jhatko" (issue #13 items 4 and 5), in Hindi, Punjabi and English, native
and Latin letters.

A heart attack, fit or snake bite told as past history ("pichle saal daura pada tha", "had a stroke 3
years ago") is no emergency now; the same event told now ("abhi", "since this morning", "ho raha hai",
"aaj phir se") is, even in the message that also tells the old one. A clinician's "3-day history of
seizures" is the present illness, not past history. "haath pair jhatko" is advice (shake them); a fit is
told with the noun: "jhatke aa rahe", "jhatkon ke saath".
"""

from __future__ import annotations

import pytest

from nlu.red_flags import detect_red_flags, read


def fired(text: str, **context) -> set[str]:
    return {flag.id for flag in detect_red_flags(text, **context)} - {"safety_net"}


@pytest.mark.parametrize("text", [
    "I had a heart attack 2 years ago",
    "my father had a stroke 3 years ago, now he has knee pain",
    "had a seizure as a child, now sore throat",
    "pichle saal daura pada tha",
    "पिछले साल दौरा पड़ा था",
    "ਪਿਛਲੇ ਸਾਲ ਦੌਰਾ ਪਿਆ ਸੀ",
    "pichhle saal daura peya si",
    "snake bite 5 saal pehle hua tha",
    "2 saal pehle heart attack aaya tha, ab ghutne mein dard",
    "ਦੋ ਸਾਲ ਪਹਿਲਾਂ ਦਿਲ ਦਾ ਦੌਰਾ ਪਿਆ ਸੀ, ਹੁਣ ਖੰਘ ਹੈ",
])
def test_a_past_event_is_history(text):
    assert not fired(text), text


@pytest.mark.parametrize("text", [
    "pichle saal daura pada tha, aaj phir se daura pada",
    "पिछले साल दौरा पड़ा था, अभी फिर से दौरा पड़ रहा है",
    "ਪਿਛਲੇ ਸਾਲ ਦੌਰਾ ਪਿਆ ਸੀ, ਅੱਜ ਫਿਰ ਦੌਰਾ ਪਿਆ",
    "daura pada abhi",
    "उसे दौरा पड़ रहा है",
    "ਦੌਰਾ ਪੈ ਰਿਹਾ ਹੈ",
    "he is having a fit right now",
    "had a stroke years ago, since this morning his face is drooping",
    "3 day history of seizures",
    "a 30-minute history of unconsciousness after a fall",
])
def test_an_event_now_still_fires(text):
    assert fired(text), text


@pytest.mark.parametrize(("text", "symptoms"), [
    ("pichle saal daura pada tha", ["seizure"]),
    ("ਪਿਛਲੇ ਸਾਲ ਦੌਰਾ ਪਿਆ ਸੀ", ["seizure"]),
    ("had a heart attack 2 years ago", ["heart_attack"]),
])
def test_the_callers_codes_of_a_past_event_are_history_too(text, symptoms):
    """The triage engine reads the text with the lexicon alone and hands its codes in: the same rule applies."""
    assert set(symptoms) <= read(text).dropped
    assert not fired(text, symptoms=symptoms, age=50, sex="m")


def test_a_past_bite_stays_the_callers_code():
    """A bite, burn, poison or head injury in the past can cause a danger now (a dog bite a month ago and now
    fear of water is rabies), so the caller's code of it is kept, as a fact of the past: alone it fires nothing,
    from the text or from the caller's codes."""
    text = "snake bite 5 saal pehle hua tha"
    assert "snake_bite" not in read(text).dropped and "snake_bite" in read(text).past
    assert not fired(text) and not fired(text, symptoms=["snake_bite"], age=40, sex="m")


# (text, the caller's codes as the engine's reader finds them, fires now?): the bot (text alone) and saathi
# triage (text and codes) must agree (issue #13 item 4)
PAST_CAUSES = [
    ("pichle mahine billi ne chehre pe kaata tha", ["animal_bite"], True),       # rabies: within a year
    ("ਪਿਛਲੇ ਮਹੀਨੇ ਬਿੱਲੀ ਨੇ ਚਿਹਰੇ ਤੇ ਵੱਢਿਆ ਸੀ", ["animal_bite"], True),
    ("पिछले महीने बिल्ली ने चेहरे पर काटा था", ["animal_bite"], True),
    ("bandar ne 2 mahine pehle kaata tha, ab paani se dar lagta hai", ["animal_bite", "anxiety"], True),
    ("2 saal pehle pagal kutte ne kaata tha", ["animal_bite"], False),          # past any incubation
    ("pichle saal saanp ne kaata tha", ["snake_bite"], False),
    ("kal saanp ne kaata tha", ["snake_bite"], True),                          # envenoming may show late
    ("kal raat 20 goliyan kha li thi", [], True),                              # an overdose yesterday
    ("pichle hafte sir me chot lagi thi", ["head_injury", "injury"], False),
    ("pichle hafte sir me chot lagi thi, ab sir dard badh raha hai aur ulti",
     ["head_injury", "headache", "vomiting", "injury"], True),
    ("2 saal pehle jal gaya tha, ab theek hai", ["burn"], False),
]


@pytest.mark.parametrize(("text", "codes", "now"), PAST_CAUSES)
def test_a_past_cause_fires_the_same_with_or_without_the_callers_codes(text, codes, now):
    alone, with_codes = fired(text), fired(text, symptoms=codes)
    assert alone == with_codes, (alone, with_codes)
    assert bool(alone) is now, alone


@pytest.mark.parametrize("text", [
    "haath pair jhatko",
    "haath pair jhatko, dard kam hoga",
    "bachche ke haath pair jhatko",
    "हाथ पैर झटको",
    "बच्चे के हाथ पैर झटको, आराम मिलेगा",
    "ਹੱਥ ਪੈਰ ਝਟਕੋ",
    "haath pair jhatak ke dekho",
])
def test_jhatko_is_an_instruction(text):
    assert "seizure" not in fired(text), text


@pytest.mark.parametrize("text", [
    "haath pair jhatke aa rahe",
    "haath pair jhatak rahe hain",
    "हाथ पैर झटके आ रहे हैं",
    "हाथ पैर झटकने लगे",
    "ਹੱਥ ਪੈਰ ਝਟਕੇ ਆ ਰਹੇ ਨੇ",
    "haath pair jhatkon ke saath kaanp rahe",
    "हाथ पैर झटकों के साथ कांप रहे",
    "ਹੱਥ ਪੈਰ ਝਟਕਿਆਂ ਨਾਲ ਹਿੱਲ ਰਹੇ",
])
def test_jerks_told_as_a_noun_are_a_fit(text):
    assert "seizure" in fired(text), text
