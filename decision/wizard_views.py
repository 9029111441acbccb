"""The pages that ask: the start page, one question a page (and the old four-question steps, which redirect),
the check page, and starting from a result's file. Answers travel in the address; nothing is stored here."""

from __future__ import annotations

import json

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from decision import pages, wizard
from decision import ruleset as rulesets
from decision.api import no_duplicate_keys
from decision.entries import UNSURE, UNSURE_LABEL, Question
from decision.responses import HtmxHttpRequest, form_post, known_query, page, public
from decision.ruleset import Ruleset


def redirect_to_incomplete(
    ruleset: Ruleset, question: Question, given: dict[str, str], group: str = ""
) -> HttpResponse:
    return HttpResponseRedirect(pages.question_url(ruleset, question, given, errors="1", group=group))


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


# What a question's page reads besides the answers: whether it was opened from the check page (Continue then
# returns there), whether to say that the question still needs an answer, and the colleagues whose compared
# answers these are (compare.group_param), carried to the saved result, which names who answered what.
QUESTION_PARAMS: dict[str, list[str] | None] = {"return": ["check"], "errors": ["1"], "group": None}


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
    group = request.GET.get("group", "")
    earlier = wizard.first_missing(answers, questions[:index])
    if earlier is not None:
        return redirect_to_incomplete(ruleset, earlier, answers.given, group)

    returning = request.GET.get("return") == "check"
    error = asked.id in answers.rejected or (request.GET.get("errors") == "1" and asked.id not in answers.given)
    if index + 1 < len(questions) and not returning:
        action = reverse("question", args=[questions[index + 1].id])
    else:
        action = reverse("check")
    if returning:
        back = pages.check_url(ruleset, answers.given, group=group)
    elif index == 0:
        back = reverse("start")
    else:
        back = pages.question_url(ruleset, questions[index - 1], answers.given, group=group)
    section = pages.section_of(ruleset, asked.id)
    context = {
        "item": {
            "question": asked,
            "selected": answers.given.get(asked.id),
            "error": error,
            "rejected": asked.id in answers.rejected,
            "choices": [(o.value, o.label, o.hint) for o in asked.options] + [(UNSURE, UNSURE_LABEL, "")],
        },
        "section": section,
        "number": index + 1,
        "total": len(questions),
        "carried": [(qid, value) for qid, value in answers.given.items() if qid != asked.id]
        + ([("group", group)] if group else []),
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
@known_query({"group": None}, answers=True)
@public(max_age=3600)  # the same for everyone: no token in its form (see CrossOriginProtection)
def check(request: HtmxHttpRequest) -> HttpResponse:
    ruleset = rulesets.current()
    answers = wizard.parse(ruleset, request.GET)
    colleagues = request.GET.get("group", "")
    incomplete = wizard.first_missing(answers, ruleset.questions)
    if incomplete is not None:
        return redirect_to_incomplete(ruleset, incomplete, answers.given, colleagues)
    groups = pages.summary(ruleset, answers.given)["groups"]
    # Every Change link carries the same answers: the query is written once (it was most of this page's work).
    query = wizard.query(ruleset, answers.given, **{"return": "check", "group": colleagues})
    for section in groups:
        for row in section["rows"]:
            # That one question, with its answer in focus; Continue returns here.
            row["change"] = f"{reverse('question', args=[row['question'].id])}?{query}"
    given = {q.id: answers.given[q.id] for q in ruleset.questions}
    unsure = sum(value == UNSURE for value in given.values())
    context = {
        "groups": groups,
        "given": given,
        "back": pages.question_url(ruleset, ruleset.questions[-1], answers.given, group=colleagues),
        "colleagues": colleagues,
        "unsure": unsure,
        # Under the confidence threshold's worth of definite answers the result cannot call anything.
        "mostly_unsure": unsure * 2 > len(given),
        "too_few": len(given) - unsure < ruleset.confidence.min_answered,
    }
    return page(request, "check.html", context)


@require_safe
@known_query()
@cache_control(public=True, max_age=3600)
def import_start(request: HtmxHttpRequest) -> HttpResponse:
    """Start from a file: a result's JSON (uploaded or pasted) opens the check page with its answers."""
    return page(request, "import.html", {"limit_kb": settings.MAX_BODY_BYTES // 1024})


@form_post
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
