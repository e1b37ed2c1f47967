"""The gateway's Prometheus metrics (``/metrics``): turn latency, webhook outcomes, the backlog.

Labels are closed sets, never what a request carried: a channel is ``whatsapp``/``sms``/``voice``,
a language ``hi``/``pa``/``en``, an outcome one of the words below; anything else becomes
``other``. So no label can hold a phone number, a sender pseudonym or health text, whatever a
caller passes (:func:`closed`). One gateway process serves many threads; the default registry is
per process, which is what Prometheus scrapes from each replica. The other processes' metrics
are in ``engine.metrics``.
"""

from __future__ import annotations

from engine.metrics import OTHER, closed, counter, gauge, histogram

CHANNELS = ("whatsapp", "sms", "voice")
LANGUAGES = ("hi", "pa", "en")
#: what became of a turn: Rasa answered (an emergency among them), or it did not and the gateway
#: answered a red flag itself, or had nothing to say yet (WhatsApp/SMS keep the message for later)
TURN_OUTCOMES = ("answered", "emergency", "offline_emergency", "offline")
#: what became of a webhook before any turn: taken, a Twilio retry already answered, a bad
#: signature, over the per-sender rate limit
WEBHOOK_OUTCOMES = ("accepted", "duplicate", "forged", "rate_limited")
WEBHOOK_KINDS = ("messaging", "voice", "status", "other")

TURN_SECONDS = histogram(
    "saathi_turn_seconds", "Time of one user turn through Rasa (or its offline answer), by channel and language",
    ["channel", "language", "outcome"], buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0))
WEBHOOKS = counter("saathi_webhooks_total", "Twilio webhooks by kind and outcome", ["kind", "outcome"])
BACKLOG_WAITING = gauge("saathi_backlog_waiting", "Messages kept while Rasa was down, not yet answered")
BACKLOG_ANSWERED = counter("saathi_backlog_answered_total", "Kept messages answered once Rasa was back")


def observe_turn(channel: str, language: str, outcome: str, seconds: float) -> None:
    TURN_SECONDS.labels(closed(channel, CHANNELS), closed(language, LANGUAGES),
                        closed(outcome, TURN_OUTCOMES)).observe(seconds)


def count_webhook(kind: str, outcome: str) -> None:
    WEBHOOKS.labels(closed(kind, WEBHOOK_KINDS), closed(outcome, WEBHOOK_OUTCOMES)).inc()


def webhook_kind(path: str) -> str:
    """The kind of a webhook from its route (``/twilio/messaging`` … , ``/voice/…``, ``/twilio/status``)."""
    if path.startswith("/voice"):
        return "voice"
    if path == "/twilio/status":
        return "status"
    if path.startswith("/twilio/"):
        return "messaging"
    return OTHER
