"""Issue #13 follow-up: look-alikes the reader turned into emergencies, and the real emergencies beside them.

A poison counts only when it is swallowed, breathed in or splashed, or with a sign or intent that says so (WHO
Guidelines for establishing a poison centre 2020; AIIMS NPIC; WHO mhGAP 2.0): the ``toxic`` mask of
data/red_flags.json. A belly that goes hard now and then is a tightening, not rigidity (NHS Braxton Hicks, NICE
NG201; Bailey & Love); "a little blue" of no part is no central cyanosis (WHO Basic Emergency Care 2018); "raat"
(night) is no rat and "das var" (ten times) no bite; a little swelling after a thorn is no cellulitis (NICE CKS
Cellulitis, NG141). Urgency is judged on the knowledge-base scorer (``Engine(use_classifier=False)``), which is what
decides it (engine/triage/urgency.py).
"""

from __future__ import annotations

from functools import cache

import pytest

from nlu.red_flags import detect_red_flags
from nlu.symptoms import symptom_codes


@cache
def _engine():
    from engine.triage.engine import Engine

    return Engine(use_classifier=False)


def _flags(text: str, **context) -> set[str]:
    return {flag.id for flag in detect_red_flags(text, **context)}


@pytest.mark.parametrize("text", [
    "chuhe maarne ki dawai kahan milegi",
    "phenyl se pocha lagaya",
    "bought rat poison for the house, I have cough",
    "घर के लिए चूहे मार दवा खरीदी, मुझे जुकाम है",
    "ਸਾਡੇ ਘਰ ਚੂਹੇ ਬਹੁਤ ਨੇ, ਚੂਹੇ ਮਾਰ ਦਵਾਈ ਕਿੱਥੋਂ ਮਿਲੂ",
    "ghar vaaste chuhe maar dawai leyande, mainu zukaam aa",
    "kal shaadi mein khana khaya, food poisoning ho gaya lagta hai",
])
def test_a_poison_named_without_an_exposure_is_no_poisoning(text: str) -> None:
    assert "poisoning" not in _flags(text)
    result = _engine().triage(text, age=35, sex="f")
    assert "poisoning" not in result.symptoms and result.urgency != "emergency"


@pytest.mark.parametrize(("text", "age"), [
    ("usne chuhe maarne ki dawai kha li", 30),
    ("ate rat poison", 25),
    ("चूहे मार दवा खा ली", 30),
    ("ਚੂਹੇ ਮਾਰਨ ਵਾਲੀ ਦਵਾਈ ਖਾ ਲਈ", 30),
    ("ghar wale ne zehar pee leya, muh ton jhag aa reha", 45),
    ("organophosphate poisoning, pupils pinpoint", 40),
    ("bachche ke paas chuhe maar dawai ka packet mila, ulti kar raha", 2),
    ("she has written a goodbye note and bought rat poison, says nobody will miss her", 30),
    ("my husband drank phenyl after a fight, he is vomiting", 35),
])
def test_a_poison_swallowed_or_with_its_signs_or_intent_stays_an_emergency(text: str, age: float) -> None:
    assert _flags(text, age=age)
    assert _engine().triage(text, age=age).urgency == "emergency"


def test_tightenings_now_and_then_are_not_a_rigid_belly_but_with_bleeding_are_an_emergency() -> None:
    quiet = "ਬੱਚਾ ਢਿੱਡ ਵਿੱਚ ਲੱਤਾਂ ਮਾਰਦਾ, ਢਿੱਡ ਸਖ਼ਤ ਹੋ ਜਾਂਦਾ ਕਦੇ ਕਦੇ"
    assert not _flags(quiet, age=25, sex="f", pregnant=True)
    result = _engine().triage(quiet, age=25, sex="f", pregnant=True)
    assert result.urgency == "routine" and result.specialist == "gynecologist"
    bleeding = "8 mahine ki pregnant hoon, pet baar baar sakht ho jata hai aur neeche se khoon aa raha"
    assert _engine().triage(bleeding, age=27, sex="f", pregnant=True).urgency == "emergency"
    assert "acute_abdomen_surgical" in _flags("pet sakht ho gaya hai aur bahut dard", age=40, sex="m")


@pytest.mark.parametrize(("text", "fires"), [
    ("thoda neela pad gaya", False),
    ("darwaze se haath takraya, thoda neela pad gaya", False),
    ("ਦਰਵਾਜ਼ੇ ਨਾਲ ਬਾਂਹ ਵੱਜੀ, ਥੋੜ੍ਹਾ ਨੀਲਾ ਪੈ ਗਿਆ", False),
    ("bachcha thoda neela pad gaya", True),
    ("honth thode neele pad gaye", True),
    ("neela pad gaya, saans nahi le raha", True),
])
def test_a_little_blue_of_no_part_is_no_cyanosis(text: str, fires: bool) -> None:
    assert ("severe_breathing_difficulty" in _flags(text)) is fires


@pytest.mark.parametrize(("text", "code"), [
    ("kal raat ton das var ulti aayi", None),
    ("kal raat se das baar dast", None),
    ("raat ko chuhe ne kaat liya", "animal_bite"),
    ("a rat bit my son", "animal_bite"),
    ("saanp ne das liya", "snake_bite"),
])
def test_night_is_no_rat_and_ten_times_no_bite(text: str, code: str | None) -> None:
    bites = {"animal_bite", "snake_bite"} & set(symptom_codes(text))
    assert bites == ({code} if code else set())


@pytest.mark.parametrize(("text", "codes"), [
    ("my big toe suddenly became swollen and very painful at night", {"joint_pain", "joint_swelling"}),
    ("the knee is swollen and very painful", {"joint_pain", "joint_swelling"}),
    ("ghutna suja hua aur bahut dard", {"joint_pain", "joint_swelling"}),
])
def test_swollen_and_painful_pair_across_and(text: str, codes: set[str]) -> None:
    assert codes <= set(symptom_codes(text))


def test_bloating_alone_is_not_a_distended_belly_but_with_obstruction_it_is() -> None:
    assert symptom_codes("aaj pet phool raha hai") == ["bloating"]
    assert _engine().triage("dadaji lathi se chalte hain, aaj pet phool raha hai", age=75, sex="m").urgency != "emergency"
    blocked = "dada ji ka pet phool gaya hai, do din se na potty na hawa nikli, hari ulti ho rahi hai"
    result = _engine().triage(blocked, age=75, sex="m")
    assert result.urgency == "emergency" and result.conditions[0].icd10 == "K56.7"


def test_a_little_swelling_after_a_thorn_is_home_care_and_a_hot_leg_with_fever_is_not() -> None:
    assert _engine().triage("khet mein kaam karte hue pair mein kaanta chubha, thodi sujan", age=35,
                            sex="m").urgency == "routine"
    spreading = "leg red, hot, swollen and painful spreading over 2 days after a small cut, fever"
    result = _engine().triage(spreading, age=40, sex="m")
    assert result.urgency == "urgent" and result.conditions[0].icd10 == "L03.9"
