"""Thin function views: parse the answers, call the wizard, rules or services, render.

Every page template puts its content in a ``content`` partial inside ``<main>``; an htmx request gets just
that partial (htmx pushes the final URL into the address bar, after any redirect), a plain request gets
the whole page. Without JavaScript, nothing changes but full page loads.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Collection, Mapping
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
    JsonResponse,
)
from django.template.defaultfilters import pluralize
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.cache import cache_control, cache_page
from django.views.decorators.http import require_POST, require_safe
from django_htmx.middleware import HtmxDetails

from decision import cards, catalogue, costs, exports, money, pages, ratelimit, rules, services, wizard
from decision import ruleset as rulesets
from decision.api import no_duplicate_keys
from decision.models import RESULT_ID_PATTERN
from decision.responses import absolute_url, json_error, page
from decision.ruleset import Question, Ruleset
from decision.snapshot import Snapshot


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


View = Callable[..., HttpResponse]


# A stored result never changes, but its page also says what today's rules would answer, which changes when a
# new ruleset ships: browsers and proxies may keep it for a day, then revalidate it by its ETag. (A day is also
# within any RESULT_RETENTION_DAYS, so no cache outlives a deleted result by more than that.)
RESULT_MAX_AGE = 24 * 3600
RESULT_ID = re.compile(RESULT_ID_PATTERN)  # as in the result's address (urls.py)


def redirect_to_incomplete(ruleset: Ruleset, question: Question, given: dict[str, str]) -> HttpResponse:
    return HttpResponseRedirect(pages.question_url(ruleset, question, given, errors="1"))


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


@require_safe
@known_query()
@cache_control(public=True, max_age=3600)
def start(request: HtmxHttpRequest) -> HttpResponse:
    ruleset = rulesets.current()
    return page(
        request,
        "start.html",
        {"ruleset": ruleset, "first_url": reverse("question", args=[ruleset.questions[0].id])},
    )


@require_safe
@known_query()
@cache_control(public=True, max_age=3600)
def how(request: HtmxHttpRequest) -> HttpResponse:
    """Every question, option, constraint, rule, route and source of the current ruleset: nothing is hidden."""
    context = pages.how_context(rulesets.current())
    market = costs.market(catalogue.load())
    context.update(
        market=market,
        utilisation=f"{costs.UTILISATION:.0%}",
        hours=costs.HOURS_A_MONTH,
        engineer_share=f"{costs.ENGINEER_SHARE:.0%}",
        amortised_months=costs.AMORTISED_MONTHS,
        engineer_month=costs.in_words(costs.rounded(market.engineer.month)),
        wages_share=f"{market.engineer.wages_share:.1%}",
    )
    return page(request, "how.html", context)


# What a question's page reads besides the answers: whether it was opened from the check page (Continue then
# returns there), and whether to say that the question still needs an answer.
QUESTION_PARAMS: dict[str, list[str]] = {"return": ["check"], "errors": ["1"]}


@require_safe
@known_query(QUESTION_PARAMS, answers=True)
@public(max_age=3600)
def question(request: HtmxHttpRequest, question_id: str) -> HttpResponse:
    """One question a page, its text the page's heading: the answers so far travel in the address."""
    ruleset = rulesets.current()
    if question_id not in ruleset.questions_by_id:
        raise Http404("There is no such question.")
    questions = list(ruleset.questions)
    index = questions.index(ruleset.questions_by_id[question_id])
    asked = questions[index]
    answers = wizard.parse(ruleset, request.GET)
    earlier = wizard.first_missing(answers, questions[:index])
    if earlier is not None:
        return redirect_to_incomplete(ruleset, earlier, answers.given)

    returning = request.GET.get("return") == "check"
    error = asked.id in answers.rejected or (request.GET.get("errors") == "1" and asked.id not in answers.given)
    if index + 1 < len(questions) and not returning:
        action = reverse("question", args=[questions[index + 1].id])
    else:
        action = reverse("check")
    if returning:
        back = pages.check_url(ruleset, answers.given)
    elif index == 0:
        back = reverse("start")
    else:
        back = pages.question_url(ruleset, questions[index - 1], answers.given)
    section = pages.section_of(ruleset, asked.id)
    context = {
        "item": {
            "question": asked,
            "selected": answers.given.get(asked.id),
            "error": error,
            "rejected": asked.id in answers.rejected,
            "choices": [(o.value, o.label, o.hint) for o in asked.options]
            + [(rulesets.UNSURE, rulesets.UNSURE_LABEL, "")],
        },
        "section": section,
        "number": index + 1,
        "total": len(questions),
        "carried": [(qid, value) for qid, value in answers.given.items() if qid != asked.id],
        "returning": returning,
        "action": action,
        "back": back,
    }
    # A value no option has for this question: the page says so, as an error (nothing the wizard's own links
    # would send). One for a later question is dropped, and that question asked again in its turn.
    return page(request, "wizard.html", context, status=400 if asked.id in answers.rejected else 200)


@require_safe
@known_query(QUESTION_PARAMS, answers=True)
def step(request: HtmxHttpRequest, section_id: str) -> HttpResponse:
    """The address of a step of four questions, as the wizard had before it asked one question a page (bookmarks
    and old result pages link to it): the first of its questions still to answer, else its first question."""
    ruleset = rulesets.current()
    section = next((s for s in ruleset.sections if s.id == section_id), None)
    if section is None:
        raise Http404("There is no such step.")
    answers = wizard.parse(ruleset, request.GET)
    own = ruleset.questions_by_section[section.id]
    target = next((q for q in own if q.id not in answers.given), own[0])
    extra = {key: request.GET[key] for key in QUESTION_PARAMS if key in request.GET}
    return HttpResponseRedirect(pages.question_url(ruleset, target, answers.given, **extra))


