"""The JSON API, as a client sending raw HTTP would see it: every answer, error included, is JSON."""

import json
import re

import pytest
from django.test import Client
from profiles import MIXED_ESTATE, OPEN_SHOP

from decision import ruleset
from decision.models import Result

ANSWERS = OPEN_SHOP
APPROACHES = {"open", "closed", "hybrid"}
MAX_BODY = 64 * 1024


@pytest.fixture
def api():
    """A client like curl: no CSRF token, and a server error comes back as a response, not an exception."""
    return Client(enforce_csrf_checks=True, raise_request_exception=False)


def post(api, path: str, body) -> object:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return api.post(path, raw, content_type="application/json")


def is_json(response) -> bool:
    return response["Content-Type"] == "application/json"


def error_fields(response) -> list[str]:
    return [item["field"] for item in response.json()["fields"]]


def result_snapshot() -> list[dict]:
    return list(Result.objects.order_by("id").values())


def nested(depth: int) -> dict:
    value: dict = {}
    for _ in range(depth):
        value = {"a": value}
    return value


# ---------------------------------------------------------------- POST /api/recommend


def test_recommend_returns_routes_exclusions_conflicts_and_pivots(api):
    restricted_no_servers = {
        "budget": "minimal",
        "compute": "none",
        "expertise": "none",
        "data_sensitivity": "restricted",
        "workloads": "one",
        "task_scope": "broad",
        "timeline": "weeks",
    }
    body = post(api, "/api/recommend", {"answers": restricted_no_servers}).json()

    assert body["approach"] == "open"
    assert body["confidence"] != "clear"
    assert [entry["approach"] for entry in body["excluded"]] == ["closed", "hybrid"]
    assert body["excluded"][0]["questions"] == ["data_sensitivity"]
    assert body["excluded"][0]["text"].startswith("Closed was ruled out")
    assert {tuple(c["questions"]) for c in body["conflicts"]} == {
        ("data_sensitivity", "compute", "deployment"),
        ("data_sensitivity", "expertise", "deployment"),
        ("volume", "budget", "task_scope"),  # v5: GPUs rented all month cost more than the budget
    }
    assert all(c["resolve"] for c in body["conflicts"])
    assert body["routes"] == [
        {"approach": "open", "id": "rented_gpus", "name": body["routes"][0]["name"], "text": body["routes"][0]["text"]}
    ]
    assert body["pivots"]
    for pivot in body["pivots"]:
        assert set(pivot) == {"question", "value", "approach"}
        again = post(api, "/api/recommend", {"answers": {**restricted_no_servers, pivot["question"]: pivot["value"]}})
        assert again.json()["approach"] == pivot["approach"] != body["approach"]


def test_an_uncertain_recommendation_keeps_its_leaning_and_names_what_to_answer(api):
    body = post(api, "/api/recommend", {"answers": {}}).json()

    assert body["uncertain"] is True
    assert body["approach"] in APPROACHES
    assert body["pivots"] == []
    assert len(body["ask_next"]) == 3


def test_a_hybrid_has_one_route_for_each_side(api):
    body = post(api, "/api/recommend", {"answers": MIXED_ESTATE}).json()

    assert body["approach"] == "hybrid"
    assert [route["approach"] for route in body["routes"]] == ["open", "closed"]


def test_omitted_questions_count_as_unsure(api):
    partial = post(api, "/api/recommend", {"answers": {"budget": "minimal", "compute": "none"}})
    explicit = {**dict.fromkeys(ANSWERS, "unsure"), "budget": "minimal", "compute": "none"}
    spelled_out = post(api, "/api/recommend", {"answers": explicit})

    assert partial.status_code == spelled_out.status_code == 200
    assert partial.json() == spelled_out.json()


def test_null_answer_counts_as_unsure(api):
    with_null = post(api, "/api/recommend", {"answers": {"budget": None, "compute": "none"}})
    without = post(api, "/api/recommend", {"answers": {"compute": "none"}})

    assert with_null.status_code == 200
    assert with_null.json() == without.json()


def test_empty_object_is_all_unsure_and_uncertain(api):
    response = post(api, "/api/recommend", {})

    assert response.status_code == 200
    body = response.json()
    assert body["uncertain"] is True
    assert body["reasons"] == []
    assert body["scores"] == {"open": 0, "closed": 0, "hybrid": 0}


