"""Symptom extraction: every language, script and spelling mapped to the contract's symptom codes.

Three passes over the tokens: (1) lexicon phrases from ``data/symptom_lexicon.tsv``, longest first,
with typo correction (``nlu.matcher``); (2) "body part + pain word" and "creature + bite word" in
either order for what the lexicon does not list verbatim ("dard sir me", "saanp ne pair pe kaata");
(3) negation (``nlu.negation``). Qualified forms ("khoon ki ulti", "sukhi khansi") are phrases of their own, so
the longer match wins over the bare symptom and only the specific code is reported; ``implies`` in
``data/symptoms.tsv`` names the general code (dry_cough -> cough) for ``with_implied_codes`` and the
red-flag rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from nlu.danger_parts import clause_breaks
from nlu.matcher import PhraseMatch, PhraseMatcher
from nlu.negation import clause_ids, negation_flags, word_set
from nlu.numbers import after_number_unit_keys, find_numbers, time_unit_keys
from nlu.resources import DATA_DIR, filler_words, protected_words, read_tsv, unstemmed_words, word_list
from nlu.text import Token, normalize, phrase_key, tokenize

BODY_PAIN_WINDOW = 2  # content words (fillers such as "bahut" not counted) between body part and pain
#: Body parts (by their pain code) whose swelling is a finding of its own, and that finding: a swollen testicle
#: is the same emergency as a painful one; a hot swollen knee is a swollen joint (septic arthritis, gout); a red
#: hot swollen leg is a swollen leg (cellulitis, DVT); a swollen breast is breast pain's finding (mastitis).
SWELLING_FINDINGS = {
    "testicular_pain": "testicular_pain",
    "joint_pain": "joint_swelling",
    "leg_pain": "swelling_legs",
    "breast_pain": "breast_pain",
}
BITE_WINDOW = 4  # content words between a creature and a bite word ("sapp ne bapu de pair te dang maareya")


@dataclass(frozen=True)
class Symptom:
    """A canonical symptom with display names for asking about it, and the codes it implies."""

    code: str
    en: str
    hi: str
    pa: str
    implies: tuple[str, ...] = ()

    def name(self, language: str) -> str:
        return getattr(self, language, None) or self.en


@dataclass(frozen=True)
class SymptomMention:
    """A symptom found in text; ``start``/``end`` are character offsets into the original text."""

    code: str
    start: int
    end: int
    text: str
    negated: bool
    confidence: float = 1.0


@lru_cache(maxsize=1)
def catalogue() -> dict[str, Symptom]:
    """All symptom codes from ``data/symptoms.tsv``, in file order."""
    return {
        row["code"]: Symptom(
            row["code"], row["en"], row["hi"], row["pa"], tuple(c for c in row.get("implies", "").split() if c)
        )
        for row in read_tsv(DATA_DIR / "symptoms.tsv")
    }


@lru_cache(maxsize=1)
def lexicon_rows() -> list[tuple[str, str, str]]:
    """``(code, language, form)`` for every surface form in ``data/symptom_lexicon.tsv``."""
    rows = []
    for row in read_tsv(DATA_DIR / "symptom_lexicon.tsv"):
        rows.extend((row["code"], row["lang"], form.strip()) for form in row["forms"].split("|") if form.strip())
    return rows


@lru_cache(maxsize=1)
def _lexicon() -> PhraseMatcher:
    return PhraseMatcher(((code, form) for code, _, form in lexicon_rows()), protected_words(), fillers=filler_words(),
                         unstemmed=unstemmed_words())


@lru_cache(maxsize=1)
def _body_parts() -> PhraseMatcher:
    return PhraseMatcher(
        ((code, form) for code, forms in word_list("body_parts").items() for form in forms), protected_words()
    )


@lru_cache(maxsize=1)
def _pain_words() -> PhraseMatcher:
    return PhraseMatcher((("pain", form) for form in word_list("words")["pain"]), fuzzy=False)


@lru_cache(maxsize=1)
def _creatures() -> PhraseMatcher:
    # Exact only: a typo-tolerant "saanp" would swallow "saans" (breath).
    return PhraseMatcher(
        ((code, form) for code, forms in word_list("creatures").items() for form in forms), fuzzy=False
    )


@lru_cache(maxsize=1)
def _bite_words() -> PhraseMatcher:
    return PhraseMatcher((("bite", form) for form in word_list("words")["bite"]), fuzzy=False)


@lru_cache(maxsize=1)
def _negator_words() -> frozenset[str]:
    lists = word_list("words")
    return frozenset(key for kind in ("neg_pre", "neg_post", "neg_recovered", "neg_without") for form in lists[kind] for key in phrase_key(form))


@lru_cache(maxsize=1)
def _neg_pre_words() -> frozenset[str]:
    """One-word negators said before what they deny ("not", "no", "na", the "t" of "didn't"); the "nahi" of "koi
    nahi" is said after."""
    keys = [phrase_key(form) for form in word_list("words")["neg_pre"]]
    return frozenset(key[0] for key in keys if len(key) == 1) | {key[-1] for key in keys if key[-1] == "t"}


