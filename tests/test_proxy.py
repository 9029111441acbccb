"""The shipped edge: nginx with deploy/nginx.conf in front of gunicorn, started as `make serve-proxy` starts it,
from a copy of deploy/ in a folder only its owner may enter (as a clone in root's home would be).

nginx limits each client address, so each test speaks from its own loopback address (127.0.0.N)."""

import json
import re
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from itertools import count
from urllib.parse import urlencode

import pytest
from servers import ROOT, fetch, free_port, post_json, production_server, proxy

from decision import ruleset

pytestmark = pytest.mark.server

QUESTIONS = ruleset.current().questions
START_UP = {"volume": "light", "budget": "minimal", "compute": "none", "expertise": "none"}
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=()",
}
_sources = count(2)


def client() -> str:
    """A loopback address no other test has used: a client of its own to nginx's per-client limits."""
    number = next(_sources)
    return f"127.0.{number // 250}.{number % 250 + 2}"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    folder = tmp_path_factory.mktemp("private-clone")
    folder.chmod(0o700)  # as root's home is: nginx's workers (nobody, when started as root) cannot enter it
    deploy = shutil.copytree(ROOT / "deploy", folder / "deploy")
    log = folder / "access.log"
    port = free_port()
    site = f"http://127.0.0.1:{port}"
    app_env = {"TRUST_PROXY_HEADERS": "true", "TRUSTED_PROXY_HOPS": "1", "SITE_URL": site, "RATE_LIMIT_RESULTS": "0"}
    with production_server(folder, workers=2, **app_env) as app, proxy(app, port=port, deploy=deploy, log=log) as front:
        yield {"app": app, "front": front, "log": log}


def result_id(stack) -> str:
    status, body = post_json(stack["app"] + "/api/results", {"answers": START_UP})
    assert status == 201
    return body["id"]


def assert_security_headers(headers):
    for name, part in SECURITY_HEADERS.items():
        assert part in (headers.get(name) or ""), name


def test_pages_are_kept_by_the_cache_when_started_from_a_private_folder(stack):
    # Asked for twice, kept; the third answer comes from the cache. Started as root with the cache inside a
    # folder nginx's workers cannot enter, nothing could be kept and pages failed.
    source = client()
    statuses = [fetch(stack["front"] + "/privacy/", source=source) for _ in range(3)]
    assert [status for status, _, _ in statuses] == [200, 200, 200]
    assert [headers["X-Cache-Status"] for _, headers, _ in statuses] == ["MISS", "MISS", "HIT"]


@pytest.mark.parametrize("host", ["127.0.0.1:6666", "127.0.0.1.", "localhost:1", "evil.example", "localhost"])
def test_a_forged_host_is_refused_and_never_reaches_a_kept_page(stack, host):
    front, source = stack["front"], client()
    path = f"/r/{result_id(stack)}/"
    status, headers, body = fetch(front + path, headers={"Host": host}, source=source)
    assert status == 421
    assert_security_headers(headers)
    assert "does not answer for that host name" in body.decode()
    for _ in range(3):
        status, headers, body = fetch(front + path, source=source)
        assert status == 200
        page = body.decode()
        assert f"//{host}/" not in page
        assert f'content="{front}{path}"' in page  # og:url, from SITE_URL
    assert headers["X-Cache-Status"] == "HIT"


def test_another_name_the_site_answers_to_still_links_to_the_site_address(stack):
    front, source = stack["front"], client()
    other = front.replace("127.0.0.1", "localhost").removeprefix("http://")
    path = f"/r/{result_id(stack)}/"
    for _ in range(3):
        status, _, body = fetch(front + path, headers={"Host": other}, source=source)
        assert status == 200
        assert other not in body.decode()
        assert f'content="{front}{path}"' in body.decode()


def test_answers_that_are_never_kept_do_not_wait_for_one_another(stack):
    # With proxy_cache_lock, identical requests whose answer is never kept queued behind each other in
    # half-second steps up to five seconds. Here they go to the app side by side, and skip the cache.
    front, ident = stack["front"], result_id(stack)
    paths = ["/healthz", f"/api/results/{ident}", f"/r/{ident}.json", "/api/openapi.json", "/r/no-such-result/"]
    requests = [path for path in paths for _ in range(8)]
    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        answers = list(pool.map(lambda path: timed_fetch(front + path), requests))
    assert [status for status, _, _ in answers] == [200] * 32 + [404] * 8
    for (_, headers, _), path in zip(answers, requests, strict=True):
        if path != "/r/no-such-result/":
            assert "X-Cache-Status" not in headers, path
    # Not a speed goal: the slowest of 40 loopback requests would take 3.5 s or more behind the lock.
    assert max(seconds for _, _, seconds in answers) < 2.0


def timed_fetch(url):
    started = time.monotonic()
    status, headers, _ = fetch(url, source=client())
    return status, headers, time.monotonic() - started


