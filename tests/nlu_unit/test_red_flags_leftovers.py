"""Issue #13 leftovers: a child who swallowed pills, readings said digit by digit, past events.

Each danger sign sits beside an everyday sentence that must stay quiet (sources in
data/red_flags.json: WHO Guidelines for poison control and the WHO/UNICEF child-injury report for
a child's ingestion; NICE epilepsy and WHO Basic Emergency Care for history vs. now).
"""
from __future__ import annotations

import pytest

from nlu.numbers import spelled_numbers
from nlu.text import tokenize
from nlu.vitals import read_vitals
from tests.support.red_flags import fired, rules_fired


@pytest.mark.parametrize("text", [
    "bachche ne goliyan kha li",
    "bachche ne dawai ki goli kha li",
    "ਬੱਚੇ ਨੇ ਗੋਲੀਆਂ ਖਾ ਲਈਆਂ",
    "बच्चे ने गोलियां खा लीं",
    "my son ate some pills",
    "my toddler swallowed some tablets",
    "the baby got into the drawer and ate tablets",
    "munde ne goliyan kha layiyan",
])
def test_a_child_who_swallowed_pills_is_a_poisoning(text: str) -> None:
    assert "poisoning" in rules_fired(text)


@pytest.mark.parametrize("text", [
    "bachche ne apni dawai kha li as prescribed",
    "bachche ko bukhar ki goli khila di",
    "I gave him a paracetamol tablet and he swallowed it",
    "beta roz BP ki goli khata hai",
    "mummy ne apni BP ki goli kha li",
])
def test_a_dose_given_or_prescribed_is_not_a_poisoning(text: str) -> None:
    assert "poisoning" not in fired(text)


@pytest.mark.parametrize(("text", "value"), [
    ("one oh four", 104), ("one-oh-two", 102), ("one oh three point five", 103.5), ("one twenty", 120),
    ("a hundred and three point five", 103.5), ("ek sau do point paanch", 102.5),
])
def test_numbers_said_digit_by_digit(text: str, value: float) -> None:
    assert [n.value for n in spelled_numbers(tokenize(text))] == [value]


@pytest.mark.parametrize(("text", "celsius"), [
    ("fever one oh four", 40.0), ("temp one-oh-two since morning", 38.89),
    ("temp was one oh three point five last night", 39.72), ("bukhar ek sau do point paanch", 39.17),
])
def test_temperatures_said_digit_by_digit_are_read(text: str, celsius: float) -> None:
    assert [round(r.value, 2) for r in read_vitals(text).readings if r.measure == "temperature"] == [celsius]


@pytest.mark.parametrize("text", ["fever for one or two days", "I have one or two questions about fever",
                                  "one two three, the child counts"])
def test_counting_is_not_a_reading(text: str) -> None:
    assert read_vitals(text).readings == ()


@pytest.mark.parametrize("text", [
    "had a seizure as a child",
    "ਪਿਛਲੇ ਸਾਲ ਦੌਰਾ ਪਿਆ ਸੀ",
    "bachpan mein mirgi ke daure padte the",
    "ਬਚਪਨ ਵਿੱਚ ਦੌਰੇ ਪੈਂਦੇ ਸੀ",
    "was unconscious for a minute last year after a fall",
    "snake bite 5 saal pehle hua tha",
    "TB 2 saal pehle thi",
])
def test_a_past_event_is_history(text: str) -> None:
    assert not rules_fired(text)


@pytest.mark.parametrize(("text", "rule"), [
    ("2 saal pehle daura pada tha, aaj phir se daura pada", "seizure"),
    ("had a seizure as a child, now fitting for 10 minutes", "seizure"),
    ("bachpan se mirgi hai aur abhi daura pad raha hai", "seizure"),
    ("he is having a seizure", "seizure"),
    ("ਹੁਣ ਦੌਰਾ ਪਿਆ ਹੈ", "seizure"),
    ("saanp ne kaata, 2 ghante pehle", "snake_bite"),
])
def test_the_same_event_now_still_fires(text: str, rule: str) -> None:
    assert rule in rules_fired(text)


# --- urgent, not emergency: post-menopausal and post-coital bleeding (NICE NG12 suspected-cancer pathway) ---

def _urgent(text: str, **context) -> set[str]:
    from nlu.red_flags import urgent_signs

    return {flag.id for flag in urgent_signs(text, **context)}


@pytest.mark.parametrize(("text", "age"), [
    ("bleeding after sex", 55),
    ("spotting after menopause", 60),
    ("periods stopped 5 years ago. Now some bleeding.", None),
    ("mahwari band hue 5 saal ho gaye, thoda sa khoon ke dhabbe aate hain", 58),
    ("माहवारी बंद हो गई थी, अब फिर से खून आने लगा", 52),
    ("meri mummy di mahwari panj saal pehlan band ho gayi si hun fer khoon aunda", None),
    ("माहवारी को बंद हुए 3 साल हो गए, अब खून आया", None),
    ("ਮਾਹਵਾਰੀ ਬੰਦ ਹੋਏ ਨੂੰ 3 ਸਾਲ ਹੋ ਗਏ, ਹੁਣ ਖੂਨ ਆ ਰਿਹਾ", None),
    ("संबंध के बाद खून आता है", 51),
    ("ਸੰਬੰਧ ਤੋਂ ਬਾਅਦ ਖੂਨ ਆਉਂਦਾ ਹੈ", 53),
    ("some spotting from down there", 60),
])
def test_postmenopausal_or_late_postcoital_bleeding_is_urgent(text: str, age: float | None) -> None:
    assert "postmenopausal_bleeding" in _urgent(text, age=age, sex="f")


