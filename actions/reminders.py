"""The patient's medicine-reminder times from chat: "subah 7 baje, raat 9 baje" → saved and applied.

Thin: reading the times and moving scheduled reminders is ``engine.notify.dose_times``.
"""

from __future__ import annotations

import datetime as dt
import logging

from actions.common import SaathiAction, latest_text, say
from engine.i18n import t
from engine.notify import timing
from engine.notify.timing import DEFAULT_TIMES

log = logging.getLogger(__name__)


def times_text(times: dict[str, dt.time], language: str) -> str:
    """"morning 07:00, night 21:30" in the slots' order of the day."""
    return ", ".join(f"{t(f'reminder_slot_{slot}', language)} {times[slot]:%H:%M}"
                     for slot in DEFAULT_TIMES if slot in times)


class ActionReminderTimes(SaathiAction):
    action_name = "action_reminder_times"

    def respond(self, dispatcher, tracker, domain, language):  # type: ignore[override]
        from actions.health_record import patient_of
        from engine.notify import jobs
        from engine.notify.dose_times import change_dose_times, chosen_times, parse_dose_times

        wanted = parse_dose_times(latest_text(tracker))
        try:
            service = jobs.service()
            patient = patient_of(tracker, language)
            if wanted:
                moved = change_dose_times(service, patient, wanted)
                log.info("reminder times changed (%d scheduled reminders moved)", moved)
                say(dispatcher, "reminder_times_set", language, times=times_text(wanted, language))
                quiet = {slot: at for slot, at in wanted.items() if timing.in_quiet_hours(
                    dt.datetime.combine(dt.date.today(), at, timing.IST), *service.quiet_hours)}
                if quiet:  # the rule: nothing is sent in quiet hours, so say what happens instead
                    start, end = service.quiet_hours
                    say(dispatcher, "reminder_times_quiet", language, times=times_text(quiet, language),
                        start=f"{start:02d}", end=f"{end:02d}")
            else:
                say(dispatcher, "reminder_times_help", language,
                    times=times_text(chosen_times(service, patient), language))
        except Exception as exc:  # the database being down must not end the conversation
            log.error("reminder times failed (%s)", type(exc).__name__)
            say(dispatcher, "reminder_times_unavailable", language)
        return []
