"""Voice: a phone call answered by the IVR, every question answerable by keypad alone.

* parsing: Twilio's Voice webhooks, one per step (``Digits``, ``SpeechResult``, ``Confidence``,
  ``RecordingUrl``: :mod:`.ivr`), routed by :mod:`.views`;
* limits: one key, or up to four digits (and ``*``) ended by ``#`` for a number; a 15-second
  recording when speech was not recognised;
* keywords: the language menu and the shortcuts 0 repeat, 9 doctor, * language (:mod:`.keywords`);
* renderer: ``<Say>``/``<Play>`` in the caller's language inside a ``<Gather>`` (:mod:`.render`).

Of the shared pipeline (``channels.pipeline``) a call takes the signature and de-duplication (a
retried step gets the first step's TwiML back) but no rate limit: Twilio paces a call's steps, and
a caller, perhaps in an emergency, must never be cut off by a counter. Nor command hooks: ASHA and
pharmacist commands are typed codes (``READY 123456``), which a speech recogniser's transcript or a
menu keypress must never be taken for.
"""

from __future__ import annotations

from channels.types import ChannelType

TYPE = ChannelType(name="voice", webhook_kind="voice", rate_limited=False, takes_commands=False, spoofable=True)
