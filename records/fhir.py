"""Patient-rights export as an HL7 FHIR R4 Bundle, validated with ``fhir.resources.R4B``.

Works on plain, already-decrypted dictionaries gathered by the service (see
:meth:`records.service.RecordsService.export_fhir`), so it never touches the database or keys.
"""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from typing import Any

ICD10 = "http://hl7.org/fhir/sid/icd-10"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
OBS_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
ENCOUNTER_CLASS = {"conversation": "VR", "teleconsult": "VR", "consultation": "VR", "asha_visit": "HH"}
GENDER = {"m": "male", "f": "female", "o": "other"}


def _ts(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.isoformat()


def _ref(kind: str, rid: Any) -> dict[str, str]:
    return {"reference": f"urn:uuid:{rid}", "type": kind}


def _patient(pid: str, profile: dict[str, Any], phones: list[str], language: str) -> dict[str, Any]:
    res: dict[str, Any] = {"resourceType": "Patient", "id": pid,
                           "gender": GENDER.get(str(profile.get("sex") or "").lower(), "unknown"),
                           "communication": [{"language": {"coding": [
                               {"system": "urn:ietf:bcp:47", "code": language}]}}]}
    if profile.get("name"):
        res["name"] = [{"text": profile["name"]}]
    if profile.get("birth_year"):
        res["birthDate"] = str(profile["birth_year"])
    if phones:
        res["telecom"] = [{"system": "phone", "value": p} for p in phones]
    if profile.get("village"):
        res["address"] = [{"text": profile["village"], "country": "IN"}]
    return res


def _encounter(item: dict[str, Any], subject: dict[str, str]) -> dict[str, Any]:
    kind = item["data"].get("kind", "conversation")
    res: dict[str, Any] = {
        "resourceType": "Encounter", "id": item["id"],
        "status": "finished" if item["data"].get("ended_at") or kind == "consultation" else "in-progress",
        "class": {"system": ACT_CODE, "code": ENCOUNTER_CLASS.get(kind, "VR")},
        "type": [{"text": kind}], "subject": subject,
        "period": {"start": _ts(item["at"])},
    }
    if item["data"].get("reason"):
        res["reasonCode"] = [{"text": item["data"]["reason"]}]
    return res


def _observation(item: dict[str, Any], subject: dict[str, str], category: str, code: str) -> dict[str, Any]:
    """The part every Observation shares: final, its category, what was observed, whose and when."""
    return {
        "resourceType": "Observation", "id": item["id"], "status": "final",
        "category": [{"coding": [{"system": OBS_CATEGORY, "code": category}]}],
        "code": {"text": code}, "subject": subject,
        "effectiveDateTime": _ts(item["at"]),
    }


def _symptom_observation(item: dict[str, Any], subject: dict[str, str]) -> dict[str, Any]:
    data = item["data"]
    res = _observation(item, subject, "survey", "Patient-reported symptoms")
    res["component"] = [{"code": {"text": str(s)}, "valueBoolean": True} for s in data.get("symptoms", [])]
    if data.get("text"):
        res["valueString"] = data["text"]
    if not res["component"]:
        del res["component"]
    return res


def _lab_observation(item: dict[str, Any], subject: dict[str, str]) -> dict[str, Any]:
    data = item["data"]
    res = _observation(item, subject, "laboratory", data.get("test") or "lab test")
    # FHIR refuses an empty unit string: a reading without a unit (OCR found none) has no unit key
    unit = {"unit": data["unit"]} if data.get("unit") else {}
    if isinstance(data.get("value"), int | float):
        res["valueQuantity"] = {"value": data["value"], **unit}
    elif data.get("value") is not None:
        res["valueString"] = str(data["value"])
    rng = {k: {"value": data[f"ref_{k}"], **unit}
           for k in ("low", "high") if isinstance(data.get(f"ref_{k}"), int | float)}
    if rng:
        res["referenceRange"] = [rng]
    if data.get("flag"):
        res["interpretation"] = [{"text": data["flag"]}]
    return res


def _conditions(item: dict[str, Any], subject: dict[str, str]) -> list[dict[str, Any]]:
    out = []
    for n, cond in enumerate(item["data"].get("conditions", [])[:3]):
        coding = [{"system": ICD10, "code": cond["icd10"], "display": cond.get("name")}] if cond.get(
            "icd10") else []
        out.append({
            "resourceType": "Condition", "id": str(uuid.uuid5(uuid.UUID(item["id"]), str(n))), "subject": subject,
            "clinicalStatus": {"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "active"}]},
            "verificationStatus": {"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/condition-ver-status",
                "code": "differential" if n else "provisional"}]},
            "code": {"coding": coding, "text": cond.get("name") or cond.get("icd10") or "condition"},
            "recordedDate": _ts(item["at"]),
            "note": [{"text": f"Triage model {item['data'].get('model_version', '')}; "
                              f"probability {cond.get('probability')}; urgency {item['data'].get('urgency')}"}],
        })
    return out


