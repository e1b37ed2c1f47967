"""Seeded synthetic background of weekly syndromic counts, for tests, the bench and the demo.

The service sees a small share of a block's illness, so the rates are what a block of about
100,000 people would send us in a week (``BACKGROUND``), scaled by population, with the seasons of
north Indian plains districts: monsoon and post-monsoon fevers (dengue, malaria, scrub typhus,
peaking about week 38), summer diarrhoea (peaking late June), measles-like rash in late winter and
spring, snake bites with the rains. Week-to-week variation is more than Poisson (a gamma-Poisson,
i.e. negative binomial, with shape ``DISPERSION``): real counts are overdispersed, and a detector
tuned on pure Poisson data would over-alert on real data.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from engine.surveillance.weeks import monday_of

#: Mean weekly cases per 100,000 people outside the season, seasonal amplitude (peak multiplier - 1),
#: peak ISO week and the season's half-width in weeks.
BACKGROUND: dict[str, tuple[float, float, int, float]] = {
    "fever_lt7": (10.0, 1.5, 38, 7.0),
    "fever_rash": (0.5, 1.0, 12, 6.0),
    "fever_bleeding": (0.15, 3.0, 39, 5.0),
    "fever_altered_sensorium": (0.15, 2.0, 36, 6.0),
    "fever_ge7": (1.5, 1.0, 38, 7.0),
    "cough_ge2w": (2.0, 0.0, 1, 1.0),
    "afp": (0.02, 0.0, 1, 1.0),
    "diarrhoea_watery": (6.0, 1.5, 26, 6.0),
    "diarrhoea_bloody": (0.8, 1.0, 27, 6.0),
    "jaundice": (0.5, 1.0, 32, 8.0),
    "dog_bite": (1.5, 0.0, 1, 1.0),
    "snake_bite": (0.3, 3.0, 32, 6.0),
}
DISPERSION = 10.0  # gamma shape: variance = mean + mean^2 / DISPERSION


@dataclass(frozen=True)
class Area:
    """An area the simulator counts for: an id and its population."""

    id: str
    population: int


def seasonal_rate(syndrome: str, week_of_year: int, population: int) -> float:
    """Mean weekly count of ``syndrome`` in an area of ``population`` in ISO week ``week_of_year``."""
    base, amplitude, peak, width = BACKGROUND[syndrome]
    distance = min(abs(week_of_year - peak), 52 - abs(week_of_year - peak))
    return base * population / 100_000 * (1.0 + amplitude * math.exp(-0.5 * (distance / width) ** 2))


def background(areas: list[Area], first_week: int, weeks: int, seed: int,
               syndromes: tuple[str, ...] | None = None) -> Iterator[tuple[int, str, str, int]]:
    """``(week, area, syndrome, count)`` for every area, syndrome and week (zeros included), from
    week number ``first_week`` for ``weeks`` weeks, reproducible from ``seed``."""
    rng = np.random.default_rng(seed)
    codes = syndromes or tuple(BACKGROUND)
    for offset in range(weeks):
        week = first_week + offset
        week_of_year = monday_of(week).isocalendar()[1]
        for area in areas:
            for code in codes:
                mean = seasonal_rate(code, week_of_year, area.population)
                lam = rng.gamma(DISPERSION, mean / DISPERSION) if mean > 0 else 0.0
                yield week, area.id, code, int(rng.poisson(lam))


#: How the simulated cases spread over age bands, and how urgent each syndrome's cases are.
AGE_BANDS = ("0-4", "5-14", "15-29", "30-44", "45-59", "60+")
AGE_WEIGHTS = (0.14, 0.18, 0.24, 0.2, 0.14, 0.1)
#: The demo's cluster (block, syndrome, extra cases), last week, so the dashboard has an alert to show.
DEMO_CLUSTER = ("SGR-DHURI", "fever_rash", 18)
URGENT = {"fever_bleeding", "fever_altered_sensorium", "afp", "snake_bite", "diarrhoea_bloody"}


def demo_events(first_week: int, weeks: int, seed: int = 2026) -> Iterator[dict[str, object]]:
    """Event rows (``engine.surveillance.events`` columns) for every block of the place table, from a
    seeded seasonal background, each case at one of its block's villages with an age band, sex,
    urgency, channel and source drawn at random."""
    from engine.surveillance.places import places

    where = places()
    by_block: dict[str, list] = {}
    for place in where:
        by_block.setdefault(place.block_code, []).append(place)
    areas = [Area(code, members[0].block_population) for code, members in by_block.items()]
    rng = np.random.default_rng(seed + 1)
    channels, sources = ("whatsapp", "sms", "voice"), ("bot", "asha")
    demo_week = first_week + weeks - 2  # the week before this one: the demo's cluster to find
    for week, block, syndrome, count in background(areas, first_week, weeks, seed):
        if (week, block, syndrome) == (demo_week, DEMO_CLUSTER[0], DEMO_CLUSTER[1]):
            count += DEMO_CLUSTER[2]
        villages = by_block[block]
        for _ in range(count):
            place = villages[int(rng.integers(len(villages)))]
            urgent = syndrome in URGENT
            yield {"week": monday_of(week), "district": place.district_code, "block": block,
                   "village": place.village, "syndrome": syndrome,
                   "age_band": AGE_BANDS[int(rng.choice(len(AGE_BANDS), p=AGE_WEIGHTS))],
                   "sex": "m" if rng.random() < 0.5 else "f",
                   "urgency": ("emergency" if rng.random() < 0.3 else "urgent") if urgent
                   else ("urgent" if rng.random() < 0.2 else "routine"),
                   "channel": channels[int(rng.choice(3, p=(0.6, 0.3, 0.1)))],
                   "source": sources[int(rng.random() < 0.3)]}
