"""The local Redis that the RQ and shared-store tests talk to, or a skip where none runs."""

from __future__ import annotations

import pytest
import redis


def redis_or_skip(url: str, socket_timeout: float = 5) -> redis.Redis:
    """A connection to ``url`` that has answered a ping; skips the test (never fails it) when Redis
    is down, since the machine notes allow running the unit suites without it."""
    connection = redis.Redis.from_url(url, socket_timeout=socket_timeout)
    try:
        connection.ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {url}")
    return connection
