"""Paraphrases of published danger signs a careful relative or a clinician would write (issue #13 item 5).

Each class is caught by parts that generalise (a word list or a combination), not by the sentence:
clinical words for the vital signs (NEWS2 'tachycardic', 'hypotensive'), fangs and an unclotting
20WBCT (MoHFW STG Snake Bite 2017), leaking waters said in words (MoHFW MCP card), a bulging
fontanelle (WHO IMCI), large-volume haemoptysis, urine stopped for a day (KDIGO), heat collapse in
the sun in Punjabi, a newborn's red navel with pus (IMCI), submersion (WHO drowning). Beside them,
everyday sentences from the same field stay quiet.
"""
from __future__ import annotations

import pytest

from tests.support.red_flags import rules_fired


@pytest.mark.parametrize("text", [
    "bradycardic at 38", "tachycardic 150", "hypotensive 80/50", "tachypnoeic at 36", "hypothermic 34.5",
    "febrile 40.2 with neck stiffness", "patient is cyanosed", "SpO2 86% on room air, breathless",
    "GCS 8 after a fall",
])
def test_clinical_register(text: str) -> None:
    assert rules_fired(text)


@pytest.mark.parametrize(("text", "rule"), [
    ("fang marks on the ankle", "snake_bite"),
    ("WBCT 20 min not clotted", "snake_bite"),
    ("kisi keede ne raat ko kaata, subah se aankhein nahi khul rahi", "snake_bite"),
    ("8 mahine ki pregnant hai, paani jaisa kuch beh raha hai", "pregnancy_waters_leaking"),
    ("ਪਾਣੀ ਪੈ ਗਿਆ, ਅੱਠਵਾਂ ਮਹੀਨਾ", "pregnancy_waters_leaking"),
    ("bulging fontanelle", "fever_stiff_neck"),
    ("hemoptysis large volume", "heavy_bleeding"),
    ("peshab band hai kal se", "kidney_failure_no_urine"),
    ("ਧੁੱਪ ਵਿੱਚ ਡਿੱਗ ਪਿਆ, ਸਰੀਰ ਅੱਗ ਵਾਂਗ ਤਪ ਰਿਹਾ, ਬੋਲ ਨਹੀਂ ਰਿਹਾ", "heat_stroke"),
    ("ਨਵਜੰਮੇ ਬੱਚੇ ਦੀ ਨਾਭੀ ਲਾਲ ਹੈ ਤੇ ਪੀਕ ਆ ਰਹੀ", "young_infant_fever"),
    ("ਬਿਜਲੀ ਦਾ ਕਰੰਟ ਲੱਗਿਆ", "electrical_injury"),
    ("submersion injury, coughing froth", "drowning"),
    ("kachchi sharab peene ke baad dikhna band", "poisoning"),
    ("pregnant woman, breathless even at rest", "pregnancy_other_danger"),
    ("unilateral calf swelling after surgery", "deep_vein_thrombosis"),
])
def test_protocol_paraphrases(text: str, rule: str) -> None:
    assert rule in rules_fired(text)


@pytest.mark.parametrize("text", [
    "afebrile, mild cough",
    "known hypertensive, BP 130/80",
    "went out in the sun and got a mild headache",
    "dhoop mein baitha tha, thodi khujli hai",
    "bachcha talab mein naha ke aaya, thoda zukam",
    "I got a small shock from the switch, I am fine",
    "a bee stung me, small swelling",
    "garbhvati hoon, thodi ulti aati hai subah",
    "pregnant, naak se paani beh raha hai",
    "pregnant hoon, paseena beh raha hai garmi se",
    "navjaat ko hichki aa rahi hai",
    "bachche ko do baar dast hue, khel raha hai",
    "machhar ne kaata, aankh ke paas sujan",
])
def test_everyday_sentences_stay_quiet(text: str) -> None:
    assert not rules_fired(text)


