"""A short plain-language summary of a read document, in the person's language.

Lists each medicine with what it is for and when to take it, the interactions among them, and the
abnormal lab values with what they mean and how soon to see a doctor (critical -> today). Always
ends with the reminder that the reading may contain mistakes and that the doctor decides.
"""

from __future__ import annotations

from typing import Any

from engine.i18n import t
from engine.meds.interactions import check_interactions
from engine.meds.kb import load
from engine.meds.parse import Medication
from engine.ocr.labs import LabResult, load_ranges

_SLOTS3 = ("morning", "afternoon", "night")
_SLOTS4 = ("morning", "afternoon", "evening", "night")


def schedule(med: Medication, language: str) -> str:
    """"2 time(s) a day (morning, night), after food, for 5 days" in ``language``."""
    parts: list[str] = []
    freq = med.frequency or ""
    if freq == "SOS":
        parts.append(t("meds_sched_sos", language))
    elif freq == "HS":
        parts.append(t("meds_sched_bedtime", language))
    elif med.times_per_day:
        text = t("meds_sched_times", language, n=med.times_per_day)
        slots = freq.split("-")
        if len(slots) in (3, 4) and all(s in {"0", "1", "2", "½"} for s in slots):
            names = _SLOTS3 if len(slots) == 3 else _SLOTS4
            chosen = [t(f"meds_slot_{n}", language) for n, s in zip(names, slots, strict=True) if s != "0"]
            text += " " + t("meds_sched_slots", language, slots=", ".join(chosen))
        parts.append(text)
    else:
        parts.append(t("meds_sched_unknown", language))
    if med.instructions:
        parts.append(t(f"meds_instr_{med.instructions.replace(' ', '_')}", language))
    if med.duration_days:
        parts.append(t("meds_sched_days", language, n=med.duration_days))
    return ", ".join(parts)


def _purpose(med: Medication, language: str) -> str | None:
    kb = load()
    texts = [kb.text(g, "for", language) for g in med.generics]
    unique = list(dict.fromkeys(x for x in texts if x))
    return "; ".join(unique) or None


def _lab_line(result: LabResult, language: str) -> str:
    spec = load_ranges().get(result.code, {})
    direction = "low" if result.ref_low is not None and result.value < result.ref_low else "high"
    meaning = (spec.get(f"{direction}_means") or {}).get(language) or ""
    name = (spec.get("name") or {}).get(language) or result.test
    unit = result.unit or ""
    line = t("meds_summary_lab", language, test=name, value=f"{result.value:g}", unit=unit,
             flag=t(f"meds_flag_{result.flag if result.flag == 'critical' else direction}", language),
             source=t(f"ocr_range_{getattr(result, 'range_source', 'reference')}", language), meaning=meaning)
    note = getattr(result, "note", "")
    if note:  # the reading changed what was printed (a restored decimal point): the person must know to check
        line += " " + t(f"ocr_note_{note}", language, read=getattr(result, "read_as", ""), value=f"{result.value:g}")
    return line


def summarise(doc_type: str, medications: list[Medication], lab_results: list[LabResult], language: str) -> str:
    lines = [t("ocr_summary_intro", language, doc=t(f"ocr_doc_{doc_type}", language))]
    if medications:
        lines.append(t("meds_summary_medicines", language))
        for med in medications:
            purpose = _purpose(med, language)
            key = "meds_summary_medicine" if purpose else "meds_summary_medicine_unknown"
            lines.append(t(key, language, name=med.name, purpose=purpose or "", schedule=schedule(med, language)))
        interactions = check_interactions([m.name for m in medications])
        if interactions:
            lines.append(t("meds_summary_interactions", language))
            lines += [f"• {i.advice(language)}" for i in interactions]
    abnormal = [r for r in lab_results if r.flag != "normal"]
    if lab_results:
        if abnormal:
            lines.append(t("meds_summary_labs", language))
            lines += [_lab_line(r, language) for r in abnormal]
            critical = any(r.flag == "critical" for r in abnormal)
            lines.append(t("meds_summary_critical" if critical else "meds_summary_abnormal_soon", language))
        else:
            lines.append(t("meds_summary_labs_normal", language))
    if doc_type == "imaging":
        lines.append(t("ocr_imaging_advice", language))
    elif not medications and not lab_results:
        lines.append(t("meds_summary_nothing", language))
    lines.append(t("meds_summary_footer", language))
    return "\n".join(lines)


def summarise_document(result: Any, language: str = "en") -> str:
    """Summary of an :class:`engine.ocr.DocumentResult` (or anything with the same attributes)."""
    return summarise(result.doc_type, list(result.medications), list(result.lab_results), language)