def _pairs(
    text: str,
    tokens: Sequence[Token],
    anchors: list[PhraseMatch],
    cues: list[PhraseMatch],
    window: int,
    uncounted: frozenset[str] = frozenset(),
) -> list[PhraseMatch]:
    """Pair each cue (pain word, bite word) with the nearest free anchor in the same clause.

    The anchor's label (a body part's or creature's symptom code) is reported over both spans. Only
    ``window`` content words (fillers such as "bahut", "ne" not counted, nor ``uncounted``) may stand
    between them.
    """
    if not anchors or not cues:
        return []
    clause = clause_ids(text, tokens)
    fillers = filler_words() | uncounted
    negators = _negator_words()
    found: list[PhraseMatch] = []
    taken: set[int] = set()
    for cue in cues:
        best = None
        for index, anchor in enumerate(anchors):
            if index in taken or clause[anchor.first] != clause[cue.first]:
                continue
            if anchor.first <= cue.last and cue.first <= anchor.last:
                continue
            between = range(anchor.last + 1, cue.first) if anchor.last < cue.first else range(cue.last + 1, anchor.first)
            gap = sum(1 for i in between if tokens[i].key not in fillers)
            if gap <= window and (best is None or gap < best[0]):
                best = gap, index
        if best is not None:
            anchor = anchors[best[1]]
            taken.add(best[1])
            first, last = min(anchor.first, cue.first), max(anchor.last, cue.last)
            between = [tokens[i].key for i in range(first, last + 1) if tokens[i].key in negators]
            if between:
                # Keep the negator outside the span so negation sees it: "saanp ne nahi kaata" keeps the part
                # before a negator that follows (nahi), "my knee is not swollen" the part after one that precedes.
                earlier, later = sorted(((anchor.first, anchor.last), (cue.first, cue.last)))
                first, last = later if between[-1] in _neg_pre_words() else earlier
            found.append(PhraseMatch(anchor.label, first, last, anchor.score))
    return found


@lru_cache(maxsize=1)
def _swelling_words() -> PhraseMatcher:
    return PhraseMatcher((("swelling", form) for form in word_list("words")["swelling"]), fuzzy=False)


@cache
def _pain_place_keys() -> frozenset[str]:
    """Words that place or grade a pain within its body part ("ik paase", "left side", "tez"): they say which
    part of the belly hurts and how much, so they do not count against ``BODY_PAIN_WINDOW``; with them
    counted, "achanak pet de ik paase bahut tez dard" (sudden, very sharp pain on one side of the belly,
    an ectopic pregnancy's story) was not read as belly pain at all."""
    return word_set("pain_place") | _qualifier_keys("side_right") | _qualifier_keys("side_lower")


