"""Jitsi tokens claim by claim, for self-hosted (HS256) and 8x8 JaaS (RS256); meeting links; .ics."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, unquote, urlparse

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from engine.handoff import apitokens, calendar, jitsi, reminders, routing

START = dt.datetime(2025, 1, 10, 10, 0, tzinfo=dt.timezone.utc)  # in the past: tokens expired
END = START + dt.timedelta(minutes=15)
SECRET = "a-self-hosted-app-secret-of-32-bytes-or-more"


def test_room_names_are_unguessable():
    rooms = {jitsi.new_room() for _ in range(200)}
    assert len(rooms) == 200 and all(len(r) == len("saathi-") + 32 for r in rooms)


def test_selfhosted_hs256_claims():
    config = jitsi.JitsiConfig(mode="selfhosted", domain="meet.saathi.in", app_id="saathi", app_secret=SECRET)
    room = jitsi.new_room()
    doctor = jitsi.token(config, room, jitsi.Participant("d1", "Dr A", True), START, END)
    patient = jitsi.token(config, room, jitsi.Participant("p1", "Patient", False), START, END)
    assert jwt.get_unverified_header(doctor)["alg"] == "HS256"
    for token, moderator in ((doctor, True), (patient, False)):
        claims = jwt.decode(token, SECRET, algorithms=["HS256"], audience="saathi", options={"verify_nbf": False,
                                                                                             "verify_exp": False})
        assert claims["iss"] == "saathi" and claims["aud"] == "saathi" and claims["sub"] == "meet.saathi.in"
        assert claims["room"] == room
        assert claims["nbf"] == int((START - dt.timedelta(minutes=15)).timestamp())
        assert claims["exp"] == int((END + dt.timedelta(minutes=30)).timestamp())
        assert claims["context"]["user"]["moderator"] is moderator
        assert claims["context"]["user"]["affiliation"] == ("owner" if moderator else "member")
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(patient, "another-secret-that-is-also-long-enough!", algorithms=["HS256"], audience="saathi",
                   options={"verify_nbf": False, "verify_exp": False})
    with pytest.raises(jwt.ExpiredSignatureError):  # valid only around the slot
        jwt.decode(patient, SECRET, algorithms=["HS256"], audience="saathi")


def test_jaas_rs256_claims():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    tenant = "vpaas-magic-cookie-0123456789abcdef"
    config = jitsi.JitsiConfig(mode="jaas", jaas_tenant=tenant, jaas_key_id=f"{tenant}/a1b2c3", jaas_private_key=pem)
    room = jitsi.new_room()
    for moderator in (True, False):
        token = jitsi.token(config, room, jitsi.Participant("x", "Name", moderator), START, END)
        header = jwt.get_unverified_header(token)
        assert header["alg"] == "RS256" and header["kid"] == f"{tenant}/a1b2c3" and header["typ"] == "JWT"
        claims = jwt.decode(token, key.public_key(), algorithms=["RS256"], audience="jitsi",
                            options={"verify_nbf": False, "verify_exp": False})
        assert claims["iss"] == "chat" and claims["aud"] == "jitsi" and claims["sub"] == tenant
        assert claims["room"] == room
        assert claims["context"]["user"]["moderator"] == ("true" if moderator else "false")
        assert claims["context"]["features"]["recording"] == "false"
        assert claims["exp"] - claims["nbf"] == 60 * 60
    url = urlparse(jitsi.meeting_url(config, room, token))
    assert url.netloc == "8x8.vc" and url.path == f"/{tenant}/{room}"


def test_meeting_url_low_bandwidth_fragment():
    config = jitsi.JitsiConfig(app_secret=SECRET)
    url = urlparse(jitsi.meeting_url(config, "saathi-room", "a.b.c"))
    assert unquote(parse_qs(url.query)["jwt"][0]) == "a.b.c"
    fragment = dict(part.split("=") for part in url.fragment.split("&"))
    assert fragment["config.startAudioOnly"] == "true" and fragment["config.disableDeepLinking"] == "true"
    assert fragment["config.resolution"] == "240"
    assert "#" not in jitsi.meeting_url(config, "r", "t", low_bandwidth=False)


def test_missing_secrets_are_an_error_not_an_unsigned_token():
    with pytest.raises(ValueError):
        jitsi.token(jitsi.JitsiConfig(app_secret=""), "r", jitsi.Participant("a", "b", True), START, END)
    with pytest.raises(ValueError):
        jitsi.token(jitsi.JitsiConfig(mode="jaas"), "r", jitsi.Participant("a", "b", True), START, END)


def test_api_tokens_types_and_expiry():
    access, claims = apitokens.issue(SECRET, "u1", "doctor", "access", dt.timedelta(minutes=10))
    assert apitokens.verify(SECRET, access, "access")["sub"] == "u1"
    with pytest.raises(apitokens.TokenError):
        apitokens.verify(SECRET, access, "refresh")
    old, _ = apitokens.issue(SECRET, "u1", "doctor", "access", dt.timedelta(minutes=10),
                             now=dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1))
    with pytest.raises(apitokens.TokenError):
        apitokens.verify(SECRET, old, "access")


def test_ics_invitation_is_rfc5545():
    body = calendar.invitation("abc", START, END, summary="Teleconsultation, Sehat Saathi",
                               url="https://portal.example.org/cases/" + "x" * 80, now=START)
    lines = body.split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR" and "DTSTART:20250110T100000Z" in lines
    assert "SUMMARY:Teleconsultation\\, Sehat Saathi" in lines
    assert all(len(line.encode()) <= 75 for line in lines)
    assert "TRIGGER:-PT10M" in lines


def test_routing_prefers_specialty_and_language_then_generalist():
    now = START
    docs = [routing.Doctor("peds-pa", "pediatrician", ("pa",)), routing.Doctor("gp-hi", "general_physician", ("hi",)),
            routing.Doctor("peds-hi", "pediatrician", ("hi",), on_duty=True)]
    slots = [routing.Slot("s1", "gp-hi", now + dt.timedelta(minutes=30), now + dt.timedelta(minutes=45)),
             routing.Slot("s2", "peds-hi", now + dt.timedelta(hours=2), now + dt.timedelta(hours=2, minutes=15)),
             routing.Slot("s3", "peds-hi", now - dt.timedelta(minutes=5), now + dt.timedelta(minutes=10)),
             routing.Slot("s4", "peds-pa", now + dt.timedelta(hours=1), now + dt.timedelta(hours=1, minutes=15))]
    assert [s.id for s in routing.next_slots(docs, slots, "pediatrician", "hi", now)] == ["s3", "s2"]
    assert routing.now_slot(docs, slots, "pediatrician", "hi", now).id == "s3"
    assert [s.id for s in routing.next_slots(docs, slots, "dermatologist", "hi", now)] == ["s1"]
    assert routing.now_slot(docs, slots, "pediatrician", "pa", now) is None


def test_in_process_reminders_run_and_can_be_cancelled(monkeypatch):
    import threading

    ran = threading.Event()
    monkeypatch.setattr(reminders, "resolve", lambda path: lambda *args: ran.set())
    scheduler = reminders.ThreadScheduler()
    scheduler.at(dt.datetime.now(dt.timezone.utc), "x.y", "1")
    assert ran.wait(5)
    job = scheduler.at(dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1), "x.y", "2")
    assert job in scheduler.pending()
    scheduler.cancel(job)
    assert scheduler.pending() == []
    assert isinstance(reminders.open_scheduler(""), reminders.ThreadScheduler)


@pytest.mark.redis
def test_rq_scheduler_enqueues_at_a_time():
    import redis

    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/15").ping()
    except Exception:
        pytest.skip("Redis not reachable")
    scheduler = reminders.open_scheduler("redis://127.0.0.1:6379/15")
    assert isinstance(scheduler, reminders.RqScheduler)
    job_id = scheduler.at(dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1), "portal.jobs.remind", "c", "patient")
    from rq.registry import ScheduledJobRegistry

    assert job_id in ScheduledJobRegistry(queue=scheduler.queue).get_job_ids()
    scheduler.cancel(job_id)
