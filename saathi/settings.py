"""The one settings module: every knob is an environment variable with a safe default.

Defaults describe the *embedded* deployment that ``make run`` starts on one machine (SQLite file,
in-memory Rasa tracker, jobs in-process when ``REDIS_URL`` is empty, every server bound to
127.0.0.1). The full stack (docker-compose.yml) sets the variables below. Each variable is listed
in the README's settings table; keep the two in step.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from saathi import ROOT


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw not in (None, "") else default


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw in (None, ""):
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    """A snapshot of the environment; call :func:`load` again after changing ``os.environ``."""

    host: str = field(default_factory=lambda: _env("SAATHI_HOST", "127.0.0.1"))
    rasa_port: int = field(default_factory=lambda: _env_int("RASA_PORT", 5005))
    actions_port: int = field(default_factory=lambda: _env_int("ACTIONS_PORT", 5055))
    # Default: RASA_PORT + 75 (5080), so a stack on other ports (the tests' 15005) gets its own gateway port.
    gateway_port: int = field(default_factory=lambda: _env_int("GATEWAY_PORT", _env_int("RASA_PORT", 5005) + 75))
    # Default: RASA_PORT + 85 (5090), like the gateway, so a test stack gets its own portal port.
    portal_port: int = field(default_factory=lambda: _env_int("PORTAL_PORT", _env_int("RASA_PORT", 5005) + 85))
    rasa_url: str = field(default_factory=lambda: _env("RASA_URL", ""))
    rasa_workers: int = field(default_factory=lambda: _env_int("RASA_WORKERS", 1))
    var_dir: Path = field(default_factory=lambda: Path(_env("SAATHI_VAR_DIR", str(ROOT / "var"))))
    model_cache: Path = field(
        default_factory=lambda: Path(
            _env("SAATHI_MODEL_CACHE", str(Path.home() / ".cache" / "saathi" / "models"))
        )
    )
    database_url: str = field(default_factory=lambda: _env("DATABASE_URL", ""))
    tracker_store_url: str = field(default_factory=lambda: _env("TRACKER_STORE_URL", ""))
    redis_url: str = field(default_factory=lambda: _env("REDIS_URL", ""))
    default_language: str = field(default_factory=lambda: _env("SAATHI_DEFAULT_LANGUAGE", "hi"))
    emergency_number: str = field(default_factory=lambda: _env("SAATHI_EMERGENCY_NUMBER", "108"))
    sender_salt: str = field(default_factory=lambda: _env("SAATHI_SENDER_SALT", "change-me-in-production"))
    log_level: str = field(default_factory=lambda: _env("SAATHI_LOG_LEVEL", "INFO"))
    debug: bool = field(default_factory=lambda: _env_bool("SAATHI_DEBUG", False))
    # Health records (records/): key provider "file" (key file under var/, 0600) or "env" (SAATHI_MASTER_KEYS).
    key_provider: str = field(default_factory=lambda: _env("SAATHI_KEY_PROVIDER", "file"))
    master_key_file: str = field(default_factory=lambda: _env("SAATHI_MASTER_KEY_FILE", ""))
    records_store_dir: str = field(default_factory=lambda: _env("SAATHI_RECORDS_DIR", ""))
    s3_bucket: str = field(default_factory=lambda: _env("SAATHI_S3_BUCKET", ""))
    s3_endpoint_url: str = field(default_factory=lambda: _env("SAATHI_S3_ENDPOINT_URL", ""))
    s3_prefix: str = field(default_factory=lambda: _env("SAATHI_S3_PREFIX", "records/"))
    transcript_retention_days: int = field(default_factory=lambda: _env_int("SAATHI_TRANSCRIPT_RETENTION_DAYS", 90))
    # De-identified triage traffic log (engine/triage/traffic.py): rows older than this are pruned.
    traffic_days: int = field(default_factory=lambda: _env_int("SAATHI_TRAFFIC_DAYS", 180))
    # Channels (channels/): Twilio webhooks, outbound REST API, media limits, speech.
    twilio_account_sid: str = field(default_factory=lambda: _env("TWILIO_ACCOUNT_SID", ""))
    twilio_auth_token: str = field(default_factory=lambda: _env("TWILIO_AUTH_TOKEN", ""))
    twilio_api_base_url: str = field(default_factory=lambda: _env("TWILIO_API_BASE_URL", "https://api.twilio.com"))
    twilio_media_hosts: str = field(
        default_factory=lambda: _env("TWILIO_MEDIA_HOSTS", "api.twilio.com,media.twiliocdn.com,mms.twiliocdn.com")
    )
    twilio_whatsapp_from: str = field(default_factory=lambda: _env("TWILIO_WHATSAPP_FROM", ""))
    twilio_sms_from: str = field(default_factory=lambda: _env("TWILIO_SMS_FROM", ""))
    public_base_url: str = field(default_factory=lambda: _env("SAATHI_PUBLIC_BASE_URL", ""))
    media_max_image_bytes: int = field(default_factory=lambda: _env_int("SAATHI_MEDIA_MAX_IMAGE_BYTES", 5_000_000))
    media_max_audio_bytes: int = field(default_factory=lambda: _env_int("SAATHI_MEDIA_MAX_AUDIO_BYTES", 16_000_000))
    media_max_pdf_bytes: int = field(default_factory=lambda: _env_int("SAATHI_MEDIA_MAX_PDF_BYTES", 10_000_000))
    # Retention (channels/retention.py): uploads deleted after this many days; synthesised speech
    # is only a cache but voice replies speak health text, so it goes sooner. 0 keeps for ever.
    media_days: float = field(default_factory=lambda: float(_env("SAATHI_MEDIA_DAYS", "7")))
    tts_cache_days: float = field(default_factory=lambda: float(_env("SAATHI_TTS_CACHE_DAYS", "2")))
    rate_limit_per_minute: int = field(default_factory=lambda: _env_int("SAATHI_RATE_LIMIT_PER_MINUTE", 20))
    ivr_speech: str = field(default_factory=lambda: _env("SAATHI_IVR_SPEECH", "say"))
    ivr_confirm_below: float = field(default_factory=lambda: float(_env("SAATHI_IVR_CONFIRM_BELOW", "0.8")))
    whisper_model_dir: str = field(default_factory=lambda: _env("SAATHI_WHISPER_MODEL_DIR", ""))
    whisper_backend: str = field(default_factory=lambda: _env("SAATHI_WHISPER_BACKEND", "faster-whisper"))
    tts_engines: str = field(default_factory=lambda: _env("SAATHI_TTS_ENGINES", "gtts,espeak"))
    simulator: str = field(default_factory=lambda: _env("SAATHI_SIMULATOR", "auto"))

    # Provider portal (portal/) and doctor handoff (engine/handoff/).
    portal_secret_key: str = field(default_factory=lambda: _env("SAATHI_PORTAL_SECRET_KEY", ""))
    portal_public_url: str = field(default_factory=lambda: _env("SAATHI_PORTAL_PUBLIC_URL", ""))
    portal_secure_cookies: bool = field(default_factory=lambda: _env_bool("SAATHI_PORTAL_SECURE_COOKIES", True))
    portal_lockout_attempts: int = field(default_factory=lambda: _env_int("SAATHI_PORTAL_LOCKOUT_ATTEMPTS", 5))
    portal_lockout_minutes: int = field(default_factory=lambda: _env_int("SAATHI_PORTAL_LOCKOUT_MINUTES", 15))
    portal_access_token_minutes: int = field(default_factory=lambda: _env_int("SAATHI_PORTAL_ACCESS_TOKEN_MINUTES", 10))
    portal_refresh_token_days: int = field(default_factory=lambda: _env_int("SAATHI_PORTAL_REFRESH_TOKEN_DAYS", 7))
    jitsi_mode: str = field(default_factory=lambda: _env("SAATHI_JITSI_MODE", "selfhosted"))
    jitsi_domain: str = field(default_factory=lambda: _env("SAATHI_JITSI_DOMAIN", "meet.example.org"))
    jitsi_app_id: str = field(default_factory=lambda: _env("SAATHI_JITSI_APP_ID", "sehat-saathi"))
    jitsi_app_secret: str = field(default_factory=lambda: _env("SAATHI_JITSI_APP_SECRET", ""))
    jaas_tenant: str = field(default_factory=lambda: _env("SAATHI_JAAS_TENANT", ""))
    jaas_key_id: str = field(default_factory=lambda: _env("SAATHI_JAAS_KEY_ID", ""))
    jaas_private_key_file: str = field(default_factory=lambda: _env("SAATHI_JAAS_PRIVATE_KEY_FILE", ""))
    twilio_voice_from: str = field(default_factory=lambda: _env("TWILIO_VOICE_FROM", ""))
    # Pharmacy (engine/pharmacy/): how long a reservation holds the stock.
    pharmacy_hold_hours: float = field(default_factory=lambda: float(_env("SAATHI_PHARMACY_HOLD_HOURS", "4")))
    # Notifications (engine/notify/): quiet hours "22-7" (IST, start-end o'clock), attempts per message.
    quiet_hours_text: str = field(default_factory=lambda: _env("SAATHI_QUIET_HOURS", "22-7"))
    notify_max_attempts: int = field(default_factory=lambda: _env_int("SAATHI_NOTIFY_MAX_ATTEMPTS", 5))
    llm_gguf: str = field(default_factory=lambda: _env("SAATHI_LLM_GGUF", ""))  # optional local LLM (engine/llm), pip install .[llm]

    @property
    def quiet_hours(self) -> tuple[int, int]:
        start, _, end = self.quiet_hours_text.partition("-")
        return int(start), int(end or start)

    @property
    def rasa_base_url(self) -> str:
        return self.rasa_url or f"http://{self.host}:{self.rasa_port}"

    @property
    def actions_url(self) -> str:
        return _env("ACTION_ENDPOINT_URL", f"http://{self.host}:{self.actions_port}/webhook")

    @property
    def sqlite_url(self) -> str:
        return f"sqlite:///{self.var_dir / 'saathi.db'}"

    @property
    def effective_master_key_file(self) -> Path:
        return Path(self.master_key_file) if self.master_key_file else self.var_dir / "keys" / "master.json"

    @property
    def effective_records_dir(self) -> Path:
        return Path(self.records_store_dir) if self.records_store_dir else self.var_dir / "records"

    @property
    def effective_whisper_model_dir(self) -> Path:
        """Where ``saathi models install`` puts the speech model (a bigger one is one setting away)."""
        return Path(self.whisper_model_dir) if self.whisper_model_dir else self.model_cache.parent / "whisper-base"

    @property
    def simulator_enabled(self) -> bool:
        """The /simulator page signs requests itself: on for local use only ("auto": no public URL)."""
        if self.simulator == "auto":
            return not self.public_base_url
        return self.simulator.strip().lower() in {"1", "true", "yes", "on"}

    @property
    def gateway_base_url(self) -> str:
        """The URL Twilio calls (what signatures are computed over); the local gateway by default."""
        return (self.public_base_url or f"http://{self.host}:{self.gateway_port}").rstrip("/")

    @property
    def effective_database_url(self) -> str:
        """PostgreSQL when ``DATABASE_URL`` is set, otherwise the embedded SQLite file."""
        return self.database_url or self.sqlite_url


def load() -> Settings:
    return Settings()
