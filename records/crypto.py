"""Encryption at rest: AES-256-GCM envelope encryption with per-person data keys.

Why envelope encryption: every person (patient, doctor, ASHA) gets a random 256-bit *data key*
(DEK). Their identifying and health fields, and their stored files, are sealed with it. The DEK is
stored only *wrapped* (encrypted) by a versioned *master key* held by a :class:`KeyProvider`
(a key file, an environment variable, or a KMS). This gives us two things plain column encryption
cannot:

* **crypto-shredding**: deleting one wrapped DEK makes every copy of that person's ciphertext
  (rows, files, backups of both) unreadable, without hunting down each copy;
* **cheap master-key rotation**: ``saathi keys rotate`` re-wraps the small DEKs under a new master
  key; the bulk data is never re-encrypted, and old master keys stay readable until the last DEK
  wrapped by them has been re-wrapped.

Ciphertext layout (a :class:`Sealed` value): ``version(1) | data-key id(16) | nonce(12) | ct+tag``.
The data-key id travels with every ciphertext; the master-key id travels with every wrapped DEK.

**Bound values** (version 2, issue #14 finding 8): a column value is sealed for its :class:`Place`
(table, column, row id) and its owner (the person whose key it is): they are the AES-GCM
associated data, so a database writer who moves a ciphertext to another row, column or person gets
a loud :class:`CryptoError`, not the other row's data. Version 1 values were sealed with an empty
context; they open only with a data key still wrapped under the *legacy* wrap context, i.e. of a
person whose values the records migration ``0004`` has not re-sealed yet (:mod:`records.resealing`
re-wraps the key under the *bound* context in the same transaction). The marker is inside the wrapped key's
associated data, so a database writer cannot turn it back without the master key.

Phone numbers and other lookup values use a keyed HMAC (:meth:`KeyProvider.lookup_digest`) so we
can find a person by their number without storing it in clear.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import threading
import uuid
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

#: Version byte of values sealed with an explicit byte context (files: ``b"doc:" + id``) and of
#: column values written before issue #14 (empty context).
FORMAT_VERSION = 1
#: Version byte of column values bound to their :class:`Place` and owner.
BOUND_VERSION = 2
_VERSIONS = (FORMAT_VERSION, BOUND_VERSION)
_HEADER = 1 + 16 + 12
_WRAP_AAD = b"saathi:dek-wrap:v1:"
#: Wrap context of data keys whose column values are all bound (every key made since issue #14).
BOUND_WRAP = b":bound-v2"
_NO_OWNER = uuid.UUID(int=0)


class CryptoError(Exception):
    """A ciphertext could not be opened: wrong key, shredded key, or tampered bytes."""


class KeyShredded(CryptoError):
    """The data key for this ciphertext has been destroyed (the person's data was deleted)."""


@dataclass(frozen=True)
class Place:
    """Where a sealed value lives: its table, column and row id (the associated data)."""

    table: str
    column: str
    row: str

    def encode(self) -> bytes:
        parts = [self.table.encode(), self.column.encode(), self.row.encode()]
        return b"".join(len(p).to_bytes(2, "big") + p for p in parts)


@dataclass(frozen=True)
class Sealed:
    """An opaque ciphertext. Health columns accept only these (see :mod:`records.types`)."""

    blob: bytes

    @property
    def key_id(self) -> uuid.UUID:
        if len(self.blob) < _HEADER or self.blob[0] not in _VERSIONS:
            raise CryptoError("not a sealed value")
        return uuid.UUID(bytes=self.blob[1:17])

    @property
    def bound(self) -> bool:
        """Sealed for its place (version 2), not with the empty context of before issue #14."""
        return bool(self.blob) and self.blob[0] == BOUND_VERSION

    def __repr__(self) -> str:  # never show bytes that might end up in logs
        return f"Sealed(<{len(self.blob)} bytes>)"


@dataclass(frozen=True)
class DataKey:
    """A person's unwrapped data key; lives only in memory.

    ``owner`` is the person (records user id) it belongs to: bound values carry it in their
    associated data. ``unbound_ok``: this person still has version-1 values (their key is wrapped
    under the legacy context), which open with the empty context until re-sealed.
    """

    id: uuid.UUID
    key: bytes
    owner: uuid.UUID | None = None
    unbound_ok: bool = False

    def __repr__(self) -> str:
        return f"DataKey({self.id})"

    def _aad(self, context: bytes) -> bytes:
        return b"saathi:v1:" + self.id.bytes + b":" + context

    def _bound_aad(self, place: Place) -> bytes:
        return b"saathi:v2:" + self.id.bytes + (self.owner or _NO_OWNER).bytes + place.encode()

    def _encrypt(self, version: int, plaintext: bytes, aad: bytes) -> Sealed:
        nonce = secrets.token_bytes(12)
        ct = AESGCM(self.key).encrypt(nonce, plaintext, aad)
        return Sealed(bytes([version]) + self.id.bytes + nonce + ct)

    def _decrypt(self, version: int, sealed: Sealed | bytes, aad: bytes) -> bytes:
        blob = sealed.blob if isinstance(sealed, Sealed) else bytes(sealed)
        if len(blob) < _HEADER or blob[0] != version or blob[1:17] != self.id.bytes:
            raise CryptoError("ciphertext was not sealed with this data key")
        try:
            return AESGCM(self.key).decrypt(blob[17:29], blob[29:], aad)
        except Exception as exc:  # InvalidTag: tampered, or moved from another place
            raise CryptoError("ciphertext failed authentication") from exc

    def seal_bytes(self, plaintext: bytes, context: bytes = b"") -> Sealed:
        """Seal bytes under an explicit context (files: ``b"doc:" + document id``)."""
        return self._encrypt(FORMAT_VERSION, plaintext, self._aad(context))

    def open_bytes(self, sealed: Sealed | bytes, context: bytes = b"") -> bytes:
        return self._decrypt(FORMAT_VERSION, sealed, self._aad(context))

    def seal(self, value: Any, place: Place) -> Sealed:
        """Seal any JSON-serialisable value (strings, dicts, lists, numbers) for its place."""
        plaintext = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
        return self._encrypt(BOUND_VERSION, plaintext, self._bound_aad(place))

    def open(self, sealed: Sealed | bytes, place: Place, *, unbound_ok: bool = False) -> Any:
        """The value sealed for ``place``; :class:`CryptoError` if it was sealed for another place
        or person, or is an unbound (version 1) value while neither this key nor the caller
        (``unbound_ok``: the audit log, whose chain authenticates its details) accepts those."""
        blob = sealed.blob if isinstance(sealed, Sealed) else bytes(sealed)
        if blob[:1] == bytes([FORMAT_VERSION]):
            if not (self.unbound_ok or unbound_ok):
                raise CryptoError("unbound sealed value refused: this person's values were re-sealed")
            return json.loads(self.open_bytes(blob))
        return json.loads(self._decrypt(BOUND_VERSION, blob, self._bound_aad(place)))

    def tag(self, label: bytes) -> bytes:
        """A per-person pseudonymous tag: linkable while the key exists, meaningless once shredded."""
        return hmac.new(self.key, b"saathi:tag:" + label, hashlib.sha256).digest()


def new_data_key(owner: uuid.UUID | None = None) -> DataKey:
    return DataKey(uuid.uuid4(), AESGCM.generate_key(bit_length=256), owner)


class KeyProvider(ABC):
    """Holds master keys. A KMS implementation only needs wrap/unwrap/current_key_id/lookup_digest.

    Master-key material never leaves the provider: callers hand it a DEK to wrap or a wrapped DEK
    to unwrap, which is exactly the shape of AWS KMS / GCP KMS / Vault transit APIs.
    """

    @abstractmethod
    def current_key_id(self) -> str:
        """The master key new DEKs are wrapped with."""

    @abstractmethod
    def wrap(self, dek: bytes, dek_id: uuid.UUID, context: bytes = b"") -> tuple[str, bytes]:
        """Encrypt ``dek`` under the current master key, bound to ``dek_id`` and ``context`` (a KMS
        encryption context); returns ``(master_key_id, wrapped)``."""

    @abstractmethod
    def unwrap(self, master_key_id: str, wrapped: bytes, dek_id: uuid.UUID, context: bytes = b"") -> bytes:
        """Decrypt a wrapped DEK with the named master key (which may be an older one); the
        ``context`` must be the one it was wrapped with (:class:`CryptoError` otherwise)."""

    @abstractmethod
    def lookup_digest(self, namespace: str, value: str) -> bytes:
        """Keyed HMAC of a lookup value (phone number) so it can be found without storing it."""

    def rotate(self) -> str:
        """Create a new master key and make it current; returns its id. Optional for a KMS."""
        raise NotImplementedError(f"{type(self).__name__} cannot create keys; rotate them in the KMS")

    def retire(self, keep: set[str]) -> list[str]:
        """Forget master keys not in ``keep`` (after every DEK was re-wrapped). Optional."""
        raise NotImplementedError(f"{type(self).__name__} cannot retire keys")


class LocalKeyring(KeyProvider):
    """Master keys held in this process: ``{key_id: 32 bytes}`` plus a separate lookup (HMAC) key."""

    def __init__(self, keys: dict[str, bytes], current: str, lookup_key: bytes) -> None:
        if current not in keys:
            raise ValueError("the current master key id is not in the keyring")
        for kid, key in keys.items():
            if len(key) != 32:
                raise ValueError(f"master key {kid} is not 256 bits")
        self._keys = dict(keys)
        self._current = current
        self._lookup = lookup_key
        self._lock = threading.Lock()

    def current_key_id(self) -> str:
        return self._current

    def known_key_ids(self) -> list[str]:
        return sorted(self._keys)

    def _key(self, key_id: str) -> bytes:
        key = self._keys.get(key_id)
        if key is None:
            self._reload()
            key = self._keys.get(key_id)
        if key is None:
            raise CryptoError(f"master key {key_id!r} is not available")
        return key

    def _reload(self) -> None:
        """Hook for providers backed by shared storage (another process may have rotated)."""

    def _refresh(self) -> None:
        """Hook: pick up a rotation done by another process before wrapping a new key."""

    def wrap(self, dek: bytes, dek_id: uuid.UUID, context: bytes = b"") -> tuple[str, bytes]:
        self._refresh()
        kid = self._current
        nonce = secrets.token_bytes(12)
        aad = _WRAP_AAD + kid.encode() + b":" + dek_id.bytes + context
        return kid, nonce + AESGCM(self._key(kid)).encrypt(nonce, dek, aad)

    def unwrap(self, master_key_id: str, wrapped: bytes, dek_id: uuid.UUID, context: bytes = b"") -> bytes:
        aad = _WRAP_AAD + master_key_id.encode() + b":" + dek_id.bytes + context
        try:
            return AESGCM(self._key(master_key_id)).decrypt(wrapped[:12], wrapped[12:], aad)
        except CryptoError:
            raise
        except Exception as exc:
            raise CryptoError("wrapped data key failed authentication") from exc

    def lookup_digest(self, namespace: str, value: str) -> bytes:
        return hmac.new(self._lookup, f"{namespace}\x00{value}".encode(), hashlib.sha256).digest()

    def rotate(self) -> str:
        self._refresh()
        with self._lock:
            kid = _new_key_id(self._keys)
            self._keys[kid] = AESGCM.generate_key(bit_length=256)
            self._current = kid
            self._persist()
        return kid

    def retire(self, keep: set[str]) -> list[str]:
        self._refresh()
        with self._lock:
            gone = [k for k in self._keys if k not in keep and k != self._current]
            for kid in gone:
                del self._keys[kid]
            self._persist()
        return gone

    def _persist(self) -> None:
        """Hook: file-backed providers write the keyring out."""


def _new_key_id(existing: dict[str, bytes]) -> str:
    n = 1 + max((int(k[1:]) for k in existing if k[1:].isdigit()), default=0)
    return f"m{n}"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


class FileKeyProvider(LocalKeyring):
    """The embedded default: a JSON keyring file, created with 0600 permissions on first use.

    Re-reads the file when asked for a key id it does not know, so a process started before
    ``saathi keys rotate`` keeps working after it (no downtime).
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        if not self.path.exists():
            self._create()
        self._stamp = self._file_stamp()
        keys, current, lookup = self._read()
        super().__init__(keys, current, lookup)

    def _create(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        doc = {
            "current": "m1",
            "keys": {"m1": _b64(AESGCM.generate_key(bit_length=256))},
            "lookup_key": _b64(secrets.token_bytes(32)),
        }
        _write_private(self.path, json.dumps(doc, indent=2), only_if_absent=True)

    def _file_stamp(self) -> tuple[int, int]:
        st = self.path.stat()  # the file is replaced atomically, so a new inode means a new keyring
        return st.st_mtime_ns, st.st_ino

    def _read(self) -> tuple[dict[str, bytes], str, bytes]:
        doc = json.loads(self.path.read_text())
        keys = {k: base64.b64decode(v) for k, v in doc["keys"].items()}
        return keys, doc["current"], base64.b64decode(doc["lookup_key"])

    def _reload(self) -> None:
        """Adopt the file's keyring: new current key, retired keys forgotten."""
        with self._lock:
            self._stamp = self._file_stamp()
            keys, current, _ = self._read()
            self._keys = keys
            self._current = current

    def _refresh(self) -> None:
        # One stat() per new data key: a process started before `saathi keys rotate` must not
        # keep wrapping under a master key that rotation is about to retire.
        if self._file_stamp() != self._stamp:
            self._reload()

    def _persist(self) -> None:  # called with self._lock held
        doc = {
            "current": self._current,
            "keys": {k: _b64(v) for k, v in self._keys.items()},
            "lookup_key": _b64(self._lookup),
        }
        _write_private(self.path, json.dumps(doc, indent=2))
        self._stamp = self._file_stamp()


def _write_private(path: Path, text: str, *, only_if_absent: bool = False) -> bool:
    """Atomically write a secret file readable only by its owner; False if ``only_if_absent`` and
    another writer created it first.

    The temporary name is unique per writer (process, thread, random): with one name per process,
    two threads of a fresh gateway creating the keyring at once renamed each other's file away
    (FileNotFoundError), and without ``only_if_absent`` the second keyring replaced the first one
    while the first thread was already sealing data with it.
    """
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        if not only_if_absent:
            os.replace(tmp, path)
            return True
        try:
            os.link(tmp, path)  # atomic create-if-absent: the first keyring wins, the others read it
            return True
        except FileExistsError:
            return False
    finally:
        if tmp.exists():
            tmp.unlink()


class EnvKeyProvider(LocalKeyring):
    """Master keys from the environment, for containers whose secrets arrive as variables.

    ``SAATHI_MASTER_KEYS="m2:<base64>,m1:<base64>"`` (first is current) and
    ``SAATHI_LOOKUP_KEY=<base64>``. To rotate: prepend a new key, restart, run ``saathi keys rotate``,
    then drop the old key once the command reports nothing left under it.
    """

    def __init__(self, environ: dict[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        raw = env.get("SAATHI_MASTER_KEYS", "")
        lookup = env.get("SAATHI_LOOKUP_KEY", "")
        if not raw or not lookup:
            raise CryptoError("SAATHI_MASTER_KEYS and SAATHI_LOOKUP_KEY must both be set")
        pairs = [item.split(":", 1) for item in raw.split(",") if item.strip()]
        keys = {kid.strip(): base64.b64decode(val) for kid, val in pairs}
        super().__init__(keys, pairs[0][0].strip(), base64.b64decode(lookup))

    def rotate(self) -> str:
        # A key made here would live only in this process's memory and be lost on restart.
        raise NotImplementedError("EnvKeyProvider cannot create keys: put the new key first in SAATHI_MASTER_KEYS")

    def retire(self, keep: set[str]) -> list[str]:
        raise NotImplementedError("EnvKeyProvider cannot retire keys: remove them from SAATHI_MASTER_KEYS")


def provider_from_settings(settings: Any) -> KeyProvider:
    """The configured provider: ``env`` or (default) ``file``."""
    if settings.key_provider == "env":
        return EnvKeyProvider()
    return FileKeyProvider(settings.effective_master_key_file)


class NoKeyring(CryptoError):
    """The configured keyring is not there (a missing key file): a finding for readiness, never a
    reason to make one."""


def keyring_status(settings: Any) -> str:
    """Whether the configured keyring loads, checked without creating it (``/ready``, ``saathi
    status``): the provider's kind (``file``, ``env``); :class:`NoKeyring` when its key file is
    missing, :class:`CryptoError` or the provider's own error when it does not load."""
    if settings.key_provider != "env" and not settings.effective_master_key_file.exists():
        raise NoKeyring("no key file")
    provider_from_settings(settings).current_key_id()
    return str(settings.key_provider)
