"""Explanations read right for "no" answers (issue #16 item 3): a denied symptom is shown as its
absence ("no loss of appetite"), never as if the symptom itself spoke against the condition."""

from __future__ import annotations

from types import SimpleNamespace

from actions.triage import why
from engine.triage.evidence import Evidence
from engine.triage.explain import Reasons, condition_line, reasons
from engine.triage.kb import default_kb

KB = default_kb()


def _typhoid():
    return next(c for c in KB.conditions if c.icd10.startswith("A01.0"))


def test_a_denied_hallmark_is_listed_as_denied_not_as_present():
    typhoid = _typhoid()
    hallmark = max((s for s in typhoid.symptoms if s != "fever"), key=typhoid.symptoms.get)
    why_ = reasons(typhoid, Evidence(present=["fever"], negated=[hallmark]))
    assert why_.denied == [hallmark]
    assert hallmark not in why_.against and hallmark not in why_.unmentioned


def test_condition_line_says_no_before_a_denied_symptom():
    line = condition_line(_typhoid(), 0.4, Reasons(["fever"], [], [], ["loss_of_appetite"]), "en")
    assert "against: no loss of appetite" in line
    hi = condition_line(_typhoid(), 0.4, Reasons(["fever"], [], [], ["loss_of_appetite"]), "hi")
    assert "भूख न लगना: नहीं" in hi


def test_a_reported_unexpected_symptom_is_named_as_it_is():
    line = condition_line(_typhoid(), 0.4, Reasons(["fever"], ["eye_redness"], [], ["loss_of_appetite"]), "en")
    assert "against: no loss of appetite, red eyes" in line or "against: no loss of appetite, " in line
    assert "no red" not in line


def test_the_bot_reply_says_no_for_a_denied_symptom():
    condition = SimpleNamespace(supporting=["fever"], against=[], denied=["loss_of_appetite"])
    assert why(condition, "en") == "fits fever · but no loss of appetite speaks against it"
    shown = why(SimpleNamespace(supporting=[], against=["cough"], denied=[]), "en")
    assert shown.startswith("but ") and "no " not in shown


def test_a_red_flag_finding_counts_in_the_ranking():
    """A finding only a red-flag rule recognised (bleeding in pregnancy) ranks the conditions too,
    while the contract's "symptoms" stay what the person said."""
    from engine.triage.evidence import FLAG_FINDINGS, with_flag_findings

    ev = Evidence(present=["bleeding"], age=27, sex="f", pregnant=True)
    more = with_flag_findings(KB, ev, ["heavy_bleeding", "pregnancy_bleeding"])
    assert "vaginal_bleeding" in more.present and more.pregnant
    assert with_flag_findings(KB, ev, ["heavy_bleeding"]) is ev
    assert all(code in KB.symptom_index for codes in FLAG_FINDINGS.values() for code in codes)


def test_flag_findings_name_existing_red_flag_rules():
    """A renamed rule would silently stop counting: every mapped id is a rule of data/red_flags.json."""
    import json

    from config.paths import ROOT
    from engine.triage.evidence import FLAG_FINDINGS

    rules = {r["id"] for r in json.loads((ROOT / "data" / "red_flags.json").read_text(encoding="utf-8"))["rules"]}
    assert set(FLAG_FINDINGS) <= rules
