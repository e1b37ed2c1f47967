"""``.ics`` invitations (RFC 5545) for doctors: one VEVENT with the meeting link and a reminder.

No patient data goes in the invitation (calendars sync to phones and third-party servers): the
summary names only the service, the link is the doctor's own meeting link.
"""

from __future__ import annotations

import datetime as dt


def _stamp(value: dt.datetime) -> str:
    return value.astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space (RFC 5545 3.1)."""
    out, raw = [], line.encode("utf-8")
    while len(raw) > 75:
        cut = 75
        while (raw[cut] & 0xC0) == 0x80:  # never split a UTF-8 sequence
            cut -= 1
        out.append(raw[:cut].decode("utf-8"))
        raw = b" " + raw[cut:]
    out.append(raw.decode("utf-8"))
    return "\r\n".join(out)


def invitation(uid: str, starts_at: dt.datetime, ends_at: dt.datetime, *, summary: str, url: str = "",
               description: str = "", reminder_minutes: int = 10,
               now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now(dt.timezone.utc)
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Sehat Saathi//Portal//EN", "METHOD:REQUEST",
        "BEGIN:VEVENT", f"UID:{uid}@sehat-saathi", f"DTSTAMP:{_stamp(now)}", f"DTSTART:{_stamp(starts_at)}",
        f"DTEND:{_stamp(ends_at)}", f"SUMMARY:{_escape(summary)}",
    ]
    if description:
        lines.append(f"DESCRIPTION:{_escape(description)}")
    if url:
        lines += [f"URL:{url}", f"LOCATION:{_escape(url)}"]
    lines += ["BEGIN:VALARM", "ACTION:DISPLAY", f"DESCRIPTION:{_escape(summary)}",
              f"TRIGGER:-PT{reminder_minutes}M", "END:VALARM", "END:VEVENT", "END:VCALENDAR"]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
