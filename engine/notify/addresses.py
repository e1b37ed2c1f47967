"""Who to send to: a records user's phone number (decrypted only at send time) and language."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from channels.identity import sender_id  # the gateway's pseudonym of a number: opt-out and window keys
from engine.notify.service import Recipient


class RecordsAddressBook:
    """Reads the person's phone identity (sealed with their own key) through the records vault."""

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
            address = self.records.vault.for_user(s, user_id).open(row.address_enc)
        return Recipient(address=address, language=user.language or "hi", sender=sender_id(address, self.salt))
