"""Words the symptom reader must not misread (issue #16, kb helper session 15): the kitchen's gas cylinder is
no wind in the belly, a child who fell off a cot did not faint, a back wrenched while lifting is no fit. Runs
under both interpreters (nlu/ must import under Python 3.10 and 3.11)."""

from __future__ import annotations

import pytest

from nlu.symptoms import symptom_codes


@pytest.mark.parametrize("text", [
    "ਗੈਸ ਸਿਲੰਡਰ ਨੂੰ ਅੱਗ ਲੱਗ ਗਈ",
    "gas cylinder phat gaya, haath jal gaye",
    "सिलेंडर की गैस लीक हो गई, चक्कर आ रहे",
    "the gas cylinder leaked in the kitchen",
])
def test_cooking_gas_is_not_bloating(text):
    assert "bloating" not in symptom_codes(text)


@pytest.mark.parametrize("text", ["pet me gas ban rahi hai", "ਢਿੱਡ ਵਿੱਚ ਗੈਸ", "bahut gas, chulhe pe khana banate"])
def test_wind_in_the_belly_is_still_bloating(text):
    assert "bloating" in symptom_codes(text)


def test_a_fall_from_a_cot_is_not_a_faint():
    assert "fainting" not in symptom_codes("ਮੁੰਡਾ ਮੰਜੇ ਤੋਂ ਡਿੱਗ ਪਿਆ")
    assert "fainting" not in symptom_codes("palang se gir pada")
    assert "fainting" in symptom_codes("chakkar aake palang se gir pada")
    assert "fainting" in symptom_codes("ਅਚਾਨਕ ਡਿੱਗ ਪਿਆ")


def test_a_wrenched_back_is_back_pain_not_a_fit():
    codes = symptom_codes("cylinder uthate hue kamar me jhatka laga")
    assert "back_pain" in codes and "seizure" not in codes
    assert "seizure" in symptom_codes("jhatke aa rahe hain")
