"""Channel types, one package each, as RapidPro keeps them (``temba/channels/types/<type>/``).

``channels.types.whatsapp``, ``channels.types.sms`` and ``channels.types.voice`` each own what
differs between them: how their input is read, their limits, their keywords and how a bot turn is
rendered for them. What they share runs once, in :mod:`channels.pipeline` (signature,
de-duplication, rate limit, the ASHA and pharmacist command hooks), in the order and with the
parts each type declares here in its :class:`ChannelType`.

This module only holds the declarations; it imports none of the type packages, so each of them
(and the pipeline) can import it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ChannelType:
    """What a channel type is, for the shared pipeline and the metrics."""

    #: ``whatsapp`` | ``sms`` | ``voice``: the ``channel`` Rasa's metadata and the turn metrics carry
    name: str
    #: the ``kind`` label of ``saathi_webhooks_total`` (channels.metrics.WEBHOOK_KINDS)
    webhook_kind: str
    #: longest text accepted in one message (longer gets "too long"); 0 = the type carries no typed text
    max_inbound_chars: int = 0
    #: media items of one message worked on (the rest are ignored)
    max_media: int = 0
    #: whether :func:`channels.pipeline.admit` counts the sender against ``SAATHI_RATE_LIMIT_PER_MINUTE``
    rate_limited: bool = False
    #: whether a verified ASHA's and a registered pharmacist's typed commands are answered before the bot
    takes_commands: bool = False
    #: whether the sender's number can be spoofed (SMS, caller ID): record access and ASHA or
    #: pharmacist commands then need step-up identity (:mod:`channels.pipeline.stepup`)
    spoofable: bool = False


@dataclass(frozen=True)
class Keyword:
    """What a type's keyword (``STOP``, ``HELP``, ``HINDI`` …) makes of a message, before the bot.

    ``say``: answer with this catalogue key and stop; ``language``: go on to the bot with the
    bot's own "I want this language" input; neither: no answer at all (an opted-out number)."""

    say: str | None = None
    language: str | None = None
