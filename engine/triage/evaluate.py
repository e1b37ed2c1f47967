"""Evaluation on clinical vignettes, one report per set, each set written separately from the code.

Sets (:data:`SETS`): ``own`` (``tests/data/triage_vignettes.yml``, the team's independent
evaluator), ``outside_clinical`` (guideline/textbook cases told as a clinician writes them and
retold in lay Hindi and Punjabi), ``outside_vitals`` (cases that give readings) and
``outside_wide`` (issue #16: 300+ cases across the service areas of rural primary care, each
tagged with a ``chapter`` from :data:`WIDE_CHAPTERS`, reported per chapter too) and ``own_wide``
(``tests/data/triage_wide.yml``: the team's own wide set across the same chapters, the one ranking
changes are measured on; ``outside_wide`` stays the independent check). They are kept
apart because a lexicon catches the phrasings it was written for: a figure on one set says little
about another, and the outside sets are the ones nobody wrote rules against.

Each vignette: ``{id, text, language, age, sex, gold_urgency, acceptable_icd10, gold_specialist,
also_acceptable_specialists?, pregnant?, self_care?, case?, script?, chapter?}``. A file is a list of them or
a mapping whose ``vignettes`` key holds that list. A predicted ICD-10 code matches an acceptable
one when equal or a subcode of it (``I21`` covers ``I21.9``). Under-triage means a prediction less
urgent than the gold level; an emergency predicted as anything else is the failure that must never
happen. Over-triage of self-care cases (called urgent or emergency) is the price of safety that
the issue #13 target caps. ``in_kb`` counts the vignettes with an acceptable code that some
knowledge-base condition carries at all: the ceiling no ranking can pass.

Judging a knowledge-base change: any new symptom column reshuffles the classifier's sampled training
cases, so a retrained ensemble moves own top-3 by a few cases whatever the change (issue #16 review:
the knowledge base of 7db7211, which added breathless_exertion, trained with seeds 20261126 / 1 / 2 scored
own top-3 83.6 / 84.9 / 85.5 %; the default seed lost en-023 and hi-029, which seed 2 ranks right, and the
knowledge-base scorer alone scored 86.2 % at 52e773d^, 52e773d and 7db7211 alike). Judge the change with
the scorer alone (``Engine(use_classifier=False)``: deterministic, and the one urgency is decided on) and
treat ensemble moves of 2-3 own cases as noise.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from engine.triage.kb import URGENCY_LEVELS
from engine.yamlfile import read_yaml

DATA_DIR = Path(__file__).resolve().parents[2] / "tests" / "data"
DEFAULT_VIGNETTES = DATA_DIR / "triage_vignettes.yml"
#: Every evaluation set, in report order: name -> file.
SETS: dict[str, Path] = {
    "own": DEFAULT_VIGNETTES,
    "outside_clinical": DATA_DIR / "triage_outside_clinical.yml",
    "outside_vitals": DATA_DIR / "triage_outside_vitals.yml",
    "outside_wide": DATA_DIR / "triage_outside_wide.yml",
    "own_wide": DATA_DIR / "triage_wide.yml",
}
#: The wide set's chapters (service areas of rural primary care, after the ICD-10 chapters), in
#: report order; a vignette's ``chapter`` must be one of them.
WIDE_CHAPTERS = (
    "infections", "neoplasms", "blood", "endocrine", "mental", "neurological", "eye", "ent", "dental",
    "cardiovascular", "respiratory", "digestive", "skin", "musculoskeletal", "urinary", "womens_health",
    "pregnancy", "newborn_child", "old_age", "injuries_poisoning", "chronic_complications",
)
#: Issue #13 targets, printed next to the figures. Enforced instead: no set may fall below its measured
#: floor (tests/data/triage_floors.json, tests/test_triage_gate.py).
#: Self-care over-triage: "at most 4 of 15", taken as a rate so it applies to any set size.
TARGETS = {"emergency_recall": 1.0, "self_care_over_triage_rate": 4 / 15}
SERIOUS = ("urgent", "emergency")


def code_matches(predicted: str, acceptable: list[str]) -> bool:
    return any(predicted == a or predicted.startswith(a + ".") for a in acceptable)


def chapter_order(name: str) -> tuple[int, str]:
    """Sort key: the fixed chapter order first, any other name after, alphabetically."""
    return (WIDE_CHAPTERS.index(name) if name in WIDE_CHAPTERS else len(WIDE_CHAPTERS), name)


def group_of(vignette: dict) -> str:
    """The per-language row a vignette counts in: language, and script when the set records it."""
    language = str(vignette.get("language") or "?")
    return f"{language}/{vignette['script']}" if vignette.get("script") else language


@dataclass
class Report:
    n: int = 0
    emergencies: int = 0
    emergencies_caught: int = 0
    urgency_correct: int = 0
    over_triage: int = 0
    under_triage: int = 0
    under_triaged_emergencies: int = 0
    top1: int = 0
    top3: int = 0
    specialist_correct: int = 0
    in_kb: int = 0
    self_care: int = 0
    self_care_over_triaged: int = 0
    routine: int = 0
    routine_over_triaged: int = 0
    confusion: Counter = field(default_factory=Counter)
    failures: list[dict] = field(default_factory=list)
    missed_emergencies: list[dict] = field(default_factory=list)
    by_group: dict[str, Report] = field(default_factory=dict)
    by_chapter: dict[str, Report] = field(default_factory=dict)
    #: Sets with readings: gold readings found in the text (vignettes that list ``readings``).
    readings: Checks | None = None
    #: ASHA ``VISIT`` lines of the set (``asha_commands``), parsed and triaged as the ASHA service does.
    commands: Report | None = None
    #: The set's ``implausible`` messages: each must be asked back (``nlu.vitals.Implausible``).
    implausible: Checks | None = None

    def rate(self, count: int, total: int | None = None) -> float:
        total = self.n if total is None else total
        return count / total if total else 1.0

    def add(self, v: dict, result, kb_codes: frozenset[str] = frozenset(),
            also: dict[str, tuple[str, ...]] | None = None) -> None:
        """Count one vignette and its triage result; ``kb_codes``: the knowledge base's ICD-10 codes, ``also``:
        a condition id's further codes (``Condition.also_icd10``), any of which matches like its own."""
        gold, got = v["gold_urgency"], result.urgency
        self.n += 1
        self.confusion[(gold, got)] += 1
        delta = URGENCY_LEVELS.index(got) - URGENCY_LEVELS.index(gold)
        self.urgency_correct += delta == 0
        self.over_triage += delta > 0
        self.under_triage += delta < 0
        if gold == "emergency":
            self.emergencies += 1
            self.emergencies_caught += got == "emergency"
            self.under_triaged_emergencies += got != "emergency"
            if got != "emergency":
                self.missed_emergencies.append({
                    "id": v.get("id"), "language": group_of(v), "urgency": got, "text": v["text"],
                    "red_flags": list(result.red_flags), "symptoms": list(result.symptoms)})
        if gold == "routine":
            self.routine += 1
            self.routine_over_triaged += got in SERIOUS
        if v.get("self_care") is True:
            self.self_care += 1
            self.self_care_over_triaged += got in SERIOUS
        codes = [(c.icd10, *(also or {}).get(getattr(c, "id", ""), ())) for c in result.conditions]
        acceptable = [str(a) for a in v.get("acceptable_icd10") or []]
        hit1 = bool(codes) and any(code_matches(c, acceptable) for c in codes[0])
        hit3 = any(code_matches(c, acceptable) for entry in codes[:3] for c in entry)
        self.top1 += hit1
        self.top3 += hit3
        self.in_kb += any(code_matches(c, acceptable) for c in kb_codes)
        specialists = {v.get("gold_specialist")} | set(v.get("also_acceptable_specialists") or [])
        self.specialist_correct += result.specialist in specialists
        if delta != 0 or not hit3 or result.specialist not in specialists:
            self.failures.append({
                "id": v.get("id"), "gold_urgency": gold, "urgency": got, "acceptable": acceptable,
                "predicted": codes[:3], "symptoms": result.symptoms, "red_flags": result.red_flags,
                "gold_specialist": v.get("gold_specialist"), "specialist": result.specialist,
            })

    def summary(self) -> dict:
        out = {
            "vignettes": self.n,
            "emergency_recall": round(self.rate(self.emergencies_caught, self.emergencies), 4),
            "emergencies": self.emergencies,
            "emergencies_caught": self.emergencies_caught,
            "self_care_cases": self.self_care,
            "self_care_over_triaged": self.self_care_over_triaged,
            "routine_cases": self.routine,
            "routine_over_triaged": self.routine_over_triaged,
            "urgency_accuracy": round(self.rate(self.urgency_correct), 4),
            "over_triage": self.over_triage,
            "under_triage": self.under_triage,
            "under_triaged_emergencies": self.under_triaged_emergencies,
            "top1_accuracy": round(self.rate(self.top1), 4),
            "top3_accuracy": round(self.rate(self.top3), 4),
            "specialist_accuracy": round(self.rate(self.specialist_correct), 4),
            "in_kb": self.in_kb,
            "urgency_confusion": {f"{g}->{p}": n for (g, p), n in sorted(self.confusion.items())},
            "missed_emergencies": [m["id"] for m in self.missed_emergencies],
        }
        if self.by_group:
            out["by_language"] = {name: group.summary_row() for name, group in sorted(self.by_group.items())}
        if self.by_chapter:
            out["by_chapter"] = {name: self.by_chapter[name].summary_row()
                                 for name in sorted(self.by_chapter, key=chapter_order)}
        if self.readings is not None:
            out["readings_read"] = self.readings.summary()
        if self.commands is not None:
            out["asha_commands"] = {k: v for k, v in self.commands.summary().items()
                                    if k in (*COMMAND_KEYS, "missed_emergencies")}
        if self.implausible is not None:
            out["implausible_asked_back"] = self.implausible.summary()
        return out

    def summary_row(self) -> dict:
        """The per-language and per-chapter figures: the headline ones only."""
        return {k: v for k, v in self.summary().items() if k in ROW_KEYS}

    def meets_targets(self) -> dict[str, bool]:
        """Issue #13 targets on this set (self-care only where the set marks self-care cases)."""
        met = {"emergency_recall": self.rate(self.emergencies_caught, self.emergencies) >= TARGETS["emergency_recall"]}
        if self.self_care:
            met["self_care_over_triage"] = (self.self_care_over_triaged / self.self_care
                                            <= TARGETS["self_care_over_triage_rate"] + 1e-9)
        return met


