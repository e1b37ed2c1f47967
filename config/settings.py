"""The one settings module: every knob is an environment variable with a safe default.

Defaults describe the *embedded* deployment that ``make run`` starts on one machine (SQLite file,
in-memory Rasa tracker, jobs in-process when ``REDIS_URL`` is empty, every server bound to
127.0.0.1). The full stack (docker-compose.yml) sets the variables below. Each variable is listed
in the README's settings table; keep the two in step.
"""

from __future__ import annotations

import os
import secrets
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from config.paths import ROOT

T = TypeVar("T")


def truthy(text: str) -> bool:
    """The spellings of "on" every switch accepts; anything else is off."""
    return text.strip().lower() in {"1", "true", "yes", "on"}


#: How a variable's text becomes a value, by the setting's type (bool before int: a bool is an int).
_READERS: dict[type, Callable[[str], Any]] = {bool: truthy, int: int, float: float, Path: Path, str: str}


def read(name: str, default: T | Callable[[], T] | None, kind: type | None = None) -> Any:
    """The environment variable ``name`` as the type of ``default`` (or ``kind``, where the default
    is a function or ``None``); unset gives ``default``, called if it is a function so a default can
    follow another variable. Text (str, Path) is taken as given, even empty; an empty number or switch
    counts as unset, so ``X=`` in a compose file keeps the default."""
    kind = kind or next(t for t in _READERS if isinstance(default, t))
    raw = os.environ.get(name)
    if raw is None or (raw == "" and kind not in (str, Path)):
        return default() if callable(default) else default
    return _READERS[kind](raw)


def env(name: str, default: T | Callable[[], T] | None, kind: type | None = None, **options: Any) -> Any:
    """A Settings field that is :func:`read` from ``name`` each time a Settings is made; the name is
    kept in the field's metadata (``"env"``), which the README test checks against the settings table.
    ``options`` go to :func:`dataclasses.field` (``repr=False`` for a passphrase)."""
    return field(default_factory=lambda: read(name, default, kind), metadata={"env": name}, **options)


def _after_rasa_port(offset: int) -> Callable[[], int]:
    """A port that defaults to RASA_PORT + ``offset``, so a stack on other ports (the tests' 15005)
    gets its own set."""
    return lambda: read("RASA_PORT", 5005) + offset


def metrics_enabled() -> bool:
    """``SAATHI_METRICS`` (default on): off makes every Prometheus metric a no-op, so the bench can
    run the same load with and without instrumentation (bench/scaling.py --metrics-ab). Read where
    the metrics are defined, at import, before any :class:`Settings` exists."""
    return read("SAATHI_METRICS", True)


