"""A media worker (``python -m channels worker``) answering through the Twilio stand-in, for the
voice-note tests and bench/voice_note.py."""

from __future__ import annotations

import os
from pathlib import Path

from config.paths import ROOT
from config.settings import load
from tests.support.live import free_port
from tests.twilio_standin import TwilioStandin

REDIS_URL = "redis://127.0.0.1:6379/13"  # a database of its own: other sessions' workers do not take these jobs
USER = "whatsapp:+919800000019"


def worker_env(tmp_path: Path, standin: TwilioStandin, redis_url: str = REDIS_URL,
               code: Path | None = None) -> dict[str, str]:
    """The environment of a media worker that answers through ``standin``, running the code of
    ``code`` (this checkout by default; ``python -m`` must also start there: it imports from the cwd)."""
    from engine.speech.models import install_whisper_base

    model_dir = install_whisper_base(load().effective_whisper_model_dir)
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SAATHI_", "DATABASE_URL", "TRACKER_STORE",
                                                                      "TWILIO_", "REDIS_URL"))}
    return {**base, "PYTHONPATH": str(code or ROOT), "REDIS_URL": redis_url, "SAATHI_VAR_DIR": str(tmp_path / "var"),
            "SAATHI_WHISPER_MODEL_DIR": str(model_dir), "SAATHI_LOG_LEVEL": "INFO",
            "WORKER_METRICS_PORT": str(free_port()), "RASA_PORT": str(free_port()),
            "ACTIONS_PORT": str(free_port()), "TWILIO_ACCOUNT_SID": standin.account_sid,
            "TWILIO_AUTH_TOKEN": standin.auth_token, "TWILIO_API_BASE_URL": standin.url,
            "TWILIO_MEDIA_HOSTS": f"api.twilio.com,{standin.host}", "TWILIO_WHATSAPP_FROM": "whatsapp:+14155238886",
            "SAATHI_PUBLIC_BASE_URL": "https://saathi.example.org", "SAATHI_TTS_ENGINES": "espeak"}


def note_payload(url: str, language: str, content_type: str = "audio/ogg", address: str = USER) -> dict[str, str]:
    """What the gateway submits for a WhatsApp voice note (channels.messaging)."""
    return {"address": address, "to": "whatsapp:+14155238886", "channel": "whatsapp", "sender": "speech-worker-test",
            "language": language, "script": "", "url": url, "content_type": content_type}


def own_cpu_seconds(pid: int, children: bool = False) -> float:
    """CPU seconds ``pid`` used itself (utime + stime), with ``children`` also those of its children
    it has waited for (cutime + cstime: RQ's work horses, ffmpeg)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = sum(int(fields[i]) for i in ((11, 12, 13, 14) if children else (11, 12)))
    return ticks / os.sysconf("SC_CLK_TCK")
