"""Delete one result on request, with its link-preview picture: by its id or its link."""

from __future__ import annotations

import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from decision import services
from decision.models import RESULT_ID_PATTERN


class Command(BaseCommand):
    help = (
        "Delete one result and its link-preview picture, given its link (/r/<id>/) or its id; an id that begins "
        "with a dash follows '--'."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("result", help="the result's id, or its link")

    def handle(self, *args: Any, **options: Any) -> None:
        given: str = options["result"].strip()
        result_id = given.rstrip("/").rsplit("/", 1)[-1] if "/" in given else given
        if not re.fullmatch(RESULT_ID_PATTERN, result_id):
            raise CommandError(f"{given!r} is not a result's id or link")
        deleted = services.delete_one(result_id)
        if not deleted.results:
            raise CommandError(f"No result {result_id!r}: nothing was deleted")
        self.stdout.write(f"Deleted result {result_id} and {deleted.cards} link-preview picture(s).")