def _body_pain(text: str, tokens: Sequence[Token], used: list[bool]) -> list[PhraseMatch]:
    """A free pain word near a body part ("dard sir me"); a body part may serve twice ("akh laal aa te dukhdi vi aa").

    A swelling word near a part in ``SWELLING_FINDINGS`` yields that part's swelling finding ("knee suddenly
    hot, swollen and very painful": a swollen joint as well as joint pain). Commas do not part a body part from
    its swelling: "leg red, hot, swollen" lists what the leg is like. A swelling and an "and" told between a part and
    its pain do not count against the window ("big toe swollen and very painful"); a comma still parts a part from a
    pain (joined, it cost three outside_clinical specialist answers with the scorer alone, 0.897 -> 0.879).
    """
    parts = _body_parts().find(tokens)
    swelling_words = _swelling_words().find(tokens, skip=used)
    # a swelling and an "and" between a part and its pain say more of the same part: "toe swollen and very painful"
    listed = frozenset(tokens[i].key for m in swelling_words for i in range(m.first, m.last + 1)) | word_set("and_word")
    found = _pairs(text, tokens, parts, _pain_words().find(tokens, skip=used), BODY_PAIN_WINDOW,
                   _pain_place_keys() | listed)
    taken = list(used)
    for match in found:
        taken[match.first : match.last + 1] = [True] * (match.last - match.first + 1)
    swollen = [
        p for p in parts
        if p.label in SWELLING_FINDINGS and (SWELLING_FINDINGS[p.label] != p.label or not any(taken[p.first : p.last + 1]))
    ]
    swellings = _pairs(text.replace(",", " "), tokens, swollen, swelling_words, BODY_PAIN_WINDOW, _pain_place_keys())
    return found + [PhraseMatch(SWELLING_FINDINGS[m.label], m.first, m.last, m.score) for m in swellings]


@cache
def _spelled(name: str) -> frozenset[str]:
    """A words.tsv list as spelled (normalised, not folded to match keys: "raat" must not become "rat")."""
    return frozenset(normalize(form) for form in word_list("words")[name])


def _creature_bite(text: str, tokens: Sequence[Token], used: list[bool]) -> list[PhraseMatch]:
    """A free bite/sting word near a creature, whatever lies between ("saanp ne mere pair pe kaata").

    Not a creature: a word that only folds onto one ("raat", night, is the key of "rat": "kal raat"); not a bite:
    a bite word that is a number before a count or a time ("das var", ten times: Hindi/Punjabi "das" is both
    ten and to bite). "kal raat ton das var ulti" (ten vomits since last night) was an animal bite."""
    homographs = _spelled("not_creature")
    creatures = [m for m in _creatures().find(tokens) if not any(used[m.first : m.last + 1])
                 and not any(normalize(t.text) in homographs for t in tokens[m.first : m.last + 1])]
    if not creatures:
        return []
    counted = word_set("count_word") | time_unit_keys()
    numbers = {n.last for n in find_numbers(tokens) if n.first == n.last}
    bites = [m for m in _bite_words().find(tokens, skip=used)
             if not (m.first == m.last and m.last in numbers and m.last + 1 < len(tokens)
                     and tokens[m.last + 1].key in counted)]
    return _pairs(text, tokens, creatures, bites, BITE_WINDOW)


#: Findings told by two words a few words apart, whatever stands between them (a medicine's name):
#: (code, words.tsv list of the anchor, words.tsv list of the cue, content words allowed between).
PAIRED_FINDINGS = (("new_medicine", "medicine_word", "medicine_start", 3),)


@cache
def _word_matcher(name: str, label: str) -> PhraseMatcher:
    return PhraseMatcher(((label, form) for form in word_list("words")[name]), fuzzy=False)