def test_unknown_question_is_rejected_by_name(api):
    response = post(api, "/api/recommend", {"answers": {**ANSWERS, "foo": "bar"}})

    assert response.status_code == 422
    assert is_json(response)
    assert error_fields(response) == ["answers.foo"]


def test_unknown_value_is_rejected_by_name(api):
    response = post(api, "/api/recommend", {"answers": {**ANSWERS, "budget": "free"}})

    assert response.status_code == 422
    assert is_json(response)
    assert error_fields(response) == ["answers.budget"]
    assert "minimal" in response.json()["fields"][0]["message"]


def test_value_of_another_question_is_rejected(api):
    response = post(api, "/api/recommend", {"answers": {"budget": "heavy"}})

    assert response.status_code == 422
    assert error_fields(response) == ["answers.budget"]


def test_every_bad_answer_is_named(api):
    response = post(api, "/api/recommend", {"answers": {"budget": "free", "volume": 3, "foo": "x"}})

    assert response.status_code == 422
    assert set(error_fields(response)) == {"answers.budget", "answers.volume", "answers.foo"}


def test_unknown_top_level_key_is_rejected(api):
    response = post(api, "/api/recommend", {"answers": {}, "extra": 1})

    assert response.status_code == 422
    assert is_json(response)
    assert error_fields(response) == ["extra"]


def test_answers_that_are_not_an_object_are_rejected(api):
    response = post(api, "/api/recommend", {"answers": ["budget", "minimal"]})

    assert response.status_code == 422
    assert error_fields(response) == ["answers"]


@pytest.mark.parametrize("body", [b"[]", b'["answers"]', b'"answers"', b"42", b"null", b"true"])
def test_json_that_is_not_an_object_is_a_bad_request(api, body):
    response = post(api, "/api/recommend", body)

    assert response.status_code == 400
    assert is_json(response)
    assert response.json()["error"]


@pytest.mark.parametrize("body", [b"", b'{"answers": ', b"{'answers': {}}", b'{"answers": {}} trailing', b"NaN x"])
def test_malformed_json_is_a_bad_request(api, body):
    response = post(api, "/api/recommend", body)

    assert response.status_code == 400
    assert is_json(response)


@pytest.mark.parametrize(
    "body",
    [b'{"answers": {"budget": "\xe9"}}', b"\xff\xff\xff", '{"answers": {"budget": "é"}}'.encode("latin-1")],
)
def test_non_utf8_body_is_a_bad_request(api, body):
    response = post(api, "/api/recommend", body)

    assert response.status_code == 400
    assert is_json(response)


def test_body_over_16_kb_is_too_large(api):
    body = json.dumps({"answers": {}, "padding": "x" * MAX_BODY}).encode()

    response = post(api, "/api/recommend", body)

    assert response.status_code == 413
    assert is_json(response)


def test_body_just_under_the_limit_is_read(api):
    body = json.dumps({"answers": {"budget": "minimal"}}).encode()
    body = body[:-1] + b" " * (MAX_BODY - len(body)) + b"}"

    response = post(api, "/api/recommend", body)

    assert len(body) == MAX_BODY
    assert response.status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(
            b"[" * 15000,
            id="deep-array",
        ),
        pytest.param(b"[" * 8000 + b"]" * 8000, id="deep-closed-array"),
        pytest.param(json.dumps({"answers": nested(20)}).encode(), id="deep-answers"),
        pytest.param(json.dumps({"answers": {"budget": [[[[["minimal"]]]]]}}).encode(), id="nested-value"),
    ],
)
def test_deeply_nested_json_is_refused_without_a_server_error(api, body):
    response = post(api, "/api/recommend", body)

    assert response.status_code in (400, 422)
    assert is_json(response)


# ---------------------------------------------------------------- /api/results


@pytest.mark.django_db
def test_storing_a_result_returns_its_id_and_share_link(api):
    response = post(api, "/api/results", {"answers": ANSWERS})

    assert response.status_code == 201
    assert is_json(response)
    body = response.json()
    assert re.fullmatch(r"[A-Za-z0-9_-]{22,}", body["id"])
    assert body["url"] == f"http://testserver/r/{body['id']}/"
    assert response["Location"].endswith(f"/api/results/{body['id']}")
    (result,) = Result.objects.all()
    assert result.id == body["id"]
    assert result.answers == ANSWERS


