"""The JSON API: pydantic schemas in, pydantic schemas out."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe
from pydantic import BaseModel, Field, ValidationError

from decision import catalogue, costs, market_copy, pages, ratelimit, rules, services, shortlist, wizard
from decision import ruleset as rulesets
from decision.costs import Costs
from decision.entries import Approach, Side
from decision.market_copy import Market
from decision.responses import ApiError, absolute_url, api_view, json_error
from decision.rules import ConflictOut, Exclusion, Reason, RouteExclusion
from decision.shortlist import RouteShortlist
from decision.snapshot import Snapshot
from decision.verdict import Pivot, RouteOut


class RecommendationOut(BaseModel):
    approach: Approach = Field(description="The verdict; with uncertain: true, only what the answers lean to.")
    scores: dict[Approach, int] = Field(description="Points for each approach, on one scale.")
    confidence: Literal["clear", "lean", "close"]
    uncertain: bool = Field(description="True when too few answers were definite to decide.")
    reasons: list[Reason]
    caveats: list[str]
    next_steps: list[str]
    placements: dict[Side, list[str]] = Field(
        description="For a hybrid: which work goes to the open model and which to the closed one."
    )
    routes: list[RouteOut] = Field(
        default=[],
        description="How to carry the verdict out: one entry for open or closed, one per side for a hybrid.",
    )
    excluded: list[Exclusion] = Field(default=[], description="Each approach a 'must' in the answers ruled out.")
    excluded_routes: list[RouteExclusion] = Field(default=[], description="Each route a 'must' ruled out.")
    conflicts: list[ConflictOut] = Field(
        default=[], description="Each 'must' the team cannot yet meet with what it said it has; empty when none."
    )
    pivots: list[Pivot] = Field(
        default=[],
        description="Every change of one answer to another definite answer that changes the verdict "
        "(none for an uncertain result).",
    )
    ask_next: list[str] = Field(
        default=[], description="For an uncertain result: the unanswered questions that would move it most."
    )
    costs: Costs | None = Field(
        default=None,
        description="What each way of paying per token, and renting GPUs, would cost a month for the answered volume "
        "band, from the market catalogue of `costs.catalogue_date` (a stored result keeps the figures it was made "
        "with). None when the volume was not answered, or for results made before the catalogue.",
    )
    shortlist: list[RouteShortlist] = Field(
        default=[],
        description="For each route: the models to try first from the market catalogue, with their licence, what "
        "stops some teams using them, their size and cheapest listed price, and the natural picks the answers rule "
        "out with why. Empty for results made before the catalogue.",
    )
    ruleset: str


class CurrentOut(BaseModel):
    ruleset: str = Field(description="Today's ruleset version.")
    approach: Approach
    confidence: Literal["clear", "lean", "close"]
    uncertain: bool
    routes: list[RouteOut]
    preview: str = Field(description="The page that shows today's answer in full, set against this result.")


CURRENT_FIELDS = {"approach", "confidence", "uncertain", "routes"}  # what CurrentOut takes from a recommendation


class StoredResultOut(RecommendationOut):
    id: str
    url: str
    answers: dict[str, str]
    created_at: datetime
    current: CurrentOut | None = Field(
        default=None,
        description="What today's rules answer for the same answers, when the result was made with older "
        "rules; null when they are today's.",
    )


class ImportOut(BaseModel):
    answers: dict[str, str] = Field(description="Every question of today's ruleset; 'unsure' where none was given.")
    ruleset: str
    flagged: list[str] = Field(description="Answers left out: valid in an older version of the questions only.")


class FieldError(BaseModel):
    field: str
    message: str


class ErrorOut(BaseModel):
    error: str
    fields: list[FieldError] = []


# Every API view is an api_view: exempt from the cross-site check, since no cookies or sessions stand behind the
# API and anything that changes state must be application/json, which a browser will not send to another site
# without its consent (read_json); and failed through ApiError, answered in one shape.


def no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError("a key is repeated")
    return dict(pairs)


def read_body(request: HttpRequest) -> bytes:
    """The request body, also when it comes with chunked transfer encoding: without a Content-Length, Django
    reads such a body as empty. The same size limit holds either way."""
    chunked = "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
    if not chunked or request.META.get("CONTENT_LENGTH"):
        return request.body
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    body: bytes = request.META["wsgi.input"].read(limit + 1)
    if len(body) > limit:
        raise RequestDataTooBig("The request body is too large.")
    return body


def read_json(request: HttpRequest) -> Any:
    """The request body read as JSON; an ApiError when it cannot be."""
    try:
        body = read_body(request)
    except RequestDataTooBig:
        raise ApiError(413, "The request body is too large.") from None
    if body and request.content_type != "application/json":
        # Only JSON: a browser can send a cross-site form or text/plain POST without asking first, but not
        # application/json, so no other site can spend a visitor's allowance through the API.
        raise ApiError(415, "Send the body as application/json.")
    try:
        return json.loads(body.decode("utf-8"), object_pairs_hook=no_duplicate_keys)
    except (ValueError, RecursionError):  # bad UTF-8 or JSON, a repeated key, or nesting deep enough to recurse
        raise ApiError(
            400, 'The request body must be JSON in UTF-8, for example {"answers": {"budget": "minimal"}}.'
        ) from None


def parse_answers(request: HttpRequest) -> dict[str, str | None]:
    """The validated answers of a request body; an ApiError when they are not."""
    data = read_json(request)
    if not isinstance(data, dict):
        raise ApiError(400, 'The request body must be a JSON object such as {"answers": {...}}.')
    try:
        parsed = rulesets.current().request_model.model_validate(data)
    except ValidationError as invalid:
        fields = [
            {"field": ".".join(str(part) for part in item["loc"]), "message": item["msg"]} for item in invalid.errors()
        ]
        raise ApiError(422, "Some answers are not valid.", fields) from None
    answers = parsed.answers  # type: ignore[attr-defined]
    return answers.model_dump()


def recommendation_out(
    recommendation: rules.Recommendation,
    version: str,
    answers: dict[str, str],
    market: Market | None,
    ceilings: dict[str, int] | None = None,
) -> dict[str, Any]:
    """The API's view of a recommendation as computed or stored (a v1 result has empty lists for what v1 did
    not compute), with what it would cost from the market figures it was made with."""
    keys = RecommendationOut.model_fields.keys() - {"ruleset", "costs", "shortlist"}
    found = costs.for_answers(market, answers) if market else None
    routes = [route.id for route in recommendation.routes]
    return {
        **recommendation.model_dump(mode="json", include=keys),
        "costs": found.model_dump(mode="json") if found else None,
        "shortlist": [
            item.model_dump(mode="json")
            for item in shortlist.for_routes(
                market,
                routes,
                answers,
                ceiling=(ceilings or {}).get(answers.get("budget", "")),
                tokens=found.volume.low if found else 0,
            )
        ]
        if market
        else [],
        "ruleset": version,
    }


@api_view
@require_POST
def recommend(request: HttpRequest) -> HttpResponse:
    answers = parse_answers(request)
    ruleset = rulesets.current()
    recommendation = rules.recommend(ruleset, answers)
    market = market_copy.market(catalogue.load())
    given = rules.complete(ruleset, answers)
    ceilings = dict(ruleset.figures.budget_ceilings) if ruleset.figures else {}
    body = RecommendationOut.model_validate(
        recommendation_out(recommendation, ruleset.version, given, market, ceilings)
    )
    return JsonResponse(body.model_dump(mode="json"))


@api_view
@require_POST
def results(request: HttpRequest) -> HttpResponse:
    answers = parse_answers(request)
    try:
        result = services.result_create(
            ruleset=rulesets.current(), answers=answers, client=ratelimit.client_address(request)
        )
    except services.RateLimited as limited:
        response = json_error(429, f"Too many results created from this address; try again in {limited.retry_after} s.")
        response["Retry-After"] = str(limited.retry_after)
        return response
    response = JsonResponse(stored_result(request, result).model_dump(mode="json"), status=201)
    response["Location"] = reverse("api-result", args=[result.id])
    return response


def stored_result(request: HttpRequest, result: Snapshot) -> StoredResultOut:
    today = pages.today(result)
    current = (
        None
        if today is None
        else {
            **today["recommendation"].model_dump(
                mode="json", include={"approach", "confidence", "uncertain", "routes"}
            ),
            "ruleset": today["version"],
            "preview": absolute_url(request, today["url"]),
        }
    )
    return StoredResultOut.model_validate(
        {
            **recommendation_out(
                result.recommendation,
                result.ruleset_version,
                result.answers,
                result.shown.market,
                result.shown.budget_ceilings,
            ),
            "id": result.id,
            "url": absolute_url(request, reverse("result", args=[result.id])),
            "answers": result.answers,
            "created_at": result.created_at,
            "current": current,
        }
    )


@api_view
@require_safe
def result_detail(request: HttpRequest, result_id: str) -> HttpResponse:
    result = services.result_get(result_id)
    if result is None:
        raise ApiError(404, "No result has that id.")
    return JsonResponse(stored_result(request, result).model_dump(mode="json"))


@api_view
@require_POST
def import_answers(request: HttpRequest) -> HttpResponse:
    """A result's JSON (as GET /api/results/<id> gives it) in; its answers for today's questions out."""
    data = read_json(request)
    ruleset = rulesets.current()
    imported = wizard.import_answers(ruleset, list(rulesets.load_all().values()), data)
    if imported.problems:
        fields = [{"field": "answers", "message": problem} for problem in imported.problems]
        raise ApiError(422, "Some answers cannot be imported.", fields)
    body_out = ImportOut(
        answers=rules.complete(ruleset, imported.answers), ruleset=ruleset.version, flagged=imported.flagged
    )
    return JsonResponse(body_out.model_dump(mode="json"))
