"""The project's one deterministic, versioned red-flag rule set (emergencies get 108/112 at once).

Rules are data (``data/red_flags.json``), each citing the published protocol it comes from and the
first-aid advice (``core_emergency_tip_<advice>``) said with it, so clinicians can review them
without reading code; the triage engine, the Rasa ``RedFlagDetector``, the actions, the gateway's
safety net and the handoff gloss all call ``detect_red_flags``.

A danger sign is a *combination*: a body part x an injury or symptom x a severity or extent x who
(infant, pregnant, elderly). So rules test facts of three kinds, each found separately in any
language or script: symptom codes (``data/symptom_lexicon.tsv``), phrase signals (``signals`` in the
rule file) and small vocabularies of parts (``data/lexicon/danger_parts.tsv``, ``nlu.danger_parts``).
A clause can require its facts in one sentence or within a few words of each other, can require a
fact to be *absent* (``!urine``: "peshab nahi aaya", "can't open his mouth"), can exclude facts
(``none``: "thoda sa", a mosquito), can count them (``min``: two of four IMCI dehydration
signs) and can ask for them in the order of events (``after``: the belly swelling told after the
kick). ``derived`` facts are named combinations the rules share (``burn_special_site``). Negated
mentions ("saanp ne nahi kaata", "no chest pain") never assert a fact. The reason is English and
technical; what to tell the user is the dialogue's job.
"""

from __future__ import annotations

import heapq
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import TYPE_CHECKING, TypedDict

from nlu.danger_parts import Mention, clause_breaks, find_parts, part_names
from nlu.matcher import PhraseMatcher
from nlu.negation import clause_ids, negation_flags
from nlu.numbers import digit_value, find_numbers
from nlu.resources import DATA_DIR, filler_words, protected_words, read_json, unstemmed_words
from nlu.safety_net import red_flags as safety_net_flags
from nlu.slots import age_in_text, parse_duration_days
from nlu.symptoms import catalogue, match_symptoms, past_episode_spans
from nlu.text import Token, phrase_key, tokenize
from nlu.vitals import vital_flags

if TYPE_CHECKING:  # PEP 692 **kwargs typing; typing.Unpack is 3.11+, and nlu also runs under Rasa's 3.10
    from typing_extensions import Unpack

RULES_PATH = DATA_DIR / "red_flags.json"
CHILD_MAX_AGE = 5.0  # years; WHO IMCI covers children up to 5
YOUNG_INFANT_MAX_AGE = 2 / 12  # years; WHO IMCI "sick young infant" is up to 2 months
ELDERLY_MIN_AGE = 65.0  # years; NICE NG232 head-injury and sepsis criteria use 65
CONTEXT_FACTS = frozenset({"pregnant", "child", "male", "young_infant", "elderly", "low_gcs", "slow_refill",
                           "weeks_3"})
PERSISTENT_DAYS = 21  # NICE NG12 "persistent"/"lasting more than 3 weeks" (hoarseness, mouth ulcer)
GCS_ALTERED = 13  # a Glasgow Coma Scale at or below this is altered consciousness (NICE NG232: <13 CT at once)
SLOW_REFILL_S = 3  # seconds; capillary refill of 3 s or more is prolonged (NICE NG143 amber; WHO ETAT: > 3 s with cold hands is shock)
REFILL_REACH = 6  # tokens from "capillary refill"/"CRT" to its seconds ("capillary refill time of about 4 s")
OVERDOSE_COUNT = 10  # tablets taken at once that make an overdose likely (WHO poisons guidance: "many tablets")
PILL_COUNT_GAP = 2  # words between the count and the medicine word ("20 [sleeping] pills")
_SENTENCE_END = re.compile(r"[.!?।॥\n]")
NOT = "!"


@dataclass(frozen=True)
class RedFlag:
    """A fired rule: its ``id``, the symptom ``code`` it is about, and an English technical ``reason``."""

    id: str
    code: str
    reason: str


