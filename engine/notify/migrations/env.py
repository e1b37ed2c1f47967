"""Alembic environment of the notify tables (engine.notify.models); URL and version table from the caller."""

from engine.migrations import run_env
from engine.notify.models import NotifyBase

run_env(NotifyBase.metadata)
