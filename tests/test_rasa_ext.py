"""rasa_ext.run: Rasa gets its API token from the environment, or does not start at all; no message text in its log."""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
from pathlib import Path

import pytest

from rasa_ext.redact import REDACTED, redact_record
from rasa_ext.run import RefusedToStart, argv_with_token

TOKEN = "t" * 20 + "0123456789abcdefghijkl"


def test_the_token_goes_from_the_environment_to_rasas_arguments():
    argv = argv_with_token(["run", "--enable-api", "--port", "5005"], {"SAATHI_RASA_TOKEN": TOKEN})
    assert argv == ["rasa", "run", "--enable-api", "--port", "5005", f"--auth-token={TOKEN}"]


def test_a_token_that_begins_with_a_dash_reaches_rasa_whole():
    """secrets.token_urlsafe gives a leading "-" one time in 64; as a separate argument argparse
    read it as an option and Rasa exited ("expected one argument"), seen on a full test run."""
    parser = argparse.ArgumentParser()  # how Rasa's own CLI declares the option
    parser.add_argument("-t", "--auth-token", type=str)
    parser.add_argument("--enable-api", action="store_true")
    token = "-" + TOKEN
    argv = argv_with_token(["--enable-api"], {"SAATHI_RASA_TOKEN": token})
    assert parser.parse_args(argv[1:]).auth_token == token


@pytest.mark.parametrize("environ", [{}, {"SAATHI_RASA_TOKEN": ""}, {"SAATHI_RASA_TOKEN": "short"}])
def test_no_rasa_without_a_token(environ):
    with pytest.raises(RefusedToStart, match="refusing to start Rasa: SAATHI_RASA_TOKEN"):
        argv_with_token(["run", "--enable-api"], environ)


def test_a_token_on_the_command_line_is_refused():
    with pytest.raises(RefusedToStart, match="not on the command line"):
        argv_with_token(["run", "--auth-token", TOKEN], {"SAATHI_RASA_TOKEN": TOKEN})


# --- rasa_ext.redact: no message text in the Rasa server's log (issue #14) ---

SAID = "mujhe seene me dard hai aur HIV ki dawai leta hoon"
RASA_PYTHON = Path(__file__).resolve().parents[1] / ".venv-rasa" / "bin" / "python"


def test_a_structlog_json_line_keeps_its_event_but_loses_the_text():
    line = json.dumps({"text": SAID, "event": "rest.message.received.timeout", "log_level": "error",
                       "tracker_latest_message": {"text": SAID, "intent": {"name": "report_symptoms"}}})
    record = redact_record(logging.makeLogRecord({"name": "rasa.core.channels.rest", "msg": line, "args": ()}))
    assert SAID not in record.getMessage()
    assert json.loads(record.getMessage())["event"] == "rest.message.received.timeout"
    assert json.loads(record.getMessage())["text"] == REDACTED


def test_payload_arguments_are_dropped_and_plain_ones_kept():
    record = redact_record(logging.makeLogRecord({
        "name": "sanic.error", "msg": "handler failed for %s after %d s (%s)",
        "args": ({"sender": "abc", "message": SAID}, 10, "rest")}))
    assert record.getMessage() == f"handler failed for {REDACTED} after 10 s (rest)"


def test_a_plain_message_is_left_alone():
    record = redact_record(logging.makeLogRecord({"name": "sanic.root", "msg": "Starting worker [%d]", "args": (42,)}))
    assert record.getMessage() == "Starting worker [42]"


def test_the_rest_channel_timeout_reaches_rasas_log_file_without_the_text(tmp_path):
    """Real Rasa logging, as ``rasa_ext.run`` sets it up: redaction installed, then Rasa's structlog
    configuration and its ``--log-file`` handler, then the event rest.py logs on a timeout."""
    if not RASA_PYTHON.exists():
        pytest.skip(".venv-rasa is not set up")
    log_file = tmp_path / "rasa.log"
    script = (
        "import sys, copy, logging\n"
        "from rasa_ext.redact import install\n"
        "install()\n"
        "from rasa.utils.log_utils import configure_structlog\n"
        "from rasa.core.utils import configure_file_logging\n"
        "configure_structlog(logging.INFO)\n"
        "configure_file_logging(logging.getLogger(), sys.argv[1], False)\n"
        "import structlog\n"
        "structlog.get_logger().error('rest.message.received.timeout', text=copy.deepcopy(sys.argv[2]))\n"
        "logging.getLogger('sanic.error').error('Exception while handling %s', {'text': sys.argv[2]})\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    env.pop("FORCE_JSON_LOGGING", None)
    done = subprocess.run([str(RASA_PYTHON), "-c", script, str(log_file), SAID], capture_output=True, text=True,
                          env=env, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    logged = log_file.read_text(encoding="utf-8") + done.stdout + done.stderr
    assert "rest.message.received.timeout" in logged and "Exception while handling" in logged
    assert SAID not in logged and "seene" not in logged
