"""WhatsApp and SMS turns through the gateway: replies, idempotency, limits, the pictorial menu."""

from __future__ import annotations

import pytest

from channels.types.whatsapp.render import split_long
from engine.i18n import t
from records.identity import sender_id

pytest.register_assert_rewrite("tests.channels_fixtures")  # it is also a plugin (below)
from tests.channels_fixtures import SMS_USER, WHATSAPP_USER, twiml_media, twiml_messages  # noqa: E402

pytest_plugins = ["tests.channels_fixtures"]


def test_whatsapp_text_reaches_rasa_under_a_salted_hash_and_the_reply_comes_back(hooks, rasa, channel_settings):
    response = hooks.message(WHATSAPP_USER, "नमस्ते")
    xml = response.get_data(as_text=True)
    messages = twiml_messages(xml)
    assert messages[0] == t("core_greet", "hi")
    sender, text, metadata = rasa.calls[0]
    assert text == "नमस्ते" and metadata == {"channel": "whatsapp", "identity": "authenticated",
                                             "message_id": metadata["message_id"]}
    assert metadata["message_id"].startswith("SM")  # its MessageSid: Rasa runs a second copy once only
    assert sender == sender_id("+919812345678", channel_settings.sender_salt)
    assert "9812345678" not in sender
    # The same person over SMS is the same conversation.
    assert sender_id(SMS_USER[:-1] + "8", channel_settings.sender_salt) == sender


def test_a_retried_message_sid_is_answered_once(hooks, rasa, gateway, channel_settings):
    """A repeat gets the first delivery's answer again (Twilio never had it), not a second turn;
    the kept answer goes with the sender's erasure."""
    params = hooks.message_params(WHATSAPP_USER, "मुझे बुखार है", sid="SMretry1")
    first = twiml_messages(hooks.post("/twilio/messaging", params).get_data(as_text=True))
    second = hooks.post("/twilio/messaging", params)
    assert first and second.status_code == 200 and twiml_messages(second.get_data(as_text=True)) == first
    assert rasa.texts() == ["मुझे बुखार है"]
    gateway.store.forget(sender_id(WHATSAPP_USER, channel_settings.sender_salt))
    assert twiml_messages(hooks.post("/twilio/messaging", params).get_data(as_text=True)) == []
    assert rasa.texts() == ["मुझे बुखार है"]


def test_a_message_whose_gateway_died_mid_turn_is_answered_by_the_repeat(hooks, rasa, gateway, monkeypatch):
    """A replica claimed the sid and was killed before answering: the load balancer's repeat waits
    out the claim and answers (before, the sid counted as answered and the message was lost)."""
    from channels import messaging

    monkeypatch.setattr(messaging, "CLAIM_SECONDS", 1)
    gateway.store.add_once("sid:SMdied1", ttl=1)  # what the killed replica left
    params = hooks.message_params(WHATSAPP_USER, "मुझे बुखार है", sid="SMdied1")
    repeat = hooks.post("/twilio/messaging", params)
    assert twiml_messages(repeat.get_data(as_text=True)) and rasa.texts() == ["मुझे बुखार है"]


def test_rate_limit_answers_politely_once_then_stays_silent(hooks, rasa, channel_settings):
    limit = channel_settings.rate_limit_per_minute
    for _ in range(limit):
        assert hooks.message(WHATSAPP_USER, "hello").status_code == 200
    polite = twiml_messages(hooks.message(WHATSAPP_USER, "hello").get_data(as_text=True))
    silent = twiml_messages(hooks.message(WHATSAPP_USER, "hello").get_data(as_text=True))
    assert polite == [t("channels_rate_limited", "en")] and "108" in polite[0]
    assert silent == []
    assert len(rasa.calls) == limit
    # Another sender is not affected.
    assert twiml_messages(hooks.message("whatsapp:+919800000001", "hello").get_data(as_text=True))


