"""Voice notes through the real path (issue #19): Redis, the media worker started as ``make run``
starts it (``python -m channels worker``), the Twilio stand-in for media and replies, the real
Whisper model. The worker loads Whisper once at start and runs voice notes in its own process
(``channels.jobs.IN_PROCESS_JOBS``); photos still go to a forked work horse, which must still
work after the worker used CTranslate2 (a horse that used the model after that hung)."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from channels.jobs import MediaWorker, RqQueue
from engine.i18n import t
from tests.support.processes import running
from tests.support.redis_server import redis_or_skip
from tests.support.speech_worker import REDIS_URL, USER, note_payload, own_cpu_seconds, worker_env
from tests.twilio_standin import TwilioStandin


@pytest.fixture(scope="module")
def standin():
    server = TwilioStandin().start()
    yield server
    server.stop()


@pytest.fixture
def connection():
    conn = redis_or_skip(REDIS_URL)
    conn.flushdb()
    yield conn
    conn.flushdb()


def english_note(tmp_path: Path, text: str) -> bytes:
    wav, ogg = tmp_path / "note.wav", tmp_path / "note.ogg"
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "140", "-w", str(wav), text], check=True)
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", str(wav), "-c:a", "libopus", str(ogg)], check=True)
    return ogg.read_bytes()


def test_voice_notes_are_only_ever_run_in_the_worker_and_photos_in_a_horse():
    worker = MediaWorker.__new__(MediaWorker)  # only the routing is asked: no Redis needed

    class Job:
        func_name = "channels.jobs.run_job"

        def __init__(self, function: str, content_type: str) -> None:
            self.args = (function, {"content_type": content_type})

    assert worker.in_process(Job("channels.work.process_media", "audio/ogg"))
    assert worker.in_process(Job("channels.work.process_media", "audio/amr"))
    assert not worker.in_process(Job("channels.work.process_media", "image/jpeg"))
    assert not worker.in_process(Job("channels.work.process_media", "application/pdf"))
    assert not worker.in_process(Job("channels.work.send_voice_reply", "audio/ogg"))


@pytest.mark.timeout(600)
def test_the_worker_keeps_whisper_and_answers_voice_notes_without_forking(standin, connection, tmp_path):
    standin.reset()
    # Tesseract's usual one-thread limit, as a deployment that reads photos in the same worker sets
    # it: CTranslate2 asked for 2 threads under it decoded the first note "I'm going to be a little
    # bit more." over and over ("I could not hear any words"), whenever the suite had trained the
    # OCR classifier first (which set it in the test process: engine.speech.stt.openmp_threads)
    env = {**worker_env(tmp_path, standin), "OMP_THREAD_LIMIT": "1"}
    queue = RqQueue(REDIS_URL)
    texts = ["I have fever and headache since two days", "I have a cough and fever"]
    urls = [standin.add_media(f"note{i}.ogg", english_note(tmp_path, text), "audio/ogg") for i, text in enumerate(texts)]
    url = f"http://127.0.0.1:{env['WORKER_METRICS_PORT']}/metrics"
    with running(env, "channels", "worker", ready_url=url, log=tmp_path / "worker.log") as worker:
        # ready (its metrics served) only after Whisper was loaded, in the worker's own process
        assert "libctranslate2" in Path(f"/proc/{worker.pid}/maps").read_text()
        seconds, cpu = [], []
        for index, note in enumerate(urls):
            before, started = own_cpu_seconds(worker.pid), time.monotonic()
            queue.submit("channels.work.process_media", note_payload(note, "en"))
            replies = standin.wait_for_messages(USER, index + 1, timeout=240)
            seconds.append(time.monotonic() - started)
            cpu.append(own_cpu_seconds(worker.pid) - before)
            body = replies[index]["Body"][0]
            assert body.startswith("I understood") and "fever" in body.lower(), body
        # Whisper ran in the worker itself (a forked horse's CPU is not the worker's own); the
        # worker's own bookkeeping of a job is a few hundredths of a second
        assert min(cpu) > 0.5, cpu
        # a photo still goes to a work horse forked after the worker used the model, and is answered
        queue.submit("channels.work.process_media", note_payload(f"{standin.url}/media/missing.jpg", "en",
                                                                 "image/jpeg"))
        replies = standin.wait_for_messages(USER, 3, timeout=120)
        assert replies[2]["Body"][0] == t("channels_media_failed", "en")
        assert worker.poll() is None
    log = (tmp_path / "worker.log").read_text()
    assert log.count("speech model loaded") == 1
    assert "9800000019" not in log and "fever" not in log
    print(f"\nvoice note -> first reply: {', '.join(f'{s:.1f}' for s in seconds)} s wall; worker CPU "
          f"{', '.join(f'{c:.2f}' for c in cpu)} s")