def _paired_findings(text: str, tokens: Sequence[Token], used: list[bool]) -> list[PhraseMatch]:
    """Findings of ``PAIRED_FINDINGS``: "ਬੀਪੀ ਦੀ ਗੋਲੀ amlodipine ਸ਼ੁਰੂ ਕੀਤੀ" (started a BP tablet, named) is a new
    medicine whatever the medicine is called; no lexicon can list every brand between the two words."""
    found: list[PhraseMatch] = []
    for code, anchor, cue, window in PAIRED_FINDINGS:
        anchors = [m for m in _word_matcher(anchor, code).find(tokens) if not any(used[m.first : m.last + 1])]
        found += _pairs(text, tokens, anchors, _word_matcher(cue, "cue").find(tokens, skip=used), window)
    return found


SUGAR_LOW_WINDOW = 4  # tokens after "sugar" that may carry "kam"/"low"/a low reading
BLEEDING_SITES = (("site_stool", "bloody_stool"), ("site_vomit", "blood_in_vomit"), ("site_sputum", "blood_in_sputum"))
LOW_SUGAR_READING = 70  # mg/dL: below this a reported reading is low sugar (ADA level 1 hypoglycaemia)


@cache
def _qualifier_keys(name: str) -> frozenset[str]:
    return frozenset(key for form in word_list("qualifiers")[name] for key in phrase_key(form))


def _duration(keys: Sequence[str], i: int) -> bool:
    """Whether the number at ``i`` counts time ("15 years", "10 saal se", "for 6 months"): a
    diabetic's years with the disease are not a sugar reading (ADA Standards of Care 2024, section 6,
    defines hypoglycaemia by a measured glucose only)."""
    return i + 1 < len(keys) and keys[i + 1] in after_number_unit_keys()


@cache
def _age_word_keys() -> frozenset[str]:
    """One-word age labels ("aged", "age", "umar", "उम्र", "ਉਮਰ") from the slot lexicon's ``age_strong``."""
    keys = (phrase_key(form) for form in word_list("slots")["age_strong"])
    return frozenset(key[0] for key in keys if len(key) == 1)


def _stated_age(keys: Sequence[str], i: int) -> bool:
    """Whether the number at ``i`` follows an age label ("diabetic aged 24", "sugar ki bimari, umar 45"):
    a person's age, not a glucose value (ADA Standards of Care 2024, section 6). Only the word before
    counts: in "sugar 45, age 60" the 45 is still a reading."""
    return i > 0 and keys[i - 1] in _age_word_keys()


def _qualified(text: str, tokens: Sequence[Token], matches: list[PhraseMatch]) -> list[PhraseMatch]:
    """Make general codes specific when qualifier words say so.

    "sugar" is read as high_blood_sugar (the usual meaning of "sugar hai"), so "sugar bahut kam ho
    gayi", "शुगर गिर गयी", "sugar 45" become low_blood_sugar whatever the spelling of the verb; and
    belly pain with a right-side and a lower word in the same clause ("pet ke daayi taraf neeche dard")
    becomes right_lower_abdominal_pain, the appendicitis pattern; bleeding in a clause that names the
    stool, vomit or cough ("dast me khoon aa raha") is that sign, not heavy bleeding.
    """
    clause = clause_ids(text, tokens)
    keys = [token.key for token in tokens]
    low, lowering, right, lower = (
        _qualifier_keys(name) for name in ("sugar_low", "sugar_lowering", "side_right", "side_lower")
    )
    result = []
    for match in matches:
        label = match.label
        if label == "high_blood_sugar":
            after = [
                i for i in range(match.first, min(len(keys), match.last + 1 + SUGAR_LOW_WINDOW))
                if clause[i] == clause[match.first]
            ]
            before = [match.first - 1] if match.first and clause[match.first - 1] == clause[match.first] else []
            around = range(max(0, match.first - SUGAR_LOW_WINDOW), min(len(keys), match.last + 1 + SUGAR_LOW_WINDOW))
            if not any(keys[i] in lowering for i in around) and (
                any(keys[i] in low for i in after + before)
                or any(
                    keys[i].isdigit() and int(keys[i]) < LOW_SUGAR_READING
                    and not _duration(keys, i) and not _stated_age(keys, i) for i in after
                )
            ):
                label = "low_blood_sugar"
        elif label == "bleeding":
            same = {keys[i] for i in range(len(keys)) if clause[i] == clause[match.first]}
            for site, code in BLEEDING_SITES:
                if same & _qualifier_keys(site):
                    label = code
                    break
        elif label == "abdominal_pain":
            same = {keys[i] for i in range(len(keys)) if clause[i] == clause[match.first]}
            if same & right and same & lower:
                label = "right_lower_abdominal_pain"
        result.append(match if label == match.label else PhraseMatch(label, match.first, match.last, match.score))
    return result


