"""Who to send to: a records user's phone number (decrypted only at send time) and language; how
an outbox row is sealed for them (their records data key)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from engine.notify.service import Recipient
from records.identity import sender_id  # the gateway's pseudonym of a number: opt-out and window keys


class RecordsAddressBook:
    """Reads the person's phone identity (sealed with their own key) through the records vault."""

    def __init__(self, records: Any, salt: str) -> None:
        self.records = records
        self.salt = salt

    def recipient(self, user_id: uuid.UUID) -> Recipient | None:
        from records.models import ChannelIdentity, User
        from records.types import open_from

        with self.records.sessions() as s:
            user = s.get(User, user_id)
            row = s.scalar(select(ChannelIdentity).where(ChannelIdentity.user_id == user_id,
                                                         ChannelIdentity.channel == "phone").limit(1))
            if user is None or row is None:
                return None
            address = open_from(self.records.vault.for_user(s, user_id), row, "address_enc")
        return Recipient(address=address, language=user.language or "hi", sender=sender_id(address, self.salt))


def _place(row_id: uuid.UUID) -> Any:
    """An outbox row's fields are bound to that row (records.crypto.Place)."""
    from engine.notify.models import Outbox
    from records.types import place

    return place(Outbox, "fields_enc", row_id)


class RecordsSealer:
    """Seals outbox fields with the recipient's records data key (the records vault, its key cache);
    digests dedupe keys with the records' lookup key, as records digest phone numbers."""

    def __init__(self, records: Any) -> None:
        self.records = records

    def _key(self, user_id: uuid.UUID) -> Any:
        from records.crypto import KeyShredded

        try:
            with self.records.sessions() as s:
                return self.records.vault.for_user(s, user_id)
        except KeyShredded as exc:
            raise LookupError("no data key: the person was deleted") from exc

    def seal(self, user_id: uuid.UUID, row_id: uuid.UUID, value: dict[str, str]) -> Any:
        return self._key(user_id).seal(value, _place(row_id))

    def open(self, user_id: uuid.UUID, row_id: uuid.UUID, sealed: Any) -> dict[str, str]:
        return self._key(user_id).open(sealed, _place(row_id))

    def digest(self, text: str) -> str:
        return "d:" + self.records.keys.lookup_digest("notify-dedupe", text).hex()
