"""Two small pieces of our own: our 405 pages around Django's method guards, and 503 for a database that is down.

Django answers a wrong method with an empty 405. This turns every such answer into our own page, or JSON
under /api/, keeping its Allow header. A request whose method its page never accepts (PUT, PATCH or DELETE
anywhere, POST anywhere but /results) skips the CSRF check, so that it is told 405 ("not here") rather than
403 ("this form has expired"): nothing can change state through it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import Resolver404, resolve, reverse

from decision.responses import error_page, json_error

SAFE = {"GET", "HEAD", "OPTIONS", "TRACE"}
TAKES_POST = {"result-create"}  # the one page that accepts a POST (the API is exempt from CSRF throughout)


def takes_post(path: str) -> bool:
    try:
        return resolve(path).url_name in TAKES_POST
    except Resolver404:
        return True  # let the CSRF check and then the 404 speak


class MethodNotAllowed:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in SAFE and not (request.method == "POST" and takes_post(request.path_info)):
            request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]
        response = self.get_response(request)
        if not isinstance(response, HttpResponseNotAllowed):
            return response
        allowed = response["Allow"]
        if request.path.startswith("/api/"):
            methods = " or ".join(m.strip() for m in allowed.split(",") if m.strip() != "HEAD")
            page: HttpResponse = json_error(405, f"Use {methods} here.")
        else:
            message = f"This address only answers {allowed} requests. Nothing was changed."
            page = error_page(
                request, 405, "That action is not available here", message, reverse("start"), "Start page"
            )
        page["Allow"] = allowed
        return page


RETRY_AFTER = 30  # seconds: long enough for a database to come back, short enough to keep a visitor


class DatabaseUnavailable:
    """A database that cannot be reached or written answers 503 with Retry-After, not 500: the fault is passing,
    and nothing was saved (the transaction rolled back). A connection that failed is not reused."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        message = "The service cannot reach its database just now. Nothing was saved; please try again shortly."
        if request.path.startswith("/api/"):
            response: HttpResponse = json_error(503, message)
        else:
            response = error_page(
                request, 503, "Please try again in a moment", message, request.get_full_path(), "Try again"
            )
        response["Retry-After"] = str(RETRY_AFTER)
        return response
