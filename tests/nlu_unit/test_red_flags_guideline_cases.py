"""Emergencies written from guideline case descriptions for the kinds with the fewest own cases (issue #13
item 5, tests/data/triage_wide.yml emem-*), at the red-flag layer, where each was first missed or caught
only by the safety net: postnatal pre-eclampsia (NICE NG133: it may first show after the birth) and a
thunderclap headache told as "the worst pain of my life" in Hindi and Punjabi (NICE NG228)."""

from __future__ import annotations

import pytest

from tests.support.red_flags import fired, rules_fired


@pytest.mark.parametrize("text", [
    "ਜਣੇਪੇ ਨੂੰ ਪੰਜ ਦਿਨ ਹੋਏ, ਅੱਜ ਸਿਰ ਵਿੱਚ ਬਹੁਤ ਤੇਜ਼ ਦਰਦ ਤੇ ਅੱਖਾਂ ਅੱਗੇ ਧੁੰਦਲਾ, ਪੈਰ ਸੁੱਜੇ",
    "delivery ke baad se sir dard aur aankhon ke aage dhundhla",
    "डिलीवरी के बाद से सिर दर्द और आंखों के आगे धुंधला",
    "gave birth last week, now a bad headache and blurred vision",
])
def test_postnatal_pre_eclampsia(text):
    assert "pregnancy_preeclampsia_signs" in fired(text, sex="f", age=26)


def test_a_headache_after_birth_alone_is_no_pre_eclampsia_sign():
    assert "pregnancy_preeclampsia_signs" not in fired("gave birth 4 days ago, mild headache since last night",
                                                        sex="f", age=26)


@pytest.mark.parametrize("text", [
    "झाड़ू लगाते लगाते अचानक सिर में ज़िंदगी का सबसे तेज़ दर्द, उल्टी हुई",
    "kaam karte karte sir mein zindagi ka sabse tez dard",
    "ਸਿਰ ਵਿੱਚ ਜ਼ਿੰਦਗੀ ਦਾ ਸਭ ਤੋਂ ਤੇਜ਼ ਦਰਦ ਹੋਇਆ",
])
def test_the_worst_headache_of_a_life_is_a_thunderclap(text):
    assert "thunderclap_headache" in fired(text, sex="f", age=48)


# Session 11 (emem-20..56): four cases the rules first missed, each now caught by a composed rule, and the
# everyday sentences beside them that must stay quiet.
@pytest.mark.parametrize(("text", "context", "flag"), [
    # ISBI 2016: an immersion scald of the perineum and genitals (hot word + liquid + sitting in it)
    ("my 2 year old sat in a bucket of hot bath water, his bottom and private parts are red and blistered",
     {"age": 2}, "severe_burn"),
    ("ubalti chai gir gayi, gupt ang par chhale", {"age": 30}, "severe_burn"),
    # American Burn Association referral criteria: blistered (partial-thickness) burns of the hands
    ("ਤੰਦੂਰ ਲਾਉਂਦਿਆਂ ਦੋਹਾਂ ਹੱਥਾਂ ਦੀਆਂ ਹਥੇਲੀਆਂ ਝੁਲਸ ਗਈਆਂ, ਵੱਡੇ ਛਾਲੇ ਤੇ ਬਹੁਤ ਦਰਦ", {"age": 40}, "severe_burn"),
    ("hand burnt on the stove, blisters all over the palm", {"age": 35}, "severe_burn"),
    # NICE NG232: blood or fluid from the ear after a fall ("gire" is a fall too)
    ("बाइक से गिरे, हेलमेट नहीं था, कान से खून और पानी जैसा निकल रहा, बार बार उल्टी", {"age": 32}, "head_injury_danger"),
    # WHO IMCI: stridor, a noise from the throat when breathing in
    ("2 saal ke bete ki khansi kutte ke bhaunkne jaisi, saans kheechte waqt gale se ghar-ghar ki awaaz aati hai",
     {"age": 2}, "stridor"),
    ("harsh noise from his throat every time he is breathing in, even at rest", {"age": 3}, "stridor"),
])
def test_composed_rules_catch_the_first_misses(text, context, flag):
    assert flag in fired(text, **context)


@pytest.mark.parametrize("text", [
    "small blister on my hand from hot tea",                 # told small: home care (NICE CKS Burns and scalds)
    "haath pe garam tel ke chhinte pade, chhota sa chhala",
    "garam pani se nahaya, pair me chhale hain",             # a hot bath and blisters on the feet: no scald told
    "saans lete waqt seene se seeti ki awaaz aati hai",      # a whistle from the chest is wheeze, not stridor
    "sote waqt saans lete hue gale se kharrate ki awaaz",    # snoring
    "saas lete time gale me kharash hoti hai",
])
def test_their_everyday_neighbours_stay_quiet(text):
    assert not rules_fired(text, age=30)


