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

NLU_DIR = Path(__file__).resolve().parent.parent / "bot" / "data" / "nlu"
INDIC = re.compile(r"[\u0900-\u0A7F]")


def generics_of(text: str) -> list[str] | None:
    found = find_medicines(text)
    return sorted(found[0].generics) if found else None


# How phone users write them: brands and generics, both scripts, the usual spelling variants
# (ए/ऐ/अ for an English a, ॉ/ੌ/ਾ for o, ि/ी, dropped or added inner vowels, nukta or not, ੈ for e).
NAMES = [
    # Devanagari brands
    ("डोलो 650", "paracetamol"), ("डोलो", "paracetamol"), ("क्रोसिन", "paracetamol"), ("कैलपोल", "paracetamol"),
    ("कॉम्बिफ्लेम", "ibuprofen+paracetamol"), ("कोम्बीफ्लेम", "ibuprofen+paracetamol"),
    ("पैन 40", "pantoprazole"), ("पैन डी", "domperidone+pantoprazole"), ("ओमेज़", "omeprazole"),
    ("ओमेज डी", "domperidone+omeprazole"), ("रेज़ो डी", "domperidone+rabeprazole"),
    ("एज़िथ्रल 500", "azithromycin"), ("एज़ी 500", "azithromycin"), ("ग्लाइकोमेट", "metformin"),
    ("टेल्मा 40", "telmisartan"), ("ऑगमेंटिन 625", "amoxicillin+clavulanic acid"),
    ("मोंटेयर एलसी", "levocetirizine+montelukast"), ("थायरोनॉर्म", "levothyroxine"),
    ("मेफ्टाल स्पास", "dicyclomine+mefenamic acid"), ("ज़ायरटेक", "cetirizine"), ("एविल", "pheniramine"),
    ("डाइजीन", "aluminium hydroxide+magnesium hydroxide+simethicone"), ("मेट्रोजिल", "metronidazole"),
    ("एलेग्रा", "fexofenadine"), ("वॉवेरान", "diclofenac"), ("ज़ीरोडोल एसपी", "aceclofenac+paracetamol+serratiopeptidase"),
    ("अल्प्रैक्स", "alprazolam"), ("इकोस्प्रिन 75", "aspirin"), ("स्टैमलो 5", "amlodipine"),
    ("ड्यूफालैक", "lactulose"), ("बीटाडीन", "povidone iodine"), ("आई पिल", "levonorgestrel"),
    # Devanagari generics
    ("पैरासिटामोल", "paracetamol"), ("पेरासिटामोल", "paracetamol"), ("पैरासीटामोल", "paracetamol"),
    ("एमोक्सिसिलिन", "amoxicillin"), ("अमोक्सीसिलिन", "amoxicillin"), ("मेटफॉर्मिन", "metformin"),
    ("मेटफोर्मिन", "metformin"), ("पैंटोप्राज़ोल", "pantoprazole"), ("पेंटोप्राजोल", "pantoprazole"),
    ("ओमेप्राजोल", "omeprazole"), ("अज़िथ्रोमाइसिन", "azithromycin"), ("एजिथ्रोमाइसिन", "azithromycin"),
    ("सेट्रिज़िन", "cetirizine"), ("सिट्रीजीन", "cetirizine"), ("इबुप्रोफेन", "ibuprofen"), ("एस्पिरिन", "aspirin"),
    ("डाइक्लोफेनाक", "diclofenac"), ("एम्लोडिपिन", "amlodipine"), ("ओआरएस", "oral rehydration salts"),
    ("डोमपेरिडोन", "domperidone"), ("एटोरवास्टेटिन", "atorvastatin"), ("आयरन", "ferrous sulphate"),
    ("हाइड्रोक्सीक्लोरोक्वीन", "hydroxychloroquine"), ("सिप्रोफ्लॉक्सासिन", "ciprofloxacin"),
    ("ग्लिमेपिराइड", "glimepiride"), ("इंसुलिन", "insulin"), ("डेक्सामेथासोन", "dexamethasone"),
    ("प्रेडनिसोलोन", "prednisolone"), ("रैनिटिडीन", "ranitidine"), ("एल्बेंडाजोल", "albendazole"),
    ("कैल्शियम", "calcium carbonate"), ("फोलिक एसिड", "folic acid"), ("मेफेनैमिक एसिड", "mefenamic acid"),
    ("विटामिन डी", "cholecalciferol"), ("फ्यूरोसेमाइड", "furosemide"), ("लेवेटिरासिटाम", "levetiracetam"),
    # Gurmukhi brands
    ("ਡੋਲੋ 650", "paracetamol"), ("ਕਰੋਸਿਨ", "paracetamol"), ("ਕੈਲਪੋਲ", "paracetamol"),
    ("ਕੌਂਬੀਫਲੇਮ", "ibuprofen+paracetamol"), ("ਪੈਨ 40", "pantoprazole"), ("ਪੈਨ ਡੀ", "domperidone+pantoprazole"),
    ("ਓਮੇਜ਼", "omeprazole"), ("ਗਲਾਈਕੋਮੈਟ", "metformin"), ("ਟੇਲਮਾ", "telmisartan"),
    ("ਔਗਮੈਂਟਿਨ", "amoxicillin+clavulanic acid"), ("ਮੌਂਟੇਅਰ ਐਲਸੀ", "levocetirizine+montelukast"),
    ("ਅਜ਼ੀਥਰਲ 500", "azithromycin"), ("ਵੋਵੇਰਾਨ", "diclofenac"), ("ਐਲੇਗਰਾ", "fexofenadine"),
    ("ਅਲੈਗਰਾ", "fexofenadine"), ("ਡਾਈਜੀਨ", "aluminium hydroxide+magnesium hydroxide+simethicone"),
    ("ਸ਼ੈਲਕਾਲ", "calcium carbonate+cholecalciferol"), ("ਜ਼ੀਰੋਡੋਲ ਐਸਪੀ", "aceclofenac+paracetamol+serratiopeptidase"),
    ("ਟੈਕਸਿਮ ਓ", "cefixime"), ("ਓਮੇਜ਼ ਡੀ", "domperidone+omeprazole"), ("ਲੈਸਿਕਸ", "furosemide"),
    # Gurmukhi generics
    ("ਪੈਰਾਸੀਟਾਮੋਲ", "paracetamol"), ("ਮੈਟਫਾਰਮਿਨ", "metformin"), ("ਮੈਟਫੋਰਮਿਨ", "metformin"),
    ("ਅਜ਼ੀਥਰੋਮਾਈਸਿਨ", "azithromycin"), ("ਅਮੋਕਸੀਸਿਲਿਨ", "amoxicillin"), ("ਸੈਟਰੀਜ਼ੀਨ", "cetirizine"),
    ("ਐਸਪਰੀਨ", "aspirin"), ("ਆਈਬਿਊਪ੍ਰੋਫ਼ੈਨ", "ibuprofen"), ("ਪੈਂਟੋਪ੍ਰਾਜ਼ੋਲ", "pantoprazole"),
    ("ਡਾਇਕਲੋਫੇਨੈਕ", "diclofenac"), ("ਐਮਲੋਡੀਪੀਨ", "amlodipine"), ("ਸਿਪ੍ਰੋਫਲੋਕਸਾਸਿਨ", "ciprofloxacin"),
    ("ਐਟੋਰਵਾਸਟੈਟਿਨ", "atorvastatin"), ("ਡੋਮਪੇਰੀਡੋਨ", "domperidone"), ("ਓ.ਆਰ.ਐਸ.", "oral rehydration salts"),
    ("ਜ਼ਿੰਕ", "zinc sulphate"), ("ਆਇਰਨ", "ferrous sulphate"), ("ਲਿਵੋਸੈਟਰੀਜ਼ੀਨ", "levocetirizine"),
    ("ਹਾਈਡ੍ਰੋਕਸੀਕਲੋਰੋਕੁਈਨ", "hydroxychloroquine"), ("ਮੈਟਰੋਨੀਡਾਜ਼ੋਲ", "metronidazole"), ("ਲੋਸਾਰਟਨ", "losartan"),
    ("ਗਲਿਮੇਪਰਾਈਡ", "glimepiride"), ("ਇਨਸੁਲਿਨ", "insulin"), ("ਪ੍ਰੈਡਨੀਸੋਲੋਨ", "prednisolone"),
    ("ਐਲਬੈਂਡਾਜ਼ੋਲ", "albendazole"), ("ਫੈਮੋਟੀਡੀਨ", "famotidine"), ("ਕਲੋਰੋਕੁਈਨ", "chloroquine"),
    ("ਐਨਾਲਾਪ੍ਰਿਲ", "enalapril"), ("ਫਿਊਰੋਸੇਮਾਈਡ", "furosemide"), ("ਵਾਰਫਰਿਨ", "warfarin"),
    ("ਟ੍ਰੈਨੈਕਸਾਮਿਕ ਐਸਿਡ", "tranexamic acid"), ("ਫੈਰਸ ਸਲਫੇਟ", "ferrous sulphate"), ("ਵਿਟਾਮਿਨ ਡੀ", "cholecalciferol"),
]


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


