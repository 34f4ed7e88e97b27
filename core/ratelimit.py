"""Rate limits on password resets, sign-up, posting and voting: in memory for one process, Redis for
many. (Failed sign-ins are counted in the database: core.throttle.)"""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from core.settings import Settings


class RateLimiter:
    def __init__(self, settings: Settings):
        self.storage = storage_from_string(settings.redis_url or "memory://")
        self._limiter = MovingWindowRateLimiter(self.storage)
        self._rules: dict[str, RateLimitItem] = {
            "signin": parse(settings.rate_signin),  # not hit here: core.throttle counts sign-ins
            "reset": parse(settings.rate_reset),
            "signup": parse(settings.rate_signup),
            "post": parse(settings.rate_post),
            "vote": parse(settings.rate_vote),
        }

    def hit(self, bucket: str, *keys: str) -> bool:
        """Count one attempt; False when the bucket's limit is used up for these keys."""
        return self._limiter.hit(self._rules[bucket], bucket, *keys)

    def rule(self, bucket: str) -> RateLimitItem:
        return self._rules[bucket]

    def retry_after(self, bucket: str, *keys: str) -> int:
        """Whole seconds until the bucket has room again for these keys (at least 1)."""
        reset_at = self._limiter.get_window_stats(self._rules[bucket], bucket, *keys).reset_time
        return max(1, math.ceil(reset_at - time.time()))

    def reset(self) -> None:
        self.storage.reset()
