"""A check-in-like answer from a number with no records user needs no follow-up service (issue #15,
gateway CPU): the doctor handoff behind it is not built, and the bot answers as before."""

from __future__ import annotations

from types import SimpleNamespace

from channels import followup


class Store(dict):
    def set(self, key, value, ttl=None):  # noqa: ANN001, ARG002 - the gateway store's signature
        self[key] = value


class Services:
    """A gateway's services with no records user for anyone, and a handoff that must not be asked for."""

    records = SimpleNamespace(number_owner=lambda address, salt: None)

    @property
    def handoff(self):  # noqa: ANN201
        raise AssertionError("the handoff was built for a number with no records user")


def test_a_number_with_no_records_user_is_answered_by_the_bot_without_the_handoff():
    gateway = SimpleNamespace(services=Services(), settings=SimpleNamespace(sender_salt="salt" * 8), store=Store())
    assert followup.checkin_reply(gateway, "+919811300009", "sender-x", "1") is None
    assert gateway.store[followup.no_checkin_key("sender-x")] is True  # remembered, as before
