"""Who to send to: a records user's phone number (decrypted only at send time) and language; how
an outbox row is sealed for them (their records data key)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import select

from engine.notify.service import Recipient
from records.identity import sender_id  # the gateway's pseudonym of a number: opt-out and window keys


class RecordsAddressBook:
    """Reads the person's phone identity (sealed with their own key) through records (:meth:`open_column`)."""

    def __init__(self, records: Any, salt: str) -> None:
        self.records = records
        self.salt = salt

    def recipient(self, user_id: uuid.UUID) -> Recipient | None:
        from records.models import ChannelIdentity, User

        with self.records.sessions() as s:
            user = s.get(User, user_id)
            row = s.scalar(select(ChannelIdentity).where(ChannelIdentity.user_id == user_id,
                                                         ChannelIdentity.channel == "phone").limit(1))
        if user is None or row is None:
            return None
        address = self.records.open_column(user_id, row, "address_enc")
        return Recipient(address=address, language=user.language or "hi", sender=sender_id(address, self.salt))


def _place(row_id: uuid.UUID) -> Any:
    """An outbox row's fields are bound to that row (records.crypto.Place)."""
    from engine.notify.models import Outbox
    from records.types import place

    return place(Outbox, "fields_enc", row_id)


class RecordsSealer:
    """Seals outbox fields with the recipient's records data key (records' :meth:`seal_for`, its key
    cache); digests dedupe keys with the records' lookup key, as records digest phone numbers."""

    def __init__(self, records: Any) -> None:
        self.records = records

    def seal(self, user_id: uuid.UUID, row_id: uuid.UUID, value: dict[str, str]) -> Any:
        with _shredded_as_lookup_error():
            return self.records.seal_for(user_id, value, _place(row_id))

    def open(self, user_id: uuid.UUID, row_id: uuid.UUID, sealed: Any) -> dict[str, str]:
        with _shredded_as_lookup_error():
            return self.records.open_for(user_id, sealed, _place(row_id))

    def digest(self, text: str) -> str:
        return "d:" + self.records.lookup_digest("notify-dedupe", text).hex()


@contextmanager
def _shredded_as_lookup_error() -> Iterator[None]:
    """The notify port speaks of people who are gone as :class:`LookupError` (no records types)."""
    from records.crypto import KeyShredded

    try:
        yield
    except KeyShredded as exc:
        raise LookupError("no data key: the person was deleted") from exc
