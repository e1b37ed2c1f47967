"""Operator commands for the provider portal.

``saathi portal migrate``                    — create/upgrade the records and portal tables
``saathi portal create-admin USERNAME``      — first admin login (password asked, or --password)
``saathi portal seed-demo``                  — a demo doctor (on duty, slots today) and an admin, with
                                              random passwords and authenticators set up, printed once
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
    portal_sub.add_parser("seed-demo", help="demo doctor with slots, and an admin (credentials printed once)")
    portal_sub.add_parser("labels", help="print de-identified confirmed diagnoses as JSON lines")
    portal.set_defaults(func=run)


def _services():  # type: ignore[no-untyped-def]
    from config.settings import load
    from engine import schema
    from portal.services import build

    settings = load()
    schema.upgrade(settings.effective_database_url, target=schema.PORTAL)
    return build(settings)


def run(args: argparse.Namespace) -> int:
    from portal.accounts import AccountError
    from records import Role

    if args.portal_command == "migrate":
        from config.settings import load
        from engine import schema

        schema.upgrade(load().effective_database_url, target=schema.PORTAL)
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
        return _seed(services)
    if args.portal_command == "labels":
        from sqlalchemy import select

        from records.portal_models import DiagnosisLabel

        with services.records.sessions() as s:
            for row in s.scalars(select(DiagnosisLabel).order_by(DiagnosisLabel.day)):
                print(json.dumps({"day": row.day.isoformat(), "model_version": row.model_version,
                                  "features": row.features, "confirmed_icd10": row.confirmed_icd10}))
        return 0
    return 1


def _seed(services) -> int:  # type: ignore[no-untyped-def]
    """Demo logins that are safe to leave running: each gets its own random password and an
    authenticator enrolled here, both printed once (nowhere stored in clear). No fixed password,
    and no enrolment left for whoever signs in first."""
    import secrets
    import uuid

    from records import Role

    suffix = uuid.uuid4().hex[:4]
    doctor = services.records.register_doctor(name="Demo Doctor", specialty="general_physician",
                                              registration_number="DEMO-0001", languages=["hi", "pa", "en"])
    admin = services.records.register_staff(Role.ADMIN)
    for user_id, name in ((doctor, f"doctor-{suffix}"), (admin, f"admin-{suffix}")):
        password = "Demo-" + secrets.token_urlsafe(15)
        services.accounts.create(user_id, name, password)
        uri = services.accounts.enrol_totp(user_id)
        print(f"{name}  password: {password}\n  authenticator (add it now, it is not shown again): {uri}")
    services.accounts.set_on_duty(doctor, True)
    now = dt.datetime.now(dt.timezone.utc).replace(second=0, microsecond=0)
    services.handoff.add_slots(doctor, now - dt.timedelta(minutes=5), now + dt.timedelta(hours=8), 15)
    print("doctor is on duty with 15-minute slots for the next 8 hours")
    return 0
