"""The phone IVR as TwiML: language menu, speech/keypad turns, silence, recording, emergencies.

Plain logic returning ``VoiceResponse`` objects (twilio's TwiML builders); the Flask view only
checks the signature and de-duplicates. State per call (language, last prompt, silences, a
transcript waiting for confirmation) lives in the gateway store under the CallSid.

Keypad: 1/2/3 pick the language at the start; in a turn 9 asks for a doctor, 0 repeats,
* changes the language, other digits answer the bot's numbered menus. Speech goes through
Twilio's recogniser (``hi-IN``/``pa-IN``/``en-IN``); when it is unsure, and always for our own
whisper transcripts of the ``<Record>`` fallback, the caller confirms with 1/2 first.
"""

from __future__ import annotations

from typing import Any

from twilio.twiml.voice_response import Gather, VoiceResponse

from channels import conversation
from channels.context import Gateway, bot_inputs
from channels.conversation import Turn
from channels.identity import sender_id
from channels.safety import sounds_like_emergency
from channels.tts_cache import speech_file
from engine.i18n import LANGUAGES, t
from engine.speech.prompts import symptom_prompt
from engine.speech.tts import speakable

CALL_TTL = 7200
MENU_LANGUAGES = {"1": "hi", "2": "pa", "3": "en"}
GATHER_LANGUAGE = {"hi": "hi-IN", "pa": "pa-IN", "en": "en-IN"}
SAY_VOICE = {"hi": "Polly.Aditi", "pa": "Google.pa-IN-Standard-A", "en": "Polly.Raveena"}


class Ivr:
    def __init__(self, gateway: Gateway, form: dict[str, str]) -> None:
        self.gateway = gateway
        self.form = form
        self.call_sid = form.get("CallSid", "")
        self.sender = sender_id(form.get("From") or form.get("Caller") or self.call_sid, gateway.settings.sender_salt)
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
        language = language or self.language
        spoken = speakable(text)
        if not spoken:
            return
        if self.gateway.settings.ivr_speech == "play":
            name = speech_file(self.gateway.settings.var_dir, spoken, language, "mp3")
            parent.play(self.gateway.public_url(f"/media/tts/{name}"))
        else:
            parent.say(spoken, language=GATHER_LANGUAGE[language], voice=SAY_VOICE[language])

    def gather(self, response: VoiceResponse, texts: list[str]) -> VoiceResponse:
        """Say ``texts`` inside a speech+keypad Gather; silence goes to /voice/silence."""
        language = self.language
        gather = Gather(
            input="speech dtmf", action=self.url("/voice/turn"), method="POST", language=GATHER_LANGUAGE[language],
            speech_timeout="auto", num_digits=1, timeout=6, hints=symptom_prompt(language).split(":")[-1].strip(" ."),
        )
        for text in texts:
            self.speak(gather, text)
        response.append(gather)
        response.redirect(self.url("/voice/silence"), method="POST")
        self.state["last"] = texts
        self.save()
        return response

    def confirm(self, text: str) -> VoiceResponse:
        self.state["pending"] = text
        response = VoiceResponse()
        gather = Gather(input="dtmf", num_digits=1, action=self.url("/voice/confirm"), method="POST", timeout=8)
        self.speak(gather, t("channels_ivr_confirm", self.language, text=text))
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
        self.state.update(lang=language, silence=0)
        conversation.ask(self.gateway, self.sender, bot_inputs()["language"][language], "voice")  # lock it in Rasa
        conversation.remember_language(self.gateway, self.sender, language)
        return self.gather(VoiceResponse(), [t("channels_ivr_welcome", language)])

    def turn(self) -> VoiceResponse:
        digits = (self.form.get("Digits") or "").strip()
        speech = (self.form.get("SpeechResult") or "").strip()
        self.state["silence"] = 0
        if digits == "0":
            return self.gather(VoiceResponse(), list(self.state.get("last") or [t("channels_ivr_welcome", self.language)]))
        if digits == "*":
            self.save()
            return self.language_menu()
        if digits == "9":
            return self.answer(bot_inputs()["doctor"][self.language])
        if digits:
            return self.answer(digits)
        if speech:
            try:
                confidence = float(self.form.get("Confidence") or 0)
            except ValueError:
                confidence = 0.0
            if confidence < self.gateway.settings.ivr_confirm_below and not sounds_like_emergency(speech):
                return self.confirm(speech)
            return self.answer(speech)
        return self.silence()

    def answer(self, text: str) -> VoiceResponse:
        return self.respond(conversation.ask(self.gateway, self.sender, text, "voice"))

    def respond(self, turn: Turn) -> VoiceResponse:
        texts = [m.text for m in turn.messages if m.text]
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
        return self.gather(response, texts)

    def emergency(self) -> VoiceResponse:
        if (self.form.get("Digits") or "").strip() == "1":
            number = self.gateway.settings.emergency_number
            response = VoiceResponse()
            self.speak(response, t("channels_ivr_connecting", self.language, number=number))
            response.dial(number)
            return response
        return self.turn()

    def silence(self) -> VoiceResponse:
        self.state["silence"] = int(self.state.get("silence") or 0) + 1
        self.save()
        response = VoiceResponse()
        if self.state["silence"] == 1:
            # Second chance: a plain recording, which our own speech engine transcribes.
            self.speak(response, t("channels_ivr_reprompt", self.language))
            response.record(action=self.url("/voice/recording"), method="POST", max_length=15, timeout=4,
                            finish_on_key="#", play_beep=True, trim="trim-silence")
            response.redirect(self.url("/voice/silence"), method="POST")
            return response
        self.speak(response, t("channels_ivr_goodbye", self.language))
        response.hangup()
        return response

    def recording(self) -> VoiceResponse:
        from engine.speech import TranscriptionError, UnsupportedLanguage, transcribe

        url = (self.form.get("RecordingUrl") or "").strip()
        if not url or (self.form.get("RecordingDuration") or "1") == "0":
            return self.silence()
        try:
            audio = self.gateway.fetcher.fetch(url, "audio/wav")
            text = transcribe(audio.data, self.language).text
        except UnsupportedLanguage:
            return self.gather(VoiceResponse(), [t("channels_ivr_keypad_only", self.language)])
        except (TranscriptionError, ValueError):
            text = ""
        if not text:
            return self.gather(VoiceResponse(), [t("channels_ivr_say_again", self.language)])
        return self.answer(text) if sounds_like_emergency(text) else self.confirm(text)

    def confirmed(self) -> VoiceResponse:
        pending = self.state.pop("pending", None)
        if pending and (self.form.get("Digits") or "").strip() == "1":
            return self.answer(pending)
        return self.gather(VoiceResponse(), [t("channels_ivr_say_again", self.language)])

    def ended(self) -> None:
        if self.form.get("CallStatus") in {"completed", "busy", "failed", "no-answer", "canceled"}:
            self.gateway.store.delete(self._key)
