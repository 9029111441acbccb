"""Thin function views: parse the answers, call the wizard, rules or services, render.

Every page template puts its content in a ``content`` partial inside ``<main>``; an htmx request gets just
that partial (htmx pushes the final URL into the address bar, after any redirect), a plain request gets
the whole page. Without JavaScript, nothing changes but full page loads.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import render
from django.template.defaultfilters import pluralize
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.cache import cache_control, cache_page
from django.views.decorators.http import require_POST, require_safe
from django_htmx.middleware import HtmxDetails

from decision import ratelimit, services, wizard
from decision import ruleset as rulesets
from decision.models import Result
from decision.ruleset import Ruleset, Section


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


View = Callable[..., HttpResponse]


RESULT_MAX_AGE = 365 * 24 * 3600

# Whether a page comes whole or as its content partial depends on these request headers.
VARY = ["HX-Request", "HX-History-Restore-Request"]


def page(request: HtmxHttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    """The whole page, or under htmx only its content partial (htmx pushes the final URL, redirects and all)."""
    partial = is_partial(request)
    template_name = f"{template}#content" if partial else template
    response = render(request, template_name, {**context, "partial": partial}, status=status)
    patch_vary_headers(response, VARY)
    if status >= 400:
        response["HX-Push-Url"] = "false"  # show the error in the page, but keep the address the user came from
    return response


def is_partial(request: HtmxHttpRequest) -> bool:
    # Error handlers can run before the htmx middleware has (a bad Host header stops the request earlier).
    htmx: HtmxDetails | None = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and not htmx.history_restore_request


def step_url(ruleset: Ruleset, section: Section, given: dict[str, str], **extra: str) -> str:
    url = reverse("step", args=[section.id])
    query = wizard.query(ruleset, given, **extra)
    return f"{url}?{query}" if query else url


def check_url(ruleset: Ruleset, given: dict[str, str]) -> str:
    return f"{reverse('check')}?{wizard.query(ruleset, given)}"


def redirect_to_incomplete(ruleset: Ruleset, section: Section, given: dict[str, str]) -> HttpResponse:
    return HttpResponseRedirect(step_url(ruleset, section, given, errors="1"))


@require_safe
@cache_control(public=True, max_age=3600)
def start(request: HtmxHttpRequest) -> HttpResponse:
    ruleset = rulesets.current()
    first = ruleset.sections[0]
    return page(
        request,
        "start.html",
        {"ruleset": ruleset, "first_url": reverse("step", args=[first.id])},
    )


@require_safe
@cache_control(public=True, max_age=3600)
def how(request: HtmxHttpRequest) -> HttpResponse:
    """Every question, option, constraint, rule, route and source of the current ruleset: nothing is hidden."""
    ruleset = rulesets.current()
    sources = ruleset.sources_by_id

    def cites(ids: tuple[str, ...]) -> list[rulesets.Source]:
        return [sources[source_id] for source_id in ids]

    def conditions(when: dict[str, tuple[str, ...]]) -> list[dict[str, Any]]:
        return [
            {
                "question": ruleset.questions_by_id[qid],
                "labels": [ruleset.questions_by_id[qid].label(v) for v in values],
            }
            for qid, values in when.items()
        ]

    sections = []
    for section in ruleset.sections:
        questions = []
        for question in ruleset.questions_by_section[section.id]:
            options = []
            for option in question.options:
                own = [
                    {"rule": rule, "sources": cites(rule.sources)}
                    for rule in ruleset.rules_by_question[question.id]
                    if len(rule.when) == 1 and option.value in rule.when[question.id]
                ]
                musts = [
                    {"constraint": constraint, "sources": cites(constraint.sources)}
                    for constraint in ruleset.constraints
                    if list(constraint.when) == [question.id] and option.value in constraint.when[question.id]
                ]
                neutral = next(
                    (n for n in ruleset.neutral if (n.question, n.value) == (question.id, option.value)), None
                )
                options.append(
                    {
                        "option": option,
                        "rules": own,
                        "constraints": musts,
                        "neutral": neutral.note if neutral else "",
                        "neutral_sources": cites(neutral.sources) if neutral else [],
                    }
                )
            questions.append({"question": question, "options": options})
        sections.append({"section": section, "questions": questions})
    combined = [
        {"rule": rule, "conditions": conditions(rule.when), "sources": cites(rule.sources)}
        for rule in ruleset.rules
        if len(rule.when) > 1
    ]
    constraints = [
        {"constraint": c, "conditions": conditions(c.when), "sources": cites(c.sources)}
        for c in ruleset.constraints
        if len(c.when) > 1
    ]
    conflicts = [{"conflict": c, "conditions": conditions(c.when)} for c in ruleset.conflicts]
    routes = [{"route": route, "sources": cites(route.sources)} for route in ruleset.routes]
    route_order = [
        {
            "name": ruleset.approaches[side].name,
            "choices": [
                {"choice": c, "route": ruleset.routes_by_id[c.route], "conditions": conditions(c.when)}
                for c in ruleset.route_choices
                if ruleset.routes_by_id[c.route].approach == side
            ],
        }
        for side in ("open", "closed")
    ]
    caveats = [
        {
            "caveat": caveat,
            "anchor": f"caveat-{n}",
            "conditions": conditions(caveat.when),
            "sources": cites(caveat.sources),
        }
        for n, caveat in enumerate(ruleset.caveats, start=1)
    ]
    citing = [
        *((rule.id, f"rule-{rule.id}", rule.sources) for rule in ruleset.rules),
        *((c.id, f"rule-{c.id}", c.sources) for c in ruleset.constraints),
        *((route.id, f"route-{route.id}", route.sources) for route in ruleset.routes),
        *((f"warning {n}", f"caveat-{n}", c.sources) for n, c in enumerate(ruleset.caveats, start=1)),
        *((f"{n.question}: {n.value}", f"neutral-{n.question}-{n.value}", n.sources) for n in ruleset.neutral),
    ]
    cited_by: dict[str, list[dict[str, str]]] = {source.id: [] for source in ruleset.sources}
    for label, anchor, ids in citing:
        for source_id in ids:
            cited_by[source_id].append({"label": label, "anchor": anchor})
    context = {
        "ruleset": ruleset,
        "sections": sections,
        "combined": combined,
        "constraints": constraints,
        "conflicts": conflicts,
        "routes": routes,
        "route_order": route_order,
        "caveats": caveats,
        "sources": [{"source": source, "cited_by": cited_by[source.id]} for source in ruleset.sources],
        "max_weight": rulesets.MAX_WEIGHT,
    }
    return page(request, "how.html", context)


@require_safe
@cache_control(public=True, max_age=3600)
def step(request: HtmxHttpRequest, section_id: str) -> HttpResponse:
    ruleset = rulesets.current()
    ids = [section.id for section in ruleset.sections]
    if section_id not in ids:
        raise Http404("There is no such step.")
    index = ids.index(section_id)
    section = ruleset.sections[index]
    answers = wizard.parse(ruleset, request.GET)
    earlier = wizard.first_incomplete(ruleset, answers, ruleset.sections[:index])
    if earlier is not None:
        return redirect_to_incomplete(ruleset, earlier, answers.given)

    questions = ruleset.questions_by_section[section.id]
    returning = request.GET.get("return") == "check"
    show_errors = request.GET.get("errors") == "1" or any(q.id in answers.rejected for q in questions)
    errors = answers.missing(questions) if show_errors else []
    if index + 1 < len(ids) and not returning:
        action = reverse("step", args=[ids[index + 1]])
    else:
        action = reverse("check")
    if returning:
        back = check_url(ruleset, answers.given)
    elif index == 0:
        back = reverse("start")
    else:
        back = step_url(ruleset, ruleset.sections[index - 1], answers.given)
    own = {q.id for q in questions}
    items = [
        {
            "question": question,
            "selected": answers.given.get(question.id),
            "error": question in errors,
            "rejected": question.id in answers.rejected,
            "choices": [(o.value, o.label, o.hint) for o in question.options]
            + [(rulesets.UNSURE, rulesets.UNSURE_LABEL, "")],
        }
        for question in questions
    ]
    context = {
        "items": items,
        "ruleset": ruleset,
        "section": section,
        "questions": questions,
        "number": index + 1,
        "total": len(ids),
        "carried": [(qid, value) for qid, value in answers.given.items() if qid not in own],
        "errors": errors,
        "action": action,
        "back": back,
    }
    return page(request, "wizard.html", context)


@require_safe
@cache_control(private=True)  # the form carries a CSRF token for this visitor
def check(request: HtmxHttpRequest) -> HttpResponse:
    ruleset = rulesets.current()
    answers = wizard.parse(ruleset, request.GET)
    incomplete = wizard.first_incomplete(ruleset, answers, ruleset.sections)
    if incomplete is not None:
        return redirect_to_incomplete(ruleset, incomplete, answers.given)
    groups = summary(ruleset, answers.given)["groups"]
    for group in groups:
        for row in group["rows"]:
            # Straight to the chosen answer's radio, so keyboard focus lands inside the question.
            link = step_url(ruleset, group["section"], answers.given, **{"return": "check"})
            row["change"] = f"{link}#{row['question'].id}-{row['value']}"
    given = {q.id: answers.given[q.id] for q in ruleset.questions}
    return page(request, "check.html", {"groups": groups, "given": given})


def summary(ruleset: Ruleset, given: dict[str, str]) -> dict[str, Any]:
    """The answers grouped by section, each with its label, for the result page."""
    groups = []
    for section in ruleset.sections:
        rows = []
        for question in ruleset.questions_by_section[section.id]:
            value = given.get(question.id, rulesets.UNSURE)
            rows.append({"question": question, "value": value, "label": question.label(value)})
        groups.append({"section": section, "rows": rows})
    return {"groups": groups}


@require_POST
def result_create(request: HtmxHttpRequest) -> HttpResponse:
    ruleset = rulesets.current()
    answers = wizard.parse(ruleset, request.POST)
    incomplete = wizard.first_incomplete(ruleset, answers, ruleset.sections)
    if answers.rejected or incomplete is not None:
        context = {
            "title": "Some answers were missing or not recognised",
            "message": "Nothing was saved. Please go back over your answers and submit them again.",
            "link": check_url(ruleset, answers.given)
            if incomplete is None
            else step_url(ruleset, incomplete, answers.given, errors="1"),
            "link_text": "Review your answers",
        }
        return page(request, "error.html", context, status=400)
    try:
        result = services.result_create(
            ruleset=ruleset, answers=answers.given, client=ratelimit.client_address(request)
        )
    except services.RateLimited as limited:
        return too_many_requests(request, limited.retry_after, check_url(ruleset, answers.given))
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


@require_safe
@cache_page(RESULT_MAX_AGE, cache="pages")
@cache_control(public=True, max_age=RESULT_MAX_AGE, immutable=True)
@noindex
def result_detail(request: HtmxHttpRequest, result_id: str) -> HttpResponse:
    """A stored result never changes: browsers and proxies may keep its page for a year, and on the embedded
    default each process keeps the most requested ones through Django's cache framework."""
    result = services.result_get(result_id)
    if result is None:
        raise Http404("No result has that link.")
    return render_result(request, result)


