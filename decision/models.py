from __future__ import annotations

import secrets

from django.db import models


def new_result_id() -> str:
    """144 random bits from the operating system's CSPRNG, as 24 URL-safe characters."""
    return secrets.token_urlsafe(18)


class Result(models.Model):
    """One recommendation as it was computed. Never changed after it is created."""

    id = models.CharField(primary_key=True, max_length=32, default=new_result_id, editable=False)
    answers = models.JSONField()
    ruleset_version = models.CharField(max_length=20)
    recommendation = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Result {self.id}"
