"""Every ASHA command against a real records database, in Hindi, Punjabi and English."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from engine.asha.text import limit_for
from engine.i18n import t
from tests.support.asha import new_phone, verified_worker

pytest_plugins = ["tests.asha_fixtures"]
CODE = re.compile(r"[A-Z]{2}\d{3}")


def fake_triage(text, **_):
    urgency = "emergency" if "behosh" in text or "बेहोश" in text or "ਬੇਹੋਸ਼" in text else "urgent"
    return SimpleNamespace(urgency=urgency, model_version="fake-1",
                           to_contract=lambda: {"urgency": urgency, "symptoms": ["fever"], "red_flags": []})


@pytest.fixture(autouse=True)
def _fast_triage(asha):
    asha._triage = fake_triage


def register(asha, worker, line):
    reply = asha.handle(worker, line)
    codes = CODE.findall(reply)
    assert codes, reply
    return codes[-1], reply


REG = {"en": "REG Sita Devi 25 F Dhuri", "hi": "पंजीकरण सीता देवी २५ महिला धूरी",
       "pa": "ਰਜਿਸਟਰ ਸੀਤਾ ਦੇਵੀ ੨੫ ਔਰਤ ਧੂਰੀ"}
VISIT = {"en": "VISIT {code} fever cough", "hi": "दौरा {code} बुखार खांसी", "pa": "ਦੌਰਾ {code} ਬੁਖਾਰ ਖੰਘ"}
LIST = {"en": "LIST", "hi": "सूची", "pa": "ਸੂਚੀ"}
DONE = {"en": "DONE {code}", "hi": "पूरा {code}", "pa": "ਪੂਰਾ {code}"}
REFER = {"en": "REFER {code}", "hi": "रेफर {code}", "pa": "ਰੈਫਰ {code}"}


@pytest.mark.parametrize("lang", ["en", "hi", "pa"])
def test_register_visit_list_done_refer(asha, referrals, lang):
    worker = verified_worker(asha, new_phone(), language="en")
    code, reply = register(asha, worker, REG[lang])
    assert reply == t("asha_registered", lang, name="Sita Devi" if lang == "en" else REG[lang].split()[1] + " "
                      + REG[lang].split()[2], code=code)
    reply = asha.handle(worker, VISIT[lang].format(code=code))
    assert reply.startswith(t("asha_visit_saved", lang, code=code, urgency=t("asha_urgency_urgent", lang),
                              date="27/11")[:10])
    assert code in asha.handle(worker, LIST[lang])
    assert asha.handle(worker, DONE[lang].format(code=code)) == t("asha_done", lang, code=code, items="VISIT 27/11")
    assert asha.handle(worker, LIST[lang]) == t("asha_list_empty", lang)
    assert asha.handle(worker, REFER[lang].format(code=code)) == t("asha_referred", lang, code=code)
    assert referrals.calls[-1]["urgency"] == "urgent" and referrals.calls[-1]["language"] == lang


def test_visit_is_saved_in_records_readable_by_the_asha(asha):
    from records import Actor, Purpose

    worker = verified_worker(asha, new_phone())
    code, _ = register(asha, worker, "REG Ram Lal 60 M Dhuri")
    asha.handle(worker, f"VISIT {code} bukhar")
    patient = asha._patient(worker, code)
    history = asha.records.history(Actor.asha(worker.user_id), patient.patient_id, purpose=Purpose.ASHA_CARE)
    assert {"symptom_report", "triage"} <= {item["kind"] for item in history}


@pytest.mark.parametrize("lang", ["en", "hi", "pa"])
def test_emergency_visit_alerts_and_refers(asha, referrals, lang):
    worker = verified_worker(asha, new_phone(), language="en")
    code, _ = register(asha, worker, REG[lang])
    text = {"en": "VISIT {code} behosh", "hi": "दौरा {code} बेहोश", "pa": "ਦੌਰਾ {code} ਬੇਹੋਸ਼"}[lang]
    assert asha.handle(worker, text.format(code=code)) == t("asha_visit_emergency", lang, code=code)
    assert referrals.calls[-1]["urgency"] == "emergency"
    assert asha.alerts_seen[-1][0] == "emergency" and asha.alerts_seen[-1][3] == code


@pytest.mark.parametrize("lang", ["en", "hi", "pa"])
def test_pregnancy_gives_antenatal_visits(asha, lang):
    worker = verified_worker(asha, new_phone(), language="en")
    code, _ = register(asha, worker, REG[lang])
    line = {"en": "PREG {code} LMP 01/09/2026", "hi": "गर्भ {code} माहवारी ०१/०९/२०२६",
            "pa": "ਗਰਭ {code} ਮਾਹਵਾਰੀ 01/09/26"}[lang]
    reply = asha.handle(worker, line.format(code=code))
    # LMP 1 Sep 2026 -> due 8 Jun 2027; ANC-2 at 20 weeks = 19 Jan 2027 (ANC-1 at 12 weeks is past)
    assert reply == t("asha_pregnancy", lang, code=code, date="08/06/27",
                      items="ANC-2 19/01, ANC-3 16/03, ANC-4 11/05")
    rows = asha.open_follow_ups(worker.user_id)
    assert [r.label for r in rows if r.code == code] == ["ANC-2", "ANC-3", "ANC-4", "EDD"]


@pytest.mark.parametrize("lang", ["en", "hi", "pa"])
def test_child_immunisation_from_birth_date(asha, lang):
    worker = verified_worker(asha, new_phone(), language="en")
    code, _ = register(asha, worker, "REG Baby Kaur 1 months F Dhuri")
    line = {"en": "CHILD {code} 01/11/2026", "hi": "टीका {code} ०१/११/२०२६", "pa": "ਟੀਕਾ {code} 01-11-26"}[lang]
    reply = asha.handle(worker, line.format(code=code))
    assert reply.startswith(t("asha_child", lang, code=code, items="01/11 BCG")[:-3])  # birth dose still due
    assert "13/12 OPV-1 Penta-1" in reply  # 6 weeks
    assert len(reply) <= limit_for(reply)


@pytest.mark.parametrize(("lang", "line", "what", "usage"), [
    ("en", "REG Sita Devi F Dhuri", "age", "reg"),
    ("hi", "पंजीकरण सीता देवी २५ धूरी", "sex", "reg"),
    ("pa", "ਦੌਰਾ ਬੁਖਾਰ", "code", "visit"),
    ("en", "PREG KD472", "date", "preg"),
])
def test_malformed_lines_get_a_precise_correction(asha, lang, line, what, usage):
    worker = verified_worker(asha, new_phone(), language="en")
    assert asha.handle(worker, line) == t("asha_missing", lang, what=t(f"asha_field_{what}", lang),
                                          usage=t(f"asha_usage_{usage}", lang))


def test_age_missing_message_in_english(asha):
    worker = verified_worker(asha, new_phone(), language="en")
    assert asha.handle(worker, "REG Sita F Dhuri") == "Age missing: REG name age sex village"


def test_other_ashas_codes_and_bad_dates(asha):
    mine, other = verified_worker(asha, new_phone()), verified_worker(asha, new_phone())
    code, _ = register(asha, mine, "REG Sita 25 F Dhuri")
    assert asha.handle(other, f"VISIT {code} bukhar") == t("asha_unknown_code", "hi", code=code)
    assert "2030" not in asha.handle(mine, f"CHILD {code} 01/01/2030")  # a birth in the future
    assert asha.handle(mine, f"CHILD {code} 01/01/2030").startswith(t("asha_bad_date", "hi", date="01/01/30",
                                                                      usage="")[:10])
    assert asha.handle(mine, "HELP") == t("asha_help", "hi")
    assert asha.handle(mine, "hello") == t("asha_unknown_command", "hi")


@pytest.mark.parametrize(("lang", "symptoms"), [("en", "behosh ho gayi saans nahi aa rahi"),
                                                ("hi", "बेहोश है, साँस लेने में तकलीफ"),
                                                ("pa", "ਬੇਹੋਸ਼ ਹੈ ਸਾਹ ਨਹੀਂ ਆ ਰਿਹਾ")])
def test_real_triage_red_flags_make_an_emergency(asha, referrals, lang, symptoms):
    asha._triage = None  # the project's triage engine (deterministic red-flag rules)
    worker = verified_worker(asha, new_phone(), language="en")
    code, _ = register(asha, worker, REG[lang])
    keyword = {"en": "VISIT", "hi": "दौरा", "pa": "ਦੌਰਾ"}[lang]
    assert asha.handle(worker, f"{keyword} {code} {symptoms}") == t("asha_visit_emergency", lang, code=code)
    assert referrals.calls[-1]["urgency"] == "emergency"


def test_a_patient_registered_with_a_phone_is_the_bots_patient_when_they_write(asha):
    """Same person, one record: the bot finds people by the gateway's pseudonym of their number."""
    from records.identity import sender_id
    from tests.support.asha import SALT

    worker = verified_worker(asha, new_phone(), language="en")
    phone = new_phone()
    code, _ = register(asha, worker, f"REG Sita Devi 25 F Dhuri 0{phone[3:]}")  # typed with a leading 0
    patient = asha._patient(worker, code).patient_id
    # what actions/health_record.py does for every message from that phone (tracker.sender_id)
    assert asha.records.get_or_create_patient("sender", sender_id(phone, SALT)) == patient
    assert asha.records.get_or_create_patient("whatsapp", f"whatsapp:{phone}") == patient
    assert asha.records.find_user("phone", phone) == patient

    # the other way round: someone who wrote to the bot first is not registered as a second person
    first = new_phone()
    bot_patient = asha.records.get_or_create_patient("sender", sender_id(first, SALT))
    assert asha.handle(worker, f"REG Ram Lal 60 M Dhuri {first}") == t("asha_phone_taken", "en")
    assert asha.records.get_or_create_patient("sender", sender_id(first, SALT)) == bot_patient
