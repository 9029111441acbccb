#!/usr/bin/env python3
"""Measure the production stack on loopback and print the figures.

Starts gunicorn (DEBUG off, static files collected, whitenoise) on a fresh SQLite database, drives it with
wrk, and prints for each page requests per second, p50 and p99 latency and the ratio to /healthz (a bare
view through the same middleware) measured in the same run; then each worker's peak memory, page weights
as sent, database queries per page, and (unless --no-lighthouse) Lighthouse scores.

usage: .venv/bin/python benchmarks/run.py [--seconds 10] [--connections 16] [--workers 4] [--no-lighthouse]
Installs wrk from Debian's packages when it is missing; Lighthouse comes from the npm registry via npx.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
ANSWERS = {
    "budget": "moderate",
    "volume": "steady",
    "compute": "cloud",
    "customization": "grounding",
    "task_scope": "broad",
    "expertise": "some",
    "data_sensitivity": "confidential",
    "transparency": "helpful",
    "exposure": "public",
    "support": "sla",
    "timeline": "months",
    "independence": "medium",
}
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
GOALS = {"wizard": 0.5, "result": 0.8, "create_per_second": 500, "rss_mb": 80, "first_visit_kb": 30}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True)
    subprocess.run(
        [*sudo, "apt-get", "install", "-y", "-qq", "wrk"],
        check=True,
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
    )
    return shutil.which("wrk") or "wrk"


def server_env(database: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_ALLOW")}
    env.update(
        DEBUG="false",
        HTTPS="false",
        SECRET_KEY="benchmark-only-secret-key-0123456789",
        ALLOWED_HOSTS="127.0.0.1",
        SQLITE_PATH=str(database),
        # Counted as in production, but high enough that one load generator on one address is never refused.
        RATE_LIMIT_RESULTS="1000000000",
    )
    env.pop("DATABASE_URL", None)
    return env


def get(url: str, gzip_ok: bool = True) -> tuple[int, bytes, dict[str, str]]:
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"} if gzip_ok else {})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.read(), dict(response.headers)


def post_json(url: str, body: dict) -> dict:
    request = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def run_wrk(wrk: str, url: str, seconds: int, connections: int, script: Path | None = None) -> dict[str, float]:
    base = [wrk, "-t2", f"-c{connections}", "--latency", "--timeout", "5s"]
    if script:
        base += ["-s", str(script)]
    subprocess.run([*base[:-2], "-d2s", url], capture_output=True, check=True)  # warm up
    out = subprocess.run([*base, f"-d{seconds}s", url], capture_output=True, text=True, check=True).stdout

    def latency(label: str) -> float:
        match = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not match:
            return float("nan")
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return {
        "rps": rps,
        "p50": latency("50"),
        "p99": latency("99"),
        "non2xx": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
    }


def random_answers_script(path: str, section: str | None = None) -> str:
    """A wrk script that asks for ``path`` with every question before ``section`` (all, without one)
    answered at random, so that kept pages and cached fragments are almost never reused."""
    sys.path.insert(0, str(ROOT))
    from decision import ruleset

    current = ruleset.current()
    asked = []
    for each in current.sections:
        if each.id == section:
            break
        asked += current.questions_by_section[each.id]
    table = ", ".join("{" + f'"{q.id}", ' + "{" + ", ".join(f'"{v}"' for v in q.values) + "}}" for q in asked)
    return (
        f"local questions = {{{table}}}\n"
        "request = function()\n"
        "  local parts = {}\n"
        '  for i, q in ipairs(questions) do parts[i] = q[1] .. "=" .. q[2][math.random(#q[2])] end\n'
        f'  return wrk.format(nil, "{path}?" .. table.concat(parts, "&"))\n'
        "end\n"
    )


def worker_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def page_weight(base: str, path: str) -> tuple[int, int, list[str]]:
    """Bytes as sent (gzip) of the HTML and every asset it loads, and any reference to another host."""
    _, html, headers = get(base + path)
    total = len(html)
    text = gzip.decompress(html).decode() if headers.get("Content-Encoding") == "gzip" else html.decode()
    foreign = [url for url in re.findall(r'(?:src|href)="(https?://[^"]+)"', text) if not url.startswith(base)]
    assets = set(re.findall(r'<(?:script|link)[^>]+(?:src|href)="(/static/[^"]+)"', text))
    assets |= set(re.findall(r'<img[^>]+src="(/static/[^"]+)"', text))
    for asset in sorted(assets):
        total += len(get(base + asset)[1])
    return len(html), total, foreign


def queries_per_page(env: dict[str, str], paths: list[str]) -> dict[str, int]:
    code = f"""
import json, django
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
client = Client(HTTP_HOST="127.0.0.1")
counts = {{}}
for path in {paths!r}:
    with CaptureQueriesContext(connection) as captured:
        status = client.get(path).status_code
    assert status == 200, (path, status)
    counts[path] = len(captured.captured_queries)
