"""India Standard Time, defined once: quiet hours, reminder times and dates shown to people use it."""

from zoneinfo import ZoneInfo

#: The one time zone of the service (no daylight saving: always UTC+05:30).
IST = ZoneInfo("Asia/Kolkata")
