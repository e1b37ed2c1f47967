"""Fixes for Rasa 3.6's hot path, installed when the Rasa server imports our components.

Measured (py-spy on ``rasa run`` under ``bench/conversation.py``, 10 users): 72 % of the server's
CPU went to ``RemoteAction._validate_action_result``. It calls ``jsonschema.validate(result,
schema)`` for every custom-action response, and ``validate`` first checks the (large, constant)
events schema against the JSON-Schema meta-schema — every time. Here the schema is checked once
and one compiled validator is reused, so every response is still validated exactly as before
(same schema, same error message), only without re-validating the schema itself.

The events schema is a ``oneOf`` over 23 event types, each branch fixed by ``event``'s ``const``, so
jsonschema tried every branch for every event (3 ms per response of 7 events). Because the
branches are told apart by that constant, "exactly one branch matches" is the same as "the branch
named by ``event`` matches": each event is checked against the shared part and its own branch only.

Second (5 % of the CPU): every event read back from the tracker store is resolved to its class by
``Event.resolve_by_type``, which walks all subclasses of ``Event`` recursively, for every event of
every turn. The walk's first match per name is remembered (the same class the walk returns); a
name not found walks again, so events defined later are still found.

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
        validate = validators.get(cls)
        if validate is None:
            validate = validators[cls] = compile_response_validator(self.action_response_format_spec(),
                                                                    validator_for, ValidationError)
        try:
            validate(result)
            return True
        except ValidationError as e:  # the message Rasa itself adds
            e.message += (
                ". Failed to validate Action server response from API, make sure your response from "
                f"the Action endpoint is valid. For more information about the format visit "
                f"{DOCS_BASE_URL}/custom-actions"
            )
            raise e

    action.RemoteAction._validate_action_result = _validate_action_result
    _remember_event_classes()
    _INSTALLED = True
    return True


def _remember_event_classes() -> None:
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    walk = Event.resolve_by_type  # the original, for names the cache does not know
    known: dict[str, Any] = {}

    def resolve_by_type(type_name: str, default: Any = None) -> Any:
        cls = known.get(type_name)
        if cls is None:
            known.clear()
            for candidate in all_subclasses(Event):
                known.setdefault(candidate.type_name, candidate)  # the walk's first match wins
            cls = known.get(type_name)
        return cls if cls is not None else walk(type_name, default)

    Event.resolve_by_type = staticmethod(resolve_by_type)


def compile_response_validator(schema: dict[str, Any], validator_for: Any, error: type[Exception]) -> Any:
    """A function validating an action response against ``schema`` exactly as jsonschema would."""
    import copy

    validator_class = validator_for(schema)
    validator_class.check_schema(schema)  # once, as jsonschema.validate would have, every call
    whole = validator_class(schema)
    events = (schema.get("properties") or {}).get("events") or {}
    items = events.get("items") or {}
    branches = items.get("oneOf") or []
    names = [((b.get("properties") or {}).get("event") or {}).get("const") for b in branches]
    if events.get("type") != "array" or not branches or None in names or len(set(names)) != len(names):
        return whole.validate  # not the shape we know: validate the general way
    outer = copy.deepcopy(schema)
    outer["properties"]["events"] = {"type": "array"}
    outer_check = validator_class(outer).validate
    shared = validator_class({k: v for k, v in items.items() if k != "oneOf"}).validate
    by_name = {name: validator_class(branch).validate for name, branch in zip(names, branches, strict=True)}

    def validate(result: Any) -> None:
        outer_check(result)
        for index, event in enumerate(result.get("events") or []):
            shared(event)
            check = by_name.get(event.get("event"))
            if check is None:
                raise error(f"events[{index}] is not valid under any of the given schemas (unknown event "
                            f"{event.get('event')!r})")
            check(event)

    return validate