def render_result(request: HtmxHttpRequest, result: Result) -> HttpResponse:
    ruleset = rulesets.get(result.ruleset_version)
    if ruleset is None:
        raise Http404("This result was made with a version of the questions that is no longer available.")
    recommendation = result.recommendation
    scores = recommendation["scores"]
    top = max(max(scores.values()), 1)
    bars = [
        {
            "approach": approach,
            "name": ruleset.approaches[approach].name,
            "score": scores[approach],
            "percent": round(100 * scores[approach] / top),
        }
        for approach in rulesets.APPROACHES
    ]
    questions = ruleset.questions_by_id
    grouped = [
        {
            "approach": approach,
            "name": ruleset.approaches[approach].name,
            "reasons": [
                {
                    **reason,
                    "basis": [
                        {"question": questions[qid].text, "answer": questions[qid].label(value)}
                        for qid, value in reason["answers"].items()
                    ],
                }
                for reason in recommendation["reasons"]
                if reason["favours"] == approach
            ],
        }
        for approach in sorted(ruleset.tie_break.order, key=lambda a: -scores[a])  # stable: ties in tie-break order
    ]
    ruled_out = {entry["approach"] for entry in recommendation.get("excluded", [])}
    for bar in bars:
        bar["ruled_out"] = bar["approach"] in ruled_out
    context = {
        "result": result,
        "ruleset": ruleset,
        "rec": recommendation,
        "approach": ruleset.approaches[recommendation["approach"]],
        "staged": ruleset.in_stages,
        "routes": {route["approach"]: route for route in recommendation.get("routes", [])},
        "route_phrase": route_phrase(ruleset, recommendation),
        "tie_reason": ruleset.tie_break.reasons.get(recommendation["approach"], ""),
        "unsure_pivots": list(
            dict.fromkeys(
                questions[pivot["question"]].text
                for pivot in recommendation["pivots"]
                if ruleset.in_stages and result.answers.get(pivot["question"], rulesets.UNSURE) == rulesets.UNSURE
            )
        ),
        "ask_next": [
            {
                "question": questions[qid],
                "url": step_url(ruleset, section_of(ruleset, qid), result.answers, **{"return": "check"}) + f"#q-{qid}",
            }
            for qid in recommendation.get("ask_next", [])
        ],
        "sources": cited_sources(ruleset, recommendation),
        "bars": bars,
        "grouped": grouped,
        "questions": questions,
        "pivots": [
            {
                "question": questions[pivot["question"]],
                "label": questions[pivot["question"]].label(pivot["value"]),
                "approach": ruleset.approaches[pivot["approach"]].name,
                "unanswered": result.answers.get(pivot["question"], rulesets.UNSURE) == rulesets.UNSURE,
            }
            for pivot in recommendation["pivots"]
        ],
        "share_url": request.build_absolute_uri(reverse("result", args=[result.id])),
        "change_url": check_url(ruleset, result.answers),
        **summary(ruleset, result.answers),
    }
    return page(request, "result.html", context)