@dataclass(frozen=True)
class Settings:
    """A snapshot of the environment; call :func:`load` again after changing ``os.environ``."""

    host: str = env("SAATHI_HOST", "127.0.0.1")
    rasa_port: int = env("RASA_PORT", 5005)
    actions_port: int = env("ACTIONS_PORT", 5055)
    # Default: RASA_PORT + 75 (5080), so a stack on other ports (the tests' 15005) gets its own gateway port.
    gateway_port: int = env("GATEWAY_PORT", _after_rasa_port(75), int)
    # Default: RASA_PORT + 85 (5090), like the gateway, so a test stack gets its own portal port.
    portal_port: int = env("PORTAL_PORT", _after_rasa_port(85), int)
    # /metrics of the media worker (python -m channels worker); the portal's worker uses this + 1.
    # Default: RASA_PORT + 95 (5100), like the gateway; 0 turns the workers' metrics off.
    worker_metrics_port: int = env("WORKER_METRICS_PORT", _after_rasa_port(95), int)
    rasa_url: str = env("RASA_URL", "")
    rasa_workers: int = env("RASA_WORKERS", 1)
    var_dir: Path = env("SAATHI_VAR_DIR", ROOT / "var")
    model_cache: Path = env("SAATHI_MODEL_CACHE", lambda: Path.home() / ".cache" / "saathi" / "models", Path)
    database_url: str = env("DATABASE_URL", "")
    tracker_store_url: str = env("TRACKER_STORE_URL", "")
    redis_url: str = env("REDIS_URL", "")
    default_language: str = env("SAATHI_DEFAULT_LANGUAGE", "hi")
    emergency_number: str = env("SAATHI_EMERGENCY_NUMBER", "108")
    # Secrets (see SECRETS below): empty means "generate into var/keys/" in the embedded deployment;
    # a production deployment (PostgreSQL configured) must set them (check_production_secrets).
    sender_salt: str = env("SAATHI_SENDER_SALT", "")
    rasa_token: str = env("SAATHI_RASA_TOKEN", "")
    actions_token: str = env("SAATHI_ACTIONS_TOKEN", "")
    # Names our speech audio by an HMAC of its text (channels/tts_cache.py): served without login,
    # so the name must not be computable from the health text it speaks.
    tts_secret: str = env("SAATHI_TTS_SECRET", "")
    allow_file_keys: bool = env("SAATHI_ALLOW_FILE_KEYS", False)
    log_level: str = env("SAATHI_LOG_LEVEL", "INFO")
    debug: bool = env("SAATHI_DEBUG", False)
    metrics: bool = env("SAATHI_METRICS", True)  # read at import by engine.metrics: see metrics_enabled
    # Health records (records/): key provider "file" (key file under var/, 0600) or "env" (SAATHI_MASTER_KEYS).
    key_provider: str = env("SAATHI_KEY_PROVIDER", "file")
    master_key_file: str = env("SAATHI_MASTER_KEY_FILE", "")
    records_store_dir: str = env("SAATHI_RECORDS_DIR", "")
    s3_bucket: str = env("SAATHI_S3_BUCKET", "")
    # `saathi backup` / `restore`: seals the records keys in the archive (engine/backup.py).
    backup_passphrase: str = env("SAATHI_BACKUP_PASSPHRASE", "", repr=False)
    s3_endpoint_url: str = env("SAATHI_S3_ENDPOINT_URL", "")
    s3_prefix: str = env("SAATHI_S3_PREFIX", "records/")
    # FHIR exports (engine/exports.py): the one-time link works this long, then the file is deleted.
    export_link_hours: float = env("SAATHI_EXPORT_LINK_HOURS", 24.0)
    transcript_retention_days: int = env("SAATHI_TRANSCRIPT_RETENTION_DAYS", 90)
    # De-identified triage traffic log (engine/triage/traffic.py): rows older than this are pruned.
    traffic_days: int = env("SAATHI_TRAFFIC_DAYS", 180)
    # Channels (channels/): Twilio webhooks, outbound REST API, media limits, speech.
    twilio_account_sid: str = env("TWILIO_ACCOUNT_SID", "")
    twilio_auth_token: str = env("TWILIO_AUTH_TOKEN", "")
    twilio_api_base_url: str = env("TWILIO_API_BASE_URL", "https://api.twilio.com")
    twilio_media_hosts: str = env("TWILIO_MEDIA_HOSTS", "api.twilio.com,media.twiliocdn.com,mms.twiliocdn.com")
    twilio_whatsapp_from: str = env("TWILIO_WHATSAPP_FROM", "")
    twilio_sms_from: str = env("TWILIO_SMS_FROM", "")
    public_base_url: str = env("SAATHI_PUBLIC_BASE_URL", "")
    # Reverse proxies in front of the gateway and portal (the TLS edge, deploy/nginx): their
    # X-Forwarded-For/-Proto are believed this many hops deep, so per-IP limits see the client.
    trusted_proxies: int = env("SAATHI_TRUSTED_PROXIES", 0)
    media_max_image_bytes: int = env("SAATHI_MEDIA_MAX_IMAGE_BYTES", 5_000_000)
    media_max_audio_bytes: int = env("SAATHI_MEDIA_MAX_AUDIO_BYTES", 16_000_000)
    media_max_pdf_bytes: int = env("SAATHI_MEDIA_MAX_PDF_BYTES", 10_000_000)
    # Decoding limits for untrusted media (engine/ocr/preprocess.py, engine/sandbox.py).
    media_max_pixels: int = env("SAATHI_MEDIA_MAX_PIXELS", 40_000_000)
    media_helper_memory_mb: int = env("SAATHI_MEDIA_HELPER_MEMORY_MB", 1024)
    worker_memory_mb: int = env("SAATHI_WORKER_MEMORY_MB", 4096)
    # Retention (channels/retention.py): uploads deleted after this many days; synthesised speech
    # is only a cache but voice replies speak health text, so it goes sooner. 0 keeps for ever.
    media_days: float = env("SAATHI_MEDIA_DAYS", 7.0)
    tts_cache_days: float = env("SAATHI_TTS_CACHE_DAYS", 2.0)
    rate_limit_per_minute: int = env("SAATHI_RATE_LIMIT_PER_MINUTE", 20)
    # Step-up identity over SMS and voice (engine/stepup.py): the WhatsApp code's life, how long a
    # right code or PIN keeps records open, wrong entries before the lock and the lock's length.
    stepup_code_minutes: int = env("SAATHI_STEPUP_CODE_MINUTES", 10)
    stepup_open_minutes: int = env("SAATHI_STEPUP_OPEN_MINUTES", 15)
    stepup_max_tries: int = env("SAATHI_STEPUP_MAX_TRIES", 5)
    stepup_lock_minutes: int = env("SAATHI_STEPUP_LOCK_MINUTES", 30)
    ivr_speech: str = env("SAATHI_IVR_SPEECH", "say")
    ivr_confirm_below: float = env("SAATHI_IVR_CONFIRM_BELOW", 0.8)
    whisper_model_dir: str = env("SAATHI_WHISPER_MODEL_DIR", "")
    whisper_backend: str = env("SAATHI_WHISPER_BACKEND", "faster-whisper")
    tts_engines: str = env("SAATHI_TTS_ENGINES", "gtts,espeak")
    simulator: str = env("SAATHI_SIMULATOR", "auto")

    # Provider portal (portal/) and doctor handoff (engine/handoff/).
    portal_secret_key: str = env("SAATHI_PORTAL_SECRET_KEY", "")
    portal_public_url: str = env("SAATHI_PORTAL_PUBLIC_URL", "")
    portal_secure_cookies: bool = env("SAATHI_PORTAL_SECURE_COOKIES", True)
    portal_lockout_attempts: int = env("SAATHI_PORTAL_LOCKOUT_ATTEMPTS", 5)
    portal_lockout_minutes: int = env("SAATHI_PORTAL_LOCKOUT_MINUTES", 15)
    portal_access_token_minutes: int = env("SAATHI_PORTAL_ACCESS_TOKEN_MINUTES", 10)
    portal_refresh_token_days: int = env("SAATHI_PORTAL_REFRESH_TOKEN_DAYS", 7)
    # Rate limits (``limits`` syntax, e.g. "20 per 15 minutes"), in Redis when REDIS_URL is set.
    portal_login_limit_per_ip: str = env("SAATHI_PORTAL_LOGIN_LIMIT_PER_IP", "20 per 15 minutes")
    portal_reset_limit_per_account: str = env("SAATHI_PORTAL_RESET_LIMIT_PER_ACCOUNT", "3 per hour")
    portal_reset_limit_per_ip: str = env("SAATHI_PORTAL_RESET_LIMIT_PER_IP", "10 per hour")
    jitsi_mode: str = env("SAATHI_JITSI_MODE", "selfhosted")
    jitsi_domain: str = env("SAATHI_JITSI_DOMAIN", "meet.example.org")
    jitsi_app_id: str = env("SAATHI_JITSI_APP_ID", "sehat-saathi")
    jitsi_app_secret: str = env("SAATHI_JITSI_APP_SECRET", "")
    jaas_tenant: str = env("SAATHI_JAAS_TENANT", "")
    jaas_key_id: str = env("SAATHI_JAAS_KEY_ID", "")
    jaas_private_key_file: str = env("SAATHI_JAAS_PRIVATE_KEY_FILE", "")
    twilio_voice_from: str = env("TWILIO_VOICE_FROM", "")
    # Pharmacy (engine/pharmacy/): how long a reservation holds the stock.
    pharmacy_hold_hours: float = env("SAATHI_PHARMACY_HOLD_HOURS", 4.0)
    # Notifications (engine/notify/): quiet hours "22-7" (IST, start-end o'clock), attempts per message.
    quiet_hours_text: str = env("SAATHI_QUIET_HOURS", "22-7")
    notify_max_attempts: int = env("SAATHI_NOTIFY_MAX_ATTEMPTS", 5)
    # Surveillance (engine/surveillance/): detection method and threshold in sd (empty: the method's own).
    surveillance_method: str = env("SAATHI_SURVEILLANCE_METHOD", "ears_c2")
    surveillance_threshold: float | None = env("SAATHI_SURVEILLANCE_THRESHOLD", None, float)
    # A year of simulated surveillance events when the events table is empty ("auto": only for the
    # embedded demo, i.e. without DATABASE_URL).
    surveillance_demo_text: str = env("SAATHI_SURVEILLANCE_DEMO", "auto")
    # OCR (engine/ocr/): Tesseract languages tried on Indic lines; synthetic documents per class for the type classifier.
    ocr_indic_langs: str = env("SAATHI_OCR_INDIC_LANGS", "hin+pan")
    ocr_train_per_class: int = env("SAATHI_OCR_TRAIN_PER_CLASS", 40)
    # Versioned triage models (engine/triage/registry.py); empty: models/triage in the repository.
    triage_model_dir: str = env("SAATHI_TRIAGE_MODEL_DIR", "")
    llm_gguf: str = env("SAATHI_LLM_GGUF", "")  # optional local LLM (engine/llm), pip install .[llm]

    def __post_init__(self) -> None:
        """The embedded deployment fills missing secrets from var/keys/ (made on first start); a
        production one keeps them as given, and :func:`check_production_secrets` judges them."""
        if self.production:
            return
        for name, (_, filename) in SECRETS.items():
            if not getattr(self, name):
                object.__setattr__(self, name, embedded_secret(self.var_dir, filename))

    @property
    def production(self) -> bool:
        """PostgreSQL configured (records or Rasa's tracker): real patients, so no generated or
        default secrets. Without it this is ``make run`` on one machine."""
        return bool(self.database_url or self.tracker_store_url)

    @property
    def rasa_auth(self) -> dict[str, str]:
        """Query parameters that authenticate a call to Rasa: ``--auth-token`` is only read from
        ``?token=`` (rasa/server.py ``requires_auth``), and our REST channel reads the same."""
        return {"token": self.rasa_token}

    @property
    def quiet_hours(self) -> tuple[int, int]:
        start, _, end = self.quiet_hours_text.partition("-")
        return int(start), int(end or start)

    @property
    def surveillance_demo(self) -> bool:
        if self.surveillance_demo_text == "auto":
            return not self.database_url
        return truthy(self.surveillance_demo_text)

    @property
    def rasa_base_url(self) -> str:
        return self.rasa_url or f"http://{self.host}:{self.rasa_port}"

    @property
    def actions_url(self) -> str:
        return read("ACTION_ENDPOINT_URL", f"http://{self.host}:{self.actions_port}/webhook")

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
    def effective_triage_model_dir(self) -> Path:
        return Path(self.triage_model_dir) if self.triage_model_dir else ROOT / "models" / "triage"

    @property
    def effective_whisper_model_dir(self) -> Path:
        """Where ``saathi models install`` puts the speech model (a bigger one is one setting away)."""
        return Path(self.whisper_model_dir) if self.whisper_model_dir else self.model_cache.parent / "whisper-base"

    @property
    def simulator_enabled(self) -> bool:
        """The /simulator page signs requests itself: on for local use only ("auto": no public URL)."""
        if self.simulator == "auto":
            return not self.public_base_url
        return truthy(self.simulator)

    @property
    def gateway_base_url(self) -> str:
        """The URL Twilio calls (what signatures are computed over); the local gateway by default."""
        return (self.public_base_url or f"http://{self.host}:{self.gateway_port}").rstrip("/")

    @property
    def effective_database_url(self) -> str:
        """PostgreSQL when ``DATABASE_URL`` is set, otherwise the embedded SQLite file."""
        return self.database_url or self.sqlite_url


