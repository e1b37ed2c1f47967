"""The gateway's side of step-up identity (engine.stepup) for the types whose sender can be
spoofed (``ChannelType.spoofable``: SMS and phone calls).

* every turn tells Rasa how sure the gateway is of the sender (``metadata["identity"]``:
  ``whatsapp``, ``verified`` after a right code or PIN, ``caller_id`` for a bare number,
  ``withheld`` for a call without caller ID); the record actions refuse SMS and voice turns that are
  not ``verified`` with the key ``stepup_needed`` (actions.health_record.refused_access);
* seeing ``stepup_needed``, the gateway sends a one-time code to the same number's WhatsApp and
  keeps what was asked; the code or PIN, sent back by SMS or keyed in on the call, asks it again
  as ``verified``;
* "SET PIN 4821" over WhatsApp sets the PIN (argon2 in the records); over SMS it is refused;
* a registered ASHA's or pharmacist's SMS command waits for their PIN once a day.
"""

from __future__ import annotations

import logging
from typing import Any

from channels.asha import asha_reply, needs_daily_pin
from channels.context import Gateway
from channels.pharmacist import pharmacist_command, pharmacist_reply
from channels.rasa import BotMessage
from channels.types import ChannelType
from engine.i18n import t
from engine.stepup import (
    Entry,
    Outcome,
    StepUp,
    entered_secret,
    pin_to_set,
    withheld,
)
from records.identity import normalise_phone

__all__ = ["NEEDED_KEY", "Outcome", "after_turn", "enter_code", "entry_reply", "identity", "set_pin", "worker_gate"]

log = logging.getLogger(__name__)
NEEDED_KEY = "stepup_needed"


def stepup_of(gateway: Gateway) -> StepUp:
    s = gateway.settings
    return StepUp(gateway.store, gateway.services.records, s.sender_salt, code_seconds=s.stepup_code_minutes * 60,
                  grant_seconds=s.stepup_open_minutes * 60, max_tries=s.stepup_max_tries,
                  lock_seconds=s.stepup_lock_minutes * 60)


def identity(gateway: Gateway, kind: ChannelType, sender: str, address: str = "") -> str:
    """What the gateway vouches for about this sender, for the record actions (``metadata["identity"]``)."""
    if not kind.spoofable:
        return "authenticated"  # WhatsApp: Twilio/Meta authenticated the sender
    if kind.name == "voice" and withheld(address):
        return "withheld"
    return "verified" if stepup_of(gateway).granted(sender) else "caller_id"


def locked_message(gateway: Gateway, language: str) -> BotMessage:
    from channels.conversation import catalogue_message

    return catalogue_message("stepup_locked", language, minutes=str(gateway.settings.stepup_lock_minutes))


def entry_reply(gateway: Gateway, entry: Entry, language: str) -> str:
    """The sentence for a wrong or locked entry."""
    if entry.outcome is Outcome.LOCKED:
        return t("stepup_locked", language, minutes=str(gateway.settings.stepup_lock_minutes))
    return t("stepup_wrong", language, left=str(entry.left))


def set_pin(gateway: Gateway, kind: ChannelType, sender: str, text: str, language: str) -> str | None:
    """The answer to "SET PIN 4821" (None: the message is not about setting a PIN)."""
    pin = pin_to_set(text)
    if pin is None:
        return None
    if kind.spoofable:  # only a sender Twilio/Meta authenticated may choose the PIN
        return t("stepup_pin_only_whatsapp", language)
    if not pin:
        return t("stepup_pin_invalid", language)
    gateway.services.records.set_access_pin(sender, pin)
    return t("stepup_pin_set", language)


def enter_code(gateway: Gateway, sender: str, text: str) -> Entry | None:
    """A code or PIN sent while one is due for record access; None when this message is not one
    (then any pending request is dropped: the sender went on with something else)."""
    step = stepup_of(gateway)
    secret = entered_secret(text)
    if step.pending(sender) is None:
        # locked: a code sent now is answered as such, not read by the bot as a number
        return Entry(Outcome.LOCKED) if secret is not None and step.locked(sender) else None
    if secret is None:
        step.forget(sender)
        return None
    return step.enter(sender, secret)


def challenge(gateway: Gateway, address: str, sender: str, text: str, language: str) -> bool:
    """After the record actions asked for a code: send one to the number's WhatsApp and keep
    ``text`` to ask again. False when access is locked (then say so instead)."""
    step = stepup_of(gateway)
    if step.locked(sender):
        return False
    code = step.challenge(sender, text)
    if code:  # sent here, not from a job: the code must not sit in clear in the job queue
        to = f"whatsapp:{normalise_phone(address)}"
        result = gateway.sender.send_message(
            to, t("stepup_code_whatsapp", language, code=code, minutes=str(gateway.settings.stepup_code_minutes)))
        if not getattr(result, "ok", True):
            log.warning("step-up code not delivered: %s", getattr(result, "reason", "unknown"))
    return True


def after_turn(gateway: Gateway, address: str, sender: str, text: str, turn: Any) -> None:
    """A turn whose record action asked for the code: the code goes out (or, locked, the turn says so)."""
    if NEEDED_KEY in turn.keys and not challenge(gateway, address, sender, text, turn.language):
        turn.messages = [locked_message(gateway, turn.language) if m.key == NEEDED_KEY else m for m in turn.messages]
        turn.keys = [m.key or "" for m in turn.messages]


def worker_gate(gateway: Gateway, sender: str, text: str, language: str) -> str | None:
    """A registered ASHA's or pharmacist's SMS command before the daily PIN: held, PIN asked; the
    PIN (as "PIN 4821" or the digits) then does the held command. None: go on as before."""
    settings, services, step = gateway.settings, gateway.services, stepup_of(gateway)
    held = step.held_command(sender)
    secret = entered_secret(text)
    if held is not None and secret is not None:
        entry = step.enter_worker_pin(sender, secret)
        language = _worker_language(services, sender, held) or language
        if entry.outcome is not Outcome.OPENED:
            return entry_reply(gateway, entry, language)
        step.drop_command(sender)
        done = asha_reply(services, sender, held) or pharmacist_reply(services, sender, held) or ""
        return "\n".join(part for part in (t("stepup_worker_unlocked", language), done) if part)
    worker_language = _worker_language(services, sender, text)
    if worker_language is None or step.worker_open_today(sender):
        return None
    if step.store.get(f"stepup:wlock:{sender}"):
        return t("stepup_locked", worker_language, minutes=str(settings.stepup_lock_minutes))
    step.hold_command(sender, text)
    return t("stepup_worker_pin_needed", worker_language)


def _worker_language(services: Any, sender: str, text: str) -> str | None:
    """The language of a worker's command that needs the daily PIN; None for anything else."""
    language = needs_daily_pin(services, sender, text)
    if language is None and pharmacist_command(services, sender, text):
        language = services.settings.default_language
    return language
