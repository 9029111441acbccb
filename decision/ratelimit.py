"""Rate limiting for result creation, counted in the database so that it holds across every worker and
every machine: one row per client address and fixed window, incremented with F() inside the transaction that
stores the result. On SQLite the immediate transaction serialises writers; on PostgreSQL the row lock taken by
the UPDATE does, and the unique constraint settles two first attempts at once. Exact either way.

Fixed windows: each client address gets RATE_LIMIT_RESULTS creations per RATE_LIMIT_WINDOW seconds.
"""

from __future__ import annotations

import ipaddress
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest

from decision.models import RateCount


@dataclass(frozen=True)
class Allowance:
    allowed: bool
    retry_after: int  # seconds until the current window ends


def client_address(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or, when the peer is one of TRUSTED_PROXIES and TRUSTED_PROXY_HOPS
    proxies stand in front, the address the outermost of them saw (each proxy appends the address it received
    the request from to X-Forwarded-For). From any other peer the header is the client's own word, ignored."""
    peer = parse_address(request.META.get("REMOTE_ADDR", ""))
    address = peer
    hops = settings.TRUSTED_PROXY_HOPS
    if hops > 0 and peer is not None and any(peer in network for network in settings.TRUSTED_PROXIES):
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if forwarded:
            address = parse_address(forwarded[-hops] if len(forwarded) >= hops else forwarded[0])
    if address is None:
        return "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped:
            return str(address.ipv4_mapped)
        # One IPv6 subscriber usually holds a whole /64: counting single addresses would let it walk around.
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def parse_address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _count(scope: str, client: str, window: int) -> int:
    """Add one to this client's count for the window and return the new count. Runs inside the caller's
    transaction, which keeps the row locked until the result is stored (or the refusal committed); Django's
    update_or_create locks the row, and settles a race between two first attempts. Since Django 6 the UPDATE
    returns the count it wrote (RETURNING), so the row needs no reading back."""
    row, created = RateCount.objects.update_or_create(
        scope=scope, client=client, window=window, defaults={"count": F("count") + 1}, create_defaults={"count": 1}
    )
    if created:
        RateCount.objects.filter(window__lt=window - 1).delete()  # windows that can no longer matter
        return 1
    return row.count


def hit(scope: str, address: str, *, now: float | None = None) -> Allowance:
    """Count one attempt by this address; say whether it is within the limit."""
    limit = settings.RATE_LIMIT_RESULTS
    window = settings.RATE_LIMIT_WINDOW
    now = time.time() if now is None else now
    bucket = int(now // window)
    retry_after = max(1, math.ceil((bucket + 1) * window - now))
    if limit <= 0:
        return Allowance(True, 0)
    with transaction.atomic(savepoint=False):  # within the caller's transaction when there is one
        count = _count(scope, address, bucket)
    return Allowance(count <= limit, retry_after)
