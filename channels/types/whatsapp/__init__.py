"""WhatsApp: text, photos, documents, voice notes and shared location pins, answered in one message.

* parsing: the Messaging webhook (``channels.inbound``), plus the shared pin (:mod:`.location`);
* limits: 1600 characters a message body, both ways (Twilio's; longer replies are split at
  sentence ends by :mod:`.render`), three media items a message;
* keywords: yes/no to a voice note's transcript (:mod:`.keywords`);
* renderer: the bot's messages as paragraphs (:func:`render`), with the pictorial symptom menu
  after a symptom question (``channels.symptom_menu``).

WhatsApp has no opt-out keywords of its own (the user blocks the number in the app).
"""

from __future__ import annotations

from channels.rasa import BotMessage
from channels.types import ChannelType, Keyword
from channels.types.whatsapp.render import whatsapp_texts
from engine.outbound import WHATSAPP_MAX_CHARS
from engine.store import Store

TYPE = ChannelType(name="whatsapp", webhook_kind="messaging", max_inbound_chars=WHATSAPP_MAX_CHARS, max_media=3,
                   rate_limited=True, takes_commands=True)


def render(messages: list[BotMessage]) -> list[str]:
    """The texts to send for one bot turn (one message unless it is over the limit)."""
    return whatsapp_texts(messages)


def keyword(store: Store, sender: str, text: str) -> Keyword | None:
    """None: WhatsApp has no keywords that stop a message before the bot."""
    return None
