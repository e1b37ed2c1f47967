"""Places match across Latin, Devanagari and Gurmukhi without listing each spelling (issue #19 item 4)."""

from __future__ import annotations

import csv
import random
import re

import pytest
import yaml

from config.paths import ROOT
from engine.asha import villages
from engine.pharmacy import geo
from engine.placenames import gurmukhi_to_devanagari, same_place, sound_key
from engine.surveillance import places

TABLES = {ROOT / "data" / "pharmacy" / "gazetteer.tsv": "name", ROOT / "data" / "surveillance" / "places.tsv": "village"}


def _rows(path):
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader((line for line in handle if not line.startswith("#")), delimiter="\t"))


@pytest.mark.parametrize(("a", "b"), [
    ("Dhuri", "धूरी"), ("Dhuri", "ਧੂਰੀ"), ("धूरी", "ਧੂਰੀ"), ("dhoori", "ਧੂਰੀ"), ("DHURI.", "Dhuri"),
    ("Sangrur", "ਸੰਗਰੂਰ"), ("sangroor", "संगरूर"), ("Ludhiana", "ਲੁਧਿਆਣਾ"), ("ludhiyana", "लुधियाना"),
    ("Khanna", "ਖੰਨਾ"), ("Malerkotla", "ਮਾਲੇਰਕੋਟਲਾ"), ("Malerkotla", "मलेरकोटला"), ("Bhawanigarh", "ਭਵਾਨੀਗੜ੍ਹ"),
    ("Bhawanigarh", "भवानीगढ़"), ("Firozpur", "ਫ਼ਿਰੋਜ਼ਪੁਰ"), ("Sherpur", "ਸ਼ੇਰਪੁਰ"), ("Patiala", "ਪਟਿਆਲਾ"),
    ("patiyala", "पटियाला"), ("Amritsar", "ਅੰਮ੍ਰਿਤਸਰ"), ("Amritsar", "अमृतसर"), ("Mullanpur", "ਮੁੱਲਾਂਪੁਰ"),
    ("Jagraon", "जगरांव"), ("Raikot", "रायकोट"), ("Lehragaga", "ਲਹਿਰਾਗਾਗਾ"),
])
def test_spellings_of_one_place_share_a_key(a, b):
    assert same_place(a, b), (sound_key(a), sound_key(b))


@pytest.mark.parametrize(("a", "b"), [("Khanna", "khana"), ("Dhuri", "Duri"), ("Sunam", "Sangrur"),
                                      ("Barnala", "Bathinda"), ("ਧੂਰੀ", "ਧਾਰੀ"), ("", "")])
def test_different_names_do_not(a, b):
    assert not same_place(a, b)


def test_gurmukhi_becomes_devanagari_with_tippi_and_addak():
    assert gurmukhi_to_devanagari("ਸੰਗਰੂਰ") == "संगरूर"
    assert gurmukhi_to_devanagari("ਮੁੱਲਾਂਪੁਰ") == "मुल्लांपुर"


@pytest.mark.parametrize("table", TABLES)
def test_every_script_spelling_the_tables_list_is_found_by_sound_alone(table):
    """The hand-listed Devanagari and Gurmukhi aliases are no longer needed to match, and no two
    places of a table share a key."""
    rows = _rows(table)
    name = TABLES[table]
    for row in rows:
        spellings = [row[name], *row["aliases"].split("|")]
        latin = {sound_key(s) for s in spellings if not re.search("[\u0900-\u0a7f]", s)}
        for alias in spellings:
            if re.search("[\u0900-\u0a7f]", alias):
                assert sound_key(alias) in latin, (row[name], alias)
    keys = [sound_key(row[name]) for row in rows]
    assert len(set(keys)) == len(keys)


@pytest.mark.parametrize(("text", "town"), [
    ("mai dhoori se hu", "Dhuri"), ("ਮੈਂ ਸਂਗਰੂਰ ਤੋਂ ਹਾਂ", "Sangrur"), ("गांव लुधीयाना", "Ludhiana"),
    ("near bhavanigarh", "Bhawanigarh"), ("ਲੁਧਿਆਨਾ", "Ludhiana"), ("sunaam", "Sunam"),
])
def test_a_town_is_located_from_a_spelling_the_gazetteer_does_not_list(text, town):
    assert not any(alias in text.lower().split() for p in geo.places() for alias in p.aliases)
    where = geo.locate(text)
    assert where is not None and where.label == town and where.source == "place"


def test_surveillance_resolves_unlisted_spellings():
    assert places.resolve("ਧੂਰੀ").village == places.resolve("dhoori").village == "Dhuri"
    assert places.resolve("सुनाम").village == "Sunam"
    assert places.resolve("Atlantis") is None


def test_no_training_message_is_taken_for_a_place_it_does_not_name():
    """Every Hindi/Punjabi/English NLU example: a place found by sound must be one the text names."""
    names = {p.name for p in geo.places()}
    found = []
    for path in sorted((ROOT / "bot" / "data" / "nlu").rglob("*.yml")):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []):
            for line in str(block.get("examples", "")).splitlines():
                text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", line.strip().removeprefix("- "))
                place = geo._place_by_sound(text)
                if place is not None:
                    found.append((text, place.name))
    # whole words in every script: \w alone splits Devanagari and Gurmukhi at their vowel signs (combining marks)
    wrong = [(text, name) for text, name in found
             if not any(same_place(word, name) for word in re.findall(r"[\w\u0900-\u097f\u0a00-\u0a7f]+", text))]
    assert not wrong and names


_SYLLABLES = {"k": "ਕ", "g": "ਗ", "t": "ਤ", "d": "ਦ", "p": "ਪ", "b": "ਬ", "m": "ਮ", "l": "ਲ", "s": "ਸ", "r": "ਰ"}
_VOWELS = {"i": "ਿ", "u": "ੁ", "o": "ੋ", "e": "ੇ"}


def _random_village() -> tuple[str, str]:
    """A made-up village name in Latin letters and in Gurmukhi (unique enough for a shared database)."""
    pairs = [(random.choice(list(_SYLLABLES)), random.choice(list(_VOWELS))) for _ in range(5)]
    return "".join(c + v for c, v in pairs), "".join(_SYLLABLES[c] + _VOWELS[v] for c, v in pairs)


pytest_plugins = ["tests.asha_fixtures"]


def test_an_emergency_reaches_the_asha_whose_area_is_written_in_another_script(asha):
    """Her area says the village in Gurmukhi; the patient's profile in Latin letters: she is told."""
    import uuid

    from tests.support.asha import new_phone, verified_worker

    latin, gurmukhi = _random_village()
    assert same_place(latin, gurmukhi)
    area_asha = verified_worker(asha, new_phone(), language="pa", village=gurmukhi)
    other = verified_worker(asha, new_phone(), language="pa", village=_random_village()[1])
    assert villages.same_village(latin.upper(), asha.villages(area_asha.user_id)) == [villages.key(gurmukhi)]
    responders = {r.asha_id for r in asha.responders(uuid.uuid4(), latin.capitalize())}
    assert area_asha.user_id in responders and other.user_id not in responders
