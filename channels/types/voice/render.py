"""The phone's renderer: what the IVR says, in which voice, and in which language it listens.

Text is spoken with Twilio's ``<Say>`` (``SAATHI_IVR_SPEECH=say``) or as our own synthesised audio
with ``<Play>`` (``play``; ``channels.tts_cache`` names the file by an HMAC of the text).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from twilio.twiml.voice_response import Gather, VoiceResponse

from channels import symptom_menu
from channels.tts_cache import speech_file
from channels.types.voice.keywords import SHORTCUTS
from engine.i18n import t
from engine.speech.tts import speakable

if TYPE_CHECKING:
    from channels.context import Gateway

#: ``<Gather language>``: the speech-recognition language. Twilio passes it to its speech provider
#: and an unknown value gives warning 13512 ("Gather element has an invalid language attribute
#: value", https://www.twilio.com/docs/api/errors/13512) and no recognition at all. Google's
#: speech-to-text, behind Twilio's <Gather>, names Punjabi (Gurmukhi, India) ``pa-guru-IN``
#: (Google.Cloud.Speech.V1 LanguageCodes.Punjabi.GurmukhiIndia), not ``pa-IN``; Hindi and Indian
#: English are ``hi-IN`` and ``en-IN`` (LanguageCodes.Hindi.India, English.India).
GATHER_LANGUAGE = {"hi": "hi-IN", "pa": "pa-guru-IN", "en": "en-IN"}
#: ``<Say language>`` and ``voice``: the voice must speak that language
#: (https://www.twilio.com/docs/voice/twiml/say: "Using an invalid combination of voice and language
#: may result in error"). Amazon Polly lists Aditi for hi-IN (and en-IN) and Raveena for en-IN
#: (docs.aws.amazon.com/polly/latest/dg/available-voices.html); Google's text-to-speech voice
#: pa-IN-Standard-A speaks Punjabi under the language code ``pa-IN`` (TTS codes differ from STT's).
SAY_LANGUAGE = {"hi": "hi-IN", "pa": "pa-IN", "en": "en-IN"}
SAY_VOICE = {"hi": "Polly.Aditi", "pa": "Google.pa-IN-Standard-A", "en": "Polly.Raveena"}


def speak(gateway: Gateway, parent: VoiceResponse | Gather, text: str, language: str) -> None:
    """``text`` spoken into ``parent`` (nothing when nothing in it can be spoken)."""
    spoken = speakable(text)
    if not spoken:
        return
    settings = gateway.settings
    if settings.ivr_speech == "play":
        name = speech_file(settings.var_dir, spoken, language, "mp3", secret=settings.tts_secret)
        parent.play(gateway.public_url(f"/media/tts/{name}"))
    else:
        parent.say(spoken, language=SAY_LANGUAGE[language], voice=SAY_VOICE[language])


def spoken_symptom_menu(language: str) -> str:
    """The pictorial menu's groups by number, read out; numbers that are shortcuts on the phone
    (9 is the doctor) are left out rather than given two meanings."""
    items = [f"{c.number} {symptom_menu.label(c, language)}" for c in symptom_menu.categories()
             if str(c.number) not in SHORTCUTS]
    return t("channels_ivr_symptom_menu", language, menu=", ".join(items))
