"""Sending through the gateway's one way out to Twilio (``engine.outbound.TwilioSender``):
free text, and WhatsApp template messages (Content API: ``content_sid`` + ``content_variables``)."""

from __future__ import annotations

import json
from typing import Any


class TwilioTransport:
    def __init__(self, sender: Any) -> None:
        self.sender = sender

    def send_text(self, to: str, body: str) -> str:
        return self.sender.send_message(to, body).sid

    def send_template(self, to: str, content_sid: str, variables: dict[str, str]) -> str:
        s = self.sender
        return s._with_retries(s.client.messages.create, to=to, from_=s._from_for(to, None),
                               content_sid=content_sid, content_variables=json.dumps(variables, ensure_ascii=False),
                               status_callback=s.status_callback).sid
