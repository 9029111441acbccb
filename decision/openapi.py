"""The API's OpenAPI document: every endpoint, with the schemas pydantic makes of its models."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_safe
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from decision import ruleset as rulesets
from decision.api import ErrorOut, ImportOut, RecommendationOut, StoredResultOut
from decision.compare_views import CompareOut
from decision.responses import api_view


def import_schema() -> dict[str, Any]:
    """What POST /api/answers/import reads: a result's JSON, whose answers may be of any ruleset version on disk
    (an answer that only an older version knows is flagged and left out); its other fields are ignored."""
    known: dict[str, set[str]] = {}
    for version in rulesets.load_all().values():
        for question in version.questions:
            known.setdefault(question.id, set()).update(question.values)
    answers = {
        "type": "object",
        "properties": {qid: {"type": "string", "enum": sorted(values)} for qid, values in known.items()},
        "additionalProperties": False,
    }
    return {"type": "object", "required": ["answers"], "properties": {"answers": answers}}


@api_view
@require_safe
def openapi(request: HttpRequest) -> HttpResponse:
    ruleset = rulesets.current()
    refs, definitions = models_json_schema(
        [
            (ruleset.request_model, "validation"),
            (RecommendationOut, "serialization"),
            (StoredResultOut, "serialization"),
            (ImportOut, "serialization"),
            (ErrorOut, "serialization"),
            (CompareOut, "serialization"),
        ],
        ref_template="#/components/schemas/{model}",
    )

    def schema(model: type[BaseModel]) -> dict[str, Any]:
        if model is ruleset.request_model:
            return refs[(model, "validation")]
        return refs[(model, "serialization")]

    request_body = {"required": True, "content": {"application/json": {"schema": schema(ruleset.request_model)}}}

    def json_response(description: str, model: type[BaseModel]) -> dict[str, Any]:
        return {"description": description, "content": {"application/json": {"schema": schema(model)}}}

    errors = {
        "400": json_response("The body is not a JSON object.", ErrorOut),
        "413": json_response("The body is too large.", ErrorOut),
        "415": json_response("The body is not sent as application/json.", ErrorOut),
        "422": json_response("An unknown question or value; each field is named.", ErrorOut),
    }
    limited = {"429": json_response("Too many results from this address; see Retry-After.", ErrorOut)}
    document = {
        "openapi": "3.1.0",
        "info": {
            "title": "Open, Closed or Hybrid? API",
            "version": ruleset.version,
            "description": "Recommends open, closed or hybrid large language models from the answers to its questions, "
            "with the reasons. Question ids and values are those of the current ruleset.",
        },
        "paths": {
            "/api/recommend": {
                "post": {
                    "operationId": "recommend",
                    "summary": "Compute a recommendation without storing it",
                    "requestBody": request_body,
                    "responses": {"200": json_response("The recommendation.", RecommendationOut), **errors},
                }
            },
            "/api/results": {
                "post": {
                    "operationId": "createResult",
                    "summary": "Compute and store a recommendation; returns its id and share link",
                    "requestBody": request_body,
                    "responses": {"201": json_response("The stored result.", StoredResultOut), **errors, **limited},
                }
            },
            "/api/answers/import": {
                "post": {
                    "operationId": "importAnswers",
                    "summary": "A result's JSON in; its answers for today's questions out (nothing is stored)",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": import_schema()}},
                    },
                    "responses": {"200": json_response("The answers, normalised.", ImportOut), **errors},
                }
            },
            "/api/results/{id}": {
                "get": {
                    "operationId": "getResult",
                    "summary": "A stored result",
                    "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "responses": {
                        "200": json_response("The stored result.", StoredResultOut),
                        "404": json_response("No result has that id.", ErrorOut),
                    },
                }
            },
            "/api/compare": {
                "get": {
                    "operationId": "compareResults",
                    "summary": "Two to eight stored results side by side: where the answers differ, and what each "
                    "difference does to the call",
                    "parameters": [
                        {
                            "name": "r",
                            "in": "query",
                            "required": True,
                            "description": "A result's id, optionally followed by a colon and a label of up to "
                            '40 characters ("<id>:Security"); repeated, two to eight times.',
                            "style": "form",
                            "explode": True,
                            "schema": {
                                "type": "array",
                                "items": {"type": "string", "pattern": r"^[A-Za-z0-9_-]{1,64}(:.{0,40})?$"},
                                "minItems": 2,
                                "maxItems": 8,
                                "uniqueItems": True,
                            },
                        }
                    ],
                    "responses": {
                        "200": json_response("The comparison.", CompareOut),
                        "400": json_response(
                            "Fewer than two different results, more than eight, or one that is not an id; "
                            "each problem named.",
                            ErrorOut,
                        ),
                        "404": json_response("A result that cannot be found; each one named.", ErrorOut),
                    },
                }
            },
        },
        "components": {"schemas": definitions["$defs"]},
    }
    return JsonResponse(document)
