"""Database work per page: none for the wizard, at most one for a result (none once it is cached)."""

from urllib.parse import urlencode

import pytest
from profiles import START_UP

from decision import ruleset, services

ANSWERS = {"data_sensitivity": "restricted", "compute": "own", "expertise": "strong"}
SECURITY_AND_AFTER = {q.id for q in ruleset.current().questions if q.section in ("security", "operations")}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/wizard/budget/",
        "/wizard/security/?" + urlencode({q: a for q, a in START_UP.items() if q not in SECURITY_AND_AFTER}),
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
    assert "max-age=86400" in second["Cache-Control"]
    assert "HX-Request" in second["Vary"]


@pytest.mark.django_db
def test_the_cached_page_and_the_htmx_partial_are_kept_apart(client):
    result = services.result_create(ruleset=ruleset.current(), answers=ANSWERS)
    full = client.get(f"/r/{result.id}/").content.decode()
    partial = client.get(f"/r/{result.id}/", headers={"HX-Request": "true"}).content.decode()
    assert "<html" in full
    assert "<html" not in partial
    assert 'data-approach="open"' in partial


def test_the_check_page_never_shares_a_csrf_token_between_visitors():
    from django.test import Client

    path = "/check/?" + "&".join(f"{q.id}=unsure" for q in ruleset.current().questions)
    tokens = set()
    for _ in range(2):
        page = Client().get(path).content.decode()
        tokens.add(page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0])
    assert len(tokens) == 2


@pytest.mark.django_db
def test_a_kept_step_page_is_the_page_as_rendered(client):
    path = "/wizard/customization/?budget=minimal&volume=light&compute=none&cloud_platform=none"
    first, second = client.get(path), client.get(path)
    assert first.content == second.content
    assert 'value="minimal"' in second.content.decode()
    assert client.get(path, headers={"HX-Request": "true"}).content != first.content