def route_phrase(ruleset: Ruleset, recommendation: dict[str, Any]) -> str:
    """How the verdict is carried out, to follow its headline: "on GPUs you rent and run"."""
    phrases = {
        route["approach"]: ruleset.routes_by_id[route["id"]].phrase for route in recommendation.get("routes", [])
    }
    if len(phrases) == 2:
        return f": the open side {phrases['open']}, the closed side {phrases['closed']}"
    return f", {phrases[next(iter(phrases))]}" if phrases else ""


def section_of(ruleset: Ruleset, question_id: str) -> Section:
    section_id = ruleset.questions_by_id[question_id].section
    return next(section for section in ruleset.sections if section.id == section_id)


def cited_sources(ruleset: Ruleset, recommendation: dict[str, Any]) -> list[rulesets.Source]:
    """The sources behind everything this result says: its reasons, exclusions, routes and caveats."""
    cited: list[str] = []
    for entry in (*recommendation["reasons"], *recommendation.get("excluded", [])):
        cited += entry.get("sources", [])
    for route in recommendation.get("routes", []):
        cited += ruleset.routes_by_id[route["id"]].sources
    caveats = set(recommendation["caveats"])
    cited += [source for caveat in ruleset.caveats if caveat.text in caveats for source in caveat.sources]
    return [ruleset.sources_by_id[source_id] for source_id in dict.fromkeys(cited)]


