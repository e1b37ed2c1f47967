"""Everything a channel needs, built once per process from the settings.

The Flask app keeps one :class:`Gateway` in ``app.config``; the RQ worker builds its own with
:func:`worker_gateway`. Tests build one with fakes where a real service is not the point.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from channels.jobs import JobQueue, open_queue
from channels.media import MediaFetcher
from channels.outbound import TwilioSender
from channels.rasa import RasaClient
from channels.store import Store, open_store
from saathi.settings import Settings, load

BOT_INPUTS = Path(__file__).parent / "data" / "bot_inputs.yml"


@lru_cache(maxsize=1)
def bot_inputs() -> dict[str, dict[str, str]]:
    return yaml.safe_load(BOT_INPUTS.read_text(encoding="utf-8"))


@dataclass
class Gateway:
    settings: Settings
    store: Store
    rasa: RasaClient
    sender: TwilioSender
    fetcher: MediaFetcher
    jobs: JobQueue

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> Gateway:
        store = overrides.pop("store", None) or open_store(settings.redis_url)
        parts: dict[str, Any] = {
            "settings": settings,
            "store": store,
            "rasa": RasaClient(settings.rasa_base_url),
            "sender": TwilioSender(settings, store),
            "fetcher": MediaFetcher(settings),
            "jobs": open_queue(settings.redis_url),
        }
        parts.update(overrides)
        return cls(**parts)

    @property
    def media_dir(self) -> Path:
        return self.settings.var_dir / "channels"

    def public_url(self, path: str) -> str:
        return f"{self.settings.gateway_base_url}/{path.lstrip('/')}"


_WORKER: Gateway | None = None
_WORKER_LOCK = threading.Lock()


def worker_gateway() -> Gateway:
    """The gateway of this process: the Flask app's when it runs in-process, else a new one."""
    global _WORKER
    with _WORKER_LOCK:
        if _WORKER is None:
            _WORKER = Gateway.from_settings(load())
        return _WORKER


def set_worker_gateway(gateway: Gateway | None) -> None:
    """The app registers its gateway so in-process jobs share its store (memory mode)."""
    global _WORKER
    with _WORKER_LOCK:
        _WORKER = gateway
