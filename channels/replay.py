"""Answers the messages that waited for Rasa (channels.backlog), in order, once Rasa is back.

A thread of the gateway (started by ``python -m channels serve``) looks at the backlog every
``interval`` seconds; for each sender, oldest waiting first, it sends the messages to Rasa one by one
and delivers each answer through the outbound path every later message takes (Twilio's REST API,
``engine.outbound``), opened by a short note that the answer was delayed and when the question was
asked. A message leaves the backlog only once its answer has been handed to Twilio. While Rasa still
does not answer, the thread waits longer between tries (up to ``max_interval``: one refused
connection every 5 s costs nothing, and the first answers go out at most 5 s after Rasa is back).

Rasa answering with nothing at all is what it does while the action server is down, so such a
message is tried again; after :data:`MAX_EMPTY_TRIES` empty answers (a message our bot really has
nothing to say to must not block the sender's queue for ever) the patient is asked to write again.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidTag

from channels import conversation, messaging
from channels.context import Gateway
from channels.inbound import InboundMessage
from channels.metrics import BACKLOG_ANSWERED
from channels.rasa import RasaUnavailable
from channels.types import sms
from config.timezone import IST
from engine.i18n import reply_script
from engine.outbound import SendFailed

log = logging.getLogger(__name__)
#: Empty answers from Rasa before a waiting message is given up (about 5 minutes of tries at most).
MAX_EMPTY_TRIES = 20
DELAYED_NOTE = "channels_delayed_answer"


class RasaStillDown(Exception):
    """Stop this round: the next try comes after the pause."""


class Replayer:
    def __init__(self, gateway: Gateway, interval: float = 2.0, max_interval: float = 5.0) -> None:
        self.gateway = gateway
        self.interval = interval
        self.max_interval = max_interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> int:
        """One round over the backlog; how many waiting messages were answered. Raises
        :class:`RasaStillDown` when Rasa still does not answer (what was answered stays answered)."""
        backlog, answered = self.gateway.backlog, 0
        for sender in backlog.senders():
            if not backlog.claim(sender):
                continue  # another gateway replays this sender now
            try:
                while (item := self._head(sender)) is not None:
                    with reply_script(conversation.remembered_script(self.gateway, sender)):
                        self._answer(sender, item)
                    backlog.pop(sender)
                    BACKLOG_ANSWERED.inc()
                    answered += 1
            finally:
                backlog.release(sender)
        return answered

    def _head(self, sender: str) -> dict[str, Any] | None:
        """The sender's oldest waiting message; one that no longer opens (sealed under another sender
        salt) is dropped with an error in the log, so it cannot block the queue behind it."""
        while True:
            try:
                return self.gateway.backlog.head(sender)
            except InvalidTag:
                log.error("a waiting message could not be opened (was SAATHI_SENDER_SALT changed?): dropped")
                self.gateway.backlog.pop(sender)

    def _answer(self, sender: str, item: dict[str, Any]) -> None:
        gateway = self.gateway
        message = InboundMessage(channel=item["channel"], address=item["address"], to=item.get("to") or "",
                                 sid=item.get("sid") or "", text=item["text"])
        if message.channel == "sms" and sms.opted_out(gateway.store, sender):
            return  # they sent STOP meanwhile: no answer at all
        if message.sid and messaging.delivered_later(gateway, sender, message.sid):
            return  # a second copy, kept by the repeat of a webhook whose gateway died after keeping it
        try:
            turn = conversation.ask(gateway, sender, item["text"], message.channel, item.get("metadata"),
                                    offline=False)
        except RasaUnavailable as exc:
            if not exc.empty:
                raise RasaStillDown from exc
            item["tries"] = int(item.get("tries") or 0) + 1
            if item["tries"] < MAX_EMPTY_TRIES:
                gateway.backlog.update_head(sender, item)
                raise RasaStillDown from exc
            log.error("a waiting message got no answer %d times: asking the patient to write again", item["tries"])
            turn = conversation.Turn([conversation.catalogue_message("channels_unavailable", item["language"])],
                                     item["language"], keys=["channels_unavailable"], offline=True)
        asked = datetime.fromtimestamp(float(item["at"]), IST).strftime("%H:%M")
        turn.messages.insert(0, conversation.catalogue_message(DELAYED_NOTE, turn.language, time=asked))
        outgoing = messaging.follow_up(gateway, message, sender, turn, voice_reply=bool(item.get("voice_reply")))
        if message.sid:  # before it leaves: a repeat of its webhook must not answer it again
            messaging.mark_delivered_later(gateway, sender, message.sid)
        for index, text in enumerate(outgoing.texts):
            last = index == len(outgoing.texts) - 1
            try:
                gateway.sender.send_message(message.address, text, outgoing.media if last else None,
                                            from_=message.to or None)
            except SendFailed as exc:  # Rasa has answered: trying the turn again would ask it twice
                log.error("a delayed answer could not be sent: %s", exc)

    def run(self) -> None:
        pause = self.interval
        while not self._stop.is_set():
            try:
                answered = self.run_once()
                if answered:
                    log.warning("answered %d message(s) that waited for Rasa", answered)
                pause = self.interval
            except RasaStillDown:
                pause = min(self.max_interval, pause * 2)
            except Exception as exc:  # noqa: BLE001 - the thread must outlive any one failure
                log.error("replaying the backlog failed: %s", type(exc).__name__)
                pause = min(self.max_interval, pause * 2)
            self._stop.wait(pause)

    def start(self) -> Replayer:
        self._thread = threading.Thread(target=self.run, name="backlog-replay", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=30)