@pytest.mark.parametrize(("text", "rule"), [
    ("crushing central chest pain for 30 minutes", "cardiac_chest_pain"),
    ("chhati par patthar jaisa dard, koi baitha ho", "cardiac_chest_pain"),
    ("pulsatile abdominal mass with back pain and collapse", "aortic_emergency"),
    ("severe abdominal pain out of proportion to examination, atrial fibrillation", "acute_abdomen_surgical"),
    ("rapidly spreading redness of the leg with pain out of proportion and fever", "sepsis_signs"),
    ("fell from a ladder, neck pain and tingling in both arms", "major_trauma"),
    ("motorbike accident, abdominal pain and left shoulder tip pain", "major_trauma"),
    ("periumbilical pain that moved to the right iliac fossa with fever", "acute_abdomen_surgical"),
    ("SpO₂ 88% on air", "vital_hypoxaemia"),
])
def test_clinical_vignette_paraphrases(text: str, rule: str) -> None:
    assert rule in rules_fired(text)


@pytest.mark.parametrize("text", [
    "tight chest with a cold",
    "chest feels heavy when I have a cold and cough",
    "I feel a pulsating headache",
    "crushing my finger in the door, small bruise",
    "small red patch on the leg, not spreading",
    "fell from the bike, scraped knee",
    "I climbed the stairs and my knees hurt",
    "pain in my right lower belly when I run, mild, 2 weeks",
    "SpO₂ 97%, mild cough",
])
def test_everyday_neighbours_of_the_vignettes_stay_quiet(text: str) -> None:
    assert not rules_fired(text)


@pytest.mark.parametrize("text", [
    "achanak seene mein cheerne jaisa dard jo peeth tak ja raha hai",
    "ਲੱਤ ਅਚਾਨਕ ਠੰਢੀ ਤੇ ਚਿੱਟੀ ਹੋ ਗਈ, ਨਬਜ਼ ਨਹੀਂ",
    "ਅੰਗੀਠੀ ਬਾਲ ਕੇ ਬੰਦ ਕਮਰੇ ਵਿੱਚ ਸੁੱਤੇ, ਸਵੇਰੇ ਚੱਕਰ ਤੇ ਉਲਟੀਆਂ",
    "bike accident hua, pet mein dard aur baayen kandhe mein dard",
    "mahina nahi aaya, pet ke neeche dard aur chakkar, kandhe mein dard",
    "insulin lete hain, pasine mein bheege aur behki behki baatein",
    "kamar dard, janghon ke beech sunn, peshab nahi ho raha",
    "jeevan ka sabse bura sir dard",
    "ਜ਼ਿੰਦਗੀ ਦਾ ਸਭ ਤੋਂ ਬੁਰਾ ਸਿਰ ਦਰਦ",
])
def test_the_same_emergencies_retold_in_hindi_and_punjabi(text: str) -> None:
    assert rules_fired(text)


def test_a_worst_day_with_a_slight_headache_is_not_a_thunderclap() -> None:
    assert "thunderclap_headache" not in rules_fired("zindagi ka sabse bura din tha, thoda sir dard")


@pytest.mark.parametrize(("text", "rule"), [
    ("E2V2M4", "altered_consciousness"),
    ("GCS E3 V4 M5", "altered_consciousness"),
    ("AVPU: U", "altered_consciousness"),
    ("AVPU P", "altered_consciousness"),
    ("kussmaul breathing", "severe_breathing_difficulty"),
    ("troponin raised with chest pain", "cardiac_chest_pain"),
    ("scorpion sting with priapism", "scorpion_sting_systemic_shock"),
])
def test_clinical_shorthand(text: str, rule: str) -> None:
    assert rule in rules_fired(text)


@pytest.mark.parametrize("text", ["E4V5M6, alert, mild headache", "AVPU A, talking normally", "GCS 15/15"])
def test_a_normal_consciousness_score_stays_quiet(text: str) -> None:
    assert not rules_fired(text)
