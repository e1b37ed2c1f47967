"""The conversation behind every channel: Rasa's REST channel, seen as catalogue messages.

Each bot message arrives as ``{"text": …}`` followed by ``{"custom": {"key", "language",
"script", "fields"}}`` (script: ``native`` or ``Latn``, engine.i18n); keeping the key lets a channel re-render the same sentence as an SMS short form or
speak it, instead of cutting up the long text.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import requests


@dataclass
class BotMessage:
    text: str
    key: str | None = None
    language: str | None = None
    fields: dict[str, str] = field(default_factory=dict)
    script: str | None = None  # engine.i18n.NATIVE or LATIN: a short form is rendered in the same
    image: str | None = None


#: The metadata field naming a message (its MessageSid): Rasa answers a message it has already
#: taken with that turn's answer instead of running it twice (rasa_ext/rest.py).
MESSAGE_ID = "message_id"


class RasaUnavailable(RuntimeError):
    """Rasa did not answer; channels then answer red flags themselves and keep the rest for later.

    ``empty``: Rasa answered but said nothing, which is what it does when the action server is down
    (the action fails, Rasa logs it and returns no messages; every turn of our bot says something)."""

    def __init__(self, reason: str, empty: bool = False) -> None:
        super().__init__(reason)
        self.empty = empty


def parse_reply(items: list[dict[str, Any]]) -> list[BotMessage]:
    messages: list[BotMessage] = []
    for item in items:
        custom = item.get("custom")
        if "text" in item:
            messages.append(BotMessage(text=str(item["text"])))
        elif "image" in item:
            messages.append(BotMessage(text="", image=str(item["image"])))
        if isinstance(custom, dict) and messages and "key" in custom:
            messages[-1].key = custom.get("key")
            messages[-1].language = custom.get("language")
            messages[-1].script = custom.get("script")
            messages[-1].fields = {str(k): str(v) for k, v in (custom.get("fields") or {}).items()}
    return messages


class RasaClient:
    """POSTs to ``/webhooks/rest/webhook`` with the Rasa token (``?token=``: our REST channel,
    rasa_ext/rest.py, refuses calls without it); one HTTP session per thread (connection reuse)."""

    def __init__(self, base_url: str, token: str, timeout: float = 30.0) -> None:
        self.url = f"{base_url.rstrip('/')}/webhooks/rest/webhook"
        # the token's query string made once, as requests would encode ``params={"token": …}`` on each
        # call (~0.02 ms of the gateway's CPU a message)
        self._post_url = f"{self.url}?{urlencode({'token': token})}"
        self.timeout = timeout
        self._local = threading.local()

    def _session(self) -> requests.Session:
        if not hasattr(self._local, "session"):
            session = requests.Session()
            # What requests would read from the environment on every call (the proxies for this URL,
            # a CA bundle, ~/.netrc) is read once: a process's environment does not change, and the
            # proxy look-up walked all of os.environ on each message (~0.2 ms of the gateway's CPU).
            found = session.merge_environment_settings(self.url, {}, None, None, None)
            session.proxies, session.verify = found["proxies"], found["verify"]
            session.auth = requests.utils.get_netrc_auth(self.url)
            session.trust_env = False
            self._local.session = session
        return self._local.session

    def send(self, sender: str, text: str, metadata: dict[str, Any] | None = None) -> list[BotMessage]:
        try:
            response = self._session().post(
                self._post_url, json={"sender": sender, "message": text, "metadata": metadata or {}},
                timeout=self.timeout,
            )
            response.raise_for_status()
            messages = parse_reply(response.json())
        except (requests.RequestException, ValueError) as exc:
            raise RasaUnavailable(type(exc).__name__) from exc
        if not messages and text.strip():
            raise RasaUnavailable("empty reply", empty=True)
        return messages
