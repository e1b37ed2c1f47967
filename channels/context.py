"""Everything a channel needs, built once per process from the settings: the gateway's
composition root (:meth:`Gateway.from_settings`; the database services in :mod:`channels.services`).

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

from channels.backlog import Backlog, open_backlog
from channels.jobs import JobQueue, open_queue
from channels.media import MediaFetcher
from channels.rasa import RasaClient
from channels.services import GatewayServices
from config.settings import Settings, load
from engine.outbound import TwilioSender, process_sender, set_process_sender
from engine.store import Store, open_store

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
    backlog: Backlog  # messages waiting for Rasa (channels.replay answers them)
    services: GatewayServices  # records, ASHA, pharmacy: one engine for the process (channels.services)

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> Gateway:
        store = overrides.pop("store", None) or open_store(settings.redis_url)
        parts: dict[str, Any] = {
            "settings": settings,
            "store": store,
            "rasa": RasaClient(settings.rasa_base_url, settings.rasa_token),
            "sender": TwilioSender(settings, store),
            "fetcher": MediaFetcher(settings),
            "jobs": open_queue(settings.redis_url),
        }
        if "backlog" not in overrides:
            parts["backlog"] = open_backlog(settings)
        if "services" not in overrides:
            parts["services"] = GatewayServices(settings)
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
            settings = load()
            sender = process_sender(settings)  # one store per process, shared with the notify jobs
            _WORKER = Gateway.from_settings(settings, store=sender.store, sender=sender)
        return _WORKER


def set_worker_gateway(gateway: Gateway | None) -> None:
    """The app registers its gateway so in-process jobs share its store (memory mode)."""
    global _WORKER
    with _WORKER_LOCK:
        _WORKER = gateway
    set_process_sender(gateway.sender if gateway else None)