def _medication(item: dict[str, Any], subject: dict[str, str]) -> dict[str, Any]:
    data = item["data"]
    name = data.get("name") or data.get("generic") or "medication"
    dosage = " ".join(str(data[k]) for k in ("strength", "form", "frequency", "instructions") if data.get(k))
    res: dict[str, Any] = {
        "resourceType": "MedicationStatement", "id": item["id"], "status": "active",
        "medicationCodeableConcept": {"text": name}, "subject": subject,
        "dateAsserted": _ts(item["at"]),
    }
    if dosage or data.get("duration_days"):
        res["dosage"] = [{"text": dosage or name}]
    return res


def _allergy(item: dict[str, Any], subject: dict[str, str]) -> dict[str, Any]:
    data = item["data"]
    return {"resourceType": "AllergyIntolerance", "id": item["id"], "patient": subject,
            "type": "allergy", "category": ["medication"], "recordedDate": _ts(item["at"]),
            "code": {"text": data.get("substance") or data.get("allergen") or "allergy"},
            "note": [{"text": "told by the patient" if data.get("source") == "patient" else "recorded by a doctor"}]}


def _document(item: dict[str, Any], subject: dict[str, str], content: bytes | None) -> dict[str, Any]:
    data = item["data"]
    attachment: dict[str, Any] = {"contentType": data.get("mime") or "application/octet-stream",
                                  "title": data.get("filename") or "document"}
    if content is not None:
        attachment["data"] = base64.b64encode(content).decode()
    res: dict[str, Any] = {
        "resourceType": "DocumentReference", "id": item["id"], "status": "current",
        "subject": subject, "date": _ts(item["at"]), "content": [{"attachment": attachment}],
    }
    if data.get("doc_type"):
        res["type"] = {"text": data["doc_type"]}
    if (data.get("ocr") or {}).get("text"):
        res["description"] = data["ocr"]["text"][:1000]
    return res


def build_bundle(
    patient_id: str,
    profile: dict[str, Any],
    phones: list[str],
    language: str,
    items: list[dict[str, Any]],
    documents: dict[str, bytes],
    now: dt.datetime,
) -> dict[str, Any]:
    """Items are the service's history entries: ``{"kind", "id", "at", "data"}``."""
    subject = _ref("Patient", patient_id)
    resources = [_patient(patient_id, profile, phones, language)]
    for item in items:
        kind = item["kind"]
        if kind in ("encounter", "consultation"):
            resources.append(_encounter(item if kind == "encounter" else {
                **item, "data": {**item["data"], "kind": "consultation"}}, subject))
        elif kind == "symptom_report":
            resources.append(_symptom_observation(item, subject))
        elif kind == "lab_result":
            resources.append(_lab_observation(item, subject))
        elif kind == "triage":
            resources.extend(_conditions(item, subject))
        elif kind == "medication":
            resources.append(_medication(item, subject))
        elif kind == "document":
            resources.append(_document(item, subject, documents.get(item["id"])))
        elif kind == "allergy":
            resources.append(_allergy(item, subject))
    bundle = {
        "resourceType": "Bundle", "type": "collection", "timestamp": _ts(now),
        "entry": [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in resources],
    }
    return validate(bundle)


def validate(bundle: dict[str, Any]) -> dict[str, Any]:
    """Raise if the bundle is not valid FHIR R4 (R4B models); return it unchanged.

    (Re-serialising the validated model would cost more than validating it, for the same JSON.)
    """
    from fhir.resources.R4B.bundle import Bundle  # slow import: only when exporting

    Bundle.model_validate(bundle)
    return bundle
