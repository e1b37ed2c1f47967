"""What the views share: the gateway of the app and TwiML responses."""

from __future__ import annotations

from flask import Response, current_app

from channels.context import Gateway


def gateway() -> Gateway:
    return current_app.config["GATEWAY"]


def twiml(document: object) -> Response:
    return Response(str(document), mimetype="application/xml")
