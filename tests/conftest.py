"""Shared fixtures. The expensive one is ``rasa_stack``: the trained model (cached by a hash of
its inputs) served by one Rasa server and one action server for the whole test session, on
ports of their own so a running ``make run`` is not disturbed."""

from __future__ import annotations

import os
import signal
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CONTRACT = SHARED / "contract"


@dataclass
class Bot:
    """A client of the running assistant's REST channel, holding the stack's settings (its tokens)."""

    base_url: str
    settings: Any = None  # config.settings.Settings of the stack
    supervisor: Any = None  # saathi.services.Supervisor running it (a test may kill and restart Rasa)

    @property
    def token(self) -> str:
        """The Rasa token: the REST channel and Rasa's HTTP API refuse calls without it."""
        return self.settings.rasa_token

    def send(self, sender: str, text: str, metadata: dict | None = None) -> list[dict]:
        """The bot's messages for one user turn, each {text, key, language} (key from the catalogue)."""
        response = requests.post(f"{self.base_url}/webhooks/rest/webhook", params={"token": self.token},
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
    from config.settings import load
    from saathi.services import Supervisor, default_services

    settings = load()
    supervisor = Supervisor(default_services(settings))
    with supervisor:
        yield Bot(settings.rasa_base_url, settings, supervisor)


@pytest.fixture(autouse=True)
def _signal_handlers_restored() -> Iterator[None]:
    """Each test leaves SIGINT and SIGTERM as it found them. ``rq``'s ``Worker.work`` (the in-process
    ``SimpleWorker`` runs of the queue tests) installs its own handlers and never removes them; a process
    forked later in the session (a ``multiprocessing`` pool's worker, as the evaluation and RQ use) then
    inherited a SIGTERM handler that does not exit, and ``Pool.terminate`` waited for it until the
    900 s test timeout (CI after session 14, ``test_ocr_pipeline``)."""
    wanted = (signal.SIGINT, signal.SIGTERM)
    saved = {number: signal.getsignal(number) for number in wanted}
    yield
    for number, handler in saved.items():
        if handler is not None and signal.getsignal(number) is not handler:
            signal.signal(number, handler)


@pytest.fixture
def production_secrets(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Strong secrets in the environment: a test that configures PostgreSQL (a production
    deployment) and then runs ``saathi`` or a server must bring them, as a deployment must."""
    from tests.support.production import strong_secrets

    env = strong_secrets()
    for variable, value in env.items():
        monkeypatch.setenv(variable, value)
    return env


def outbreak_multiplier(kb, condition_ids, share: float = 0.35) -> float:
    """The prevalence multiplier that makes ``condition_ids`` ``share`` of all cases drawn by prevalence.

    Drift tests stage an outbreak as a shift in the case mix; a fixed multiplier would mean a smaller
    shift every time the knowledge base grows (x10 on four fevers was 35% of cases with 158 conditions,
    23% with 476), so they ask for the share instead.
    """
    out = sum(c.prevalence for c in kb.conditions if c.id in condition_ids)
    total = float(kb.prevalence.sum())
    return share * (total - out) / (out * (1 - share))
