"""Finding medicines at a pharmacy, reserving them, cancelling: thin glue over ``engine.pharmacy``.

"Where can I get Dolo 650 and Pan 40 in Dhuri?" → the best shops, numbered; a bare number then
comes back through ``action_choose`` (``pending_offer == "pharmacy"``) to :func:`reserve_choice`.
Medicines come from the message, else from a prescription photo of the last half hour (the
gateway's ``photo_medicines`` metadata), else from the patient's last prescription in the records;
the place from a WhatsApp shared location (``latitude``/``longitude`` metadata), a PIN or a village,
else the place of the previous search. Whatever is still missing is asked by ``pharmacy_form``
(opened with a FollowupAction, validated here); once filled, the rule brings us back to search.
After two answers it cannot read, the form gives up politely instead of trapping the patient.
"""

from __future__ import annotations

import logging
import re
import uuid
from abc import abstractmethod
from dataclasses import asdict
from typing import Any

from rasa_sdk.events import FollowupAction, SlotSet

from actions.common import SaathiAction, conversation_language, latest_text, red_flags_of_latest, say
from actions.forms import AnswerValidation, says_stop
from engine.i18n import t
from engine.pharmacy import OutOfStock, PharmacyService, Status, locate
from engine.pharmacy.geo import Location, place_label
from engine.pharmacy.notify import notification_fields, notification_key, rupees
from engine.pharmacy.search import Offer
from engine.pharmacy.wanted import Wanted, from_medications, from_text
from nlu.choice import to_ascii_digits

log = logging.getLogger(__name__)

#: "cancel my reservation" in every script (the NLU has no intent for it yet).
CANCEL_RE = re.compile(r"\b(cancel|radd|rad|raddh|cancle)\b|रद्द|कैंसल|ਰੱਦ|ਕੈਂਸਲ", re.IGNORECASE)
#: "reserve at 1", "1 book karo", "ਰਿਜ਼ਰਵ 2" right after a list of shops.
RESERVE_RE = re.compile(r"(?:reserve|book|rakh|रिज़र्व|रिजर्व|बुक|रख|ਰਿਜ਼ਰਵ|ਰਿਜਰਵ|ਬੁੱਕ|ਰੱਖ)\D{0,12}?(\d{1,2})(?!\d)|"
                        r"(?<!\d)(\d{1,2})\D{0,6}(?:reserve|book|रिज़र्व|बुक|ਰਿਜ਼ਰਵ|ਬੁੱਕ)", re.IGNORECASE)


def pharmacy_service() -> PharmacyService:
    """The pharmacy service of this process (``actions.services``, its composition root)."""
    from actions.services import current

    return current().pharmacy


class ActionFindPharmacy(SaathiAction):
    action_name = "action_find_pharmacy"

    def respond(self, dispatcher, tracker, domain, language):  # type: ignore[override]
        text = latest_text(tracker)
        try:
            if tracker.latest_action_name == FORM:  # the form's answer (or its stop word) is not a command
                return find(dispatcher, tracker, language, text)
            if CANCEL_RE.search(text):
                return cancel_reservation(dispatcher, tracker, language)
            chosen = RESERVE_RE.search(to_ascii_digits(text))
            if chosen and tracker.get_slot("pending_offer") == "pharmacy":
                return reserve_choice(dispatcher, tracker, language, int(chosen.group(1) or chosen.group(2)))
            return find(dispatcher, tracker, language, text)
        except Exception as exc:  # the shop search failing must not end the conversation
            # the type only: SQL errors quote their parameters, and those are the patient's medicines
            log.error("pharmacy search failed (%s)", type(exc).__name__)
            say(dispatcher, "pharmacy_unavailable", language)
            return [SlotSet("pending_offer", None)]


FORM = "pharmacy_form"
MAX_TRIES = 2


def metadata(tracker) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return (tracker.latest_message or {}).get("metadata") or {}


def remembered_place(tracker) -> Location | None:  # type: ignore[no-untyped-def]
    value = tracker.get_slot("pharmacy_place")
    try:
        return Location(**value) if isinstance(value, dict) else None
    except TypeError:
        return None


