"""The action-response validation fix (nlu/rasa_speedups.py) keeps Rasa's checks, only faster.

Runs where Rasa is installed (under .venv-rasa through tests/test_nlu_interpreters.py); skipped here.
"""

from __future__ import annotations

import pytest

pytest.importorskip("rasa")

from jsonschema import ValidationError  # noqa: E402
from rasa.core.actions.action import RemoteAction  # noqa: E402

from nlu import rasa_speedups  # noqa: E402


def test_responses_are_still_validated_after_the_patch():
    assert rasa_speedups.install() and rasa_speedups.install()  # idempotent
    action = RemoteAction("action_greet", None)
    good = {"events": [{"event": "slot", "name": "language", "value": "pa", "timestamp": None}],
            "responses": [{"text": "ਸਤ ਸ੍ਰੀ ਅਕਾਲ", "custom": {"key": "core_greet"}}]}
    assert action._validate_action_result(good)
    for bad in ({"events": [{"event": "no-such-event"}]}, {"events": "not a list"}, {"responses": [1]}):
        with pytest.raises(ValidationError) as caught:
            action._validate_action_result(bad)
        assert "Failed to validate Action server response" in caught.value.message


RESPONSES = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "age", "value": 35.0}, {"event": "active_loop", "name": None},
                {"event": "followup", "name": "pharmacy_form"}, {"event": "reset_slots"}]},
    {"events": [{"event": "slot", "value": 1}]},                      # slot without its name
    {"events": [{"event": "slot", "name": "x", "value": 1, "timestamp": "noon"}]},  # shared part wrong
    {"events": [{"event": "bot", "text": 5}]},                         # branch part wrong
    {"events": [{"name": "x"}]},                                       # no event at all
    {"events": [{"event": "no-such-event"}]},
    {"events": ["slot"]},
    {"events": "not a list"},
    {"responses": [1]},
    "not an object",
]


@pytest.mark.parametrize("response", RESPONSES)
def test_the_compiled_validator_agrees_with_jsonschema(response):
    import jsonschema

    schema = RemoteAction.action_response_format_spec()
    validate = rasa_speedups.compile_response_validator(schema, jsonschema.validators.validator_for,
                                                        ValidationError)
    try:
        jsonschema.validate(response, schema)
        expected = True
    except ValidationError:
        expected = False
    try:
        validate(response)
        got = True
    except ValidationError:
        got = False
    assert got == expected


def test_event_classes_resolve_as_before():
    from rasa.shared.core.events import Event, SlotSet, UserUttered
    from rasa.shared.utils.common import all_subclasses

    rasa_speedups.install()

    def walked(name):
        return next(c for c in all_subclasses(Event) if c.type_name == name)

    for cls in all_subclasses(Event):
        assert Event.resolve_by_type(cls.type_name) is walked(cls.type_name)
    assert Event.resolve_by_type("slot") is SlotSet and Event.resolve_by_type("user") is UserUttered
    assert Event.resolve_by_type("topic") is None  # Rasa's own backwards-compatibility answer
    assert Event.resolve_by_type("no-such", default=SlotSet) is SlotSet
    with pytest.raises(ValueError):
        Event.resolve_by_type("no-such")
    events = [{"event": "slot", "name": "age", "value": 3}, {"event": "action", "name": "action_listen"}]
    assert [type(e).__name__ for e in map(Event.from_parameters, events)] == ["SlotSet", "ActionExecuted"]