#: The figures an ASHA VISIT line has (no ICD-10 or specialist gold).
COMMAND_KEYS = ("vignettes", "emergencies", "emergencies_caught", "emergency_recall", "urgency_accuracy",
                "under_triage", "under_triaged_emergencies", "over_triage", "urgency_confusion")
ROW_KEYS = ("vignettes", "emergencies", "emergencies_caught", "emergency_recall", "self_care_cases",
            "self_care_over_triaged", "under_triage", "urgency_accuracy", "top1_accuracy", "top3_accuracy",
            "specialist_accuracy", "in_kb")


@dataclass
class Checks:
    """A yes/no check counted over items (readings read, implausible values asked back)."""

    n: int = 0
    passed: int = 0
    failed: list[str] = field(default_factory=list)

    def add(self, item_id: str, ok: bool) -> None:
        self.n += 1
        self.passed += ok
        if not ok:
            self.failed.append(item_id)

    def summary(self) -> dict:
        return {"items": self.n, "passed": self.passed, "failed": list(self.failed)}


#: Gold reading keys of the readings set -> (measure nlu.vitals reads, value in its unit from the gold
#: value). Context keys (a baby's age, weeks of pregnancy) are not readings and are not checked here.
GOLD_READINGS = {
    "temp_f": ("temperature", lambda v: (float(v) - 32) * 5 / 9),
    "temp_c": ("temperature", float),
    "pulse": ("pulse", float),
    "resp_rate": ("resp_rate", float),
    "spo2": ("spo2", float),
    "glucose_mg_dl": ("glucose", float),
    "glucose_mmol_l": ("glucose", lambda v: float(v) * 18.0),
}
READING_TOLERANCE = {"temperature": 0.15, "glucose": 2.0}