def test_too_long_body_and_unknown_media_get_polite_replies(hooks, rasa):
    long = hooks.message(WHATSAPP_USER, "बुखार " * 400)
    assert twiml_messages(long.get_data(as_text=True)) == [t("channels_too_long", "hi")]
    vcard = hooks.message(WHATSAPP_USER, media=[("https://api.twilio.com/x/Media/ME1", "text/vcard")])
    assert twiml_messages(vcard.get_data(as_text=True)) == [t("channels_media_unsupported", "hi")]
    assert rasa.calls == []


def test_malformed_forms_never_crash(hooks, rasa):
    assert hooks.post("/twilio/messaging", {"Body": "no sender"}).status_code == 400
    odd = {"From": WHATSAPP_USER, "MessageSid": "SModd", "NumMedia": "lots", "Body": "hello"}
    assert hooks.post("/twilio/messaging", odd).status_code == 200
    nomedia = {"From": WHATSAPP_USER, "MessageSid": "SModd2", "NumMedia": "3", "Body": "hello"}
    assert hooks.post("/twilio/messaging", nomedia).status_code == 200
    assert rasa.texts() == ["hello", "hello"]


def test_pictorial_menu_card_once_and_number_selects_a_symptom(hooks, rasa, app):
    first = hooks.message(WHATSAPP_USER, "नमस्ते").get_data(as_text=True)
    texts, media = twiml_messages(first), twiml_media(first)
    assert "1 🤒 बुखार" in texts[-1] and "8 🫁" in texts[-1]
    assert media == ["https://saathi.example.org/media/cards/symptoms-hi.png"]
    card = app.test_client().get("/media/cards/symptoms-hi.png")
    assert card.status_code == 200 and card.data[:8] == b"\x89PNG\r\n\x1a\n" and len(card.data) > 10_000
    # The card goes once; the text menu again when the bot waits for a symptom again.
    again = hooks.message(WHATSAPP_USER, "नमस्ते").get_data(as_text=True)
    assert twiml_media(again) == [] and "1 🤒" in twiml_messages(again)[-1]
    hooks.message(WHATSAPP_USER, "३")  # a Devanagari digit picks the third picture
    assert rasa.texts()[-1] == "सिर दर्द"
    hooks.message(WHATSAPP_USER, "3")  # no menu pending any more: the number goes to the bot as is
    assert rasa.texts()[-1] == "3"


def test_long_replies_split_on_sentence_boundaries(hooks):
    xml = hooks.message(WHATSAPP_USER, "a long answer please").get_data(as_text=True)
    pieces = twiml_messages(xml)
    assert len(pieces) >= 2 and all(len(p) <= 1600 for p in pieces)
    assert all(p.endswith(".") for p in pieces)
    assert split_long("Short one.") == ["Short one."]
    assert split_long("x" * 3500) and all(len(p) <= 1600 for p in split_long("x" * 3500))


def test_emergency_comes_first_and_gets_no_menu(hooks):
    xml = hooks.message(WHATSAPP_USER, "मेरे सीने में दर्द है").get_data(as_text=True)
    texts = twiml_messages(xml)
    assert texts[0].startswith(t("core_emergency", "hi"))
    assert twiml_media(xml) == [] and "🤒" not in xml


def test_sms_keywords_stop_start_help_and_language(hooks, rasa):
    help_reply = twiml_messages(hooks.message(SMS_USER, "help").get_data(as_text=True))
    assert help_reply == [t("channels_sms_help", "hi")]
    hooks.message(SMS_USER, "PA")
    assert rasa.texts()[-1] == "ਪੰਜਾਬੀ ਵਿੱਚ ਗੱਲ ਕਰੋ"
    stopped = twiml_messages(hooks.message(SMS_USER, "STOP").get_data(as_text=True))
    assert "START" in stopped[0]
    calls = len(rasa.calls)
    assert twiml_messages(hooks.message(SMS_USER, "hello").get_data(as_text=True)) == []
    assert len(rasa.calls) == calls  # opted out: nothing processed, nothing sent
    started = twiml_messages(hooks.message(SMS_USER, "START").get_data(as_text=True))
    assert started and twiml_messages(hooks.message(SMS_USER, "hello").get_data(as_text=True))


