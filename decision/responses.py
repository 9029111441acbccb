"""How every HTML page and JSON error is sent: one place for the htmx partial, Vary and the error shapes.

Views and middleware both answer with these, so a page looks and behaves the same whichever floor sends it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_htmx.middleware import HtmxDetails

from decision import ruleset as rulesets

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
    """The whole page, or under htmx only its content block (htmx pushes the final URL, redirects and all)."""
    context = {**context, "partial": is_partial(request), "page_url": page_url(request)}
    response = render(request, template, context, status=status)
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


# ---------------------------------------------------------------- what every view says about caching and indexing


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


View = Callable[..., HttpResponse]


def known_query(
    params: Mapping[str, Collection[str] | None] | None = None, *, answers: bool = False
) -> Callable[[View], View]:
    """For pages cached by their address: one whose query names anything the page does not read (a tracking tag,
    a cache-buster), or gives a parameter a value it cannot take, is sent to the same address without it, so
    that such addresses make no entries of their own in the caches in front. ``params`` names the parameters
    the page reads, each with the values it takes (None: any); ``answers`` adds every question. The redirect says
    nothing of caching, so no cache keeps it either."""
    allowed = dict(params or {})

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HtmxHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            questions = {q.id for q in rulesets.current().questions} if answers else set()

            def known(key: str, value: str) -> bool:
                if key in questions:
                    return True
                return key in allowed and (allowed[key] is None or value in allowed[key])  # type: ignore[operator]

            pairs = [(key, value) for key, values in request.GET.lists() for value in values]
            kept = [(key, value) for key, value in pairs if known(key, value)]
            if len(kept) < len(pairs):
                return HttpResponsePermanentRedirect(request.path + (f"?{urlencode(kept)}" if kept else ""))
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def public(max_age: int) -> Callable[[View], View]:
    """Cache-Control: public for a page that is a pure function of its address, once it is a page (200): a
    redirect or an error made for a made-up address is not worth an entry in the caches in front."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HtmxHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            response = view(request, *args, **kwargs)
            if response.status_code == 200:
                patch_cache_control(response, public=True, max_age=max_age)
            return response

        return wrapper

    return decorate


def noindex(view: View) -> View:
    """Ask search engines not to index the page: a shared result belongs to whoever shared it."""

    @wraps(view)
    def wrapper(request: HtmxHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapper


def form_post(view: View) -> View:
    """A page that takes a form's POST: Django's require_POST, marked for the cross-site check
    (middleware.CrossOriginProtection), which guards these views and no others."""
    guarded = require_POST(view)
    guarded.takes_form_post = True  # type: ignore[attr-defined]
    return guarded