def find(dispatcher, tracker, language: str, text: str) -> list:  # type: ignore[no-untyped-def]
    wanted = (from_text(text) or from_text(tracker.get_slot("pharmacy_medicines") or "")
              or photo_medicines(tracker) or medicines_from_records(tracker, language))
    where = locate(text, metadata(tracker)) or remembered_place(tracker)
    reset = [SlotSet("pending_offer", None), SlotSet("pharmacy_medicines", None), SlotSet("pharmacy_tries", None)]
    if not wanted or where is None:
        if tracker.latest_action_name == FORM:  # the form gave up: do not ask all over again
            say(dispatcher, "pharmacy_search_stopped", language)
            return reset
        return [SlotSet("pending_offer", None), SlotSet("pharmacy_tries", 0.0),
                SlotSet("pharmacy_medicines", ", ".join(w.name for w in wanted) or None),
                SlotSet("pharmacy_place", asdict(where) if where else None), FollowupAction(FORM)]
    reset.append(SlotSet("pharmacy_place", asdict(where)))  # "near me" again next time
    service = pharmacy_service()
    service.sweep()  # holds that ran out go back on the shelf before we count stock
    offers = service.search(wanted, where)
    place = place_label(where.label, language) if where.label else t("pharmacy_your_location", language)
    if not offers:
        say(dispatcher, "pharmacy_none_found", language, place=place)
        return reset
    say(dispatcher, "pharmacy_results", language, place=place, medicines=", ".join(w.name for w in wanted),
        offers="\n".join(offer_line(i, o, len(wanted), language) for i, o in enumerate(offers, 1)),
        hours=f"{service.hold_for.total_seconds() / 3600:g}")
    say(dispatcher, "pharmacy_why_best", language, reasons=", ".join(reasons(offers, language)),
        substitutes=substitutes_text(offers[0], language))
    missing = [w.name for w in offers[0].missing]
    if missing:
        say(dispatcher, "pharmacy_missing", language, medicines=", ".join(missing))
    return [*reset, SlotSet("pending_offer", "pharmacy"), SlotSet("offered_slots", [o.to_slot() for o in offers])]


