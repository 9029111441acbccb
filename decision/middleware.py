"""Four small pieces of our own: protection from forms sent by other sites, our 405 pages around Django's
method guards, 503 for a database that is down, and the two security headers Django does not send.

Django answers a wrong method with an empty 405. This turns every such answer into our own page, or JSON
under /api/, keeping its Allow header. The cross-site check guards only the views that take a form's POST
(marked by ``responses.form_post``): any other is told 405 ("not here") rather than 403 ("sent from another
site"), as nothing can change state through it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import get_callable, reverse

from decision.responses import error_page, json_error

SAFE = {"GET", "HEAD", "OPTIONS", "TRACE"}


def same_origin(request: HttpRequest) -> bool:
    """Whether a request of an unsafe method may be from one of our own pages, by what the browser says of it:
    the check Go's net/http made standard in 1.25 (CrossOriginProtection) and Rails and ASP.NET have followed.
    A trusted origin passes; a browser's Sec-Fetch-Site passes only as "same-origin" or "none" (typed or
    bookmarked); without it, an Origin must name our host, and a request with neither header comes from
    something that is not a browser (curl, a script), which no other site can make a visitor's browser send."""
    origin = request.headers.get("Origin")
    if origin is not None and origin in settings.CSRF_TRUSTED_ORIGINS:
        return True
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site in ("same-origin", "none")
    if origin is None:
        return True
    return urlsplit(origin).netloc.lower() == request.get_host().lower()


class CrossOriginProtection:
    """Refuses a form another site makes a visitor's browser send (cross-site request forgery), without tokens.

    Django's token check would put a per-visitor token in every page that posts, making it private to that
    visitor: the check page and the preview could not be cached by anyone. Nothing here has a session or an
    account for a forged request to borrow, and every browser in use sends Sec-Fetch-Site (Origin before it),
    so asking the browser is as strong here and keeps those pages the same for everyone and cookie-free.
    Views marked ``csrf_exempt`` (the JSON API, which no form can send) are not checked; a refusal is answered
    by ``CSRF_FAILURE_VIEW``, as Django's own check would be."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., HttpResponse], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        if request.method in SAFE or getattr(view, "csrf_exempt", False):
            return None
        # Any request but a POST to a page that takes a form: its method guard answers 405 ("not here"), and
        # nothing can change.
        if request.method != "POST" or not getattr(view, "takes_form_post", False):
            return None
        if same_origin(request):
            return None
        failure: Callable[..., HttpResponse] = get_callable(settings.CSRF_FAILURE_VIEW)
        return failure(request, reason="The request was sent from another site.")


def more_security_headers(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    """Permissions-Policy (no page uses a camera, a microphone, a location...) and Cross-Origin-Resource-Policy
    (no other site may embed our responses; the link-preview card says otherwise for itself)."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response

    return middleware


class MethodNotAllowed:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
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
