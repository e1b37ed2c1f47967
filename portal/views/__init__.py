"""Blueprints of the portal: thin views over portal.accounts and portal.handoff."""
