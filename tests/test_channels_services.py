"""The gateway's composition root: one engine, one records service, the ASHA and pharmacy services
on them, made once; a service that cannot be made now is tried again later (the database may come up
after the gateway), and meanwhile the hooks let the bot answer."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy.exc import OperationalError

from channels.app import create_app
from channels.asha import asha_reply
from channels.pharmacist import pharmacist_reply
from channels.services import GatewayServices

pytest.register_assert_rewrite("tests.channels_fixtures")  # it is also a plugin (below)
pytest_plugins = ["tests.channels_fixtures"]


def test_every_service_of_the_gateway_shares_one_engine(gateway):
    services = gateway.services
    asha, pharmacy, records = services.asha, services.pharmacy, services.records
    assert asha.records is records and asha.sessions is services.sessions
    assert pharmacy.sessions is services.sessions
    assert records._sessions is services.sessions
    assert services.asha is asha and services.pharmacy is pharmacy and services.records is records
    assert asha.referrer is not None and asha.on_due is not None and asha.alerts is not None


def test_while_the_database_is_away_the_hooks_let_the_bot_answer(channel_settings):
    unreachable = dataclasses.replace(channel_settings, database_url="postgresql://nobody@127.0.0.1:1/none")
    services = GatewayServices(unreachable)
    for _ in range(2):  # nothing half-made is kept: each try goes to the database again
        with pytest.raises(OperationalError):
            _ = services.asha
    assert asha_reply(services, "sender", "LIST") is None
    assert pharmacist_reply(services, "sender", "READY 123456") is None


def test_the_app_uses_the_gateway_it_is_given(gateway):
    app = create_app(gateway.settings, gateway)
    assert app.config["GATEWAY"].services is gateway.services


def test_a_channel_process_start_reads_every_text_table_before_the_first_message():
    """``load_readers`` is the start-up of the gateway and of the media worker (tests/test_metrics_processes.py
    checks both call it): afterwards the tables the first message or voice note needs are in memory.
    A process of its own, so the tables start unread whatever ran before in this one."""
    import subprocess
    import sys

    from config.paths import ROOT

    code = """
from channels.conversation import load_readers
from engine.i18n import catalogue, latin_catalogue
from nlu import danger_parts, negation, red_flags
from nlu.language import _votes
tables = (catalogue, latin_catalogue, _votes, red_flags.rules, red_flags.derived, red_flags._signals,
          danger_parts._index, negation._cues)
before = [table.cache_info().currsize for table in tables]
load_readers()
print(before, [table.cache_info().currsize for table in tables])
"""
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                          timeout=120)
    assert done.stdout.strip() == "[0, 0, 0, 0, 0, 0, 0, 0] [1, 1, 1, 1, 1, 1, 1, 1]", done.stdout
