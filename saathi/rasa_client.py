"""Talking to Rasa from the Python 3.11 side: a running server over HTTP, or a parse worker.

``saathi nlu`` must work whether or not ``saathi up`` is running: it uses the server when one
answers at ``RASA_URL`` and otherwise starts ``nlu/rasa_parse.py`` in the Rasa environment.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import requests

from config.paths import ROOT
from config.settings import load
from saathi.rasa_model import RASA_VENV, ensure_model, rasa_env


def server_up(base_url: str | None = None, timeout: float = 1.0, token: str | None = None) -> bool:
    """True when a Rasa server with a loaded model answers (``/status`` needs the Rasa token)."""
    settings = load()
    base_url = base_url or settings.rasa_base_url
    token = settings.rasa_token if token is None else token
    try:
        response = requests.get(f"{base_url}/status", params={"token": token}, timeout=timeout)
        return response.ok and bool(response.json().get("model_file"))
    except (requests.RequestException, ValueError):
        return False


def token_refused(base_url: str, token: str, timeout: float = 1.0) -> bool:
    """True when a Rasa server answers but refuses ``token`` (a stack started with another one)."""
    try:
        return requests.get(f"{base_url}/status", params={"token": token}, timeout=timeout).status_code == 401
    except requests.RequestException:
        return False


class HttpParser:
    """``/model/parse`` of a running server, with the Rasa token."""

    def __init__(self, base_url: str, token: str) -> None:
        self.base_url = base_url
        self.session = requests.Session()
        self.session.params = {"token": token}

    def parse(self, text: str) -> dict[str, Any]:
        response = self.session.post(f"{self.base_url}/model/parse", json={"text": text}, timeout=30)
        response.raise_for_status()
        return response.json()

    def close(self) -> None:
        self.session.close()


class WorkerParser:
    """A long-lived ``nlu/rasa_parse.py`` child process speaking JSON lines."""

    def __init__(self, model: Path | None = None) -> None:
        model = model or ensure_model()
        self.proc = subprocess.Popen(
            [str(RASA_VENV / "bin" / "python"), "-m", "nlu.rasa_parse", "--model", str(model)],
            cwd=ROOT, env=rasa_env(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
            encoding="utf-8",
        )
        ready = self._read()
        if not ready.get("ready"):
            raise RuntimeError(f"the Rasa parse worker did not start: {ready}")

    def _read(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the Rasa parse worker exited (see its messages above)")
        return json.loads(line)

    def parse(self, text: str) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"text": text}, ensure_ascii=False) + "\n")
        self.proc.stdin.flush()
        result = self._read()
        if "error" in result:
            raise RuntimeError(result["error"])
        return result

    def close(self) -> None:
        """Ends the worker; one that has not exited 30 s after its input closed (TensorFlow's
        teardown on a loaded machine) is killed, so a caller's finished work is never lost to it."""
        if self.proc.stdin:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def open_parser() -> HttpParser | WorkerParser:
    settings = load()
    if server_up(settings.rasa_base_url, token=settings.rasa_token):
        return HttpParser(settings.rasa_base_url, settings.rasa_token)
    return WorkerParser()
