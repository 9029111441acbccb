"""System checks: the app refuses to start with a ruleset that does not validate, and the deploy check says
when production lacks its public address."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from decision import ruleset


@register()
def rulesets_validate(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    ruleset.load_all.cache_clear()
    try:
        ruleset.load_all()
    except ruleset.RulesetError as error:
        return [Error(str(error), hint="Fix the ruleset file named above.", id="decision.E001")]
    return []


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