@pytest.mark.parametrize(("text", "age"), [
    ("bleeding after sex", 35),
    ("sambandh ke baad khoon aata hai", 30),
    ("periods band hai 2 mahine se, pregnancy test positive, thoda khoon", None),
    ("periods band hai 2 mahine se, ab thoda khoon", 28),
    ("menopause hot flushes, my blood pressure is high", 52),
    ("after menopause I get nosebleeds", 60),
])
def test_younger_postcoital_bleeding_or_other_blood_is_not_the_cancer_pathway(text: str, age: float | None) -> None:
    assert not _urgent(text, age=age, sex="f")



# --- NICE NG12 suspected-cancer pathways: urgent by age and persistence, quiet when younger or short ---

@pytest.mark.parametrize(("text", "age", "rule"), [
    ("blood in urine", 60, "suspected_cancer_haematuria"),
    ("peshab mein khoon aa raha hai", 50, "suspected_cancer_haematuria"),
    ("khana atak jaata hai gale mein", 55, "suspected_cancer_dysphagia"),
    ("lump in breast", 35, "suspected_cancer_breast_lump"),
    ("ਛਾਤੀ ਵਿੱਚ ਗੰਢ", 45, "suspected_cancer_breast_lump"),
    ("latrine mein khoon", 55, "suspected_cancer_colorectal"),
    ("weight loss and stomach pain", 50, "suspected_cancer_colorectal"),
    ("coughing blood", 45, "suspected_cancer_haemoptysis"),
    ("aankhein peeli", 50, "jaundice_over_40"),
    ("munh mein chhala 2 mahine se", 40, "persistent_mouth_ulcer_or_hoarseness"),
    ("awaaz baithi hui hai 1 mahine se", 50, "persistent_mouth_ulcer_or_hoarseness"),
])
def test_ng12_signs_are_urgent(text: str, age: float, rule: str) -> None:
    assert rule in _urgent(text, age=age)


@pytest.mark.parametrize(("text", "age"), [
    ("blood in urine", 30),
    ("difficulty swallowing with sore throat and fever", 40),
    ("munh mein chhala 3 din se", 40),
    ("awaaz baithi hai 2 din se", 50),
    ("coughing blood", 25),
    ("lump in breast", 22),
])
def test_ng12_signs_below_the_age_or_short_stay_quiet(text: str, age: float) -> None:
    assert not _urgent(text, age=age)


# --- WHO IMCI yellow classifications: urgent (treatment from a health worker today), not 108 ---

@pytest.mark.parametrize(("text", "age", "rule"), [
    ("my two year old has watery loose motions many times since morning drinking water very eagerly eyes a little "
     "sunken but still playing a bit", 2, "child_some_dehydration"),
    ("bachche ko dast, bahut pyaas, bechain hai", None, "child_some_dehydration"),
    ("my daughter is four she is crying with ear pain since last night has fever and keeps pulling her ear", 4,
     "child_ear_infection"),
])
def test_imci_yellow_classifications_are_urgent(text: str, age: float | None, rule: str) -> None:
    assert rule in _urgent(text, age=age)


@pytest.mark.parametrize(("text", "age"), [
    ("bachche ko do baar dast hue, khel raha hai", 2),
    ("child has loose motions, eats eagerly", 2),
    ("I have ear pain since yesterday", 30),
])
def test_one_sign_or_an_adult_is_not_an_imci_classification(text: str, age: float) -> None:
    assert not _urgent(text, age=age)


@pytest.mark.parametrize(("text", "age", "rule"), [
    ("my 3 year old has cough and is breathing fast", 3, "child_pneumonia"),
    ("pregnant, feeling tired and pale, breathless on stairs", 28, "pregnancy_anaemia_signs"),
    ("ਛੇਵਾਂ ਮਹੀਨਾ ਚੱਲਦਾ ਬਹੁਤ ਕਮਜ਼ੋਰੀ ਆ ਥੋੜ੍ਹਾ ਤੁਰ ਕੇ ਸਾਹ ਚੜ੍ਹਦਾ ਦਿਲ ਧੜਕਦਾ", None, "pregnancy_anaemia_signs"),
])
def test_imci_pneumonia_and_anaemia_in_pregnancy_are_urgent(text: str, age: float | None, rule: str) -> None:
    assert rule in _urgent(text, age=age)


@pytest.mark.parametrize(("text", "age"), [
    ("child has cough and runny nose", 3),
    ("pregnant, a bit tired", 28),
    ("chhatha mahina chal raha hai, thodi kamzori", None),
    ("I breathe fast when I run", 30),
])
def test_a_cold_or_ordinary_tiredness_is_not(text: str, age: float | None) -> None:
    assert not _urgent(text, age=age)
