"""Database work per page and what HTTP says may be cached: none for the wizard, at most one query for a result
(none once it is cached); public pages say so (the check page too: its form carries no token), a result for a day
(it never changes, but what today's rules say of it can), and a repeat request with the page's validator gets 304."""

from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from profiles import START_UP

from decision import ruleset, services
from decision.models import MarketCopy, RateCount, Result

ANSWERS = {"data_sensitivity": "restricted", "compute": "own", "expertise": "strong"}
SECURITY_AND_AFTER = {q.id for q in ruleset.current().questions if q.section in ("security", "operations")}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/questions/volume/",
        "/questions/data_sensitivity/?" + urlencode({q: a for q, a in START_UP.items() if q not in SECURITY_AND_AFTER}),
        "/how-it-decides/",
        "/check/?" + "&".join(f"{q.id}=unsure" for q in ruleset.current().questions),
    ],
)
def test_wizard_pages_make_no_database_queries(client, django_assert_num_queries, path):
    with django_assert_num_queries(0):
        assert client.get(path).status_code == 200


@pytest.mark.django_db
def test_a_result_page_makes_one_query_and_none_once_cached(client, django_assert_num_queries):
    result = services.result_create(ruleset=ruleset.current(), answers=ANSWERS)
    with django_assert_num_queries(1):
        first = client.get(f"/r/{result.id}/")
    with django_assert_num_queries(0):
        second = client.get(f"/r/{result.id}/")
    assert first.content == second.content
    assert 'data-approach="open"' in second.content.decode()
    assert second["Cache-Control"] == "public, max-age=86400"  # a day: its "today's rules" line can change
    assert "HX-Request" in second["Vary"]


@pytest.mark.django_db(transaction=True)
def test_saving_a_result_counts_it_and_stores_it_in_two_statements(client, settings):
    """Inside the write lock that every result created waits for: the rate count, made or raised by one and read
    back by one statement, and the result's row; nothing else. The market figures it was made from are stored
    once, the first time, and only looked up afterwards, before the lock."""
    settings.RATE_LIMIT_RESULTS = 5
    body = {"answers": ANSWERS}
    client.post("/api/results", body, content_type="application/json")  # the first: the window's count and the copy
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/api/results", body, content_type="application/json")
    assert response.status_code == 201
    statements = [q["sql"] for q in queries if not q["sql"].startswith(("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE"))]
    assert [sql.split()[0] for sql in statements] == ["SELECT", "INSERT", "INSERT"]
    assert "decision_marketcopy" in statements[0]
    assert "RETURNING" in statements[1]
    if connection.vendor == "sqlite":  # the transaction, and so the lock, starts after the lookup
        begin = next(i for i, q in enumerate(queries) if q["sql"].startswith("BEGIN"))
        assert queries[begin - 1]["sql"] == statements[0]
    assert RateCount.objects.get().count == 2
    assert MarketCopy.objects.count() == 1
    assert Result.objects.filter(market__isnull=False).count() == 2


@pytest.mark.django_db
def test_the_cached_page_and_the_htmx_partial_are_kept_apart(client):
    result = services.result_create(ruleset=ruleset.current(), answers=ANSWERS)
    full = client.get(f"/r/{result.id}/").content.decode()
    partial = client.get(f"/r/{result.id}/", headers={"HX-Request": "true"}).content.decode()
    assert "<html" in full
    assert "<html" not in partial
    assert 'data-approach="open"' in partial


@pytest.mark.parametrize("path", ["/", "/how-it-decides/", "/questions/volume/", "/questions/volume/?volume=light"])
def test_pages_that_are_the_same_for_everyone_may_be_cached_by_anyone(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=3600"
    assert {"HX-Request", "HX-History-Restore-Request"} <= {v.strip() for v in response["Vary"].split(",")}
    assert "Set-Cookie" not in response.headers


def test_the_check_page_is_the_same_for_everyone_and_sets_no_cookie(client):
    path = "/check/?" + "&".join(f"{q.id}=unsure" for q in ruleset.current().questions)
    first, second = client.get(path), client.get(path)
    assert first.status_code == 200
    assert first["Cache-Control"] == "public, max-age=3600"
    assert "Set-Cookie" not in first.headers
    assert first.content == second.content


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["step", "result"])
def test_a_repeat_request_with_the_pages_validator_gets_304_and_no_body(client, kind):
    if kind == "result":
        path = f"/r/{services.result_create(ruleset=ruleset.current(), answers=ANSWERS).id}/"
    else:
        path = "/questions/workloads/?volume=light&budget=minimal&compute=none&cloud_platform=none"
    first = client.get(path)
    assert first.status_code == 200 and first["ETag"]
    again = client.get(path, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    assert again.content == b""
    assert client.get(path, headers={"If-None-Match": '"something-else"'}).status_code == 200