@pytest.mark.django_db
def test_stored_result_gives_the_same_verdict_as_recommend(api):
    recommended = post(api, "/api/recommend", {"answers": ANSWERS}).json()

    stored = post(api, "/api/results", {"answers": ANSWERS}).json()

    for key in ("approach", "scores", "confidence", "uncertain", "reasons", "ruleset"):
        assert stored[key] == recommended[key]


@pytest.mark.django_db
def test_stored_result_can_be_fetched_by_its_location(api):
    created = post(api, "/api/results", {"answers": {"budget": "minimal"}})

    response = api.get(created["Location"])

    assert response.status_code == 200
    assert is_json(response)
    body, original = response.json(), created.json()
    assert body["id"] == original["id"]
    assert body["url"] == original["url"]
    assert body["approach"] == original["approach"]
    assert body["scores"] == original["scores"]
    assert body["reasons"] == original["reasons"]
    assert body["answers"] == {**dict.fromkeys(ANSWERS, "unsure"), "budget": "minimal"}


@pytest.mark.django_db
def test_stored_result_link_opens_the_result_page(api):
    body = post(api, "/api/results", {"answers": ANSWERS}).json()

    page = api.get(body["url"].removeprefix("http://testserver"))

    assert page.status_code == 200
    assert f'data-approach="{body["approach"]}"' in page.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("result_id", ["doesnotexist12345", "a" * 64])
def test_unknown_result_id_is_a_json_not_found(api, result_id):
    response = api.get(f"/api/results/{result_id}")

    assert response.status_code == 404
    assert is_json(response)
    assert response.json()["error"]


@pytest.mark.parametrize("path", ["/api/nope", "/api/results/", "/api/recommend/", "/api/results/" + "a" * 65])
def test_unknown_api_path_is_a_json_not_found(api, path):
    response = api.get(path)

    assert response.status_code == 404
    assert is_json(response)


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["put", "patch", "delete", "post"])
def test_stored_result_cannot_be_changed_or_deleted(api, method):
    body = post(api, "/api/results", {"answers": ANSWERS}).json()
    before = result_snapshot()

    response = getattr(api, method)(
        f"/api/results/{body['id']}", json.dumps({"answers": {}}), content_type="application/json"
    )

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert is_json(response)
    assert result_snapshot() == before


FAILED_BODIES = {
    "unknown-value": json.dumps({"answers": {"budget": "free"}}).encode(),
    "unknown-question": json.dumps({"answers": {"foo": "bar"}}).encode(),
    "unknown-key": json.dumps({"answers": {}, "extra": 1}).encode(),
    "not-an-object": b"[]",
    "malformed": b'{"answers": ',
    "not-utf8": b'{"answers": {"budget": "\xe9"}}',
    "too-large": json.dumps({"answers": {}, "padding": "x" * MAX_BODY}).encode(),
}


@pytest.mark.django_db
@pytest.mark.parametrize("body", FAILED_BODIES.values(), ids=FAILED_BODIES.keys())
def test_failed_store_saves_nothing_and_leaves_existing_results(api, body):
    post(api, "/api/results", {"answers": ANSWERS})
    before = result_snapshot()

    response = post(api, "/api/results", body)

    assert response.status_code in (400, 413, 422)
    assert is_json(response)
    assert result_snapshot() == before


# ---------------------------------------------------------------- OpenAPI


def test_openapi_document_describes_every_endpoint(api):
    response = api.get("/api/openapi.json")

    assert response.status_code == 200
    assert is_json(response)
    document = response.json()
    assert document["openapi"].startswith("3.1")
    assert document["info"]["title"]
    assert document["info"]["version"] == ruleset.current().version
    assert set(document["paths"]) == {
        "/api/recommend",
        "/api/results",
        "/api/results/{id}",
        "/api/answers/import",
        "/api/compare",
    }
    assert "post" in document["paths"]["/api/answers/import"]
    assert "post" in document["paths"]["/api/recommend"]
    assert "post" in document["paths"]["/api/results"]
    assert "get" in document["paths"]["/api/results/{id}"]
    assert "get" in document["paths"]["/api/compare"]


