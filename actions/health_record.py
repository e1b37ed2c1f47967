"""The patient's own health record, from the bot: keep checks, see them, who may see them, export, delete.

All of it goes through ``records.RecordsService`` (encryption, consent, audit live there); the
bot acts as the patient it talks to, identified by the gateway's pseudonym (``sender_id``), never
by a phone number.
"""

from __future__ import annotations

import logging
import re
import shutil
import uuid

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from actions.common import SaathiAction, latest_text, say, symptom_list
from config.timezone import IST
from engine.i18n import t
from engine.logsafe import failure

log = logging.getLogger(__name__)

HISTORY_SHOWN = 5
# "stop sharing" in the three languages and scripts (the contract's share_records intent covers
# both granting and withdrawing; withdrawing must never be missed).
_STOP_SHARING = re.compile(
    r"stop|revoke|withdraw|band\s*kar|rok|hata|ਬੰਦ|ਰੋਕ|ਹਟਾ|बंद|रोक|हटा|wapas|vapas|ਵਾਪਸ|वापस", re.IGNORECASE)
# (the intent covers export and deletion; "एक्सपोर्ट" must never be read as "delete")
_EXPORT = re.compile(r"export|download|copy|file|bhej|send|ਭੇਜ|भेज|ਕਾਪੀ|कॉपी|nikal|निकाल|ਕੱਢ|एक्सपोर्ट|डाउनलोड|"
                     r"फ़ाइल|फाइल|ਐਕਸਪੋਰਟ|ਡਾਊਨਲੋਡ|ਡਾਉਨਲੋਡ|ਫ਼ਾਈਲ|ਫਾਈਲ", re.IGNORECASE)


def service():
    """The records service of this process (``actions.services``, its composition root)."""
    from actions.services import current

    return current().records


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
    except Exception as exc:  # the record failing must not cost the patient their answer
        log.error("could not save the check to the record: %s", failure(exc))  # not the message: SQL parameters
        return False


#: Where the sender's number is the only identity and can be spoofed (engine.stepup).
STEP_UP_CHANNELS = ("sms", "voice")


def refused_access(dispatcher, tracker: Tracker, language: str) -> bool:
    """Says why and returns True when this turn may not read, export, share or delete the record.

    Over SMS and voice the gateway vouches, in the turn's metadata (``identity``), that the sender
    gave the one-time code sent to their WhatsApp or their PIN (``verified``), or that the call has
    no caller ID at all (``withheld``: never any record). The gateway sees the key
    ``stepup_needed`` and sends the code. Rasa and the action server take calls only with their
    tokens (finding 1), so only the gateway can set the metadata. WhatsApp senders are
    authenticated by Twilio/Meta: no step-up there."""
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    if str(metadata.get("channel") or "").lower() not in STEP_UP_CHANNELS:
        return False
    identity = metadata.get("identity")
    if identity == "verified":
        return False
    say(dispatcher, "stepup_withheld_caller" if identity == "withheld" else "stepup_needed", language)
    return True


def history_lines(items: list[dict], language: str) -> list[str]:
    """The last few checks as one line each: date, urgency, leading possible condition."""
    lines = []
    for item in [i for i in items if i["kind"] == "triage"][-HISTORY_SHOWN:]:
        data = item["data"]
        at = item["at"].astimezone(IST).strftime("%d-%m-%Y")
        condition = (data.get("conditions") or [{}])[0].get("name") or "-"
        lines.append(t("core_records_line", language, date=at,
                       urgency=t(f"core_urgency_word_{data.get('urgency', 'routine')}", language),
                       symptoms=symptom_list(data.get("symptoms") or [], language) or "-", condition=condition))
    return lines


class ActionMyRecords(SaathiAction):
    action_name = "action_my_records"

    def respond(self, dispatcher, tracker, domain, language):  # type: ignore[override]
        from records import Purpose

        if refused_access(dispatcher, tracker, language):
            return []
        pid = patient_of(tracker, language)
        lines = history_lines(service().history(me(pid), pid, purpose=Purpose.SELF_CARE), language)
        allergies = [a["substance"] for a in service().allergies(me(pid), pid, purpose=Purpose.SELF_CARE)]
        if lines:
            say(dispatcher, "core_records_header", language, lines="\n".join(lines))
        elif not allergies:
            say(dispatcher, "core_records_empty", language)
        if allergies:  # what every prescribing doctor is warned about
            say(dispatcher, "meds_allergy_in_record", language, names=", ".join(allergies))
        return []


class ActionShareRecords(SaathiAction):
    """'Who can see my records?' and 'stop sharing' (granting happens when a doctor takes the case)."""

    action_name = "action_share_records"

    def respond(self, dispatcher, tracker, domain, language):  # type: ignore[override]
        from engine.records_text import who_can_see
        from records import Purpose

        if refused_access(dispatcher, tracker, language):
            return []
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

    action_name = "action_delete_my_data"

    def respond(self, dispatcher, tracker, domain, language):  # type: ignore[override]
        if refused_access(dispatcher, tracker, language):
            return []
        if _EXPORT.search(latest_text(tracker)):
            return export_records(dispatcher, tracker, language)
        say(dispatcher, "records_delete_confirm", language)
        return [SlotSet("pending_offer", "delete")]


def export_records(dispatcher, tracker: Tracker, language: str) -> list:
    """Writes the FHIR R4 bundle and sends the patient a one-time link to it (engine/exports.py):
    served by the gateway, gone after the first download or ``SAATHI_EXPORT_LINK_HOURS``."""
    from config.settings import load
    from engine import exports
    from records import Purpose

    if refused_access(dispatcher, tracker, language):
        return []
    settings = load()
    pid = patient_of(tracker, language)
    bundle = service().export_fhir(me(pid), pid, purpose=Purpose.PATIENT_REQUEST)
    token = exports.write(settings.var_dir, pid, bundle)
    fields = {"count": str(len(bundle.get("entry", []))), "hours": f"{settings.export_link_hours:g}",
              "link": f"{settings.gateway_base_url}/exports/{language}/{token}"}
    dispatcher.utter_message(text=t("records_export_ready", language, **fields),
                             json_message={"key": "records_export_ready", "language": language, "fields": fields})
    return []


def delete_records(dispatcher, tracker: Tracker, language: str) -> list:
    """The confirmed erasure: records (crypto-shredded) and export files here; the message's key
    ``records_deleted`` then makes Rasa's tracker store erase the conversation and the gateway its
    own keys (bot/tracker_store.py, channels/erasure.py), so the message tells the truth."""
    from config.settings import load
    from engine.exports import patient_folder
    from records import PatientNotFound, Purpose

    if refused_access(dispatcher, tracker, language):
        return []  # pending_offer stays "delete": "YES" again once the code or PIN was given
    try:
        pid = patient_of(tracker, language)
        shutil.rmtree(patient_folder(load().var_dir, pid), ignore_errors=True)
        service().delete_patient(me(pid), pid, purpose=Purpose.PATIENT_REQUEST)
    except PatientNotFound:
        pass
    service().forget_access_pin(tracker.sender_id)
    say(dispatcher, "records_deleted", language)
    return [SlotSet("pending_offer", None), SlotSet("records_consent", None), SlotSet("last_triage", None)]