@dataclass
class Reading:
    """What the rules can test in one message.

    ``mentions`` carry token spans (symptoms, signals, parts; negated ones too, as ``!label``);
    ``free`` facts have no place in the text (context, facts the caller gave, derived facts).
    """

    mentions: list[Mention]
    sentence: list[int]
    free: set[str] = field(default_factory=set)
    #: Labels the text named but a mask took away ("sneezing fits", "pain like electric shocks", the
    #: "daura" of "dil ka daura") or told only as past history ("pichle saal daura pada tha", "had a
    #: stroke 3 years ago"): the same codes handed in by a caller that read the text without masks or
    #: history (the triage engine) are not facts either, so ``saathi triage`` and the bot agree.
    dropped: frozenset[str] = frozenset()
    #: A cause of a later danger told only in the past ("kutte ne 2 mahine pehle kaata tha", "sir pe chot lagi
    #: thi kal"): a fact for a clause only together with a fact of now (rabies signs, vomiting), never alone;
    #: the caller's codes of the same labels count the same way, so the bot and ``saathi triage`` agree.
    past: frozenset[str] = frozenset()
    _units: dict[int | None, tuple[frozenset[str], list[Mention]]] = field(default_factory=dict, repr=False)

    def names(self) -> set[str]:
        """Every fact asserted anywhere, plus ``!label`` for absent ones."""
        return self.free | {_name(m) for m in self.mentions}

    def unit(self, sentence: int | None) -> tuple[frozenset[str], list[Mention]]:
        """Names and mentions of one sentence (``None``: the whole message), computed once per reading.

        The rules only read ``mentions`` once the context is set, so the cache stays valid.
        """
        if sentence not in self._units:
            mentions = [m for m in self.mentions if sentence is None or self.sentence[m.first] == sentence]
            self._units[sentence] = frozenset(_name(m) for m in mentions), mentions
        return self._units[sentence]

    def sentences(self) -> list[int]:
        return sorted({self.sentence[m.first] for m in self.mentions})

    def present(self) -> set[str]:
        """The facts a clause can find anywhere in the message: what :meth:`unit` names in any sentence, and
        the ``free`` facts (a new set: the caller may add to it)."""
        return set(self.unit(None)[0]) | self.free


def _name(mention: Mention) -> str:
    return NOT + mention.label if mention.negated else mention.label