def _without_pain_character(tokens: Sequence[Token], matches: list[PhraseMatch]) -> list[PhraseMatch]:
    """Drop a match that only says what a following pain is like: "dull" is lethargy about a child
    ("bachcha dull hai") but the character of the pain in "dull ache", "dull headache", "dull
    abdominal pain", "very dull pain" (``pain_character`` in words.tsv; other character words may
    stand between)."""
    character = word_set("pain_character")
    fillers = filler_words()
    keys = [token.key for token in tokens]
    pain_starts = {m.first for m in _pain_words().find(tokens)}
    symptoms = catalogue()
    pain_starts |= {
        m.first for m in matches
        if m.label in symptoms and any(word in symptoms[m.label].en for word in ("pain", "ache"))
    }

    def describes_pain(match: PhraseMatch) -> bool:
        words = keys[match.first : match.last + 1]
        if not all(word in character or word in fillers for word in words) or not set(words) & character:
            return False
        after = match.last + 1
        while after < len(keys) and keys[after] in character and after not in pain_starts:
            after += 1
        return after in pain_starts

    return [m for m in matches if not describes_pain(m)]


#: Findings that only say how a complaint began: they are the patient's when the clause is about the patient.
ONSET_CODES = frozenset({"sudden_onset", "gradual_onset"})

#: Findings that name an episode already over: recovery told after one ("pichle hafte bukhar tha, ab theek
#: hai") confirms it (nlu/negation.py, ``neg_recovered``); read as denied it hid a recent infection.
PAST_EPISODE_CODES = frozenset({"recent_infection", "recent_surgery", "recent_delivery", "recent_vaccination"})


#: Words after an improving word within which a negator makes it no recovery ("theek to bilkul nahi ho raha").
RECOVERY_NEGATOR_REACH = 5


def past_episode_spans(matches: Sequence[PhraseMatch]) -> list[tuple[int, int]]:
    """Token spans of the matches that name a past episode (:data:`PAST_EPISODE_CODES`)."""
    return [(m.first, m.last) for m in matches if m.label in PAST_EPISODE_CODES]


def _without_recovery_onset(text: str, tokens: Sequence[Token], matches: list[PhraseMatch]) -> list[PhraseMatch]:
    """Drop an onset finding ("dheere dheere", "slowly") whose clause tells of getting better: "dheere dheere
    theek ho raha" is a slow recovery, not a complaint that began gradually (``improving`` in words.tsv; an
    improving word followed by a negator, "theek nahi", is no recovery)."""
    if not any(m.label in ONSET_CODES for m in matches):
        return matches
    keys = [token.key for token in tokens]
    improving, negators = word_set("improving"), _single_negators()
    clause = clause_ids(text, tokens, clause_breaks(tokens))
    better = {
        clause[i] for i, key in enumerate(keys)
        if key in improving and not set(keys[i + 1 : i + 1 + RECOVERY_NEGATOR_REACH]) & negators
    }
    return [m for m in matches if m.label not in ONSET_CODES or clause[m.first] not in better]


@lru_cache(maxsize=1)
def _single_negators() -> frozenset[str]:
    """One-word negators ("nahi", "not", "ਨਹੀਂ"): the words of multi-word cues ("nahi ho raha") would make
    every "ho" and "raha" one."""
    lists = word_list("words")
    forms = (phrase_key(form) for kind in ("neg_pre", "neg_post") for form in lists[kind])
    return frozenset(words[0] for words in forms if len(words) == 1)


