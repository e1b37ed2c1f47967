"""Spelling variants of the bot's NLU examples, the way people really type them (issue #19 item 5).

Messages written outside the project scored 0.85 intent accuracy while the tidy own held-out set
said 0.97: real users drop vowels ("drd", "bht"), write SMS-speak ("nhi", "rha", "kro", "h", "plz",
"u", "r"), skip nuktas, addaks and punctuation, mix a Latin word into Devanagari or Gurmukhi, and
put a greeting or a filler in front of the request. Writing every such variant by hand is endless,
so this module derives them from the hand-written examples: a few rule-based, meaning-preserving
edits per example, chosen by a random generator seeded from the example itself, so the output is
the same on every machine and run. ``scripts/noise_nlu.py`` writes it to ``bot/data/nlu/
variants.yml`` (committed, so the Rasa model's hash covers it; ``--check`` fails when stale).

Voice-note transcripts add a filler word between two words ("matlab", "like"). Only the
spelling changes (and fillers are added), never the words that carry the intent, so a variant keeps its label.
The own held-out sets (``tests/data/nlu_heldout*.yml``) are read for one thing only: a variant that
happens to equal one of their messages is dropped, so that it is never trained on.
"""

from __future__ import annotations

import hashlib
import random
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

import yaml

from config.paths import ROOT

NLU_DIR = ROOT / "bot" / "data" / "nlu"
OUTPUT = NLU_DIR / "variants.yml"
#: Share of hand-written examples that get one variant (training time grows with the examples).
SHARE = 0.5
#: Our own intents whose examples carry numbers or names a variant must not blur.
SKIP_INTENTS = frozenset({"reminder_times"})
#: Intents that are requests: a greeting or filler before them keeps the intent.
REQUEST_INTENTS = frozenset({"report_symptom", "emergency", "ask_medicine", "tell_allergy", "find_pharmacy",
                             "talk_to_doctor", "my_records", "share_records", "delete_my_data",
                             "change_language", "help"})

