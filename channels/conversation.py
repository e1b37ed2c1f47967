"""One user turn against Rasa, with the per-sender memory every channel shares.

The language each sender last got an answer in is remembered, and the script (Hindi and Punjabi in
their own script or in Latin letters, engine.i18n), so "reading your photo…" comes in their
language and script before Rasa has said anything this turn. While Rasa (or the action server behind
it) does not answer, the turn is answered here: red flags with the same emergency advice the
action server gives (``nlu.red_flags`` run in this process, ``engine.emergency`` picks the advice),
in the language of the message; anything else is marked ``offline`` (WhatsApp and SMS keep it in
``channels.backlog`` for later, a call hears that we cannot answer now).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

from channels.context import Gateway
from channels.erasure import ERASED_KEY, PARTLY_ERASED_KEY, forget
from channels.metrics import observe_turn
from channels.rasa import BotMessage, RasaUnavailable
from engine.i18n import LANGUAGES, NATIVE, SCRIPTS, answer_script, current_script, script_key, t

log = logging.getLogger(__name__)
LANGUAGE_TTL = 90 * 86400
EMERGENCY_KEYS = ("core_emergency", "core_urgency_emergency")


@dataclass
class Turn:
    messages: list[BotMessage]
    language: str
    emergency: bool = False
    keys: list[str] = field(default_factory=list)
    offline: bool = False  # Rasa did not answer: only what the gateway can say by itself


def remembered_language(gateway: Gateway, sender: str) -> str:
    language = gateway.store.get(f"lang:{sender}")
    return language if language in LANGUAGES else gateway.settings.default_language


def remember_language(gateway: Gateway, sender: str, language: str) -> None:
    if language in LANGUAGES:
        gateway.store.set(f"lang:{sender}", language, ttl=LANGUAGE_TTL)


def remembered_script(gateway: Gateway, sender: str) -> str | None:
    script = gateway.store.get(script_key(sender))
    return script if script in SCRIPTS else None


def remember_script(gateway: Gateway, sender: str, script: str | None) -> None:
    if script in SCRIPTS:
        gateway.store.set(script_key(sender), script, ttl=LANGUAGE_TTL)


def catalogue_message(key: str, language: str, script: str | None = None, **fields: str) -> BotMessage:
    """Message ``key`` as the bot would send it; ``script`` defaults to the turn's (engine.i18n.reply_script)."""
    script = script or current_script()
    return BotMessage(text=t(key, language, script=script, **fields), key=key, language=language,
                      fields=dict(fields), script=script)


def ask(gateway: Gateway, sender: str, text: str, channel: str, metadata: dict[str, Any] | None = None,
        *, offline: bool = True) -> Turn:
    """Send the user's ``text`` to Rasa; the bot's messages in the user's language.

    ``metadata`` adds to ``{"channel": …}`` what the text cannot carry (a shared location). When
    Rasa does not answer: the :func:`offline_turn`, or with ``offline=False`` :class:`RasaUnavailable`
    (channels.replay then keeps the message for another try)."""
    started = time.perf_counter()
    try:
        messages = gateway.rasa.send(sender, text, metadata={**(metadata or {}), "channel": channel})
    except RasaUnavailable as exc:
        log.error("Rasa unavailable for a %s turn: %s", channel, exc)
        if not offline:
            raise
        turn = offline_turn(gateway, sender, text, spoken=channel == "voice")
        observe_turn(channel, turn.language, "offline_emergency" if turn.emergency else "offline",
                     time.perf_counter() - started)
        return turn
    languages = [m.language for m in messages if m.language in LANGUAGES]
    language = languages[-1] if languages else remembered_language(gateway, sender)
    keys = [m.key or "" for m in messages]
    if ERASED_KEY in keys:  # the patient's data is gone: so is what the gateway kept of them
        try:
            forget(gateway, sender)
        except Exception as exc:  # noqa: BLE001 - whatever failed, the confirmation must not claim it went
            log.error("erasure of a conversation failed: %s", type(exc).__name__)
            messages = [catalogue_message(PARTLY_ERASED_KEY, language) if m.key == ERASED_KEY else m
                        for m in messages]
            keys = [m.key or "" for m in messages]
    else:
        remember_language(gateway, sender, language)
        remember_script(gateway, sender, next((m.script for m in reversed(messages) if m.script), None))
    emergency = any(k in EMERGENCY_KEYS for k in keys)
    observe_turn(channel, language, "emergency" if emergency else "answered", time.perf_counter() - started)
    return Turn(messages, language, emergency, keys)


def load_readers() -> None:
    """Reads the tables behind the per-message text readers now, at a process's start: the red-flag
    reader (``nlu.red_flags``, with the symptom lexicon and danger parts under it) that the check-in
    hook, :func:`offline_turn` and a voice note's emergency check run, the language guesser
    (``nlu.language``) and the message catalogues (``engine.i18n``, native and Latin letters). Each
    is made on first use, so without this the first patient's message after a start paid about
    0.6 s of CPU for them (bench/gateway.py), and every RQ work horse read them again. It is the one
    start-up of both long-lived channel processes, the gateway (``python -m channels serve``) and
    the media worker (``python -m channels worker``, which also keeps Whisper:
    ``engine.speech.stt.warm``); tests do not call it."""
    from engine.i18n import catalogue, latin_catalogue
    from nlu.language import detect_language
    from nlu.red_flags import detect_red_flags

    started = time.process_time()
    for text in ("I have a headache", "मुझे बुखार है", "ਮੈਨੂੰ ਬੁਖਾਰ ਹੈ"):
        detect_language(text)
        detect_red_flags(text)
    catalogue()
    latin_catalogue()
    log.info("text readers loaded in %.2f s CPU", time.process_time() - started)


def offline_turn(gateway: Gateway, sender: str, text: str, *, spoken: bool = False) -> Turn:
    """The answer without Rasa: emergency advice when the message shows a red flag (the rules of
    ``nlu.red_flags``: phrases, danger parts, vital-sign readings), else "cannot answer now".

    The language is the message's own when it is clear (``nlu.language``), else the remembered one:
    a first message "saanp ne kaat liya" must get the Hindi snake-bite advice, in Latin letters as
    it was written (``engine.i18n.answer_script``), except on a call (``spoken``)."""
    from engine.emergency import advice_keys
    from nlu.language import LOW_CONFIDENCE, detect_language
    from nlu.red_flags import detect_red_flags

    language = remembered_language(gateway, sender)
    script = remembered_script(gateway, sender)
    flags: list[str] = []
    if text.strip() and not text.startswith("/"):  # "/intent" payloads are buttons, not words
        guess = detect_language(text)
        if guess.language in LANGUAGES and guess.confidence >= LOW_CONFIDENCE:
            language = guess.language
        script = answer_script(guess.script, guess.language, guess.confidence, script)
        try:
            flags = [flag.id for flag in detect_red_flags(text)]
        except Exception as exc:  # noqa: BLE001 - never lose the turn; 108 is in the fallback sentence
            log.error("red-flag check failed: %s", type(exc).__name__)
    if spoken:  # a call hears it: text-to-speech reads Hindi and Punjabi in their own script only
        script = NATIVE
    else:
        remember_script(gateway, sender, script)
    if flags:
        keys = advice_keys(flags)
        return Turn([catalogue_message(key, language, script) for key in keys], language, True, keys, offline=True)
    return Turn([catalogue_message("channels_unavailable", language, script)], language,
                keys=["channels_unavailable"], offline=True)
