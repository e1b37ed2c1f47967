"""The own guideline emergencies (``tests/data/triage_wide.yml``, ids ``emem-``; issue #13 items 1 and 3) through
the three ways a message reaches the rules: the bot (``nlu.red_flags.detect_red_flags`` on the text with what
is known of the patient), ``saathi triage`` (``Engine.triage``) and an ASHA ``VISIT`` line (parsed by
``engine.asha.parse`` and triaged with the registered patient, as ``AshaService._cmd_visit`` does; a few also
through the real ASHA service on a records database). Each must be an emergency, and the bot and the engine
must name the same red flags, so the three paths agree on every case."""

from __future__ import annotations

import re

import pytest

from engine.i18n import t
from engine.triage import Engine
from engine.triage.evaluate import SETS, evaluate_commands, load_vignettes, readings_match
from nlu.red_flags import detect_red_flags
from tests.support.asha import new_phone, verified_worker

pytest_plugins = ["tests.asha_fixtures", "tests.channels_fixtures"]
CASES = [v for v in load_vignettes(SETS["own_wide"]) if v["id"].startswith("emem-")]
VISIT = {"Deva": "दौरा", "Guru": "ਦੌਰਾ", "Latn": "VISIT"}
CODE = re.compile(r"[A-Z]{2}\d{3}")


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(use_classifier=False)  # the rules and readings do not depend on the classifier


def patient(v: dict) -> dict:
    return {"age": v["age"], "sex": v["sex"], **({"pregnant": True} if v.get("pregnant") else {})}


def test_the_guideline_cases_are_there():
    assert len(CASES) >= 183 and all(v["gold_urgency"] == "emergency" for v in CASES)


@pytest.mark.parametrize("v", CASES, ids=[v["id"] for v in CASES])
def test_bot_engine_and_visit_agree_on_an_emergency(engine, v):
    bot = {f.id for f in detect_red_flags(v["text"], **patient(v))} - {"safety_net"}
    result = engine.triage(v["text"], language=v["language"], **patient(v))
    assert result.urgency == "emergency", (result.urgency, result.red_flags)
    assert bot and set(result.red_flags) - {"safety_net"} == bot, (bot, result.red_flags)
    line = f"{VISIT[v['script']]} KD472 {v['text']}"
    report = evaluate_commands(engine, [{"id": v["id"], "command": line, "patient": patient(v),
                                         "gold_urgency": "emergency"}]).summary()
    assert report["emergencies_caught"] == 1, line
    if v.get("readings"):
        assert readings_match(v["readings"], v["text"]), v["readings"]


@pytest.fixture()
def real_asha(asha):
    asha._triage = None  # the bot's engine, red flags and readings
    return asha


REAL = {  # case id -> registration line (the patient's age and sex; PREG for a pregnancy)
    "emem-48": "पंजीकरण सीता देवी ३० महिला धूरी",
    "emem-50": "ਰਜਿਸਟਰ ਗੁਰਮੀਤ ਸਿੰਘ ੬੨ ਪੁਰਸ਼ ਧੂਰੀ",
    "emem-22": "ਰਜਿਸਟਰ ਕਰਤਾਰ ਕੌਰ ੭੧ ਔਰਤ ਧੂਰੀ",
    "emem-45": "REG Ram Lal 58 M Dhuri",
    "emem-73": "पंजीकरण राम लाल ७२ पुरुष धूरी",
    "emem-78": "REG Mohan Singh 68 M Dhuri",
    "emem-166": "REG Sunita Devi 28 F Dhuri",
    "emem-182": "ਰਜਿਸਟਰ ਬਲਵੀਰ ਸਿੰਘ ੬੬ ਪੁਰਸ਼ ਧੂਰੀ",
}


@pytest.mark.parametrize("case_id", sorted(REAL))
def test_the_real_asha_service_refers_them(real_asha, referrals, case_id):
    v = next(c for c in CASES if c["id"] == case_id)
    language = {"Deva": "hi", "Guru": "pa", "Latn": "en"}[v["script"]]
    worker = verified_worker(real_asha, new_phone(), language=language)
    code = CODE.findall(real_asha.handle(worker, REAL[case_id]))[-1]
    if v.get("pregnant"):
        real_asha.handle(worker, {"hi": "गर्भ {code} प्रसव १५/०३/२०२७", "pa": "ਗਰਭ {code} ਜਣੇਪਾ ੧੫/੦੩/੨੦੨੭",
                                  "en": "PREG {code} EDD 15/03/2027"}[language].format(code=code))
    reply = real_asha.handle(worker, f"{VISIT[v['script']]} {code} {v['text']}")
    assert reply.startswith(t("asha_visit_emergency", language, code=code)[:25]), reply
    assert referrals.calls[-1]["urgency"] == "emergency"


