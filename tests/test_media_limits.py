"""Issue #14 finding 7: media are bounded before anything decodes them.

A 30000x30000 PNG of under 5 MB (2.7 GB once decoded), a PDF with a 100-inch page, and an
extension-less HLS playlist posing as a voice note (it points at a URL and at another patient's
stored voice note): each is refused or handled within bounds, the user gets a clear answer, and
nothing already stored is lost or read. Decoders and helpers run under memory ceilings.
"""

from __future__ import annotations

import hashlib
import http.server
import resource
import struct
import subprocess
import threading
import uuid
import zlib
from pathlib import Path

import pytest

from engine.i18n import t

pytest.register_assert_rewrite("tests.channels_fixtures")
from tests.channels_fixtures import WHATSAPP_USER  # noqa: E402

pytest_plugins = ["tests.channels_fixtures"]
SIDE = 30000


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


@pytest.fixture(scope="module")
def pixel_bomb() -> bytes:
    """A valid 1-bit PNG of 30000x30000 white pixels, streamed (never held decoded here)."""
    row = b"\x00" + b"\xff" * ((SIDE + 7) // 8)
    packer = zlib.compressobj(9)
    data = b"".join(packer.compress(row) for _ in range(SIDE)) + packer.flush()
    png = (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", SIDE, SIDE, 1, 0, 0, 0, 0))
           + _chunk(b"IDAT", data) + _chunk(b"IEND", b""))
    assert len(png) < 5_000_000
    return png


def _pdf(points: int, text: str = "Tab Paracetamol 500 mg twice daily") -> bytes:
    import io

    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    page = canvas.Canvas(buf, pagesize=(points, points))
    page.setFont("Helvetica", points / 30)
    page.drawString(points / 10, points / 2, text)
    page.save()
    return buf.getvalue()


def _png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", png[16:24])


# ------------------------------------------------------------------ pixel count from the header


def test_the_pixel_bomb_is_refused_from_its_header_without_decoding(pixel_bomb):
    from engine.ocr import ImageTooLarge
    from engine.ocr.preprocess import decode

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(ImageTooLarge) as refused:
        decode(pixel_bomb)
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert refused.value.limit == 40_000_000
    assert grown_mb < 200, f"the process grew by {grown_mb:.0f} MB: the image was decoded"


def test_just_over_the_limit_is_refused_and_just_under_is_read(tmp_path):
    from PIL import Image

    from engine.ocr import ImageTooLarge
    from engine.ocr.preprocess import check_pixels, decode

    def png(width: int, height: int) -> bytes:
        path = tmp_path / f"{width}x{height}.png"
        Image.new("1", (width, height), 1).save(path)
        return path.read_bytes()

    with pytest.raises(ImageTooLarge) as over:
        check_pixels(png(8000, 5001))  # 40.008 MP: between our limit and Pillow's own warning
    assert (over.value.width, over.value.height) == (8000, 5001)
    assert decode(png(400, 300)).shape == (300, 400, 3)
    with pytest.raises(ValueError, match="not a readable image"):
        decode(b"#EXTM3U\nhttp://evil.example/x.png\n")


def test_the_pixel_bomb_sent_on_whatsapp_gets_a_clear_answer_and_nothing_is_lost(hooks, standin, gateway,
                                                                                 pixel_bomb):
    hooks.message(WHATSAPP_USER, "नमस्ते")
    stored = dict(gateway.store._data)
    url = standin.add_media("bomb.png", pixel_bomb, "image/png")
    hooks.message(WHATSAPP_USER, media=[(url, "image/png")])
    sent = standin.wait_for_messages(WHATSAPP_USER, 1, timeout=60)
    assert sent[-1]["Body"] == [t("channels_photo_too_many_pixels", "hi", megapixels="40")]
    assert all(key in gateway.store._data for key in stored), "what the gateway kept for others must stay"


# ------------------------------------------------------------------ PDFs rendered to a size, not a DPI


@pytest.mark.parametrize(("points", "what"), [(7200, "a 100-inch page"), (595, "an A4-wide page"),
                                               (20, "a postage-stamp page")])
def test_pdf_pages_are_rendered_to_the_ocr_size_whatever_their_page_size(points, what):
    from channels.work import PDF_PAGE_PIXELS, pdf_first_page

    width, height = _png_size(pdf_first_page(_pdf(points)))
    assert max(width, height) == PDF_PAGE_PIXELS, what


def test_a_pdf_that_poppler_cannot_read_is_a_clear_error():
    from channels.work import pdf_first_page

    with pytest.raises(ValueError, match="pdftoppm failed"):
        pdf_first_page(b"%PDF-1.4\nnot really\n")


@pytest.fixture(scope="module")
def ocr_ready() -> None:
    """The document classifier trains on first use (minutes, cached in models/ocr/)."""
    from engine.ocr import classifier

    classifier.model()


@pytest.mark.timeout(900)
def test_a_huge_page_pdf_on_whatsapp_is_read_at_a_bounded_size(ocr_ready, hooks, standin):
    url = standin.add_media("huge.pdf", _pdf(7200), "application/pdf")
    hooks.message(WHATSAPP_USER, media=[(url, "application/pdf")])
    body = standin.wait_for_messages(WHATSAPP_USER, 1, timeout=180)[-1]["Body"][0]
    assert body != t("channels_media_failed", "hi") and body.strip()


# ------------------------------------------------------------------ ffmpeg never guesses


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - the http.server spelling
        type(self).hits.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"\x00" * 188)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def web_server():
    _Recorder.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def stored_voice_note(tmp_path: Path) -> Path:
    """Another patient's voice note as the gateway keeps it: a WAV file on this disk."""
    path = tmp_path / "var" / "channels" / "uploads" / f"{uuid.uuid4().hex}.wav"
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["espeak-ng", "-v", "en-us", "-w", str(path), "my blood sugar is three hundred"], check=True)
    return path


