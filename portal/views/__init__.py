"""Blueprints of the portal: thin views over portal.accounts and engine.handoff.service."""
