"""Medicine safety at prescribing: what a doctor should see before a prescription goes out.

Issue #20 item 2. Given the lines being prescribed and what is known of the patient (current
medicines from earlier prescriptions, photo-read prescriptions and the patient's own words;
recorded allergies; age; pregnancy), :func:`check_prescription` returns every warning the medicine
knowledge base supports:

* interactions (``interactions.tsv``) between a new line and another new line or a current medicine;
* the same generic twice: within the prescription (a double dose), or already taken;
* allergy conflicts (``allergies.yml``: groups such as "penicillin" or "sulfa" in any script, a
  generic's own name, class-wide allergies, cross-reactions);
* age: a medicine not for the patient's age, or a single or daily dose above the age band's
  largest dose (``dose_limits.tsv``);
* pregnancy: medicines to avoid or to weigh (``pregnancy.tsv``).

Each warning is ``serious`` (the portal asks for an explicit override with a reason, audited) or
``caution`` (shown, acknowledged). The engine decides nothing clinical on its own: it finds what
the tables say and words it for the doctor, from the catalogue.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations
from typing import Any

from engine.i18n import t
from engine.meds.frequency import parse_frequency
from engine.meds.kb import KB_DIR, KnowledgeBase, load, normalise
from engine.meds.rules import matches, read_tsv
from engine.yamlfile import read_yaml

SERIOUS, CAUTION = "serious", "caution"
#: a medicine from a photo or the patient's words with no course length counts as current this long
UNDATED_CURRENT = dt.timedelta(days=90)
#: a prescribed course still counts as current this long after its last day (doses left over)
COURSE_GRACE = dt.timedelta(days=2)
SOURCES = ("prescription", "document", "said")
_MASS_RE = re.compile(r"(\d+(?:\.\d+)?)\s*(mg|mcg|µg|g|gm)\b", re.IGNORECASE)
_TO_MG = {"mg": 1.0, "g": 1000.0, "gm": 1000.0, "mcg": 0.001, "µg": 0.001}


@dataclass(frozen=True)
class Current:
    """A medicine the patient takes now: as named (a brand or a generic) and where we learnt it."""

    name: str
    source: str  # one of SOURCES


@dataclass(frozen=True)
class Patient:
    """What the check knows of the patient. ``age`` in years (None: unknown, no age checks)."""

    age: float | None = None
    pregnant: bool = False
    allergies: tuple[str, ...] = ()
    current: tuple[Current, ...] = ()


@dataclass(frozen=True)
class RxWarning:
    """One finding. ``code`` is stable for the same finding (the override names what it overrides)."""

    kind: str  # interaction, duplicate, allergy, age, dose, pregnancy
    severity: str  # SERIOUS or CAUTION
    medicine: str  # the generic being prescribed
    key: str  # catalogue key of the doctor's sentence
    fields: Mapping[str, str] = field(default_factory=dict)
    other: str = ""

    @property
    def code(self) -> str:
        return f"{self.kind}:{self.medicine}:{self.other}"

    @property
    def serious(self) -> bool:
        return self.severity == SERIOUS

    def text(self, language: str = "en") -> str:
        fields = dict(self.fields)
        for name in ("effect", "source", "severity"):  # keys, worded in the reader's language
            if name in fields:
                fields[name] = t(f"rx_{name}_{fields[name]}", language)
        if "age" in fields:
            age = float(fields["age"])
            fields["age"] = (t("rx_age_months", language, n=round(age * 12)) if age < 2
                             else t("rx_age_years", language, n=int(age)))
        return t(self.key, language, **fields)


# ------------------------------------------------------------------ the tables


@dataclass(frozen=True)
class _Allergies:
    class_wide: frozenset[str]
    names: dict[str, str]  # normalised name -> group
    spelled: dict[str, tuple[str, ...]]  # group -> its names as written, longest first
    covers: dict[str, tuple[str, ...]]
    cross: dict[str, tuple[str, ...]]


@lru_cache(maxsize=1)
def _allergy_table() -> _Allergies:
    raw = read_yaml(KB_DIR / "allergies.yml")
    names, spelled, covers, cross = {}, {}, {}, {}
    for group, entry in raw["groups"].items():
        for name in entry.get("names") or []:
            names[normalise(name)] = group
        spelled[group] = tuple(sorted(entry.get("names") or [], key=len, reverse=True))
        covers[group] = tuple(entry.get("covers") or ())
        cross[group] = tuple(entry.get("cross") or ())
    return _Allergies(frozenset(raw.get("class_wide") or ()), names, spelled, covers, cross)


@lru_cache(maxsize=4)
def _rules(name: str) -> tuple[dict[str, str], ...]:
    return tuple(read_tsv(name))


def allergen(name: str, kb: KnowledgeBase | None = None) -> str | None:
    """The canonical allergen for what someone called it: a group ("penicillin" for "पेनिसिलिन"),
    else a generic ("amoxicillin", also from a brand), else None (not a medicine we know)."""
    kb = kb or load()
    key = normalise(name)
    if not key:
        return None
    table = _allergy_table()
    if key in table.names:
        return table.names[key]
    generic = kb.generic(name)
    if generic:
        return generic
    brand = kb.brands_by_name.get(key) or next(iter(kb.brands_by_base.get(key, [])), None)
    return brand.generics[0] if brand is not None and len(brand.generics) == 1 else None


def find_allergens(text: str, kb: KnowledgeBase | None = None) -> list[str]:
    """Allergens named in free text ("I am allergic to penicillin", "mujhe sulfa se allergy hai"),
    groups first, then medicines found by the prescription parser (any script)."""
    from engine.meds.parse import find_medicines

    kb = kb or load()
    table = _allergy_table()
    out: list[str] = []
    padded = f" {normalise(text)} "
    for name, group in sorted(table.names.items(), key=lambda kv: -len(kv[0])):
        if f" {name} " in padded and group not in out:
            out.append(group)
    rest = text
    for group in out:  # a group's own name is not read again as a medicine ("cotrimoxazole" ~ clotrimazole)
        for spelling in table.spelled[group]:
            rest = re.sub(re.escape(spelling), " ", rest, flags=re.IGNORECASE)
    for match in find_medicines(rest, kb):
        for generic in match.generics:
            if generic not in out and not any(_in_group(generic, g, kb) for g in out if g in table.covers):
                out.append(generic)
    return out


#: a question about allergy and medicines ("is penicillin safe if I have allergy", "amoxicillin se
#: allergy ho sakti hai kya", "ਕੀ ... ਲੈ ਸਕਦੇ ਹਾਂ"), which is answered, never recorded as an allergy
_QUESTION_RE = re.compile(
    r"\?|^\s*(?:is|are|can|could|should|will|may|what|which|does|do|how)\b|\bsafe\b|\b(?:kya|kyaa|kaun\w*|kehdi|kidda)\b"
    r"|क्या|कौन|कैसे|सकत|^\s*ਕੀ(?:\s|$)|ਕਿਹੜ|ਕਿਵੇਂ|ਸਕਦ|\bsakt[aei]\b|\bsakd[aie]\b", re.IGNORECASE)


def is_question(text: str) -> bool:
    """Whether a message about allergy asks something rather than tells an allergy."""
    return bool(_QUESTION_RE.search(text or ""))


#: the word "allergy" as people write it ("allergic", "allergy", "alerji", "एलर्जी", "ਐਲਰਜੀ")
_ALLERGY_WORD_RE = re.compile(r"\ballerg\w*|\baler[jg]\w*|एलर्ज|ऐलर्ज|ਐਲਰਜ|ਅਲਰਜ", re.IGNORECASE)


def tells_allergy(text: str, kb: KnowledgeBase | None = None) -> bool:
    """Whether a message tells an allergy to a medicine we know ("मुझे अमोक्सिसिलिन से एलर्जी है, लिख
    लो"), rather than asks about one: an allergy is safety data, so the medicine answer hands such a
    message to the allergy record whatever intent the classifier gave it (the mirror of
    ``is_question``, which the allergy action uses to hand questions back)."""
    return bool(_ALLERGY_WORD_RE.search(text or "")) and not is_question(text) and bool(find_allergens(text, kb))


def _in_group(generic: str, group: str, kb: KnowledgeBase) -> bool:
    return any(matches(side, generic, kb) for side in _allergy_table().covers.get(group, ()))


# ------------------------------------------------------------------ the checks


def _generics(name: str, kb: KnowledgeBase) -> list[str]:
    """Components of a line or product name ("amoxicillin + clavulanic acid", "Combiflam")."""
    from engine.meds.interactions import resolve

    return [g for _, g in resolve([name], kb)]


def _doses_mg(dose: str, parts: int) -> list[float | None]:
    """mg per component from "500 mg", "1 g", "400 mg+325 mg"; None where it cannot be told."""
    found = [float(m.group(1)) * _TO_MG[m.group(2).lower()] for m in _MASS_RE.finditer(dose or "")]
    if len(found) == parts:
        return list(found)
    return [None] * parts


def _limit_rows(generic: str, age: float, kb: KnowledgeBase) -> list[dict[str, str]]:
    out = []
    for row in _rules("dose_limits.tsv"):
        low = float(row["age_min"] or 0)
        high = float(row["age_max"]) if row["age_max"] else float("inf")
        if low <= age < high and matches(row["target"], generic, kb):
            out.append(row)
    return out


def _dose_warnings(line: Mapping[str, Any], age: float, kb: KnowledgeBase) -> list[RxWarning]:
    generics = _generics(line["generic"], kb)
    doses = _doses_mg(str(line.get("dose") or ""), len(generics))
    frequency = parse_frequency(str(line.get("frequency") or ""))
    per_day = frequency.times_per_day if frequency else None
    out: list[RxWarning] = []
    for generic, mg in zip(generics, doses, strict=True):
        for row in _limit_rows(generic, age, kb):
            if row["avoid"] == "yes":
                bound = row["age_max"] or row["age_min"]
                out.append(RxWarning("age", SERIOUS, generic, "rx_check_age", {
                    "medicine": generic, "age": f"{age:g}", "bound": f"{float(bound):g}"}, other="age"))
                continue
            if mg is None:
                continue
            single = float(row["max_single_mg"]) if row["max_single_mg"] else None
            daily = float(row["max_daily_mg"]) if row["max_daily_mg"] else None
            if single is not None and mg > single:
                out.append(RxWarning("dose", SERIOUS, generic, "rx_check_dose_single", {
                    "medicine": generic, "dose": f"{mg:g} mg", "limit": f"{single:g}", "age": f"{age:g}"},
                    other="single"))
            elif daily is not None and per_day and mg * per_day > daily:
                out.append(RxWarning("dose", SERIOUS, generic, "rx_check_dose_daily", {
                    "medicine": generic, "dose": f"{mg:g} mg", "times": str(per_day), "total": f"{mg * per_day:g}",
                    "limit": f"{daily:g}", "age": f"{age:g}"}, other="daily"))
    return out


def _allergy_warnings(generic: str, allergies: Iterable[str], kb: KnowledgeBase) -> list[RxWarning]:
    table = _allergy_table()
    out: list[RxWarning] = []
    for said in allergies:
        found = allergen(said, kb)
        if found is None:
            continue
        if found in table.covers:
            hit = _in_group(generic, found, kb)
            near = any(matches(side, generic, kb) for side in table.cross.get(found, ()))
        else:
            shared = set(kb.classes_of(found)) & set(kb.classes_of(generic)) & table.class_wide
            hit, near = found == generic or bool(shared), False
        if hit:
            out.append(RxWarning("allergy", SERIOUS, generic, "rx_check_allergy",
                               {"medicine": generic, "allergen": said}, other=found))
        elif near:
            out.append(RxWarning("allergy", CAUTION, generic, "rx_check_cross_allergy",
                               {"medicine": generic, "allergen": said}, other=found))
    return out


def _pregnancy_warnings(generic: str, kb: KnowledgeBase) -> list[RxWarning]:
    flags = {row["flag"] for row in _rules("pregnancy.tsv") if matches(row["target"], generic, kb)}
    if "avoid" in flags:
        return [RxWarning("pregnancy", SERIOUS, generic, "rx_check_pregnancy_avoid", {"medicine": generic},
                        other="avoid")]
    if "caution" in flags:
        return [RxWarning("pregnancy", CAUTION, generic, "rx_check_pregnancy_caution", {"medicine": generic},
                        other="caution")]
    return []


def _interaction_warnings(new: list[tuple[str, str]], current: list[tuple[str, str, str]],
                          kb: KnowledgeBase) -> list[RxWarning]:
    """Rule pairs where at least one side is being prescribed now (new, new) or (new, current)."""
    out: dict[str, RxWarning] = {}
    pairs = [((a, ""), (b, "")) for a, b in combinations([g for _, g in new], 2)]
    pairs += [((g, ""), (c, source)) for _, g in new for _, c, source in current]
    for (gen_a, _), (gen_b, source) in pairs:
        if gen_a == gen_b:
            continue
        for rule in _rules("interactions.tsv"):
            forward = matches(rule["a"], gen_a, kb) and matches(rule["b"], gen_b, kb)
            backward = matches(rule["a"], gen_b, kb) and matches(rule["b"], gen_a, kb)
            if forward or backward:
                severity = SERIOUS if rule["severity"] == "major" else CAUTION
                key = "rx_check_interaction_current" if source else "rx_check_interaction"
                fields = {"medicine": gen_a, "other": gen_b, "severity": rule["severity"], "effect": rule["effect"]}
                if source:
                    fields["source"] = source
                warning = RxWarning("interaction", severity, gen_a, key, fields, other=gen_b)
                out.setdefault(warning.code, warning)
                break
    return list(out.values())


def check_prescription(lines: list[Mapping[str, Any]], patient: Patient,
                       kb: KnowledgeBase | None = None) -> list[RxWarning]:
    """Every warning for ``lines`` (``generic``, ``dose``, ``frequency`` as the prescription keeps
    them) given ``patient``; serious ones first, each finding once."""
    kb = kb or load()
    new = [(line["generic"], g) for line in lines for g in _generics(line["generic"], kb)]
    current = [(c.name, g, c.source) for c in patient.current for g in _generics(c.name, kb)]
    out: list[RxWarning] = []
    seen_new: set[str] = set()
    for _, generic in new:
        if generic in seen_new:
            out.append(RxWarning("duplicate", SERIOUS, generic, "rx_check_duplicate", {"medicine": generic},
                               other="prescription"))
        seen_new.add(generic)
    for _, generic in {g: (n, g) for n, g in new}.values():
        for name, taken, source in current:
            if taken == generic:
                out.append(RxWarning("duplicate", CAUTION, generic, "rx_check_duplicate_current",
                                   {"medicine": generic, "product": name, "source": source}, other=normalise(name)))
                break
    out += _interaction_warnings(new, current, kb)
    for generic in dict.fromkeys(g for _, g in new):
        out += _allergy_warnings(generic, patient.allergies, kb)
        if patient.pregnant:
            out += _pregnancy_warnings(generic, kb)
    if patient.age is not None:
        for line in lines:
            out += _dose_warnings(line, patient.age, kb)
    unique = {w.code: w for w in reversed(out)}  # first finding of a code wins
    return sorted(unique.values(), key=lambda w: (not w.serious, w.kind, w.medicine))


# ------------------------------------------------------------------ what the patient takes now


def current_medicines(history: Iterable[Mapping[str, Any]], now: dt.datetime, said: str = "",
                      kb: KnowledgeBase | None = None) -> list[Current]:
    """Medicines the patient takes now, from the records history the doctor may see (``medication``
    items: earlier prescriptions while their course lasts, photo-read ones for ``UNDATED_CURRENT``)
    and from the patient's own words (``said``), each once."""
    from engine.meds.parse import find_medicines

    kb = kb or load()
    out: dict[str, Current] = {}
    for item in history:
        if item.get("kind") != "medication":
            continue
        data = item.get("data") or {}
        named, generic = str(data.get("name") or "").strip(), str(data.get("generic") or "").strip()
        name = named if named and _generics(named, kb) else (generic or named)  # "Crocin" as on the photo
        at = item.get("at")
        if not name or not isinstance(at, dt.datetime):
            continue
        at = at if at.tzinfo else at.replace(tzinfo=dt.timezone.utc)
        days = data.get("duration_days")
        lasts = dt.timedelta(days=int(days)) + COURSE_GRACE if isinstance(days, int) and days > 0 else UNDATED_CURRENT
        if at + lasts >= now:
            source = "prescription" if data.get("source") == "prescription" else "document"
            out.setdefault(normalise(name), Current(name, source))
    for match in find_medicines(said or "", kb):
        out.setdefault(normalise(match.name), Current(match.name, "said"))
    return list(out.values())


def age_from(profile: Mapping[str, Any], today: dt.date) -> float | None:
    """Age in years from a birth date (exact) or a birth year (whole years), else None."""
    birth = profile.get("birth_date")
    if birth:
        try:
            born = dt.date.fromisoformat(str(birth))
            return max(0.0, (today - born).days / 365.25)
        except ValueError:
            pass
    year = profile.get("birth_year")
    return float(today.year - int(year)) if isinstance(year, int) and 1900 < year <= today.year else None
