"""WhatsApp and SMS turns: from a normalised inbound message to the texts and media to answer.

Plain logic (the Flask view only parses the form and writes TwiML). Order matters and is
safety-first: each MessageSid answered once (:func:`handle`: claimed, its answer kept for a
repeat), the shared pipeline (:mod:`channels.pipeline`: rate limit, a
verified ASHA's and a registered pharmacist's commands), then the type's keywords (SMS opt-out,
help, language), size limits, media (answered at once, worked on in a job), a shared location
(straight to Rasa as "pharmacies near me"), pending voice confirmation, pictorial menu choice,
then Rasa. What differs between WhatsApp and SMS is theirs (``channels.types.whatsapp|sms``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from channels import closed_questions, conversation, followup, pipeline
from channels.backlog import BACKLOG_TTL
from channels.context import Gateway, bot_inputs
from channels.erasure import ERASURE_KEYS
from channels.inbound import InboundMessage
from channels.media import kind_of
from channels.metrics import count_webhook
from channels.pipeline import Admission, stepup
from channels.rasa import MESSAGE_ID, BotMessage
from channels.symptom_menu import MENU_AFTER_KEYS
from channels.types import sms, whatsapp
from channels.types.whatsapp import keywords as voice_note
from channels.types.whatsapp import menu
from channels.types.whatsapp.location import LOCATION_TEXT, location_metadata
from engine.i18n import current_script, reply_script, t
from records.identity import sender_id

#: The messaging types, by ``InboundMessage.channel``.
TYPES: dict[str, ModuleType] = {"whatsapp": whatsapp, "sms": sms}
#: a delivery being answered holds its MessageSid this long (a turn takes well under a second;
#: a gateway that died holding it lets a repeat answer after this)
CLAIM_SECONDS = 8
#: how long a repeat waits for the first delivery's answer (Twilio waits 15 s in all)
CLAIM_WAIT_SECONDS = 12
#: how long an answer is kept for a repeat of its message
REPLY_SECONDS = 120
#: Answers that promise a later message (a pickup notice, medicine reminders): the person's record then
#: needs their phone, which only the gateway knows (channels.work.remember_phone).
PHONE_AFTER_KEYS = ("pharmacy_status_reserved", "reminder_times_set")


@dataclass
class Outgoing:
    texts: list[str] = field(default_factory=list)
    media: list[str] = field(default_factory=list)
    #: the turn erased the sender ("delete my data" confirmed): nothing of it may be kept afterwards
    erased: bool = field(default=False, compare=False)


def channel_type(message: InboundMessage) -> ModuleType:
    return TYPES[message.channel]


def _say(gateway: Gateway, message: InboundMessage, key: str, language: str, **fields: str) -> Outgoing:
    return render(gateway, message, [conversation.catalogue_message(key, language, **fields)])


def render(gateway: Gateway, message: InboundMessage, messages: list[BotMessage]) -> Outgoing:
    return Outgoing(texts=channel_type(message).render(messages))


def handle(gateway: Gateway, message: InboundMessage) -> Outgoing:
    """The answer to one WhatsApp or SMS message; what the gateway says itself comes in the script
    the sender was last answered in (engine.i18n: Hindi and Punjabi may be in Latin letters)."""
    sender = sender_id(message.address, gateway.settings.sender_salt)
    with reply_script(conversation.remembered_script(gateway, sender)):
        return _answer_once(gateway, message, sender)


def _answer_once(gateway: Gateway, message: InboundMessage, sender: str) -> Outgoing:
    """Each MessageSid is answered once, whichever gateway replica gets it and however often.

    The first delivery claims the sid for :data:`CLAIM_SECONDS` and, once answered, keeps the
    answer for :data:`REPLY_SECONDS`: a repeat (Twilio retrying, or the load balancer sending the
    request again because the gateway that had it died) gets that same answer without a second
    turn, or waits for it while the first is still being answered. A claim whose gateway died
    expires and the repeat answers it itself: before, the sid was marked done before the turn, and
    a gateway killed mid-turn lost the message (bench/replicas.py).
    """
    if not message.sid:
        return _handle(gateway, message, sender)
    store = gateway.store
    reply_key = f"reply:{sender}:{message.sid}"  # names the sender: erasure (store.forget) takes it too
    deadline = time.monotonic() + CLAIM_WAIT_SECONDS
    while not store.add_once(f"sid:{message.sid}", ttl=CLAIM_SECONDS):
        answered = store.get(reply_key)
        if answered is not None or time.monotonic() > deadline:
            count_webhook(channel_type(message).TYPE.webhook_kind, "duplicate")
            return Outgoing(**answered) if answered else Outgoing()
        time.sleep(0.2)
    answered = store.get(reply_key)
    if answered is None and delivered_later(gateway, sender, message.sid):
        answered = {"texts": [], "media": []}  # the replay has sent its answer (an expired reply key)
    if answered is not None:  # answered or kept by a gateway that died before its answer left
        count_webhook(channel_type(message).TYPE.webhook_kind, "duplicate")
        outgoing = Outgoing(**answered)
    else:
        outgoing = _handle(gateway, message, sender)
    _remember_answer(gateway, sender, message.sid, outgoing)
    store.set(f"sid:{message.sid}", 1, ttl=86400)
    return outgoing


def _remember_answer(gateway: Gateway, sender: str, sid: str, outgoing: Outgoing) -> None:
    """What a repeat of this MessageSid is answered (see :func:`handle`). Not after an erasure:
    the answer names the sender and is written after channels.erasure forgot them (a repeat then
    gets an empty reply, as for any sid already answered)."""
    if sid and not outgoing.erased:
        gateway.store.set(f"reply:{sender}:{sid}", {"texts": outgoing.texts, "media": outgoing.media},
                          ttl=REPLY_SECONDS)


def delivered_later(gateway: Gateway, sender: str, sid: str) -> bool:
    """True when channels.replay has answered this message through the REST API (it waited for Rasa)."""
    return bool(gateway.store.get(f"later:{sender}:{sid}"))


def mark_delivered_later(gateway: Gateway, sender: str, sid: str) -> None:
    """The replay answers this message by the REST API: a repeat of its webhook then gets an empty
    answer, and a second kept copy is skipped. Why: a gateway that kept a message and died before
    its webhook was answered left the repeat (on another gateway, after the claim expired) to keep
    it again or, once the replay had answered it, to ask Rasa and answer it a second time
    (bench/replicas.py: 4 of 120)."""
    gateway.store.set(f"later:{sender}:{sid}", 1, ttl=BACKLOG_TTL)
    _remember_answer(gateway, sender, sid, Outgoing())


def _handle(gateway: Gateway, message: InboundMessage, sender: str) -> Outgoing:
    """``sender``: the pseudonym :func:`handle` made of the number, once per message."""
    store, kind = gateway.store, channel_type(message)
    admission = pipeline.admit(gateway, kind.TYPE, "", sender)  # the MessageSid was claimed by handle()
    language = conversation.remembered_language(gateway, sender)
    if admission is Admission.RATE_LIMITED:
        return _say(gateway, message, "channels_rate_limited", language)
    if admission is Admission.SILENCED:
        return Outgoing()

    # which channel they last wrote on, and when: notifications use WhatsApp's 24-hour window (engine.notify)
    store.set(f"inbound:{sender}", {"channel": message.channel, "at": time.time()}, ttl=30 * 86400)
    command = pipeline.command_reply(gateway, kind.TYPE, sender, message.text)
    if command is not None:
        return Outgoing(texts=[command])
    checkin = followup.checkin_reply(gateway, message.address, sender, message.text)  # a check-in at home
    if checkin is not None:
        return Outgoing(texts=[checkin])

    text = message.text
    found = kind.keyword(store, sender, text)
    if found is not None:
        if found.say:
            return _say(gateway, message, found.say, language)
        if not found.language:
            return Outgoing()
        text = bot_inputs()["language"][found.language]

    if len(text) > kind.TYPE.max_inbound_chars:
        return _say(gateway, message, "channels_too_long", language)
    pin_set = stepup.set_pin(gateway, kind.TYPE, sender, text, language)
    if pin_set is not None:
        return Outgoing(texts=[pin_set])
    if kind.TYPE.spoofable and (entry := stepup.enter_code(gateway, sender, text)) is not None:
        if entry.outcome is not stepup.Outcome.OPENED:
            return Outgoing(texts=[stepup.entry_reply(gateway, entry, language)])
        text = entry.text or text  # what they asked for before the code, now as a verified sender
    if message.media:
        return _accept_media(gateway, message, sender, language)

    if message.location is not None:
        menu.forget(gateway, sender)
        return _ask(gateway, message, sender, text or LOCATION_TEXT, location_metadata(message.location))
    if not text:  # a contact card, a sticker without media: nothing to read
        return _say(gateway, message, "core_choice_unknown", language)
    voice_reply = False
    pending_voice = store.get(f"voice:{sender}")
    if pending_voice:
        store.delete(f"voice:{sender}")
        confirmed = voice_note.confirms(text)
        if confirmed:
            text, voice_reply = pending_voice, True
        elif confirmed is False:
            return _say(gateway, message, "channels_voice_retry", language)
    text = menu.choice(gateway, sender, text, language)

    return _ask(gateway, message, sender, text, voice_reply=voice_reply)


def _ask(gateway: Gateway, message: InboundMessage, sender: str, text: str, metadata: dict[str, Any] | None = None,
         *, voice_reply: bool = False) -> Outgoing:
    """One turn through Rasa, rendered for the channel, with what follows from the answer.

    While earlier messages of this sender wait for Rasa (channels.backlog), this one waits behind
    them, so answers keep their order; either way a red flag is answered at once."""
    photo = gateway.store.get(f"photo:{sender}")  # the medicines of a recent photo (channels.work)
    if photo:
        metadata = {**(metadata or {}), "photo_medicines": photo}
    kind = channel_type(message).TYPE
    metadata = {**(metadata or {}), "identity": stepup.identity(gateway, kind, sender)}
    if message.sid:  # names the message in Rasa's tracker: a second copy gets the first one's answer
        metadata[MESSAGE_ID] = message.sid  # (rasa_ext.rest; a replay, a repeat on another gateway)
        if delivered_later(gateway, sender, message.sid):
            return Outgoing()  # the replay answered it while this repeat was on its way here
    if gateway.backlog.pending(sender):
        turn = conversation.offline_turn(gateway, sender, text)
    else:
        turn = conversation.ask(gateway, sender, text, message.channel, metadata)
        if kind.spoofable:
            stepup.after_turn(gateway, message.address, sender, text, turn)
    if turn.offline and not turn.emergency:
        with reply_script(next((m.script for m in turn.messages if m.script), None)):  # the message's own
            return _keep_for_later(gateway, message, sender, text, metadata, turn.language, voice_reply)
    return follow_up(gateway, message, sender, turn, voice_reply=voice_reply)


def _keep_for_later(gateway: Gateway, message: InboundMessage, sender: str, text: str,
                    metadata: dict[str, Any] | None, language: str, voice_reply: bool) -> Outgoing:
    """Stores the message for channels.replay; says once (for the first waiting message) that the
    answer will come later, with the emergency numbers."""
    position = gateway.backlog.push(sender, {
        "address": message.address, "to": message.to, "channel": message.channel, "sid": message.sid,
        "text": text, "metadata": metadata or {}, "voice_reply": voice_reply, "language": language,
        "at": time.time(), "tries": 0,
    })
    outgoing = _say(gateway, message, "channels_delayed", language) if position == 1 else Outgoing()
    # kept now: a repeat of this message (this gateway dying before it answers) must get this
    # answer, not ask Rasa again while the kept copy waits (it would be answered twice)
    _remember_answer(gateway, sender, message.sid, outgoing)
    return outgoing


def follow_up(gateway: Gateway, message: InboundMessage, sender: str, turn: conversation.Turn, *,
              voice_reply: bool = False) -> Outgoing:
    """The turn rendered for the channel, and what follows from it: the ASHA hears of an emergency,
    a promise of a later message links the phone, a symptom question shows the pictorial menu, a
    voice note is answered by voice too. channels.replay uses it for the answers that waited."""
    outgoing = render(gateway, message, turn.messages)
    outgoing.erased = any(k in ERASURE_KEYS for k in turn.keys)
    if not outgoing.erased:  # what the question wants, for a voice note answering it (channels.closed_questions)
        gateway.store.set(closed_questions.ASKED_KEY.format(sender=sender), closed_questions.kind_of(turn.keys) or "",
                          ttl=closed_questions.ASKED_TTL)
    if turn.emergency:  # the patient's ASHA hears of it at once (engine.notify), off the webhook
        gateway.jobs.submit("channels.asha.patient_emergency", {"address": message.address})
        # and the doctor who treated them lately sees the case again, as an emergency (engine.notify.followup)
        gateway.jobs.submit("channels.followup.emergency", {"address": message.address})
    if any(k in PHONE_AFTER_KEYS for k in turn.keys):
        gateway.jobs.submit("channels.work.remember_phone", {"address": message.address})
    if message.channel == "whatsapp" and any(k in MENU_AFTER_KEYS for k in turn.keys) and not turn.emergency:
        text, card = menu.offer(gateway, sender, turn.language)
        outgoing.texts.append(text)
        outgoing.media.extend([card] if card else [])
    if voice_reply and outgoing.texts:
        gateway.jobs.submit("channels.work.send_voice_reply", {
            "address": message.address, "to": message.to, "language": turn.language,
            "text": "\n".join(m.text for m in turn.messages if m.text),
        })
    return outgoing


def _accept_media(gateway: Gateway, message: InboundMessage, sender: str, language: str) -> Outgoing:
    kinds = [kind_of(m.content_type) for m in message.media[:channel_type(message).TYPE.max_media]]
    if not any(kinds):
        return _say(gateway, message, "channels_media_unsupported", language)
    first_kind = next(k for k in kinds if k)
    for media, kind in zip(message.media, kinds, strict=False):
        if kind:
            gateway.jobs.submit("channels.work.process_media", {
                "address": message.address, "to": message.to, "channel": message.channel,
                "sender": sender, "language": language, "script": current_script(), "url": media.url,
                "content_type": media.content_type,
            })
    key = {"image": "channels_reading_photo", "pdf": "channels_reading_document",
           "audio": "channels_listening_voice"}[first_kind]
    return Outgoing(texts=[t(key, language)])
