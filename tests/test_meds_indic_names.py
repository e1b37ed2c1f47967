"""Medicine names written in Devanagari and Gurmukhi (engine.meds.indic): recognised, strengths attached,
and no medicine found in ordinary Hindi/Punjabi text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from engine.meds import check_interactions, explain_medicine, indic
from engine.meds.kb import load
from engine.meds.parse import find_medicines, parse_line
from engine.pharmacy.wanted import from_text
from tests.support.phrases import phrases, rows

NLU_DIR = Path(__file__).resolve().parent.parent / "bot" / "data" / "nlu"
INDIC = re.compile(r"[\u0900-\u0A7F]")


def generics_of(text: str) -> list[str] | None:
    found = find_medicines(text)
    return sorted(found[0].generics) if found else None


# Brand and generic names as phone users write them (the table says how).
NAMES = rows("meds_indic_names", "names", 2)


@pytest.mark.parametrize(("text", "generic"), NAMES)
def test_indic_names_resolve_to_their_generic(text, generic):
    assert generics_of(text) == sorted(generic.split("+")), indic.romanise(text, load())


def test_name_list_covers_both_scripts_and_reports_recall():
    deva = [t for t, _ in NAMES if re.search(r"[\u0900-\u097F]", t)]
    guru = [t for t, _ in NAMES if re.search(r"[\u0A00-\u0A7F]", t)]
    hits = sum(generics_of(t) == sorted(g.split("+")) for t, g in NAMES)
    print(f"\nIndic names: {hits}/{len(NAMES)} resolved ({len(deva)} Devanagari, {len(guru)} Gurmukhi)")
    assert len(deva) >= 40 and len(guru) >= 40
    assert hits == len(NAMES)


@phrases("text", "name", "strength")
def test_wanted_from_indic_text_keeps_strength(text, name, strength):
    wanted = from_text(text)
    assert [(w.name, w.strength) for w in wanted] == [(name, strength)]


def test_wanted_generic_strength_in_indic_digits():
    assert [w.strength for w in from_text("पैरासिटामोल ५००")] == ["500 mg"]


def test_several_medicines_in_one_message():
    wanted = from_text("पैन 40 और सेट्रिज़िन, ਔਗਮੈਂਟਿਨ 625 ਅਤੇ ਡੋਲੋ 650")
    assert [w.name for w in wanted] == ["Pan 40", "Cetirizine", "Augmentin 625", "Dolo 650"]
    assert [m.name for m in find_medicines("क्या मैं डोलो के साथ कॉम्बिफ्लेम ले सकता हूँ")] == ["Dolo 650", "Combiflam"]


def test_prescription_line_in_indic_script():
    med = parse_line("Tab पैरासिटामोल ५०० mg 1-0-1 x 5 दिन खाने के बाद")
    assert (med.name, med.generic, med.strength, med.frequency) == ("Paracetamol", "paracetamol", "500 mg", "1-0-1")


def test_questions_and_interactions_with_indic_names():
    kb = load()
    assert kb.generic("पैरासिटामोल") == "paracetamol"
    assert kb.generic("ਅਮੋਕਸੀਸਿਲਿਨ") == "amoxicillin"
    assert kb.generic("पानी") is None
    assert explain_medicine("ਕਰੋਸਿਨ", "pa").generics == ("paracetamol",)
    assert explain_medicine("पैरासिटामोल", "hi").name == "Paracetamol"
    assert [i.effect for i in check_interactions(["एस्पिरिन", "ਆਈਬੂਪ੍ਰੋਫ਼ੇਨ"])] == ["bleeding"]


def test_latin_text_is_left_alone():
    kb = load()
    for line in ("dolo 650 aur cetirizine", "Tab Augmentn 625 BD x 5d", "Cap. Pan D 1-0-0"):
        assert indic.romanise(line, kb) == line
    assert [m.name for m in find_medicines("dolo 650")] == ["Dolo 650"]


# --- every KB name, spelled the way its phonetic key reads -------------------------------------------
_DEVA_CONSONANTS = {"k": "क", "g": "ग", "c": "च", "j": "ज़", "t": "ट", "d": "ड", "n": "न", "m": "म", "p": "प",
                    "f": "फ़", "b": "ब", "r": "र", "l": "ल", "v": "व", "s": "स", "h": "ह", "y": "य", "T": "थ",
                    "D": "द"}
_DEVA_VOWELS = {"A": ("आ", "ा"), "H": ("आ", "ा"), "E": ("ए", "े"), "I": ("इ", "ि"), "O": ("ओ", "ो"),
                "U": ("उ", "ु"), "W": ("ऑ", "ॉ"), "Q": ("ऐ", "ै"), "Y": ("आइ", "ाइ")}


def spell(key: str, short: int) -> str:
    """A Devanagari spelling of a Latin-name key (a short English a as ऐ, as people write Pan, Avil)."""
    out = ""
    for i, s in enumerate(key):
        after_consonant = i > 0 and key[i - 1] in _DEVA_CONSONANTS
        if s in _DEVA_CONSONANTS:
            out += ("\u094D" if after_consonant else "") + _DEVA_CONSONANTS[s]
        else:
            vowel = "Q" if s == "A" and indic._closed(key, i, short) else s
            out += _DEVA_VOWELS[vowel][1 if after_consonant else 0]
    return out


def to_gurmukhi(text: str) -> str:
    """Gurmukhi has no ô: ऑ/ॉ become ਓ/ੋ; everything else sits 0x100 higher."""
    text = text.replace("ऑ", "ओ").replace("ॉ", "ो")
    return "".join(chr(ord(ch) + 0x100) if "\u0900" <= ch <= "\u097F" else ch for ch in text)


def test_every_kb_name_spelled_phonetically_resolves_like_its_latin_name():
    kb = load()
    index = indic.index_for(kb)
    entries = {(e.target, e.parts): e for bucket in index.exact.values() for e in bucket}
    checked, failures = 0, []
    for entry in entries.values():
        if entry.needs_number:
            continue
        expected = [sorted(m.generics) for m in find_medicines(entry.target, kb)][:1]
        deva = " ".join(spell(p.variants[0], entry.short) for p in entry.parts)
        for text in (deva, to_gurmukhi(deva)):
            got = [sorted(m.generics) for m in find_medicines(text, kb)][:1]
            checked += 1
            if got != expected:
                failures.append((entry.target, text, got, expected))
    print(f"\nKB names spelled in both scripts: {checked - len(failures)}/{checked} resolve like the Latin name")
    assert checked > 1500
    assert not failures, failures[:20]


# --- no medicine in ordinary Hindi/Punjabi --------------------------------------------------------------
def nlu_examples(intents: set[str]) -> list[str]:
    examples = []
    for path in sorted(NLU_DIR.glob("*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            if block.get("intent") in intents:
                examples += [line[2:].strip() for line in block["examples"].splitlines() if line.startswith("- ")]
    return examples


def test_no_medicine_in_ordinary_hindi_and_punjabi_messages():
    examples = [e for e in nlu_examples({"greet", "report_symptom", "help", "out_of_scope"}) if INDIC.search(e)]
    flagged = [(e, [m.name for m in find_medicines(e)], [w.name for w in from_text(e)]) for e in examples]
    flagged = [f for f in flagged if f[1] or f[2]]
    words = {w for e in examples for w in re.findall(r"[\u0900-\u0A7F]+", e)}
    print(f"\nfalse positives: {len(flagged)}/{len(examples)} Hindi/Punjabi messages ({len(words)} distinct words)")
    for f in flagged:
        print("  ", f)
    assert len(examples) >= 100
    assert flagged == []


@phrases("text")
def test_ordinary_words_near_medicine_names_are_not_medicines(text):
    assert find_medicines(text) == [], indic.romanise(text, load())


def test_parallel_ask_medicine_examples_name_the_same_medicines():
    """ask_medicine lists each question in Devanagari/Gurmukhi and then in Latin script, in the same
    order: the Indic one must name what the Latin one names."""
    blocks = yaml.safe_load((NLU_DIR / "ask_medicine.yml").read_text(encoding="utf-8"))["nlu"]

    def lines(block):
        return [line[2:].strip() for line in block["examples"].splitlines() if line.startswith("- ")]

    pairs = []
    for i, block in enumerate(blocks):
        lang = block.get("metadata", {}).get("lang", "")
        if lang in ("hi-Deva", "pa-Guru"):
            latin = next((b for b in blocks[i + 1:] if b.get("metadata", {}).get("lang") == lang[:2] + "-Latn"), None)
            if latin:
                pairs += list(zip(lines(block), lines(latin), strict=False))
    named = [(x, y) for x, y in pairs if find_medicines(y) and INDIC.search(x)]
    same = [(x, y) for x, y in named if [m.name for m in find_medicines(x)] == [m.name for m in find_medicines(y)]]
    print(f"\nask_medicine: {len(same)}/{len(named)} Indic questions name the same medicines as their Latin twin")
    assert len(named) >= 30
    assert len(same) >= 0.9 * len(named), sorted(set(named) - set(same))
