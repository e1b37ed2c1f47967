"""Issue #14, finding 1, on the live stack (the session's Rasa and action server from ``rasa_stack``).

Before: ``POST /webhooks/rest/webhook`` with any sender talked as that patient, and
``GET /conversations/<sender>/tracker`` returned the whole conversation in clear. Now Rasa runs with
``--auth-token`` (given through the environment, never on a command line) and our REST channel
(rasa_ext/rest.py) checks the same token.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

pytestmark = pytest.mark.rasa

WRONG = {"token": "not-the-token-" + "x" * 32}


def test_the_tracker_api_needs_the_token(rasa_stack):
    sender = rasa_stack.new_sender()
    assert rasa_stack.send(sender, "mujhe bukhar hai")  # a conversation that has something to steal
    url = f"{rasa_stack.base_url}/conversations/{sender}/tracker"
    for params in ({}, WRONG):
        refused = requests.get(url, params=params, timeout=30)
        assert refused.status_code == 401, refused.text[:300]
        assert "bukhar" not in refused.text
    allowed = requests.get(url, params={"token": rasa_stack.token}, timeout=30)
    assert allowed.ok and "bukhar" in allowed.text  # the token is what made the difference


@pytest.mark.parametrize("method, path, body", [
    ("get", "/status", None),
    ("post", "/model/parse", {"text": "bukhar"}),
    ("get", "/domain", None),
    ("post", "/conversations/someone/tracker/events", {"event": "slot", "name": "language", "value": "en"}),
    ("post", "/conversations/someone/trigger_intent", {"name": "greet"}),
])
def test_the_rest_of_rasas_api_needs_the_token(rasa_stack, method, path, body):
    response = requests.request(method, f"{rasa_stack.base_url}{path}", json=body, timeout=30)
    assert response.status_code == 401, (path, response.status_code, response.text[:300])


def test_the_rest_channel_refuses_callers_without_the_token(rasa_stack):
    sender = rasa_stack.new_sender()
    url = f"{rasa_stack.base_url}/webhooks/rest/webhook"
    for params in ({}, WRONG):
        refused = requests.post(url, params=params, json={"sender": sender, "message": "mera naam Forged hai"},
                                timeout=60)
        assert refused.status_code == 401, refused.text[:300]
    tracker = requests.get(f"{rasa_stack.base_url}/conversations/{sender}/tracker",
                           params={"token": rasa_stack.token}, timeout=30).json()
    assert "Forged" not in str(tracker.get("events"))  # the refused turns never reached the conversation
    assert rasa_stack.send(sender, "hello")  # and the gateway's way in still works


def command_lines() -> list[str]:
    """Every process's command line this user can read (what `ps` shows to everybody)."""
    lines = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                lines.append((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace"))
            except OSError:
                continue
    return lines


def test_no_token_on_any_command_line(rasa_stack):
    lines = command_lines()
    assert any("rasa" in line and "run" in line for line in lines), "the Rasa server should be running"
    for secret in (rasa_stack.settings.rasa_token, rasa_stack.settings.actions_token):
        assert not [line for line in lines if secret in line]


def action_call(action: str, sender: str, slots: dict | None = None) -> dict:
    """What Rasa POSTs to the action server, as a forger would write it."""
    return {"next_action": action, "sender_id": sender, "version": "3.6.21", "domain": {},
            "tracker": {"sender_id": sender, "slots": slots or {}, "latest_message": {"text": "haan", "intent": {}},
                        "events": [], "paused": False, "followup_action": None, "active_loop": {},
                        "latest_action_name": "action_listen", "latest_input_channel": "rest"}}


@pytest.mark.parametrize("action, slots", [
    ("action_greet", {}),
    ("action_delete_my_data", {"pending_offer": "delete"}),  # the forged erasure of the issue
    ("action_triage", {"symptoms": ["fever"], "age": 30}),   # the forged triage written into a record
])
def test_the_action_server_refuses_calls_that_are_not_from_rasa(rasa_stack, action, slots):
    url = rasa_stack.settings.actions_url
    call = action_call(action, rasa_stack.new_sender(), slots)
    missing = requests.post(url, json=call, timeout=30)
    assert missing.status_code == 401, missing.text[:300]
    wrong = requests.post(url, json=call, headers={"Authorization": "Bearer " + "y" * 43}, timeout=30)
    assert wrong.status_code == 403, wrong.text[:300]
    for refused in (missing, wrong):
        assert "events" not in refused.json()  # no action ran, nothing to apply
    listed = requests.get(url.replace("/webhook", "/actions"), timeout=30)
    assert listed.status_code == 401


def test_rasa_itself_gets_through_and_a_forger_with_the_token_would_too(rasa_stack):
    """The refusal is the token's doing: with it the same call runs (what Rasa does on every turn)."""
    url = rasa_stack.settings.actions_url
    answered = requests.post(url, json=action_call("action_greet", rasa_stack.new_sender()), timeout=30,
                             headers={"Authorization": f"Bearer {rasa_stack.settings.actions_token}"})
    assert answered.ok and "responses" in answered.json()
    assert requests.get(url.replace("/webhook", "/health"), timeout=30).ok  # the supervisor's check stays open
    assert any(m["key"] for m in rasa_stack.send(rasa_stack.new_sender(), "hello"))  # Rasa -> actions works


def listening_addresses(port: int) -> set[str]:
    """Local addresses of the sockets listening on ``port`` (from /proc/net/tcp and tcp6)."""
    found = set()
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        for row in Path(table).read_text().splitlines()[1:]:
            local, state = row.split()[1], row.split()[3]
            address, _, hex_port = local.partition(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                found.add(address if width == 32 else ".".join(str(int(address[i:i + 2], 16)) for i in (6, 4, 2, 0)))
    return found


def test_rasa_and_the_action_server_listen_on_loopback_only(rasa_stack):
    settings = rasa_stack.settings
    for port in (settings.rasa_port, settings.actions_port):
        assert listening_addresses(port) == {"127.0.0.1"}, port


def test_the_probe_finds_every_door_closed(rasa_stack, tmp_path, capsys):
    """tests/probe_live_stack.py, as an operator runs it, against this session's stack."""
    from tests.probe_live_stack import main

    settings = rasa_stack.settings
    code = main(["--rasa", rasa_stack.base_url, "--actions", settings.actions_url.removesuffix("/webhook"),
                 f"--rasa-token={rasa_stack.token}", "--var-dir", str(tmp_path / "var")])
    lines = capsys.readouterr().out.strip().splitlines()
    assert not [line for line in lines if line.startswith("FAIL")]
    passed, total = map(int, lines[-1].split()[0].split("/"))
    assert code == 0 and passed == total >= 30, lines[-4:]
    tallies = dict(line.rsplit(": ", 1) for line in lines[-4:-1])
    assert set(tallies) == {"unauthenticated Rasa calls refused", "unauthenticated action calls refused",
                            "default secrets refused"}
    for tally in tallies.values():
        done, of = tally.split("/")
        assert done == of != "0", tallies


def test_saathi_chat_sends_the_token_and_says_when_it_is_the_wrong_one(rasa_stack):
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "RASA_URL": rasa_stack.base_url, "SAATHI_RASA_TOKEN": rasa_stack.token}
    chat = [sys.executable, "-m", "saathi.cli", "chat"]  # this tree's code, not the editable install's
    done = subprocess.run(chat, input="hello\n", env=env, cwd=root, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0 and "saathi> " in done.stdout, done.stderr[-1000:]
    env["SAATHI_RASA_TOKEN"] = "another-stack-" + "w" * 40
    done = subprocess.run(chat, input="hello\n", env=env, cwd=root, capture_output=True, text=True, timeout=180)
    assert done.returncode == 1 and "refused the Rasa token" in done.stderr and "saathi> " not in done.stdout