def readings_match(gold: dict, text: str) -> bool:
    """Every gold reading (``{"temp_f": 103, "bp": "160/110", ...}``) is among what ``nlu.vitals``
    reads in ``text``, with the same value (temperatures to 0.15 °C, glucose to 2 mg/dL)."""
    from nlu.vitals import number_value, read_vitals

    found = read_vitals(text).readings
    for key, value in (gold or {}).items():
        if key == "bp":
            high, _, low = str(value).partition("/")
            want = (number_value(high.strip()), number_value(low.strip()) if low else None)
            if not any(r.measure == "bp" and (r.value, r.second) == want for r in found):
                return False
        elif key in GOLD_READINGS:
            measure, convert = GOLD_READINGS[key]
            want, slack = convert(value), READING_TOLERANCE.get(measure, 0.01)
            if not any(r.measure == measure and abs(r.value - want) <= slack for r in found):
                return False
    return True


def load_vignettes(path: Path | str | None = None) -> list[dict]:
    """The vignettes of one file (a list, or a mapping with a ``vignettes`` list)."""
    data = read_yaml(Path(path or DEFAULT_VIGNETTES)) or []
    return list(data.get("vignettes") or []) if isinstance(data, dict) else data


def _context(vignette: dict) -> dict:
    """A vignette's month and place for the season/region priors, when it gives them (``date``: ISO
    date, ``state``, ``district``); the engine's fakes in tests take none, so nothing is passed otherwise."""
    return {key: str(vignette[src]) for key, src in (("when", "date"), ("state", "state"), ("district", "district"))
            if vignette.get(src)}