#: Every secret of the stack: settings field -> (environment variable, file under var/keys/ in the
#: embedded deployment). ``portal_secret`` is the name the portal used before this table existed.
SECRETS: dict[str, tuple[str, str]] = {
    "sender_salt": ("SAATHI_SENDER_SALT", "sender_salt"),
    "portal_secret_key": ("SAATHI_PORTAL_SECRET_KEY", "portal_secret"),
    "jitsi_app_secret": ("SAATHI_JITSI_APP_SECRET", "jitsi_secret"),
    "rasa_token": ("SAATHI_RASA_TOKEN", "rasa_token"),
    "actions_token": ("SAATHI_ACTIONS_TOKEN", "actions_token"),
    "tts_secret": ("SAATHI_TTS_SECRET", "tts_secret"),
}

#: Secrets need this much randomness. Indian mobile numbers are ~10^9.6, so a sender salt anyone
#: could guess turns every pseudonym back into a phone number; 32 bytes is out of any search's reach.
MIN_SECRET_BYTES = 32

#: Values that were once defaults or appear in examples: refused whatever their length.
PUBLISHED_SECRETS = frozenset({
    "change-me-in-production", "changeme", "change-me", "secret", "saathi", "password", "test",
    "portal-test-secret-key-long-enough-for-hs256-use",
})

