"""Rate limiting for result creation, counted in the shared cache so that it holds across every worker
and every machine: Django's database cache by default, Redis when REDIS_URL is set.

Fixed windows: each client address gets RATE_LIMIT_RESULTS creations per RATE_LIMIT_WINDOW seconds.
"""

from __future__ import annotations

import ipaddress
import math
import time
import zlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router, transaction
from django.http import HttpRequest


@dataclass(frozen=True)
class Allowance:
    allowed: bool
    retry_after: int  # seconds until the current window ends


def client_address(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or behind TRUSTED_PROXY_HOPS proxies the address the outermost
    trusted proxy saw (each proxy appends the address it received the request from to X-Forwarded-For)."""
    address = request.META.get("REMOTE_ADDR", "")
    hops = settings.TRUSTED_PROXY_HOPS
    if hops > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if forwarded:
            address = forwarded[-hops] if len(forwarded) >= hops else forwarded[0]
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return "unknown"
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped:
            return str(parsed.ipv4_mapped)
        # One IPv6 subscriber usually holds a whole /64: counting single addresses would let it walk around.
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def _incr(cache: BaseCache, key: str, timeout: int) -> int:
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:  # the key expired between add and incr
        cache.set(key, 1, timeout=timeout)
        return 1


def _count(cache: BaseCache, key: str, timeout: int) -> int:
    if not isinstance(cache, DatabaseCache):
        return _incr(cache, key, timeout)  # Redis and local memory increment atomically
    # The database cache has no atomic increment, so read and write inside one transaction: atomic on SQLite
    # (immediate transactions take the write lock first), and on PostgreSQL an advisory lock on the key does
    # it. A plain get and set is four queries where add and incr would be seven.
    alias = router.db_for_write(cache.cache_model_class)
    with transaction.atomic(using=alias, savepoint=False):  # within a caller's transaction, no savepoint
        connection = connections[alias]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [zlib.crc32(key.encode())])
        count = (cache.get(key) or 0) + 1
        cache.set(key, count, timeout=timeout)
        return count


def hit(scope: str, address: str, *, now: float | None = None) -> Allowance:
    """Count one attempt by this address; say whether it is within the limit."""
    limit = settings.RATE_LIMIT_RESULTS
    window = settings.RATE_LIMIT_WINDOW
    now = time.time() if now is None else now
    bucket = int(now // window)
    retry_after = max(1, math.ceil((bucket + 1) * window - now))
    if limit <= 0:
        return Allowance(True, 0)
    count = _count(caches[settings.RATE_LIMIT_CACHE], f"ratelimit:{scope}:{address}:{bucket}", window + 5)
    return Allowance(count <= limit, retry_after)
