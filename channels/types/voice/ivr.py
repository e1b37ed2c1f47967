"""The phone IVR's steps as TwiML: language menu, speech/keypad turns, silence, recording, emergencies.

Plain logic returning ``VoiceResponse`` objects (twilio's TwiML builders); the Flask view only
checks the signature and de-duplicates. State per call (language, the question being asked and
what kind of answer it wants, misses, keypad mode, an answer waiting for confirmation) lives in
the gateway store under the CallSid.

Every question can be answered by keypad alone, because many callers' speech is not recognised
(Punjabi on some providers, noisy lines, no speech at all):

* the symptom question reads the pictorial menu's groups by number (``channels.symptom_menu``);
* questions with numbered choices take one key;
* ages, days and readings are keyed as several digits ended by ``#`` (``finishOnKey``, not
  ``numDigits=1``: with one digit a caller keying 4 then 5 was recorded as a 4-year-old and
  triaged as a child) and are read back for confirmation before they count.

Shortcuts on one-key questions: 9 asks for a doctor, 0 repeats, * changes the language. Speech
goes through Twilio's recogniser; when it is unsure, and always for our own whisper transcripts of
the ``<Record>`` fallback, the caller confirms with 1/2 first. A caller who gives nothing usable
twice (silence, a rejected or empty transcript) is moved to keypad mode: keypad-only gathers.
"""

from __future__ import annotations

from typing import Any

from twilio.twiml.voice_response import Gather, VoiceResponse

from channels import closed_questions, conversation, symptom_menu
from channels.context import Gateway, bot_inputs
from channels.conversation import Turn
from channels.erasure import ERASURE_KEYS
from channels.pipeline import stepup
from channels.safety import sounds_like_emergency
from channels.types.voice import TYPE, render
from channels.types.voice.keywords import (
    CHOICE,
    CODE,
    KEYED_NUMBER,
    MENU_LANGUAGES,
    NUMBER,
    SHORTCUTS,
    SYMPTOM,
    expectation,
)
from channels.types.voice.render import GATHER_LANGUAGE, spoken_symptom_menu
from engine.i18n import LANGUAGES, t
from engine.speech.prompts import symptom_prompt
from engine.stepup import call_pseudonym, withheld
from records.identity import sender_id

CALL_TTL = 7200


