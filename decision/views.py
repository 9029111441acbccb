"""Thin function views: parse the answers, call the wizard, rules or services, render.

Every page template puts its content in a ``content`` partial inside ``<main>``; an htmx request gets just
that partial (htmx pushes the final URL into the address bar, after any redirect), a plain request gets
the whole page. Without JavaScript, nothing changes but full page loads.
"""

from __future__ import annotations

import math
import re

from django.conf import settings
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.template.defaultfilters import pluralize
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control, cache_page
from django.views.decorators.http import require_safe

from decision import cards, catalogue, costs, exports, market_copy, money, pages, ratelimit, rules, services, wizard
from decision import ruleset as rulesets
from decision.brief import in_words
from decision.compare import group_labels
from decision.compare_views import address, group_of
from decision.how import how_context
from decision.models import RESULT_ID_PATTERN
from decision.responses import HtmxHttpRequest, absolute_url, form_post, json_error, known_query, noindex, page, public
from decision.snapshot import Snapshot
from decision.wizard_views import redirect_to_incomplete

# A stored result never changes, but its page also says what today's rules would answer, which changes when a
# new ruleset ships: browsers and proxies may keep it for a day, then revalidate it by its ETag. (A day is also
# within any RESULT_RETENTION_DAYS, so no cache outlives a deleted result by more than that.)
RESULT_MAX_AGE = 24 * 3600
RESULT_ID = re.compile(RESULT_ID_PATTERN)  # as in the result's address (urls.py)


def stored_result(result_id: str) -> Snapshot:
    """The result a page's address names, or the not-found page."""
    result = services.result_get(result_id)
    if result is None:
        raise Http404("No result has that link.")
    return result


@require_safe
@known_query()
@cache_control(public=True, max_age=3600)
def how(request: HtmxHttpRequest) -> HttpResponse:
    """Every question, option, constraint, rule, route and source of the current ruleset: nothing is hidden."""
    context = how_context(rulesets.current())
    market = market_copy.market(catalogue.load())
    context.update(
        market=market,
        price_terms=[(price, costs.price_terms(price)) for price in market.prices],
        utilisation=f"{costs.UTILISATION:.0%}",
        hours=costs.HOURS_A_MONTH,
        engineer_share=f"{costs.ENGINEER_SHARE:.0%}",
        amortised_months=costs.AMORTISED_MONTHS,
        engineer_month=costs.in_words(costs.rounded(market.engineer.month)),
        wages_share=f"{market.engineer.wages_share:.1%}",
    )
    return page(request, "how.html", context)


@form_post
def result_create(request: HtmxHttpRequest) -> HttpResponse:
    ruleset = rulesets.current()
    answers = wizard.parse(ruleset, request.POST)
    incomplete = wizard.first_missing(answers, ruleset.questions)
    if answers.rejected or incomplete is not None:
        context = {
            "title": "Some answers were missing or not recognised",
            "message": "Nothing was saved. Please go back over your answers and submit them again.",
            "link": pages.check_url(ruleset, answers.given)
            if incomplete is None
            else pages.question_url(ruleset, incomplete, answers.given, errors="1"),
            "link_text": "Review your answers",
        }
        return page(request, "error.html", context, status=400)
    try:
        result = services.result_create(
            ruleset=ruleset,
            answers=answers.given,
            client=ratelimit.client_address(request),
            group=group_of(request.POST.get("group", "")),
        )
    except services.RateLimited as limited:
        return too_many_requests(request, limited.retry_after, pages.check_url(ruleset, answers.given))
    return HttpResponseRedirect(reverse("result", args=[result.id]), status=303)


def too_many_requests(request: HtmxHttpRequest, retry_after: int, answers_url: str) -> HttpResponse:
    minutes = max(1, math.ceil(retry_after / 60))
    context = {
        "title": "Too many results from your connection",
        "message": "To keep the service fair, each connection can create a limited number of results. "
        f"Please try again in {minutes} minute{pluralize(minutes)}. Your answers are kept in the link below.",
        "link": answers_url,
        "link_text": "Back to your answers",
    }
    response = page(request, "error.html", context, status=429)
    response["Retry-After"] = str(retry_after)
    return response


# An exact monthly token count and input share typed in "What it costs" (a GET form, so the page stays a pure
# function of its address).
VOLUME_PARAMS: dict[str, None] = {"tokens": None, "input": None}


@require_safe
@known_query(VOLUME_PARAMS)  # before the per-process cache, which would keep a copy per address
@cache_page(RESULT_MAX_AGE, cache="pages")  # keeps pages (200) only
@public(RESULT_MAX_AGE)
@noindex
def result_detail(request: HtmxHttpRequest, result_id: str) -> HttpResponse:
    """A stored result never changes: browsers and proxies may keep its page for a day (see RESULT_MAX_AGE), and
    on the embedded default each process keeps the most requested ones through Django's cache framework."""
    result = stored_result(result_id)
    return render_result(request, result, typed_volume(request))


def typed_volume(request: HttpRequest) -> money.Typed:
    return money.Typed(request.GET.get("tokens", ""), request.GET.get("input", ""))


def render_result(request: HtmxHttpRequest, result: Snapshot, typed: money.Typed | None = None) -> HttpResponse:
    share_url = absolute_url(request, reverse("result", args=[result.id]))
    card_url = absolute_url(request, reverse("result-card", args=[result.id]))
    # A v1 result keeps the page it was made with, word for word; results that decide in stages get the brief.
    template = "result.html" if result.shown.in_stages else "result_v1.html"
    context = pages.result_context(result, share_url, typed)
    context.update(card_url=card_url, card=exports.card_texts(result, context))
    context.update(record_filename=exports.decision_record_filename(result))
    context.update(group_labels=in_words(group_labels(result.shown.group)))
    return page(request, template, context, status=400 if typed and typed.error else 200)


