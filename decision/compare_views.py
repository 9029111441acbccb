"""The compare page and its JSON: colleagues' stored results side by side (decision/compare.py works it out).

Its address names the results, `/compare/?r=<id>:<label>&r=…`, and results never change, so the page is a pure
function of its address: public and cacheable like a result, and not indexed. The form on it (paste links or
ids, give labels) sends `link` and `label` fields, which are turned into that address by a redirect, so the
address to share is always the short one.
"""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_safe
from pydantic import BaseModel, Field

from decision import catalogue, compare, money, pages, services
from decision import ruleset as rulesets
from decision.brief import CONFIDENCE_WORDS, headline, in_words
from decision.compare import CompareError, Comparison, Ref
from decision.entries import Approach
from decision.responses import ApiError, HtmxHttpRequest, absolute_url, api_view, known_query, noindex, page, public
from decision.rules import ConflictOut
from decision.snapshot import Snapshot
from decision.verdict import RouteOut

MAX_AGE = 24 * 3600  # as a result's page: what it shows never changes
ANY = None


def address(values: list[str]) -> str:
    """The compare page's own address for these results ("<id>:<label>" each), labels and all."""
    pairs = [("r", value) for value in values]
    return f"{reverse('compare')}?{urlencode(pairs, safe=':')}"  # "r=<id>:Security", as people write it


def group_of(param: str) -> compare.Group:
    """Who answered what in the comparison a result is being saved from; nothing when the parameter does not
    name a comparison that can be made (a hand-edited address): the result is saved all the same."""
    if not param:
        return {}
    try:
        people = look_up(compare.parse_refs(param.split("|")).refs)
    except CompareError:
        return {}
    return compare.who_said_what(rulesets.current(), people)


def values_from_form(links: list[str], labels: list[str]) -> list[str]:
    """The rows of the form (a pasted link or id, and a label), blank rows skipped, as the address writes them
    ("<id>:<label>", a row without a label numbered), or CompareError. A pasted comparison's link brings in
    each of its results with its label: the way to add oneself to colleagues' comparison."""
    problems: list[str] = []
    anchors: list[str] = []
    values: list[str] = []
    for number, link in enumerate(links, start=1):
        label = labels[number - 1] if number <= len(labels) else ""
        if not link.strip():
            if label.strip():
                problems.append(f"Row {number} has a label, “{compare.clean_label(label)}”, but no link.")
                anchors.append(f"link-{number}")
            continue
        brought = compare.comparison_in(link)
        if brought:
            values += brought
            continue
        result_id = compare.result_id_in(link)
        if result_id is None:
            problems.append(
                f"Row {number}: “{compare.quoted(link)}” is not a result's link or id. "
                "Copy the address of a result page (it holds /r/ and the result's id)."
            )
            anchors.append(f"link-{number}")
            continue
        values.append(f"{result_id}:{compare.clean_label(label) or f'Result {len(values) + 1}'}")
    if problems:
        raise CompareError(problems, anchors=anchors)
    compare.parse_refs(values)  # its problems now, on the form that can put them right
    return values


def look_up(refs: list[Ref]) -> list[tuple[str, Snapshot]]:
    """Each result asked for, or CompareError (404) naming every one that cannot be found."""
    found = [(ref, services.result_get(ref.result_id)) for ref in refs]
    missing = [
        f"“{ref.label}” ({ref.result_id}): no result has that id. Check the link, or ask for it again."
        for ref, result in found
        if result is None
    ]
    if missing:
        anchors = [f"link-{number}" for number, (_, result) in enumerate(found, start=1) if result is None]
        raise CompareError(missing, status=404, anchors=anchors)
    return [(ref.label, result) for ref, result in found if result is not None]


def form_rows(refs: list[tuple[str, str]]) -> list[dict[str, str]]:
    """The form's rows: those given, then blank ones to add colleagues, two at least and up to the limit."""
    rows = [{"link": link, "label": label} for link, label in refs]
    blanks = max(compare.MIN_PEOPLE - len(rows), 2 if len(rows) < compare.MAX_PEOPLE else 0)
    rows += [{"link": "", "label": ""} for _ in range(min(blanks, compare.MAX_PEOPLE - len(rows)))]
    for number, row in enumerate(rows, start=1):
        row["number"] = str(number)
    return rows