def test_sms_triage_answer_is_condensed_to_two_segments(hooks):
    from channels.types.sms.render import segments

    xml = hooks.message(SMS_USER, "triage please").get_data(as_text=True)
    (reply,) = twiml_messages(xml)
    assert segments(reply) <= 2
    assert "Dengue" in reply and "Malaria" not in reply  # the top condition only
    assert "1 Yes" in reply and "24 hours" in reply and "physician" in reply


def test_a_message_without_text_or_media_gets_a_hint(hooks, rasa):
    sticker = {"From": WHATSAPP_USER, "MessageSid": "SMsticker", "Body": "", "NumMedia": "0"}
    reply = twiml_messages(hooks.post("/twilio/messaging", sticker).get_data(as_text=True))
    assert reply == [t("core_choice_unknown", "hi")] and rasa.calls == []
    garbage = {**sticker, "MessageSid": "SMbadloc", "Latitude": "91.5", "Longitude": "75.8"}
    reply = twiml_messages(hooks.post("/twilio/messaging", garbage).get_data(as_text=True))
    assert reply == [t("core_choice_unknown", "hi")] and rasa.calls == []


def test_a_shared_location_asks_the_bot_for_pharmacies_near_it(hooks, rasa, channel_settings):
    location = {"From": WHATSAPP_USER, "MessageSid": "SMloc", "Body": "", "NumMedia": "0",
                "Latitude": "30.3686", "Longitude": "75.8675", "Label": "  Dhuri   bus stand ",
                "Address": "Dhuri, Punjab 148024"}
    reply = twiml_messages(hooks.post("/twilio/messaging", location).get_data(as_text=True))
    assert reply and reply[0] == t("core_ask_patient", "en")
    (sender, text, metadata), = rasa.calls
    assert sender == sender_id(WHATSAPP_USER, channel_settings.sender_salt)
    assert text == "/find_pharmacy"
    assert metadata == {"channel": "whatsapp", "identity": "authenticated", "latitude": 30.3686, "longitude": 75.8675,
                        "label": "Dhuri bus stand", "message_id": "SMloc"}
    # What the pharmacy engine reads from that metadata is the shared pin itself.
    from engine.pharmacy import locate

    where = locate("", metadata)
    assert (where.lat, where.lon, where.source) == (30.3686, 75.8675, "shared")
    # After a greeting's picture menu, a pin ends the menu: the "1" that follows is for the bot (a shop).
    hooks.message(WHATSAPP_USER, "hello")
    hooks.post("/twilio/messaging", {**location, "MessageSid": "SMloc3"})
    hooks.message(WHATSAPP_USER, "1")
    assert rasa.texts()[-2:] == ["/find_pharmacy", "1"]
    # A location that comes with words keeps the words.
    hooks.post("/twilio/messaging", {**location, "MessageSid": "SMloc2", "Body": "Dolo 650 kahan milegi"})
    assert rasa.calls[-1][1:] == ("Dolo 650 kahan milegi", {**metadata, "message_id": "SMloc2"})


def test_a_photos_medicines_ride_along_with_the_next_turns(hooks, rasa, gateway, channel_settings):
    from channels.work import remember_medicines
    from engine.meds.parse import Medication

    sender = sender_id(WHATSAPP_USER, channel_settings.sender_salt)
    remember_medicines(gateway, sender, [])  # a photo without medicines leaves nothing behind
    hooks.message(WHATSAPP_USER, "hello")
    assert "photo_medicines" not in rasa.calls[-1][2]
    remember_medicines(gateway, sender, [Medication("Dolo 650", "paracetamol", "650 mg", "tablet", "1-0-1")])
    hooks.message(WHATSAPP_USER, "where can I get these medicines in Dhuri")
    assert rasa.calls[-1][2] == {"channel": "whatsapp", "identity": "authenticated", "photo_medicines": [
        {"name": "Dolo 650", "generic": "paracetamol", "strength": "650 mg", "form": "tablet"}],
        "message_id": rasa.calls[-1][2]["message_id"]}
    from engine.pharmacy.wanted import from_medications  # what the bot can make of them

    assert [w.generic for w in from_medications(rasa.calls[-1][2]["photo_medicines"])] == ["paracetamol"]
    hooks.message(SMS_USER[:-1] + "0", "hello")  # someone else's turns carry nothing
    assert "photo_medicines" not in rasa.calls[-1][2]


