"""WhatsApp and SMS turns: from a normalised inbound message to the texts and media to answer.

Plain logic (the Flask view only parses the form and writes TwiML). Order matters and is
safety-first: de-duplication, rate limit, a verified ASHA's commands (channels.asha), a registered
pharmacist's commands (channels.pharmacist), SMS opt-out and keywords, size limits, media
(answered at once, worked on in a job), a shared location (straight to Rasa as "pharmacies near
me"), pending voice confirmation, pictorial menu choice, then Rasa.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

from channels import conversation, symptom_menu
from channels.asha import asha_reply
from channels.context import Gateway, bot_inputs
from channels.identity import sender_id
from channels.inbound import InboundMessage, SharedLocation
from channels.media import kind_of
from channels.pharmacist import pharmacist_reply
from channels.rasa import BotMessage
from channels.render import whatsapp_texts
from channels.sms import render_sms
from engine.i18n import t

MAX_INBOUND_CHARS = 1600
MAX_MEDIA_PER_MESSAGE = 3
PENDING_TTL = 1800
_YES = {"1", "yes", "y", "haan", "han", "ha", "हाँ", "हां", "ਹਾਂ", "ji", "जी", "ਜੀ", "ok", "sahi", "सही", "ਸਹੀ"}
_NO = {"2", "no", "n", "nahi", "nahin", "नहीं", "ਨਹੀਂ", "galat", "गलत", "ਗਲਤ"}
STOP_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "बंद", "ਬੰਦ"}
START_WORDS = {"START", "UNSTOP", "शुरू", "ਸ਼ੁਰੂ"}
HELP_WORDS = {"HELP", "INFO"}
LANGUAGE_WORDS = {"HI": "hi", "HINDI": "hi", "हिंदी": "hi", "हिन्दी": "hi", "PA": "pa", "PUNJABI": "pa",
                  "ਪੰਜਾਬੀ": "pa", "EN": "en", "ENGLISH": "en"}
#: A shared location without text means "pharmacies near me" (Rasa reads "/intent" as that intent).
LOCATION_TEXT = "/find_pharmacy"
#: Answers that promise a later message (a pickup notice, medicine reminders): the person's record then
#: needs their phone, which only the gateway knows (channels.work.remember_phone).
PHONE_AFTER_KEYS = ("pharmacy_status_reserved", "reminder_times_set")
#: After these questions a pictorial menu helps: the bot is waiting for a symptom.
MENU_AFTER_KEYS = ("core_greet", "core_ask_symptom_text", "core_reprompt_symptom_text")


@dataclass
class Outgoing:
    texts: list[str] = field(default_factory=list)
    media: list[str] = field(default_factory=list)


def _normalise_word(text: str) -> str:
    return re.sub(r"[\s.!।]+$", "", text.strip()).upper()


def _say(gateway: Gateway, message: InboundMessage, key: str, language: str, **fields: str) -> Outgoing:
    return render(gateway, message, [conversation.catalogue_message(key, language, **fields)])


def render(gateway: Gateway, message: InboundMessage, messages: list[BotMessage]) -> Outgoing:
    if message.channel == "sms":
        text = render_sms(messages)
        return Outgoing(texts=[text] if text else [])
    return Outgoing(texts=whatsapp_texts(messages))


def handle(gateway: Gateway, message: InboundMessage) -> Outgoing:
    store = gateway.store
    if message.sid and not store.add_once(f"sid:{message.sid}", ttl=86400):
        return Outgoing()  # a Twilio retry: answered already
    sender = sender_id(message.address, gateway.settings.sender_salt)
    language = conversation.remembered_language(gateway, sender)

    count = store.incr(f"rate:{sender}:{int(time.time() // 60)}", ttl=120)
    if count > gateway.settings.rate_limit_per_minute:
        # One polite answer, then silence until the minute is over (floods must not cost replies).
        limited = count == gateway.settings.rate_limit_per_minute + 1
        return _say(gateway, message, "channels_rate_limited", language) if limited else Outgoing()

    # which channel they last wrote on, and when: notifications use WhatsApp's 24-hour window (engine.notify)
    store.set(f"inbound:{sender}", {"channel": message.channel, "at": time.time()}, ttl=30 * 86400)
    asha_text = asha_reply(gateway.settings, sender, message.text)  # a verified ASHA's command, before Rasa
    if asha_text is not None:
        return Outgoing(texts=[asha_text])
    pharmacist_text = pharmacist_reply(gateway.settings, sender, message.text)  # stock and pickup codes
    if pharmacist_text is not None:
        return Outgoing(texts=[pharmacist_text])

    text = message.text
    if message.channel == "sms":
        word = _normalise_word(text)
        if word in STOP_WORDS:
            store.set(f"optout:{sender}", True)
            return _say(gateway, message, "channels_sms_stopped", language)
        if word in START_WORDS:
            store.delete(f"optout:{sender}")
            return _say(gateway, message, "channels_sms_started", language)
        if store.get(f"optout:{sender}"):
            return Outgoing()  # opted out: no replies at all
        if word in HELP_WORDS:
            return _say(gateway, message, "channels_sms_help", language)
        if word in LANGUAGE_WORDS:
            text = bot_inputs()["language"][LANGUAGE_WORDS[word]]

    if len(text) > MAX_INBOUND_CHARS:
        return _say(gateway, message, "channels_too_long", language)
    if message.media:
        return _accept_media(gateway, message, sender, language)

    if message.location is not None:  # a pin answers no pending menu: a "1" after it picks a shop, not a symptom
        store.delete(f"menu:{sender}")
        return _ask(gateway, message, sender, text or LOCATION_TEXT, location_metadata(message.location))
    if not text:  # a contact card, a sticker without media: nothing to read
        return _say(gateway, message, "core_choice_unknown", language)
    voice_reply = False
    pending_voice = store.get(f"voice:{sender}")
    if pending_voice:
        store.delete(f"voice:{sender}")
        answer = text.strip().lower()
        if answer in _YES:
            text, voice_reply = pending_voice, True
        elif answer in _NO:
            return _say(gateway, message, "channels_voice_retry", language)
    if store.get(f"menu:{sender}"):
        store.delete(f"menu:{sender}")
        text = symptom_menu.choice_text(text, language) or text

    return _ask(gateway, message, sender, text, voice_reply=voice_reply)


def location_metadata(location: SharedLocation) -> dict[str, Any]:
    """What the bot gets of a shared pin (engine.pharmacy.geo.locate reads these keys)."""
    return {"latitude": location.latitude, "longitude": location.longitude, "label": location.label}


def _ask(gateway: Gateway, message: InboundMessage, sender: str, text: str, metadata: dict[str, Any] | None = None,
         *, voice_reply: bool = False) -> Outgoing:
    """One turn through Rasa, rendered for the channel, with what follows from the answer."""
    photo = gateway.store.get(f"photo:{sender}")  # the medicines of a recent photo (channels.work)
    if photo:
        metadata = {**(metadata or {}), "photo_medicines": photo}
    turn = conversation.ask(gateway, sender, text, message.channel, metadata)
    outgoing = render(gateway, message, turn.messages)
    if turn.emergency:  # the patient's ASHA hears of it at once (engine.notify), off the webhook
        gateway.jobs.submit("channels.asha.patient_emergency", {"address": message.address})
    if any(k in PHONE_AFTER_KEYS for k in turn.keys):
        gateway.jobs.submit("channels.work.remember_phone", {"address": message.address})
    if message.channel == "whatsapp" and any(k in MENU_AFTER_KEYS for k in turn.keys) and not turn.emergency:
        _add_symptom_menu(gateway, outgoing, sender, turn.language)
    if voice_reply and outgoing.texts:
        gateway.jobs.submit("channels.work.send_voice_reply", {
            "address": message.address, "to": message.to, "language": turn.language,
            "text": "\n".join(m.text for m in turn.messages if m.text),
        })
    return outgoing


def _add_symptom_menu(gateway: Gateway, outgoing: Outgoing, sender: str, language: str) -> None:
    outgoing.texts.append(symptom_menu.menu_text(language))
    gateway.store.set(f"menu:{sender}", True, ttl=PENDING_TTL)
    if gateway.store.add_once(f"card:{sender}:{language}", ttl=365 * 86400):
        symptom_menu.card_path(gateway.settings.var_dir, language)
        outgoing.media.append(gateway.public_url(f"/media/cards/symptoms-{language}.png"))


def _accept_media(gateway: Gateway, message: InboundMessage, sender: str, language: str) -> Outgoing:
    kinds = [kind_of(m.content_type) for m in message.media[:MAX_MEDIA_PER_MESSAGE]]
    if not any(kinds):
        return _say(gateway, message, "channels_media_unsupported", language)
    first_kind = next(k for k in kinds if k)
    for media, kind in zip(message.media, kinds, strict=False):
        if kind:
            gateway.jobs.submit("channels.work.process_media", {
                "address": message.address, "to": message.to, "channel": message.channel,
                "sender": sender, "language": language, "url": media.url, "content_type": media.content_type,
            })
    key = {"image": "channels_reading_photo", "pdf": "channels_reading_document",
           "audio": "channels_listening_voice"}[first_kind]
    return Outgoing(texts=[t(key, language)])
