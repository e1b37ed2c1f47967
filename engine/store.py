"""Small shared state of the gateway: de-duplication, rate limits, opt-outs, per-sender memory.

Redis when ``REDIS_URL`` is set (several gateway processes and the RQ worker then share it),
a thread-safe in-memory dictionary otherwise. Keys never contain a phone number: callers pass
the salted sender hash (see :mod:`records.identity`).
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any, Protocol


class Store(Protocol):
    def add_once(self, key: str, ttl: int) -> bool: ...
    def incr(self, key: str, ttl: int) -> int: ...
    def get(self, key: str) -> Any: ...
    def set(self, key: str, value: Any, ttl: int | None = None) -> None: ...
    def delete(self, key: str) -> None: ...
    def forget(self, token: str) -> int: ...


def names(key: str, token: str) -> bool:
    """Whether ``token`` (a sender pseudonym) is one of the ``:``-separated parts of ``key``."""
    return token in key.split(":")


class MemoryStore:
    """In-process store with expiry; enough for one gateway process (the embedded default)."""

    #: Expired entries are swept every this many writes, so a long-running gateway does not grow.
    SWEEP_EVERY = 1000

    def __init__(self) -> None:
        self._data: dict[str, tuple[Any, float | None]] = {}
        self._lock = threading.Lock()
        self._writes = 0

    def _wrote(self) -> None:
        self._writes += 1
        if self._writes % self.SWEEP_EVERY == 0:
            now = time.monotonic()
            for key in [k for k, (_, expiry) in self._data.items() if expiry is not None and expiry < now]:
                del self._data[key]

    def _live(self, key: str) -> tuple[Any, float | None] | None:
        item = self._data.get(key)
        if item and item[1] is not None and item[1] < time.monotonic():
            del self._data[key]
            return None
        return item

    def add_once(self, key: str, ttl: int) -> bool:
        """True the first time ``key`` is added within ``ttl`` seconds, False on repeats."""
        with self._lock:
            if self._live(key):
                return False
            self._data[key] = (1, time.monotonic() + ttl)
            self._wrote()
            return True

    def incr(self, key: str, ttl: int) -> int:
        with self._lock:
            item = self._live(key)
            value = (item[0] if item else 0) + 1
            self._data[key] = (value, item[1] if item else time.monotonic() + ttl)
            self._wrote()
            return value

    def get(self, key: str) -> Any:
        with self._lock:
            item = self._live(key)
            return item[0] if item else None

    def set(self, key: str, value: Any, ttl: int | None = None) -> None:
        with self._lock:
            self._data[key] = (value, time.monotonic() + ttl if ttl else None)
            self._wrote()

    def delete(self, key: str) -> None:
        with self._lock:
            self._data.pop(key, None)

    def forget(self, token: str) -> int:
        """Deletes every key naming ``token`` (erasure of a sender); how many."""
        with self._lock:
            doomed = [key for key in self._data if names(key, token)]
            for key in doomed:
                del self._data[key]
            return len(doomed)


class RedisStore:
    """The same operations on Redis (values as JSON), prefixed so they never clash with Rasa's."""

    def __init__(self, url: str, prefix: str = "saathi:gw:") -> None:
        import redis

        self.redis = redis.Redis.from_url(url)
        self.prefix = prefix

    def add_once(self, key: str, ttl: int) -> bool:
        return bool(self.redis.set(self.prefix + key, 1, nx=True, ex=ttl))

    def incr(self, key: str, ttl: int) -> int:
        pipe = self.redis.pipeline()
        pipe.incr(self.prefix + key)
        pipe.expire(self.prefix + key, ttl, nx=True)
        return int(pipe.execute()[0])

    def get(self, key: str) -> Any:
        raw = self.redis.get(self.prefix + key)
        return json.loads(raw) if raw is not None else None

    def set(self, key: str, value: Any, ttl: int | None = None) -> None:
        self.redis.set(self.prefix + key, json.dumps(value, ensure_ascii=False), ex=ttl)

    def delete(self, key: str) -> None:
        self.redis.delete(self.prefix + key)

    def forget(self, token: str) -> int:
        """Deletes every key naming ``token`` (erasure of a sender); how many."""
        doomed = [key for key in self.redis.scan_iter(match=f"{self.prefix}*{token}*", count=1000)
                  if names(key.decode()[len(self.prefix):], token)]
        return int(self.redis.delete(*doomed)) if doomed else 0


def open_store(redis_url: str) -> Store:
    return RedisStore(redis_url) if redis_url else MemoryStore()