@require_safe
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
    """Whether the database answers: for load balancers and monitors."""
    if not services.database_answers():
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def csrf_failure(request: HtmxHttpRequest, reason: str = "") -> HttpResponse:
    ruleset = rulesets.current()
    answers = wizard.parse(ruleset, request.POST)
    context = {
        "title": "This form has expired",
        "message": "For your security, forms can only be sent from this site's own pages, and this one was "
        "too old or came from elsewhere. Nothing was saved. Your answers are kept: review them and send again.",
        "link": check_url(ruleset, answers.given) if answers.given else reverse("start"),
        "link_text": "Review your answers" if answers.given else "Start page",
    }
    return page(request, "error.html", context, status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"error": "There is no such API endpoint.", "fields": []}, status=404)
    context = {
        "title": "Page not found",
        "message": "Nothing lives at this address. If someone shared a result link with you, check that "
        "it was copied whole.",
        "link": reverse("start"),
        "link_text": "Start the wizard",
    }
    return page(request, "error.html", context, status=404)  # type: ignore[arg-type]


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    context = {
        "title": "That request could not be understood",
        "message": "Something in it was malformed or too large. Nothing was saved.",
        "link": reverse("start"),
        "link_text": "Start page",
    }
    return page(request, "error.html", context, status=400)  # type: ignore[arg-type]


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        message = "Something went wrong on our side; nothing was changed."
        return JsonResponse({"error": message, "fields": []}, status=500)
    context = {
        "title": "Something went wrong on our side",
        "message": "The error has been logged. Nothing you saved earlier was changed; please try again.",
        "link": "/",
        "link_text": "Start page",
    }
    return page(request, "error.html", context, status=500)  # type: ignore[arg-type]
