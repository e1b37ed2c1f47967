"""ASHA workers: commands by SMS/WhatsApp, offline batches, phone verification, follow-ups.

Public API::

    from engine.asha import AshaService, parse_message, starts_with_command
    svc = AshaService(session_factory, records, clock=..., referrer=..., alerts=...)
    uid = svc.register_worker(name=..., village=..., area=..., language="hi", phone="+91…", phone_hash=...)
    number = svc.issue_code(uid)          # sent by SMS; she replies "VERIFY 123456"
    svc.verify(phone_hash, "123456")
    svc.handle(svc.worker(phone_hash), "REG Sita Devi 25 F Dhuri")   # -> the reply text

Commands and their localised keywords are data (``data/asha/keywords.yml``); schedules too
(``data/asha/immunisation.yml``, ``anc.yml``); replies in ``data/messages/asha.yml``.
The gateway's hook is :func:`engine.asha.hook.asha_reply`. Plain Python: no Flask or Rasa.
"""

from engine.asha.models import migrate
from engine.asha.parse import Command, ParseError, parse_line, parse_message, starts_with_command
from engine.asha.service import AshaService, Outcome, Worker

__all__ = ["AshaService", "Command", "Outcome", "ParseError", "Worker", "migrate", "parse_line", "parse_message",
           "starts_with_command"]
