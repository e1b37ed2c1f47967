"""ASHA workers: commands by SMS/WhatsApp, offline batches, phone verification, follow-ups,
the villages each one serves (emergencies there reach her).

Public API::

    from engine.asha import AshaService, enrolment, migrate, parse_message, starts_with_command
    migrate(url, records)                 # the asha branch of engine.schema (seals older clear rows)
    svc = AshaService(session_factory, records, clock=..., referrer=..., alerts=...)
    uid = enrolment.enrol(svc, send, salt, name=..., village=..., area=..., language="pa", phone="98…",
                          serves=["Dhuri", "ਧੂਰੀ"])   # texts her the code; she replies "VERIFY 123456"
    svc.verify(phone_hash, "123456")
    svc.handle(svc.worker(phone_hash), "REG Sita Devi 25 F Dhuri")   # -> the reply text
    svc.responders(patient_id, village)   # who hears of an emergency: her ASHA, the village's ASHAs

Commands and their localised keywords are data (``data/asha/keywords.yml``); schedules too
(``data/asha/immunisation.yml``, ``anc.yml``); replies in ``data/messages/asha.yml``.
Follow-up labels and batch outcomes are sealed with the records' data keys (see ``models``).
The gateway's hook is :func:`channels.asha.asha_reply`; the portal's admin page and
``saathi asha register`` share :mod:`engine.asha.enrolment`. Plain Python: no Flask or Rasa.
"""

from engine.asha.models import migrate
from engine.asha.parse import Command, ParseError, parse_line, parse_message, starts_with_command
from engine.asha.service import AshaService, Outcome, Worker

__all__ = ["AshaService", "Command", "Outcome", "ParseError", "Worker", "migrate", "parse_line", "parse_message",
           "starts_with_command"]
