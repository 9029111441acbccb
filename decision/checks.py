"""System checks: the app refuses to start with a ruleset that does not validate."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.exceptions import ImproperlyConfigured

from decision import ruleset


@register()
def rulesets_validate(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    ruleset.load_all.cache_clear()
    try:
        ruleset.load_all()
    except ruleset.RulesetError as error:
        return [Error(str(error), hint="Fix the ruleset file named above.", id="decision.E001")]
    return []


MISSING_KEY = "SECRET_KEY must be set when DEBUG is off (set DEBUG=true for local use)."


def secret_key_missing() -> bool:
    try:
        return not settings.DEBUG and not settings.SECRET_KEY
    except ImproperlyConfigured:  # Django refuses to read an empty key
        return True


# A deploy check, so that makemigrations and other tools still run without a key; serving does not (wsgi.py).
@register(Tags.security, deploy=True)
def secret_key_is_set(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    if secret_key_missing():
        return [Error(MISSING_KEY, hint="Set the SECRET_KEY environment variable.", id="decision.E002")]
    return []
