#!/usr/bin/env python3
"""Measure the work no cache can help: every request carries answers no earlier request carried.

Starts gunicorn (DEBUG off, SQLite in WAL mode) on a fresh database, with no proxy in front, and drives it
with wrk, whose Lua script draws a fresh set of answers for each request and asks for gzip, as nginx asks the
app (so each page is compressed, as in production). Prints, in one run, the throughput of each kind of page as
a ratio to /healthz (a bare request that commits one write), against the goals of issue 17: a question page
and the check page at 0.8 or more, a preview and result creation at 0.5 or more.

These machines are shared, and /healthz alone moved by a tenth from one minute to the next, so each page is
measured right after a /healthz run of its own, and its ratio is the median over --runs such pairs (the
lowest and highest are printed beside it).

usage: .venv/bin/python benchmarks/uncached.py [--seconds 5] [--runs 3] [--connections 8] [--workers 2] [--profile]

--profile instead runs each kind of request in this process under cProfile (no server, no wrk) and prints
where the time goes: the first thing to read before changing anything for speed.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import PYTHON, ROOT, ensure, free_port, get, run_wrk, server_env, start_gunicorn

GOALS = {"question page": 0.8, "check page": 0.8, "preview": 0.5, "result creation": 0.5}


def lua_script(kind: str) -> str:
    """A wrk script whose every request asks for `kind` with answers drawn afresh (from every value a question
    offers, "unsure" included), so no two requests are alike and nothing can be served from a cache."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "decision.settings")
    from decision import ruleset

    current = ruleset.current()
    table = ", ".join(
        "{" + f'"{q.id}", ' + "{" + ", ".join(f'"{v}"' for v in (*q.values, "unsure")) + "}}" for q in current.questions
    )
    middle = current.questions[len(current.questions) // 2].id
    ask = {
        "question page": f'return wrk.format("GET", "/questions/{middle}/?" .. answers("&"))',
        "check page": 'return wrk.format("GET", "/check/?" .. answers("&"))',
        "preview": 'return wrk.format("GET", "/preview/?" .. answers("&"))',
        "result creation": (
            'return wrk.format("POST", "/api/results", {["Content-Type"] = "application/json"}, '
            '"{\\"answers\\": {" .. answers(",", true) .. "}}")'
        ),
    }[kind]
    return f"""
local questions = {{{table}}}
math.randomseed(os.time() + tonumber(tostring({{}}):sub(8), 16))
function answers(sep, as_json)
  local parts = {{}}
  for _, q in ipairs(questions) do
    local value = q[2][math.random(#q[2])]
    if as_json then
      parts[#parts + 1] = '"' .. q[1] .. '": "' .. value .. '"'
    else
      parts[#parts + 1] = q[1] .. "=" .. value
    end
  end
  return table.concat(parts, sep)
end
request = function()
  {ask}
end
"""


def profile(rounds: int) -> None:
    """Each kind of request through Django's whole stack in this process, under cProfile."""
    database = Path(tempfile.mkdtemp(prefix="profile-")) / "profile.sqlite3"
    os.environ.update(server_env(database))
    os.environ["DJANGO_SETTINGS_MODULE"] = "decision.settings"
    sys.path.insert(0, str(ROOT))
    for command in ("collectstatic", "migrate"):
        subprocess.run([PYTHON, "manage.py", command, "--noinput", "-v0"], cwd=ROOT, env=os.environ, check=True)
    import django

    django.setup()
    from django.test import Client

    from decision import ruleset

    current = ruleset.current()
    rng = random.Random(7)
    client = Client(HTTP_HOST="127.0.0.1")

    def answers() -> dict[str, str]:
        return {q.id: rng.choice((*q.values, "unsure")) for q in current.questions}

    middle = current.questions[len(current.questions) // 2].id
    kinds = {
        "healthz": lambda: client.get("/healthz"),
        "question page": lambda: client.get(f"/questions/{middle}/", answers()),
        "check page": lambda: client.get("/check/", answers()),
        "preview": lambda: client.get("/preview/", answers()),
        "result creation": lambda: client.post(
            "/api/results", json.dumps({"answers": answers()}), content_type="application/json"
        ),
    }
    for name, ask in kinds.items():
        for _ in range(10):
            ask()
        profiler = cProfile.Profile()
        start = time.perf_counter()
        profiler.enable()
        for _ in range(rounds):
            response = ask()
            assert response.status_code in (200, 201), (name, response.status_code)
        profiler.disable()
        print(f"\n=== {name}: {(time.perf_counter() - start) / rounds * 1000:.2f} ms a request under cProfile")
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(r"decision/(?!wsgi|middleware|responses)", 20)
        stats.sort_stats("tottime").print_stats(12)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=5, help="each measurement's length")
    parser.add_argument("--runs", type=int, default=3, help="pairs of /healthz and page measured for each page")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--rounds", type=int, default=200, help="requests of each kind under --profile")
    args = parser.parse_args()
    if args.profile:
        profile(args.rounds)
        return 0

    wrk = ensure("wrk", "wrk")
    workdir = Path(tempfile.mkdtemp(prefix="uncached-"))
    env = server_env(workdir / "bench.sqlite3")
    subprocess.run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    port = free_port()
    app = f"http://127.0.0.1:{port}"
    server = start_gunicorn(env, port, args.workers)
    try:
        for _ in range(100):
            try:
                if get(app + "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        print(
            f"gunicorn alone ({args.workers} sync workers, SQLite in WAL mode, DEBUG off); wrk -t2 "
            f"-c{args.connections} -d{args.seconds}s on loopback, asking for gzip, each request with answers drawn "
            f"afresh; each page right after /healthz, {args.runs} times; one run.\n"
        )
        columns = f"{'req/s':>8}{'p50 ms':>9}{'ratio':>8}{'lowest':>8}{'highest':>8}{'goal':>7}{'errors':>8}"
        print(f"  {'target':<18}{columns}")
        met = {}
        for kind, goal in GOALS.items():
            script = workdir / f"{kind.replace(' ', '-')}.lua"
            script.write_text(lua_script(kind))
            pairs = []
            for _ in range(args.runs):
                baseline = run_wrk(wrk, app + "/healthz", args.seconds, args.connections)
                pairs.append((run_wrk(wrk, app + "/", args.seconds, args.connections, script), baseline))
            ratios = sorted(found["rps"] / baseline["rps"] for found, baseline in pairs)
            middle = sorted(pairs, key=lambda pair: pair[0]["rps"] / pair[1]["rps"])[len(pairs) // 2]
            ratio, errors = statistics.median(ratios), sum(int(found["non2xx"]) for found, _ in pairs)
            met[kind] = ratio >= goal and not errors
            print(
                f"  {kind:<18}{middle[0]['rps']:>8.0f}{middle[0]['p50']:>9.2f}{ratio:>8.2f}{ratios[0]:>8.2f}"
                f"{ratios[-1]:>8.2f}{goal:>7.1f}{errors:>8}"
            )
            print(f"  {'  its /healthz':<18}{middle[1]['rps']:>8.0f}{middle[1]['p50']:>9.2f}")
        print("\nGoals:")
        for kind, ok in met.items():
            print(f"  {'met' if ok else 'MISSED':<7}{kind} at {GOALS[kind]} or more of /healthz (median), no errors")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
    return 0


if __name__ == "__main__":
    sys.exit(main())