# SMS-speak, per written form: each word maps to the shortenings people use for it.
SMS_HI_LATN = {
    "nahi": ["nhi", "ni", "nai"], "nahin": ["nhi", "nahi"], "hai": ["h", "he", "hai"], "hain": ["h", "hai"],
    "raha": ["rha", "ra"], "rahi": ["rhi"], "rahe": ["rhe"], "karo": ["kro", "kr do"], "kar": ["kr"],
    "karna": ["krna"], "karni": ["krni"], "bahut": ["bht", "bhot", "boht"], "mujhe": ["mje", "mujhe", "muje"],
    "kya": ["kia", "kya"], "please": ["plz", "pls"], "mein": ["me", "m"], "main": ["mai", "me"],
    "kuch": ["kch", "kuchh"], "haan": ["ha", "haa"], "theek": ["thik", "thk"], "thik": ["thk"],
    "doctor": ["dr", "doc", "docter"], "dawai": ["dwai", "dawa", "davai"], "ke": ["k"], "aur": ["or", "n"],
    "hoga": ["hoga", "hogaa"], "batao": ["btao", "bta do"], "bataiye": ["btaiye", "btao"], "jaldi": ["jldi"],
    "kaise": ["kese", "kaise"], "kahan": ["kha", "kahaan"], "kab": ["kb"], "sab": ["sb"], "abhi": ["abi"],
    "bhi": ["b", "bhee"], "gaya": ["gya"], "gayi": ["gyi"], "gaye": ["gye"], "pet": ["pait"], "zyada": ["jyada"],
    "bukhar": ["bukhaar", "bukar"], "dard": ["drd", "darad"], "dekho": ["dkho"], "chahiye": ["chaiye", "chahie"],
    "pasina": ["paseena", "psina"], "sharir": ["sarir", "shareer"], "thand": ["thnd", "thandd"],
    "lagti": ["lgti"], "lagta": ["lgta"], "sath": ["saath"], "ulti": ["ultee"], "khansi": ["khasi", "khaansi"],
}
SMS_PA_LATN = {
    "nahi": ["nhi", "ni"], "nahin": ["nhi"], "hai": ["aa", "ae", "h"], "ae": ["aa", "a"], "karo": ["kro"],
    "kar": ["kr"], "bahut": ["bht", "bahot"], "mainu": ["menu", "mennu", "mnu"], "menu": ["mainu", "mnu"],
    "kiven": ["kive", "kidan"], "dasso": ["dso", "dsso"], "please": ["plz", "pls"], "ji": ["g", "ji"],
    "theek": ["thik"], "doctor": ["dr", "doc"], "dawai": ["dwai", "davai"],
    "te": ["te", "tey"], "ton": ["to", "tou"], "vich": ["ch", "vch"], "reha": ["rea", "rha"], "rahi": ["rhi"],
    "gaya": ["gya"], "gayi": ["gyi"], "kitthe": ["kithe", "kitho"], "jaldi": ["jldi"], "kuch": ["kuj", "kush"],
    "bukhar": ["bukhaar"], "dard": ["drd"], "chahidi": ["chaidi"], "chahida": ["chaida"], "karna": ["krna"],
    "paseena": ["pasina", "psina"], "pasina": ["paseena", "psina"], "sareer": ["sarir", "shreer"],
    "thand": ["thnd", "thandd"], "kamba": ["kmba", "kambaa"], "lagda": ["lgda"], "lagdi": ["lgdi"],
    "aunda": ["onda"], "hunda": ["honda"], "hun": ["hunn", "hn"], "nu": ["nu", "noo"],
}
SMS_EN = {
    "you": ["u"], "your": ["ur"], "are": ["r"], "and": ["n", "nd", "&"], "please": ["pls", "plz"],
    "what": ["wat", "wht"], "thanks": ["thnx", "thx"], "okay": ["ok", "k"], "doctor": ["dr", "doc"],
    "medicine": ["med", "medicin"], "tablet": ["tab", "tablt"], "tablets": ["tabs"], "because": ["coz", "bcoz"],
    "since": ["snce", "since"], "morning": ["mrng", "morng"], "night": ["nite"], "have": ["hv", "hav"],
    "about": ["abt"], "for": ["4"], "to": ["2", "to"], "my": ["my", "mi"],
    "very": ["v", "vry"], "know": ["knw"], "the": ["da", "the"], "days": ["dys", "days"], "with": ["wid", "w"],
    "stomach": ["stomch", "tummy"], "fever": ["fevr", "feaver"],
    "breathing": ["breathng"], "headache": ["hedache", "head ache"], "people": ["ppl"], "tomorrow": ["tmrw"],
    "chills": ["chils"], "sweating": ["sweatin", "swetting"], "feeling": ["feelin", "feelng"], "body": ["bdy"],
}
#: A few Indic words people often type in Latin inside an Indic-script message.
LATIN_IN_DEVA = {"दर्द": "dard", "बुखार": "bukhar", "दवाई": "dawai", "दवा": "dawa", "डॉक्टर": "doctor",
                 "दिन": "din", "खांसी": "khansi", "उल्टी": "ulti", "रिपोर्ट": "report", "प्लीज़": "plz",
                 "धन्यवाद": "thanks", "हाँ": "ha", "नहीं": "nhi", "है": "h", "गोली": "tablet",
                 "पसीना": "pasina", "ठंड": "thand"}
LATIN_IN_GURU = {"ਦਰਦ": "dard", "ਬੁਖਾਰ": "bukhar", "ਦਵਾਈ": "dawai", "ਡਾਕਟਰ": "doctor", "ਦਿਨ": "din",
                 "ਖੰਘ": "khangh", "ਉਲਟੀ": "ulti", "ਰਿਪੋਰਟ": "report", "ਧੰਨਵਾਦ": "thanks", "ਹਾਂ": "haan",
                 "ਨਹੀਂ": "nhi", "ਹੈ": "aa", "ਗੋਲੀ": "tablet",
                 "ਪਸੀਨਾ": "pasina", "ਠੰਡ": "thand"}
#: Colloquial spellings inside the Indic scripts.
DEVA_WORDS = {"नहीं": ["नही", "नइ"], "है": ["हे", "है"], "हैं": ["है", "हे"], "रहा": ["रा"], "क्या": ["कया", "क्या"],
              "मुझे": ["मुजे", "मुझे"], "बहुत": ["बोहत", "बहोत"], "कृपया": ["प्लीज"], "ज़्यादा": ["ज्यादा", "जादा"]}