@dataclass(frozen=True)
class Clause:
    """Holds when every fact in ``all``, at least ``min`` of ``any`` (if given) and none of ``none`` are present.

    ``scope`` "sentence" asks for them in one sentence; ``window`` asks for the facts that have a
    place in the text to lie within that many tokens; ``after`` asks for the ``any`` facts to be told
    after those. Ages are years; ``age_known`` needs an age.
    """

    all: frozenset[str]
    any: frozenset[str]
    none: frozenset[str] = frozenset()
    min: int = 1
    scope: str = "message"
    window: int | None = None
    age_min: float | None = None
    age_max: float | None = None
    age_known: bool = False
    #: Facts told before the ``any`` facts: a ``any`` fact counts only where it starts after the end of the
    #: first mention of each of these ("gaay ne laat maari pet mein, pet phool raha": the belly swells after
    #: the kick; "pet phool jata hai, bachcha laat maarta" tells no injury that came first).
    after: frozenset[str] = frozenset()

    def facts(self) -> set[str]:
        return {name.lstrip(NOT) for name in self.all | self.any | self.none | self.after}

    def may_hold(self, present: set[str]) -> bool:
        """Whether the facts told anywhere in the message (``Reading.present``) leave the clause a chance: every
        ``all`` fact and ``min`` of ``any``. Only a necessary condition, checked in C before :meth:`matched`
        walks sentences, windows and the past (``ClauseIndex``)."""
        return self.all <= present and (not self.any or self.min < 1 or len(self.any & present) >= self.min)

    def matched(self, reading: Reading, age: float | None) -> list[str] | None:
        if age is None and self.age_known:
            return None
        if age is not None and (
            (self.age_max is not None and age > self.age_max) or (self.age_min is not None and age < self.age_min)
        ):
            return None
        units = (reading.sentences() or [None]) if self.scope == "sentence" else [None]
        for unit in units:
            names, mentions = reading.unit(unit)
            hits = self._holds(names, mentions, reading.free, reading.past)
            if hits is not None:
                return hits
        return None

    def _holds(self, names: frozenset[str], mentions: list[Mention], free: set[str],
               past: frozenset[str] = frozenset()) -> list[str] | None:
        """The facts that make the clause hold, or None. A fact told only in the past (``past``) counts only
        beside one of now that is no context ("bitten 2 months ago" + fear of water, not the bite alone)."""
        if any(n not in names and n not in free for n in self.all) or any(
                (n in names or n in free) and n not in past for n in self.none):
            return None
        hits = sorted(n for n in self.any if n in names or n in free)
        if self.after:
            hits = [n for n in hits if self._told_after(n, mentions)]
        if self.any and len(hits) < self.min:
            return None
        if self.window is not None and not self._close(mentions, free):
            return None
        found = sorted(self.all) + hits
        if past and not any(n not in past and n not in CONTEXT_FACTS for n in found):
            return None
        return found

    def _told_after(self, fact: str, mentions: list[Mention]) -> bool:
        """Some mention of ``fact`` starts after the first mention of every ``after`` fact ends (a fact with
        no place in the text, or an ``after`` fact not told, is never after)."""
        ends = [min((m.last for m in mentions if _name(m) == before), default=None) for before in self.after]
        if None in ends:
            return False
        last_end = max(end for end in ends if end is not None)
        return any(_name(m) == fact and m.first > last_end for m in mentions)

    def _close(self, mentions: list[Mention], free: set[str]) -> bool:
        """Some stretch of ``window`` tokens holds every placed fact of ``all`` and ``min`` of ``any``."""
        width = self.window or 0
        for start in sorted({m.first for m in mentions}):
            inside = {_name(m) for m in mentions if start <= m.first and m.last < start + width} | free
            if self.all <= inside and (not self.any or len(self.any & inside) >= self.min):
                return True
        return False


@dataclass(frozen=True)
class Rule:
    id: str
    code: str
    reason: str
    source: str
    advice: str
    clauses: tuple[Clause, ...]

    def facts(self) -> set[str]:
        return {fact for clause in self.clauses for fact in clause.facts()}


@dataclass(frozen=True)
class ClauseIndex:
    """The clauses of rules (or of derived facts) filed under a fact each cannot hold without.

    A message tells a handful of the ~600 facts the clauses test, so most of the ~400 clauses cannot hold; checking
    each of them walked sentences and windows for nothing (about half of the red-flag reader's CPU, in the
    gateway's check-in hook, Rasa's ``RedFlagDetector``, the actions and the triage engine alike). A clause is
    filed under one of its ``all`` facts (the least shared, context facts last), or under each of its ``any``
    facts when it has no ``all``; a message checks only the clauses filed under its facts, in the original order,
    so the same rules fire with the same matched facts (``tests/test_red_flags_index.py`` compares both ways).
    """

    #: every clause in group order (a rule's, or a derived fact's, clauses in file order), and its group
    clauses: tuple[Clause, ...]
    groups: tuple[int, ...]
    by_fact: Mapping[str, tuple[int, ...]]
    #: clauses filed under no fact (none asks for one today): checked for every message
    always: tuple[int, ...]

    @classmethod
    def of(cls, groups: Sequence[Sequence[Clause]]) -> ClauseIndex:
        flat = [(group, clause) for group, clauses in enumerate(groups) for clause in clauses]
        shared = Counter(fact for _, clause in flat for fact in clause.all | clause.any)
        filed: dict[str, list[int]] = {}
        always = []
        for position, (_, clause) in enumerate(flat):
            if clause.all:
                keys = [min(clause.all, key=lambda fact: (fact in CONTEXT_FACTS, shared[fact], fact))]
            elif clause.any and clause.min >= 1:
                keys = sorted(clause.any)
            else:
                always.append(position)
                continue
            for key in keys:
                filed.setdefault(key, []).append(position)
        return cls(tuple(clause for _, clause in flat), tuple(group for group, _ in flat),
                   {fact: tuple(positions) for fact, positions in filed.items()}, tuple(always))

    def _filed(self, facts: Iterable[str]) -> set[int]:
        return {position for fact in facts for position in self.by_fact.get(fact, ())}

    def holding(self, reading: Reading, age: float | None) -> Iterator[tuple[int, list[str]]]:
        """Each group with a clause that holds, in group order, with the facts of its first such clause (as
        checking every clause in order finds). A fact the caller adds to ``reading.free`` on an answer (a derived
        fact) brings in the later clauses filed under it."""
        present = reading.present()
        queued = self._filed(present) | set(self.always)
        waiting = sorted(queued)
        held: set[int] = set()
        while waiting:
            position = heapq.heappop(waiting)
            group, clause = self.groups[position], self.clauses[position]
            if group in held or not clause.may_hold(present):
                continue
            matched = clause.matched(reading, age)
            if matched is None:
                continue
            held.add(group)
            yield group, matched
            learnt = reading.free - present
            present |= learnt
            for later in self._filed(learnt) - queued:
                queued.add(later)
                heapq.heappush(waiting, later)