def _playlist(*entries: str) -> bytes:
    lines = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-TARGETDURATION:10", "#EXT-X-MEDIA-SEQUENCE:0"]
    for entry in entries:
        lines += ["#EXTINF:10.0,", entry]
    return ("\n".join([*lines, "#EXT-X-ENDLIST"]) + "\n").encode()


def test_an_extensionless_playlist_is_never_opened_by_ffmpeg(web_server, stored_voice_note):
    from engine.speech.audio import AudioFormatRefused, convert

    for playlist in (_playlist(f"{web_server}/segment.ts"), _playlist(str(stored_voice_note)),
                     _playlist(f"file:{stored_voice_note}")):
        with pytest.raises(AudioFormatRefused):
            convert(playlist, "wav16k")
    assert _Recorder.hits == [], "ffmpeg fetched a URL named inside a voice note"


def test_the_audio_we_accept_still_converts(tmp_path):
    from engine.speech.audio import convert, input_format

    wav = tmp_path / "a.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-w", str(wav), "fever"], check=True)
    for ext, codec, fmt in (("ogg", ["-c:a", "libopus"], "ogg"), ("mp3", ["-c:a", "libmp3lame"], "mp3"),
                            ("m4a", ["-c:a", "aac"], "mov"), ("aac", ["-c:a", "aac"], "aac"), ("wav", [], "wav")):
        target = tmp_path / f"converted.{ext}"
        subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", str(wav), *codec, str(target)], check=True)
        data = target.read_bytes()
        assert input_format(data) == fmt, ext
        assert convert(data, "wav16k")[:4] == b"RIFF", ext
    assert input_format(b"#!AMR\n" + b"\0" * 32) == "amr"


def test_a_playlist_sent_as_a_voice_note_gets_a_clear_answer_and_reads_no_stored_file(
        hooks, standin, gateway, web_server, stored_voice_note):
    hooks.message(WHATSAPP_USER, "नमस्ते")
    stored = dict(gateway.store._data)
    before = hashlib.sha256(stored_voice_note.read_bytes()).hexdigest()
    url = standin.add_media("note", _playlist(str(stored_voice_note), f"{web_server}/a.ts"), "audio/ogg")
    hooks.message(WHATSAPP_USER, media=[(url, "audio/ogg")])
    sent = standin.wait_for_messages(WHATSAPP_USER, 1, timeout=120)
    assert sent[-1]["Body"] == [t("channels_media_unsupported", "hi")]
    assert _Recorder.hits == []
    assert hashlib.sha256(stored_voice_note.read_bytes()).hexdigest() == before
    assert all(key in gateway.store._data for key in stored)


# ------------------------------------------------------------------ memory ceilings


def test_helpers_run_under_the_memory_ceiling():
    import sys

    from engine.sandbox import MB, helper_memory_bytes, run_limited

    probe = [sys.executable, "-c", "import resource; print(resource.getrlimit(resource.RLIMIT_AS)[0])"]
    assert int(run_limited(probe, timeout=30).stdout) == helper_memory_bytes() == 1024 * MB
    starved = run_limited([sys.executable, "-c", "bytearray(600 * 1024 * 1024)"], timeout=30,
                          memory_bytes=256 * MB)
    assert starved.returncode != 0 and b"MemoryError" in starved.stderr


def report_limits(payload: dict) -> None:
    """An RQ job (run by name in the work horse): what ceiling it runs under, and whether a big
    allocation fails cleanly instead of taking the machine."""
    soft = resource.getrlimit(resource.RLIMIT_AS)[0]
    try:
        bytearray(payload["allocate"])
        allocated = True
    except MemoryError:
        allocated = False
    Path(payload["out"]).write_text(f"{soft} {allocated}")


@pytest.mark.redis
def test_each_rq_job_runs_under_the_worker_memory_ceiling(tmp_path):
    import redis
    from rq import Queue

    from channels.jobs import MediaWorker, run_job

    connection = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    queue = Queue(f"saathi-test-{uuid.uuid4().hex[:8]}", connection=connection)
    out = tmp_path / "limits.txt"
    queue.enqueue(run_job, f"{__name__}.report_limits", {"out": str(out), "allocate": 1024 * 1024 * 1024})
    worker = MediaWorker([queue], connection=connection)
    worker.memory_bytes = 768 * 1024 * 1024
    worker.work(burst=True)
    soft, allocated = out.read_text().split()
    assert int(soft) == 768 * 1024 * 1024 and allocated == "False"
    assert resource.getrlimit(resource.RLIMIT_AS)[0] == resource.RLIM_INFINITY, "only the work horse is limited"
    queue.delete(delete_jobs=True)
