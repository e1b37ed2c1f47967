"""India Standard Time, defined once: quiet hours, reminder times and dates shown to people use it;
and the one clock rows are stamped with (UTC, aware)."""

import datetime as dt
from zoneinfo import ZoneInfo

#: The one time zone of the service (no daylight saving: always UTC+05:30).
IST = ZoneInfo("Asia/Kolkata")


def utcnow() -> dt.datetime:
    """Now, aware, in UTC: what every table stores (shown to people in :data:`IST`)."""
    return dt.datetime.now(dt.timezone.utc)