@require_safe
@known_query(answers=True)
@public(max_age=3600)  # the same for everyone: no token in its form (see CrossOriginProtection)
def check(request: HtmxHttpRequest) -> HttpResponse:
    ruleset = rulesets.current()
    answers = wizard.parse(ruleset, request.GET)
    incomplete = wizard.first_missing(answers, ruleset.questions)
    if incomplete is not None:
        return redirect_to_incomplete(ruleset, incomplete, answers.given)
    groups = pages.summary(ruleset, answers.given)["groups"]
    for group in groups:
        for row in group["rows"]:
            # That one question, with its answer in focus; Continue returns here.
            row["change"] = pages.question_url(ruleset, row["question"], answers.given, **{"return": "check"})
    given = {q.id: answers.given[q.id] for q in ruleset.questions}
    unsure = sum(value == rulesets.UNSURE for value in given.values())
    context = {
        "groups": groups,
        "given": given,
        "back": pages.question_url(ruleset, ruleset.questions[-1], answers.given),
        "unsure": unsure,
        # Under the confidence threshold's worth of definite answers the result cannot call anything.
        "mostly_unsure": unsure * 2 > len(given),
        "too_few": len(given) - unsure < ruleset.confidence.min_answered,
    }
    return page(request, "check.html", context)


@require_POST
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
            ruleset=ruleset, answers=answers.given, client=ratelimit.client_address(request)
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


def noindex(view: View) -> View:
    """Ask search engines not to index the page: a shared result belongs to whoever shared it."""

    @wraps(view)
    def wrapper(request: HtmxHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapper


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
    result = services.result_get(result_id)
    if result is None:
        raise Http404("No result has that link.")
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
    return page(request, template, context, status=400 if typed and typed.error else 200)


@require_safe
@known_query()
@cache_control(public=True, max_age=RESULT_MAX_AGE)  # like the result: no cache keeps it a day past its deletion
def result_card(request: HtmxHttpRequest, result_id: str) -> HttpResponse:
    """The verdict card for link previews: a 1200 x 630 PNG drawn once per result and kept. Other sites' pages
    and chat apps show it, so it is the one response another origin may embed."""
    result = services.result_get(result_id)
    if result is None:
        raise Http404("No result has that link.")
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
    result = services.result_get(result_id)
    if result is None:
        raise Http404("No result has that link.")
    url = absolute_url(request, reverse("result", args=[result.id]))
    text = render_to_string("decision-record.md", exports.decision_record_context(result, url))
    response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{exports.decision_record_filename(result)}"'
    return response


@require_safe
@known_query({"from": None, **VOLUME_PARAMS}, answers=True)
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
    return page(request, "result.html", context, status=400 if typed.error else 200)


@require_safe
@known_query()
@cache_control(public=True, max_age=3600)
def import_start(request: HtmxHttpRequest) -> HttpResponse:
    """Start from a file: a result's JSON (uploaded or pasted) opens the check page with its answers."""
    return page(request, "import.html", {"limit_kb": settings.MAX_BODY_BYTES // 1024})


@require_POST
def import_file(request: HtmxHttpRequest) -> HttpResponse:
    """Read a result's JSON and open the check page with its answers; nothing is stored, whatever it holds."""
    ruleset = rulesets.current()

    limit = settings.MAX_BODY_BYTES  # the whole request, as everywhere (and as the proxy in front counts it)
    too_large = [f"The file is too large: a result's JSON is about 20 KB, and at most {limit // 1024} KB is read."]

    def refuse(status: int, problems: list[str]) -> HttpResponse:
        # Each problem links to the field that gave the JSON: the file chosen, else the box.
        field = "import-file" if request.FILES.get("file") is not None else "import-json"
        context = {"limit_kb": limit // 1024, "problems": problems, "field": field}
        return page(request, "import.html", context, status=status)

    if int(request.META.get("CONTENT_LENGTH") or 0) > limit:  # before reading any of it
        return refuse(413, too_large)
    upload = request.FILES.get("file")
    if upload is not None and upload.size is not None and upload.size > limit:  # sent without a length
        return refuse(413, too_large)
    raw = upload.read() if upload is not None else request.POST.get("json", "").encode()
    if not raw.strip():
        return refuse(400, ["Choose a file, or paste the JSON into the box."])
    try:
        data = json.loads(raw.decode("utf-8"), object_pairs_hook=no_duplicate_keys)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return refuse(400, ["That is not JSON: use the file a result's “JSON” link gives."])
    except ValueError:  # as the API: which of two values would count is anyone's guess
        return refuse(400, ["That JSON repeats a key: use the file a result's “JSON” link gives."])
    imported = wizard.import_answers(ruleset, list(rulesets.load_all().values()), data)
    if imported.problems:
        return refuse(422, imported.problems)
    url = pages.check_url(ruleset, imported.answers)
    if imported.flagged:
        return page(request, "import.html", {"flagged": imported.flagged, "continue_url": url})
    return HttpResponseRedirect(url, status=303)


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
