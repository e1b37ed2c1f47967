"""The prescribing check (engine/meds/safety.py, issue #20 item 2): interactions, duplicates,
allergies, age and dose limits, pregnancy, and what counts as a medicine taken now."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.i18n import catalogue
from engine.meds.kb import load
from engine.meds.rules import read_tsv
from engine.meds.safety import (
    CAUTION,
    SERIOUS,
    Current,
    Patient,
    age_from,
    allergen,
    check_prescription,
    current_medicines,
    find_allergens,
)

NOW = dt.datetime(2026, 12, 6, 10, 0, tzinfo=dt.timezone.utc)


def line(generic: str, dose: str = "", frequency: str = "1-0-1") -> dict[str, str]:
    return {"generic": generic, "dose": dose, "frequency": frequency}


def found(lines, **patient) -> dict[str, str]:
    """code -> severity of every warning."""
    return {w.code: w.severity for w in check_prescription(lines, Patient(**patient))}


def test_an_interaction_table_pair_warns_with_its_severity():
    assert found([line("ibuprofen", "400 mg"), line("clopidogrel", "75 mg", "1-0-0")]) == {
        "interaction:ibuprofen:clopidogrel": SERIOUS}  # class:nsaid with class:antiplatelet, major
    taken = found([line("ibuprofen", "400 mg")], current=(Current("warfarin", "prescription"),))
    assert taken == {"interaction:ibuprofen:warfarin": SERIOUS}
    assert found([line("paracetamol", "500 mg")], current=(Current("warfarin", "document"),)) == {
        "interaction:paracetamol:warfarin": CAUTION}  # minor in the table: shown, no override needed
    warning = check_prescription([line("ibuprofen", "400 mg")], Patient(current=(Current("warfarin", "said"),)))[0]
    assert warning.text("en") == ("ibuprofen with warfarin, which the patient already takes (in the patient's words):"
                                  " major interaction (bleeding).")
    assert "रक्त" not in warning.text("hi") and "खून बहना" in warning.text("hi") and "ਖੂਨ ਵਗਣਾ" in warning.text("pa")


def test_the_same_generic_twice_warns_within_the_prescription_and_against_what_is_taken():
    assert found([line("Dolo 650", "650 mg"), line("Crocin", "500 mg")]) == {"duplicate:paracetamol:prescription": SERIOUS}
    assert found([line("Combiflam", "400 mg+325 mg")], current=(Current("Crocin", "document"),)) == {
        "duplicate:paracetamol:crocin": CAUTION}
    assert found([line("amlodipine", "5 mg", "1-0-0")]) == {}


@pytest.mark.parametrize("said", ["penicillin", "Penicillin", "पेनिसिलिन", "ਪੈਨਿਸਿਲਿਨ", "amoxicillin", "Mox"])
def test_a_penicillin_allergy_in_any_script_or_as_a_member_stops_amoxicillin(said):
    assert found([line("ampicillin", "250 mg")], allergies=(said,)) == {f"allergy:ampicillin:{allergen(said)}": SERIOUS}


def test_cross_reactions_are_cautions_and_unrelated_allergies_say_nothing():
    assert found([line("cefixime", "200 mg")], allergies=("penicillin",)) == {"allergy:cefixime:penicillin": CAUTION}
    assert found([line("ibuprofen", "400 mg")], allergies=("aspirin",)) == {"allergy:ibuprofen:aspirin": CAUTION}
    assert found([line("sulfamethoxazole + trimethoprim", "800 mg+160 mg")], allergies=("sulpha",))[
        "allergy:sulfamethoxazole:sulfa"] == SERIOUS
    assert found([line("azithromycin", "500 mg", "1-0-0")], allergies=("penicillin", "dust", "peanuts")) == {}


def test_child_doses_over_the_age_band_and_medicines_not_for_the_age():
    assert found([line("paracetamol", "500 mg", "1-1-1")], age=4) == {"dose:paracetamol:single": SERIOUS}
    assert found([line("paracetamol", "240 mg", "1-1-1-1")], age=4) == {}
    assert found([line("paracetamol", "240 mg", "q4h 6 times")], age=4) == {}  # no countable frequency: single only
    assert found([line("ibuprofen", "150 mg", "1-1-1-1")], age=5) == {"dose:ibuprofen:daily": SERIOUS}
    assert found([line("paracetamol", "1 g", "1-1-1-1")], age=40) == {}
    assert found([line("paracetamol", "1 g", "1-1-1-1-1")], age=40) == {}  # five slots is not a pattern we read
    assert found([line("aspirin", "75 mg", "1-0-0")], age=10) == {"age:aspirin:age": SERIOUS}
    assert found([line("doxycycline", "50 mg")], age=6) == {"age:doxycycline:age": SERIOUS}
    assert found([line("aspirin", "75 mg", "1-0-0")], age=None) == {}  # unknown age: no age checks
    text = check_prescription([line("paracetamol", "500 mg")], Patient(age=0.75))[0].text("en")
    assert text == "Dose: 500 mg of paracetamol is above 120 mg, the largest single dose at 9 months."


def test_pregnancy_flags_only_when_pregnant():
    assert found([line("warfarin", "2 mg", "0-0-1")], pregnant=True) == {"pregnancy:warfarin:avoid": SERIOUS}
    assert found([line("telmisartan", "40 mg", "1-0-0")], pregnant=True) == {"pregnancy:telmisartan:avoid": SERIOUS}
    assert found([line("ibuprofen", "400 mg")], pregnant=True) == {"pregnancy:ibuprofen:caution": CAUTION}
    assert found([line("warfarin", "2 mg", "0-0-1")]) == {}


def test_serious_warnings_come_first_and_each_finding_once():
    warnings = check_prescription([line("ibuprofen", "400 mg"), line("paracetamol", "500 mg")],
                                  Patient(current=(Current("warfarin", "prescription"), Current("warfarin", "said"))))
    assert [w.severity for w in warnings] == [SERIOUS, CAUTION]
    assert len({w.code for w in warnings}) == len(warnings)


def test_allergens_found_in_what_patients_say():
    assert find_allergens("I am allergic to penicillin") == ["penicillin"]
    assert find_allergens("mujhe penicillin se allergy hai") == ["penicillin"]
    assert find_allergens("मुझे पेनिसिलिन से एलर्जी है") == ["penicillin"]
    assert find_allergens("ਮੈਨੂੰ ਪੈਨਿਸਿਲਿਨ ਤੋਂ ਐਲਰਜੀ ਹੈ") == ["penicillin"]
    assert find_allergens("allergic to sulpha drugs and ibuprofen") == ["sulfa", "ibuprofen"]
    assert find_allergens("penicillin and amoxicillin both") == ["penicillin"]  # amoxicillin is one of them
    assert find_allergens("mujhe dhool se allergy hai") == []


def test_current_medicines_last_for_their_course_and_photos_for_ninety_days():
    def item(days_ago: int, **data):
        return {"kind": "medication", "at": NOW - dt.timedelta(days=days_ago), "data": data}

    history = [item(3, generic="amoxicillin", name="amoxicillin", duration_days=5, source="prescription"),
               item(10, generic="cefixime", name="cefixime", duration_days=5, source="prescription"),
               item(30, name="Ecosprin", generic="aspirin", source="document"),
               item(200, name="Telma 40", generic="telmisartan", source="document"),
               {"kind": "triage", "at": NOW, "data": {}}]
    current = current_medicines(history, NOW, said="main roz metformin leta hoon")
    assert current == [Current("amoxicillin", "prescription"), Current("Ecosprin", "document"),
                       Current("metformin", "said")]


def test_age_from_a_birth_date_or_year():
    today = dt.date(2026, 12, 6)
    assert age_from({"birth_date": "2026-06-06"}, today) == pytest.approx(0.5, abs=0.01)
    assert age_from({"birth_year": 2020}, today) == 6.0
    assert age_from({}, today) is None and age_from({"birth_year": 1800}, today) is None


def test_the_tables_name_known_medicines_and_every_sentence_exists():
    kb = load()
    for name in ("dose_limits.tsv", "pregnancy.tsv"):
        for row in read_tsv(name):
            target = row["target"]
            assert (target[6:] in kb.classes) if target.startswith("class:") else (target in kb.generics), target
    for row in read_tsv("pregnancy.tsv"):
        assert row["flag"] in {"avoid", "caution"}
    for row in read_tsv("dose_limits.tsv"):
        assert row["avoid"] == "yes" or (row["max_single_mg"] and row["max_daily_mg"]), row
    effects = {row["effect"] for row in read_tsv("interactions.tsv")}
    assert {f"rx_effect_{e}" for e in effects} <= set(catalogue())


@pytest.mark.parametrize(("text", "tells"), [
    ("मुझे अमोक्सिसिलिन से एलर्जी है, लिख लो", True),
    ("please note I am allergic to penicillin", True),
    ("ਮੈਨੂੰ ਪੈਨਿਸਿਲਿਨ ਤੋਂ ਐਲਰਜੀ ਹੈ ਜੀ", True),
    ("mujhe sulfa se allergy hai", True),
    ("is penicillin safe if I have allergy", False),  # a question: answered, never recorded
    ("amoxicillin se allergy ho sakti hai kya", False),
    ("mujhe allergy hai, koi dawa batao", False),  # no medicine named
    ("I have allergic rhinitis", False),
    ("what is amoxicillin for", False),  # no allergy word
])
def test_an_allergy_statement_is_told_apart_from_a_medicine_question(text, tells):
    from engine.meds.safety import tells_allergy

    assert tells_allergy(text) is tells


def test_the_medicine_answer_hands_an_allergy_statement_to_the_allergy_record():
    """The intent model once sent "मुझे अमोक्सिसिलिन से एलर्जी है, लिख लो" to the medicine answer (seen in
    the fresh-clone run after a retrain); the statement is recorded whatever intent it was given."""
    import asyncio

    from rasa_sdk import Tracker
    from rasa_sdk.events import FollowupAction
    from rasa_sdk.executor import CollectingDispatcher

    from actions.medicine import ActionAskMedicine

    tracker = Tracker("unit", {"language": "hi", "language_locked": True},
                      {"text": "मुझे अमोक्सिसिलिन से एलर्जी है, लिख लो", "intent": {"name": "ask_medicine"}},
                      [], False, None, {}, None)
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionAskMedicine().run(dispatcher, tracker, {}))
    assert FollowupAction("action_tell_allergy") in events and dispatcher.messages == []


@pytest.mark.parametrize(("language", "text"), [
    ("pa", "ਡੋਲੋ 650 ਧੂਰੀ ਵਿੱਚ ਕਿੱਥੇ ਮਿਲੇਗੀ"), ("hi", "डोलो 650 धूरी में कहाँ मिलेगी"), ("en", "dolo 650 in dhuri"),
    ("hi", "metformin 148024 pe milegi kya"),
    ("hi", "paracetamol kahan milegi"), ("hi", "पैरासिटामोल कहाँ से मिलेगी"), ("pa", "ਡੋਲੋ 650 ਕਿੱਥੇ ਮਿਲੂ"),
    ("pa", "dolo kithe milegi"), ("en", "where can I buy pan 40"),
])
def test_a_medicine_question_naming_a_place_is_a_pharmacy_search(language: str, text: str):
    """The intent model called the Punjabi ask 'ask_medicine' after a retrain on another machine (the fresh-
    clone run of session 10), and 'paracetamol kahan milegi' in session 11's: a place in it, or asking
    where to get it, makes it a search for the medicine."""
    import asyncio

    from rasa_sdk import Tracker
    from rasa_sdk.events import FollowupAction
    from rasa_sdk.executor import CollectingDispatcher

    from actions.medicine import ActionAskMedicine

    tracker = Tracker("unit", {"language": language, "language_locked": True},
                      {"text": text, "intent": {"name": "ask_medicine"}}, [], False, None, {}, None)
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionAskMedicine().run(dispatcher, tracker, {}))
    assert FollowupAction("action_find_pharmacy") in events and dispatcher.messages == []


def test_a_medicine_question_without_a_place_is_still_explained():
    from actions.medicine import ActionAskMedicine
    from tests.test_actions import run_action

    reply = run_action(ActionAskMedicine(), "dolo 650 kis liye hai")
    assert "Paracetamol" in reply[0]["text"]


@pytest.mark.parametrize("text", ["paracetamol kis kaam aati hai", "what is dolo 650 for", "ਡੋਲੋ ਕਦੋਂ ਖਾਣੀ ਹੈ",
                                  "where does metformin act", "kahani sunao"])
def test_a_question_about_a_medicine_itself_is_not_a_search(text: str):
    from engine.pharmacy.where import asks_where_to_get

    assert not asks_where_to_get(text)
