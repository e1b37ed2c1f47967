"""bench/replicas.py's own parts, fast (the bench needs the whole replicated stack): which turns
are photos and voice notes, and how a failed webhook is classed for Twilio-like retries."""

from __future__ import annotations

import requests

from bench import replicas


def test_media_turns_are_the_share_asked_spread_evenly():
    chosen = [i for i in range(120) if replicas.is_media_turn(i, 0.15)]
    assert len(chosen) == 18  # 15 % of 120
    assert max(b - a for a, b in zip(chosen, chosen[1:], strict=False)) <= 7  # no clump: every 6 or 7 turns
    assert not any(replicas.is_media_turn(i, 0.0) for i in range(120))


def test_failures_are_classed_as_twilio_would_retry_them():
    refused = requests.ConnectionError("NewConnectionError: Connection refused")
    assert replicas.failure_class(refused, None) == "ct"
    assert replicas.failure_class(requests.ConnectionError("RemoteDisconnected"), None) == "rt"
    assert replicas.failure_class(requests.ReadTimeout(), None) == "rt"
    assert replicas.failure_class(None, 503) == "5xx"
