"""The pharmacist's SMS commands, a plain function the channel layer calls for a known pharmacist.

    STOCK PARACETAMOL 500 120 [PRICE]   set stock (generic or brand, strength, units, optional ₹)
    STOCK DOLO 650 50                   a brand name with its strength works too
    READY 123456                        the order with pickup code 123456 is packed
    DONE 123456                         picked up
    CANCEL 123456                       cannot supply; the hold is released
    HELP

The command word may also be written in Devanagari or Gurmukhi (स्टॉक/ਸਟਾਕ, तैयार/ਤਿਆਰ, दिया/ਦਿੱਤਾ,
रद्द/ਰੱਦ, मदद/ਮਦਦ) and numbers in Indic digits: pharmacists type on whatever keyboard their phone has.

The pharmacist is identified by the salted hash of their phone (never the number itself), which
the shop's record stores in ``sms_phone_hash``. Replies come from the catalogue in the shop's
language and fit one or two SMS.
"""

from __future__ import annotations

import re
import uuid

from sqlalchemy import select

from engine.i18n import t
from engine.pharmacy.inventory import apply, row_from_fields
from engine.pharmacy.models import Pharmacy, Status
from engine.pharmacy.service import PharmacyService

_NUMBER_RE = re.compile(r"^\d+(?:\.\d+)?(?:mg|mcg|g|ml|iu)?$", re.IGNORECASE)
_CODE_RE = re.compile(r"^\d{4,8}$")
_DIGITS = str.maketrans("०१२३४५६७८९੦੧੨੩੪੫੬੭੮੯", "01234567890123456789")
STATUS_WORDS = {"ready": Status.READY, "done": Status.PICKED_UP, "picked": Status.PICKED_UP,
                "cancel": Status.CANCELLED}
#: Every spelling of a command word → its English name (the first word of the SMS, lowercased).
COMMAND_WORDS = {
    "stock": "stock", "स्टॉक": "stock", "स्टाक": "stock", "ਸਟਾਕ": "stock", "ਸਟੌਕ": "stock",
    "ready": "ready", "तैयार": "ready", "तयार": "ready", "ਤਿਆਰ": "ready",
    "done": "done", "picked": "picked", "दिया": "done", "ਦਿੱਤਾ": "done", "ਦਿਤਾ": "done",
    "cancel": "cancel", "रद्द": "cancel", "रद": "cancel", "ਰੱਦ": "cancel", "ਰਦ": "cancel",
    "help": "help", "मदद": "help", "ਮਦਦ": "help",
}


def normalise(text: str) -> list[str]:
    """The SMS as words, the command word in English and digits in ASCII ("तैयार १२३४५६" → ["ready", "123456"])."""
    words = (text or "").translate(_DIGITS).split()
    if words:
        words[0] = COMMAND_WORDS.get(words[0].lower().strip(".:!।"), words[0].lower())
    return words


def looks_like_command(text: str) -> bool:
    """Cheap check for the gateway, before any lookup: could this be a pharmacist's command?

    STOCK with anything after it; READY/DONE/CANCEL only with a pickup code (a bare "CANCEL" is
    the SMS opt-out word and must stay one); HELP only alone. Everything else is for the bot."""
    words = normalise(text)
    if not words or words[0] not in COMMAND_WORDS.values():
        return False
    if words[0] == "stock":
        return len(words) > 1
    if words[0] == "help":
        return len(words) == 1
    return len(words) == 2 and bool(_CODE_RE.match(words[1]))


def is_pharmacist(pharmacist_phone_hash: str, service: PharmacyService) -> bool:
    """Is this salted phone hash a registered pharmacy's SMS phone?"""
    with service.sessions() as session:
        found = session.scalar(select(Pharmacy.id).where(Pharmacy.sms_phone_hash == pharmacist_phone_hash))
    return found is not None


def parse_stock(words: list[str]) -> dict[str, str]:
    """``["PARACETAMOL", "500", "120", "2.5"]`` → fields for :func:`row_from_fields`."""
    numbers: list[str] = []
    while words and _NUMBER_RE.match(words[-1]) and len(numbers) < 3:
        numbers.insert(0, words.pop())
    if len(numbers) < 2 or not words:
        raise ValueError("expected: STOCK <medicine> <strength> <units> [price]")
    strength, quantity, *price = numbers
    name = " ".join(words)
    # "DOLO 650": the number belongs to the brand's name
    from engine.pharmacy.wanted import resolve_name

    if resolve_name(f"{name} {strength}") and not resolve_name(name):
        name = f"{name} {strength}"
    return {"medicine": name, "strength": strength, "quantity": quantity, "price": price[0] if price else "0"}


def handle_stock_command(pharmacist_phone_hash: str, text: str, service: PharmacyService) -> str:
    """The reply to one SMS from a pharmacist (unknown senders get a neutral refusal); ``service``:
    the process's (the gateway's :class:`channels.services.GatewayServices`)."""
    with service.sessions() as session:
        shop = session.scalar(select(Pharmacy).where(Pharmacy.sms_phone_hash == pharmacist_phone_hash))
        if shop is None:
            return t("pharmacy_sms_unknown_sender", "en")
        shop_id, language = shop.id, shop.language
    words = normalise(text)
    command = words[0] if words else ""
    if command == "stock":
        return _stock(service, shop_id, words[1:], language)
    if command in STATUS_WORDS and len(words) == 2:
        return _status(service, shop_id, words[1], STATUS_WORDS[command], language)
    return t("pharmacy_sms_help", language)


def _stock(service: PharmacyService, shop_id: uuid.UUID, words: list[str], language: str) -> str:
    try:
        row = row_from_fields(parse_stock(list(words)))
    except ValueError:
        return t("pharmacy_sms_bad_stock", language)
    with service.sessions() as session:
        apply(session, shop_id, [row])
        session.commit()
    return t("pharmacy_sms_stock_saved", language, medicine=f"{row.generic} {row.strength}".strip(),
             units=row.quantity)


def _status(service: PharmacyService, shop_id: uuid.UUID, code: str, status: Status, language: str) -> str:
    found = service.by_code(shop_id, code)
    if found is None:
        return t("pharmacy_sms_no_such_code", language, code=code)
    if service.change(found.id, status) is None:
        return t("pharmacy_sms_cannot_change", language, code=code)
    return t("pharmacy_sms_status_saved", language, code=code, status=t(f"pharmacy_label_{status.value}", language))