GENERATE_HINT = "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"


class InsecureSettings(RuntimeError):
    """A production deployment was about to start with a missing, published or short secret."""


def new_secret() -> str:
    """A URL-safe random secret of MIN_SECRET_BYTES that never begins with '-'.

    One token in 64 from ``secrets.token_urlsafe`` does; passed to a command line as a separate
    argument (``--rasa-token TOKEN``) argparse takes it for an option and the program exits, which
    is how a CI run failed twice. Redrawing costs nothing and keeps every generated secret safe to
    pass either way."""
    while (secret := secrets.token_urlsafe(MIN_SECRET_BYTES)).startswith("-"):
        pass
    return secret


def embedded_secret(var_dir: Path, name: str) -> str:
    """The secret ``var_dir/keys/name``, made on first use (32 random bytes, file mode 0600) and
    then reused, so sessions, links and sender pseudonyms survive restarts of ``make run``.

    Processes starting together (gateway, portal, action server) race for the first write: each
    writes its own file and links it into place; whoever loses reads the winner's. Threads of one
    process race too (a fresh-clone test run: two threads building Settings for the same var dir
    shared one draft, and one unlinked the other's), so the draft is named per process and thread."""
    path = var_dir / "keys" / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        draft = path.with_name(f".{name}.{os.getpid()}.{threading.get_ident()}.tmp")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(new_secret())
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text(encoding="utf-8").strip()


