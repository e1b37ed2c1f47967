"""Twilio Messaging webhook (WhatsApp and SMS arrive at the same URL; ``From`` tells them apart)."""

from __future__ import annotations

from flask import Blueprint, request
from twilio.twiml.messaging_response import Message, MessagingResponse

from channels import messaging
from channels.inbound import parse_message
from channels.pipeline.signature import twilio_signed
from channels.views.common import gateway, twiml

bp = Blueprint("messaging", __name__)


def to_twiml(outgoing: messaging.Outgoing) -> MessagingResponse:
    response = MessagingResponse()
    for index, text in enumerate(outgoing.texts):
        message = Message(text)
        if index == len(outgoing.texts) - 1:
            for url in outgoing.media:
                message.media(url)
        response.append(message)
    return response


@bp.post("/twilio/messaging")
@bp.post("/twilio/whatsapp")
@bp.post("/twilio/sms")
@twilio_signed
def inbound():
    message = parse_message(request.form)
    if message is None:
        return twiml(MessagingResponse()), 400
    return twiml(to_twiml(messaging.handle(gateway(), message)))