def _without_medicine_meal(tokens: Sequence[Token], matches: list[PhraseMatch]) -> list[PhraseMatch]:
    """Drop pain_after_food whose "eating" is of a medicine: in Hindi and Punjabi a tablet is eaten ("goli
    khane ke baad bhi dard", pain even after taking a tablet), so a medicine word right before the match
    (``medicine_word`` in words.tsv) makes it no meal. Dropped before the body-pain pass, so a belly named
    in it is still read ("dawai khane ke baad pet dard")."""
    medicine = word_set("medicine_word")
    keys = [token.key for token in tokens]
    return [
        m for m in matches
        if m.label != "pain_after_food" or not (m.first and keys[m.first - 1] in medicine)
    ]


#: How far (tokens) from a bloating word a cooking-gas word makes it the kitchen's gas: "gas cylinder",
#: "cylinder ki gas", "gas ka cylinder phat gaya".
COOKING_GAS_REACH = 2


def _without_cooking_gas(text: str, tokens: Sequence[Token], matches: list[PhraseMatch]) -> list[PhraseMatch]:
    """Drop bloating whose "gas" is the kitchen's: a cooking-gas word (``cooking_gas`` in words.tsv: cylinder,
    LPG, leak, stove, chulha) within :data:`COOKING_GAS_REACH` tokens of it in the same clause ("bahut gas,
    chulhe pe khana banate" keeps its wind). "ਗੈਸ ਸਿਲੰਡਰ ਨੂੰ ਅੱਗ ਲੱਗ ਗਈ" (the gas
    cylinder caught fire) told of a burn was read as wind, and an airway burn ranked beside flatulence (issue
    #16); LPG is the fuel of most Indian kitchens (NFHS-5, 2019-21), so its words mean the fuel, not the belly."""
    if not any(m.label == "bloating" for m in matches):
        return matches
    kitchen = word_set("cooking_gas")
    keys = [token.key for token in tokens]
    clause = clause_ids(text, tokens)

    def of_kitchen(match: PhraseMatch) -> bool:
        near = range(max(0, match.first - COOKING_GAS_REACH), min(len(keys), match.last + 1 + COOKING_GAS_REACH))
        return match.label == "bloating" and any(
            keys[i] in kitchen and clause[i] == clause[match.first] for i in near)

    return [m for m in matches if not of_kitchen(m)]


def _without_fall_from(text: str, tokens: Sequence[Token], matches: list[PhraseMatch]) -> list[PhraseMatch]:
    """Drop a fainting read from a bare "fell down" (``bare_fall`` in words.tsv: "gir pada", "ਡਿੱਗ ਪਿਆ") told with
    the place it fell from right before it (``fall_from``: "palang se", "ਮੰਜੇ ਤੋਂ"): a child who fell off a cot
    and cried at once had a fall, not a faint (NICE NG232 asks whether consciousness was lost; ESC 2018 Syncope:
    a faint is a loss of consciousness, not any fall). A dizziness told in the same clause keeps the faint
    ("chakkar aake palang se gir pada")."""
    if not any(m.label == "fainting" for m in matches):
        return matches
    bare = {tuple(phrase_key(form)) for form in word_list("words")["bare_fall"]}
    source = word_set("fall_from")
    keys = [token.key for token in tokens]
    clause = clause_ids(text, tokens)
    dizzy = {clause[m.first] for m in matches if m.label in ("dizziness", "vertigo")}

    def fall_from(match: PhraseMatch) -> bool:
        return (match.label == "fainting" and tuple(keys[match.first : match.last + 1]) in bare
                and match.first >= 2 and keys[match.first - 1] in source and clause[match.first] not in dizzy)

    return [m for m in matches if not fall_from(m)]