print(json.dumps(counts))
"""
    out = subprocess.run(
        [PYTHON, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "decision.settings"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def lighthouse(urls: dict[str, str]) -> dict[str, dict[str, int]]:
    scores = {}
    env = {**os.environ, "CHROME_PATH": "/usr/bin/chromium"}
    flags = " ".join(CHROMIUM_FLAGS)
    for name, url in urls.items():
        with tempfile.TemporaryDirectory() as out_dir:
            report = Path(out_dir) / "report.json"
            subprocess.run(
                [
                    "npx",
                    "--yes",
                    "lighthouse@12",
                    url,
                    "--quiet",
                    f"--chrome-flags={flags}",
                    "--only-categories=performance,accessibility,best-practices,seo",
                    "--output=json",
                    f"--output-path={report}",
                ],
                env=env,
                check=True,
                capture_output=True,
                timeout=240,
            )
            data = json.loads(report.read_text())
        scores[name] = {key: round(category["score"] * 100) for key, category in data["categories"].items()}
    return scores


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--no-lighthouse", action="store_true")
    args = parser.parse_args()

    wrk = ensure_wrk()
    workdir = Path(tempfile.mkdtemp(prefix="bench-"))
    env = server_env(workdir / "bench.sqlite3")
    subprocess.run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    gunicorn = Path(PYTHON).parent / "gunicorn"
    server = subprocess.Popen(
        [
            str(gunicorn),
            "decision.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                if get(base + "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        created = post_json(base + "/api/results", {"answers": ANSWERS})
        query = "&".join(f"{key}={value}" for key, value in ANSWERS.items())
        middle = "/wizard/security/?" + "&".join(f"{k}={v}" for k, v in list(ANSWERS.items())[:6])
        pages = {
            "healthz (baseline)": "/healthz",
            "start page": "/",
            "middle step": middle,
            "check page": "/check/?" + query,
            "result page": f"/r/{created['id']}/",
        }
        create_script = workdir / "create.lua"
        create_script.write_text(
            'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
            f"wrk.body = {json.dumps(json.dumps({'answers': ANSWERS}))}\n"
        )

        print(
            f"Production stack: gunicorn, {args.workers} sync workers, SQLite (WAL), DEBUG off; "
            f"wrk -t2 -c{args.connections} -d{args.seconds}s on loopback; one run.\n"
        )
        print(f"{'target':<22}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'vs healthz':>12}{'errors':>8}")
        results = {}
        for name, path in pages.items():
            results[name] = run_wrk(wrk, base + path, args.seconds, args.connections)
        # The same pages with the answers drawn at random for each request (5,120 combinations for the step,
        # millions for the check page, against 600 kept pages per worker), so that nearly every request is
        # rendered afresh: what these pages cost for visitors who do not repeat each other.
        for name, path, section in [
            ("middle step, uncached", "/wizard/security/", "security"),
            ("check page, uncached", "/check/", None),
        ]:
            script = workdir / f"{name.split()[0]}.lua"
            script.write_text(random_answers_script(path, section))
            results[name] = run_wrk(wrk, base + path, args.seconds, args.connections, script)
        results["result creation (POST)"] = run_wrk(
            wrk, base + "/api/results", args.seconds, args.connections, create_script
        )
        baseline = results["healthz (baseline)"]["rps"]
        for name, figures in results.items():
            ratio = figures["rps"] / baseline
            errors = figures["non2xx"] if "creation" not in name else max(0, figures["non2xx"])
            print(
                f"{name:<22}{figures['rps']:>10.0f}{figures['p50']:>10.2f}{figures['p99']:>10.2f}{ratio:>12.2f}{errors:>8}"
                + (f"  socket errors: {figures['socket_errors']}" if figures["socket_errors"] else "")
            )

        print("\nPeak resident memory per worker (VmHWM) after the load:")
        pids = worker_pids(server.pid)
        for pid in pids:
            print(f"  worker {pid}: {peak_rss_mb(pid):.1f} MB")

        print("\nWeight as sent to a browser that accepts gzip (static files come precompressed; the app sends HTML")
        print("as it is, leaving compression to the proxy), HTML alone and with every asset it loads (a first visit):")
        for name, path in list(pages.items())[1:]:
            html, total, foreign = page_weight(base, path)
            print(
                f"  {name:<14} HTML {html / 1024:5.1f} KB, in all {total / 1024:5.1f} KB, "
                f"requests to other hosts: {len(foreign)}"
            )

        print("\nDatabase queries per page (first request; a result page is then served from memory):")
        for path, count in queries_per_page(env, list(pages.values())[1:]).items():
            print(f"  {count}  {path[:70]}")

        checks = {
            "wizard pages >= 0.5 of healthz": all(
                results[n]["rps"] / baseline >= GOALS["wizard"]
                for n in ("start page", "middle step", "middle step, uncached", "check page", "check page, uncached")
            ),
            "result page >= 0.8 of healthz": results["result page"]["rps"] / baseline >= GOALS["result"],
            "creation > 500/s, no errors": results["result creation (POST)"]["rps"] > GOALS["create_per_second"]
            and results["result creation (POST)"]["non2xx"] == 0
            and not results["result creation (POST)"]["socket_errors"],
            "every worker < 80 MB": all(peak_rss_mb(pid) < GOALS["rss_mb"] for pid in pids),
            "start page first visit < 30 KB": page_weight(base, "/")[1] < GOALS["first_visit_kb"] * 1024,
        }
        if not args.no_lighthouse:
            print("\nLighthouse 12 (mobile preset, Debian's Chromium):")
            scores = lighthouse(
                {"start page": base + "/", "middle step": base + middle, "result page": base + pages["result page"]}
            )
            for name, categories in scores.items():
                print(f"  {name:<12} " + "  ".join(f"{key} {value}" for key, value in categories.items()))
            checks["lighthouse all 100"] = all(v == 100 for c in scores.values() for v in c.values())
        print("\nGoals:")
        for goal, met in checks.items():
            print(f"  {'met' if met else 'MISSED':<7}{goal}")
    finally:
        server.terminate()
        server.wait(timeout=20)
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
