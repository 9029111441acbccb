"""Fixtures for the browser journeys: one Chromium per session, a fresh context per page.

Every page opened through ``new_page`` is watched. A console error, an uncaught exception, a Content
Security Policy violation, a server error or a request to any host but the live server fails the test
that caused it, after the test body has run (so ``xfail`` still applies).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import override_settings
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Request, Response, sync_playwright
from pytest_django.live_server_helper import LiveServer

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 5_000

# Runs in every document before its own scripts; reports CSP violations to the test through a binding.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline code"} in ${event.documentURI}`
    + (event.sample ? ` (${event.sample})` : "")
  );
});
"""


@dataclass
class Watcher:
    """What went wrong in the browser while a test ran."""

    origin: str
    problems: list[str] = field(default_factory=list)
    allowed: list[re.Pattern[str]] = field(default_factory=list)
    pages: list[Page] = field(default_factory=list)

    def allow(self, pattern: str) -> None:
        """Expect console errors matching ``pattern`` (e.g. the 404 of a page that is meant to be missing)."""
        self.allowed.append(re.compile(pattern))

    def add(self, problem: str) -> None:
        if not any(pattern.search(problem) for pattern in self.allowed):
            self.problems.append(problem)

    def watch(self, context: BrowserContext) -> None:
        context.expose_function("reportCspViolation", lambda text: self.add(f"CSP violation: {text}"))
        context.add_init_script(REPORT_CSP_VIOLATIONS)
        context.on("request", self._on_request)
        context.on("response", self._on_response)
        context.on("page", self._on_page)

    def _on_page(self, page: Page) -> None:
        self.pages.append(page)
        page.on("console", lambda message: self._on_console(page, message))
        page.on("pageerror", lambda error: self.add(f"uncaught exception on {page.url}: {error}"))

    def _on_console(self, page: Page, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.add(f"console error on {page.url}: {message.text}")

    def _on_request(self, request: Request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in {"data", "blob", "about"}:
            return
        if f"{parts.scheme}://{parts.netloc}" != self.origin:
            self.add(f"request to another host: {request.method} {request.url}")

    def _on_response(self, response: Response) -> None:
        if response.status >= 500:
            self.add(f"server error {response.status} for {response.request.method} {response.url}")

    def check(self) -> None:
        # Let events the browser has already sent reach the listeners before judging.
        for page in self.pages:
            if not page.is_closed():
                page.wait_for_timeout(50)
        if self.problems:
            raise AssertionError("The browser reported problems:\n" + "\n".join(f"  - {p}" for p in self.problems))


@pytest.fixture(scope="session")
def live_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """pytest-django's live server, but serving static files through the app's own WhiteNoise, as in production.

    pytest-django puts Django's StaticFilesHandler in front, which looks files up with the finders and so
    cannot find the hashed names the manifest storage writes into pages. The files are collected into a
    directory of this session's own, so that another test run's ``collectstatic --clear`` cannot pull them
    away from under the server.
    """
    with override_settings(STATIC_ROOT=tmp_path_factory.mktemp("staticfiles")):
        call_command("collectstatic", "--noinput", verbosity=0)
        addr = request.config.getvalue("liveserver") or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost"
        server = LiveServer(addr, start=False)
        server.thread.static_handler = lambda app: app  # no interception: WhiteNoiseMiddleware serves /static/
        server.start()
        yield server
        server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_watcher(live_server: LiveServer) -> Watcher:
    return Watcher(origin=live_server.url)


NewPage = Callable[..., Page]


@pytest.fixture
def new_page(browser: Browser, live_server: LiveServer, browser_watcher: Watcher) -> Iterator[NewPage]:
    """Open a page in a new browser context: ``new_page(javascript=True, phone=False)``.

    Each call is a fresh context (its own cookies and history), like another person's browser.
    Call ``context.new_page()`` on ``page.context`` for a second tab in the same browser.
    """
    contexts: list[BrowserContext] = []

    def make(*, javascript: bool = True, phone: bool = False) -> Page:
        context = browser.new_context(
            base_url=live_server.url,
            java_script_enabled=javascript,
            viewport=PHONE if phone else DESKTOP,
            is_mobile=phone,
            has_touch=phone,
            locale="en-GB",
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        browser_watcher.watch(context)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    outcome = yield
    watcher = getattr(item, "funcargs", {}).get("browser_watcher")
    if isinstance(watcher, Watcher):
        watcher.check()
    return outcome
