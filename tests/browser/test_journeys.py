"""Journeys through the wizard in a real Chromium, with JavaScript on (htmx swaps) and off (plain pages).

The verdict each journey expects comes from the engine itself, never from the test: the browser must
show what ``rules.recommend`` says for the answers the user clicked.
"""

from __future__ import annotations

import contextlib
import re
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from profiles import MIXED_ESTATE, OPEN_SHOP, START_UP, scenario

from decision import rules, ruleset, services
from decision.models import RateCount

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RULESET = ruleset.current()
QUESTIONS = [question.id for question in RULESET.questions]  # one a page, in this order
RESULT_PATH = re.compile(r"^/r/[A-Za-z0-9_-]+/$")

# Three situations, one for each approach (checked below against the engine, not assumed).
SCENARIOS = {"open-shop": OPEN_SHOP, "start-up": START_UP, "mixed-estate": MIXED_ESTATE}

AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}


# ---------------------------------------------------------------- helpers


def verdict(answers: dict[str, str]) -> str:
    return rules.recommend(RULESET, answers).approach


def label(question_id: str, value: str) -> str:
    return RULESET.questions_by_id[question_id].label(value)


def answers_before(index: int, answers: dict[str, str]) -> dict[str, str]:
    """The answers to the questions before ``QUESTIONS[index]``, in question order."""
    return {question: answers[question] for question in QUESTIONS[:index]}


def url(base: str, path: str, answers: dict[str, str]) -> str:
    ordered = [(q.id, answers[q.id]) for q in RULESET.questions if q.id in answers]
    return f"{base}{path}?{urlencode(ordered)}" if ordered else f"{base}{path}"


def expect_address(page: Page, base: str, path: str, answers: dict[str, str]) -> None:
    """Wait until the address bar shows ``path`` with exactly ``answers`` in its query (in any order)."""
    wanted = (base, path, sorted(answers.items()))

    def shows(address: str) -> bool:
        parts = urlsplit(address)
        return (f"{parts.scheme}://{parts.netloc}", parts.path, sorted(parse_qsl(parts.query))) == wanted

    with contextlib.suppress(PlaywrightTimeoutError):
        page.wait_for_url(shows)
    assert shows(page.url), f"the address bar shows {page.url}, not {url(base, path, answers)}"


def group(page: Page, question_id: str) -> Locator:
    return page.get_by_role("group", name=RULESET.questions_by_id[question_id].text, exact=True)


def choose(page: Page, question_id: str, value: str) -> None:
    """Click the answer's label, as a user would, and check that its radio took the click."""
    text = label(question_id, value)
    group(page, question_id).get_by_text(text, exact=True).click()
    expect(group(page, question_id).get_by_role("radio", name=text, exact=True)).to_be_checked()


def expect_selected(page: Page, question_id: str, answers: dict[str, str]) -> None:
    radio = group(page, question_id).get_by_role("radio", name=label(question_id, answers[question_id]), exact=True)
    expect(radio).to_be_checked()


def expect_step(page: Page, index: int, *, focused: bool) -> None:
    """The page of ``QUESTIONS[index]``: the question is its heading (read out on focus), its place in the title."""
    question = RULESET.questions_by_id[QUESTIONS[index]]
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(question.text)
    expect(page).to_have_title(re.compile(rf"^{re.escape(question.text)} \(question {index + 1} of {len(QUESTIONS)}\)"))
    if focused:
        expect(heading).to_be_focused()


def answer_step(page: Page, question_id: str, answers: dict[str, str]) -> None:
    choose(page, question_id, answers[question_id])
    page.get_by_role("button", name="Continue").click()


def expect_check_page(page: Page, base: str, answers: dict[str, str], *, focused: bool) -> None:
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text("Check your answers")
    expect_address(page, base, "/check/", answers)
    if focused:
        expect(heading).to_be_focused()
    for question in RULESET.questions:
        row = page.locator(".summary-row").filter(has=page.get_by_text(question.text, exact=True))
        expect(row.locator(".summary-value")).to_have_text(label(question.id, answers[question.id]))