def evaluate(engine, vignettes: list[dict]) -> Report:
    """One report: overall, per language row and, for vignettes that name one, per chapter."""
    kb = getattr(engine, "kb", None)
    kb_codes = frozenset(code for c in kb.conditions for code in c.codes) if kb is not None else frozenset()
    # every code of an entry, its own ``icd10`` too: a burn reported by its region (T23.0 for a hand) is still the
    # entry that stands for T30.0
    also = {c.id: c.codes for c in kb.conditions if c.also_icd10} if kb is not None else {}
    report = Report()
    for v in vignettes:
        pregnant = v.get("pregnant")
        result = engine.triage(v["text"], age=v.get("age"), sex=v.get("sex"), language=v.get("language"),
                               pregnant=pregnant if isinstance(pregnant, bool) else None,
                               **_context(v))
        rows = [report, report.by_group.setdefault(group_of(v), Report())]
        if v.get("chapter"):
            rows.append(report.by_chapter.setdefault(str(v["chapter"]), Report()))
        for row in rows:
            row.add(v, result, kb_codes, also)
    return report


def load_set(path: Path | str) -> dict:
    """A set file as ``{"vignettes", "asha_commands", "implausible"}`` (the last two may be empty)."""
    data = read_yaml(Path(path)) or []
    if not isinstance(data, dict):
        return {"vignettes": data, "asha_commands": [], "implausible": []}
    return {key: list(data.get(key) or []) for key in ("vignettes", "asha_commands", "implausible")}