@lru_cache(maxsize=1)
def _ruleset() -> dict:
    return read_json(RULES_PATH)


RULES_VERSION: str = _ruleset()["version"]


def _clauses(items: Iterable[dict]) -> tuple[Clause, ...]:
    return tuple(
        Clause(
            frozenset(item.get("all", ())),
            frozenset(item.get("any", ())),
            frozenset(item.get("none", ())),
            int(item.get("min", 1)),
            item.get("scope", "message"),
            item.get("window"),
            item.get("age_min"),
            item.get("age_max"),
            bool(item.get("age_known", False)),
            frozenset(item.get("after", ())),
        )
        for item in items
    )


@lru_cache(maxsize=1)
def derived() -> tuple[tuple[str, tuple[Clause, ...]], ...]:
    """Named combinations, in file order (a later one may use an earlier one)."""
    data = _ruleset()
    known = set(catalogue()) | set(data["signals"]) | CONTEXT_FACTS | part_names()
    loaded = []
    for name, item in data["derived"].items():
        clauses = _clauses(item["when"])
        unknown = {fact for clause in clauses for fact in clause.facts()} - known
        if unknown or not item.get("source"):
            raise ValueError(f"derived red-flag fact {name}: unknown facts {sorted(unknown)} or source missing")
        known.add(name)
        loaded.append((name, clauses))
    return tuple(loaded)


def _known_facts() -> set[str]:
    data = _ruleset()
    return set(catalogue()) | set(data["signals"]) | CONTEXT_FACTS | part_names() | {n for n, _ in derived()}


def _load_rules(items: Iterable[dict]) -> tuple[Rule, ...]:
    """Rules validated: every fact must be a symptom code, signal, part, derived or context fact."""
    known = _known_facts()
    loaded = []
    for item in items:
        rule = Rule(item["id"], item["code"], item["reason"], item["source"], item.get("advice", ""),
                    _clauses(item["when"]))
        unknown = rule.facts() - known
        if unknown or rule.code not in catalogue() or not rule.source:
            raise ValueError(f"red-flag rule {rule.id}: unknown facts {sorted(unknown)} or code/source missing")
        loaded.append(rule)
    return tuple(loaded)


@lru_cache(maxsize=1)
def rules() -> tuple[Rule, ...]:
    """All emergency rules (and the masks and history they read through), validated."""
    data = _ruleset()
    masking = {*data["masks"], *(label for mask in data["masks"].values()
                                 for label in (*mask["labels"], *mask.get("with", ()), *mask.get("unless", ())))}
    history = data["history"]
    masking |= {history["cue"], history["unless"], *history["labels"]}
    if masking - _known_facts() or not history.get("source") or not all(m.get("source") for m in data["masks"].values()):
        raise ValueError(f"red-flag masks/history: unknown facts {sorted(masking - _known_facts())} or source missing")
    return _load_rules(data["rules"])


