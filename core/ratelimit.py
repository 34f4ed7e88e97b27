"""Rate limits on sign-in, sign-up, posting and voting: in memory for one process, Redis for many."""

from __future__ import annotations

from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from core.settings import Settings

# Seconds for Redis to connect and answer: a sign-in waits for its count, so a Redis that hangs
# must fail the request quickly rather than hold it (redis-py 8 waits 5 s, earlier ones forever).
# REDIS_URL's own query options take precedence.
REDIS_TIMEOUTS = {"socket_connect_timeout": 2, "socket_timeout": 2}


class RateLimiter:
    def __init__(self, settings: Settings):
        if settings.redis_url:
            self.storage = storage_from_string(settings.redis_url, **REDIS_TIMEOUTS)
        else:
            self.storage = storage_from_string("memory://")
        self._limiter = MovingWindowRateLimiter(self.storage)
        self._rules: dict[str, RateLimitItem] = {
            "signin": parse(settings.rate_signin),
            "signup": parse(settings.rate_signup),
            "post": parse(settings.rate_post),
            "vote": parse(settings.rate_vote),
        }

    def hit(self, bucket: str, *keys: str) -> bool:
        """Count one attempt; False when the bucket's limit is used up for these keys."""
        return self._limiter.hit(self._rules[bucket], bucket, *keys)

    def reset(self) -> None:
        self.storage.reset()
