"""Emergencies written from guideline case descriptions for the kinds with the fewest own cases (issue #13
item 5, tests/data/triage_wide.yml emem-*), at the red-flag layer, where each was first missed or caught
only by the safety net: postnatal pre-eclampsia (NICE NG133: it may first show after the birth) and a
thunderclap headache told as "the worst pain of my life" in Hindi and Punjabi (NICE NG228)."""

from __future__ import annotations

import pytest

from tests.support.red_flags import fired


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
