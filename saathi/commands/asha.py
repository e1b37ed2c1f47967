"""``saathi asha migrate|register|send-code|daily`` — ASHA workers: tables, enrolment, phone verification,
the morning summaries (run ``saathi asha daily`` once a day from cron: with Redis any time before
08:00 IST, without Redis at 08:00, when it sends them itself).

``register`` creates the ASHA (records user, encrypted name and village, area) and texts her a
one-time code; she answers ``VERIFY <code>`` from that phone, and only then are her command
messages handled as ASHA commands. Nothing printed names her phone number.
"""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    asha = sub.add_parser("asha", help="ASHA workers: tables, registration, phone verification")
    asha_sub = asha.add_subparsers(dest="asha_command", required=True)
    asha_sub.add_parser("migrate", help="bring the ASHA and notify tables to the newest schema (seals old rows)")
    reg = asha_sub.add_parser("register", help="register an ASHA and text her a verification code")
    reg.add_argument("--name", required=True)
    reg.add_argument("--village", required=True)
    reg.add_argument("--area", required=True, help="her area code (sub-centre / block)")
    reg.add_argument("--serves", help="villages she serves, comma-separated (default: her village); "
                                      "emergencies there reach her")
    reg.add_argument("--phone", required=True, help="her mobile, +91…")
    reg.add_argument("--language", choices=("hi", "pa", "en"), default="hi")
    code = asha_sub.add_parser("send-code", help="text a registered ASHA a new verification code")
    code.add_argument("--phone", required=True)
    daily = asha_sub.add_parser("daily", help="schedule today's summary to each ASHA (08:00 IST)")
    daily.add_argument("--date", help="YYYY-MM-DD (default: today in India)")
    asha.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from channels.services import GatewayServices
    from config.settings import load
    from engine.notify import migrate as migrate_notify

    # this command's composition root: one engine, one records service, the ASHA service on them
    # (made as the gateway makes its own, so a REFER or an alert behaves the same from here)
    settings = load()
    services = GatewayServices(settings)  # its alerts and reminders are scheduled on the same engine
    service = services.asha  # brings the ASHA tables up first
    if args.asha_command == "migrate":
        migrate_notify(settings.effective_database_url, services.records)
        return 0
    from channels import asha as hook
    from engine.asha.enrolment import phone_hash
    from engine.asha.villages import parse_area

    if args.asha_command == "register":
        user_id = hook.enrol(settings, service, name=args.name, village=args.village, area=args.area,
                             language=args.language, phone=args.phone,
                             serves=parse_area(args.serves) if args.serves else None)
        print(f"ASHA {user_id} registered; verification code sent by SMS")
        return 0
    if args.asha_command == "daily":
        return _daily(services, args.date)
    worker = service.worker(phone_hash(args.phone, settings.sender_salt))
    if worker is None:
        print("no ASHA with this phone")
        return 1
    hook.send_code(settings, service, worker.user_id, args.phone, worker.language)
    print(f"new verification code sent to ASHA {worker.user_id}")
    return 0


def _daily(services, date: str | None) -> int:  # type: ignore[no-untyped-def]
    """With Redis the summaries are RQ jobs for 08:00 IST. Without it this process would exit before
    an in-process timer fires, so (run it from cron at 08:00) the due ones are sent right here."""
    import datetime as dt

    from engine.notify import jobs, migrate, producers

    settings, service = services.settings, services.asha
    if not settings.redis_url:  # no timers: this command sends the due summaries itself, below
        migrate(settings.effective_database_url, services.records)
        services.provide(notify=jobs.build(settings, services.records, sender=services.sender,
                                           scheduler=_NoTimers()))
    notify = services.notify
    day = dt.date.fromisoformat(date) if date else service.today()
    print(f"{producers.daily_summaries(notify, service, day)} summaries scheduled for {day}")
    if not settings.redis_url:
        now = notify.clock()
        sent = [notify.dispatch(row.id) for row in notify.pending()
                if row.kind == "daily" and row.due_at.replace(tzinfo=row.due_at.tzinfo or dt.timezone.utc) <= now]
        print(f"{sent.count('sent')} sent now (no REDIS_URL)")
    return 0


class _NoTimers:
    def at(self, when, function, *args):  # type: ignore[no-untyped-def]
        return ""
