"""Rasa's REST channel, answering only callers that present the Rasa API token.

``rasa run --auth-token`` protects Rasa's HTTP API (``/conversations/…``, ``/model/…``,
``/status``: ``requires_auth`` in rasa/server.py) but not the input channels: the stock REST
channel (``/webhooks/rest/webhook``) lets anyone who reaches the port talk as any sender. This
subclass keeps its URL and behaviour and checks the same token, taken the same way
(``?token=``), before any route of the channel runs. Listening on 127.0.0.1 alone would not do:
any local process, and in docker-compose every container of the network, could still reach it.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from rasa.shared.exceptions import RasaException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

TOKEN_VARIABLE = "SAATHI_RASA_TOKEN"


class TokenRestInput(RestInput):
    """``/webhooks/rest/webhook`` behind the token (credentials ``token:``, else ``SAATHI_RASA_TOKEN``)."""

    def __init__(self, token: str) -> None:
        if not token:
            raise RasaException(f"the REST channel needs a token: set {TOKEN_VARIABLE}")
        self._token = token.encode("utf-8")

    @classmethod
    def name(cls) -> str:
        return "rest"  # same URL as the stock channel: callers only add the token

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> TokenRestInput:
        return cls(str((credentials or {}).get("token") or os.environ.get(TOKEN_VARIABLE, "")))

    def authorised(self, request: Request) -> bool:
        supplied = (request.args.get("token") or "").encode("utf-8")
        return hmac.compare_digest(supplied, self._token)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        channel = super().blueprint(on_new_message)

        @channel.middleware("request")
        async def require_token(request: Request) -> HTTPResponse | None:
            if self.authorised(request):
                return None
            return response.json({"status": "failure", "reason": "NotAuthenticated",
                                  "message": "The REST channel needs the Rasa token."}, status=401)

        return channel