def expect_result(page: Page, approach: str, *, focused: bool) -> str:
    """Wait for the result page of ``approach``; return its path."""
    expect(page.locator("[data-approach]")).to_have_attribute("data-approach", approach)
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text(RULESET.approaches[approach].name)
    expect(page).to_have_title(re.compile(rf"^Recommendation: {RULESET.approaches[approach].name} "))
    if focused:
        expect(heading).to_be_focused()
    path = urlsplit(page.url).path
    assert RESULT_PATH.match(path), f"the result is not at /r/<id>/ but at {page.url}"
    assert urlsplit(page.url).query == "", f"the result URL carries a query: {page.url}"
    return path


def walk(page: Page, base: str, answers: dict[str, str], *, javascript: bool, start: int = 0) -> str:
    """From question ``start`` (loaded as a page), answer every one, confirm and submit; return the result path.

    With JavaScript, every later page arrives by an htmx swap, which must move focus to its heading.
    """
    for index in range(start, len(QUESTIONS)):
        expect_step(page, index, focused=javascript and index > start)
        expect_address(page, base, f"/questions/{QUESTIONS[index]}/", answers_before(index, answers))
        answer_step(page, QUESTIONS[index], answers)
    expect_check_page(page, base, answers, focused=javascript)
    page.get_by_role("button", name="Get my recommendation").click()
    return expect_result(page, verdict(answers), focused=javascript)


def expect_in_view(locator: Locator) -> None:
    """The whole element is inside the viewport (not merely some pixel of it)."""
    expect(locator).to_be_in_viewport(ratio=1)


def mark_document(page: Page) -> None:
    """Tag the current document, so that a later check can tell an htmx swap from a full page load."""
    page.evaluate("window.sameDocument = true")


def expect_same_document(page: Page) -> None:
    assert page.evaluate("window.sameDocument === true"), "the page was reloaded instead of swapped by htmx"


def create_result(answers: dict[str, str]) -> str:
    return f"/r/{services.result_create(ruleset=RULESET, answers=answers).id}/"


def preview_of_first_pivot(answers: dict[str, str]) -> str:
    result = services.result_create(ruleset=RULESET, answers=answers)
    pivot = rules.recommend(RULESET, answers).pivots[0]
    return url("", "/preview/", {**answers, pivot.question: pivot.value}) + f"&from={result.id}"


# ---------------------------------------------------------------- whole journeys


def test_journey_with_javascript_swaps_each_step_in_place(new_page, live_server):
    answers = OPEN_SHOP
    page = new_page(javascript=True)
    page.goto("/")
    mark_document(page)
    page.get_by_role("link", name="Start now").click()

    for index, question in enumerate(QUESTIONS):
        expect_step(page, index, focused=True)
        expect_address(page, live_server.url, f"/questions/{question}/", answers_before(index, answers))
        expect_same_document(page)
        answer_step(page, question, answers)

    expect_check_page(page, live_server.url, answers, focused=True)
    expect_same_document(page)
    page.get_by_role("button", name="Get my recommendation").click()

    path = expect_result(page, verdict(answers), focused=True)
    expect_same_document(page)
    expect(page.locator("#share-url")).to_have_value(page.url)

    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    copy = page.get_by_role("button", name="Copy link")
    expect(copy).to_be_visible()
    copy.click()
    expect(page.locator(".copy-status")).to_have_text("Link copied.")
    assert page.evaluate("navigator.clipboard.readText()") == page.url

    # Reloading the swapped-in result gives the whole page (not the cached fragment) with the same verdict.
    page.reload()
    assert expect_result(page, verdict(answers), focused=False) == path
    expect(page.get_by_role("banner")).to_be_visible()
    expect(page.get_by_role("contentinfo")).to_be_visible()


def test_journey_without_javascript_works_with_plain_page_loads(new_page, live_server):
    answers = START_UP
    page = new_page(javascript=False)
    page.goto("/")
    page.get_by_role("link", name="Start now").click()

    path = walk(page, live_server.url, answers, javascript=False)

    expect(page.locator("#share-url")).to_have_value(live_server.url + path)


# What a reader reads on a page: the visible text of <main>, without what only screen readers say.
READ = """(() => { const hidden = [...document.querySelectorAll('main .visually-hidden')];
  hidden.forEach(e => e.style.display = 'none'); const text = document.querySelector('main').innerText;
  hidden.forEach(e => e.style.display = ''); return text; })()"""


