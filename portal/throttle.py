"""Rate limits of the portal: failed sign-ins per IP address, reset codes per account and per IP.

The lock-out (:mod:`portal.accounts`) protects one account; these limits stop one address from
trying many accounts, and stop reset codes being used to flood a staff member's phone with SMS
(or to run up the Twilio bill). Moving windows from the ``limits`` library, kept in Redis when
``REDIS_URL`` is set (every portal process shares them) and in memory otherwise.
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse, storage, strategies

from config.settings import Settings


class Throttle:
    def __init__(self, redis_url: str, *, login_per_ip: str, reset_per_account: str, reset_per_ip: str) -> None:
        backend = storage.storage_from_string(redis_url, key_prefix="saathi:portal:limits") if redis_url \
            else storage.MemoryStorage()
        self.limiter = strategies.MovingWindowRateLimiter(backend)
        self.rules: dict[str, RateLimitItem] = {"login-ip": parse(login_per_ip), "reset-account": parse(reset_per_account),
                                                "reset-ip": parse(reset_per_ip)}

    @classmethod
    def from_settings(cls, settings: Settings) -> Throttle:
        return cls(settings.redis_url, login_per_ip=settings.portal_login_limit_per_ip,
                   reset_per_account=settings.portal_reset_limit_per_account,
                   reset_per_ip=settings.portal_reset_limit_per_ip)

    def wait_seconds(self, rule: str, key: str) -> int:
        """0 if one more attempt is allowed now, else the seconds until it is."""
        item = self.rules[rule]
        if self.limiter.test(item, rule, key):
            return 0
        reset_at = self.limiter.get_window_stats(item, rule, key).reset_time
        return max(1, math.ceil(reset_at - time.time()))

    def hit(self, rule: str, key: str) -> None:
        self.limiter.hit(self.rules[rule], rule, key)

    def take(self, *pairs: tuple[str, str]) -> int:
        """Count one attempt under every (rule, key) if all allow it and return 0; otherwise count
        nothing and return the longest wait."""
        wait = max((self.wait_seconds(rule, key) for rule, key in pairs), default=0)
        if wait == 0:
            for rule, key in pairs:
                self.hit(rule, key)
        return wait
