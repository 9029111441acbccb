"""One piece of our own around Django's method guards (require_safe, require_POST).

Django answers a wrong method with an empty 405. This turns every such answer into our own page, or JSON
under /api/, keeping its Allow header. A request whose method its page never accepts (PUT, PATCH or DELETE
anywhere, POST anywhere but /results) skips the CSRF check, so that it is told 405 ("not here") rather than
403 ("this form has expired"): nothing can change state through it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve, reverse
from django.utils.cache import patch_vary_headers

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
            page: HttpResponse = JsonResponse({"error": f"Use {methods} here.", "fields": []}, status=405)
        else:
            context = {
                "title": "That action is not available here",
                "message": f"This address only answers {allowed} requests. Nothing was changed.",
                "link": reverse("start"),
                "link_text": "Start page",
            }
            partial = (
                request.headers.get("HX-Request") == "true" and "HX-History-Restore-Request" not in request.headers
            )
            template = "error.html#content" if partial else "error.html"
            page = render(request, template, {**context, "partial": partial}, status=405)
            patch_vary_headers(page, ["HX-Request", "HX-History-Restore-Request"])
            page["HX-Push-Url"] = "false"  # show the error in the page, but keep the address the user came from
        page["Allow"] = allowed
        return page
