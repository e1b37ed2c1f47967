"""The patient's own health record, from the bot: keep checks, see them, who may see them, export, delete.

All of it goes through ``records.RecordsService`` (encryption, consent, audit live there); the
bot acts as the patient it talks to, identified by the gateway's pseudonym (``sender_id``), never
by a phone number.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import uuid
from functools import lru_cache

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from actions.common import SaathiAction, latest_text, say, symptom_list
from engine.i18n import t

log = logging.getLogger(__name__)

HISTORY_SHOWN = 5
# "stop sharing" in the three languages and scripts (the contract's share_records intent covers
# both granting and withdrawing; withdrawing must never be missed).
_STOP_SHARING = re.compile(
    r"stop|revoke|withdraw|band\s*kar|rok|hata|ਬੰਦ|ਰੋਕ|ਹਟਾ|बंद|रोक|हटा|wapas|vapas|ਵਾਪਸ|वापस", re.IGNORECASE)
_EXPORT = re.compile(r"export|download|copy|file|bhej|send|ਭੇਜ|भेज|ਕਾਪੀ|कॉपी|nikal|निकाल|ਕੱਢ", re.IGNORECASE)


@lru_cache(maxsize=1)
def service():
    """The records service for this process (database, keys and file store from settings)."""
    from records import RecordsService

    return RecordsService.from_settings()


def patient_of(tracker: Tracker, language: str) -> uuid.UUID:
    return service().get_or_create_patient("sender", tracker.sender_id, language)


def me(patient_id: uuid.UUID):
    from records import Actor

    return Actor.patient(patient_id)


def keep_check(tracker: Tracker, language: str, contract: dict, model_version: str | None) -> bool:
    """Saves the symptom report and the triage result if the patient agreed; never breaks the chat."""
    if tracker.get_slot("records_consent") != "yes":
        return False
    from records import Purpose

    try:
        pid = patient_of(tracker, language)
        report = {
            "text": tracker.get_slot("complaint_text") or "",
            "symptoms": list(tracker.get_slot("symptoms") or []),
            "negated": list(tracker.get_slot("negated_symptoms") or []),
            "age": tracker.get_slot("age"), "sex": tracker.get_slot("sex"),
            "duration_days": tracker.get_slot("duration_days"), "severity": tracker.get_slot("severity"),
            "patient": tracker.get_slot("patient"), "language": language,
        }
        rid = service().save_symptom_report(me(pid), pid, report, purpose=Purpose.TRIAGE)
        service().save_triage(me(pid), pid, contract, model_version=model_version or "unknown",
                              symptom_report_id=rid, purpose=Purpose.TRIAGE)
        return True
    except Exception:  # the record failing must not cost the patient their answer
        log.exception("could not save the check to the record")
        return False


def history_lines(items: list[dict], language: str) -> list[str]:
    """The last few checks as one line each: date, urgency, leading possible condition."""
    lines = []
    for item in [i for i in items if i["kind"] == "triage"][-HISTORY_SHOWN:]:
        data = item["data"]
        at = item["at"].astimezone(dt.timezone(dt.timedelta(hours=5, minutes=30))).strftime("%d-%m-%Y")
        condition = (data.get("conditions") or [{}])[0].get("name") or "-"
        lines.append(t("core_records_line", language, date=at,
                       urgency=t(f"core_urgency_word_{data.get('urgency', 'routine')}", language),
                       symptoms=symptom_list(data.get("symptoms") or [], language) or "-", condition=condition))
    return lines


class ActionMyRecords(SaathiAction):
    def name(self) -> str:
        return "action_my_records"

    def respond(self, dispatcher, tracker, domain, language):  # type: ignore[override]
        from records import Purpose

        pid = patient_of(tracker, language)
        lines = history_lines(service().history(me(pid), pid, purpose=Purpose.SELF_CARE), language)
        if not lines:
            say(dispatcher, "core_records_empty", language)
            return []
        say(dispatcher, "core_records_header", language, lines="\n".join(lines))
        return []


class ActionShareRecords(SaathiAction):
    """'Who can see my records?' and 'stop sharing' (granting happens when a doctor takes the case)."""

    def name(self) -> str:
        return "action_share_records"

    def respond(self, dispatcher, tracker, domain, language):  # type: ignore[override]
        from records import Purpose
        from records.messages import who_can_see

        pid = patient_of(tracker, language)
        grants = service().who_can_see(me(pid), pid)
        if _STOP_SHARING.search(latest_text(tracker)) and grants:
            for grant in grants:
                service().revoke_consent(me(pid), pid, grant["id"], purpose=Purpose.PATIENT_REQUEST)
            say(dispatcher, "core_records_sharing_stopped", language, count=len(grants))
            return []
        dispatcher.utter_message(text=who_can_see(grants, language),
                                 json_message={"key": "records_consent_header", "language": language, "fields": {}})
        return []


class ActionDeleteMyData(SaathiAction):
    """Export (FHIR file) or delete (after an explicit confirmation) the patient's data."""

    def name(self) -> str:
        return "action_delete_my_data"

    def respond(self, dispatcher, tracker, domain, language):  # type: ignore[override]
        if _EXPORT.search(latest_text(tracker)):
            return export_records(dispatcher, tracker, language)
        say(dispatcher, "records_delete_confirm", language)
        return [SlotSet("pending_offer", "delete")]


def export_records(dispatcher, tracker: Tracker, language: str) -> list:
    """Writes the FHIR R4 bundle where the channel layer picks it up to send as a file."""
    from records import Purpose
    from saathi.settings import load

    pid = patient_of(tracker, language)
    bundle = service().export_fhir(me(pid), pid, purpose=Purpose.PATIENT_REQUEST)
    folder = load().var_dir / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}.json"
    path.write_text(json.dumps(bundle, ensure_ascii=False), encoding="utf-8")
    path.chmod(0o600)
    dispatcher.utter_message(
        text=t("records_export_ready", language, count=len(bundle.get("entry", []))),
        json_message={"key": "records_export_ready", "language": language,
                      "fields": {"count": str(len(bundle.get("entry", [])))},
                      "attachment": {"type": "application/fhir+json", "path": str(path)}},
    )
    return []


def delete_records(dispatcher, tracker: Tracker, language: str) -> list:
    from records import PatientNotFound, Purpose

    try:
        pid = patient_of(tracker, language)
        service().delete_patient(me(pid), pid, purpose=Purpose.PATIENT_REQUEST)
    except PatientNotFound:
        pass
    say(dispatcher, "records_deleted", language)
    return [SlotSet("pending_offer", None), SlotSet("records_consent", None), SlotSet("last_triage", None)]
