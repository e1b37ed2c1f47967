"""Environments of a production deployment (PostgreSQL configured) for tests and the live probe.

A production deployment must bring its own secrets (config/settings.py ``production_problems``):
tests that configure PostgreSQL and start a server or a ``saathi`` command use
:func:`strong_secrets` so that they are let through, and the refusal tests take one away.
"""

from __future__ import annotations

from config.settings import SECRETS, Settings, new_secret

#: A PostgreSQL URL for settings only: the secrets check runs before anything connects.
UNREACHED_PG = "postgresql+psycopg2://postgres@127.0.0.1:5432/saathi_never_created"


def secrets_env(settings: Settings) -> dict[str, str]:
    """The environment that gives a production process the same secrets as ``settings`` (an
    in-process part of a test and a ``saathi`` command it runs must agree on pseudonyms)."""
    env = {variable: getattr(settings, name) for name, (variable, _) in SECRETS.items()}
    env["SAATHI_ALLOW_FILE_KEYS"] = "1"
    return env


def strong_secrets() -> dict[str, str]:
    """Fresh random values for every secret, and the ``file`` key provider accepted on purpose."""
    env = {variable: new_secret() for variable, _ in SECRETS.values()}
    env["SAATHI_ALLOW_FILE_KEYS"] = "1"
    return env