def test_on_a_phone_each_question_fits_with_its_button_and_the_walk_is_short(new_page):
    """Issue 16's figures (benchmarks/walk.py prints them): every question page with its Continue button within
    1.5 phone screens, and at most 900 words to read from the start page to the check page with every "Why we
    ask" closed, each line counted once (Back, Continue, a section's name are recognised, not read again)."""
    page = new_page(javascript=False, phone=True)
    screen = page.viewport_size["height"]
    paths = ["/", *(url("", f"/questions/{q}/", answers_before(i, MIXED_ESTATE)) for i, q in enumerate(QUESTIONS))]
    seen: set[str] = set()
    for path in [*paths, url("", "/check/", MIXED_ESTATE)]:
        page.goto(path)
        if path.startswith("/questions/"):
            button = page.get_by_role("button", name="Continue").bounding_box()
            assert button["y"] + button["height"] <= 1.5 * screen, f"{path}: Continue is below 1.5 screens"
        seen.update(line.strip() for line in page.evaluate(READ).splitlines() if line.strip())
    words = sum(len(line.split()) for line in seen)
    assert words <= 900, f"{words} words to read before the result"


def test_journey_on_a_phone_reaches_the_verdict(new_page, live_server):
    answers = MIXED_ESTATE
    page = new_page(javascript=True, phone=True)
    page.goto("/questions/volume/")
    walk(page, live_server.url, answers, javascript=True)
    expect(page.get_by_role("button", name="Copy link")).to_be_visible()


# ---------------------------------------------------------------- back, reload, forward


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_back_and_reload_keep_the_answer_of_the_question(new_page, live_server, javascript):
    answers = MIXED_ESTATE
    page = new_page(javascript=javascript)
    page.goto("/questions/volume/")
    answer_step(page, QUESTIONS[0], answers)
    expect_step(page, 1, focused=javascript)
    answer_step(page, QUESTIONS[1], answers)
    expect_step(page, 2, focused=javascript)

    page.go_back()
    expect_step(page, 1, focused=False)
    expect_selected(page, QUESTIONS[1], answers)

    page.reload()
    expect_step(page, 1, focused=False)
    if javascript:
        # app.js wrote the question's choice into its history entry before leaving it, so the server has it.
        expect_address(page, live_server.url, f"/questions/{QUESTIONS[1]}/", answers_before(2, answers))
        expect_selected(page, QUESTIONS[1], answers)
        page.go_forward()
    else:
        # Without JavaScript the choice was never in this entry's URL, and Chromium does not restore form
        # state on reload: the earlier answers are still carried, and the user picks this one again.
        expect_address(page, live_server.url, f"/questions/{QUESTIONS[1]}/", answers_before(1, answers))
        answer_step(page, QUESTIONS[1], answers)

    expect_step(page, 2, focused=False)
    expect_address(page, live_server.url, f"/questions/{QUESTIONS[2]}/", answers_before(2, answers))
    walk(page, live_server.url, answers, javascript=javascript, start=2)


