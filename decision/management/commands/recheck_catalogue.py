"""List the market catalogue's rows to check again against their sources, oldest first."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from decision import catalogue


class Command(BaseCommand):
    help = "List catalogue rows last checked more than --days ago (90 unless told), oldest first, with their links."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=catalogue.STALE_AFTER_DAYS)

    def handle(self, *args: Any, **options: Any) -> None:
        found = catalogue.load()
        today = datetime.date.today()
        stale = found.stale(today, options["days"])
        if not stale:
            self.stdout.write(f"Every catalogue row was checked in the last {options['days']} days.")
            return
        self.stdout.write(f"{len(stale)} row(s) last checked more than {options['days']} days ago:")
        for table, name, row in stale:
            self.stdout.write(f"  {row.checked}  {table}: {name}  {row.source}")
