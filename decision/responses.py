"""How every HTML page and JSON error is sent: one place for the htmx partial, Vary and the error shapes.

Views and middleware both answer with these, so a page looks and behaves the same whichever floor sends it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.csrf import csrf_exempt
from django_htmx.middleware import HtmxDetails

# Whether a page comes whole or as its content partial depends on these request headers.
VARY = ["HX-Request", "HX-History-Restore-Request"]


def is_partial(request: HttpRequest) -> bool:
    # Error handlers and middleware can run before the htmx middleware has (a bad Host header stops a request
    # earlier), so the header is read where htmx details are missing.
    htmx: HtmxDetails | None = getattr(request, "htmx", None)
    if htmx is None:
        return request.headers.get("HX-Request") == "true" and "HX-History-Restore-Request" not in request.headers
    return bool(htmx) and not htmx.history_restore_request


def absolute_url(request: HttpRequest, path: str) -> str:
    """An address on this site as the world sees it: from SITE_URL when it is set, never from the request's Host
    (a cache in front keeps the page for everyone); from the request only where no SITE_URL is configured."""
    if settings.SITE_URL:
        return settings.SITE_URL + path
    return request.build_absolute_uri(path)


def page_url(request: HttpRequest) -> str:
    """The page's own absolute address without its query, for link previews; empty when the request's Host is
    not one of ours (the page that says so must not fail on it again)."""
    try:
        return absolute_url(request, request.path)
    except DisallowedHost:
        return ""


def page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    """The whole page, or under htmx only its content partial (htmx pushes the final URL, redirects and all)."""
    partial = is_partial(request)
    template_name = f"{template}#content" if partial else template
    context = {**context, "partial": partial, "page_url": page_url(request)}
    response = render(request, template_name, context, status=status)
    patch_vary_headers(response, VARY)
    if status >= 400:
        response["HX-Push-Url"] = "false"  # show the error in the page, but keep the address the user came from
    return response


def error_page(request: HttpRequest, status: int, title: str, message: str, link: str, link_text: str) -> HttpResponse:
    context = {"title": title, "message": message, "link": link, "link_text": link_text}
    return page(request, "error.html", context, status=status)


def json_error(status: int, message: str, fields: Sequence[dict[str, str]] = ()) -> JsonResponse:
    """The API's error shape: what went wrong, and the fields at fault when there are any."""
    return JsonResponse({"error": message, "fields": list(fields)}, status=status)


class ApiError(Exception):
    """How an API view fails a request: raised anywhere below it, answered by ``api_view`` as JSON."""

    def __init__(self, status: int, message: str, fields: Sequence[dict[str, str]] = ()) -> None:
        super().__init__(message)
        self.status, self.message, self.fields = status, message, list(fields)


def api_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """An API endpoint: exempt from the cross-site form check (no cookie or session stands behind the API, and
    a body must be application/json, which no other site can make a browser send), and answering any ApiError
    raised below it in the API's error shape."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except ApiError as failed:
            return json_error(failed.status, failed.message, failed.fields)

    return csrf_exempt(wrapper)
