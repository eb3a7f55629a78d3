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
def serialized(key: str) -> Iterator[None]:
    """Nobody else runs a block serialized on `key` (for the default cache) at the same time."""
    backend = caches["default"]
    if isinstance(backend, DatabaseCache):
        alias = router.db_for_write(backend.cache_model_class)
        # On SQLite the transaction starts with the database's write lock (IMMEDIATE mode).
        with transaction.atomic(using=alias):
            connection = connections[alias]
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [zlib.crc32(key.encode())])
            yield
    elif isinstance(backend, RedisCache):
        lock = _redis_client().lock(
            f"segur:throttle-lock:{key}", timeout=LOCK_SECONDS, blocking_timeout=LOCK_SECONDS
        )
        # A Redis that cannot grant the lock in time must not turn the call into an error: the
        # call is then counted as DRF alone would.
        acquired = lock.acquire()
        try:
            yield
        finally:
            if acquired:
                with suppress(LockError):  # expired meanwhile: nothing to release
                    lock.release()
    else:
        yield


class _SerializedRateThrottle(throttling.SimpleRateThrottle):
    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        with serialized(key):
            return super().allow_request(request, view)


class AnonRateThrottle(throttling.AnonRateThrottle, _SerializedRateThrottle):
    """DRF's per-address limit for anonymous calls, counted exactly."""


class ScopedRateThrottle(throttling.ScopedRateThrottle, _SerializedRateThrottle):
    """DRF's per-view-scope limit, counted exactly."""
