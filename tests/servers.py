"""The production stack on loopback for the tests that need real processes: gunicorn with several workers, and
nginx with deploy/nginx.conf in front of it. Each server gets its own database: a fresh SQLite file, or the
PostgreSQL database named by DATABASE_URL when the suite runs against PostgreSQL."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            raise RuntimeError(f"{what} did not start")
        time.sleep(0.2)


def server_env(database: Path, **extra_env: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        DEBUG="false",
        HTTPS="false",
        SECRET_KEY="server-test-key",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SQLITE_PATH=str(database),
        **extra_env,
    )
    return env


@contextmanager
def production_server(
    tmp_path: Path, *, workers: int = 4, database: Path | None = None, wrap=(), handle: dict | None = None, **extra_env
):
    """gunicorn on a free port; yields its base URL. ``wrap`` is a command to run gunicorn under (setpriv);
    ``handle`` gets the gunicorn process as "process"."""
    port = free_port()
    env = server_env(database or tmp_path / "server.sqlite3", **extra_env)
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    if env.get("DATABASE_URL", "").startswith("postgres"):
        # The server shares this database with earlier runs: start with no rate counts.
        clear = "from decision.models import RateCount; RateCount.objects.all().delete()"
        subprocess.run([sys.executable, "manage.py", "shell", "-c", clear], cwd=ROOT, env=env, check=True)
    gunicorn = Path(sys.executable).parent / "gunicorn"
    command = [str(gunicorn), "decision.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
    server = subprocess.Popen([*wrap, *command, "--log-level", "warning"], cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    if handle is not None:
        handle["process"] = server
    try:
        wait_until_up(base + "/healthz", server, "gunicorn")
        yield base
    finally:
        server.terminate()
        server.wait(timeout=20)


@contextmanager
def proxy(app: str, *, port: int = 0, deploy: Path = ROOT / "deploy", log: Path | None = None):
    """nginx with the shipped configuration in front of ``app`` on ``port`` (a free one by default), started as
    `make serve-proxy` starts it (the script in ``deploy``); yields its base URL. Its access log goes to ``log``."""
    port = port or free_port()
    app_port = app.rsplit(":", 1)[1]
    out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [str(deploy / "serve-nginx"), str(port), app_port],
        stdout=out,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base + "/healthz", server, "nginx")
        yield base
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
        if log:
            out.close()


def fetch(url: str, *, method: str = "GET", headers: dict | None = None, body: bytes | None = None, source: str = ""):
    """One request; returns (status, headers, body). ``source`` is the loopback address to send it from, so
    that tests can be different clients to nginx's per-client limits."""
    scheme_host, _, path = url.removeprefix("http://").partition("/")
    host, port = scheme_host.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30, source_address=(source, 0) if source else None)
    try:
        named = set(headers or {})
        connection.putrequest(
            method, "/" + path, skip_host="Host" in named, skip_accept_encoding="Accept-Encoding" in named
        )
        for name, value in (headers or {}).items():
            connection.putheader(name, value)
        if body is not None:
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def post_json(url: str, body: object) -> tuple[int, dict]:
    request = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)