@require_safe
@known_query({"r": ANY, "link": ANY, "label": ANY, "with": ANY})
@public(MAX_AGE)
@noindex
def compare_page(request: HtmxHttpRequest) -> HttpResponse:
    links, labels = request.GET.getlist("link"), request.GET.getlist("label")
    values = request.GET.getlist("r")
    if "link" in request.GET:  # the form: to the comparison's own address
        try:
            found_values = values_from_form(links, labels)
        except CompareError as failed:
            rows = list(zip(links, labels + [""] * (len(links) - len(labels)), strict=False))
            return compare_form(request, rows, failed)
        return HttpResponseRedirect(address(found_values), status=303)
    if not values:  # the empty form; a result page's "Compare with a colleague's result" fills in its own id
        own = compare.result_id_in(request.GET.get("with", ""))
        return compare_form(request, [(own, "")] if own else [])
    rows = [(value.partition(":")[0], value.partition(":")[2]) for value in values]
    try:
        asked = compare.parse_refs(values)
        people = look_up(asked.refs)
    except CompareError as failed:
        return compare_form(request, rows, failed)
    refs = asked.refs
    found = compare.compare(rulesets.current(), people, catalogue.load())
    context = comparison_context(request, found, refs)
    context["notes"] = asked.notes
    context["rows"] = form_rows([(ref.result_id, ref.label) for ref in refs])
    return page(request, "compare.html", context)


def compare_form(request: HttpRequest, rows: list[tuple[str, str]], failed: CompareError | None = None) -> HttpResponse:
    """The form, empty, filled in from a result page, or back with what is wrong (each problem linked to its row)."""
    at_fault = set(failed.anchors) if failed else set()
    context = {
        "rows": [{**row, "invalid": f"link-{row['number']}" in at_fault} for row in form_rows(rows)],
        "problems": list(zip(failed.problems, failed.anchors, strict=True)) if failed else [],
        "start_url": absolute_url(request, reverse("start")),
    }
    return page(request, "compare.html", context, status=failed.status if failed else 200)


CHANGE_WORDS = {"verdict": "the verdict", "route": "the route", "conflicts": "the conflicts"}


def elsewhere_words(elsewhere: list[tuple[str, list[str]]]) -> str:
    """Whose own other answers make the choice matter, and what it changes there: "the verdict for Security and
    Finance; the conflicts for Product"."""
    by_change: dict[str, list[str]] = {}
    for label, changes in elsewhere:
        by_change.setdefault(in_words([CHANGE_WORDS[name] for name in changes]), []).append(label)
    return "; ".join(f"{changes} for {in_words(labels)}" for changes, labels in by_change.items())


def call_of(result: Snapshot) -> str:
    """A result's call as its page heads it."""
    rec = result.recommendation
    return "Too uncertain to call" if rec.uncertain and result.shown.in_stages else headline(result.shown, rec)


def comparison_context(request: HttpRequest, found: Comparison, refs: list[Ref]) -> dict[str, Any]:
    current = rulesets.current()
    group = compare.group_param(refs)
    people = []
    for person in found.people:
        rec, shown = person.result.recommendation, person.result.shown
        people.append(
            {
                "label": person.label,
                "url": reverse("result", args=[person.result.id]),
                "call": call_of(person.result),
                "confidence": "" if rec.uncertain else CONFIDENCE_WORDS[rec.confidence],
                "conflicts": [c.text for c in rec.conflicts],
                "cost": money.cost_context(shown, person.result.answers, rec, money.Typed()).get("cost_brief", ""),
                "version": person.result.ruleset_version,
                "older": person.result.ruleset_version != current.version,
                "dropped": person.dropped,
                "not_asked": [current.questions_by_id[q].text for q in found.not_asked.get(person.label, [])],
            }
        )
    deciding: list[dict[str, Any]] = []
    for row in found.disputed:
        outcomes = [
            {
                "outcome": o,
                "preview": pages.preview_url(current, o.answers, group=group),
                "said_by": ", ".join(o.said_by),
            }
            for o in row.outcomes
        ]
        deciding.append(
            {
                "row": row,
                "outcomes": outcomes,
                "changes": row.changes,
                "shared_words": in_words([CHANGE_WORDS[name] for name in row.changes]),
                "elsewhere": elsewhere_words(row.elsewhere),
            }
        )
    settle = [
        {
            "question": current.questions_by_id[row.question],
            "choices": [(o.value, o.label, ", ".join(o.said_by)) for o in row.outcomes],
        }
        for row in found.disputed
    ]
    table = [
        {
            "row": row,
            "cells": [
                (label, None if value is None else current.questions_by_id[row.question].label(value))
                for label, value in row.answers
            ],
        }
        for row in found.rows
    ]
    return {
        "comparison": found,
        "disputed_table": [line for line, row in zip(table, found.rows, strict=True) if row.differs],
        "agreed_table": [line for line, row in zip(table, found.rows, strict=True) if not row.differs],
        "people": people,
        # Those that change the call on the answers shared first, then those that change it on someone's own.
        "deciding": sorted(
            (d for d, row in zip(deciding, found.disputed, strict=True) if row.matters),
            key=lambda d: ("verdict" not in d["changes"], not d["changes"]),
        ),
        "no_effect": [d for d, row in zip(deciding, found.disputed, strict=True) if not row.matters],
        "settle": settle,
        "agreed": found.agreed,
        "group": group,
        # An outcome's cost needs the volume: where the group differs on it, none can be priced.
        "volume_disputed": any(row.question == "volume" for row in found.disputed),
        "agreed_check": pages.check_url(current, found.agreed),
        "share_url": absolute_url(request, address([f"{ref.result_id}:{ref.label}" for ref in refs])),
        "start_url": absolute_url(request, reverse("start")),
        "base_preview": pages.preview_url(current, found.shared, group=group),
        "older": any(p["older"] for p in people),
    }


