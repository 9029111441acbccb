#!/usr/bin/env python3
"""Measure the walk through the questions as a phone user meets it, and print the figures.

Starts Django's development server on a free port (a throw-away SQLite database), opens each page of one walk
in Debian's Chromium at 390 x 844 with JavaScript off (htmx changes nothing of what is shown), and prints for
each: the page's height, how far down its Continue (or submit) button ends, both in phone screens, and the
words shown with every "Why we ask" closed (the visible text of <main>, without what only screen readers say).
Words to read counts each line once over the walk: "Back", "Continue", "I'm not sure", a section's name and the
check page's repeat of a question are recognised, not read again. Then the check page printed: its pages of A4.

usage: .venv/bin/python benchmarks/walk.py [--answers "A bank's customer assistant"]
The goals (issue 16): every question page with its button within 1.5 phone screens, at most 900 words from the
start page to the check page, the check page on at most two A4 pages.
"""

from __future__ import annotations

import argparse
import io
import os
import socket
import subprocess
import sys
import tempfile
import time
import tomllib
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PHONE = {"width": 390, "height": 844}
GOALS = {"screens": 1.5, "words": 900, "a4_pages": 2}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(port: int, database: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DEBUG": "true", "DATABASE_URL": f"sqlite:///{database}"}
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("the development server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--answers", default="A bank's customer assistant", help="a scenario's name in fixtures/")
    args = parser.parse_args()
    scenarios = tomllib.loads((ROOT / "fixtures" / "scenarios.toml").read_text())["scenarios"]
    answers = next(each["answers"] for each in scenarios if each["name"] == args.answers)

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "decision.settings")
    import django

    django.setup()
    from decision import ruleset

    questions = [question.id for question in ruleset.current().questions]
    pages = [("start page", "/")]
    for index, question in enumerate(questions):
        given = [(q, answers.get(q, "unsure")) for q in questions[:index]]
        pages.append((f"question {index + 1} ({question})", f"/questions/{question}/?{urlencode(given)}"))
    pages.append(("check page", "/check/?" + urlencode([(q, answers.get(q, "unsure")) for q in questions])))

    from playwright.sync_api import sync_playwright
    from pypdf import PdfReader

    port = free_port()
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        server = serve(port, f"{folder}/walk.sqlite3")
        try:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            page = browser.new_context(viewport=PHONE, java_script_enabled=False).new_page()
            total = distinct = 0
            seen: set[str] = set()
            worst = 0.0
            print(
                f"{'page':<34} {'height':>7} {'button at':>10} {'words':>6}   (phone screens of {PHONE['height']} px)"
            )
            for name, path in pages:
                page.goto(f"http://127.0.0.1:{port}{path}")
                height = page.evaluate("document.documentElement.scrollHeight")
                button = page.evaluate(
                    "(() => { const b = document.querySelector('main button[type=submit], main .button');"
                    " return b ? b.getBoundingClientRect().bottom + window.scrollY : 0; })()"
                )
                text = page.evaluate(
                    "(() => { const hidden = [...document.querySelectorAll('main .visually-hidden')];"
                    " hidden.forEach(e => e.style.display = 'none');"
                    " const text = document.querySelector('main').innerText;"
                    " hidden.forEach(e => e.style.display = ''); return text; })()"
                )
                words = len(text.split())
                total += words
                for line in text.splitlines():
                    if line.strip() and line.strip() not in seen:
                        seen.add(line.strip())
                        distinct += len(line.split())
                        if os.environ.get("WALK_LINES"):
                            print(f"    {len(line.split()):>3} {line.strip()[:100]}")
                if name.startswith("question"):
                    worst = max(worst, button / PHONE["height"])
                screens = height / PHONE["height"]
                print(f"{name:<34} {screens:>7.2f} {button / PHONE['height']:>10.2f} {words:>6}")
            page.emulate_media(media="print")
            pdf = page.pdf(format="A4", print_background=False)
            a4 = len(PdfReader(io.BytesIO(pdf)).pages)
            browser.close()
        finally:
            server.terminate()
            server.wait()
    print()
    print(f"furthest Continue button on a question page: {worst:.2f} phone screens (goal ≤ {GOALS['screens']})")
    print(f"words shown from the start page to the check page: {total}")
    print(f"words to read (each line once): {distinct} (goal ≤ {GOALS['words']})")
    print(f"the check page printed: {a4} page(s) of A4 (goal ≤ {GOALS['a4_pages']})")


if __name__ == "__main__":
    main()