@lru_cache(maxsize=1)
def urgent_rules() -> tuple[Rule, ...]:
    """Signs that need a doctor within a day or days but not an ambulance (``urgent_rules``: NICE NG12
    suspected-cancer pathways and the like); same facts and clauses as the emergency rules."""
    return _load_rules(_ruleset().get("urgent_rules", ()))


@lru_cache(maxsize=1)
def _signals() -> PhraseMatcher:
    phrases = ((name, phrase) for name, forms in _ruleset()["signals"].items() for phrase in forms)
    return PhraseMatcher(phrases, protected_words(), fillers=filler_words(), unstemmed=unstemmed_words())


def _sentences(text: str, tokens: Sequence[Token]) -> list[int]:
    ids, sentence, previous_end = [], 0, 0
    for token in tokens:
        if _SENTENCE_END.search(text, previous_end, token.start):
            sentence += 1
        ids.append(sentence)
        previous_end = token.end
    return ids


_GCS_PARTS = re.compile(r"(?<![a-z0-9])e\s?([1-4])\s?v\s?([1-5])\s?m\s?([1-6])(?![a-z0-9])", re.IGNORECASE)
_AVPU_BELOW_ALERT = frozenset({"v", "p", "u"})


def _gcs(text: str, tokens: Sequence[Token]) -> float | None:
    """A Glasgow Coma Scale score written as "GCS 8", "GCS of 9/15", "gcs-7", or by its parts "E2V2M4"
    (eyes + verbal + motor, Teasdale & Jennett 1974)."""
    parts = _GCS_PARTS.search(text)
    if parts:
        return float(sum(int(part) for part in parts.groups()))
    for index, token in enumerate(tokens):
        if token.key == "gcs":
            for later in tokens[index + 1 : index + 3]:
                value = digit_value(later.text) if later.text[:1].isdigit() else None
                if value is not None:
                    return value
    return None


def _avpu_below_alert(tokens: Sequence[Token]) -> bool:
    """"AVPU P", "AVPU: U", "avpu - V": responds only to voice or pain, or not at all (WHO Basic
    Emergency Care 2018: anything below A is altered consciousness)."""
    return any(token.key == "avpu" and index + 1 < len(tokens) and tokens[index + 1].key in _AVPU_BELOW_ALERT
               for index, token in enumerate(tokens))


_CAPILLARY, _REFILL = phrase_key("capillary refill")


def _slow_refill(tokens: Sequence[Token]) -> bool:
    """A capillary refill time given as SLOW_REFILL_S seconds or more: "CRT 4 s", "capillary refill 5 seconds"."""
    for index, token in enumerate(tokens):
        named = token.key == "crt" or (token.key == _CAPILLARY and index + 1 < len(tokens)
                                        and tokens[index + 1].key == _REFILL)
        if named:
            for later in tokens[index + 1 : index + 1 + REFILL_REACH]:
                value = digit_value(later.text) if later.text[:1].isdigit() else None
                if value is not None:
                    return value >= SLOW_REFILL_S
    return False


def _pill_counts(text: str, tokens: Sequence[Token], mentions: Sequence[Mention]) -> list[Mention]:
    """``many`` over "30 tablets", "bees goliyan", "20 sleeping pills": OVERDOSE_COUNT or more pills at once."""
    pills = [m for m in mentions if m.label == "pill" and not m.negated]
    found = []
    for number in find_numbers(tokens) if pills else ():
        if number.value < OVERDOSE_COUNT:
            continue
        for pill in pills:
            gap = pill.first - number.last - 1
            between = text[tokens[number.last].end : tokens[pill.first].start]
            if 0 <= gap <= PILL_COUNT_GAP and not _SENTENCE_END.search(between) and "," not in between:
                found.append(Mention("many", number.first, pill.last, False))
                break
    return found


