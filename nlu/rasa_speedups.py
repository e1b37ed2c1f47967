"""Fixes for Rasa 3.6's hot path, installed when the Rasa server imports our components.

Measured (py-spy on ``rasa run`` under ``bench/conversation.py``, 10 users): 72 % of the server's
CPU went to ``RemoteAction._validate_action_result``. It calls ``jsonschema.validate(result,
schema)`` for every custom-action response, and ``validate`` first checks the (large, constant)
events schema against the JSON-Schema meta-schema — every time. Here the schema is checked once
and one compiled validator is reused, so every response is still validated exactly as before
(same schema, same error message), only without re-validating the schema itself.

Idempotent and harmless where Rasa is absent (the import guard): ``nlu`` must import on 3.10
inside Rasa and on 3.11 without it.
"""

from __future__ import annotations

from typing import Any

_INSTALLED = False


def install() -> bool:
    """Patch once per process; returns whether Rasa's action module was found and patched."""
    global _INSTALLED
    if _INSTALLED:
        return True
    try:
        from jsonschema import ValidationError
        from jsonschema.validators import validator_for
        from rasa.core.actions import action
        from rasa.shared.constants import DOCS_BASE_URL
    except ImportError:
        return False

    validators: dict[type, Any] = {}

    def _validate_action_result(self: Any, result: dict[str, Any]) -> bool:
        cls = type(self)
        validator = validators.get(cls)
        if validator is None:
            schema = self.action_response_format_spec()
            validator_class = validator_for(schema)
            validator_class.check_schema(schema)  # once, as jsonschema.validate would have, every call
            validator = validators[cls] = validator_class(schema)
        try:
            validator.validate(result)
            return True
        except ValidationError as e:  # the message Rasa itself adds
            e.message += (
                ". Failed to validate Action server response from API, make sure your response from "
                f"the Action endpoint is valid. For more information about the format visit "
                f"{DOCS_BASE_URL}/custom-actions"
            )
            raise e

    action.RemoteAction._validate_action_result = _validate_action_result
    _INSTALLED = True
    return True
