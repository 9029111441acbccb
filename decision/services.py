"""The few functions with side effects."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import DatabaseError, connection, transaction

from decision import ratelimit, rules
from decision.models import Result
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
    # Outside the transaction, so that a refused attempt counts, as it does with Redis.
    raise RateLimited(allowance.retry_after)


def database_answers() -> bool:
    """Whether the database answers a trivial query."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return False
    return True


def result_get(result_id: str) -> Result | None:
    return Result.objects.filter(pk=result_id).first()
