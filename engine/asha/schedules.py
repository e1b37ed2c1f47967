"""Due dates from the national schedules kept as data (``data/asha/immunisation.yml``, ``anc.yml``).

Data rather than code so a state programme officer can change a schedule without a release.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

from config.paths import ROOT
from engine.yamlfile import read_yaml

DATA = ROOT / "data" / "asha"
PREGNANCY_DAYS = 280


@dataclass(frozen=True)
class Due:
    on: dt.date
    label: str  # "6 weeks: OPV-1 Penta-1 …" / "ANC-2"
    kind: str   # "immunisation" or "anc"


@cache
def _load(name: str) -> list[dict]:
    return read_yaml(DATA / name)


def immunisations(born: dt.date) -> list[Due]:
    """Every visit of the national immunisation schedule for a child born on ``born``."""
    return [Due(born + dt.timedelta(days=row["at_days"]), " ".join(row["vaccines"]), "immunisation")
            for row in _load("immunisation.yml")]


def due_date(date: dt.date, is_lmp: bool) -> dt.date:
    """The expected date of delivery, from the due date itself or the last menstrual period."""
    return date + dt.timedelta(days=PREGNANCY_DAYS) if is_lmp else date


def antenatal_visits(edd: dt.date) -> list[Due]:
    """The ANC contacts of a pregnancy with expected delivery on ``edd``."""
    lmp = edd - dt.timedelta(days=PREGNANCY_DAYS)
    return [Due(lmp + dt.timedelta(weeks=row["week"]), row["label"], "anc") for row in _load("anc.yml")]


def upcoming(dues: list[Due], today: dt.date) -> list[Due]:
    """What is still to do: dues from today on (the ones missed within 4 weeks count as still due)."""
    return [d for d in dues if d.on >= today - dt.timedelta(weeks=4)]