GURU_WORDS = {"ਨਹੀਂ": ["ਨੀ", "ਨਹੀ"], "ਹੈ": ["ਆ", "ਏ"], "ਹਨ": ["ਨੇ"], "ਮੈਨੂੰ": ["ਮੈਨੂ", "ਮੇਨੂੰ"],
              "ਬਹੁਤ": ["ਬਹੋਤ", "ਬੋਹਤ"], "ਕਿਰਪਾ": ["ਪਲੀਜ਼"]}
PREFIXES = {
    "en": ["hi", "hello", "hii sir", "good morning", "so basically", "umm", "madam"],
    "hi-Latn": ["namaste ji", "hello sir", "haan ji", "ji", "bhaiya", "sir ji", "suniye"],
    "pa-Latn": ["sat sri akal ji", "ssa ji", "hello ji", "veer ji", "ji", "haanji"],
    "hi-Deva": ["नमस्ते जी", "हेलो सर", "हां जी", "सुनिए", "भैया"],
    "pa-Guru": ["ਸਤ ਸ੍ਰੀ ਅਕਾਲ ਜੀ", "ਹੈਲੋ ਜੀ", "ਵੀਰ ਜੀ", "ਹਾਂ ਜੀ"],
}
#: Words a voice-note transcript carries mid-sentence ("mujhe matlab do din se ..."): speech, not text.
VOICE_FILLERS = {"en": ["like", "you know", "actually"], "hi-Latn": ["matlab", "woh", "na"],
                 "pa-Latn": ["matlab", "haan", "haan ji"]}
NUKTA_DEVA = str.maketrans({"\u093c": None})  # nukta (after NFD: ज़ → ज)
GURU_FOLD = str.maketrans({"\u0a71": None, "\u0a3c": None})  # addak, nukta (after NFD: ਸ਼ → ਸ)
MATRA_SWAPS_DEVA = [("ी", "ि"), ("ू", "ु"), ("ँ", "ं"), ("ों", "ो")]
MATRA_SWAPS_GURU = [("ੀ", "ਿ"), ("ੂ", "ੁ"), ("ੰ", "ਂ"), ("ਾਂ", "ਾ")]
PUNCTUATION = re.compile(r"[.,!?;:।॥\"()]+")
VOWELS = set("aeiou")


def _rng(text: str, intent: str) -> random.Random:
    """A generator seeded by the example itself: the same variants on every run and machine."""
    return random.Random(int.from_bytes(hashlib.sha256(f"{intent}\0{text}".encode()).digest()[:8], "big"))


def _swap_words(words: list[str], table: dict[str, list[str]], rng: random.Random, rate: float) -> list[str]:
    return [rng.choice(table[w.lower()]) if w.lower() in table and rng.random() < rate else w for w in words]


def _drop_vowels(word: str, rng: random.Random) -> str:
    """"bukhar" → "bkhar"/"bukhr": one inner vowel dropped, as fast thumbs do (never the first letter)."""
    inner = [i for i in range(1, len(word) - 1) if word[i] in VOWELS and word[i - 1] not in VOWELS]
    if len(word) < 5 or not word.isalpha() or not inner:
        return word
    i = rng.choice(inner)
    return word[:i] + word[i + 1:]


def _latin(text: str, form: str, rng: random.Random) -> str:
    table = {"en": SMS_EN, "hi-Latn": SMS_HI_LATN, "pa-Latn": SMS_PA_LATN}[form]
    text = PUNCTUATION.sub(" ", text.lower().replace("'", "").replace("’", ""))  # "don't" → "dont"
    if form == "en":  # two-word forms first ("i am" → "im")
        text = re.sub(r"\bi am\b", lambda m: rng.choice(["im", "i am", "m"]), text)
    words = _swap_words(text.split(), table, rng, 0.7)
    drop = 0.0 if form == "en" else 0.25
    words = [_drop_vowels(w, rng) if rng.random() < drop else w for w in words]
    if rng.random() < 0.15 and words:  # "plzzz", "hiii"
        words[-1] += words[-1][-1] * rng.randint(1, 2)
    if len(words) > 3 and rng.random() < 0.12:  # a voice-note filler after the first word or two
        words.insert(rng.randint(1, 2), rng.choice(VOICE_FILLERS[form]))
    return " ".join(words)