def secret_problem(value: str) -> str | None:
    """Why ``value`` is not a usable secret (``None`` when it is).

    Randomness cannot be measured from one value; what can be refused is refused: empty,
    published, shorter than 32 bytes once decoded (hex counts half, base64 three quarters), or
    built from a handful of characters."""
    if not value:
        return "is not set"
    if value.strip().lower() in PUBLISHED_SECRETS:
        return "is a published default"
    hex_digits = all(c in "0123456789abcdefABCDEF" for c in value)
    decoded = len(value) // 2 if hex_digits else len(value) * 3 // 4
    if decoded < MIN_SECRET_BYTES:
        return f"is too short ({len(value)} characters, about {decoded} random bytes)"
    if len(set(value)) < 12:
        return f"has only {len(set(value))} distinct characters"
    return None


def production_problems(settings: Settings) -> list[tuple[str, str]]:
    """(variable, why) for every reason the settings must not run a production deployment."""
    if not settings.production:
        return []
    wanted = dict(SECRETS)
    if settings.jitsi_mode == "jaas":  # JaaS signs with its RSA key; the HS256 secret is unused
        wanted.pop("jitsi_app_secret")
    problems = []
    for name, (variable, _) in wanted.items():
        problem = secret_problem(getattr(settings, name))
        if problem:
            problems.append((variable, f"{variable} {problem}; production needs at least {MIN_SECRET_BYTES} "
                                       f"random bytes (e.g. {GENERATE_HINT})"))
    if settings.key_provider == "file" and settings.database_url.startswith("postgresql") \
            and not settings.allow_file_keys:
        problems.append(("SAATHI_KEY_PROVIDER",
                         "SAATHI_KEY_PROVIDER is 'file' with a PostgreSQL records database: the master keys would "
                         "sit on an application disk; use SAATHI_KEY_PROVIDER=env (or SAATHI_ALLOW_FILE_KEYS=1)"))
    return problems


def check_production_secrets(settings: Settings) -> None:
    """Raises :class:`InsecureSettings` (one line, naming the variable) when a production deployment
    has a missing, published or short secret; every server and ``saathi`` calls it at start."""
    problems = production_problems(settings)
    if problems:
        others = ", ".join(variable for variable, _ in problems[1:])
        raise InsecureSettings(f"refusing to start: {problems[0][1]}" + (f" (also: {others})" if others else ""))


def load_for_start(program: str) -> Settings:
    """:func:`load` for a process that is starting (every server, ``saathi``): a production
    deployment with a bad secret exits here with status 2 and one line on stderr."""
    settings = load()
    try:
        check_production_secrets(settings)
    except InsecureSettings as exc:
        print(f"{program}: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    return settings


def load() -> Settings:
    return Settings()
