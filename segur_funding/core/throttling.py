"""API throttles that count every call exactly once, whatever process or thread answers it.

DRF's throttles read the caller's call history from the cache, decide, then write it back: two
calls at the same instant both read the same history, and one of them is forgotten. With ten
concurrent calls, a 60-a-minute quota let 116 of 130 calls through (issue 16). The quota being
in a cache shared by every process is not enough; the read-decide-write must not interleave. It
is serialized here per caller: a transaction on the database cache (SQLite's write lock; a
transaction-scoped advisory lock on PostgreSQL), a Redis lock when the cache is Redis.
"""

import zlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from functools import cache as memoize

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.redis import RedisCache
from django.db import connections, router, transaction
from redis.exceptions import LockError
from rest_framework import throttling

LOCK_SECONDS = 5


@memoize
def _redis_client():
    import redis

    return redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])


@contextmanager
def serialized(key: str) -> Iterator[bool]:
    """Nobody else runs a block serialized on `key` (for the default cache) at the same time.

    Yields False when exclusivity could not be had in time (a Redis lock still held by others
    after LOCK_SECONDS): the caller must then not count on it."""
    backend = caches["default"]
    if isinstance(backend, DatabaseCache):
        alias = router.db_for_write(backend.cache_model_class)
        # On SQLite the transaction starts with the database's write lock (IMMEDIATE mode).
        with transaction.atomic(using=alias):
            connection = connections[alias]
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [zlib.crc32(key.encode())])
            yield True
    elif isinstance(backend, RedisCache):
        # Polled every 5 ms (redis-py's default of 100 ms lets a burst of callers starve one of
        # them past the timeout on a loaded machine).
        lock = _redis_client().lock(
            f"segur:throttle-lock:{key}", timeout=LOCK_SECONDS, sleep=0.005, blocking_timeout=LOCK_SECONDS
        )
        acquired = lock.acquire()
        try:
            yield acquired
        finally:
            if acquired:
                with suppress(LockError):  # expired meanwhile: nothing to release
                    lock.release()
    else:
        yield True


class _SerializedRateThrottle(throttling.SimpleRateThrottle):
    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        with serialized(key) as exclusive:
            if not exclusive:
                # Counting without the lock could let a call through beyond the quota: such a
                # crowd of simultaneous calls from one caller is refused instead (429, retry later).
                self.key, self.history, self.now = key, [], self.timer()
                return self.throttle_failure()
            return super().allow_request(request, view)


class AnonRateThrottle(throttling.AnonRateThrottle, _SerializedRateThrottle):
    """DRF's per-address limit for anonymous calls, counted exactly."""


class ScopedRateThrottle(throttling.ScopedRateThrottle, _SerializedRateThrottle):
    """DRF's per-view-scope limit, counted exactly."""
