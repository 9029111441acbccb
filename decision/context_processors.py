from functools import cache

from django.http import HttpRequest
from django.templatetags.static import static
from django.urls import reverse


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


@cache
def _links() -> dict[str, str]:
    return {"start": reverse("start"), "how": reverse("how"), "results": reverse("result-create")}


def assets(request: HttpRequest) -> dict[str, dict[str, str]]:
    """Static file URLs and the site's fixed links, worked out once per process."""
    return {"assets": _assets(), "links": _links()}
