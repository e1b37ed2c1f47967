"""Replicas that lose nothing? (issue #21 item 5), measured on this box, loopback only.

Two gateways, two Rasa servers, two action servers, two media workers and two reminder (portal)
workers, each kind behind Debian's HAProxy where it has callers (gateways, Rasa, actions), on
PostgreSQL (records, Rasa's tracker store) and Redis (lock store, jobs, de-duplication), replies
to the Twilio stand-in. A load of signed WhatsApp webhooks (one first message per new sender,
so each reply belongs to exactly one turn) runs through HAProxy while reminders fall due; one
replica of each kind is killed with SIGKILL mid-run and started again by ``saathi up``'s
supervisor. Then, after a drain:

* a turn is **answered** when its webhook got a TwiML reply, or a later reply through the REST API
  (messages kept while Rasa was away, answered when it is back);
* **lost** when it got neither;
* **duplicated** when it got both, or Rasa's tracker holds its user message twice;
* a reminder is **sent twice** or **never** by the number of messages its phone got;
* a photo or voice note (``--media`` share of the turns, alternately; the Twilio stand-in serves
  the files, the media workers run OCR and speech) is **answered** when the media job's reply
  reached its sender through the REST API (the webhook's TwiML only says "reading …"), **lost**
  when none did, **answered twice** when one reply went twice (the job ran twice). The media worker
  killed is one with a job in hand when there is one within 20 s of the kill point.

The webhook sender plays Twilio with the connection overrides of the gateway's public URL
(``--retries N``: ``#rc=N&rp=ct,rt,5xx``): a webhook that could not connect (``ct``), got no answer
(``rt``: read timeout, or the connection closed before an answer) or a 5xx is posted again, same
MessageSid and signature, up to N times; ``--retries 0`` is Twilio without overrides. A turn whose
first try failed and a retry was answered counts as **recovered by a retry**, only when that retry
actually happened here. Whether a Twilio account honours these overrides on the messaging webhook
is Twilio's to say (docs/operations.md).

    .venv/bin/python bench/replicas.py [--turns 300] [--users 6] [--reminders 60] [--kill-at 0.5]
        [--retries 2] [--media 0.15] [--port-base 5700]

Bounded: a fixed count of turns and reminders, a drain of at most ``--drain`` seconds.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

REDIS_URL = "redis://127.0.0.1:6379/14"
TEXTS = ["mujhe 2 din se bukhar hai", "ਮੈਨੂੰ ਖੰਘ ਹੈ", "I have a headache since morning", "pet mein dard hai",
         "namaste", "hello"]
KINDS = ("rasa", "actions", "gateway", "media-worker", "portal-worker")


def haproxy_config(front: dict[str, int], back: dict[str, list[int]]) -> str:
    """Round robin with health checks; a request whose server died (no answer, connection refused,
    502/503) is sent again to the other one (L7 retries, redispatch). Checks are patient (5 s, three
    misses): on two shared cores a busy single-worker server answers /health late, and a 1 s check
    took both action servers out at once (HAProxy then answers 503 itself, and Rasa's action fails)."""
    checks = {"gateways": "/health", "rasas": "/", "actions": "/health"}
    lines = ["global", "  maxconn 2000", "defaults", "  mode http", "  timeout connect 2s",
             "  timeout client 120s", "  timeout server 120s", "  timeout check 5s", "  retries 3", "  option redispatch 1",
             "  retry-on conn-failure empty-response response-timeout 502 503"]
    for name, port in front.items():
        lines += [f"frontend fe_{name}", f"  bind 127.0.0.1:{port}", f"  default_backend {name}",
                  f"backend {name}", "  balance roundrobin", f"  option httpchk GET {checks[name]}",
                  "  default-server inter 2s fall 3 rise 1"]
        lines += [f"  server s{i} 127.0.0.1:{p} check" for i, p in enumerate(back[name])]
    return "\n".join(lines) + "\n"


def media_files(standin) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """A prescription photo and a Hindi voice note (espeak-ng, Opus), served by the Twilio stand-in."""
    photo = (ROOT / "tests" / "fixtures" / "channels" / "prescription.jpg").read_bytes()
    with tempfile.TemporaryDirectory() as tmp:
        wav, ogg = Path(tmp) / "note.wav", Path(tmp) / "note.ogg"
        subprocess.run(["espeak-ng", "-v", "hi", "-w", str(wav), "मुझे बुखार और खांसी है"], check=True)
        subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", str(wav), "-c:a", "libopus", str(ogg)], check=True)
        note = ogg.read_bytes()
    return [(standin.add_media("rx.jpg", photo, "image/jpeg"), "image/jpeg"),
            (standin.add_media("note.ogg", note, "audio/ogg"), "audio/ogg")]


#: Twilio's retry policy classes (connection overrides ``rp``) the bench's sender retries on.
RETRY_ON = ("ct", "rt", "5xx")


def failure_class(exc: BaseException | None, status: int | None) -> str:
    """What Twilio's ``rp`` would call a failed webhook: ``ct`` no connection, ``rt`` no answer."""
    if exc is None:
        return "5xx" if status and status >= 500 else "4xx"
    if isinstance(exc, requests.ConnectTimeout):
        return "ct"
    if isinstance(exc, requests.ConnectionError):  # refused: ct; reset or closed after the request: rt
        text = repr(exc)
        return "ct" if "refused" in text.lower() or "NewConnectionError" in text else "rt"
    return "rt"  # read timeout


class Ports:
    """The bench's ports: consecutive from ``--port-base`` (a shared machine hands out ranges), else free ones."""

    def __init__(self, base: int) -> None:
        self.next = base

    def take(self) -> int:
        if not self.next:
            from tests.support.live import free_port

            return free_port()
        self.next += 1
        return self.next - 1


@contextlib.contextmanager
def replica_stack(standin, port_base: int = 0, replicas: int = 2, workers: int = 2, label: str = "rep",  # type: ignore[no-untyped-def]
                  redis_url: str = REDIS_URL) -> Iterator:
    """``replicas`` Rasa servers, action servers and gateways (each kind behind HAProxy) and
    ``workers`` media and reminder workers, on fresh PostgreSQL databases and Redis, replies to
    ``standin``; yields ``(settings, supervisor, public, front)`` once every process answers.
    Shared by this bench and bench/scaling.py (turns/s against replicas)."""
    import redis

    from tests.support.production import strong_secrets
    from tests.support.records import fresh_pg_database

    redis.Redis.from_url(redis_url).flushdb()
    var = Path(tempfile.mkdtemp(prefix=f"saathi-{label}-"))
    with fresh_pg_database(f"saathi_{label}_tracker") as tracker_url, \
            fresh_pg_database(f"saathi_{label}_records") as records_url:
        ports = Ports(port_base)
        front = {name: ports.take() for name in ("gateways", "rasas", "actions")}
        back = {name: [ports.take() for _ in range(replicas)] for name in front}
        public = f"http://127.0.0.1:{front['gateways']}"
        os.environ.update({
            "SAATHI_VAR_DIR": str(var), "TRACKER_STORE_URL": tracker_url, "DATABASE_URL": records_url,
            "REDIS_URL": redis_url, "RASA_WORKERS": "1", "RASA_PORT": str(back["rasas"][0]),
            "RASA_URL": f"http://127.0.0.1:{front['rasas']}",
            "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{front['actions']}/webhook",
            "TWILIO_ACCOUNT_SID": standin.account_sid, "TWILIO_AUTH_TOKEN": standin.auth_token,
            "TWILIO_API_BASE_URL": standin.url,
            "TWILIO_MEDIA_HOSTS": f"api.twilio.com,{standin.host}", "TWILIO_WHATSAPP_FROM": "whatsapp:+14155238886",
            "TWILIO_SMS_FROM": "+14155238887", "SAATHI_PUBLIC_BASE_URL": public, "SAATHI_TTS_ENGINES": "espeak",
            "SAATHI_SIMULATOR": "0", "SAATHI_SURVEILLANCE_DEMO": "0", "SAATHI_RATE_LIMIT_PER_MINUTE": "1000",
            "SAATHI_LOG_LEVEL": "WARNING", **strong_secrets()})
        from config.settings import Settings
        from saathi.rasa_model import ensure_model
        from saathi.services import (
            Service,
            Supervisor,
            actions_service,
            module_service,
            prepare_database,
            rasa_service,
        )

        settings = Settings()
        prepare_database(settings)
        model = ensure_model(settings=settings)
        (var / "haproxy.cfg").write_text(haproxy_config(front, back))
        services = []
        for i in range(replicas):
            suffix = "abcdefgh"[i]
            rp, ap, gp = back["rasas"][i], back["actions"][i], back["gateways"][i]
            services.append(dataclasses.replace(rasa_service(dataclasses.replace(settings, rasa_port=rp), model),
                                                name=f"rasa-{suffix}"))
            services.append(dataclasses.replace(actions_service(dataclasses.replace(settings, actions_port=ap)),
                                                name=f"actions-{suffix}"))
            services.append(module_service(settings, f"gateway-{suffix}", "channels", "serve", gp, GATEWAY_PORT=str(gp)))
        for i in range(workers):
            suffix = "abcdefgh"[i]
            mp = ports.take()
            services.append(module_service(settings, f"media-worker-{suffix}", "channels", "worker", mp, "/metrics",
                                           WORKER_METRICS_PORT=str(mp)))
            ports.take()
            pp = ports.take()  # the portal worker serves on WORKER_METRICS_PORT + 1
            services.append(module_service(settings, f"portal-worker-{suffix}", "portal", "worker", pp, "/metrics",
                                           WORKER_METRICS_PORT=str(pp - 1)))
        services.append(Service(name="haproxy", argv=["haproxy", "-db", "-f", str(var / "haproxy.cfg")],
                                env=dict(os.environ), health_url=f"{public}/health"))
        supervisor = Supervisor(services, log_dir=var / "logs", backoff=1.0)
        print(f"starting {len(services)} processes (var: {var}) …", flush=True)
        with supervisor:
            yield settings, supervisor, public, front


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--turns", type=int, default=300)
    parser.add_argument("--users", type=int, default=6)
    parser.add_argument("--reminders", type=int, default=60)
    parser.add_argument("--kill-at", type=float, default=0.5, help="share of the turns sent before the kills")
    parser.add_argument("--drain", type=float, default=240.0)
    parser.add_argument("--retries", type=int, default=2, help="Twilio's rc: webhook retries (0: none)")
    parser.add_argument("--port-base", type=int, default=0, help="first of 16 consecutive ports (0: free ports)")
    parser.add_argument("--media", type=float, default=0.15,
                        help="share of the turns that are a photo or a voice note (alternately; 0: text only)")
    parser.add_argument("--media-kinds", default="image,audio",
                        help="which media: image (a prescription photo, OCR), audio (a voice note, speech)")
    args = parser.parse_args()
    if not shutil.which("haproxy"):
        print("needs Debian's haproxy (apt-get install haproxy)", file=sys.stderr)
        return 2

    from tests.twilio_standin import TwilioStandin

    standin = TwilioStandin().start()
    kinds = set(args.media_kinds.split(","))
    media = [m for m in media_files(standin) if m[1].split("/")[0] in kinds] if args.media else []
    if any(m[1].startswith("image/") for m in media):
        from engine.ocr import classifier

        classifier.model()  # trained on first use (minutes): here, not in a media worker's first job
    with replica_stack(standin, args.port_base) as (settings, supervisor, public, front):
        if media:
            warm_media(settings, standin, public, media)
        stop = threading.Event()

        def tend() -> None:
            while not stop.is_set():
                supervisor.tend()
                time.sleep(0.5)

        threading.Thread(target=tend, daemon=True).start()
        try:
            result = run_load(args, settings, supervisor, standin, public, front, media)
        finally:  # no restart may race the supervisor's stop (an interrupted run restarted its services)
            stop.set()
    standin.stop()
    print_result(result)
    clean = not (result["lost"] or result["duplicated"] or result["twice_in_rasa"] or result["reminders_bad"]
                 or result["media_lost"] or result["media_duplicated"])
    return 0 if clean else 1


def warm_media(settings, standin, public: str, media: list[tuple[str, str]]) -> None:  # type: ignore[no-untyped-def]
    """One photo and one voice note answered before the load: the speech model is installed and
    the first job's loading is not counted as the kill's doing."""
    from channels.simclient import WebhookClient
    from engine.speech.models import install_whisper_base

    install_whisper_base(settings.effective_whisper_model_dir)
    hooks = WebhookClient(public, public, standin.auth_token)
    for url in media:
        address = f"whatsapp:+9195{uuid.uuid4().int % 10**8:08d}"
        hooks.message(address, media=[url]).raise_for_status()
        standin.wait_for_messages(address, 1, timeout=600)


def is_media_turn(index: int, share: float) -> bool:
    """Every ``1/share``-th turn (spread evenly, the same turns in every run) is a photo or a voice note."""
    return share > 0 and int((index + 1) * share) != int(index * share)


def run_load(args, settings, supervisor, standin, public, front, media) -> dict:  # type: ignore[no-untyped-def]
    from channels.simclient import WebhookClient
    from engine.i18n import LATIN, NATIVE, t
    from engine.services import ProcessServices
    from records.identity import sender_id
    from tests.channels_fixtures import twiml_messages

    # reminders due while the load runs, around the kills (this process's root: one engine for both)
    services = ProcessServices(settings)
    records, notify = services.records, services.notify
    started = time.monotonic()
    now = dt.datetime.now(dt.timezone.utc)
    phones = []
    for n in range(args.reminders):
        phone = f"+9197{uuid.uuid4().int % 10**8:08d}"
        patient = records.get_or_create_patient("phone", phone, "hi")
        at = now + dt.timedelta(seconds=10 + 60 * n / max(1, args.reminders))  # due over the first minute
        notify.schedule(patient, "asha_notify_medicine", {"time": "08:00"}, at, dedupe=f"bench-{phone}",
                        kind="medicine", urgent=True)
        phones.append(phone)

    turns: list[dict] = []
    lock = threading.Lock()
    # in both scripts: "mujhe bukhar hai" is told it in Latin letters (miscounted as answered twice before)
    kept_texts = {t(key, language, script=script).strip() for key in ("channels_delayed", "channels_unavailable")
                  for language in ("hi", "pa", "en") for script in (NATIVE, LATIN)}

    def user(index: int) -> None:
        hooks = WebhookClient(public, public, standin.auth_token)
        while True:
            with lock:
                if len(turns) >= args.turns:
                    return
                index = len(turns)
                turn = {"address": f"whatsapp:+9198{uuid.uuid4().int % 10**8:08d}", "text": TEXTS[index % len(TEXTS)]}
                if is_media_turn(index, args.media):  # alternately a photo and a voice note, no text
                    url = media[sum(bool(t.get("media")) for t in turns) % len(media)]
                    turn.update(text="", media=url[1].split("/")[0])
                    turn["url"] = url
                turns.append(turn)
            turn["at"] = time.monotonic() - started
            # one MessageSid for every try
            params = hooks.message_params(turn["address"], turn["text"], [turn["url"]] if turn.get("url") else ())
            turn["tries"], turn["failures"] = 0, []
            while True:
                turn["tries"] += 1
                exc, response = None, None
                try:
                    response = hooks.post("/twilio/messaging", params)
                except requests.RequestException as error:
                    exc = error
                if response is not None and response.status_code < 500:
                    break
                turn["failures"].append(failure_class(exc, response.status_code if response is not None else None))
                if turn["tries"] > args.retries or turn["failures"][-1] not in RETRY_ON:
                    break
            if response is not None:
                turn["status"] = response.status_code
                bodies = [b for b in twiml_messages(response.text) if b] if response.ok else []
                # "cannot answer now, we will reply": the message was kept for when Rasa is back
                turn["twiml"] = any(b.strip() not in kept_texts for b in bodies)
                turn["kept"] = any(b.strip() in kept_texts for b in bodies)
            else:
                turn["status"], turn["twiml"] = type(exc).__name__, False
            turn["recovered_by_retry"] = bool(turn["failures"]) and turn["status"] == 200

    kills: dict[str, dict] = {}
    kills_detail: dict[str, bool] = {"media_job_in_hand": False}

    def victim(kind: str):  # type: ignore[no-untyped-def]
        """The replica to kill: the reminder worker that holds RQ's scheduler lock and a media
        worker with a job in hand (the hard cases), else the first of the kind."""
        if kind == "media-worker":
            busy = busy_media_workers(settings)
            for suffix in "ab":
                service = supervisor.service(f"{kind}-{suffix}")
                if service.process.pid in busy:
                    kills_detail["media_job_in_hand"] = True
                    return service
        if kind == "portal-worker":
            for suffix in "ab":
                service = supervisor.service(f"{kind}-{suffix}")
                if "Acquired scheduler lock" in service.log_path.read_text(errors="replace"):
                    return service
        return supervisor.service(f"{kind}-a")

    def killer() -> None:
        while len(turns) < args.turns * args.kill_at:  # mid-run, whatever the speed of this machine
            time.sleep(0.1)
        waited = time.monotonic() + 20  # a media worker with a job in hand, if one comes soon
        while media and not busy_media_workers(settings) and time.monotonic() < waited:
            time.sleep(0.2)
        from tests.support.processes import kill_with_children

        for kind in KINDS:
            service = victim(kind)
            kill_with_children(service.process.pid)  # with an RQ worker's work horse, as a lost pod
            kills[kind] = {"killed_at": round(time.monotonic() - started, 1), "pid": service.process.pid,
                           "name": service.name}
        while any("back_after_s" not in kill for kill in kills.values()):
            for kill in kills.values():
                service = supervisor.service(kill["name"])
                if "back_after_s" not in kill and service.process.pid != kill["pid"] and supervisor.healthy(service):
                    kill["back_after_s"] = round(time.monotonic() - started - kill["killed_at"], 1)
            time.sleep(0.5)

    threads = [threading.Thread(target=user, args=(i,)) for i in range(args.users)]
    kill_thread = threading.Thread(target=killer)
    for thread in [*threads, kill_thread]:
        thread.start()
    for thread in threads:
        thread.join()
    load_seconds = time.monotonic() - started
    kill_thread.join(timeout=600)

    # drain: kept messages answered, reminders sent
    deadline = time.monotonic() + args.drain
    while time.monotonic() < deadline:
        waiting = sum(1 for p in phones if not standin.sent_messages(to=f"whatsapp:{p}") and not standin.sent_messages(to=p))
        kept = [t for t in turns if t.get("status") == 200 and (not t["twiml"] or t.get("media"))
                and not standin.sent_messages(to=t["address"])]
        if not waiting and not kept:
            break
        time.sleep(2)
    token = settings.rasa_token
    lost, duplicated, twice_in_rasa, late, failed, in_tracker, lost_at = 0, 0, 0, 0, Counter(), Counter(), []
    rerun_after_empty = 0
    media_counts: Counter = Counter()
    for turn in turns:
        rest = standin.sent_messages(to=turn["address"])
        if turn.get("media"):  # answered by the media job, through the REST API, after the TwiML "reading …"
            bodies = Counter(m.get("Body", [""])[0] for m in rest)
            turn.update(rest=len(rest), failed=turn.get("status") != 200)
            media_counts[f"{turn['media']}_sent"] += 1
            media_counts[f"{turn['media']}_answered"] += bool(rest)
            media_counts["lost"] += not rest
            media_counts["duplicated"] += any(n > 1 for n in bodies.values())  # the job ran twice
            if not rest:
                lost_at.append(round(turn["at"], 1))
            if turn.get("status") != 200:
                failed[str(turn.get("status"))] += 1
            continue
        if turn.get("status") != 200:
            failed[str(turn.get("status"))] += 1
        answered = turn["twiml"] or bool(rest)
        late += bool(rest) and not turn["twiml"]
        turn.update(rest=len(rest), failed=turn.get("status") != 200)
        tracker = requests.get(f"http://127.0.0.1:{front['rasas']}/conversations/"
                               f"{sender_id(turn['address'], settings.sender_salt)}/tracker",
                               params={"token": token}, timeout=30).json()
        events = tracker.get("events", [])
        user_events = sum(1 for e in events if e.get("event") == "user")
        in_tracker[user_events] += 1
        turn["user_events"] = user_events
        # a second run after a first that said nothing (the action server was down) is not the same
        # fault as running an answered message again
        firsts = [i for i, e in enumerate(events) if e.get("event") == "user"]
        turn["rerun_after_empty"] = user_events > 1 and not any(
            e.get("event") == "bot" for e in events[firsts[0]:firsts[1]])
        rerun_after_empty += turn["rerun_after_empty"]
        lost += not answered
        if not answered:
            lost_at.append(round(turn["at"], 1))
        duplicated += turn["twiml"] and bool(rest)  # the person got two answers to one message
        twice_in_rasa += user_events > 1 and not turn["rerun_after_empty"]  # an answered message run again
    import json

    (settings.var_dir / "replicas.json").write_text(json.dumps(turns, indent=1))  # per turn, for a closer look
    sent = Counter(len(standin.sent_messages(to=f"whatsapp:{p}")) + len(standin.sent_messages(to=p)) for p in phones)
    text_turns = sum(not t.get("media") for t in turns)
    return {"turns": text_turns, "load_seconds": round(load_seconds, 1), "answered": text_turns - lost,
            "answered_later": late, "lost": lost, "rerun_after_empty": rerun_after_empty,
            "recovered_by_retry": sum(bool(t.get("recovered_by_retry")) for t in turns),
            "first_try_failures": dict(Counter(t["failures"][0] for t in turns if t.get("failures"))),
            "retries": args.retries, "duplicated": duplicated, "twice_in_rasa": twice_in_rasa, "failed_webhooks": dict(failed),
            "reminders": len(phones), "reminders_sent_once": sent.get(1, 0), "reminders_never": sent.get(0, 0),
            "reminders_twice_or_more": sum(v for k, v in sent.items() if k > 1),
            "reminders_bad": sent.get(0, 0) + sum(v for k, v in sent.items() if k > 1), "kills": kills,
            "media_lost": media_counts["lost"], "media_duplicated": media_counts["duplicated"],
            "media": dict(media_counts), "media_job_in_hand": kills_detail["media_job_in_hand"],
            "user_messages_in_tracker": dict(sorted(in_tracker.items())), "lost_at_s": lost_at}


def busy_media_workers(settings) -> set[int]:  # type: ignore[no-untyped-def]
    """Pids of the media workers (RQ's registry) with a job in hand."""
    import redis
    from rq import Worker

    from channels.jobs import QUEUE_NAME

    connection = redis.Redis.from_url(settings.redis_url)
    return {w.pid for w in Worker.all(connection=connection)
            if w.get_state() == "busy" and QUEUE_NAME in w.queue_names() and w.pid}


def print_result(result: dict) -> None:
    print(f"text turns {result['turns']} in {result['load_seconds']} s: answered {result['answered']} "
          f"({result['answered_later']} later, after Rasa was back), lost {result['lost']}, "
          f"answered twice {result['duplicated']}, processed twice by Rasa {result['twice_in_rasa']} "
          f"(+{result['rerun_after_empty']} run again after a turn that said nothing); "
          f"webhooks whose first try failed {result['first_try_failures'] or 0}, recovered by a retry "
          f"{result['recovered_by_retry']} (rc={result['retries']}); failed webhooks {result['failed_webhooks'] or 0}; "
          f"conversations by user messages in Rasa's tracker {result['user_messages_in_tracker']}"
          + (f"; lost turns sent at {result['lost_at_s']} s" if result["lost_at_s"] else ""))
    media = result["media"]
    if media:
        print(f"photos {media.get('image_sent', 0)} (answered {media.get('image_answered', 0)}), voice notes "
              f"{media.get('audio_sent', 0)} (answered {media.get('audio_answered', 0)}): lost {result['media_lost']}, "
              f"answered twice {result['media_duplicated']}; the media worker killed "
              f"{'had' if result['media_job_in_hand'] else 'did not have'} a job in hand")
    print(f"reminders {result['reminders']}: sent once {result['reminders_sent_once']}, never "
          f"{result['reminders_never']}, twice or more {result['reminders_twice_or_more']}")
    for kill in result["kills"].values():
        print(f"  {kill['name']:16} SIGKILL at {kill['killed_at']:6.1f} s, answering again {kill.get('back_after_s', '?')} s later")


if __name__ == "__main__":
    sys.exit(main())
