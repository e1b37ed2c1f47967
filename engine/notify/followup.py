"""Follow-up at home (issue #20 item 3): check-ins after a prescription, and what the answers do.

After the doctor prescribes, :func:`schedule` queues, through the same outbox as every other
message (route, window, template, quiet hours), a day-3 check-in ("Day 3: is the fever better?
1 better · 2 same · 3 worse") in the case's language and channel, and for chronic medicines
(a course of :data:`CHRONIC_DAYS` days or more) adherence questions half an hour after the day's
last dose on days 2 and 7 ("did you take your night medicine today?"; not when that falls in the
quiet hours). The questions never name the medicine: phones are shared.

The gateway hands every message of a person with a check-in open (sent in the last
:data:`OPEN_FOR`, not answered) to :meth:`FollowUp.answer` before the bot. It answers "1/2/3"
(digits in any script, or the words), "yes/no" to an adherence question, and words that name a
symptom: a new symptom or a possible side effect is checked against the prescription
(:func:`engine.meds.assist.side_effect_check`) and answered with one of four verdicts: stop the
medicine and see a doctor (an allergic reaction), see the doctor today, continue and tell the
doctor, emergency. "Worse", a side effect, a new symptom or an emergency reopens the case in the
doctor's queue with the reason (:meth:`engine.handoff.service.Handoff.reopen`). A danger sign is
never answered here: the bot's emergency advice (108/112) answers it, the case reopens as an
emergency. Text that is none of these goes to the bot as usual.

Every answer is kept, sealed with the patient's key, in the case's notes (``followup``), which
the doctor's case page lists: check-ins, adherence, reported side effects. Log lines carry ids
and verdicts only.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import unicodedata
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from engine.i18n import t
from engine.notify import timing
from engine.notify.models import Outbox

log = logging.getLogger(__name__)
#: the day of the progress check-in, and its hour (IST)
CHECKIN_DAY, CHECKIN_HOUR = 3, 10
#: a course this long (days) or longer is a chronic medicine: adherence questions
CHRONIC_DAYS = 28
ADHERENCE_DAYS = (2, 7)
#: asked this long after the day's last dose
ADHERENCE_AFTER = dt.timedelta(minutes=30)
#: how long after it was sent a check-in takes answers
OPEN_FOR = dt.timedelta(hours=48)
KINDS = ("checkin", "adherence")
#: how long the gateway remembers that a sender has no check-in open (:func:`no_checkin_key`)
NO_CHECKIN_TTL = 600
#: an emergency within this long of a prescription reopens that case
RECENT = dt.timedelta(days=30)
#: answers in any script: digits (Latin, Devanagari, Gurmukhi) and the words people write
_DIGITS = str.maketrans("०१२३४५६७८९੦੧੨੩੪੫੬੭੮੯", "01234567890123456789")
_WORDS = {
    "1": {"better", "good", "fine", "ok", "theek", "thik", "behtar", "accha", "acha", "changa", "vadhiya",
          "बेहतर", "ठीक", "अच्छा", "ਠੀਕ", "ਚੰਗਾ", "ਬਿਹਤਰ", "yes", "haan", "han", "ha", "हाँ", "हां", "ਹਾਂ", "ji"},
    "2": {"same", "vaisa", "waisa", "vaise", "waise", "वैसा", "वैसे", "ਉਵੇਂ", "ਓਦਾਂ", "no", "nahi", "nahin", "nai",
          "नहीं", "ਨਹੀਂ"},
    "3": {"worse", "bad", "kharab", "zyada", "jyada", "badtar", "खराब", "ख़राब", "बदतर", "ज़्यादा", "ज्यादा",
          "ਖ਼ਰਾਬ", "ਖਰਾਬ", "ਵੱਧ", "ਮਾੜਾ"},
}
def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


#: the words, spelt as the input is (nukta letters composed or not, NFC either way)
_VOCABULARY = {number: {_nfc(w) for w in words} for number, words in _WORDS.items()}
#: side effects that mean "stop this medicine and see a doctor" (a reaction to it), not "carry on"
STOP_EFFECTS = {"allergy", "severe_skin", "angioedema"}


@dataclass(frozen=True)
class Answer:
    """What the patient is told, and what was recorded (``verdict``: better, same, taken, missed,
    stop, doctor, continue, emergency). ``text`` is None for an emergency: the bot answers it."""

    text: str | None
    verdict: str
    case_id: uuid.UUID
    reopened: bool


def schedule(notify: Any, case: Any, items: list[dict[str, Any]], *, rx: str, start: dt.date, problem: str,
             doctor: str) -> int:
    """Queue the check-ins of prescription ``rx`` (``items``: its normalised lines) for the
    patient of ``case`` (a HandoffCase: they belong to it); returns how many."""
    count = 0
    fields = {"day": str(CHECKIN_DAY), "problem": problem, "doctor": doctor}
    # a question wants an answer: people who call us get it by SMS (a call that reads it cannot take one)
    base = {"ref": str(case.id), "channel": "whatsapp" if case.channel == "whatsapp" else "sms",
            "seen_at": case.created_at}
    moment = timing.at_ist(start + dt.timedelta(days=CHECKIN_DAY - 1), CHECKIN_HOUR)
    if notify.schedule(case.patient_id, "followup_checkin", {**fields, "_language": case.language}, moment,
                       dedupe=f"checkin:{rx}:{CHECKIN_DAY}", kind="checkin", **base):
        count += 1
    times = {**timing.DEFAULT_TIMES, **notify.dose_times(case.patient_id)}
    for index, item in enumerate(items):
        if int(item.get("duration_days") or 0) < CHRONIC_DAYS:
            continue
        try:
            slot = timing.dose_slots(item["frequency"])[-1]  # the day's last dose: was it taken?
        except ValueError:
            continue
        for day in ADHERENCE_DAYS:
            when = dt.datetime.combine(start + dt.timedelta(days=day - 1), times[slot], timing.IST)
            when = when.astimezone(dt.timezone.utc) + ADHERENCE_AFTER
            if timing.in_quiet_hours(when, *notify.quiet_hours):
                continue  # "did you take tonight's dose?" the next morning would ask about another day
            if notify.schedule(case.patient_id, "followup_adherence",
                               {"slot": t(f"followup_slot_{slot}", case.language), "medicine": item["generic"],
                                "_language": case.language}, when,
                               dedupe=f"adherence:{rx}:{index}:{day}", kind="adherence", **base):
                count += 1
    return count


def no_checkin_key(sender: str) -> str:
    """The gateway store's key for "this sender has no check-in open".

    Most choices ("1", "haan") and symptom words reach the gateway from people with no check-in
    open; without this note each of them cost up to three database queries before the bot saw it.
    The note is only ever a shortcut: it expires after :data:`NO_CHECKIN_TTL`, sending a check-in
    deletes it (:meth:`engine.notify.service.NotifyService.dispatch`), and a store that lost it
    (Redis restarted) only means the queries run again. It names the sender, so erasure forgets it.
    """
    return f"checkin-none:{sender}"


def choice(text: str) -> str | None:
    """"1", "२", "ਠੀਕ ਹਾਂ", "worse" → "1"/"2"/"3"; None for anything else."""
    words = [w for w in re.split(r"[\s,.!?।॥:;()'\"-]+", _nfc(text or "").translate(_DIGITS).casefold()) if w]
    if len(words) == 1 and words[0] in ("1", "2", "3"):
        return words[0]
    if not words or len(words) > 4:
        return None
    found = {number for number, vocabulary in _VOCABULARY.items() if set(words) & vocabulary}
    return found.pop() if len(found) == 1 else None


class FollowUp:
    """Answers to check-ins, on the notify outbox (what was asked) and the doctor handoff (the case)."""

    def __init__(self, notify: Any, handoff: Any) -> None:
        self.notify = notify
        self.handoff = handoff

    def open_checkin(self, patient_id: uuid.UUID) -> Outbox | None:
        """The newest check-in sent to the patient in the last :data:`OPEN_FOR` and not answered yet."""
        since = self.notify.clock() - OPEN_FOR
        with self.notify.sessions() as s:
            rows = list(s.scalars(select(Outbox).where(
                Outbox.user_id == patient_id, Outbox.kind.in_(KINDS), Outbox.status == "sent",
                Outbox.sent_at >= since).order_by(Outbox.sent_at.desc()).limit(5)))
        for row in rows:
            if row.ref and str(row.id) not in self.handoff.followup_answered(uuid.UUID(row.ref)):
                return row
        return None

    def answer(self, patient_id: uuid.UUID, text: str, row: Outbox | None = None) -> Answer | None:
        """The patient's message while a check-in is open; None when it is not an answer (the bot's turn).

        ``row`` is the open check-in when the caller already looked it up (:meth:`open_checkin`)."""
        row = row or self.open_checkin(patient_id)
        if row is None:
            return None
        from nlu.red_flags import is_emergency
        from nlu.symptoms import symptom_codes

        case_id = uuid.UUID(row.ref or "")
        fields = self.notify.fields_of(row)
        language = fields.get("_language") or "hi"
        entry: dict[str, Any] = {"outbox": str(row.id), "kind": row.kind, "day": fields.get("day", ""),
                                 "at": self.notify.clock().isoformat(), "said": text[:300]}
        if is_emergency(text):  # the bot's emergency advice answers; the doctor sees it at once
            return self._record(case_id, {**entry, "verdict": "emergency"}, None, reopen="emergency")
        picked = choice(text)
        if row.kind == "adherence" and picked in ("1", "2"):
            verdict = "taken" if picked == "1" else "missed"
            return self._record(case_id, {**entry, "verdict": verdict, "medicine": fields.get("medicine", "")},
                                t(f"followup_adherence_{verdict}", language))
        if row.kind == "checkin" and picked is not None:
            verdict = {"1": "better", "2": "same", "3": "worse"}[picked]
            doctor = fields.get("doctor", "")
            reply = t(f"followup_{verdict}", language, doctor=doctor)
            return self._record(case_id, {**entry, "verdict": verdict}, reply,
                                reopen="urgent" if verdict == "worse" else None)
        codes = symptom_codes(text)
        if not codes:
            return None
        return self._symptoms(case_id, entry, codes, language, fields.get("doctor", ""))

    def emergency(self, patient_id: uuid.UUID) -> uuid.UUID | None:
        """The bot answered an emergency of this patient: their case with a prescription of the
        last :data:`RECENT` reopens as an emergency (once a day). Returns the case id, if any."""
        case_id = self.handoff.recent_prescribed_case(patient_id, self.notify.clock() - RECENT)
        if case_id is None:
            return None
        today = self.notify.clock().date().isoformat()
        if any(e.get("verdict") == "emergency" and str(e.get("at", "")).startswith(today)
               for e in self.handoff.followup_entries(case_id)):
            return case_id
        self._record(case_id, {"outbox": "", "kind": "emergency", "day": "", "verdict": "emergency",
                               "at": self.notify.clock().isoformat()}, None, reopen="emergency")
        return case_id

    def _symptoms(self, case_id: uuid.UUID, entry: dict[str, Any], codes: list[str], language: str,
                  doctor: str) -> Answer:
        from engine.meds.assist import side_effect_check
        from nlu.symptoms import catalogue

        medicines = self.handoff.prescribed_medicines(case_id)
        warnings = side_effect_check(medicines, codes)
        names = ", ".join(catalogue()[c].name(language) if c in catalogue() else c for c in codes)
        entry = {**entry, "symptoms": codes}
        if not warnings:
            return self._record(case_id, {**entry, "verdict": "doctor"},
                                t("followup_new_symptom", language, symptoms=names, doctor=doctor), reopen="urgent")
        first = warnings[0]
        verdict = ("stop" if first.effect in STOP_EFFECTS else "doctor" if first.urgency == "urgent" else "continue")
        entry.update(side_effect={"symptom": first.symptom, "medicine": first.generic, "effect": first.effect,
                                  "urgency": first.urgency})
        reply = "\n".join([t(f"followup_verdict_{verdict}", language, medicine=first.medicine, doctor=doctor),
                           first.advice(language)])
        return self._record(case_id, {**entry, "verdict": verdict}, reply,
                            reopen="urgent" if verdict in ("stop", "doctor") else "routine")

    def _record(self, case_id: uuid.UUID, entry: dict[str, Any], reply: str | None, *,
                reopen: str | None = None) -> Answer:
        self.handoff.record_followup(case_id, entry, reopen=reopen)
        log.info("case %s follow-up: %s%s", case_id, entry["verdict"], " (reopened)" if reopen else "")
        return Answer(reply, entry["verdict"], case_id, reopen is not None)
