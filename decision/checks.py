"""System checks: the app refuses to start with a ruleset that does not validate."""

from __future__ import annotations

from typing import Any

from django.core.checks import Error, register

from decision import ruleset


@register()
def rulesets_validate(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    ruleset.load_all.cache_clear()
    try:
        ruleset.load_all()
    except ruleset.RulesetError as error:
        return [Error(str(error), hint="Fix the ruleset file named above.", id="decision.E001")]
    return []
