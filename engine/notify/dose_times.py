"""The patient's own medicine-reminder times: read them from a chat message, move what is scheduled.

"subah 7 baje aur raat saadhe 9", "ਸਵੇਰੇ 7 ਵਜੇ, ਰਾਤ 10 ਵਜੇ", "8 am and 8 pm" → ``{"morning": 07:00,
"night": 21:30}`` for :meth:`engine.notify.service.NotifyService.set_dose_times`. A number counts as a
time only next to a time cue (a slot word, "baje", am/pm) or when written as digits, so "sat sri akal"
is no 7 o'clock and "Dolo 650" no time at all. A time that does not fit its slot ("subah 9 pm")
is dropped rather than guessed: the bot then shows the current times and an example.

Reminders already scheduled move with the new times: each pending medicine row is superseded
(status ``moved``, so its queued job does nothing) by a row at the new time with the same message.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from functools import lru_cache

from sqlalchemy import select, update

from engine.notify import timing
from engine.notify.models import Outbox
from engine.notify.service import NotifyService
from nlu.matcher import PhraseMatch, PhraseMatcher
from nlu.numbers import find_numbers
from nlu.resources import word_list
from nlu.text import tokenize

#: The hours (24 h, IST) a time may have in each slot; the first match wins for a bare time.
SLOT_HOURS: dict[str, tuple[float, float]] = {
    "morning": (4, 11.5), "noon": (11, 16), "evening": (16, 20), "night": (19, 24),
}
_CLOCK_RE = re.compile(r"(?<![\d.:])(\d{1,2})[:.](\d{2})(?![\d.:])")
_FRACTIONS = {"half": 0.5, "quarter": 0.25, "quarter_to": -0.25}
MOVED = "moved"


@lru_cache(maxsize=1)
def _words() -> PhraseMatcher:
    return PhraseMatcher(((key, form) for key, forms in word_list("dose_times").items() for form in forms),
                         fuzzy=False)


def _decimal_clock(text: str) -> str:
    """"7:30" / "7.30" → "7.5": the number reader then sees one value in hours."""
    def repl(m: re.Match[str]) -> str:
        hour, minute = int(m.group(1)), int(m.group(2))
        return f"{hour + minute / 60:.4g}" if minute < 60 else m.group(0)

    return _CLOCK_RE.sub(repl, text)


def _slot_of(hours: float) -> str | None:
    return next((slot for slot, (lo, hi) in SLOT_HOURS.items() if lo <= hours < hi), None)


def _fits(slot: str, hours: float) -> bool:
    lo, hi = SLOT_HOURS[slot]
    return lo <= hours < hi


def _as_time(hours: float) -> dt.time:
    minutes = round(hours * 60) % (24 * 60)
    return dt.time(minutes // 60, minutes % 60)


def parse_dose_times(text: str) -> dict[str, dt.time]:
    """The reminder times a message asks for, by slot (morning, noon, evening, night)."""
    tokens = tokenize(_decimal_clock(text or ""))
    cues: dict[int, PhraseMatch] = {}
    for match in _words().find(tokens):
        for index in range(match.first, match.last + 1):
            cues[index] = match
    found: dict[str, dt.time] = {}
    bare_seen = False
    for number in find_numbers(tokens):
        if number.first in cues:  # "a m" read as the number "a"
            continue
        hours = number.value
        labels = {cues[i].label for i in range(max(0, number.first - 3), min(len(tokens), number.last + 4))
                  if i in cues}
        near = {cues[i].label for i in (number.first - 1, number.last + 1) if i in cues}
        written_as_digits = tokens[number.first].text[:1].isdigit()
        if not (written_as_digits or labels) or not 0 <= hours <= 24:
            continue
        hours += sum(_FRACTIONS[label] for label in near if label in _FRACTIONS)
        after = {cues[i].label for i in (number.last + 1, number.last + 2) if i in cues}
        slot = _nearest_slot(cues, number.first, number.last)
        if "pm" in after and hours < 12:
            hours += 12
        elif "am" in after and hours >= 12:
            hours -= 12
        elif slot in ("noon", "evening", "night") and hours < 12 and not (slot == "noon" and hours >= 11):
            hours += 12
        elif slot is None and not after & {"am", "pm"} and hours <= 12:
            # bare "8 and 8": the first is the morning, later ones the afternoon or night
            if bare_seen and hours < 12:
                hours += 12
            bare_seen = True
        slot = slot or _slot_of(hours)
        if slot and _fits(slot, hours) and slot not in found:
            found[slot] = _as_time(hours)
    return found


def _nearest_slot(cues: dict[int, PhraseMatch], first: int, last: int) -> str | None:
    """The slot word closest before the number (within 3 tokens), else right after it (within 3)."""
    for index in [*range(first - 1, max(-1, first - 4), -1), *range(last + 1, last + 4)]:
        label = cues[index].label if index in cues else ""
        if label.startswith("slot:"):
            return label.split(":", 1)[1]
    return None


def chosen_times(svc: NotifyService, user_id: uuid.UUID) -> dict[str, dt.time]:
    """The times reminders use for this person: their own, else the defaults."""
    return {**timing.DEFAULT_TIMES, **svc.dose_times(user_id)}


def change_dose_times(svc: NotifyService, user_id: uuid.UUID, times: dict[str, dt.time]) -> int:
    """Save the new times and move every pending medicine reminder to them; returns how many moved.

    A pending reminder's slot is the one whose *old* time it was scheduled at (its message says the
    time, "{time}"); reminders at a time that is no slot's (set explicitly by a caller) stay put.
    """
    old = chosen_times(svc, user_id)
    svc.set_dose_times(user_id, times)
    new = {**old, **times}
    slot_by_time = {at.strftime("%H:%M"): slot for slot, at in old.items()}
    now = svc.clock()
    with svc.sessions() as s:
        rows = list(s.scalars(select(Outbox).where(
            Outbox.user_id == user_id, Outbox.kind == "medicine", Outbox.status == "scheduled",
            Outbox.due_at > now)))
    moved = 0
    for row in rows:
        fields = svc.fields_of(row)  # sealed for the patient at rest
        slot = slot_by_time.get(fields.get("time", ""))
        if slot is None or new[slot] == old[slot]:
            continue
        day = row.due_at.astimezone(timing.IST).date()
        if row.due_at.astimezone(timing.IST).strftime("%H:%M") != old[slot].strftime("%H:%M"):
            day = _dose_day(row, old[slot])  # moved out of quiet hours: the dose's own day
        moment = dt.datetime.combine(day, new[slot], timing.IST).astimezone(dt.timezone.utc)
        if moment <= now:
            continue
        with svc.sessions() as s:  # supersede first: the old row's queued job must find nothing to send
            claimed = s.execute(update(Outbox).where(Outbox.id == row.id, Outbox.status == "scheduled")
                                .values(status=MOVED)).rowcount
            s.commit()
        if claimed and svc.schedule(row.user_id, row.key, {**fields, "time": new[slot].strftime("%H:%M")},
                                    moment, dedupe=f"{row.dedupe_key[:90]}>{moment:%Y%m%d%H%M}", kind="medicine"):
            moved += 1
    return moved


def _dose_day(row: Outbox, old_time: dt.time) -> dt.date:
    """The IST day of a dose whose reminder quiet hours pushed to the next morning."""
    local = row.due_at.astimezone(timing.IST)
    return local.date() - dt.timedelta(days=1) if local.time() < old_time else local.date()