def read(text: str) -> Reading:
    """Symptoms, signals and parts of ``text`` with their places and polarity."""
    tokens = tokenize(text)
    if not tokens:
        return Reading([], [])
    signals = _signals().find(tokens)
    # A signal phrase that contains a shorter symptom phrase decides its meaning: "dil ka daura"
    # (heart attack) is not a "daura" (fit).
    named = match_symptoms(text, tokens, implied=True)
    symptoms = [
        m for m in named
        if not any(s.first <= m.first and m.last <= s.last and s.last - s.first > m.last - m.first for s in signals)
    ]
    taken = [Mention(m.label, m.first, m.last, False) for m in named if m not in symptoms]
    found = symptoms + signals
    spans = [(m.first, m.last) for m in found]
    flags = negation_flags(text, tokens, spans, past_episode_spans(found))
    mentions = [Mention(m.label, m.first, m.last, negated) for m, negated in zip(found, flags, strict=True)]
    mentions += find_parts(text, tokens, spans)
    mentions += _pill_counts(text, tokens, mentions)
    mentions, dropped, past = _unmasked(text, tokens, mentions, taken)
    reading = Reading(mentions, _sentences(text, tokens), dropped=dropped, past=past)
    score = _gcs(text, tokens)
    if (score is not None and score <= GCS_ALTERED) or _avpu_below_alert(tokens):
        reading.free.add("low_gcs")
    if _slow_refill(tokens):
        reading.free.add("slow_refill")
    return reading


def _unmasked(text: str, tokens: Sequence[Token], mentions: list[Mention],
              taken: Sequence[Mention] = ()) -> tuple[list[Mention], frozenset[str], frozenset[str]]:
    """``mentions`` without the ones a longer phrase or a past time gives another meaning, and the labels
    only a mask took away (see ``Reading.dropped``); ``taken``: symptoms a longer signal phrase already
    took away, counted as dropped when a mask covers them too (the "daura" of "dil ka daura", and not
    the "fever" of "high fever", which stays the caller's symptom).

    ``masks``: a mention starting inside the span of a masking part means something else ("sleep apnoea" is
    not apnoea now, "bit my tongue" alone is not a fit); with ``overlap`` any mention sharing a token with
    it ("haath pair jhatak ke dekho" is an instruction: the "haath pair jhatak" of a fit overlaps it); with ``with``, only when those facts are said too (the "jhatka laga" of
    an electric shock is no fit, "ਝਟਕੇ ਲੱਗ ਰਹੇ ਨੇ" alone is); with ``unless``, only when none of those facts is said (a
    poison named without a word of exposure or a sign of it is a thing in the house: "chuhe maarne ki dawai kahan
    milegi", not "chuhe maarne ki dawai kha li"); a part that is the whole message ("sulfas") is read the safer way, as
    it is never masked by ``unless``: nothing around it tells what it is. ``history``: an event named in a clause that
    puts it in the past ("had a stroke 3 years ago") is history, unless the clause also says now
    ("had a stroke years ago, now again his face drooped" keeps it). Returns the mentions kept, the labels
    dropped for the caller's codes too (masked, and past events whose danger is the event itself), and the
    past causes (history labels that are not such events: a bite, burn, poison or head injury), which stay
    as mentions but count only beside a fact of now (``Clause._holds``).
    """
    masks, history = _ruleset()["masks"], _ruleset()["history"]
    said = {m.label for m in mentions if not m.negated}
    covers = [m for m in mentions if m.label in masks and not m.negated and said.issuperset(masks[m.label].get("with", ()))
              and not said.intersection(masks[m.label].get("unless", ()))]
    whole = (0, len(tokens) - 1)

    def masked_here(m: Mention) -> bool:
        return any(m.label in masks[c.label]["labels"] and (
            c.first <= m.first <= c.last or (masks[c.label].get("overlap") and m.first <= c.last and m.last >= c.first))
            and not (masks[c.label].get("unless") and (m.first, m.last) == whole)
            for c in covers)

    kept = [m for m in mentions if not masked_here(m)]
    named = {m.label for m in mentions if not m.negated} | {m.label for m in taken if masked_here(m)}
    masked = frozenset(named - {m.label for m in kept if not m.negated})
    labels = set(history["labels"])
    if not any(m.label == history["cue"] for m in kept) or not any(m.label in labels for m in kept):
        return kept, masked, frozenset()
    clause = clause_ids(text, tokens, clause_breaks(tokens))
    past = {clause[m.first] for m in kept if m.label == history["cue"]}
    past -= {clause[m.first] for m in kept if m.label == history["unless"]}
    now = [m for m in kept if m.label not in labels or clause[m.first] not in past]
    # an event told only in the past is history for the caller's codes too ("pichle saal daura pada tha":
    # the engine's own reading of the text found "seizure" and hands it in), when the event is the danger
    # itself; a bite, wound, burn, poison or head injury in the past can be the cause of a danger now
    # (rabies, tetanus, a bleed), so those codes stay the caller's
    past_only = {m.label for m in kept if not m.negated} - {m.label for m in now if not m.negated}
    events = set(history["events"])
    causes = past_only - events
    if not causes:
        return now, masked | frozenset(past_only & events), frozenset()
    # a cause whose danger lasts longer than the time told ("kutte ne 2 mahine pehle kaata": rabies) is now
    days = parse_duration_days(text)
    lasting = history["lasting_days"]
    causes = {c for c in causes if days is None or days > lasting.get(c, 0)}
    # the cause comes back as a fact of the past, with the words told in its own span ("snake" of "snake bite
    # 5 saal pehle"), unless another clause says them now
    spans = [(m.first, m.last) for m in kept if m.label in causes and not m.negated]
    told_now = {m.label for m in kept if not m.negated and clause[m.first] not in past}
    earlier = {m.label for m in kept if not m.negated and clause[m.first] in past
               and any(first <= m.last and m.first <= last for first, last in spans)} - told_now
    now += [m for m in kept if m.label in past_only - events and not m.negated and m not in now]
    now.sort(key=lambda m: (m.first, m.last))
    return now, masked | frozenset(past_only & events), frozenset(earlier | causes)


