"""Everything a channel needs, built once per process from the settings: the gateway's
composition root (:meth:`Gateway.from_settings`; the database services in :mod:`channels.services`).

The Flask app keeps one :class:`Gateway` in ``app.config`` and installs its services as the
process's (:func:`install`); the RQ worker (``python -m channels worker``) builds one at start and
installs it the same way, and every job finds it with :func:`worker_gateway`. Tests build one with
fakes where a real service is not the point.
"""

from __future__ import annotations

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
from config.settings import Settings
from engine.outbound import TwilioSender
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
        sender = overrides.pop("sender", None) or TwilioSender(settings, store)
        parts: dict[str, Any] = {
            "settings": settings,
            "store": store,
            "rasa": RasaClient(settings.rasa_base_url, settings.rasa_token),
            "sender": sender,
            "fetcher": MediaFetcher(settings),
            "jobs": open_queue(settings.redis_url),
        }
        if "backlog" not in overrides:
            parts["backlog"] = open_backlog(settings)
        if "services" not in overrides:  # the notifications the gateway's hooks schedule use its sender
            parts["services"] = GatewayServices(settings, sender=sender)
        parts.update(overrides)
        return cls(**parts)

    def __post_init__(self) -> None:
        if getattr(self.services, "gateway", "") is None:  # GatewayServices (tests may hand in a stand-in)
            self.services.gateway = self

    @property
    def media_dir(self) -> Path:
        return self.settings.var_dir / "channels"

    def public_url(self, path: str) -> str:
        return f"{self.settings.gateway_base_url}/{path.lstrip('/')}"


def install(gateway: Gateway | None) -> None:
    """The gateway process's composition root (the app factory, the worker's start) makes this
    gateway's services the process's (:func:`engine.services.install`): in-process and RQ jobs,
    the notifications and the doctor handoff share its engine, store and sender."""
    from engine.services import install as install_services

    install_services(gateway.services if gateway else None)


def worker_gateway() -> Gateway:
    """The gateway of this process, as its root installed it; a plain ``rq worker`` (no root ran)
    builds one from the settings, once."""
    from engine.services import current

    services = current()
    gateway = getattr(services, "gateway", None)
    if gateway is None:
        gateway = Gateway.from_settings(services.settings)
        install(gateway)
    return gateway


def set_worker_gateway(gateway: Gateway | None) -> None:
    """Tests: hand this process a gateway (None: none until the next root or job builds one)."""
    install(gateway)
