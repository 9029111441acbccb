"""The few functions with side effects."""

from __future__ import annotations

import datetime
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from decision import catalogue, ratelimit, rules, snapshot
from decision.catalogue import Catalogue
from decision.models import HealthProbe, MarketCopy, RateCount, Result, ResultCard
from decision.ruleset import Ruleset
from decision.snapshot import Shown, Snapshot


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"rate limited; retry after {retry_after} s")
        self.retry_after = retry_after


def result_create(
    *,
    ruleset: Ruleset,
    answers: Mapping[str, str | None],
    client: str | None = None,
    group: dict[str, tuple[tuple[str, str], ...]] | None = None,
) -> Snapshot:
    """Compute a recommendation from allow-listed answers and store it, with the ruleset version and every text
    its pages show.

    With a client address, the creation counts against that address's allowance first (RateLimited past
    it). The recommendation is computed before the transaction, so the write lock is held only for the
    count and the insert, in one transaction rather than two."""
    given = rules.complete(ruleset, answers)
    recommendation = rules.recommend(ruleset, given)
    market = catalogue.load()
    shown = snapshot.shown(ruleset, recommendation, given, market)
    if group:
        shown = shown.model_copy(update={"group": group})
    # Everything but the writes happens outside the transaction, which holds SQLite's write lock. The market's
    # figures are stored once for every result made from them (models.MarketCopy), not inside each result.
    stored = {
        "recommendation": recommendation.model_dump(mode="json"),
        "shown": shown.model_dump(mode="json", exclude={"market"}),
        "market": market_copy_of(market),
    }
    with transaction.atomic():
        allowance = ratelimit.hit("results", client) if client is not None else None
        if allowance is None or allowance.allowed:
            row = Result.objects.create(answers=given, ruleset_version=ruleset.version, **stored)
    if allowance is None or allowance.allowed:
        # What was just stored, typed, from the models it was made from rather than read back and validated again.
        return Snapshot(
            id=row.id,
            answers=given,
            ruleset_version=ruleset.version,
            recommendation=recommendation,
            shown=shown,
            created_at=row.created_at,
        )
    # Raised after the transaction has committed, so that a refused attempt still counts.
    raise RateLimited(allowance.retry_after)


def market_copy_of(market: Catalogue) -> MarketCopy:
    """The stored copy of these market figures, made the first time a result is made from them."""
    digest, data = market.kept_json
    copy, _ = MarketCopy.objects.get_or_create(digest=digest, defaults={"market": data})
    return copy


# Below this much free space where SQLite keeps its files, the service says it cannot store results: a commit
# that fits in what is left proves little, since a result's write (its row, its index, its rate count) needs
# more room than the probe's, and what is left goes in minutes.
MIN_FREE_BYTES = 1024 * 1024


def database_health() -> str:
    """ "ok" when the database takes a write that reaches the disk (one row updated and committed, so a
    read-only connection is noticed, not just a dead one) and, on SQLite, its disk has room for results;
    otherwise what is wrong: "disk full" or "unreachable"."""
    free = sqlite_free_bytes() if connection.vendor == "sqlite" else None
    if free is not None and free < MIN_FREE_BYTES:
        return "disk full"
    try:
        HealthProbe.objects.update_or_create(pk=1, defaults={"checked_at": timezone.now()})
    except DatabaseError:
        return "unreachable"  # Django closes a connection that failed at the end of the request
    return "ok"


def sqlite_free_bytes() -> int | None:
    """Free space on the disk that holds the SQLite file (None for a database in memory, as in the tests)."""
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or "mode=memory" in name:
        return None
    path = Path(urlsplit(name).path if name.startswith("file:") else name)  # a file: URI, or a plain path
    try:
        return shutil.disk_usage(path.resolve().parent).free
    except OSError:
        return None


def result_get(result_id: str) -> Snapshot | None:
    """A stored result, typed; None when there is none with that id, or it was stored without the texts it shows
    (a result whose ruleset file was gone when they were copied: see migration 0006)."""
    row = Result.objects.filter(pk=result_id).select_related("market").first()
    return loaded(row) if row is not None and row.shown else None


def loaded(row: Result) -> Snapshot:
    # A result keeps its market figures in the shared copy it refers to, or, made before there were shared
    # copies, inside its own texts.
    shown = {**row.shown, "market": row.market.market} if row.market is not None else row.shown
    return Snapshot(
        id=row.id,
        answers=row.answers,
        ruleset_version=row.ruleset_version,
        recommendation=rules.Recommendation.model_validate(row.recommendation),
        shown=Shown.model_validate(shown),
        created_at=row.created_at,
    )


@dataclass(frozen=True)
class Deleted:
    results: int = 0
    cards: int = 0  # deleted with their results
    rate_counts: int = 0


def delete_one(result_id: str) -> Deleted:
    """Delete one result, and its card, on request: says how many went (none for an unknown id)."""
    _, per_model = Result.objects.filter(pk=result_id).delete()
    return Deleted(
        results=per_model.get(Result._meta.label, 0), cards=per_model.get(ResultCard._meta.label, 0), rate_counts=0
    )


def delete_old(*, now: datetime.datetime | None = None) -> Deleted:
    """Delete results older than RESULT_RETENTION_DAYS (none when it is empty), with their cards, and the rate
    counts of windows that can no longer matter, which hold client addresses. Says how many of each went."""
    now = now or timezone.now()
    per_model: dict[str, int] = {}
    if settings.RESULT_RETENTION_DAYS is not None:
        cutoff = now - datetime.timedelta(days=settings.RESULT_RETENTION_DAYS)
        _, per_model = Result.objects.filter(created_at__lt=cutoff).delete()
    window = int(now.timestamp()) // max(settings.RATE_LIMIT_WINDOW, 1)
    counts, _ = RateCount.objects.filter(window__lt=window - 1).delete()
    return Deleted(
        results=per_model.get(Result._meta.label, 0), cards=per_model.get(ResultCard._meta.label, 0), rate_counts=counts
    )


def result_card(result: Snapshot, draw: Callable[[], bytes]) -> bytes:
    """The result's link-preview image: drawn on first request and kept, since a result never changes."""
    stored = ResultCard.objects.filter(pk=result.id).values_list("png", flat=True).first()
    if stored is not None:
        return bytes(stored)
    # Two requests may draw it at the same moment: the same picture, kept once (get_or_create settles the race).
    card, _ = ResultCard.objects.get_or_create(result_id=result.id, defaults={"png": draw()})
    return bytes(card.png)
