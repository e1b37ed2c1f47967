"""Shared fixtures. The expensive one is ``rasa_stack``: the trained model (cached by a hash of
its inputs) served by one Rasa server and one action server for the whole test session, on
ports of their own so a running ``make run`` is not disturbed."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CONTRACT = SHARED / "contract"


@dataclass
class Bot:
    """A client of the running assistant's REST channel."""

    base_url: str

    def send(self, sender: str, text: str, metadata: dict | None = None) -> list[dict]:
        """The bot's messages for one user turn, each {text, key, language} (key from the catalogue)."""
        response = requests.post(f"{self.base_url}/webhooks/rest/webhook",
                                 json={"sender": sender, "message": text, "metadata": metadata or {}}, timeout=60)
        response.raise_for_status()
        messages: list[dict] = []
        for item in response.json():
            if "text" in item:
                messages.append({"text": item["text"], "key": None, "language": None})
            elif "custom" in item and messages:
                messages[-1].update(key=item["custom"].get("key"), language=item["custom"].get("language"))
        return messages

    @staticmethod
    def new_sender() -> str:
        return f"test-{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="session")
def rasa_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bot]:
    os.environ.setdefault("RASA_PORT", "15005")
    os.environ.setdefault("ACTIONS_PORT", "15055")
    os.environ["SAATHI_VAR_DIR"] = str(tmp_path_factory.mktemp("var"))
    from saathi.services import Supervisor, default_services
    from saathi.settings import load

    settings = load()
    supervisor = Supervisor(default_services(settings))
    with supervisor:
        yield Bot(settings.rasa_base_url)