@pytest.mark.parametrize(("text", "age", "sex", "flags"), [
    # chest pain with vomiting in a man is not testicular torsion ("chhati" and "chadde" shared a stem)
    ("45 minute se chhati me dard aur ulti, pehle bhi dil ki bimari hai", 40, "m", {"cardiac_chest_pain"}),
    ("chaddeyan ch dard te ulti", 15, "m", {"testicular_torsion"}),
    # MoHFW snake bite STG: a bite by something unseen in a field at night, then slurred speech (krait)
    ("raat ko khet me paani lagate hue pair me kisi ne kaata, ab aankhen bhaari aur bolne me dikkat", 50, "m",
     {"snake_bite", "stroke_signs"}),
    # WAO 2020: a throat that feels like it is closing after a sting; a blocked nose with a sore throat is not
    ("a wasp stung me and my throat feels like it is closing", 30, "m", {"anaphylaxis"}),
    ("ਭਰਿੰਡ ਲੜ ਗਈ, ਗਲਾ ਬੰਦ ਹੋ ਰਿਹਾ", 30, "f", {"anaphylaxis"}),
    ("khana khane ke baad naak band hai, gale me kharash", 30, "f", set()),
    # ISBI 2016: 'jhatka laga' after bijli/current/taar is an electric shock, not a fit; jerks that come are a fit
    ("bijli ke khambe par kaam karte hue jhatka laga", 35, "m", {"electrical_injury"}),
    ("ਬਿਜਲੀ ਦੇ ਖੰਭੇ ਤੇ ਕੰਮ ਕਰਦਿਆਂ ਕਰੰਟ ਦਾ ਝਟਕਾ ਲੱਗਾ", 35, "m", {"electrical_injury"}),
    ("bijli chali gayi thi, phir bachche ko jhatke aane lage", 4, "m", {"seizure"}),
    # a lost voice alone is neither a stroke (AHA/ASA: sudden speech trouble with face/arm signs or slurred
    # speech) nor stridor (WHO IMCI: a noise breathing in)
    ("gale se awaaz nahi nikal rahi", 30, "f", set()),
    ("ਗਲੇ ਚੋਂ ਆਵਾਜ਼ ਨਹੀਂ ਨਿਕਲਦੀ", 30, "m", set()),
    ("achanak awaaz nahi nikal rahi aur munh tedha ho gaya", 60, "m", {"stroke_signs"}),
    ("saans lete waqt gale se awaaz aati hai", 3, "m", {"stridor"}),
])
def test_the_reason_given_is_the_right_one_in_both(engine, text, age, sex, flags):
    bot = {f.id for f in detect_red_flags(text, age=age, sex=sex)} - {"safety_net"}
    result = engine.triage(text, age=age, sex=sex)
    assert bot == set(result.red_flags) - {"safety_net"} == flags, (bot, result.red_flags)


#: Messages whose every sign must be named, the same on both paths (issue #13 item 3): the jolt of an electric
#: shock is no fit, but a fit told beside it is one (ISBI 2016 + WHO mhGAP 2.0); a sugar told low is never named
#: DKA, even for a diabetic (JBDS-IP 2023: DKA needs hyperglycaemia or ketones), and stays hypoglycaemia.
NAMED = [
    ("got an electric shock and then had a fit", {"electrical_injury", "seizure"}, set()),
    ("bijli ka jhatka laga, ab jhatke aa rahe", {"electrical_injury", "seizure"}, set()),
    ("ਖੇਤ ਦੀ ਮੋਟਰ ਤੋਂ ਕਰੰਟ ਲੱਗਾ, ਫਿਰ ਦੌਰਾ ਪੈ ਗਿਆ", {"electrical_injury", "seizure"}, set()),
    ("bijli ke taar se jhatka laga, ab theek hai", {"electrical_injury"}, {"seizure", "shock_signs"}),
    ("ਝਟਕੇ ਲੱਗ ਰਹੇ ਨੇ", {"seizure"}, {"electrical_injury"}),
    ("diabetic, sugar 40, confused", {"low_sugar_hypoglycaemia"}, {"dka_signs"}),
    ("शुगर की बीमारी है, शुगर 38 आई, बेहोश जैसे", {"vital_severe_hypoglycaemia"}, {"dka_signs"}),
    ("sugar 520, ulti aur saans tez", {"dka_signs"}, {"low_sugar_hypoglycaemia"}),
]


@pytest.mark.parametrize(("text", "named", "not_named"), NAMED, ids=[n[0][:30] for n in NAMED])
def test_bot_and_engine_name_the_same_signs(engine, text, named, not_named):
    bot = {f.id for f in detect_red_flags(text)} - {"safety_net"}
    result = engine.triage(text)
    assert set(result.red_flags) - {"safety_net"} == bot
    assert named <= bot and not bot & not_named, bot
    line = f"VISIT KD472 {text}"
    report = evaluate_commands(engine, [{"id": "named", "command": line, "patient": {},
                                         "gold_urgency": "emergency"}]).summary()
    assert report["emergencies_caught"] == 1, line