def test_two_tabs_answer_two_scenarios_at_once(new_page, live_server):
    first = new_page(javascript=True)
    second = first.context.new_page()
    tabs = [(first, OPEN_SHOP), (second, START_UP)]
    for page, _ in tabs:
        page.goto("/questions/volume/")

    for index, question in enumerate(QUESTIONS):
        for page, answers in tabs:
            page.bring_to_front()  # switch tabs, as a person would (a background tab's timers are throttled)
            expect_step(page, index, focused=index > 0)  # the first question was a page load, not a swap
            answer_step(page, question, answers)
    paths = []
    for page, answers in tabs:
        page.bring_to_front()
        expect_check_page(page, live_server.url, answers, focused=True)
        page.get_by_role("button", name="Get my recommendation").click()
        paths.append(expect_result(page, verdict(answers), focused=True))
    assert paths[0] != paths[1]
    assert verdict(OPEN_SHOP) != verdict(START_UP), "the scenarios should lead to different verdicts"


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_missing_answer_shows_a_focused_error_summary_and_keeps_the_rest(new_page, live_server, javascript):
    answers = OPEN_SHOP
    index = QUESTIONS.index("task_scope")
    page = new_page(javascript=javascript)
    page.goto(url("", f"/questions/{QUESTIONS[index - 1]}/", answers_before(index - 1, answers)))
    answer_step(page, QUESTIONS[index - 1], answers)
    expect_step(page, index, focused=javascript)
    page.get_by_role("button", name="Continue").click()  # "What is the hardest kind of work…?" left unanswered

    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    expect(summary).to_be_focused()
    task = RULESET.questions_by_id["task_scope"]
    expect(page).to_have_title(re.compile(rf"^Error: {re.escape(task.text)} \(question {index + 1} of 15\)"))
    expect(page.get_by_role("heading", level=1)).to_have_text(task.text)

    links = summary.get_by_role("link")
    expect(links).to_have_count(1)
    expect(links).to_have_text(task.error)  # what to do for this question, e.g. "Choose the hardest kind…"
    target = links.get_attribute("href")
    assert target == "#q-task_scope", f"the error summary links to {target!r}, not to the question"
    expect(page.locator(target).locator("fieldset")).to_have_accessible_name(task.text)
    expect(group(page, "task_scope")).to_contain_text(f"{task.error}.")
    expect(group(page, "task_scope").get_by_role("radio", checked=True)).to_have_count(0)
    # What was answered stays answered: the earlier answers travel on in the address.
    expect_address(page, live_server.url, "/questions/task_scope/", {**answers_before(index, answers), "errors": "1"})

    links.click()
    expect(page).to_have_url(re.compile(re.escape(target) + "$"))
    expect_in_view(group(page, "task_scope").locator("legend"))
    expect_in_view(group(page, "task_scope").locator(".error-message"))
    if javascript:
        expect(group(page, "task_scope").get_by_role("radio").first).to_be_focused()
    choose(page, "task_scope", answers["task_scope"])
    page.get_by_role("button", name="Continue").click()
    expect_step(page, index + 1, focused=javascript)
    expect_address(page, live_server.url, f"/questions/{QUESTIONS[index + 1]}/", answers_before(index + 1, answers))


# ---------------------------------------------------------------- the result and its link


def test_share_link_shows_the_same_result_in_a_fresh_browser(new_page, live_server):
    answers = MIXED_ESTATE
    page = new_page(javascript=True)
    page.goto(create_result(answers))
    expect_result(page, verdict(answers), focused=False)
    shared = page.locator("#share-url").input_value()
    scores = page.locator(".scores").inner_text()
    assert shared == page.url

    stranger = new_page(javascript=False)
    stranger.goto(shared)
    expect_result(stranger, verdict(answers), focused=False)
    assert stranger.locator(".scores").inner_text() == scores


def test_change_answers_makes_a_new_result_and_keeps_the_old_one(new_page, live_server):
    answers = MIXED_ESTATE
    old = rules.recommend(RULESET, answers)
    assert old.pivots, "the scenario needs an answer that flips the verdict"
    pivot = old.pivots[0]
    changed = {**answers, pivot.question: pivot.value}
    assert verdict(changed) != old.approach

    page = new_page(javascript=True)
    old_path = create_result(answers)
    page.goto(old_path)
    page.get_by_role("link", name="Change answers").click()  # a plain link: a page load, not a swap
    expect_check_page(page, live_server.url, answers, focused=False)

    question = RULESET.questions_by_id[pivot.question]
    page.get_by_role("link", name=f"Change your answer to “{question.text}”").click()
    # That one question, with its answer in focus (the keyboard can change it at once), and a way back.
    expect(page.get_by_role("heading", level=1)).to_have_text(question.text)
    expect(group(page, pivot.question).get_by_role("radio", checked=True)).to_be_focused()
    expect_in_view(group(page, pivot.question).locator("legend"))
    choose(page, pivot.question, pivot.value)
    page.get_by_role("button", name="Save and return to your answers").click()
    expect_check_page(page, live_server.url, changed, focused=True)
    page.get_by_role("button", name="Get my recommendation").click()

    new_path = expect_result(page, verdict(changed), focused=True)
    assert new_path != old_path

    page.goto(old_path)
    expect_result(page, old.approach, focused=False)

    page.get_by_role("link", name="Start again").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Open, closed or hybrid?")
    expect(page).to_have_url(live_server.url + "/")