@require_safe
@known_query()
@cache_control(public=True, max_age=RESULT_MAX_AGE)  # like the result: no cache keeps it a day past its deletion
def result_card(request: HtmxHttpRequest, result_id: str) -> HttpResponse:
    """The verdict card for link previews: a 1200 x 630 PNG drawn once per result and kept. Other sites' pages
    and chat apps show it, so it is the one response another origin may embed."""
    result = stored_result(result_id)
    texts = exports.card_texts(result)
    png = services.result_card(result, lambda: cards.draw_card(**texts))
    response = HttpResponse(png, content_type="image/png")
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


@require_safe
@known_query()
@cache_control(public=True, max_age=RESULT_MAX_AGE)
@noindex
def decision_record(request: HtmxHttpRequest, result_id: str) -> HttpResponse:
    """The result as a Markdown architecture decision record (MADR 4), to download into a repository."""
    result = stored_result(result_id)
    url = absolute_url(request, reverse("result", args=[result.id]))
    text = render_to_string("decision-record.md", exports.decision_record_context(result, url))
    response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{exports.decision_record_filename(result)}"'
    return response


@require_safe
@known_query({"from": None, "group": None, **VOLUME_PARAMS}, answers=True)
@public(max_age=3600)
@noindex
def preview(request: HtmxHttpRequest) -> HttpResponse:
    """The result that other answers would give, computed and not stored: a pure function of its address (the
    result it came from never changes), so it is cached like a step. Saving it is the check page's POST."""
    ruleset = rulesets.current()
    answers = wizard.parse(ruleset, request.GET)
    incomplete = wizard.first_missing(answers, ruleset.questions)
    if incomplete is not None:
        return redirect_to_incomplete(ruleset, incomplete, answers.given)
    origin_id = request.GET.get("from", "")
    origin = services.result_get(origin_id) if RESULT_ID.fullmatch(origin_id) else None
    if origin_id and origin is None:  # no such result (any more): the same preview, set against nothing
        return HttpResponseRedirect(pages.preview_url(ruleset, answers.given))
    recommendation = rules.recommend(ruleset, answers.given)
    url = absolute_url(request, request.get_full_path())
    typed = typed_volume(request)
    context = pages.preview_context(ruleset, answers.given, recommendation, origin, url, catalogue.load(), typed)
    # Opened from a comparison: back to it, and a result saved from here keeps who answered what.
    colleagues = request.GET.get("group", "")
    context.update(colleagues=colleagues, comparison=address(colleagues.split("|")) if colleagues else "")
    return page(request, "result.html", context, status=400 if typed.error else 200)


@require_safe
@known_query()
@cache_control(public=True, max_age=3600)
def privacy(request: HtmxHttpRequest) -> HttpResponse:
    """What is stored, which cookies there are (none), and how long results are kept."""
    context = {
        "retention_days": settings.RESULT_RETENTION_DAYS,
        "window_minutes": max(1, settings.RATE_LIMIT_WINDOW // 60),
        "rate_limited": settings.RATE_LIMIT_RESULTS > 0,
        "contact": settings.OPERATOR_CONTACT,
        "contact_is_email": "@" in settings.OPERATOR_CONTACT and "://" not in settings.OPERATOR_CONTACT,
        "cache_hours": RESULT_MAX_AGE // 3600,
    }
    return page(request, "privacy.html", context)


@require_safe
@known_query()
@cache_control(public=True, max_age=86400)
def robots_txt(request: HttpRequest) -> HttpResponse:
    # Result pages stay crawlable so that search engines can see their "noindex" header (a disallowed page can
    # still be indexed from links elsewhere); the API has nothing for them.
    return HttpResponse("User-agent: *\nDisallow: /api/\n", content_type="text/plain")


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    return HttpResponseRedirect(static("icon.svg"))  # not permanent: the hashed name changes with the icon


@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Whether results can be stored (a write committed, room on the disk): for load balancers and monitors."""
    health = services.database_health()
    if health != "ok":
        return JsonResponse({"status": "unavailable", "database": health}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def csrf_failure(request: HtmxHttpRequest, reason: str = "") -> HttpResponse:
    ruleset = rulesets.current()
    answers = wizard.parse(ruleset, request.POST)
    context = {
        "title": "This form came from another site",
        "message": "For your security, results can only be saved from this site's own pages, and this form was "
        "sent from elsewhere. Nothing was saved. Your answers are kept: review them and save from here.",
        "link": pages.check_url(ruleset, answers.given) if answers.given else reverse("start"),
        "link_text": "Review your answers" if answers.given else "Start page",
    }
    return page(request, "error.html", context, status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return json_error(404, "There is no such API endpoint.")
    context = {
        "title": "Page not found",
        "message": "Nothing lives at this address. If someone shared a result link with you, check that "
        "it was copied whole."
        + (
            f" Results are deleted {settings.RESULT_RETENTION_DAYS} days after they are made."
            if settings.RESULT_RETENTION_DAYS and request.path.startswith("/r/")
            else ""
        ),
        "link": reverse("start"),
        "link_text": "Start the wizard",
    }
    return page(request, "error.html", context, status=404)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    context = {
        "title": "That request could not be understood",
        "message": "Something in it was malformed or too large. Nothing was saved.",
        "link": reverse("start"),
        "link_text": "Start page",
    }
    return page(request, "error.html", context, status=400)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        message = "Something went wrong on our side; nothing was changed."
        return json_error(500, message)
    context = {
        "title": "Something went wrong on our side",
        "message": "The error has been logged. Nothing you saved earlier was changed; please try again.",
        "link": "/",
        "link_text": "Start page",
    }
    return page(request, "error.html", context, status=500)
