"""Rate limits on password resets, sign-up, posting and voting: in memory for one process, Redis for
many. (Failed sign-ins are counted in the database: core.throttle.)

When Redis cannot be reached, the limits are counted in this process instead, with a warning in
the log: a limit that is briefly per process beats refusing every sign-in and post. Redis is
tried again every RETRY_AFTER seconds, and its counters are used again as soon as it answers."""

from __future__ import annotations

import logging
import math
import threading
import time

from limits import RateLimitItem, parse
from limits.errors import StorageError
from limits.storage import MemoryStorage, RedisStorage, Storage
from limits.strategies import MovingWindowRateLimiter

from core.settings import Settings

log = logging.getLogger(__name__)

RETRY_AFTER = 5.0  # seconds between tries of an unreachable Redis
TIMEOUT = 1.0  # seconds a request may wait on Redis for its rate limit


class RateLimiter:
    def __init__(self, settings: Settings):
        self._local = MovingWindowRateLimiter(MemoryStorage())
        self._shared: MovingWindowRateLimiter | None = None
        self.storages: list[Storage] = [self._local.storage]
        if settings.redis_url:
            redis = RedisStorage(
                settings.redis_url, wrap_exceptions=True, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT
            )
            self._shared = MovingWindowRateLimiter(redis)
            self.storages.insert(0, redis)
        self._retry_at = 0.0  # while Redis is unreachable: when to try it again (time.monotonic)
        self._lock = threading.Lock()
        self._rules: dict[str, RateLimitItem] = {
            "signin": parse(settings.rate_signin),  # not hit here: core.throttle counts sign-ins
            "reset": parse(settings.rate_reset),
            "signup": parse(settings.rate_signup),
            "post": parse(settings.rate_post),
            "vote": parse(settings.rate_vote),
        }

    def hit(self, bucket: str, *keys: str) -> bool:
        """Count one attempt; False when the bucket's limit is used up for these keys."""
        rule = self._rules[bucket]
        if self._shared is not None and time.monotonic() >= self._retry_at:
            try:
                allowed = self._shared.hit(rule, bucket, *keys)
            except StorageError as error:
                with self._lock:
                    if self._retry_at == 0.0:
                        log.warning("Redis is unreachable; rate limits are counted in this process for now: %s", error)
                    self._retry_at = time.monotonic() + RETRY_AFTER
            else:
                with self._lock:
                    if self._retry_at:
                        log.warning("Redis answers again; rate limits are counted there again")
                    self._retry_at = 0.0
                return allowed
        return self._local.hit(rule, bucket, *keys)

    @property
    def shared(self) -> bool:
        """Whether the limits are counted in Redis (False without Redis, or while it is unreachable)."""
        return self._shared is not None and self._retry_at == 0.0

    def rule(self, bucket: str) -> RateLimitItem:
        return self._rules[bucket]

    def retry_after(self, bucket: str, *keys: str) -> int:
        """Whole seconds until the bucket has room again for these keys (at least 1)."""
        limiter = self._shared if self._shared is not None and self.shared else self._local
        try:
            reset_at = limiter.get_window_stats(self._rules[bucket], bucket, *keys).reset_time
        except StorageError:  # Redis went away since the hit: the local window is what counted
            reset_at = self._local.get_window_stats(self._rules[bucket], bucket, *keys).reset_time
        return max(1, math.ceil(reset_at - time.time()))

    def reset(self) -> None:
        for storage in self.storages:
            storage.reset()