# ---------------------------------------------------------------- accessibility


def axe_pages() -> dict[str, object]:
    """Page name -> path, or a function making the path (for results, which need a database row)."""
    pages: dict[str, object] = {"start": "/"}
    for index in (0, 5, len(QUESTIONS) - 1):
        pages[f"question-{QUESTIONS[index]}"] = url(
            "", f"/questions/{QUESTIONS[index]}/", answers_before(index, OPEN_SHOP)
        )
    pages["question-with-errors"] = url("", "/questions/task_scope/", answers_before(5, OPEN_SHOP)) + "&errors=1"
    pages["question-from-check"] = url("", "/questions/expertise/", OPEN_SHOP) + "&return=check"
    pages["check"] = url("", "/check/", OPEN_SHOP)
    pages["check-mostly-unsure"] = url("", "/check/", {q.id: "unsure" for q in RULESET.questions})
    assert sorted(verdict(answers) for answers in SCENARIOS.values()) == ["closed", "hybrid", "open"]
    for answers in SCENARIOS.values():
        pages[f"result-{verdict(answers)}"] = lambda answers=answers: create_result(answers)
    conflicted = scenario("Restricted data, a small budget and no servers")
    pages["result-with-conflicts"] = lambda: create_result(conflicted)
    pages["result-too-uncertain"] = lambda: create_result({})
    pages["preview"] = lambda: preview_of_first_pivot(MIXED_ESTATE)
    pages["result-v1"] = lambda: f"/r/{services.result_create(ruleset=ruleset.get('1'), answers=MIXED_ESTATE).id}/"
    pages["how-it-decides"] = "/how-it-decides/"
    pages["privacy"] = "/privacy/"
    pages["import"] = "/import/"
    pages["compare-form"] = "/compare/"
    pages["compare"] = lambda: (
        "/compare/?"
        + "&".join(
            f"r={services.result_create(ruleset=RULESET, answers=answers).id}:{label}"
            for label, answers in (("Security", {**START_UP, "data_sensitivity": "restricted"}), ("Product", START_UP))
        )
    )
    pages["not-found"] = "/no-such-page/"
    return pages


AXE_PAGES = axe_pages()


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
@pytest.mark.parametrize("name", list(AXE_PAGES))
def test_page_has_no_axe_violations(new_page, browser_watcher, name, phone):
    target = AXE_PAGES[name]
    path = target() if callable(target) else target
    if name == "not-found":
        browser_watcher.allow(r"status of 404")
    page = new_page(javascript=True, phone=phone)
    response = page.goto(path)
    assert response is not None
    assert response.status == (404 if name == "not-found" else 200)
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    if name == "step-with-errors":
        expect(page.locator(".error-summary")).to_be_visible()

    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_report()


# ---------------------------------------------------------------- errors under htmx


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_past_the_rate_limit_the_page_says_when_to_retry_and_keeps_the_answers(
    new_page, live_server, settings, browser_watcher, javascript
):
    settings.RATE_LIMIT_RESULTS = 1
    RateCount.objects.all().delete()  # counts from earlier tests on this address
    browser_watcher.allow(r"status of 429")
    answers = START_UP
    check = url(live_server.url, "/check/", answers)
    page = new_page(javascript=javascript)
    page.goto(check)
    page.get_by_role("button", name="Get my recommendation").click()
    expect_result(page, verdict(answers), focused=javascript)

    page.goto(check)
    if javascript:
        mark_document(page)
    page.get_by_role("button", name="Get my recommendation").click()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text("Too many results from your connection")
    expect(page.get_by_text("try again in")).to_be_visible()
    if javascript:
        expect_same_document(page)  # shown inside the page by htmx, not swallowed
        expect(heading).to_be_focused()
        assert urlsplit(page.url).path == "/check/", "an error must not replace the address"
    page.get_by_role("link", name="Back to your answers").click()
    expect_check_page(page, live_server.url, answers, focused=False)
