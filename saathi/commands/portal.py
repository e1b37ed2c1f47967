"""Operator commands for the provider portal.

``saathi portal migrate``                    — create/upgrade the records and portal tables
``saathi portal create-admin USERNAME``      — first admin login (password asked, or --password)
``saathi portal seed-demo``                  — a demo doctor (on duty, slots today) and an admin
``saathi portal labels``                     — de-identified confirmed diagnoses (JSON lines) for retraining

Staff set up their authenticator (TOTP) at first sign-in, from the QR code the portal shows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import sys


def register(sub: argparse._SubParsersAction) -> None:
    portal = sub.add_parser("portal", help="provider portal: migrate, accounts, demo data")
    portal_sub = portal.add_subparsers(dest="portal_command", required=True)
    portal_sub.add_parser("migrate", help="create or upgrade the records and portal tables")
    admin = portal_sub.add_parser("create-admin", help="create an administrator login")
    admin.add_argument("username")
    admin.add_argument("--password", help="(default: asked without echo)")
    admin.add_argument("--phone", help="phone number for password reset codes")
    seed = portal_sub.add_parser("seed-demo", help="demo doctor with slots, and an admin")
    seed.add_argument("--password", default="Demo-Password-1")
    portal_sub.add_parser("labels", help="print de-identified confirmed diagnoses as JSON lines")
    portal.set_defaults(func=run)


def _services():  # type: ignore[no-untyped-def]
    from portal.services import build
    from records import portal_migrations
    from saathi.settings import load

    settings = load()
    portal_migrations.upgrade(settings.effective_database_url)
    return build(settings)


def run(args: argparse.Namespace) -> int:
    from portal.accounts import AccountError
    from records import Role

    if args.portal_command == "migrate":
        from records import portal_migrations
        from saathi.settings import load

        portal_migrations.upgrade(load().effective_database_url)
        print("portal tables are up to date")
        return 0
    services = _services()
    if args.portal_command == "create-admin":
        password = args.password or getpass.getpass("password: ")
        try:
            uid = services.records.register_staff(Role.ADMIN)
            services.accounts.create(uid, args.username, password, phone=args.phone)
        except AccountError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        print(f"admin {args.username} created; set up the authenticator at first sign-in")
        return 0
    if args.portal_command == "seed-demo":
        return _seed(services, args.password)
    if args.portal_command == "labels":
        from sqlalchemy import select

        from records.portal_models import DiagnosisLabel

        with services.records.sessions() as s:
            for row in s.scalars(select(DiagnosisLabel).order_by(DiagnosisLabel.day)):
                print(json.dumps({"day": row.day.isoformat(), "model_version": row.model_version,
                                  "features": row.features, "confirmed_icd10": row.confirmed_icd10}))
        return 0
    return 1


def _seed(services, password: str) -> int:  # type: ignore[no-untyped-def]
    import uuid

    from records import Role

    suffix = uuid.uuid4().hex[:4]
    doctor = services.records.register_doctor(name="Demo Doctor", specialty="general_physician",
                                              registration_number="DEMO-0001", languages=["hi", "pa", "en"])
    services.accounts.create(doctor, f"doctor-{suffix}", password)
    services.accounts.set_on_duty(doctor, True)
    now = dt.datetime.now(dt.timezone.utc).replace(second=0, microsecond=0)
    services.handoff.add_slots(doctor, now - dt.timedelta(minutes=5), now + dt.timedelta(hours=8), 15)
    admin = services.records.register_staff(Role.ADMIN)
    services.accounts.create(admin, f"admin-{suffix}", password)
    for name in (f"doctor-{suffix}", f"admin-{suffix}"):
        print(f"{name}  password: {password}  (scan the QR code at first sign-in)")
    print("doctor is on duty with 15-minute slots for the next 8 hours")
    return 0
