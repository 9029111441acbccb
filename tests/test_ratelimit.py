"""Creating results is limited per client address, counted in the database."""

import ipaddress

import pytest
from django.test import Client
from profiles import START_UP

from decision import ratelimit
from decision.models import RateCount, Result

ANSWERS = START_UP


@pytest.fixture
def limit_two(settings):
    settings.RATE_LIMIT_RESULTS = 2
    settings.RATE_LIMIT_WINDOW = 600


@pytest.mark.django_db
def test_the_form_refuses_past_the_limit_with_a_page_that_says_when_to_retry(client, limit_two):
    for _ in range(2):
        assert client.post("/results", ANSWERS).status_code == 303
    response = client.post("/results", ANSWERS)
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 600
    page = response.content.decode()
    assert "Too many results" in page
    assert "try again in" in page
    assert "/check/?volume=light&amp;budget=minimal" in page  # the answers are not lost
    assert Result.objects.count() == 2


@pytest.mark.django_db
def test_the_api_refuses_past_the_limit_with_json_and_retry_after(limit_two):
    api = Client()
    for _ in range(2):
        assert api.post("/api/results", {"answers": ANSWERS}, content_type="application/json").status_code == 201
    response = api.post("/api/results", {"answers": ANSWERS}, content_type="application/json")
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert int(response["Retry-After"]) >= 1
    assert "try again" in response.json()["error"]
    assert Result.objects.count() == 2


@pytest.mark.django_db
def test_the_form_and_the_api_share_one_count(client, limit_two):
    assert client.post("/results", ANSWERS).status_code == 303
    assert client.post("/api/results", {"answers": ANSWERS}, content_type="application/json").status_code == 201
    assert client.post("/results", ANSWERS).status_code == 429


@pytest.mark.django_db
def test_computing_without_storing_is_not_limited(limit_two):
    api = Client()
    for _ in range(5):
        assert api.post("/api/recommend", {"answers": ANSWERS}, content_type="application/json").status_code == 200


@pytest.mark.django_db
def test_each_address_has_its_own_allowance(limit_two):
    first, second = Client(REMOTE_ADDR="192.0.2.1"), Client(REMOTE_ADDR="192.0.2.2")
    for _ in range(2):
        first.post("/results", ANSWERS)
    assert first.post("/results", ANSWERS).status_code == 429
    assert second.post("/results", ANSWERS).status_code == 303


@pytest.mark.django_db
def test_a_forged_forwarded_header_does_not_escape_the_limit_without_a_trusted_proxy(limit_two):
    for number in range(3):
        response = Client(REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=f"198.51.100.{number}").post(
            "/results", ANSWERS
        )
    assert response.status_code == 429


@pytest.fixture
def behind_a_proxy(settings):
    settings.TRUSTED_PROXY_HOPS = 1
    settings.TRUSTED_PROXIES = [ipaddress.ip_network("203.0.113.9")]


@pytest.mark.django_db
def test_behind_a_trusted_proxy_the_real_client_address_counts(limit_two, behind_a_proxy):

    def from_client(address):
        # The proxy (203.0.113.9) appends the address it saw; anything before it was sent by the client.
        return Client(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=f"10.9.9.9, {address}")

    for _ in range(2):
        assert from_client("198.51.100.7").post("/results", ANSWERS).status_code == 303
    assert from_client("198.51.100.7").post("/results", ANSWERS).status_code == 429
    assert from_client("198.51.100.8").post("/results", ANSWERS).status_code == 303


@pytest.mark.django_db
def test_the_allowance_comes_back_when_the_window_ends(limit_two):
    start = 1_800_000_000.0  # a window boundary: divisible by 600
    for _ in range(2):
        assert ratelimit.hit("results", "192.0.2.50", now=start + 1).allowed
    refused = ratelimit.hit("results", "192.0.2.50", now=start + 1)
    assert not refused.allowed
    assert refused.retry_after == 599
    assert ratelimit.hit("results", "192.0.2.50", now=start + 600).allowed


@pytest.mark.django_db
def test_a_limit_of_zero_turns_limiting_off(client, settings):
    settings.RATE_LIMIT_RESULTS = 0
    for _ in range(3):
        assert client.post("/results", ANSWERS).status_code == 303


@pytest.mark.django_db
def test_a_peer_that_is_not_a_trusted_proxy_cannot_choose_its_address(limit_two, behind_a_proxy):
    # Straight at gunicorn, past the proxy: a hundred forged addresses are still one client.
    for number in range(3):
        forged = Client(REMOTE_ADDR="192.0.2.66", HTTP_X_FORWARDED_FOR=f"198.51.100.{number}")
        response = forged.post("/results", ANSWERS)
    assert response.status_code == 429


def test_garbage_addresses_are_not_used_as_keys(rf, behind_a_proxy):
    request = rf.get("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="<script>, not-an-ip")
    assert ratelimit.client_address(request) == "unknown"


def test_an_ipv6_client_is_counted_by_its_64_block(rf):
    first = rf.get("/", REMOTE_ADDR="2001:db8:1:2::1")
    second = rf.get("/", REMOTE_ADDR="2001:db8:1:2:ffff::9")
    other = rf.get("/", REMOTE_ADDR="2001:db8:1:3::1")
    assert ratelimit.client_address(first) == ratelimit.client_address(second) == "2001:db8:1:2::/64"
    assert ratelimit.client_address(other) != ratelimit.client_address(first)
    assert ratelimit.client_address(rf.get("/", REMOTE_ADDR="::ffff:192.0.2.7")) == "192.0.2.7"


@pytest.mark.django_db
def test_a_windows_first_attempt_clears_the_counts_that_can_no_longer_matter(limit_two):
    start = 1_800_000_000.0  # a window boundary: divisible by 600
    for minutes in (0, 10, 20):  # three windows in a row, each counted from 1
        assert ratelimit.hit("results", "192.0.2.60", now=start + minutes * 60 + 1).allowed
    bucket = int(start // 600)
    assert sorted(RateCount.objects.values_list("window", "count")) == [(bucket + 1, 1), (bucket + 2, 1)]
