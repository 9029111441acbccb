from __future__ import annotations

import secrets

from django.db import models

# A result's id, as its address holds it (urls.py and views.py use the same).
RESULT_ID_PATTERN = r"[A-Za-z0-9_-]{1,64}"


def new_result_id() -> str:
    """144 random bits from the operating system's CSPRNG, as 24 URL-safe characters."""
    return secrets.token_urlsafe(18)


class MarketCopy(models.Model):
    """The market catalogue's figures as results keep them (snapshot.Shown.market), stored once and shared by
    every result made from the same figures: they were 27 KB of each result's 49. Never changed, and never
    deleted (a few a year), so that a result being made can always refer to its copy."""

    digest = models.CharField(primary_key=True, max_length=64)  # SHA-256 of its canonical JSON
    market = models.JSONField()

    def __str__(self) -> str:
        return f"Market copy {self.digest[:12]}"


class Result(models.Model):
    """One recommendation as it was computed. Never changed after it is created."""

    id = models.CharField(primary_key=True, max_length=32, default=new_result_id, editable=False)
    answers = models.JSONField()
    ruleset_version = models.CharField(max_length=20)
    recommendation = models.JSONField()
    # Every text of its ruleset that the result shows, as it read when the result was made (snapshot.Shown).
    shown = models.JSONField(default=dict)
    # The market figures it was made from, shared with other results; results made before 0007 keep their own
    # copy inside `shown` instead.
    market = models.ForeignKey(MarketCopy, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Result {self.id}"


class RateCount(models.Model):
    """How many results one client address created in one fixed window: the shared count behind the rate
    limit, counted by one statement in the transaction that stores the result, so it is exact on every database."""

    scope = models.CharField(max_length=20)
    client = models.CharField(max_length=64)  # an IPv4 address or an IPv6 /64
    window = models.BigIntegerField()  # seconds since the epoch divided by RATE_LIMIT_WINDOW
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = (models.UniqueConstraint(fields=["scope", "client", "window"], name="one_count_per_window"),)
        indexes = (models.Index(fields=["window"], name="ratecount_window"),)

    def __str__(self) -> str:
        return f"{self.client}: {self.count} in window {self.window}"


class ResultCard(models.Model):
    """The link-preview image of a result (its verdict card as a PNG), drawn once on first request and kept:
    a result never changes, so neither does its card. Deleted with its result."""

    result = models.OneToOneField(Result, primary_key=True, on_delete=models.CASCADE, related_name="card")
    png = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Card of {self.result_id}"


class HealthProbe(models.Model):
    """One row that /healthz writes and commits on every call: only a write that reaches the disk shows that
    results can be stored (a probe that was rolled back succeeded on a full disk, where every result failed)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    checked_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Health probe at {self.checked_at}"
