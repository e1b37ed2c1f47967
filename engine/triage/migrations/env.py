"""Alembic environment of the triage traffic log (engine.triage.traffic); URL and version table from the caller."""

from engine.migrations import run_env
from engine.triage.traffic import TrafficBase

run_env(TrafficBase.metadata)
