"""The gateway's check-in hook: a patient's message while a check-in at home is open (sent in the
last 48 hours, not answered) goes to :class:`engine.notify.followup.FollowUp` before the bot.

Its answer ("1"/"2"/"3", yes/no, a side effect or a new symptom) is replied to here. A danger
sign is never held up here: the bot's emergency advice answers it at once, and :func:`emergency`
(a job after that turn, like the ASHA's alert) reopens the patient's recent case as an emergency.
Only a message that could be an answer (a choice, or words naming a symptom) costs a database
look-up, and only when the store has no recent note that the sender has nothing open
(:func:`engine.notify.followup.no_checkin_key`); anything else goes straight to the bot, and so
does everything when the database is down.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from engine.notify.followup import NO_CHECKIN_TTL, no_checkin_key

if TYPE_CHECKING:
    from channels.context import Gateway

log = logging.getLogger(__name__)


def checkin_reply(gateway: Gateway, address: str, sender: str, text: str) -> str | None:
    """The reply to a check-in answer, or None when the bot should answer."""
    from engine.notify.followup import choice
    from nlu.red_flags import is_emergency
    from nlu.symptoms import symptom_codes

    none_open = no_checkin_key(sender)
    # Looked up lately and nothing open: no database round trip, and no reading of the text either
    # (the red-flag, choice and symptom readers cost ~0.85 ms a message, a store lookup far less).
    if gateway.store.get(none_open):
        return None
    # Cheapest reader first: a message that is neither a choice nor names a symptom (most of them:
    # a greeting, an age, a duration) never pays the red-flag reader, the dearest of the three
    # (every reader is pure: the order changes no answer, each of the three ends in None).
    if not (text or "").strip() or (choice(text) is None and not symptom_codes(text)) or is_emergency(text):
        return None
    try:
        from engine.i18n import reply_script, script_key

        patient = _patient(gateway, address)
        # No records user, no check-in: the follow-up service (and the doctor handoff it is built
        # on, whose first use imports the portal's case code and the ICD-10 tables, about 0.7 s of
        # CPU) is made only for a patient it could have asked.
        service = _service(gateway) if patient is not None else None
        row = service.open_checkin(patient) if service is not None else None
        if row is None:
            gateway.store.set(none_open, True, ttl=NO_CHECKIN_TTL)
            return None
        with reply_script(gateway.store.get(script_key(sender))):
            answer = service.answer(patient, text, row)
    except Exception as exc:  # noqa: BLE001 - logged by type only: the text is health data
        log.warning("check-in answer not read: %s", type(exc).__name__)
        return None
    return answer.text if answer is not None else None


def _patient(gateway: Gateway, address: str):  # type: ignore[no-untyped-def]
    """The records user of a number: its phone identity, else the bot's pseudonym of it (one query)."""
    return gateway.services.records.number_owner(address, gateway.settings.sender_salt)


def _service(gateway: Gateway):  # type: ignore[no-untyped-def]
    from engine.notify import jobs
    from engine.notify.followup import FollowUp

    return FollowUp(jobs.service(), gateway.services.handoff)


def emergency(payload: dict[str, Any]) -> None:
    """Job after the bot answered an emergency: the patient's case of the last weeks (a prescription
    issued) reopens in the doctor's queue as an emergency. The payload is the address only."""
    from channels.context import worker_gateway

    gateway = worker_gateway()
    patient = _patient(gateway, payload["address"])
    if patient is not None:
        _service(gateway).emergency(patient)
