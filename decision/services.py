"""The few functions with side effects."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from decision import ratelimit, rules
from decision.models import RateCount, Result, ResultCard
from decision.ruleset import Ruleset


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"rate limited; retry after {retry_after} s")
        self.retry_after = retry_after


def result_create(*, ruleset: Ruleset, answers: Mapping[str, str | None], client: str | None = None) -> Result:
    """Compute a recommendation from allow-listed answers and store it, with the ruleset version.

    With a client address, the creation counts against that address's allowance first (RateLimited past
    it). The recommendation is computed before the transaction, so the write lock is held only for the
    count and the insert, in one transaction rather than two."""
    given = rules.complete(ruleset, answers)
    recommendation = rules.recommend(ruleset, given).model_dump(mode="json")
    with transaction.atomic():
        allowance = ratelimit.hit("results", client) if client is not None else None
        if allowance is None or allowance.allowed:
            return Result.objects.create(answers=given, ruleset_version=ruleset.version, recommendation=recommendation)
    # Raised after the transaction has committed, so that a refused attempt still counts.
    raise RateLimited(allowance.retry_after)


class _RollBack(Exception):
    pass


def database_writable() -> bool:
    """Whether the database takes a write: a result row inserted and rolled back, so a read-only connection
    (an SQLite file that was not writable when it was opened, say) is noticed, not just a dead one."""
    try:
        with transaction.atomic():
            Result.objects.create(id="healthz-probe", answers={}, ruleset_version="-", recommendation={})
            raise _RollBack
    except _RollBack:
        return True
    except DatabaseError:
        return False  # Django closes a connection that failed at the end of the request


def result_get(result_id: str) -> Result | None:
    return Result.objects.filter(pk=result_id).first()


def delete_old(*, now: datetime.datetime | None = None) -> tuple[int, int]:
    """Delete results older than RESULT_RETENTION_DAYS (none when it is empty) and the rate counts of windows
    that can no longer matter, which hold client addresses. Returns how many of each were deleted."""
    now = now or timezone.now()
    results = 0
    if settings.RESULT_RETENTION_DAYS is not None:
        cutoff = now - datetime.timedelta(days=settings.RESULT_RETENTION_DAYS)
        results, _ = Result.objects.filter(created_at__lt=cutoff).delete()
    window = int(now.timestamp()) // max(settings.RATE_LIMIT_WINDOW, 1)
    counts, _ = RateCount.objects.filter(window__lt=window - 1).delete()
    return results, counts


def result_card(result: Result, draw: Callable[[], bytes]) -> bytes:
    """The result's link-preview image: drawn on first request and kept, since a result never changes."""
    stored = ResultCard.objects.filter(pk=result.pk).values_list("png", flat=True).first()
    if stored is not None:
        return bytes(stored)
    png = draw()
    try:
        with transaction.atomic():
            ResultCard.objects.create(result=result, png=png)
    except IntegrityError:
        pass  # another request drew it at the same moment: the same picture, kept once
    return png
