"""The template engine: Jinja2 through Django's own backend (settings.TEMPLATES), with the few Django helpers
the templates use: `url(name, *args)`, `static(path)`, `now()`, and Django's own filters of the same names.

Why Jinja2 and not Django's template language: a result page shows some 400 values, and Django's language took
three times as long to render it (2.4 ms against 0.76 ms here), which was most of the time a preview or a result
page no cache has seen costs (issue 17). The templates keep the same rules: no logic beyond loops and simple
conditions. An htmx request gets only the content block (base.html leaves the rest out when `partial`)."""

from __future__ import annotations

import datetime
from typing import Any

from django.template import defaultfilters
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from jinja2 import ChainableUndefined, Environment, UndefinedError, select_autoescape
from jinja2.utils import missing


class Lenient(ChainableUndefined):
    """A value the page was not given is empty and false, as in Django's templates, and so is anything read from
    it, from None or from a dict without that key. An attribute that an object has not got is a mistake in the
    template (`loop.revcounter` for Jinja's `loop.revindex`), and fails the page instead of hiding."""

    def __init__(self, hint: str | None = None, obj: Any = missing, name: str | None = None, exc: Any = UndefinedError):
        if obj is not missing and obj is not None and not isinstance(obj, (dict, ChainableUndefined)):
            raise UndefinedError(f"{type(obj).__name__} has no attribute {name!r}")
        super().__init__(hint, obj, name, exc)


class PagesEnvironment(Environment):
    def getattr(self, obj: Any, attribute: str) -> Any:
        """`a.b` reads a dict's key first, as Django's templates did: most of what a page is given is dicts, and
        Jinja's own order (the attribute first) failed about 280 attribute lookups on each result page."""
        if type(obj) is dict and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)


def url(name: str, *args: Any) -> str:
    return reverse(name, args=args)


def date(value: Any, format: str) -> str:
    """Django's date filter, in the current time zone as Django's templates give it."""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return defaultfilters.date(value, format)


def environment(**options: Any) -> Environment:
    # Markdown (the decision record) is not escaped; a template's last newline is kept, as in Django's templates.
    for ours in ("undefined", "autoescape", "keep_trailing_newline"):
        options.pop(ours, None)
    env = PagesEnvironment(
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True, default=False),
        undefined=Lenient,
        keep_trailing_newline=True,
        **options,
    )
    env.globals.update(url=url, static=static, now=timezone.now)
    env.filters.update(
        capfirst=defaultfilters.capfirst,
        date=date,
        floatformat=defaultfilters.floatformat,
        pluralize=defaultfilters.pluralize,
        truncatewords=defaultfilters.truncatewords,
    )
    return env