@pytest.mark.parametrize(("text", "name", "strength"), [
    ("डोलो 650", "Dolo 650", "650 mg"), ("ਡੋਲੋ 650", "Dolo 650", "650 mg"), ("डोलो ६५०", "Dolo 650", "650 mg"),
    ("ਡੋਲੋ ੬੫੦", "Dolo 650", "650 mg"), ("पैन 40", "Pan 40", "40 mg"), ("ਪੈਨ ੪੦", "Pan 40", "40 mg"),
    ("पैरासिटामोल 500", "Paracetamol", "500 mg"), ("ਪੈਰਾਸੀਟਾਮੋਲ", "Paracetamol", ""),
    ("एमोक्सिसिलिन 500 mg", "Amoxicillin", "500 mg"), ("ਮੈਟਫਾਰਮਿਨ 500", "Metformin", "500 mg"),
    ("ऑगमेंटिन 625", "Augmentin 625", "500 mg"), ("एज़ी 500", "Azee 500", "500 mg"),
])
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


@pytest.mark.parametrize("text", [
    "पान खाने से मुंह में छाले", "ਪਾਣੀ ਦੀ ਕਮੀ", "ਨੀਂਦ ਨਹੀਂ ਪੈਂਦੀ", "ਮੀਂਹ ਪੈਣ ਲੱਗਾ", "पेन किलर ले ली", "पैन कार्ड",
    "लूज़ मोशन हो रहे हैं", "ਲੂਜ਼ ਮੋਸ਼ਨ", "केरोसिन से जल गया", "ਕੈਰੋਸੀਨ ਨਾਲ ਸੜ ਗਿਆ", "आठवां महीना चल रहा है",
    "उम्र पैंतीस साल", "अक्सर सिर दर्द रहता है", "ਅਕਸਰ ਚੱਕਰ ਆਉਂਦੇ ਨੇ", "ਵਿਟਾਮਿਨ ਦੀ ਕਮੀ", "विटामिन बी की कमी",
    "ਸਿਰ ਦੀ ਪੀੜ", "ਗਰਮ ਤੇਲ ਡਿੱਗਣ ਨਾਲ ਹੱਥ ਸੜ ਗਿਆ", "मोक्ष", "साज़ बजाना", "अव्वल नंबर", "डाला था",
    "नाइस", "पॉज़ कर दो", "सूमो गाड़ी से आए", "डॉक्टर साहब", "ग्लूकोज़ चढ़ाया", "थायराइड की जांच",
])
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