def evaluate_commands(engine, commands: list[dict]) -> Report:
    """ASHA ``VISIT`` lines (``{id, command, patient: {age?, age_months?, sex, pregnant?}, gold_urgency}``)
    parsed by ``engine.asha.parse`` and triaged with the patient's registered context, as
    ``AshaService._cmd_visit`` does; a line that does not parse as a VISIT counts as triaged routine."""
    from types import SimpleNamespace

    from engine.asha.parse import Command, parse_line

    report = Report()
    for item in commands:
        patient = item.get("patient") or {}
        age = patient.get("age")
        if age is None and patient.get("age_months") is not None:
            age = float(patient["age_months"]) / 12
        cmd = parse_line(str(item["command"]))
        vignette = {**item, "text": str(item["command"])}
        if isinstance(cmd, Command) and cmd.name == "visit":
            pregnant = patient.get("pregnant")
            result = engine.triage(cmd.text, age=age, sex=patient.get("sex"),
                                   pregnant=pregnant if isinstance(pregnant, bool) else None)
        else:
            result = SimpleNamespace(urgency="routine", red_flags=[], symptoms=[], conditions=[], specialist=None)
        report.add(vignette, result)
    return report


def evaluate_implausible(items: list[dict]) -> Checks:
    """Each message gives an impossible value: it must be asked back (issue #13: never used silently)."""
    from nlu.vitals import read_vitals

    checks = Checks()
    for item in items:
        checks.add(str(item.get("id")), bool(read_vitals(str(item["text"])).implausible))
    return checks


def evaluate_file(engine, path: Path | str) -> Report:
    """One set: its vignettes, and where the file has them its readings, VISIT lines and implausible values."""
    content = load_set(path)
    report = evaluate(engine, content["vignettes"])
    with_readings = [v for v in content["vignettes"] if isinstance(v.get("readings"), dict)]
    if with_readings:
        report.readings = Checks()
        for v in with_readings:
            report.readings.add(str(v.get("id")), readings_match(v["readings"], v["text"]))
    if content["asha_commands"]:
        report.commands = evaluate_commands(engine, content["asha_commands"])
    if content["implausible"]:
        report.implausible = evaluate_implausible(content["implausible"])
    return report


def evaluate_sets(engine, paths: dict[str, Path] | None = None) -> dict[str, Report]:
    """One report per set that exists on disk (the held-out files may be absent from a checkout)."""
    return {name: evaluate_file(engine, path) for name, path in (paths or SETS).items() if Path(path).exists()}


DEFAULT_NLU_HELDOUT = DEFAULT_VIGNETTES.with_name("nlu_heldout.yml")


def red_flag_rates(vignettes: list[dict], nlu_items: list[dict]) -> dict:
    """How often the red-flag rules fire, so recall gains can be weighed against false alarms.

    ``vignettes``: recall on gold emergencies and false-positive rate on the others (with their age
    and sex, as the engine sees them). ``nlu_items`` (the held-out NLU set): recall on items whose
    intent is ``emergency`` and false-positive rate on all other items, from the text alone.
    """
    from nlu.red_flags import detect_red_flags

    def fired(text: str, **context) -> bool:
        return bool(detect_red_flags(text or "", **context))

    v_em = [v for v in vignettes if v["gold_urgency"] == "emergency"]
    v_other = [v for v in vignettes if v["gold_urgency"] != "emergency"]
    n_em = [i for i in nlu_items if i.get("intent") == "emergency"]
    n_other = [i for i in nlu_items if i.get("intent") != "emergency"]

    def count(items: list[dict], with_context: bool) -> int:
        return sum(
            fired(i["text"], **({"age": i.get("age"), "sex": (i.get("sex") or "")[:1] or None} if with_context else {}))
            for i in items
        )

    return {
        "vignette_emergencies": len(v_em),
        "vignette_emergency_flagged": count(v_em, True),
        "vignette_non_emergencies": len(v_other),
        "vignette_false_positives": count(v_other, True),
        "nlu_emergencies": len(n_em),
        "nlu_emergency_flagged": count(n_em, False),
        "nlu_non_emergencies": len(n_other),
        "nlu_false_positives": count(n_other, False),
    }
