"""Property tests of the vital-sign reader (nlu/vitals.py): it never raises on any text, a number
reads the same in Latin, Devanagari and Gurmukhi digits, and whatever surrounds a reading, an
implausible value is never used as one."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from nlu.red_flags import detect_red_flags
from nlu.vitals import assess, data, read_vitals

DEVANAGARI = str.maketrans("0123456789", "०१२३४५६७८९")
GURMUKHI = str.maketrans("0123456789", "੦੧੨੩੪੫੬੭੮੯")
KEYWORDS = {
    "temperature": ["temp", "T", "तापमान", "ਤਾਪਮਾਨ", "bukhar", "ਬੁਖਾਰ"],
    "pulse": ["pulse", "P", "नब्ज़", "ਨਬਜ਼"],
    "resp_rate": ["RR", "saans", "ਸਾਹ"],
    "spo2": ["SPO2", "oxygen", "ऑक्सीजन", "ਆਕਸੀਜਨ"],
    "glucose": ["sugar", "RBS", "शुगर", "ਸ਼ੂਗਰ"],
    "bp": ["BP", "बीपी", "ਬੀਪੀ"],
}
# Everything people type: any script, digits of any kind, punctuation, units, emoji.
ANY_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80) | st.lists(
    st.sampled_from([w for ws in KEYWORDS.values() for w in ws]
                    + ["°F", "%", "/", "mg/dl", "mmol", "1040", "१०४", "੧੦੪", "103.5", "1,040", "160/110",
                       "din", "saal", "mahine", "hai", " ", ",", "0", "99999999999999999999", "1e9"]),
    max_size=12).map(" ".join)


@settings(max_examples=400, deadline=None)
@given(ANY_TEXT, st.one_of(st.none(), st.floats(0, 110)), st.booleans())
def test_never_raises_and_only_uses_plausible_values(text, age, pregnant):
    vitals = read_vitals(text)
    bounds = data()["plausible"]
    for reading in vitals.readings:
        for measure, value in reading.values().items():
            key = {"temperature": "temperature_c", "glucose": "glucose_mgdl"}.get(measure, measure)
            assert bounds[key][0] <= value <= bounds[key][1], (text, reading)
    facts = {"pregnant"} if pregnant else set()
    for finding in assess(vitals, facts, age):
        assert finding.level in ("urgent", "emergency") and finding.reason
    detect_red_flags(text, age=age, pregnant=pregnant)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(KEYWORDS)), st.data())
def test_indic_digits_read_exactly_like_latin_digits(measure, draw):
    keyword = draw.draw(st.sampled_from(KEYWORDS[measure]))
    if measure == "bp":
        high = draw.draw(st.integers(60, 260))
        number = f"{high}/{draw.draw(st.integers(30, high - 1))}"
    else:
        number = str(draw.draw(st.integers(0, 2000)))
        if draw.draw(st.booleans()):
            number += "." + str(draw.draw(st.integers(0, 9)))
    latin = read_vitals(f"{keyword} {number}")
    for table in (DEVANAGARI, GURMUKHI):
        other = read_vitals(f"{keyword} {number.translate(table)}")
        assert [(r.measure, r.value, r.second, r.shown) for r in other.readings] == \
               [(r.measure, r.value, r.second, r.shown) for r in latin.readings]
        assert [(i.measure, i.shown) for i in other.implausible] == [(i.measure, i.shown) for i in latin.implausible]


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(KEYWORDS)), st.integers(0, 5000),
       st.text(alphabet=st.characters(blacklist_categories=("Cs", "Nd")), max_size=30))
def test_a_reading_is_its_written_value(measure, value, tail):
    """A reading's value is the number written (no unit conversion for these), whatever words follow."""
    for reading in read_vitals(f"{KEYWORDS[measure][0]} {value} {tail}").readings:
        if reading.measure in ("pulse", "resp_rate", "spo2", "bp"):
            assert reading.value == value
