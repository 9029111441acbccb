"""Delete results older than RESULT_RETENTION_DAYS, and rate counts that can no longer matter: run it daily."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from decision import services


class Command(BaseCommand):
    help = "Delete results older than RESULT_RETENTION_DAYS (kept for good when it is empty) and old rate counts."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = services.delete_old()
        days = settings.RESULT_RETENTION_DAYS
        kept = (
            "RESULT_RETENTION_DAYS is empty: results are kept for good" if days is None else f"older than {days} days"
        )
        self.stdout.write(
            f"Deleted {deleted.results} result(s) ({kept}), their {deleted.cards} link-preview card(s), "
            f"and {deleted.rate_counts} old rate count(s)."
        )
