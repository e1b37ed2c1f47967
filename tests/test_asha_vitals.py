"""ASHA VISIT with readings, triaged by the bot's own engine and rules (issue #13 item 3).

A registered pregnancy (PREG) makes the pregnancy thresholds count: ``VISIT RP039 BP 160/110 sir
dard aur dhundhla dikhna`` for a pregnant woman is severe pre-eclampsia (emergency, referral, area
alert), never "routine, follow-up in three days". Service tests on a real records database, and
the same through signed Twilio SMS webhooks as an ASHA sends them.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from channels import asha as hook
from channels.services import GatewayServices
from engine.i18n import t
from records import RecordsService
from tests.support.asha import Referrals, build, new_phone, prepare, verified_worker
from tests.support.stepup import open_workday

pytest_plugins = ["tests.asha_fixtures", "tests.channels_fixtures"]
CODE = re.compile(r"[A-Z]{2}\d{3}")
REG = {"en": "REG Sita Devi 25 F Dhuri", "hi": "पंजीकरण सीता देवी २५ महिला धूरी", "pa": "ਰਜਿਸਟਰ ਸੀਤਾ ਦੇਵੀ ੨੫ ਔਰਤ ਧੂਰੀ"}
PREG = {"en": "PREG {code} EDD 15/03/2027", "hi": "गर्भ {code} प्रसव १५/०३/२०२७", "pa": "ਗਰਭ {code} ਜਣੇਪਾ ੧੫/੦੩/੨੦੨੭"}
# BP 150/95 with a headache: pre-eclampsia with a severe feature in pregnancy, not an emergency otherwise.
MILD_BP = {"en": "VISIT {code} BP 150/95 sir dard", "hi": "दौरा {code} बीपी १५०/९५ सिर दर्द",
           "pa": "ਦੌਰਾ {code} ਬੀਪੀ ੧੫੦/੯੫ ਸਿਰ ਦਰਦ"}
SEVERE_BP = {"en": "VISIT {code} BP 160/110 sir dard aur dhundhla dikhna",
             "hi": "दौरा {code} बीपी १६०/११० सिर दर्द और धुंधला दिखना",
             "pa": "ਦੌਰਾ {code} ਬੀਪੀ ੧੬੦/੧੧੦ ਸਿਰ ਦਰਦ ਤੇ ਧੁੰਦਲਾ ਦਿਸਣਾ"}
SATS = {"en": "VISIT {code} T 103 P 128 SPO2 89", "hi": "दौरा {code} ताप १०३ नब्ज़ १२८ ऑक्सीजन ८९",
        "pa": "ਦੌਰਾ {code} ਤਾਪ ੧੦੩ ਨਬਜ਼ ੧੨੮ ਆਕਸੀਜਨ ੮੯"}


@pytest.fixture()
def real_asha(asha):
    asha._triage = None  # the bot's engine, red flags and readings
    return asha


def register(service, worker, line: str) -> str:
    return CODE.findall(service.handle(worker, line))[-1]


def emergency(reply: str, language: str, code: str) -> bool:
    return reply.startswith(t("asha_visit_emergency", language, code=code)[:25])


@pytest.mark.parametrize("lang", ["en", "hi", "pa"])
def test_registered_pregnancy_makes_the_bp_an_emergency(real_asha, referrals, lang):
    worker = verified_worker(real_asha, new_phone(), language="en")
    mother, other = register(real_asha, worker, REG[lang]), register(real_asha, worker, REG[lang])
    real_asha.handle(worker, PREG[lang].format(code=mother))
    reply = real_asha.handle(worker, MILD_BP[lang].format(code=mother))
    assert emergency(reply, lang, mother), reply
    assert "150/95 mmHg (≥140/90 mmHg)" in reply
    assert referrals.calls[-1]["urgency"] == "emergency" and real_asha.alerts_seen[-1][3] == mother
    calls = len(referrals.calls)
    reply = real_asha.handle(worker, MILD_BP[lang].format(code=other))  # same words, no pregnancy registered
    assert not emergency(reply, lang, other) and len(referrals.calls) == calls


@pytest.mark.parametrize("lang", ["en", "hi", "pa"])
def test_severe_pre_eclampsia_and_low_oxygen(real_asha, referrals, lang):
    worker = verified_worker(real_asha, new_phone(), language="en")
    mother = register(real_asha, worker, REG[lang])
    real_asha.handle(worker, PREG[lang].format(code=mother))
    assert emergency(real_asha.handle(worker, SEVERE_BP[lang].format(code=mother)), lang, mother)
    man = register(real_asha, worker, "REG Ram Lal 60 M Dhuri")
    reply = real_asha.handle(worker, SATS[lang].format(code=man))
    assert emergency(reply, lang, man) and "89% (<90%)" in reply
    assert referrals.calls[-1]["urgency"] == "emergency"


def test_urgent_reading_shortens_the_follow_up(real_asha):
    worker = verified_worker(real_asha, new_phone(), language="en")
    code = register(real_asha, worker, "REG Ram Lal 60 M Dhuri")
    reply = real_asha.handle(worker, f"VISIT {code} sugar 450")
    assert reply.startswith(t("asha_visit_saved", "en", code=code, urgency=t("asha_urgency_urgent", "en"),
                              date="27/11"))
    assert "450 mg/dL (≥300 mg/dL" in reply


def test_a_reading_that_cannot_be_right_is_asked_again(real_asha, referrals):
    worker = verified_worker(real_asha, new_phone(), language="hi")
    code = register(real_asha, worker, "REG Ram Lal 60 M Dhuri")
    reply = real_asha.handle(worker, f"दौरा {code} बुखार नब्ज़ ९००")
    assert t("asha_visit_recheck", "hi", items=f"{t('vital_measure_pulse', 'hi')} 900") in reply
    assert not emergency(reply, "hi", code)


def test_a_delivery_long_past_is_no_longer_a_pregnancy(real_asha, clock):
    worker = verified_worker(real_asha, new_phone(), language="en")
    code = register(real_asha, worker, REG["en"])
    real_asha.handle(worker, f"PREG {code} EDD 20/11/2026")  # 6 days before the clock's today
    assert emergency(real_asha.handle(worker, f"VISIT {code} BP 150/95 sir dard"), "en", code)
    clock.now += dt.timedelta(days=50)
    assert not emergency(real_asha.handle(worker, f"VISIT {code} BP 150/95 sir dard"), "en", code)


# -- through the gateway, as an ASHA sends it ------------------------------------------------------


@pytest.fixture
def gateway_asha(channel_settings, gateway):
    url = channel_settings.effective_database_url
    prepare(url)
    service = build(url, RecordsService.from_settings(channel_settings),
                    lambda: dt.datetime.now(dt.timezone.utc), referrer=Referrals())
    gateway.services = GatewayServices(channel_settings, asha=service)  # the gateway's hook uses it
    return service


def test_punjabi_asha_reports_pre_eclampsia_over_signed_sms(hooks, rasa, standin, channel_settings, gateway_asha):
    from tests.channels_fixtures import twiml_messages

    def reply(text: str) -> str:
        (answer,) = twiml_messages(hooks.message(phone, text).get_data(as_text=True))
        return answer

    phone = "+919876500031"
    hook.enrol(channel_settings, gateway_asha, name="Paramjit Kaur", village="Dhuri", area="Dhuri-1", language="pa", phone=phone)
    number = re.search(r"\d{6}", standin.wait_for_messages(phone)[0]["Body"][0]).group()
    assert reply(f"ਤਸਦੀਕ {number}") == t("asha_verified", "pa")
    open_workday(hooks.message, phone)  # SMS commands need her PIN once a day (issue #14)
    code = CODE.search(reply("ਰਜਿਸਟਰ ਰਾਣੀ ੨੨ ਔਰਤ ਧੂਰੀ")).group()
    edd = (dt.date.today() + dt.timedelta(days=40)).strftime("%d/%m/%Y")
    reply(f"ਗਰਭ {code} ਜਣੇਪਾ {edd}")

    answer = reply(f"VISIT {code} BP 160/110 sir dard aur dhundhla dikhna")
    assert emergency(answer, "pa", code) and "160/110 mmHg" in answer
    assert gateway_asha.referrer.calls[-1]["urgency"] == "emergency"
    answer = reply(f"ਦੌਰਾ {code} T 103 P 128 SPO2 89")
    assert emergency(answer, "pa", code) and "89% (<90%)" in answer
    assert rasa.calls == []  # none of it reached the bot


@pytest.mark.parametrize(("line", "measures"), [
    ("VISIT KD472 T 103 P 128 SPO2 89", ["temperature", "pulse", "spo2"]),
    ("VISIT KD472 BP 160/110, sir dard", ["bp"]),
    ("दौरा KD472 बीपी १६०/११० नब्ज़ १३०", ["bp", "pulse"]),
    ("ਦੌਰਾ KD472 ਬੁਖਾਰ ੧੦੩ ਸ਼ੂਗਰ ੪੦", ["temperature", "glucose"]),
])
def test_visit_keeps_its_readings_for_triage(line, measures):
    from engine.asha.parse import Command, parse_line
    from nlu.vitals import read_vitals

    cmd = parse_line(line)
    assert isinstance(cmd, Command) and cmd.code == "KD472"
    assert [r.measure for r in read_vitals(cmd.text).readings] == measures


# -- a baby registered by age in months, weeks or days ---------------------------------------------


@pytest.mark.parametrize(("line", "years", "months", "days"), [
    ("REG Baby Kaur 3 mahine F Dhuri", None, 3, None),
    ("REG Baby Kaur 3 weeks F Dhuri", None, None, 21),
    ("पंजीकरण बेबी कौर ५ दिन महिला धूरी", None, None, 5),
    ("ਰਜਿਸਟਰ ਬੇਬੀ ਕੌਰ ੬ ਹਫ਼ਤੇ ਔਰਤ ਧੂਰੀ", None, None, 42),
    ("REG Sita Devi 25 F Dhuri", 25, None, None),
])
def test_reg_reads_a_babys_age(line, years, months, days):
    from engine.asha.parse import Command, parse_line

    cmd = parse_line(line)
    assert isinstance(cmd, Command), cmd
    assert (cmd.age_years, cmd.age_months, cmd.age_days) == (years, months, days)


@pytest.mark.parametrize(("reg", "visit", "emergency_expected", "rule"), [
    # WHO IMCI: under 2 months, 60 breaths a minute or more is very severe disease
    ("REG Baby Kaur 5 din F Dhuri", "VISIT {code} saans 62 per minute", True, "young_infant_fast_breathing"),
    ("REG Baby Kaur 6 weeks F Dhuri", "VISIT {code} RR 64", True, "young_infant_fast_breathing"),
    # 2-12 months: 50 or more is fast breathing (pneumonia, urgent), 62 is no emergency there
    ("REG Baby Kaur 3 mahine F Dhuri", "VISIT {code} saans 55, khansi", False, "infant_fast_breathing"),
    # young-infant fever: 37.5 °C or more under 2 months
    ("REG Baby Kaur 3 weeks M Dhuri", "VISIT {code} T 100.4", True, "young_infant_fever"),
])
def test_visit_judges_a_registered_baby_by_its_age(real_asha, referrals, clock, reg, visit, emergency_expected, rule):
    worker = verified_worker(real_asha, new_phone(), language="en")
    code = register(real_asha, worker, reg)
    seen = {}

    def spy(text, **kwargs):
        from engine.triage import triage

        seen.update(kwargs)
        seen["result"] = triage(text, **kwargs)
        return seen["result"]

    real_asha._triage = spy
    reply = real_asha.handle(worker, visit.format(code=code))
    assert seen["age"] is not None and seen["age"] < 1, seen["age"]  # not 0 or 1 whole years
    assert emergency(reply, "en", code) == emergency_expected, reply
    assert rule in {f.id for f in seen["result"].vitals}


@pytest.mark.parametrize("child", [
    "CHILD {code} {born:%d/%m/%Y}",
    "टीका {code} {born:%d/%m/%Y}",
    "ਟੀਕਾ {code} {born:%d-%m-%y}",
])
def test_child_stores_the_birth_date_visit_judges_by(real_asha, referrals, clock, child):
    """REG said "1" (a year: no exact age); CHILD gives the birth date 20 days ago. VISIT must then
    see a young infant (WHO IMCI: under 2 months, 37.5 °C or more is a danger sign), not a 1-year-old."""
    worker = verified_worker(real_asha, new_phone(), language="en")
    code = register(real_asha, worker, "REG Baby Kaur 1 F Dhuri")
    born = clock().date() - dt.timedelta(days=20)
    assert code in real_asha.handle(worker, child.format(code=code, born=born))
    profile = real_asha._profile(worker, real_asha._patient(worker, code).patient_id)
    assert (profile["birth_date"], profile["birth_year"]) == (born.isoformat(), born.year)
    reply = real_asha.handle(worker, f"VISIT {code} T 100.4")
    assert emergency(reply, "en", code), reply


def test_a_babys_age_grows_with_the_calendar():
    """Registered at 5 days on 30 December, seen in January: still a young infant, not '1 year'."""
    from engine.asha.service import age_years

    assert age_years({"birth_date": "2026-12-25", "birth_year": 2026}, dt.date(2027, 1, 3)) == pytest.approx(9 / 365.25)
    assert age_years({"birth_year": 1990}, dt.date(2027, 1, 3)) == 37
    assert age_years({}, dt.date(2027, 1, 3)) is None