@pytest.mark.parametrize(("latitude", "longitude", "expected"), [
    ("30.3686", "75.8675", (30.3686, 75.8675)),
    ("-33.9", "151.2", (-33.9, 151.2)),
    ("90", "-180", (90.0, -180.0)),
    ("90.0001", "75", None),
    ("30", "180.5", None),
    ("nan", "75", None),
    ("inf", "75", None),
    ("30,36", "75", None),
    ("", "75", None),
    ("30.1", None, None),
    ("abc", "def", None),
])
def test_shared_location_fields_are_validated(latitude, longitude, expected):
    from channels.inbound import parse_message

    form = {"From": WHATSAPP_USER, "Body": "", "Latitude": latitude}
    if longitude is not None:
        form["Longitude"] = longitude
    message = parse_message(form)
    got = (message.location.latitude, message.location.longitude) if message.location else None
    assert got == expected


def test_shared_location_label_is_trimmed_and_bounded():
    from channels.inbound import parse_message
    from channels.types.whatsapp.location import MAX_LABEL_CHARS

    message = parse_message({"From": WHATSAPP_USER, "Latitude": "30", "Longitude": "75", "Label": "x" * 500,
                             "Address": "\n a \t b "})
    assert message.location.label == "x" * MAX_LABEL_CHARS and message.location.address == "a b"
    assert parse_message({"From": WHATSAPP_USER, "Body": "hi"}).location is None


def test_memory_store_expires_and_sweeps():
    import time

    from engine.store import MemoryStore

    store = MemoryStore()
    assert store.add_once("a", ttl=1) and not store.add_once("a", ttl=1)
    store.SWEEP_EVERY = 3
    store.set("old", 1, ttl=1)
    store._data["old"] = (1, time.monotonic() - 1)  # already expired
    store.set("x", 1)
    store.set("y", 1)  # third write: sweep
    assert "old" not in store._data and store.get("x") == 1


def test_picture_card_fonts_have_every_character_they_draw():
    from PIL import ImageFont

    from channels.symptom_menu import FONTS, categories, label

    for language in ("hi", "pa", "en"):
        font = ImageFont.truetype(FONTS[language], 30)

        def glyph(ch: str, font=font) -> tuple:
            mask = font.getmask(ch)
            return mask.size, bytes(mask)

        missing = glyph("\U000f0000")  # a private-use character: the font's "missing" box
        texts = [t("channels_symptom_card_title", language),
                 t("channels_symptom_card_footer", language).replace("·", "-")]
        texts += [label(c, language) for c in categories()]
        for ch in {ch for text in texts for ch in text if not ch.isspace()}:
            assert glyph(ch) != missing, f"{language}: no glyph for {ch!r}"
    gurmukhi = ImageFont.truetype(FONTS["pa"], 30)
    assert glyph("·", gurmukhi) == glyph("\U000f0000", gurmukhi)  # the check sees a missing glyph


def test_senders_arriving_together_after_a_start_all_get_the_card(tmp_path):
    """The first senders after a start draw the card at the same time; none may fail (a 500 made
    Twilio retry, and the retry then counted as answered)."""
    from concurrent.futures import ThreadPoolExecutor

    from channels.symptom_menu import card_path

    with ThreadPoolExecutor(max_workers=8) as pool:
        paths = list(pool.map(lambda _: card_path(tmp_path, "hi"), range(8)))
    assert len(set(paths)) == 1 and paths[0].read_bytes().startswith(b"\x89PNG")
    assert [p.name for p in paths[0].parent.iterdir()] == [paths[0].name]  # no temporary file left behind
