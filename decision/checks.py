"""System checks: the app refuses to start with a ruleset or a market catalogue that does not validate, warns
when a catalogue row has not been checked for 90 days, and the deploy check says when production lacks its
public address."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

from decision import catalogue, ruleset


@register()
def rulesets_validate(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    ruleset.load_all.cache_clear()
    try:
        ruleset.load_all()
    except ruleset.RulesetError as error:
        # One error for each problem found, each naming its file and entry.
        return [
            Error(
                f"{error.where}: {problem}" if problem else error.where,
                hint="Fix the ruleset file named above.",
                id="decision.E001",
            )
            for problem in error.problems or [""]
        ]
    return []


@register()
def catalogue_is_sound_and_fresh(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    catalogue.load.cache_clear()
    try:
        found = catalogue.load()
    except (catalogue.CatalogueError, OSError) as error:
        return [
            Error(str(error), hint="Fix the row named above in decision/market/catalogue.toml.", id="decision.E002")
        ]
    stale = found.stale(datetime.date.today())
    if not stale:
        return []
    names = "; ".join(f"{table}: {name} ({row.checked})" for table, name, row in stale[:5])
    more = f" and {len(stale) - 5} more" if len(stale) > 5 else ""
    return [
        Warning(
            f"{len(stale)} catalogue rows were last checked more than {catalogue.STALE_AFTER_DAYS} days ago, or are "
            f"introductory prices past their last day: "
            f"{names}{more}.",
            hint="Check each against its source, then update its figures and `checked`: "
            "manage.py recheck_catalogue lists them all with their links.",
            id="decision.W002",
        )
    ]


def startup_errors() -> list[CheckMessage]:
    """What must stop a worker from starting: a ruleset or a catalogue that does not validate."""
    return [message for message in [*rulesets_validate(), *catalogue_is_sound_and_fresh()] if message.is_serious()]


@register(Tags.security, deploy=True)
def site_url_is_set(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    if settings.SITE_URL:
        return []
    return [
        Warning(
            "SITE_URL is not set: absolute links (share links, link previews, the API's url) follow the Host of "
            "each request, so one request with a forged Host could put its address into a page a cache keeps.",
            hint="Set SITE_URL to the site's public address, such as https://example.org.",
            id="decision.W001",
        )
    ]
