"""Issue #14, finding 2: no default, published or short secret in production; `make run` makes its own.

With PostgreSQL configured and ``SAATHI_SENDER_SALT`` unset the stack used to start silently with
``HMAC("change-me-in-production", phone)`` as every patient's pseudonym. Now each server and
``saathi`` stop with one line naming the variable; the embedded deployment generates each secret
into ``var/keys/`` (0600) once and reuses it.
"""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from config.settings import Settings, load
from tests.probe_live_stack import ENTRY_POINTS, production_env, refuses
from tests.support.production import UNREACHED_PG, strong_secrets

ROOT = Path(__file__).resolve().parent.parent
# The secrets of the stack and where `make run` keeps them; written out here, not imported, so that
# the test says what is promised rather than what the code happens to do.
SECRET_FILES = {
    "SAATHI_SENDER_SALT": ("sender_salt", "sender_salt"),
    "SAATHI_PORTAL_SECRET_KEY": ("portal_secret_key", "portal_secret"),
    "SAATHI_JITSI_APP_SECRET": ("jitsi_app_secret", "jitsi_secret"),
    "SAATHI_RASA_TOKEN": ("rasa_token", "rasa_token"),
    "SAATHI_ACTIONS_TOKEN": ("actions_token", "actions_token"),
    "SAATHI_TTS_SECRET": ("tts_secret", "tts_secret"),
}
BAD_VALUES = {
    "unset": "",
    "old default": "change-me-in-production",
    "short": "s3cr3t-but-only-24-chars",
    "few characters": "ab" * 40,
}


@pytest.fixture
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No secret, no database in the environment; a fresh var directory."""
    for variable in [*SECRET_FILES, "DATABASE_URL", "TRACKER_STORE_URL", "SAATHI_KEY_PROVIDER",
                     "SAATHI_ALLOW_FILE_KEYS", "SAATHI_JITSI_MODE"]:
        monkeypatch.delenv(variable, raising=False)
    var = tmp_path / "var"
    monkeypatch.setenv("SAATHI_VAR_DIR", str(var))
    return var


def test_make_run_generates_every_secret_once_into_var_keys(clean_env: Path, tmp_path: Path) -> None:
    first, again = load(), load()
    for variable, (field, filename) in SECRET_FILES.items():
        value = getattr(first, field)
        assert len(value) >= 43 and value != "change-me-in-production", variable  # 32 bytes, url-safe base64
        assert getattr(again, field) == value, f"{variable} must be reused, not made again"
        path = clean_env / "keys" / filename
        assert path.read_text(encoding="utf-8").strip() == value
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, variable
    other = Settings(var_dir=tmp_path / "another")
    assert other.sender_salt != first.sender_salt  # random per installation, not a constant


def test_a_set_secret_wins_over_the_generated_one(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAATHI_SENDER_SALT", "x" * 10)  # embedded: taken as given, never judged
    assert load().sender_salt == "x" * 10
    assert not (clean_env / "keys" / "sender_salt").exists()


def production(monkeypatch: pytest.MonkeyPatch, **overrides: str) -> None:
    env = {**strong_secrets(), "DATABASE_URL": UNREACHED_PG, **overrides}
    for variable, value in env.items():
        monkeypatch.setenv(variable, value)


def test_production_with_strong_secrets_is_accepted(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from config.settings import check_production_secrets

    production(monkeypatch)
    settings = load()
    assert settings.production
    check_production_secrets(settings)
    assert not (clean_env / "keys").exists()  # production never generates a secret


@pytest.mark.parametrize("variable", SECRET_FILES)
@pytest.mark.parametrize("bad", BAD_VALUES)
def test_production_refuses_each_bad_secret_by_name(clean_env: Path, monkeypatch: pytest.MonkeyPatch,
                                                    variable: str, bad: str) -> None:
    from config.settings import InsecureSettings, check_production_secrets

    production(monkeypatch, **{variable: BAD_VALUES[bad]})
    with pytest.raises(InsecureSettings) as refused:
        check_production_secrets(load())
    message = str(refused.value)
    assert variable in message and "\n" not in message
    assert message.startswith(f"refusing to start: {variable} ")


def test_tracker_store_alone_makes_it_production(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from config.settings import InsecureSettings, check_production_secrets

    monkeypatch.setenv("TRACKER_STORE_URL", "postgresql://postgres@127.0.0.1:5432/tracker")
    with pytest.raises(InsecureSettings, match="SAATHI_SENDER_SALT is not set"):
        check_production_secrets(load())


def test_file_key_provider_with_postgresql_needs_an_explicit_yes(clean_env: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from config.settings import InsecureSettings, check_production_secrets

    production(monkeypatch, SAATHI_ALLOW_FILE_KEYS="")
    with pytest.raises(InsecureSettings, match="SAATHI_KEY_PROVIDER is 'file'"):
        check_production_secrets(load())
    monkeypatch.setenv("SAATHI_KEY_PROVIDER", "env")
    check_production_secrets(load())
    monkeypatch.setenv("SAATHI_KEY_PROVIDER", "file")
    monkeypatch.setenv("SAATHI_ALLOW_FILE_KEYS", "1")
    check_production_secrets(load())


def test_jaas_needs_no_jitsi_hs256_secret(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from config.settings import check_production_secrets

    production(monkeypatch, SAATHI_JITSI_APP_SECRET="", SAATHI_JITSI_MODE="jaas")
    check_production_secrets(load())


@pytest.mark.parametrize("server", ENTRY_POINTS)
def test_servers_refuse_to_start_with_the_old_default_salt(server: str, tmp_path: Path) -> None:
    env = production_env(tmp_path / "var", SAATHI_SENDER_SALT="change-me-in-production")
    check = refuses(server, ENTRY_POINTS[server], env, "SAATHI_SENDER_SALT is a published default")
    assert check.ok, check.detail


def test_rasa_refuses_to_start_with_a_short_token(tmp_path: Path) -> None:
    env = production_env(tmp_path / "var", SAATHI_RASA_TOKEN="short-token", PYTHONPATH=str(ROOT))
    check = refuses("rasa", [str(ROOT / ".venv-rasa" / "bin" / "python"), "-m", "rasa_ext.run", "run"], env,
                    "SAATHI_RASA_TOKEN")
    assert check.ok, check.detail


def test_generated_secrets_never_begin_with_a_dash(monkeypatch):
    """A leading '-' made argparse take a token for an option (two CI failures); redraw instead."""
    import config.settings as settings_module

    draws = iter(["-starts-with-a-dash", "--two", "fine-token"])
    monkeypatch.setattr(settings_module.secrets, "token_urlsafe", lambda n: next(draws))
    assert settings_module.new_secret() == "fine-token"


def test_threads_making_the_same_secret_at_once_agree_and_leave_no_draft(tmp_path):
    """A fresh-clone run failed when two threads of the test process built Settings for one var dir
    at the same moment: they shared a draft file and one unlinked the other's."""
    from concurrent.futures import ThreadPoolExecutor

    from config.settings import embedded_secret

    for attempt in range(20):
        var = tmp_path / str(attempt)
        with ThreadPoolExecutor(max_workers=8) as pool:
            values = set(pool.map(embedded_secret, [var] * 8, ["sender_salt"] * 8))
        assert len(values) == 1
        assert [p.name for p in (var / "keys").iterdir()] == ["sender_salt"]
