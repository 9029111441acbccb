"""Many clients at once against the real production stack: gunicorn with several worker processes (servers.py)."""

import json
import random
from concurrent.futures import ThreadPoolExecutor
from urllib.request import urlopen

import pytest
from servers import post_json, production_server

from decision import ruleset

QUESTIONS = ruleset.current().questions


def random_answers(rng):
    return {q.id: rng.choice(q.values) for q in QUESTIONS}


@pytest.mark.server
def test_many_concurrent_clients_each_get_a_result_that_opens_with_their_answers(tmp_path):
    rng = random.Random(42)
    answer_sets = [random_answers(rng) for _ in range(240)]
    with production_server(tmp_path, RATE_LIMIT_RESULTS="0") as base:
        with ThreadPoolExecutor(max_workers=24) as pool:
            created = list(
                pool.map(lambda answers: post_json(base + "/api/results", {"answers": answers}), answer_sets)
            )
        assert [status for status, _ in created] == [201] * len(answer_sets)
        ids = [body["id"] for _, body in created]
        assert len(set(ids)) == len(ids)
        for answers, (_, body) in zip(answer_sets, created, strict=True):
            with urlopen(f"{base}/api/results/{body['id']}", timeout=10) as response:
                stored = json.load(response)
            assert stored["answers"] == answers
            assert stored["approach"] == body["approach"]
            with urlopen(body["url"], timeout=10) as response:
                assert f'data-approach="{body["approach"]}"'.encode() in response.read()


@pytest.mark.server
def test_the_rate_limit_holds_across_worker_processes(tmp_path):
    # One window for the whole run, whenever it starts (windows are aligned to the clock).
    limited = production_server(tmp_path, RATE_LIMIT_RESULTS="25", RATE_LIMIT_WINDOW="1000000000")
    with limited as base, ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(lambda _: post_json(base + "/api/results", {"answers": {}})[0], range(80)))
    assert statuses.count(201) == 25
    assert statuses.count(429) == 55


@pytest.mark.server
def test_gunicorn_reads_a_chunked_json_body(tmp_path):
    import http.client

    body = json.dumps({"answers": {q.id: "unsure" for q in QUESTIONS}}).encode()
    with production_server(tmp_path) as base:
        host, port = base.removeprefix("http://").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        connection.request(
            "POST",
            "/api/recommend",
            body=iter([body[:20], body[20:]]),
            headers={"Content-Type": "application/json"},
            encode_chunked=True,
        )
        response = connection.getresponse()
        assert response.status == 200, response.read()
        assert json.loads(response.read())["uncertain"] is True
