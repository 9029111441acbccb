"""Start from a file: a result's JSON read back into the wizard (page and API); hostile files store nothing."""

import json
import re
from html import unescape
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from profiles import MIXED_ESTATE

from decision import ruleset, services, wizard
from decision.models import Result

CURRENT = ruleset.current()


def exported(client) -> tuple[Result, bytes]:
    result = services.result_create(ruleset=CURRENT, answers=MIXED_ESTATE)
    return result, client.get(f"/r/{result.id}.json").content


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["upload", "paste"])
def test_a_results_json_opens_the_check_page_with_its_answers(client, how):
    result, body = exported(client)
    before = Result.objects.count()
    if how == "upload":
        form = {"file": SimpleUploadedFile("result.json", body, content_type="application/json")}
    else:
        form = {"json": body.decode()}

    response = client.post("/import/file", form)

    assert response.status_code == 303
    location = urlsplit(response["Location"])
    assert location.path == "/check/"
    assert dict(parse_qsl(location.query)) == result.answers
    assert Result.objects.count() == before
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.django_db
def test_the_api_round_trip_gives_the_same_answers(client):
    result, body = exported(client)
    response = client.post("/api/answers/import", body, content_type="application/json")
    assert response.status_code == 200
    assert response.json() == {"answers": result.answers, "ruleset": CURRENT.version, "flagged": []}


HOSTILE = {
    "not JSON": (b"<html>hello</html>", 400),
    "a repeated key": (b'{"answers": {"volume": "light", "volume": "heavy"}}', 400),
    "not an object": (b"[1, 2, 3]", 422),
    "no answers": (b'{"approach": "open"}', 422),
    "wrong types": (b'{"answers": {"volume": 3, "budget": ["minimal"]}}', 422),
    "unknown ids": (b'{"answers": {"volume": "light", "favourite_colour": "blue"}}', 422),
    "unknown values": (b'{"answers": {"volume": "enormous"}}', 422),
    "deeply nested": (b"[" * 5_000 + b"]" * 5_000, (400, 422)),  # too deep to read, or read as no object
    "deeply nested and large": (b"[" * 100_000 + b"]" * 100_000, 413),
    "ten megabytes": (b'{"answers": {"volume": "' + b"x" * 10_000_000 + b'"}}', 413),
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_hostile_file_gets_a_clear_error_on_the_page_and_stores_nothing(name):
    body, status = HOSTILE[name]
    client = Client(raise_request_exception=False)
    upload = SimpleUploadedFile("result.json", body, content_type="application/json")
    response = client.post("/import/file", {"file": upload})
    assert response.status_code in (status if isinstance(status, tuple) else (status,))
    assert "The file could not be used" in response.content.decode()
    assert "Nothing was stored." in response.content.decode()
    assert Result.objects.count() == 0


@pytest.mark.django_db
def test_a_file_just_under_the_body_limit_is_read_and_one_over_it_refused_with_our_page(client, settings):
    _, body = exported(client)
    for size, status in ((settings.MAX_BODY_BYTES - 400, 303), (settings.MAX_BODY_BYTES, 413)):
        padded = json.loads(body)
        padded["padding"] = "x" * (size - len(json.dumps(padded)) - 16)
        assert len(json.dumps(padded)) == size - 1
        upload = SimpleUploadedFile("result.json", json.dumps(padded).encode(), content_type="application/json")
        response = client.post("/import/file", {"file": upload})
        assert response.status_code == status, size
    assert "at most 64 KB" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_hostile_body_gets_a_4xx_from_the_api_naming_the_problems(name):
    body, _ = HOSTILE[name]
    client = Client(raise_request_exception=False)
    response = client.post("/api/answers/import", body, content_type="application/json")
    assert 400 <= response.status_code < 500
    error = response.json()
    assert error["error"]
    if response.status_code == 422 and name in ("wrong types", "unknown ids"):
        assert len(error["fields"]) == (2 if name == "wrong types" else 1)
    assert Result.objects.count() == 0


def test_an_empty_form_asks_for_a_file(client):
    response = client.post("/import/file", {"json": "  "})
    assert response.status_code == 400
    assert "Choose a file, or paste the JSON" in response.content.decode()


def test_a_form_from_another_site_is_refused():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/import/file", {"json": "{}"}, headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 403


def test_answers_from_an_older_version_are_kept_where_they_still_exist_and_the_rest_flagged():
    text = (ruleset.RULESETS_DIR / "v3.toml").read_text()
    older = ruleset.parse_ruleset(text.replace('version = "3"', 'version = "0"').replace("timeline", "deadline"))
    data = {"answers": {"volume": "heavy", "deadline": "weeks"}}

    imported = wizard.import_answers(CURRENT, [older, CURRENT], data)

    assert imported.answers == {"volume": "heavy"}
    assert imported.flagged == [
        f"“How soon must it be in use?”: “Within weeks” (deadline=weeks) is no longer one of the answers in version "
        f"{CURRENT.version}"
    ]
    assert imported.problems == []


def test_the_import_page_offers_a_file_and_a_box(client):
    page = client.get("/import/").content.decode()
    assert 'type="file"' in page and "<textarea" in page
    assert 'enctype="multipart/form-data"' in page
    assert client.get("/import/")["Cache-Control"] == "public, max-age=3600"


@pytest.mark.django_db
def test_a_file_that_cannot_be_used_is_explained_in_the_questions_words_with_a_link_to_the_field(client):
    response = client.post("/import/file", {"json": json.dumps({"answers": {"volume": "gigantic"}})})

    assert response.status_code == 422
    page = response.content.decode()
    (item,) = re.findall(r'<div class="error-summary".*?<ul>(.*?)</ul>', page, re.S)
    assert 'href="#import-json"' in item
    assert "“gigantic” is not one of the answers to “How much will the model be used once it is live?”" in unescape(
        item
    )
    assert 'id="import-json"' in page
    assert re.search(r'<a class="back-link" href="/">Back</a>', page)
    assert Result.objects.count() == 0
