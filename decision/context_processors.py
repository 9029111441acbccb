from functools import cache

from django.http import HttpRequest
from django.templatetags.static import static


@cache
def _assets() -> dict[str, str]:
    # Hashed static URLs never change while a process runs; looking them up on every page cost a tenth of a
    # millisecond per page, a measurable share of a wizard step.
    return {
        "css": static("site.css"),
        "js": static("app.js"),
        "icon": static("icon.svg"),
        "htmx": static("django_htmx/htmx-2.min.js"),
    }


def assets(request: HttpRequest) -> dict[str, dict[str, str]]:
    return {"assets": _assets()}