def _without_others_onset(text: str, tokens: Sequence[Token], matches: list[PhraseMatch]) -> list[PhraseMatch]:
    """Drop an onset finding ("suddenly", "achanak") whose clause tells of a death and names no other finding:
    "an uncle died suddenly at 30" is a family history of sudden death, and read as the patient's sudden
    onset it made a fainting athlete's story look like a stroke or a bleed (issue #16)."""
    onsets = [m for m in matches if m.label in ONSET_CODES]
    if not onsets:
        return matches
    # break words split too: "father died suddenly and now I have chest pain" keeps the sudden chest pain
    clause = clause_ids(text, tokens, clause_breaks(tokens))
    death_clauses = {clause[m.first] for m in _word_matcher("death", "death").find(tokens)}  # matched whole
    if not death_clauses:
        return matches
    told = {clause[m.first] for m in matches if m.label not in ONSET_CODES}
    return [m for m in matches
            if m.label not in ONSET_CODES or clause[m.first] not in death_clauses or clause[m.first] in told]


def _with_implied(matches: list[PhraseMatch]) -> list[PhraseMatch]:
    symptoms = catalogue()
    present = {match.label for match in matches}
    extra = []
    for match in matches:
        for code in symptoms[match.label].implies if match.label in symptoms else ():
            if code not in present:
                present.add(code)
                extra.append(PhraseMatch(code, match.first, match.last, match.score))
    return matches + extra


def match_symptoms(text: str, tokens: Sequence[Token], implied: bool = False) -> list[PhraseMatch]:
    """Symptom codes over token spans before negation; ``implied`` adds general codes (for ``red_flags``)."""
    matches = _without_medicine_meal(tokens, _lexicon().find(tokens))
    matches = _without_fall_from(text, tokens, _without_cooking_gas(text, tokens, matches))
    used = [False] * len(tokens)
    for match in matches:
        for i in range(match.first, match.last + 1):
            used[i] = True
    matches = matches + _body_pain(text, tokens, used)
    for match in matches:
        for i in range(match.first, match.last + 1):
            used[i] = True
    matches = matches + _creature_bite(text, tokens, used)
    for match in matches:
        for i in range(match.first, match.last + 1):
            used[i] = True
    matches = _qualified(text, tokens, _without_pain_character(tokens, matches + _paired_findings(text, tokens, used)))
    matches = _without_recovery_onset(text, tokens, _without_others_onset(text, tokens, matches))
    if implied:
        matches = _with_implied(matches)
    matches.sort(key=lambda m: (m.first, m.last))
    return matches


def extract_symptoms(text: str) -> list[SymptomMention]:
    """All symptom mentions in ``text`` (negated ones included, flagged), in text order."""
    tokens = tokenize(text)
    if not tokens:
        return []
    matches = match_symptoms(text, tokens)
    flags = negation_flags(text, tokens, [(m.first, m.last) for m in matches], past_episode_spans(matches))
    mentions = []
    for match, negated in zip(matches, flags, strict=True):
        start, end = tokens[match.first].start, tokens[match.last].end
        mentions.append(SymptomMention(match.label, start, end, text[start:end], negated, round(match.score, 3)))
    return mentions


def with_implied_codes(codes: Sequence[str]) -> list[str]:
    """``codes`` plus the general codes they imply (dry_cough -> cough), for engines that reason on both.

    Extraction itself reports only the most specific code ("khoon ki ulti" is blood_in_vomit, not
    also vomiting), as the evaluation contract expects.
    """
    symptoms = catalogue()
    result = list(dict.fromkeys(codes))
    for code in list(result):
        for general in symptoms[code].implies if code in symptoms else ():
            if general not in result:
                result.append(general)
    return result


def codes_of(mentions: Sequence[SymptomMention], negated: bool = False) -> list[str]:
    """Unique codes of the mentions with the given negation, in order of first appearance."""
    return list(dict.fromkeys(m.code for m in mentions if m.negated == negated))


def symptom_codes(text: str) -> list[str]:
    """Codes asserted (not negated) in ``text``, unique, in order. A code both denied and asserted counts."""
    return codes_of(extract_symptoms(text))