def test_openapi_lists_every_question_and_its_values(api):
    document = api.get("/api/openapi.json").json()

    schemas = document["components"]["schemas"]
    ref = schemas["RecommendRequest"]["properties"]["answers"]["$ref"]
    answers = schemas[ref.removeprefix("#/components/schemas/")]
    assert set(answers["properties"]) == set(ANSWERS)
    assert "minimal" in json.dumps(answers["properties"]["budget"])
    assert "unsure" in json.dumps(answers["properties"]["budget"])
    assert "committed" in json.dumps(answers["properties"]["cloud_platform"])


def test_openapi_describes_routes_exclusions_conflicts_and_pivots(api):
    document = api.get("/api/openapi.json").json()

    schemas = document["components"]["schemas"]
    out = schemas["RecommendationOut"]["properties"]
    assert {"routes", "excluded", "excluded_routes", "conflicts", "pivots", "ask_next"} <= set(out)
    route = schemas["RouteOut"]["properties"]
    assert set(route) == {"approach", "id", "name", "text"}
    assert "managed_open" in json.dumps(route["id"])
    assert set(schemas["ConflictOut"]["properties"]) == {"questions", "text", "resolve", "sources"}
    assert {"approach", "questions", "text"} <= set(schemas["Exclusion"]["properties"])
    assert set(schemas["Pivot"]["properties"]) == {"question", "value", "approach"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path, method, allow",
    [
        pytest.param(
            "/api/openapi.json",
            "post",
            "GET, HEAD",
            id="openapi-post",
        ),
        pytest.param(
            "/api/results/doesnotexist12345",
            "put",
            "GET, HEAD",
            id="result-put",
        ),
        pytest.param("/api/results", "delete", "POST", id="results-delete"),
        pytest.param("/api/recommend", "patch", "POST", id="recommend-patch"),
        pytest.param("/api/recommend", "get", "POST", id="recommend-get"),
    ],
)
def test_wrong_method_is_a_json_405_with_allow(api, path, method, allow):
    response = getattr(api, method)(path)

    assert response.status_code == 405
    assert is_json(response)
    assert response["Allow"] == allow


@pytest.mark.django_db
@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"])
def test_only_json_bodies_are_accepted_so_other_sites_cannot_post(api, content_type):
    # A browser sends these content types cross-site without a preflight; application/json it does not.
    response = api.post("/api/results", b'{"answers": {}}', content_type=content_type)
    assert response.status_code == 415
    assert is_json(response)
    assert not Result.objects.exists()


def test_json_in_another_unicode_encoding_is_refused(api):
    response = api.post("/api/recommend", '{"answers": {}}'.encode("utf-16"), content_type="application/json")
    assert response.status_code == 400
    assert "UTF-8" in response.json()["error"]


def test_a_repeated_key_is_refused_rather_than_silently_dropped(api):
    body = b'{"answers": {"budget": "moderate", "budget": "minimal"}}'
    response = api.post("/api/recommend", body, content_type="application/json")
    assert response.status_code == 400


def chunked_request(body: bytes, limit_note: str = ""):
    """A POST as gunicorn hands it over for chunked transfer encoding: the body in wsgi.input, no Content-Length."""
    import io

    from django.core.handlers.wsgi import WSGIRequest
    from django.test import RequestFactory

    environ = RequestFactory()._base_environ(
        PATH_INFO="/api/recommend",
        REQUEST_METHOD="POST",
        CONTENT_TYPE="application/json",
        HTTP_TRANSFER_ENCODING="chunked",
        **{"wsgi.input": io.BytesIO(body)},
    )
    environ.pop("CONTENT_LENGTH", None)
    return WSGIRequest(environ)


def test_a_json_body_sent_in_chunks_is_read_whole():
    from decision import api as api_module

    response = api_module.recommend(chunked_request(json.dumps({"answers": OPEN_SHOP}).encode()))
    assert response.status_code == 200
    assert json.loads(response.content)["approach"] == "open"


def test_a_chunked_body_over_the_limit_is_refused():
    from decision import api as api_module

    body = json.dumps({"answers": OPEN_SHOP, "pad": "x" * (MAX_BODY + 10)}).encode()
    assert api_module.recommend(chunked_request(body)).status_code == 413
