"""Twilio channels: WhatsApp, SMS and phone IVR in front of the Rasa conversation.

``channels.app.create_app`` builds the Flask gateway (blueprints per channel); the engines it
uses (speech, OCR, the message catalogue) stay plain Python under ``engine/``.
"""
