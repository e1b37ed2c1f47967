"""The pictorial symptom menu on WhatsApp: the numbered list after a symptom question, the card
once per sender and language, and the pending state that turns the next "3" into a symptom."""

from __future__ import annotations

from typing import TYPE_CHECKING

from channels import symptom_menu

if TYPE_CHECKING:
    from channels.context import Gateway

#: How long a shown menu waits for its number.
PENDING_TTL = 1800
#: The card is sent once a year per sender and language: after that the numbered text is enough.
CARD_TTL = 365 * 86400


def offer(gateway: Gateway, sender: str, language: str) -> tuple[str, str | None]:
    """The menu's text and, the first time, the card's URL; the next reply is read as a choice."""
    gateway.store.set(f"menu:{sender}", True, ttl=PENDING_TTL)
    card = None
    if gateway.store.add_once(f"card:{sender}:{language}", ttl=CARD_TTL):
        symptom_menu.card_path(gateway.settings.var_dir, language)  # drawn now, so Twilio's fetch finds it
        card = gateway.public_url(f"/media/cards/symptoms-{language}.png")
    return symptom_menu.menu_text(language), card


def forget(gateway: Gateway, sender: str) -> None:
    """A shared pin answers no pending menu: a "1" after it picks a shop, not a symptom."""
    gateway.store.delete(f"menu:{sender}")


def choice(gateway: Gateway, sender: str, text: str, language: str) -> str:
    """The reply to a pending menu as the symptom's name (the menu is used up), else the text."""
    if not gateway.store.get(f"menu:{sender}"):
        return text
    gateway.store.delete(f"menu:{sender}")
    return symptom_menu.choice_text(text, language) or text
