"""Refusals of what a doctor typed, as data the pages can show in the staff member's language.

A :class:`InputError` names a catalogue sentence (``data/messages/portal.yml``, hi/pa/en) with its
fields, and the form input it is about, so the page re-renders with everything typed and the
message next to the right field. ``str()`` is the English sentence (the API and logs use it).
"""

from __future__ import annotations

from typing import Any

from engine.i18n import t


class InputError(ValueError):
    def __init__(self, key: str, field: str = "", *, choices: list[dict[str, str]] | None = None,
                 **fields: Any) -> None:
        super().__init__(key)
        self.key = key
        self.field = field
        self.fields = fields
        #: for an ambiguous value: what the doctor can pick from (e.g. ICD-10 codes matching words)
        self.choices = choices or []

    def text(self, language: str) -> str:
        return t(self.key, language, **self.fields)

    def __str__(self) -> str:
        return self.text("en")


class RxSafetyStop(InputError):
    """The prescription check found warnings the doctor has not yet seen, or a serious one without
    an override and its reason: the form comes back with the warnings (``warnings``:
    :class:`engine.meds.safety.RxWarning`), nothing is saved or sent."""

    def __init__(self, key: str, warnings: list[Any]) -> None:
        super().__init__(key, "override")
        self.warnings = warnings
