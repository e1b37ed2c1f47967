"""`saathi db|keys|audit|records` against a throw-away PostgreSQL database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from records import Actor, Purpose, RecordsService
from saathi.cli import main
from tests.support.records import fresh_pg_database

pytestmark = pytest.mark.postgres


def test_operator_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                           capsys: pytest.CaptureFixture[str], production_secrets: dict[str, str]) -> None:
    with fresh_pg_database("saathi_cli") as url:
        monkeypatch.setenv("DATABASE_URL", url)
        monkeypatch.setenv("SAATHI_VAR_DIR", str(tmp_path / "var"))
        assert main(["db", "upgrade"]) == 0
        assert "0003" in capsys.readouterr().out

        svc = RecordsService.from_settings()
        pid = svc.get_or_create_patient("sms", "+919999900000", "pa")
        svc.save_symptom_report(Actor.patient(pid), pid, {"text": "bukhar"}, purpose=Purpose.TRIAGE)
        assert (tmp_path / "var" / "keys" / "master.json").exists()

        assert main(["audit", "verify"]) == 0
        assert "intact" in capsys.readouterr().out
        assert main(["audit", "head", "--json"]) == 0  # the anchor to keep outside the database
        anchor = json.loads(capsys.readouterr().out)
        assert anchor["count"] >= 2 and anchor["heads"]
        (tmp_path / "anchor.json").write_text(json.dumps(anchor))
        assert main(["audit", "head"]) == 0
        assert anchor["fingerprint"] in capsys.readouterr().out
        assert main(["audit", "verify", "--anchor", str(tmp_path / "anchor.json")]) == 0
        capsys.readouterr()
        assert main(["keys", "rotate", "--retire"]) == 0
        out = capsys.readouterr().out
        assert "m2" in out and "m1" in out  # now m2, and m1 was retired
        assert main(["records", "export", str(pid)]) == 0
        bundle = json.loads(capsys.readouterr().out)
        assert bundle["resourceType"] == "Bundle"
        assert main(["records", "delete", str(pid)]) == 2  # needs --yes
        assert main(["records", "delete", str(pid), "--yes"]) == 0
        assert main(["records", "export", str(pid)]) == 1
        assert main(["records", "purge-transcripts"]) == 0
        assert main(["audit", "--language", "hi", "verify"]) == 0
        svc._sessions.kw["bind"].dispose()
        assert main(["db", "downgrade", "base"]) == 0
