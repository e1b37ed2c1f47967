"""Rasa's REST channel, answering only callers that present the Rasa API token.

``rasa run --auth-token`` protects Rasa's HTTP API (``/conversations/…``, ``/model/…``,
``/status``: ``requires_auth`` in rasa/server.py) but not the input channels: the stock REST
channel (``/webhooks/rest/webhook``) lets anyone who reaches the port talk as any sender. This
subclass keeps its URL and behaviour and checks the same token, taken the same way
(``?token=``), before any route of the channel runs. Listening on 127.0.0.1 alone would not do:
any local process, and in docker-compose every container of the network, could still reach it.

A message may reach Rasa twice: the gateway gave up waiting (two starved cores) and keeps it for a
replay while Rasa finished it after all, or a gateway died after Rasa answered and the load balancer
sent the webhook to the other one (bench/replicas.py). The caller names each message
(``metadata.message_id``: Twilio's MessageSid); the channel stores it as the user event's
``message_id`` and, inside the conversation's lock (the lock store, shared by every Rasa replica),
answers a message already in the tracker with the bot messages that followed it, without running
the turn again. A message whose earlier turn said nothing (the action server was down) is run again:
nothing of it reached the person.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

TOKEN_VARIABLE = "SAATHI_RASA_TOKEN"
#: The metadata field that names a message (channels.rasa.RasaClient sends it).
MESSAGE_ID = "message_id"


def earlier_answer(tracker: DialogueStateTracker | None, message_id: str) -> list[BotUttered] | None:
    """The bot messages that followed the user message ``message_id`` in ``tracker``, or None when it
    is not there or nothing followed it (its turn failed: it must be run again)."""
    if tracker is None:
        return None
    answer: list[BotUttered] | None = None
    for event in tracker.events:
        if isinstance(event, UserUttered):
            if answer is not None:
                break
            if event.message_id == message_id:
                answer = []
        elif answer is not None and isinstance(event, BotUttered):
            answer.append(event)
    return answer or None


class TokenRestInput(RestInput):
    """``/webhooks/rest/webhook`` behind the token (credentials ``token:``, else ``SAATHI_RASA_TOKEN``)."""

    def __init__(self, token: str) -> None:
        if not token:
            raise RasaException(f"the REST channel needs a token: set {TOKEN_VARIABLE}")
        self._token = token.encode("utf-8")
        self._app: Any = None  # Rasa's Sanic app (its agent), known from the first request

    @classmethod
    def name(cls) -> str:
        return "rest"  # same URL as the stock channel: callers only add the token

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> TokenRestInput:
        return cls(str((credentials or {}).get("token") or os.environ.get(TOKEN_VARIABLE, "")))

    def authorised(self, request: Request) -> bool:
        supplied = (request.args.get("token") or "").encode("utf-8")
        return hmac.compare_digest(supplied, self._token)

    async def handle_once(self, message: UserMessage, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> None:
        """``on_new_message`` (the agent's handle_message), or the earlier answer of a message Rasa
        has already taken (module docstring). The check and the turn hold the conversation's lock,
        as ``Agent.handle_message`` does, so a copy waiting behind the first sees its answer."""
        message_id = (message.metadata or {}).get(MESSAGE_ID)
        agent = getattr(getattr(self._app, "ctx", None), "agent", None)
        if not message_id or agent is None or not agent.is_ready():
            await on_new_message(message)
            return
        message.message_id = str(message_id)
        async with agent.lock_store.lock(message.sender_id):
            answer = earlier_answer(await agent.tracker_store.retrieve(message.sender_id), message.message_id)
            if answer is None:
                await agent.processor.handle_message(message)
                return
            for event in answer:  # as the turn sent them (OutputChannel.send_response: text, custom, image)
                await message.output_channel.send_response(message.sender_id, {"text": event.text, **event.data})

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        async def once(message: UserMessage) -> None:
            await self.handle_once(message, on_new_message)

        channel = super().blueprint(once)

        @channel.middleware("request")
        async def require_token(request: Request) -> HTTPResponse | None:
            self._app = request.app
            if self.authorised(request):
                return None
            return response.json({"status": "failure", "reason": "NotAuthenticated",
                                  "message": "The REST channel needs the Rasa token."}, status=401)

        return channel
