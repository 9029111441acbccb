"""Many clients at once against the real production stack: gunicorn with several worker processes.

The server gets its own database: a fresh SQLite file (WAL, immediate transactions), or the PostgreSQL
database named by DATABASE_URL when the suite runs against PostgreSQL.
"""

import json
import os
import random
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest

from decision import ruleset

ROOT = Path(__file__).parent.parent
QUESTIONS = ruleset.current().questions


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def production_server(tmp_path, **extra_env):
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        DEBUG="false",
        HTTPS="false",
        SECRET_KEY="concurrency-test-key",
        ALLOWED_HOSTS="127.0.0.1",
        SQLITE_PATH=str(tmp_path / "server.sqlite3"),
        **extra_env,
    )
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    if env.get("DATABASE_URL", "").startswith("postgres"):
        subprocess.run(
            # The server shares this database with earlier runs: start with no rate counts.
            [
                sys.executable,
                "manage.py",
                "shell",
                "-c",
                "from decision.models import RateCount; RateCount.objects.all().delete()",
            ],
            cwd=ROOT,
            env=env,
            check=True,
        )
    gunicorn = Path(sys.executable).parent / "gunicorn"
    server = subprocess.Popen(
        [str(gunicorn), "decision.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "4", "--log-level", "warning"],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=20)


def post_json(url, body):
    request = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


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
            with urllib.request.urlopen(f"{base}/api/results/{body['id']}", timeout=10) as response:
                stored = json.load(response)
            assert stored["answers"] == answers
            assert stored["approach"] == body["approach"]
            with urllib.request.urlopen(body["url"], timeout=10) as response:
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