class ValidatePharmacyForm(AnswerValidation):
    """Reads the medicines or the place the first message lacked; gives up after two unreadable answers."""

    def name(self) -> str:
        return "validate_pharmacy_form"

    async def needed_slots(self, domain_slots, dispatcher, tracker, domain):  # type: ignore[no-untyped-def]
        return [] if (tracker.get_slot("pharmacy_tries") or 0) >= MAX_TRIES else domain_slots

    def _not_read(self, dispatcher, tracker, slot: str, key: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
        if says_stop(latest_text(tracker)):  # "bye", "bas", "ਰਹਿਣ ਦਿਓ": give up now, politely (find says so)
            return {slot: None, "pharmacy_tries": float(MAX_TRIES)}
        tries = (tracker.get_slot("pharmacy_tries") or 0) + 1
        if tries < MAX_TRIES:
            say(dispatcher, key, conversation_language(tracker))
        return {slot: None, "pharmacy_tries": float(tries)}

    # A one-word answer ("ਧੂਰੀ", "Dolo 650") is easily read by NLU as another intent (help, greet),
    # which the slot mappings exclude; when the words are a place or medicines we can read, they
    # are the answer whatever the intent — except an emergency, which must reach its rule.
    # `goodbye` is not excluded at all ("the big one" was read as goodbye and ended the form): a
    # goodbye-read answer is validated like any other, and only a real stop word stops the search.

    async def extract_pharmacy_place(self, dispatcher, tracker, domain) -> dict[str, Any]:  # type: ignore[no-untyped-def]
        text = latest_text(tracker)
        if not self._asked("pharmacy_place", tracker) or locate(text, metadata(tracker)) is None:
            return {}
        return {"pharmacy_place": text}

    async def extract_pharmacy_medicines(self, dispatcher, tracker, domain) -> dict[str, Any]:  # type: ignore[no-untyped-def]
        text = latest_text(tracker)
        if not self._asked("pharmacy_medicines", tracker) or not from_text(text):
            return {}
        return {"pharmacy_medicines": text}

    @staticmethod
    def _asked(slot: str, tracker) -> bool:  # type: ignore[no-untyped-def]
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        return tracker.get_slot("requested_slot") == slot and intent != "emergency" and not red_flags_of_latest(tracker)

    # rasa-sdk validates every slot set since the user spoke, including the values (or the Nones)
    # action_find_pharmacy set when it opened the form: only the user's own words are an answer.

    @staticmethod
    def _is_answer(slot_value: Any, tracker) -> bool:  # type: ignore[no-untyped-def]
        return isinstance(slot_value, str) and slot_value == latest_text(tracker)

    def validate_pharmacy_medicines(self, slot_value, dispatcher, tracker, domain):  # noqa: D102
        if not self._is_answer(slot_value, tracker):
            return {"pharmacy_medicines": slot_value}
        language = conversation_language(tracker)
        wanted = from_text(str(slot_value)) or photo_medicines(tracker) or medicines_from_records(tracker, language)
        if not wanted:
            return self._not_read(dispatcher, tracker, "pharmacy_medicines", "pharmacy_medicines_unknown")
        return {"pharmacy_medicines": ", ".join(w.name for w in wanted), "pharmacy_tries": 0.0}

    def validate_pharmacy_place(self, slot_value, dispatcher, tracker, domain):  # noqa: D102
        if not self._is_answer(slot_value, tracker):
            return {"pharmacy_place": slot_value}
        where = locate(str(slot_value), metadata(tracker))
        if where is None:
            return self._not_read(dispatcher, tracker, "pharmacy_place", "pharmacy_place_unknown")
        return {"pharmacy_place": asdict(where), "pharmacy_tries": 0.0}


class _AskOnce(SaathiAction):
    """Asks one pharmacy-form question (``action_ask_<slot>``) the first time; after an unreadable
    answer the validation's hint has asked already. Subclasses set ``slot`` and ``key``."""

    key = ""

    @property
    @abstractmethod
    def slot(self) -> str: ...

    @property
    def action_name(self) -> str:  # type: ignore[override]
        return f"action_ask_{self.slot}"

    def respond(self, dispatcher, tracker, domain, language):  # type: ignore[override]
        if not tracker.get_slot("pharmacy_tries"):
            say(dispatcher, self.key, language)
        return []


class ActionAskPharmacyMedicines(_AskOnce):
    slot, key = "pharmacy_medicines", "pharmacy_ask_medicines"


class ActionAskPharmacyPlace(_AskOnce):
    slot, key = "pharmacy_place", "pharmacy_ask_location"


def offer_line(number: int, offer: Offer, count: int, language: str) -> str:
    coverage = (t("pharmacy_has_all", language, count=count) if offer.covered == count
                else t("pharmacy_has_some", language, covered=offer.covered, count=count))
    name = f"{offer.name} ({t('pharmacy_jan_aushadhi', language)})" if offer.jan_aushadhi else offer.name
    opening = t("pharmacy_open_now", language) if offer.open_now else t("pharmacy_closed_opens", language,
                                                                       time=offer.opens_at)
    return t("pharmacy_offer_line", language, number=number, name=name, distance=f"{offer.distance_km:g}",
             coverage=coverage, price=rupees(offer.total_paise), open=opening)


def reasons(offers: list[Offer], language: str) -> list[str]:
    """Why the first shop is first, in the ranking's own terms (coverage, open, near, cheap)."""
    best, rest = offers[0], offers[1:]
    out = []
    if not rest or best.covered > max(o.covered for o in rest):
        out.append(t("pharmacy_reason_coverage", language))
    if best.open_now:
        out.append(t("pharmacy_reason_open", language))
    if all(best.distance_km <= o.distance_km for o in rest):
        out.append(t("pharmacy_reason_near", language))
    if all(best.total_paise <= o.total_paise for o in rest if o.covered == best.covered):
        out.append(t("pharmacy_reason_cheap", language))
    return out or [t("pharmacy_reason_coverage", language)]


def substitutes_text(offer: Offer, language: str) -> str:
    pairs = [f"{p.wanted.brand} → {p.brand}" for p in offer.picks if p.substitute]
    return t("pharmacy_substitutes", language, pairs=", ".join(pairs)) if pairs else ""


def photo_medicines(tracker) -> list[Wanted]:  # type: ignore[no-untyped-def]
    """The medicines of a prescription photo sent in the last half hour: the gateway read it (the bot
    never sees photos) and passes the names along as ``photo_medicines`` metadata."""
    items = metadata(tracker).get("photo_medicines")
    return from_medications(i for i in items if isinstance(i, dict)) if isinstance(items, list) else []


def medicines_from_records(tracker, language: str) -> list[Wanted]:  # type: ignore[no-untyped-def]
    """The medicines of the patient's latest prescription or prescription photo, if any."""
    try:
        from actions.health_record import me, patient_of, service
        from records import Purpose

        pid = patient_of(tracker, language)
        items = [i for i in service().history(me(pid), pid, purpose=Purpose.SELF_CARE) if i["kind"] == "medication"]
    except Exception as exc:
        log.warning("could not read the last prescription (%s)", type(exc).__name__)
        return []
    if not items:
        return []
    latest = max(i["at"] for i in items)
    return from_medications(i["data"] for i in items if (latest - i["at"]).total_seconds() < 600)


def reserve_choice(dispatcher, tracker, language: str, number: int | None) -> list:  # type: ignore[no-untyped-def]
    """"1" after a list of shops: hold the medicines there and give the pickup code."""
    offered = tracker.get_slot("offered_slots") or []
    if not number or not 1 <= number <= len(offered):
        say(dispatcher, "pharmacy_choice_invalid", language)
        return []
    chosen = offered[number - 1]
    from actions.health_record import patient_of

    try:
        view = pharmacy_service().reserve(uuid.UUID(chosen["pharmacy_id"]), patient_of(tracker, language),
                                          [(int(s), 1) for s in chosen["stock_ids"]], language)
    except OutOfStock:
        say(dispatcher, "pharmacy_out_of_stock", language, name=chosen["name"])
        return [SlotSet("pending_offer", None), SlotSet("offered_slots", None)]
    _say_status(dispatcher, view, language)
    return [SlotSet("pending_offer", None), SlotSet("offered_slots", None)]


def cancel_reservation(dispatcher, tracker, language: str) -> list:  # type: ignore[no-untyped-def]
    from actions.health_record import patient_of

    service = pharmacy_service()
    open_ones = service.open_for_patient(patient_of(tracker, language))
    if not open_ones:
        say(dispatcher, "pharmacy_cancel_none", language)
        return [SlotSet("pending_offer", None)]
    for view in open_ones:
        changed = service.change(view.id, Status.CANCELLED)
        if changed:
            _say_status(dispatcher, changed, language)
    return [SlotSet("pending_offer", None)]


def _say_status(dispatcher, view, language: str) -> None:  # type: ignore[no-untyped-def]
    say(dispatcher, notification_key(view), language, **notification_fields(view))