def test_one_client_cannot_keep_the_workers_drawing_cards(stack):
    front = stack["front"]
    ids = [result_id(stack) for _ in range(16)]
    source = client()
    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(lambda ident: fetch(f"{front}/r/{ident}/card.png", source=source), ids))
        health = fetch(front + "/healthz", source=client())
    statuses = [status for status, _, _ in answers]
    assert statuses.count(200) <= 10  # two at a time, a burst of eight, two a second
    assert statuses.count(429) >= 6
    assert health[0] == 200  # another client is still served
    refused = next(headers for status, headers, _ in answers if status == 429)
    assert int(refused["Retry-After"]) >= 1
    assert_security_headers(refused)
    # A second client is limited on its own.
    assert fetch(f"{front}/r/{ids[0]}/card.png", source=client())[0] == 200


def test_a_client_past_its_pace_is_told_to_wait_and_others_are_not(stack):
    front, source = stack["front"], client()
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda _: fetch(front + "/", source=source)[0], range(80)))
    assert 40 <= statuses.count(200) < 80
    status, _, body = fetch(front + "/api/results/x", source=source)
    assert status == 429
    assert json.loads(body)["error"].startswith("Too many requests")
    assert fetch(front + "/", source=client())[0] == 200


def test_unknown_query_parameters_make_no_cache_entries(stack):
    front, source = stack["front"], client()
    for number in range(5):
        for _ in range(3):  # asked for three times: the third would come from the cache if it were kept
            status, headers, _ = fetch(f"{front}/how-it-decides/?cachebuster={number}", source=source)
            assert status == 301
            assert headers["Location"] == "/how-it-decides/"
            assert headers.get("X-Cache-Status") != "HIT"


def test_an_address_asked_for_once_is_not_kept(stack):
    front, source = stack["front"], client()
    step = f"{front}/wizard/customization/?{urlencode(START_UP)}"
    seen = [fetch(step, source=source)[1]["X-Cache-Status"] for _ in range(3)]
    assert seen == ["MISS", "MISS", "HIT"]  # kept from its second request on


@pytest.mark.parametrize("length", [3000, 3150, 3300, 3450, 4000])
def test_long_addresses_up_to_the_limit_are_served_and_kept(stack, length):
    # A preview's address with a long (unknown) "from": the cache key used to crowd out the response's headers.
    front, source = stack["front"], client()
    answers = {q.id: "unsure" for q in QUESTIONS}
    path = f"/preview/?{urlencode(answers)}&from="
    path += "a" * (length - len(path))
    statuses = [fetch(front + path, source=source)[:2] for _ in range(3)]
    assert [status for status, _ in statuses] == [200, 200, 200]
    assert statuses[-1][1]["X-Cache-Status"] == "HIT"


@pytest.mark.parametrize("path", ["/how-it-decides/?x=", "/api/results/"])
def test_addresses_past_the_limit_are_refused_with_our_headers(stack, path):
    status, headers, body = fetch(stack["front"] + path + "a" * 5000, source=client())
    assert status == 414
    assert_security_headers(headers)
    # nginx stops reading before it knows the path, so even under /api/ this one answer is a page.
    assert "The address is too long" in body.decode()


def test_a_body_over_the_limit_is_refused_with_our_headers_and_json_under_the_api(stack):
    body = json.dumps({"answers": {}, "padding": "x" * 17_000}).encode()
    status, headers, text = fetch(
        stack["front"] + "/api/results",
        method="POST",
        body=body,
        headers={"Host": stack["front"].removeprefix("http://"), "Content-Type": "application/json"},
        source=client(),
    )
    assert status == 413
    assert_security_headers(headers)
    assert json.loads(text) == {
        "error": "The request is too large: at most 16 KB is read. Nothing was saved.",
        "fields": [],
    }


def test_a_method_nginx_refuses_says_which_are_allowed(stack):
    status, headers, _ = fetch(stack["front"] + "/results", method="TRACE", source=client())
    assert status == 405
    assert headers["Allow"] == "POST"
    assert_security_headers(headers)
    assert fetch(stack["front"] + "/", method="TRACE", source=client())[1]["Allow"] == "GET, HEAD"


def test_many_short_headers_reach_the_app_rather_than_a_bare_refusal(stack):
    headers = {"Host": stack["front"].removeprefix("http://"), **{f"X-H{n}": "1" for n in range(300)}}
    status, answer, _ = fetch(stack["front"] + "/privacy/", headers=headers, source=client())
    assert status == 200
    assert_security_headers(answer)


def test_a_cards_cache_lifetime_ends_a_day_after_its_result_could_be_deleted(stack):
    status, headers, _ = fetch(f"{stack['front']}/r/{result_id(stack)}/card.png", source=client())
    assert status == 200
    assert headers["Cache-Control"] == "public, max-age=86400"  # was a year, immutable


def test_the_access_log_keeps_paths_never_the_answers(stack):
    front = stack["front"]
    fetch(f"{front}/wizard/customization/?volume=heavy&data_sensitivity=restricted", source=client())
    time.sleep(0.2)  # nginx writes the line as the request ends
    log = stack["log"].read_text()
    assert "GET /wizard/customization/" in log
    assert "restricted" not in log
    assert not re.search(r"\?[a-z_]+=", log)
