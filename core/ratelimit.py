"""Rate limits on sign-in, sign-up, posting and voting: in memory for one process, Redis for many."""

from __future__ import annotations

from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from core.settings import Settings


class RateLimiter:
    def __init__(self, settings: Settings):
        self.storage = storage_from_string(settings.redis_url or "memory://")
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