def text_facts(text: str) -> set[str]:
    """Symptom codes, signals and parts asserted (not negated) in ``text``."""
    return {m.label for m in read(text).mentions if not m.negated}


def _context(reading: Reading, symptoms: Iterable[str] | None, age: float | None, sex: str | None,
             pregnant: bool | None) -> None:
    """Adds the caller's codes and the ``pregnant``/``child``/``young_infant``/``elderly``/``male`` context."""
    asserted = {m.label for m in reading.mentions if not m.negated}
    # The triage engine and the dialogue hand in the symptom codes their own reading of the same text
    # found, which knows nothing of masks and history: those codes stay out here too. A code the text
    # itself tells keeps its place there: as a fact without a place it would sit inside every window and
    # before every fact ("doodh ulat deta hai, potty hari hoti hai": the green is the stool's, far from the
    # milk brought back, in the engine's call as in the text's own).
    reading.free |= set(symptoms or ()) - reading.dropped - asserted
    if pregnant or (sex != "m" and asserted & {"pregnant", "pregnancy_word"}):
        reading.free.add("pregnant")
    if sex == "m":
        reading.free.add("male")
        reading.free.discard("pregnant")
        reading.mentions = [m for m in reading.mentions if m.label != "pregnant"]
    if (age is not None and age < CHILD_MAX_AGE) or (age is None and "small_child" in asserted):
        reading.free.add("child")
    if (age is not None and age <= YOUNG_INFANT_MAX_AGE) or (age is None and "newborn" in asserted):
        reading.free |= {"young_infant", "child"}
    if (age is not None and age >= ELDERLY_MIN_AGE) or (age is None and "elderly_person" in asserted):
        reading.free.add("elderly")