class Ivr:
    def __init__(self, gateway: Gateway, form: dict[str, str]) -> None:
        self.gateway = gateway
        self.form = form
        self.call_sid = form.get("CallSid", "")
        self.caller = form.get("From") or form.get("Caller") or ""
        salt = gateway.settings.sender_salt
        # A withheld or invalid caller ID is nobody's: a pseudonym of this call only, and no record (issue #14)
        self.sender = call_pseudonym(self.call_sid, salt) if withheld(self.caller) else sender_id(self.caller, salt)
        self.state: dict[str, Any] = gateway.store.get(self._key) or {}
        # Every answer's URLs carry a sequence number: a retried request repeats its number (and is
        # replayed from cache), the same keypress at a later step does not.
        self.state["seq"] = int(self.state.get("seq") or 0) + 1

    # --- state -----------------------------------------------------------------------------
    @property
    def _key(self) -> str:
        return f"call:{self.call_sid}"

    def save(self) -> None:
        self.gateway.store.set(self._key, self.state, ttl=CALL_TTL)

    @property
    def language(self) -> str:
        language = self.state.get("lang")
        return language if language in LANGUAGES else conversation.remembered_language(self.gateway, self.sender)

    def url(self, path: str) -> str:
        return self.gateway.public_url(f"{path}?s={self.state['seq']}")

    # --- speaking --------------------------------------------------------------------------
    def speak(self, parent: VoiceResponse | Gather, text: str, language: str | None = None) -> None:
        render.speak(self.gateway, parent, text, language or self.language)

    @property
    def keypad(self) -> bool:
        return bool(self.state.get("keypad"))

    @property
    def expect(self) -> str:
        return self.state.get("expect") or CHOICE

    def gather(self, response: VoiceResponse, texts: list[str], prefix: tuple[str, ...] = ()) -> VoiceResponse:
        """Ask the question ``texts`` (after ``prefix``) in a Gather fitted to the answer it wants.

        Numbers are keyed as several digits ended by ``#``; everything else takes one key. Speech is
        gathered too unless the caller is in keypad mode. Silence goes to /voice/silence."""
        language, expect = self.language, self.expect
        options: dict[str, Any] = {"action": self.url("/voice/turn"), "method": "POST"}
        if expect in (NUMBER, CODE):
            options.update(finish_on_key="#", timeout=10)  # timeout is also the pause allowed between digits
        else:
            options.update(num_digits=1, timeout=6)
        if self.keypad:
            options["input"] = "dtmf"
        else:
            options.update(input="speech dtmf", language=GATHER_LANGUAGE[language], speech_timeout="auto",
                           hints=symptom_prompt(language).split(":")[-1].strip(" ."))
        gather = Gather(**options)
        hint = {SYMPTOM: spoken_symptom_menu(language), NUMBER: t("channels_ivr_enter_number", language)}.get(expect)
        for text in [*prefix, *texts, *([hint] if hint else [])]:
            self.speak(gather, text)
        response.append(gather)
        response.redirect(self.url("/voice/silence"), method="POST")
        self.state["last"] = texts
        self.save()
        return response

    def confirm(self, text: str, sent: str | None = None) -> VoiceResponse:
        """Read a transcript back; it counts only when the caller presses 1 (/voice/confirm), and then
        ``sent`` goes to the bot if given (the key of a recognised yes/no), else the text."""
        self.state["pending"] = sent or text
        return self._yes_no(t("channels_ivr_confirm", self.language, text=text), "/voice/confirm")

    def confirm_number(self, number: str) -> VoiceResponse:
        """Read a keyed number back; it counts only when the caller presses 1 (/voice/number)."""
        self.state["pending_number"] = number
        return self._yes_no(t("channels_ivr_number_confirm", self.language, number=number), "/voice/number")

    def _yes_no(self, text: str, action: str) -> VoiceResponse:
        response = VoiceResponse()
        gather = Gather(input="dtmf", num_digits=1, action=self.url(action), method="POST", timeout=8)
        self.speak(gather, text)
        response.append(gather)
        response.redirect(self.url("/voice/silence"), method="POST")
        self.save()
        return response

    # --- steps -----------------------------------------------------------------------------
    def language_menu(self) -> VoiceResponse:
        response = VoiceResponse()
        gather = Gather(input="dtmf", num_digits=1, action=self.url("/voice/language"), method="POST", timeout=6)
        for language in LANGUAGES:
            self.speak(gather, t("channels_ivr_choose_language", language), language)
        response.append(gather)
        # No key pressed: carry on in the default language rather than hang up on the caller.
        response.redirect(self.url("/voice/language"), method="POST")
        return response

    def choose_language(self) -> VoiceResponse:
        language = MENU_LANGUAGES.get(self.form.get("Digits", ""), self.language)
        self.state.update(lang=language, silence=0, misses=0, expect=SYMPTOM, closed="symptom")
        conversation.ask(self.gateway, self.sender, bot_inputs()["language"][language], "voice")  # lock it in Rasa
        conversation.remember_language(self.gateway, self.sender, language)
        return self.gather(VoiceResponse(), [t("channels_ivr_welcome", language)])

    def turn(self) -> VoiceResponse:
        digits = (self.form.get("Digits") or "").strip()
        speech = (self.form.get("SpeechResult") or "").strip()
        self.state["silence"] = 0
        if digits and self.expect == NUMBER:
            return self.keyed_number(digits)
        if digits and self.expect == CODE:
            return self.keyed_code(digits)
        shortcut = SHORTCUTS.get(digits)
        if shortcut == "repeat":
            return self.gather(VoiceResponse(), list(self.state.get("last") or [t("channels_ivr_welcome", self.language)]))
        if shortcut == "language":
            self.save()
            return self.language_menu()
        if shortcut == "doctor":
            return self.answer(bot_inputs()["doctor"][self.language])
        if digits:
            picked = symptom_menu.choice_text(digits, self.language) if self.expect == SYMPTOM else None
            return self.answer(picked or digits)
        if speech:
            try:
                confidence = float(self.form.get("Confidence") or 0)
            except ValueError:
                confidence = 0.0
            if confidence < self.gateway.settings.ivr_confirm_below and not sounds_like_emergency(speech):
                return self.confirm(speech)
            return self.answer(speech)
        return self.silence()

    def keyed_number(self, digits: str) -> VoiceResponse:
        """Digits keyed for an age, days or a reading: read back before they count."""
        if not KEYED_NUMBER.match(digits):
            return self.unusable()
        return self.confirm_number(digits.replace("*", self.state.get("separator") or "."))

    def number_confirmed(self) -> VoiceResponse:
        number = self.state.pop("pending_number", None)
        if number and (self.form.get("Digits") or "").strip() == "1":
            return self.answer(number)
        return self.gather(VoiceResponse(), list(self.state.get("last") or []))  # key it again

    def keyed_code(self, digits: str) -> VoiceResponse:
        """The code sent to the caller's WhatsApp, or their PIN: right asks the record question again
        as a verified caller; wrong is said and asked again, until the lock."""
        entry = stepup.enter_code(self.gateway, self.sender, digits)
        if entry is None:  # the code expired meanwhile: the digits are an ordinary answer
            return self.answer(digits)
        if entry.outcome is stepup.Outcome.OPENED:
            return self.answer(entry.text)
        if entry.outcome is stepup.Outcome.LOCKED:
            self.state["expect"] = CHOICE
        return self.gather(VoiceResponse(), [stepup.entry_reply(self.gateway, entry, self.language)])

    def answer(self, text: str) -> VoiceResponse:
        self.state["misses"] = 0
        identity = stepup.identity(self.gateway, TYPE, self.sender, self.caller)
        turn = conversation.ask(self.gateway, self.sender, text, "voice", {"identity": identity})
        if identity == "caller_id":
            stepup.after_turn(self.gateway, self.caller, self.sender, text, turn)
        for message in turn.messages:  # on a call the code is keyed in: the spoken form says how
            if message.key == stepup.NEEDED_KEY:
                message.text = t(message.key, turn.language, variant="voice")
        return self.respond(turn)

    def respond(self, turn: Turn) -> VoiceResponse:
        texts = [m.text for m in turn.messages if m.text]
        if any(k in ERASURE_KEYS for k in turn.keys):  # the caller's data is gone: so are this call's spoken replies kept for retries
            self.gateway.store.forget(self.call_sid)
            self.state = {key: value for key, value in self.state.items() if key not in ("last", "pending")}
        self.state["expect"] = expectation(turn.keys)
        self.state["closed"] = closed_questions.kind_of(turn.keys)
        # A blood pressure is keyed as 150*95: the star stands for the slash there, a decimal point elsewhere.
        bp = t("vital_device_bp", turn.language)
        self.state["separator"] = "/" if any(bp in m.fields.values() for m in turn.messages) else "."
        response = VoiceResponse()
        if turn.emergency:
            # The advice first, at once; then the offer to be put through to the emergency number.
            for text in texts:
                self.speak(response, text, turn.language)
            number = self.gateway.settings.emergency_number
            gather = Gather(input="dtmf", num_digits=1, action=self.url("/voice/emergency"), method="POST", timeout=8)
            self.speak(gather, t("channels_ivr_emergency_connect", turn.language, number=number), turn.language)
            response.append(gather)
            texts = [t("channels_ivr_emergency_connect", turn.language, number=number)]
            self.state["expect"] = CHOICE
        return self.gather(response, texts)

    def emergency(self) -> VoiceResponse:
        if (self.form.get("Digits") or "").strip() == "1":
            number = self.gateway.settings.emergency_number
            response = VoiceResponse()
            self.speak(response, t("channels_ivr_connecting", self.language, number=number))
            response.dial(number)
            return response
        return self.turn()

    # --- nothing usable ----------------------------------------------------------------------
    def to_keypad(self) -> VoiceResponse:
        """From now on keypad-only gathers; the question is asked again with its keys."""
        self.state.update(keypad=True, silence=0, misses=0)
        return self.gather(VoiceResponse(), list(self.state.get("last") or []), (t("channels_ivr_keypad_mode", self.language),))

    def unusable(self) -> VoiceResponse:
        """A rejected, empty or unreadable answer: ask again; the second in a row moves to the keypad."""
        self.state["misses"] = int(self.state.get("misses") or 0) + 1
        if self.state["misses"] >= 2 and not self.keypad:
            return self.to_keypad()
        return self.gather(VoiceResponse(), list(self.state.get("last") or []), (t("channels_ivr_say_again", self.language),))

    def silence(self) -> VoiceResponse:
        response = VoiceResponse()
        if self.keypad:
            self.state["silence"] = int(self.state.get("silence") or 0) + 1
            if self.state["silence"] == 1:
                return self.gather(response, list(self.state.get("last") or []))
            self.save()
            self.speak(response, t("channels_ivr_goodbye", self.language))
            response.hangup()
            return response
        self.state["misses"] = int(self.state.get("misses") or 0) + 1
        if self.state["misses"] >= 2:
            return self.to_keypad()
        self.save()
        # Second chance: a plain recording, which our own speech engine transcribes.
        self.speak(response, t("channels_ivr_reprompt", self.language))
        response.record(action=self.url("/voice/recording"), method="POST", max_length=15, timeout=4,
                        finish_on_key="#", play_beep=True, trim="trim-silence")
        response.redirect(self.url("/voice/silence"), method="POST")
        return response

    def recording(self) -> VoiceResponse:
        from engine.speech import TranscriptionError, UnsupportedLanguage, transcribe
        from engine.speech.stt import confident_text

        url = (self.form.get("RecordingUrl") or "").strip()
        if not url or (self.form.get("RecordingDuration") or "1") == "0":
            return self.silence()
        heard = None
        try:
            audio = self.gateway.fetcher.fetch(url, "audio/wav")
            transcript = transcribe(audio.data, self.language, min_logprob=None)
            text = confident_text(transcript)
            if not (text and sounds_like_emergency(text)):  # an emergency is answered at once, as said
                heard = closed_questions.hear(audio.data, self.language, self.state.get("closed"), transcript, text)
        except UnsupportedLanguage:
            self.state.update(keypad=True, silence=0, misses=0)
            return self.gather(VoiceResponse(), list(self.state.get("last") or []),
                               (t("channels_ivr_keypad_only", self.language),))
        except (TranscriptionError, ValueError):
            text = ""
        if heard:  # one of the question's answers was said (channels.closed_questions)
            return self.confirm(heard.said, heard.sent)
        if not text:
            return self.unusable()
        return self.answer(text) if sounds_like_emergency(text) else self.confirm(text)

    def confirmed(self) -> VoiceResponse:
        pending = self.state.pop("pending", None)
        if pending and (self.form.get("Digits") or "").strip() == "1":
            return self.answer(pending)
        return self.unusable()

    def ended(self) -> None:
        if self.form.get("CallStatus") in {"completed", "busy", "failed", "no-answer", "canceled"}:
            self.gateway.store.delete(self._key)