# ---------------------------------------------------------------- the same as JSON: GET /api/compare?r=…


class PersonOut(BaseModel):
    label: str
    id: str
    url: str
    ruleset: str = Field(description="The version of the questions the result was made with.")
    approach: Approach
    uncertain: bool
    confidence: Literal["clear", "lean", "close"]
    call: str = Field(description="The result's heading, as its page shows it.")
    routes: list[RouteOut]
    conflicts: list[ConflictOut]
    not_asked: list[str] = Field(description="Today's questions that the result's version did not ask.")
    left_out: list[str] = Field(description="Answers today's questions no longer take (they count as not sure).")


class OutcomeOut(BaseModel):
    value: str
    label: str
    said_by: list[str] = Field(description="The labels of those who gave this answer.")
    approach: Approach
    uncertain: bool
    call: str
    cost: str = Field(description="What the route would cost a month; empty while conflicts stand.")
    routes: list[str]
    conflicts: list[str]
    preview: str = Field(description="The page that shows this outcome in full (nothing is stored).")


class RowOut(BaseModel):
    question: str
    text: str
    answers: dict[str, str | None] = Field(description="Each label's answer; null where it was not asked.")
    differs: bool
    changes: list[Literal["verdict", "route", "conflicts"]] = Field(
        description="What choosing between the answers given changes, the other disputed questions left unsure."
    )
    outcomes: list[OutcomeOut]
    elsewhere: dict[str, list[Literal["verdict", "route", "conflicts"]]] = Field(
        description="With each person's own other answers instead of the shared ones: what choosing between the "
        "answers given would change there, by label (only those where it changes something)."
    )


class CompareOut(BaseModel):
    ruleset: str = Field(description="Today's ruleset: the questions the results are compared by.")
    url: str = Field(description="The compare page.")
    notes: list[str] = Field(description="A result given twice (shown once), a label given twice (numbered).")
    people: list[PersonOut]
    rows: list[RowOut] = Field(description="Every question of today's ruleset, those whose answers differ first.")
    agreed: dict[str, str] = Field(description="The answers everyone who was asked gave alike.")
    start_from_agreed: str = Field(description="The check page with the agreed answers; disputed ones are asked.")


@api_view
@require_safe
def compare_api(request: HttpRequest) -> HttpResponse:
    try:
        asked = compare.parse_refs(request.GET.getlist("r"))
        people = look_up(asked.refs)
    except CompareError as failed:
        fields = [{"field": "r", "message": problem} for problem in failed.problems]
        raise ApiError(failed.status, " ".join(failed.problems), fields) from None
    current = rulesets.current()
    found = compare.compare(current, people, catalogue.load())

    def link(path: str) -> str:
        return absolute_url(request, path)

    body = CompareOut(
        ruleset=found.version,
        url=link(address(request.GET.getlist("r"))),
        notes=asked.notes,
        people=[
            PersonOut(
                label=person.label,
                id=person.result.id,
                url=link(reverse("result", args=[person.result.id])),
                ruleset=person.result.ruleset_version,
                approach=person.result.recommendation.approach,
                uncertain=person.result.recommendation.uncertain,
                confidence=person.result.recommendation.confidence,
                call=call_of(person.result),
                routes=person.result.recommendation.routes,
                conflicts=person.result.recommendation.conflicts,
                not_asked=found.not_asked.get(person.label, []),
                left_out=person.dropped,
            )
            for person in found.people
        ],
        rows=[
            RowOut(
                question=row.question,
                text=row.text,
                answers=dict(row.answers),
                differs=row.differs,
                changes=row.changes,
                elsewhere=dict(row.elsewhere),
                outcomes=[
                    OutcomeOut(
                        value=o.value,
                        label=o.label,
                        said_by=o.said_by,
                        approach=o.approach,
                        uncertain=o.uncertain,
                        call=o.verdict,
                        cost=o.cost,
                        routes=list(o.routes),
                        conflicts=list(o.conflicts),
                        preview=link(pages.preview_url(current, o.answers, group=compare.group_param(asked.refs))),
                    )
                    for o in row.outcomes
                ],
            )
            for row in found.rows
        ],
        agreed=found.agreed,
        start_from_agreed=link(pages.check_url(current, found.agreed)),
    )
    return JsonResponse(body.model_dump(mode="json"))
