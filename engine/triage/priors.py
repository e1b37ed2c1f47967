"""Season and region priors: how much more or less often each condition is seen this month, here.

A clinician in Bihar in September thinks of dengue, malaria and kala-azar before a clinician in
Ludhiana in January does. The factors are data (``data/priors/season_region.yml``, with sources);
this module turns a date and a place into one multiplier per condition, which the engine applies to
the differential as a prior (p'(c) ∝ p(c) x factor(c)).

Two promises, both tested: a factor is bounded to [``MIN_FACTOR``, ``MAX_FACTOR``], so a prior
reorders but never removes a condition; and the engine decides urgency on the knowledge-base
scorer's distribution *without* the priors, so a season never makes a case less (or more) urgent. Without a date or a
place every factor is 1 and nothing changes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from config.paths import ROOT
from engine.triage.kb import KnowledgeBase
from engine.yamlfile import read_yaml

PRIORS_YML = ROOT / "data" / "priors" / "season_region.yml"
MIN_FACTOR = 0.1
MAX_FACTOR = 5.0


class PriorsError(ValueError):
    """The priors file names an unknown condition, season, state or source."""


@dataclass(frozen=True)
class Where:
    """The place a triage is about, as far as known: a state (ISO 3166-2:IN code) and a district."""

    state: str | None = None
    district: str | None = None


@dataclass(frozen=True, eq=False)  # hashed by identity: it keys the factor cache
class Priors:
    month_of_season: dict[int, str]
    states: dict[str, str]  # every spelling (casefolded) -> state code
    season: dict[str, dict[str, float]]  # condition id -> season -> factor
    region: dict[str, dict]  # condition id -> {"tiers": {tier: (states, districts)}, "factors": {tier: f}}

    def state_code(self, state: str | None) -> str | None:
        """The state code for a code or any listed name ("Bihar", "बिहार", "br"); None if unknown."""
        return self.states.get(_norm(state)) if state else None

    def factor(self, condition_id: str, month: int | None, where: Where) -> float:
        f = 1.0
        season = self.month_of_season.get(month) if month else None
        if season:
            f *= self.season.get(condition_id, {}).get(season, 1.0)
        region = self.region.get(condition_id)
        code = self.state_code(where.state)
        if region and code:
            f *= region["factors"].get(_tier(region["tiers"], code, where.district), 1.0)
        return float(min(MAX_FACTOR, max(MIN_FACTOR, f)))


def _norm(name: str) -> str:
    """A name made comparable: case and runs of spaces do not matter."""
    return " ".join(str(name).split()).casefold()


def _tier(tiers: dict[str, tuple[frozenset, frozenset]], code: str, district: str | None) -> str:
    place = f"{code}/{_norm(district)}" if district else None
    for tier, (states, districts) in tiers.items():
        if code in states or (place and place in districts):
            return tier
    return "other"


def parse(raw: dict, condition_ids: set[str] | None = None) -> Priors:
    """Validate and index the priors file (unknown names fail loudly: a typo would silently do nothing)."""
    seasons = raw.get("seasons") or {}
    month_of_season: dict[int, str] = {}
    for name, months in seasons.items():
        for m in months:
            if not 1 <= int(m) <= 12 or int(m) in month_of_season:
                raise PriorsError(f"season {name}: month {m} is out of range or in two seasons")
            month_of_season[int(m)] = name
    states: dict[str, str] = {}
    for code, names in (raw.get("states") or {}).items():
        for name in [code, *names]:
            states[_norm(name)] = code
    known_sources = set(raw.get("sources") or {})
    season: dict[str, dict[str, float]] = {}
    region: dict[str, dict] = {}
    for cid, entry in (raw.get("conditions") or {}).items():
        if condition_ids is not None and cid not in condition_ids:
            raise PriorsError(f"{cid}: not a condition of the knowledge base")
        if not entry.get("sources") or set(entry["sources"]) - known_sources:
            raise PriorsError(f"{cid}: sources missing or unknown")
        factors = {str(k): float(v) for k, v in (entry.get("season") or {}).items()}
        if set(factors) - set(seasons):
            raise PriorsError(f"{cid}: unknown seasons {sorted(set(factors) - set(seasons))}")
        season[cid] = factors
        if entry.get("region"):
            region[cid] = _region(cid, entry["region"], set(states.values()))
    return Priors(month_of_season, states, season, region)


def _region(cid: str, spec: dict, codes: set[str]) -> dict:
    tier_factors = {str(k): float(v) for k, v in (spec.get("factors") or {}).items()}
    tiers: dict[str, tuple[frozenset, frozenset]] = {}
    for tier in (t for t in tier_factors if t != "other"):
        states = frozenset(spec.get(tier) or ())
        districts = [str(d).split("/", 1) for d in spec.get(f"{tier}_districts") or ()]
        if states - codes or {state.strip() for state, _ in districts} - codes:
            raise PriorsError(f"{cid}: unknown states in tier {tier}")
        tiers[tier] = (states, frozenset(f"{state.strip()}/{_norm(name)}" for state, name in districts))
    if not tiers:
        raise PriorsError(f"{cid}: a region without tiers")
    return {"tiers": tiers, "factors": tier_factors}


@lru_cache(maxsize=1)
def default_priors(path: Path = PRIORS_YML) -> Priors:
    return parse(read_yaml(path) or {})


def month_of(when: dt.date | str | None) -> int | None:
    """The month of a date, an ISO date string ("2026-08-14") or None."""
    if when is None or when == "":
        return None
    if isinstance(when, str):
        when = dt.date.fromisoformat(when[:10])
    return when.month


def factors(kb: KnowledgeBase, month: int | None, where: Where | None = None,
            priors: Priors | None = None) -> np.ndarray | None:
    """One multiplier per condition of ``kb``, or None when there is nothing to apply (no date, no place)."""
    where = where or Where()
    if month is None and where.state is None:
        return None
    return _factors(kb.digest, tuple(c.id for c in kb.conditions), month, where, priors or default_priors())


@lru_cache(maxsize=256)
def _factors(_digest: str, ids: tuple[str, ...], month: int | None, where: Where, priors: Priors) -> np.ndarray:
    out = np.array([priors.factor(cid, month, where) for cid in ids])
    out.flags.writeable = False
    return out


def apply(probabilities: np.ndarray, factor: np.ndarray | None) -> np.ndarray:
    """The differential reweighted by the priors and renormalised (unchanged without factors); a
    condition with probability 0 stays at 0, every other stays above 0."""
    if factor is None:
        return probabilities
    weighted = probabilities * factor
    total = weighted.sum()
    return weighted / total if total > 0 else probabilities
