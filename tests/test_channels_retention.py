"""Retention of uploads and synthesised speech: real files, times set with os.utime, a fixed clock."""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path

import pytest

from channels.retention import prune, prune_timer
from config.settings import Settings

NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.timezone.utc)


def aged(path: Path, days: float, data: bytes = b"x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    stamp = (NOW - dt.timedelta(days=days)).timestamp()
    os.utime(path, (stamp, stamp))
    return path


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(var_dir=tmp_path / "var", media_days=7, tts_cache_days=2)


def test_old_files_go_new_files_stay(settings):
    uploads, tts = settings.var_dir / "channels" / "uploads", settings.var_dir / "channels" / "tts"
    old_photo, new_photo = aged(uploads / "a.jpg", 8), aged(uploads / "b.jpg", 6.9)
    old_audio, new_audio = aged(tts / "c.ogg", 2.5), aged(tts / "d.mp3", 1)
    card = aged(settings.var_dir / "channels" / "cards" / "symptoms-hi.png", 30)  # not a retention area
    key = aged(settings.var_dir / "keys" / "master.json", 300)
    assert prune(settings, NOW) == {"channels/uploads": 1, "channels/tts": 1, "exports": 0}
    assert not old_photo.exists() and not old_audio.exists()
    assert new_photo.exists() and new_audio.exists() and card.exists() and key.exists()
    # a day and an hour later both survivors have crossed their cut-offs (7 and 2 days)
    assert prune(settings, NOW + dt.timedelta(days=1, hours=1)) == {"channels/uploads": 1, "channels/tts": 1, "exports": 0}


def test_zero_days_keeps_everything_and_missing_folders_are_fine(tmp_path):
    settings = Settings(var_dir=tmp_path / "var", media_days=0, tts_cache_days=0)
    photo = aged(settings.var_dir / "channels" / "uploads" / "a.jpg", 400)
    assert prune(settings, NOW) == {"channels/uploads": 0, "channels/tts": 0, "exports": 0}
    assert photo.exists()
    assert prune(Settings(var_dir=tmp_path / "empty", media_days=7, tts_cache_days=2), NOW) == {
        "channels/uploads": 0, "channels/tts": 0, "exports": 0}


def test_links_and_folders_are_never_followed_or_deleted(settings, tmp_path):
    outside = tmp_path / "outside"
    precious = aged(outside / "precious.jpg", 100)
    uploads = settings.var_dir / "channels" / "uploads"
    aged(uploads / "old.jpg", 100)
    link = uploads / "link.jpg"
    link.symlink_to(precious)
    os.utime(link, (0, 0), follow_symlinks=False)
    sub = uploads / "nested"
    aged(sub / "deep.jpg", 100)
    os.utime(sub, (0, 0))
    assert prune(settings, NOW)["channels/uploads"] == 1
    assert precious.exists() and link.is_symlink() and (sub / "deep.jpg").exists()
    # the tts folder itself is a link out of the var dir: skipped whole
    (settings.var_dir / "channels" / "tts").symlink_to(outside, target_is_directory=True)
    assert prune(settings, NOW)["channels/tts"] == 0 and precious.exists()
    # so is a var-dir folder on the way that is a link
    other = tmp_path / "var2"
    aged(outside / "uploads" / "x.jpg", 100)
    other.mkdir()
    (other / "channels").symlink_to(outside, target_is_directory=True)
    assert prune(Settings(var_dir=other, media_days=7, tts_cache_days=2), NOW)["channels/uploads"] == 0
    assert (outside / "uploads" / "x.jpg").exists()


def test_tts_cache_hit_refreshes_the_file_so_prompts_in_use_stay(settings, monkeypatch):
    from channels import tts_cache

    monkeypatch.setattr(tts_cache, "synthesize", lambda *a: pytest.fail("a cache hit must not synthesise"))
    name = f"{tts_cache.cache_key('नमस्ते', 'hi', 'mp3', settings.tts_secret)}.mp3"
    path = aged(tts_cache.tts_dir(settings.var_dir) / name, 10)
    assert tts_cache.speech_file(settings.var_dir, "नमस्ते", "hi", secret=settings.tts_secret) == name
    assert prune(settings, dt.datetime.now(dt.timezone.utc))["channels/tts"] == 0 and path.exists()


def test_timer_prunes_at_start_and_repeats(settings):
    photo = aged(settings.var_dir / "channels" / "uploads" / "a.jpg", 8)
    clock = [NOW]
    timer = prune_timer(settings, interval=dt.timedelta(seconds=0.05), clock=lambda: clock[0]).start()
    try:
        deadline = time.monotonic() + 5
        while photo.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not photo.exists()
        later = aged(settings.var_dir / "channels" / "uploads" / "b.jpg", 1)
        clock[0] = NOW + dt.timedelta(days=7)  # the clock moves on: the next round takes it
        while later.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not later.exists()
    finally:
        timer.stop()


def test_cli_prune(settings, monkeypatch, capsys):
    from saathi.cli import main

    photo = aged(settings.var_dir / "channels" / "uploads" / "a.jpg", 8)
    os.utime(photo, (0, 0))  # the command uses the real clock
    monkeypatch.setenv("SAATHI_VAR_DIR", str(settings.var_dir))
    monkeypatch.setenv("SAATHI_MEDIA_DAYS", "7")
    assert main(["media", "prune"]) == 0
    assert '"channels/uploads": 1' in capsys.readouterr().out and not photo.exists()


def test_tts_names_are_an_hmac_under_the_server_secret(settings, monkeypatch):
    """Issue #14 finding 8: speech audio is served without login and speaks health text, so its
    name must be neither the plain hash of the text (anyone could compute it from a guessed
    sentence and fetch the audio) nor the same across installations."""
    import hashlib
    import hmac

    from channels import tts_cache
    from engine.speech.tts import SpeechAudio

    made: list[str] = []
    monkeypatch.setattr(tts_cache, "synthesize",
                        lambda text, language, fmt: made.append(text) or SpeechAudio(b"ID3 audio", fmt, "stub"))
    text = "आपकी डेंगू जाँच पॉज़िटिव है"
    assert len(settings.tts_secret) >= 43  # generated into var/keys/tts_secret like the other secrets
    name = tts_cache.speech_file(settings.var_dir, text, "hi", secret=settings.tts_secret)
    unkeyed = hashlib.sha256(f"hi\x00mp3\x00{text}".encode()).hexdigest()
    assert name[:-4] not in unkeyed and name.endswith(".mp3")
    expected = hmac.new(settings.tts_secret.encode(), f"hi\x00mp3\x00{text}".encode(), hashlib.sha256).hexdigest()
    assert name == f"{expected[:32]}.mp3"
    assert tts_cache.speech_file(settings.var_dir, text, "hi", secret=settings.tts_secret) == name
    assert made == [text]  # cached under its keyed name: made once
    other = tts_cache.speech_file(settings.var_dir, text, "hi", secret="another-installation-" + "x7Q" * 12)
    assert other != name and len(made) == 2
    with pytest.raises(ValueError):
        tts_cache.speech_file(settings.var_dir, text, "hi", secret="")
