"""Render records answers for people, from the catalogue (data/messages/records.yml).

The service returns data; these helpers turn it into the bot's sentences in hi/pa/en, so the
bot and the portal word consents the same way.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from config.timezone import IST
from engine.i18n import t


def _when(value: dt.datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    ist = value.astimezone(IST)
    return ist.strftime("%d-%m-%Y %H:%M")


def who_can_see(grants: list[dict[str, Any]], language: str) -> str:
    """The answer to "who can see my records?" from :meth:`RecordsService.who_can_see`."""
    if not grants:
        return t("records_consent_none", language)
    lines = [t("records_consent_header", language)]
    for n, g in enumerate(grants, 1):
        lines.append(t("records_consent_item", language, number=n,
                       name=g.get("name") or t("records_someone", language),
                       scope=t(f"records_scope_{g['scope']}", language), until=_when(g["expires_at"])))
    lines.append(t("records_consent_footer", language))
    return "\n".join(lines)


def consent_granted(name: str | None, expires_at: dt.datetime, language: str) -> str:
    return t("records_consent_granted", language, name=name or t("records_someone", language),
             until=_when(expires_at))
