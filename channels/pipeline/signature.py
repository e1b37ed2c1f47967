"""Every Twilio webhook proves it comes from Twilio: ``X-Twilio-Signature`` over the public URL.

The URL Twilio signed is the public one it called (``SAATHI_PUBLIC_BASE_URL``), not what the
gateway sees behind a proxy, so the check rebuilds it from that setting plus the request path
and query. No token configured means every request is refused (never "open by default").
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import abort, current_app, request
from twilio.request_validator import RequestValidator

from channels.metrics import count_webhook, webhook_kind


def public_url() -> str:
    """The URL Twilio called for this request, as it signed it."""
    base = current_app.config["SAATHI"].gateway_base_url
    query = request.query_string.decode()
    return f"{base}{request.path}" + (f"?{query}" if query else "")


def signature_ok() -> bool:
    token = current_app.config["SAATHI"].twilio_auth_token
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token or not signature:
        return False
    return RequestValidator(token).validate(public_url(), request.form, signature)


def twilio_signed(view: Callable[..., Any]) -> Callable[..., Any]:
    """Decorator: 403 before any processing unless the request is signed by our Twilio account."""

    @functools.wraps(view)
    def checked(*args: Any, **kwargs: Any) -> Any:
        if not signature_ok():
            current_app.logger.warning("refused a webhook with a bad or missing signature: %s", request.path)
            count_webhook(webhook_kind(request.path), "forged")
            abort(403)
        return view(*args, **kwargs)

    return checked
