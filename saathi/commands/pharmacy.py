"""``saathi pharmacy migrate|seed|sweep|import|assign`` — tables, demo data, expiry, stock files, staff.

``seed`` adds the deterministic demo pharmacies of Ludhiana and Sangrur (only into an empty table
unless ``--force``); ``sweep`` releases expired holds; ``import PHARMACY_ID FILE`` loads a CSV/XLSX;
``assign PHARMACY_ID --user UUID --phone +91…`` links the pharmacist (portal login, SMS commands).
"""

from __future__ import annotations

import argparse
import uuid


def register(sub: argparse._SubParsersAction) -> None:
    ph = sub.add_parser("pharmacy", help="pharmacies: tables, demo data, expired holds, stock import")
    ph_sub = ph.add_subparsers(dest="pharmacy_command", required=True)
    ph_sub.add_parser("migrate", help="create the pharmacy tables")
    seed = ph_sub.add_parser("seed", help="add the demo pharmacies and stock (only when there are none)")
    seed.add_argument("--force", action="store_true", help="seed even if pharmacies exist")
    ph_sub.add_parser("sweep", help="release reservations whose hold has expired")
    imp = ph_sub.add_parser("import", help="load a stock list (CSV or XLSX) for one pharmacy")
    imp.add_argument("pharmacy", type=uuid.UUID)
    imp.add_argument("file")
    imp.add_argument("--replace", action="store_true", help="zero the products the file does not list")
    assign = ph_sub.add_parser("assign", help="link a pharmacy to its pharmacist (portal user, SMS phone)")
    assign.add_argument("pharmacy", type=uuid.UUID)
    assign.add_argument("--user", type=uuid.UUID, help="the pharmacist's portal user id")
    assign.add_argument("--phone", help="the pharmacist's mobile for SMS commands (only its salted hash is kept)")
    assign.add_argument("--language", choices=("hi", "pa", "en"), help="language of SMS replies")
    ph.set_defaults(func=run)


def seed_if_empty(url: str, *, force: bool = False) -> int:
    """Create the tables and seed the demo data into an empty table; returns pharmacies added."""
    from engine.pharmacy import migrate
    from engine.pharmacy.seed import seed
    from engine.pharmacy.service import PharmacyService
    from records.db import make_engine, make_session_factory

    migrate(url)
    engine = make_engine(url)
    try:
        service = PharmacyService(make_session_factory(engine))
        if service.pharmacy_count() and not force:
            return 0
        with service.sessions() as session:
            added = seed(session)
            session.commit()
        return added
    finally:
        engine.dispose()


def assign(args: argparse.Namespace) -> None:
    from engine.pharmacy.models import Pharmacy
    from records.identity import phone_hash
    from saathi.commands import services

    root = services()
    service = root.pharmacy
    with service.sessions() as session:
        shop = session.get(Pharmacy, args.pharmacy)
        if shop is None:
            raise SystemExit("no such pharmacy")
        if args.user:
            shop.manager_user_id = args.user
        if args.language:
            shop.language = args.language
        session.commit()
    # spelt as Twilio spells it (+91…) before hashing, or the SMS would never be recognised
    if args.phone and not service.set_sms_phone(args.pharmacy, phone_hash(args.phone, root.settings.sender_salt)):
        raise SystemExit("that phone is already linked to another pharmacy")
    print("pharmacy updated")


def run(args: argparse.Namespace) -> int:
    from config.settings import load

    url = load().effective_database_url
    if args.pharmacy_command == "migrate":
        from engine.pharmacy import migrate

        migrate(url)
        print("pharmacy tables ready")
    elif args.pharmacy_command == "seed":
        print(f"{seed_if_empty(url, force=args.force)} pharmacies added")
    elif args.pharmacy_command == "sweep":
        from saathi.commands import services

        print(f"{services().pharmacy.sweep()} reservations expired")
    elif args.pharmacy_command == "import":
        from pathlib import Path

        from engine.pharmacy.inventory import CsvAdapter, ExcelAdapter, import_stock
        from saathi.commands import services

        data = Path(args.file).read_bytes()
        adapter = ExcelAdapter(data) if args.file.lower().endswith(".xlsx") else CsvAdapter(data)
        service = services().pharmacy
        with service.sessions() as session:
            report = import_stock(session, args.pharmacy, adapter, replace=args.replace)
            session.commit()
        print(f"{report.stored} products stored, {len(report.rejected)} rows rejected")
        for line in report.rejected:
            print("  " + line)
    elif args.pharmacy_command == "assign":
        assign(args)
    return 0
