"""Messages that wait for Rasa: kept durably, in order, per sender, until the conversation is back.

While Rasa or the action server is down the gateway answers red flags itself
(``channels.conversation.offline_turn``) and keeps every other WhatsApp/SMS message here;
``channels.replay`` answers them in arrival order once Rasa answers again. Nothing may be lost when
the gateway itself restarts meanwhile, so the backlog is never in memory: Redis when ``REDIS_URL``
is set (where the gateway keeps its de-duplication and jobs; several gateways share it), else a
SQLite file under ``var/channels/`` (the embedded deployment of ``make run`` has no Redis).

Each item holds what the patient wrote and the address to answer, so it is sealed (AES-256-GCM,
the sender pseudonym as associated data) under a key derived from ``SAATHI_SENDER_SALT``, the
gateway's own secret: neither a Redis dump nor the file shows health text or phone numbers.
Redis items expire after :data:`BACKLOG_TTL`; the queue of a sender is keyed by the pseudonym, so
erasing a sender's gateway state (every key naming the pseudonym) erases it too.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any, Protocol

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from config.settings import Settings

#: How long a waiting message is kept in Redis at most (an outage longer than this is a disaster
#: to be handled by people, not by answering week-old messages).
BACKLOG_TTL = 7 * 86400
#: How long one gateway may replay a sender's queue before another may take over (seconds).
CLAIM_TTL = 300


class Sealer:
    """AES-GCM with a key of its own, derived from the sender salt (HMAC, fixed label)."""

    def __init__(self, salt: str) -> None:
        self.aead = AESGCM(hmac.new(salt.encode(), b"saathi channels backlog v1", hashlib.sha256).digest())

    def seal(self, sender: str, item: dict[str, Any]) -> bytes:
        nonce = os.urandom(12)
        return nonce + self.aead.encrypt(nonce, json.dumps(item, ensure_ascii=False).encode(), sender.encode())

    def open(self, sender: str, sealed: bytes) -> dict[str, Any]:
        return json.loads(self.aead.decrypt(sealed[:12], sealed[12:], sender.encode()))


class Backlog(Protocol):
    def push(self, sender: str, item: dict[str, Any]) -> int:
        """Appends ``item`` to the sender's queue; its position (1: nothing else was waiting)."""

    def pending(self, sender: str) -> int:
        """How many of the sender's messages wait."""

    def senders(self) -> list[str]:
        """Senders with waiting messages, the one waiting longest first."""

    def head(self, sender: str) -> dict[str, Any] | None:
        """The sender's oldest waiting message."""

    def update_head(self, sender: str, item: dict[str, Any]) -> None:
        """Rewrites the oldest waiting message (its count of tries)."""

    def pop(self, sender: str) -> None:
        """Removes the oldest waiting message (it has been answered)."""

    def claim(self, sender: str) -> bool:
        """True when this process may replay the sender's queue now (nobody else is)."""

    def release(self, sender: str) -> None: ...

    def total(self) -> int:
        """How many messages wait altogether."""

    def forget(self, sender: str) -> int:
        """Deletes the sender's waiting messages (erasure); how many."""


class RedisBacklog:
    """A Redis list per sender (sealed items) and a sorted set of senders by first waiting time."""

    _PUSH = """
    local n = redis.call('RPUSH', KEYS[1], ARGV[1])
    redis.call('EXPIRE', KEYS[1], ARGV[4])
    redis.call('ZADD', KEYS[2], 'NX', ARGV[2], ARGV[3])
    return n
    """
    _POP = """
    redis.call('LPOP', KEYS[1])
    if redis.call('LLEN', KEYS[1]) == 0 then redis.call('ZREM', KEYS[2], ARGV[1]) end
    return 1
    """

    def __init__(self, url: str, sealer: Sealer, prefix: str = "saathi:gw:") -> None:
        import redis

        self.redis = redis.Redis.from_url(url)
        self.sealer = sealer
        self.prefix = prefix
        self.index = f"{prefix}backlog-senders"
        self._push = self.redis.register_script(self._PUSH)
        self._pop = self.redis.register_script(self._POP)
        self._owner = os.urandom(8).hex()

    def _key(self, sender: str) -> str:
        return f"{self.prefix}backlog:{sender}"

    def push(self, sender: str, item: dict[str, Any]) -> int:
        return int(self._push(keys=[self._key(sender), self.index],
                              args=[self.sealer.seal(sender, item), time.time(), sender, BACKLOG_TTL]))

    def pending(self, sender: str) -> int:
        return int(self.redis.llen(self._key(sender)))

    def senders(self) -> list[str]:
        return [s.decode() for s in self.redis.zrange(self.index, 0, -1)]

    def head(self, sender: str) -> dict[str, Any] | None:
        raw = self.redis.lindex(self._key(sender), 0)
        if raw is None:
            self.redis.zrem(self.index, sender)  # expired or erased meanwhile
            return None
        return self.sealer.open(sender, raw)

    def update_head(self, sender: str, item: dict[str, Any]) -> None:
        self.redis.lset(self._key(sender), 0, self.sealer.seal(sender, item))

    def pop(self, sender: str) -> None:
        self._pop(keys=[self._key(sender), self.index], args=[sender])

    def claim(self, sender: str) -> bool:
        return bool(self.redis.set(f"{self.prefix}backlog-claim:{sender}", self._owner, nx=True, ex=CLAIM_TTL))

    def release(self, sender: str) -> None:
        key = f"{self.prefix}backlog-claim:{sender}"
        if self.redis.get(key) == self._owner.encode():
            self.redis.delete(key)

    def total(self) -> int:
        return sum(self.pending(sender) for sender in self.senders())

    def forget(self, sender: str) -> int:
        pipe = self.redis.pipeline()
        pipe.llen(self._key(sender))
        pipe.delete(self._key(sender))
        pipe.zrem(self.index, sender)
        return int(pipe.execute()[0])


