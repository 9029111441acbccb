"""The privacy page, and keeping results no longer than the operator says."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from profiles import START_UP

from decision import ruleset, services
from decision.models import RateCount, Result, ResultCard


def test_the_privacy_page_says_what_is_stored_and_that_there_are_no_cookies(client):
    response = client.get("/privacy/")
    assert response.status_code == 200
    page = response.content.decode()
    for words in ("Nothing while you answer", "no personal data", "sets no cookies", "no analytics"):
        assert words in page
    assert "kept for good" in page or "keeps results for good" in page
    assert response["Cache-Control"] == "public, max-age=3600"
    assert "Set-Cookie" not in response.headers


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/questions/volume/", "/how-it-decides/", "/privacy/", "result"])
def test_every_page_links_to_the_privacy_page_from_its_footer(client, path):
    if path == "result":
        path = f"/r/{services.result_create(ruleset=ruleset.current(), answers=START_UP).id}/"
    footer = client.get(path).content.decode().split("<footer")[1]
    assert 'href="/privacy/"' in footer


def make(days_old: int) -> Result:
    result = services.result_create(ruleset=ruleset.current(), answers=START_UP)
    Result.objects.filter(pk=result.id).update(created_at=timezone.now() - datetime.timedelta(days=days_old))
    return result


@pytest.mark.django_db
def test_the_clean_up_deletes_results_older_than_the_retention_and_keeps_the_rest(client, settings, capsys):
    settings.RESULT_RETENTION_DAYS = 30
    old, recent = make(31), make(29)
    make(40)
    assert client.get(f"/r/{old.id}/card.png").status_code == 200  # its card is drawn and kept

    call_command("delete_old_results")

    assert list(Result.objects.values_list("pk", flat=True)) == [recent.id]
    # Results and their cards are counted apart: two results, one card, not "3 results".
    assert "Deleted 2 result(s) (older than 30 days), their 1 link-preview card(s)" in capsys.readouterr().out
    assert not ResultCard.objects.exists()
    assert client.get(f"/r/{old.id}/card.png").status_code == 404


@pytest.mark.django_db
def test_without_a_retention_the_clean_up_keeps_every_result(settings, capsys):
    settings.RESULT_RETENTION_DAYS = None
    make(3650)

    call_command("delete_old_results")

    assert Result.objects.count() == 1
    assert "kept for good" in capsys.readouterr().out


@pytest.mark.django_db
def test_the_clean_up_deletes_rate_counts_that_can_no_longer_matter(settings):
    settings.RATE_LIMIT_WINDOW = 600
    now = timezone.now()
    current = int(now.timestamp()) // 600
    for window in (current - 5, current - 1, current):
        RateCount.objects.create(scope="results", client="192.0.2.1", window=window, count=1)

    services.delete_old(now=now)

    assert sorted(RateCount.objects.values_list("window", flat=True)) == [current - 1, current]


@pytest.mark.django_db
def test_a_deleted_result_says_results_are_kept_for_a_limited_time(client, settings):
    settings.RESULT_RETENTION_DAYS = 30
    response = client.get("/r/gone-for-good/")
    assert response.status_code == 404
    assert "Results are deleted 30 days after they are made." in response.content.decode()


def test_the_privacy_page_gives_the_retention_when_one_is_set(client, settings):
    settings.RESULT_RETENTION_DAYS = 90
    assert "Results are deleted 90 days after they were made" in client.get("/privacy/").content.decode()


@pytest.mark.django_db
def test_one_result_is_deleted_on_request_by_its_link_and_an_unknown_one_is_a_clear_error(client):
    kept = services.result_create(ruleset=ruleset.current(), answers=START_UP)
    gone = services.result_create(ruleset=ruleset.current(), answers=START_UP)
    client.get(f"/r/{gone.id}/card.png")  # drawn and stored
    out = io.StringIO()
    call_command("delete_result", f"https://example.org/r/{gone.id}/", stdout=out)
    assert f"Deleted result {gone.id}" in out.getvalue()
    assert client.get(f"/r/{gone.id}/").status_code in (404, 410)
    assert not ResultCard.objects.filter(pk=gone.id).exists()
    assert client.get(f"/r/{kept.id}/").status_code == 200  # nothing else is touched
    with pytest.raises(CommandError, match="nothing was deleted"):
        call_command("delete_result", "--", gone.id)  # an id may begin with a dash: "--" ends the options
    with pytest.raises(CommandError, match="not a result's id or link"):
        call_command("delete_result", "not an id!")


def test_the_privacy_page_names_whom_to_ask_for_a_deletion_when_the_operator_says(client, settings):
    assert "has not named a contact" in client.get("/privacy/").content.decode()
    settings.OPERATOR_CONTACT = "privacy@example.org"
    page = client.get("/privacy/").content.decode()
    assert '<a href="mailto:privacy@example.org">privacy@example.org</a>' in page


@pytest.mark.django_db
def test_a_result_whose_id_begins_with_a_dash_can_be_deleted_by_its_id(client):
    result = services.result_create(ruleset=ruleset.current(), answers=START_UP)
    Result.objects.filter(pk=result.id).update(id="-starts-with-a-dash")
    out = io.StringIO()
    call_command("delete_result", "--", "-starts-with-a-dash", stdout=out)
    assert "Deleted result -starts-with-a-dash" in out.getvalue()
