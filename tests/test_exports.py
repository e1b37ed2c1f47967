"""FHIR exports: a one-time link, deleted after the download or after SAATHI_EXPORT_LINK_HOURS
(issue #14 finding 8). The file store, the gateway's route and the bot's action, for real."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import uuid
from pathlib import Path

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from channels.retention import prune
from engine import exports
from engine.i18n import t

pytest.register_assert_rewrite("tests.channels_fixtures")  # it is also a plugin (below)
from tests.channels_fixtures import PUBLIC_BASE  # noqa: E402

pytest_plugins = ["tests.channels_fixtures"]

BUNDLE = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {"resourceType": "Patient"}}]}
NOW = dt.datetime.now(dt.timezone.utc)


def _files(var_dir: Path) -> list[Path]:
    return [p for p in exports.exports_dir(var_dir).rglob("*") if p.is_file()]


def _age(path: Path, hours: float) -> None:
    then = (NOW - dt.timedelta(hours=hours)).timestamp()
    os.utime(path, (then, then))


def test_a_link_works_once_and_the_file_goes_with_it(tmp_path: Path) -> None:
    pid = uuid.uuid4()
    token = exports.write(tmp_path, pid, BUNDLE)
    (path,) = _files(tmp_path)
    assert path.parent == exports.patient_folder(tmp_path, pid)  # erasure removes the folder
    assert path.name == hashlib.sha256(token.encode()).hexdigest() + ".json"  # the disk never holds the token
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert exports.take(tmp_path, "x" * 32, hours=24) is None  # an unknown token
    assert exports.take(tmp_path, "../../etc/passwd", hours=24) is None
    assert json.loads(exports.take(tmp_path, token, hours=24)) == BUNDLE
    assert _files(tmp_path) == []
    assert exports.take(tmp_path, token, hours=24) is None  # used up


def test_an_expired_link_gives_nothing_and_the_purge_deletes_old_files_only(tmp_path: Path) -> None:
    old, fresh = exports.write(tmp_path, uuid.uuid4(), BUNDLE), exports.write(tmp_path, uuid.uuid4(), BUNDLE)
    stale = exports.write(tmp_path, uuid.uuid4(), BUNDLE)
    by_token = {tok: next(p for p in _files(tmp_path) if p.name.startswith(hashlib.sha256(tok.encode()).hexdigest()))
                for tok in (old, fresh, stale)}
    _age(by_token[old], 25)
    _age(by_token[stale], 30)
    assert exports.take(tmp_path, old, hours=24) is None and not by_token[old].exists()  # dead at the hour
    assert exports.purge(tmp_path, hours=24) == 1 and not by_token[stale].exists()
    assert [p.name for p in _files(tmp_path)] == [by_token[fresh].name]
    assert len(list(exports.exports_dir(tmp_path).iterdir())) == 1  # emptied patient folders went too
    assert exports.purge(tmp_path, hours=0) == 0  # 0 keeps


def test_the_gateway_sweep_purges_expired_exports(channel_settings) -> None:
    token = exports.write(channel_settings.var_dir, uuid.uuid4(), BUNDLE)
    assert prune(channel_settings)["exports"] == 0
    (path,) = _files(channel_settings.var_dir)
    _age(path, channel_settings.export_link_hours + 1)
    assert prune(channel_settings)["exports"] == 1 and not path.exists()
    assert exports.take(channel_settings.var_dir, token, hours=channel_settings.export_link_hours) is None


def test_the_bot_sends_a_one_time_link_the_gateway_serves_once(app, channel_settings, monkeypatch, tmp_path) -> None:
    """The whole path: "export my data" in the chat -> link in the message -> a preview's GET does
    not use it up -> the patient's download gets the bundle -> the second download and the file are gone."""
    from actions import health_record
    from tests.support.records import build_service

    records = build_service(f"sqlite:///{tmp_path / 'records.db'}", tmp_path / "keys.json", tmp_path / "files")
    from engine import schema

    schema.upgrade(f"sqlite:///{tmp_path / 'records.db'}", target="records@head")
    monkeypatch.setattr(health_record, "service", lambda: records)
    dispatcher = CollectingDispatcher()
    tracker = Tracker(sender_id="export-unit", slots={"language": "hi"}, latest_message={"text": "export"},
                      events=[], paused=False, followup_action=None, active_loop={}, latest_action_name=None)
    health_record.export_records(dispatcher, tracker, "hi")
    (message,) = dispatcher.messages
    fields = message["custom"]["fields"]
    assert message["text"] == t("records_export_ready", "hi", **fields) and "attachment" not in message["custom"]
    link = fields["link"]
    assert re.fullmatch(rf"{re.escape(PUBLIC_BASE)}/exports/hi/[A-Za-z0-9_-]{{32}}", link) and link in message["text"]
    assert fields["hours"] == "24"
    (path,) = _files(channel_settings.var_dir)
    assert str(path) not in json.dumps(message)  # no file path in the conversation any more

    client = app.test_client()
    route = link.removeprefix(PUBLIC_BASE)
    page = client.get(route)  # what a link preview does
    assert page.status_code == 200 and t("records_export_page_button", "hi") in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store" and path.exists()
    got = client.post(route)
    assert got.status_code == 200 and got.mimetype == "application/fhir+json"
    bundle = json.loads(got.data)
    assert bundle["resourceType"] == "Bundle" and bundle["entry"]
    assert not path.exists()
    again = client.post(route)
    assert again.status_code == 410 and t("records_export_gone", "hi") in again.get_data(as_text=True)
    assert client.post("/exports/xx/" + route.rsplit("/", 1)[1]).status_code == 404
    assert client.get("/exports/hi/short").status_code == 404
    records._sessions.kw["bind"].dispose()