class SqliteBacklog:
    """One table in a SQLite file (mode 0600) of the gateway's own: the embedded stand-in for Redis,
    like the in-memory store, but durable. One gateway process uses it (claims are in memory)."""

    def __init__(self, path: Path, sealer: Sealer) -> None:
        self.path = path
        self.sealer = sealer
        self._lock = threading.Lock()
        self._claimed: set[str] = set()
        path.parent.mkdir(parents=True, exist_ok=True)
        # One connection for the process, used under the lock (every webhook asks ``pending``: opening
        # the file for each call was about a tenth of the gateway's CPU a message). Autocommit, so
        # no statement leaves a transaction open between calls.
        self._db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        self._db.execute("CREATE TABLE IF NOT EXISTS backlog (id INTEGER PRIMARY KEY AUTOINCREMENT, "
                         "sender TEXT NOT NULL, at REAL NOT NULL, item BLOB NOT NULL)")
        self._db.execute("CREATE INDEX IF NOT EXISTS backlog_sender ON backlog (sender, id)")
        path.chmod(0o600)

    def _run(self, sql: str, *args: Any) -> list[tuple]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    def push(self, sender: str, item: dict[str, Any]) -> int:
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                db.execute("INSERT INTO backlog (sender, at, item) VALUES (?, ?, ?)",
                           (sender, time.time(), self.sealer.seal(sender, item)))
                (count,) = db.execute("SELECT COUNT(*) FROM backlog WHERE sender = ?", (sender,)).fetchone()
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")  # what closing the connection did before: nothing half-kept
                raise
            return int(count)

    def pending(self, sender: str) -> int:
        return int(self._run("SELECT COUNT(*) FROM backlog WHERE sender = ?", sender)[0][0])

    def senders(self) -> list[str]:
        return [row[0] for row in self._run("SELECT sender FROM backlog GROUP BY sender ORDER BY MIN(id)")]

    def _head(self, sender: str) -> tuple[int, bytes] | None:
        rows = self._run("SELECT id, item FROM backlog WHERE sender = ? ORDER BY id LIMIT 1", sender)
        return (rows[0][0], rows[0][1]) if rows else None

    def head(self, sender: str) -> dict[str, Any] | None:
        row = self._head(sender)
        return self.sealer.open(sender, row[1]) if row else None

    def update_head(self, sender: str, item: dict[str, Any]) -> None:
        row = self._head(sender)
        if row:
            self._run("UPDATE backlog SET item = ? WHERE id = ?", self.sealer.seal(sender, item), row[0])

    def pop(self, sender: str) -> None:
        row = self._head(sender)
        if row:
            self._run("DELETE FROM backlog WHERE id = ?", row[0])

    def claim(self, sender: str) -> bool:
        with self._lock:
            if sender in self._claimed:
                return False
            self._claimed.add(sender)
            return True

    def release(self, sender: str) -> None:
        with self._lock:
            self._claimed.discard(sender)

    def total(self) -> int:
        return int(self._run("SELECT COUNT(*) FROM backlog")[0][0])

    def forget(self, sender: str) -> int:
        count = self.pending(sender)
        self._run("DELETE FROM backlog WHERE sender = ?", sender)
        return count


def open_backlog(settings: Settings) -> Backlog:
    sealer = Sealer(settings.sender_salt)
    if settings.redis_url:
        return RedisBacklog(settings.redis_url, sealer)
    return SqliteBacklog(settings.var_dir / "channels" / "backlog.sqlite3", sealer)
