"""Alembic environment of the ASHA tables (engine.asha.models); URL and version table from the caller."""

from engine.asha.models import AshaBase
from engine.migrations import run_env

run_env(AshaBase.metadata)