def _indic(text: str, form: str, rng: random.Random) -> str:
    deva = form == "hi-Deva"
    words_table, latin_table = (DEVA_WORDS, LATIN_IN_DEVA) if deva else (GURU_WORDS, LATIN_IN_GURU)
    text = unicodedata.normalize("NFC", PUNCTUATION.sub(" ", text.replace("'", "")))
    words = _swap_words(text.split(), words_table, rng, 0.6)
    if rng.random() < 0.35:  # one word typed in Latin letters (mixed scripts in one message)
        mixable = [i for i, w in enumerate(words) if w in latin_table]
        if mixable:
            i = rng.choice(mixable)
            words[i] = latin_table[words[i]]
    text = " ".join(words)
    if rng.random() < 0.6:
        text = unicodedata.normalize("NFD", text).translate(NUKTA_DEVA if deva else GURU_FOLD)
        text = unicodedata.normalize("NFC", text)
    for a, b in (MATRA_SWAPS_DEVA if deva else MATRA_SWAPS_GURU):
        if a in text and rng.random() < 0.3:
            text = text.replace(a, b, 1)
    return text


def variant(text: str, intent: str, form: str) -> str:
    """One misspelt, SMS-style rewrite of ``text`` (possibly the same text when no rule applies)."""
    rng = _rng(text, intent)
    out = _latin(text, form, rng) if form in ("en", "hi-Latn", "pa-Latn") else _indic(text, form, rng)
    if intent in REQUEST_INTENTS and rng.random() < 0.2:  # a greeting or filler before the request
        out = f"{rng.choice(PREFIXES[form])} {out}"
    return re.sub(r"\s+", " ", out).strip()


def examples(nlu_dir: Path = NLU_DIR) -> Iterable[tuple[str, str, str]]:
    """(intent, form, text) for every hand-written example, in file order."""
    for path in sorted(nlu_dir.glob("*.yml")):
        if path == nlu_dir / OUTPUT.name:
            continue
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []):
            form = (block.get("metadata") or {}).get("lang")
            if "intent" not in block or form not in PREFIXES:
                continue
            for line in block["examples"].splitlines():
                if line.strip().startswith("- "):
                    yield block["intent"], form, line.strip()[2:].strip()


def phrase_key(text: str) -> str:
    """Case, punctuation and spacing folded: "Nhi ji!" and "nhi ji" are the same message."""
    return re.sub(r"[^\w]+", " ", text.lower()).strip()


def heldout_keys(data_dir: Path = ROOT / "tests" / "data") -> set[str]:
    return {phrase_key(item["text"]) for path in sorted(data_dir.glob("nlu_heldout*.yml"))
            for item in yaml.safe_load(path.read_text(encoding="utf-8")) or []}


def variants(nlu_dir: Path = NLU_DIR) -> dict[tuple[str, str], list[str]]:
    """New texts per (intent, form): about ``SHARE`` of the examples, none equal to any example
    or to a held-out message."""
    rows = list(examples(nlu_dir))
    taken = {phrase_key(text) for _, _, text in rows} | heldout_keys()
    out: dict[tuple[str, str], list[str]] = {}
    for intent, form, text in rows:
        if intent in SKIP_INTENTS or _rng(text, intent + "\0pick").random() >= SHARE:
            continue
        new = variant(text, intent, form)
        if new and phrase_key(new) not in taken:
            taken.add(phrase_key(new))
            out.setdefault((intent, form), []).append(new)
    return out


def render(generated: dict[tuple[str, str], list[str]]) -> str:
    lines = ["# Generated by scripts/noise_nlu.py from the other files here (saathi/nlu_noise.py); do not edit.",
             "# Spelling variants as people type (SMS-speak, dropped vowels, no nuktas/addaks, a Latin word in",
             "# Indic script, a greeting first); deterministic, seeded by each example. Regenerate after",
             "# changing the hand-written examples; tests/test_nlu_noise.py fails while this file is stale.",
             'version: "3.1"', "nlu:"]
    for (intent, form), texts in sorted(generated.items()):
        lines += [f"- intent: {intent}", "  metadata:", f"    lang: {form}", "  examples: |"]
        lines += [f"    - {text}" for text in texts]
    return "\n".join(lines) + "\n"