@lru_cache(maxsize=1)
def _derived_index() -> ClauseIndex:
    return ClauseIndex.of([clauses for _, clauses in derived()])


@cache
def _rule_index(chosen: Callable[[], tuple[Rule, ...]]) -> ClauseIndex:
    """The clause index of :func:`rules` or :func:`urgent_rules`, built once each."""
    return ClauseIndex.of([rule.clauses for rule in chosen()])


def _derive(reading: Reading, age: float | None) -> None:
    """Adds each derived fact that holds; in file order, so a later one sees the earlier ones."""
    names = derived()
    for group, _ in _derived_index().holding(reading, age):
        reading.free.add(names[group][0])


class PatientContext(TypedDict, total=False):
    """What is known of the patient besides the message, for every rule check on it (``_prepared``): the
    caller's symptom codes, the age in years (None: read from the text), sex "m"/"f", a known pregnancy."""

    symptoms: list[str] | None
    age: float | None
    sex: str | None
    pregnant: bool | None


def detect_red_flags(text: str, **context: Unpack[PatientContext]) -> list[RedFlag]:
    """Rules that fire for this message (and what is already known about the patient), in rule order."""
    reading, age = _prepared(text, **context)
    fired = _fired(rules, reading, age)
    # Other safety nets (vital signs, the emergency text classifier) add their own RedFlags here.
    fired.extend(RedFlag(*flag) for flag in vital_flags(text or "", reading.names(), age))  # nlu/vitals.py
    fired.extend(safety_net_flags(text or "", fired, reading.mentions))  # nlu/safety_net.py: only adds
    return fired


def _prepared(text: str, symptoms: list[str] | None = None, age: float | None = None, sex: str | None = None,
              pregnant: bool | None = None) -> tuple[Reading, float | None]:
    """The reading of ``text`` with its context and derived facts, and the age (from the text if not given).

    Triage asks for the emergency rules and the urgent rules of the same message one after the
    other; the reading is kept for a few messages so the second call does not read it again
    (callers must not change it: ``urgent_signs`` copies before adding its own fact).
    """
    return _prepared_once(text or "", tuple(symptoms or ()), age, sex, pregnant)


@lru_cache(maxsize=64)
def _prepared_once(text: str, symptoms: tuple[str, ...], age: float | None, sex: str | None,
                   pregnant: bool | None) -> tuple[Reading, float | None]:
    if age is None:
        age = age_in_text(text or "")  # "1 month old baby has fever" is a young infant
    reading = read(text or "")
    _context(reading, symptoms, age, sex, pregnant)
    _derive(reading, age)
    return reading, age


def _fired(chosen: Callable[[], tuple[Rule, ...]], reading: Reading, age: float | None) -> list[RedFlag]:
    """The rules of ``chosen`` (:func:`rules` or :func:`urgent_rules`) that fire, in rule order, each with the
    facts of its first clause that holds."""
    loaded = chosen()
    return [RedFlag(loaded[group].id, loaded[group].code, f"{loaded[group].reason} Matched: {' + '.join(matched)}.")
            for group, matched in _rule_index(chosen).holding(reading, age)]


def urgent_signs(text: str, **context: Unpack[PatientContext]) -> list[RedFlag]:
    """Urgent-level rules (``urgent_rules``) that fire: they raise urgency to at least urgent, never to emergency."""
    if not urgent_rules():
        return []
    reading, age = _prepared(text, **context)
    days = parse_duration_days(text or "")
    if days is not None and days >= PERSISTENT_DAYS:
        reading = Reading(reading.mentions, reading.sentence, reading.free | {"weeks_3"}, dropped=reading.dropped, past=reading.past)
    return _fired(urgent_rules, reading, age)


def advice_for(rule_id: str) -> str | None:
    """The first-aid advice key (``core_emergency_tip_<advice>``) a rule names, if the rule exists."""
    return next((rule.advice for rule in rules() if rule.id == rule_id), None)


def is_emergency(text: str, **context: Unpack[PatientContext]) -> bool:
    return bool(detect_red_flags(text, **context))
