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