# Second batch (emem-57..84): first missed by the rules (or caught only by the safety net), now composed.
SECOND_BATCH = [
    # WAO 2020: a bee or wasp sting (sting part + the insect) with throat tightness
    ("madhumakhiyan ne bahut dang maare, hun saare sareer te dhapad, gala band hunda lagda te chakkar",
     {"age": 42}, "anaphylaxis"),
    ("stung by a wasp on the neck, now his face is swelling up", {"age": 30}, "anaphylaxis"),
    # WHO PPH 2012: heavy bleeding (soaking a cloth) after a home delivery
    ("P3, 1 hour after home delivery, soaking a cloth every few minutes, pale and clammy, pulse 130",
     {"age": 29, "sex": "f"}, "pregnancy_bleeding"),
    # IDSA 2014 / NICE NG51: a wound turning black with fever
    ("pair ka ghaav kaala pad raha, bahut tez dard, bukhar aur chakkar", {"age": 56}, "sepsis_signs"),
]


@pytest.mark.parametrize("text", ["bee sting on my arm, red and itchy", "got stung by a wasp at the farm, small swelling"])
def test_a_local_sting_reaction_stays_quiet(text):
    assert "anaphylaxis" not in fired(text, age=30)


def test_a_meter_that_reads_a_value():
    from nlu.vitals import read_vitals

    assert [(r.measure, r.value) for r in read_vitals("he has COPD, oxygen reads 84").readings] == [("spo2", 84.0)]
    assert not read_vitals("he read 84 pages").readings


# Third batch (emem-85..102): first missed, or fired for a wrong reason, now composed.
THIRD_BATCH = [
    # mhGAP 2.0: feeling a burden with tablets stockpiled (plan and means)
    ("ससुर जी कहते हैं मैं सब पर बोझ हूँ, नींद की सारी गोलियां जमा करके रखी हैं", {"age": 72}, "suicidal_thoughts"),
    ("says he is just a burden on everyone and has been saving up his sleeping pills", {"age": 70}, "suicidal_thoughts"),
    # NICE NG133: flashing before the eyes in late pregnancy ("sir phat raha" is the headache, not a wound)
    ("9 mahine ki pregnant hai, aankhon ke aage chingariyan dikhti, sir phat raha, haath pair me jhunjhuni",
     {"age": 23, "sex": "f"}, "pregnancy_preeclampsia_signs"),
    # MoHFW snake bite STG: something unseen pricked the foot in a field, two marks, swelling
    ("khet me ghaas kaat rahi thi, pair me kuch chubha, do nishaan hain, pair sooj raha", {"age": 35}, "snake_bite"),
]


@pytest.mark.parametrize(("text", "context", "flag"), SECOND_BATCH + THIRD_BATCH)
def test_later_batches_composed(text, context, flag):
    assert flag in fired(text, **context)


@pytest.mark.parametrize(("text", "wrong"), [
    ("9 mahine ki pregnant hai, sir phat raha hai dard se", "heavy_bleeding"),           # a bursting headache
    ("bebe ji dig paye, sir te satt, khoon patla karan di goli khande ne", "electrical_injury"),  # karan: 'for'
    ("khet me kaam karte hue pair me kaanta chubha, thoda sooj gaya", "snake_bite"),     # a thorn told
    ("BP ki goliyan ek mahine ki jama karke rakhi hain", "suicidal_thoughts"),           # a month's supply
    ("chulhe se chingari udi aur haath pe laga", "pregnancy_preeclampsia_signs"),
])
def test_the_wrong_reasons_are_gone(text, wrong):
    assert wrong not in fired(text, age=60, sex="f")


# A missed period told with the time in between (RCOG GTG 21 / NICE NG126): the period word and
# "has not come" a few words apart make ``period_not_come``; with belly pain and dizziness,
# fainting, bleeding or severe pain it is a possible ectopic pregnancy, as the fixed phrase is.
@pytest.mark.parametrize(("text", "expected"), [
    ("maahvari 6 hafte ton nahi aayi, achanak pet de ik paase bahut tez dard te chakkar", True),
    ("mahwari do mahine se nahi aayi aur pet me tez dard, chakkar", True),
    ("माहवारी डेढ़ महीने से नहीं आई, पेट में एक तरफ दर्द और खून", True),
    ("ਮਾਹਵਾਰੀ ਦੋ ਮਹੀਨਿਆਂ ਤੋਂ ਨਹੀਂ ਆਈ, ਢਿੱਡ ਦਰਦ ਤੇ ਚੱਕਰ", True),
    ("my period has not come for 6 weeks, pain on one side of my belly and dizzy", True),
    ("mahwari do mahine se nahi aayi", False),  # a late period alone is no emergency
    ("ek mahine se neend nahi aayi, pet me dard aur chakkar", False),  # a month, not a period
])
def test_a_period_that_has_not_come_for_weeks_with_pain_and_dizziness(text, expected):
    assert ("possible_ectopic_pregnancy" in rules_fired(text, sex="f")) is expected
