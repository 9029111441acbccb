"""The result as a brief, previews of other answers, and the wizard's finer points, in a real Chromium.

Phone means a 390 by 844 viewport; "in view" means the whole element inside it, without scrolling.
"""

from __future__ import annotations

import io
import re
import unicodedata
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect
from profiles import MIXED_ESTATE, SCENARIOS, START_UP, scenario
from pypdf import PdfReader

from decision import rules, ruleset
from decision.models import Result

from .conftest import PHONE
from .test_journeys import (
    QUESTIONS,
    answer_step,
    choose,
    create_result,
    expect_in_view,
    expect_selected,
    expect_step,
    group,
    label,
    url,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RULESET = ruleset.current()
JS = pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])

# Results whose brief is longest: a hybrid that ties, five conflicts, two conflicts, a hybrid, a plain call.
LONG_BRIEFS = [
    "An insurer that must audit its claims model, with broad work elsewhere",
    "A government body that must keep data on premises but has no servers or staff",
    "Restricted data, a small budget and no servers",
    "An education platform with student data at scale",
    "A two-person start-up testing an idea",
]


def brief_parts(page: Page) -> list:
    """What the first screen must hold: the heading, the standing, and the reasons; or, while conflicts stand
    (the call waits on them), the conflicts each with its fix instead of the reasons, which come next."""
    brief = page.locator(".brief")
    parts = [brief.get_by_role("heading", level=1), brief.locator(".standing")]
    if brief.locator(".brief-conflicts").count():
        return [*parts, brief.get_by_role("heading", name="Resolve first"), *brief.locator(".brief-conflicts li").all()]
    return [*parts, *brief.locator("li").all()]


@JS
@pytest.mark.parametrize("phone", [True, False], ids=["phone", "desktop"])
@pytest.mark.parametrize("name", LONG_BRIEFS)
def test_the_brief_is_all_on_the_first_screen(new_page, javascript, phone, name):
    answers = scenario(name)
    rec = rules.recommend(RULESET, answers)
    page = new_page(javascript=javascript, phone=phone)
    page.goto(create_result(answers))

    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text(RULESET.approaches[rec.approach].name)
    for route in rec.routes:  # named once no conflict stands: until then the route is not settled
        phrase = RULESET.routes_by_id[route.id].phrase
        if rec.conflicts:
            expect(heading).not_to_contain_text(phrase)
        else:
            expect(heading).to_contain_text(phrase)
    if rec.runner_up:
        expect(page.locator(".standing")).to_contain_text(RULESET.approaches[rec.runner_up].name)  # and the margin
    expect(page.locator(".brief .top-reasons li")).to_have_count(
        min(3, sum(r.favours == rec.approach for r in rec.reasons))
    )
    expect(page.locator(".brief-conflicts li")).to_have_count(len(rec.conflicts))
    for part in brief_parts(page):
        expect_in_view(part)


@JS
def test_every_result_is_at_most_three_phone_screens_with_its_sections_closed(new_page, javascript):
    page = new_page(javascript=javascript, phone=True)
    for case in SCENARIOS:
        page.goto(create_result(case["answers"]))
        expect(page.locator("details[open]")).to_have_count(0)
        height = page.evaluate("document.documentElement.scrollHeight")
        assert height <= 3 * PHONE["height"], f"{case['name']}: {height} px is more than three phone screens"
        # The first steps and what to watch out for come straight after the brief.
        if not page.locator("[data-uncertain]").count():
            tops = "['.brief', '#next-steps', '#watch-out'].map(s => document.querySelector(s).offsetTop)"
            order = page.evaluate(tops)
            assert order == sorted(order), case["name"]


@JS
def test_a_try_link_previews_the_changed_verdict_and_stores_nothing_until_saved(new_page, live_server, javascript):
    answers = MIXED_ESTATE
    rec = rules.recommend(RULESET, answers)
    pivot = rec.pivots[0]
    page = new_page(javascript=javascript, phone=True)
    origin = create_result(answers)
    page.goto(origin)
    stored = Result.objects.count()

    question = RULESET.questions_by_id[pivot.question]
    name = re.compile(
        rf"^If you answered “{re.escape(question.label(pivot.value))}” to “{re.escape(question.text)}”\s*, "
        rf"the call would be {RULESET.approaches[pivot.approach].name}$"
    )
    link = page.locator("#what-would-change").get_by_role("link", name=name)
    link.scroll_into_view_if_needed()
    scrolled = page.evaluate("window.scrollY")
    assert scrolled > 0
    link.click()

    expect(page.locator("[data-approach]")).to_have_attribute("data-approach", pivot.approach)
    expect(page.locator(".preview-banner")).to_contain_text("A preview, not saved.")
    expect(page.locator(".preview-banner")).to_contain_text(f"“{question.text}” from")
    assert urlsplit(page.url).path == "/preview/"
    assert Result.objects.count() == stored

    # The browser's Back returns to where the reader was on the result, not to its top.
    page.go_back()
    expect(page.locator("[data-approach]")).to_have_attribute("data-approach", rec.approach)
    page.wait_for_function(f"Math.abs(window.scrollY - {scrolled}) < 50")
    page.go_forward()
    expect(page.locator(".preview-banner")).to_be_visible()

    # So does "Back to the result": to the line of the answer the preview changed.
    page.get_by_role("link", name="Back to the result").click()
    expect(page.locator("[data-approach]")).to_have_attribute("data-approach", rec.approach)
    assert urlsplit(page.url).path == origin
    expect(page.locator(f"#change-{question.id}")).to_be_in_viewport()
    page.go_back()
    expect(page.locator(".preview-banner")).to_be_visible()

    page.get_by_role("button", name="Save this result").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Our recommendation")
    expect(page.locator("[data-approach]")).to_have_attribute("data-approach", pivot.approach)
    assert urlsplit(page.url).path not in ("/preview/", origin)
    assert Result.objects.count() == stored + 1


@JS
def test_an_all_unsure_result_has_no_verdict_headline_and_leads_to_the_questions(new_page, javascript):
    page = new_page(javascript=javascript, phone=True)
    page.goto(create_result({}))
    expect(page.get_by_role("heading", level=1)).to_have_text("Too uncertain to call")
    expect(page.get_by_text("Our recommendation")).to_have_count(0)
    expect(page.locator("#next-steps")).to_have_count(0)
    links = page.locator(".ask-next a")
    expect(links).to_have_count(3)
    for link in links.all():
        expect_in_view(link)

    first = rules.recommend(RULESET, {}).ask_next[0]
    links.first.click()
    expect_in_view(group(page, first).locator("legend"))


@JS
def test_a_change_link_opens_that_question_with_its_answer_in_focus_and_returns(new_page, live_server, javascript):
    page = new_page(javascript=javascript, phone=True)
    page.goto(url(live_server.url, "/check/", START_UP))
    question = RULESET.questions_by_id["independence"]
    page.get_by_role("link", name=f"Change your answer to “{question.text}”").click()
    expect_in_view(group(page, question.id).locator("legend"))
    chosen = group(page, question.id).get_by_role("radio", checked=True)
    expect(chosen).to_have_accessible_name(label(question.id, START_UP[question.id]))
    expect(chosen).to_be_focused()
    expect_in_view(page.get_by_role("button", name="Save and return to your answers"))
    page.get_by_role("button", name="Save and return to your answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers")


def test_copy_summary_puts_a_plain_text_brief_on_the_clipboard(new_page, live_server):
    answers = START_UP
    rec = rules.recommend(RULESET, answers)
    page = new_page(javascript=True)
    path = create_result(answers)
    page.goto(path)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.get_by_role("button", name="Copy summary").click()
    expect(page.locator(".copy-status")).to_contain_text("Summary copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert RULESET.approaches[rec.approach].name in copied.splitlines()[1]
    assert rec.next_steps[0] in copied
    assert copied.rstrip().endswith(live_server.url + path)


def test_without_javascript_the_summary_is_there_to_select(new_page, live_server):
    page = new_page(javascript=False)
    path = create_result(START_UP)
    page.goto(path)
    expect(page.get_by_role("button", name="Copy summary")).to_be_hidden()
    expect(page.get_by_role("button", name="Copy link")).to_be_hidden()
    page.get_by_text("The summary as plain text").click()
    summary = page.get_by_role("textbox", name="Summary as plain text")
    expect(summary).to_be_visible()
    assert summary.input_value().rstrip().endswith(live_server.url + path)


@JS
def test_back_then_forward_keeps_the_choices_not_yet_sent(new_page, javascript):
    answers = MIXED_ESTATE
    page = new_page(javascript=javascript)
    page.goto("/questions/volume/")
    answer_step(page, QUESTIONS[0], answers)
    expect_step(page, 1, focused=javascript)
    choose(page, QUESTIONS[1], answers[QUESTIONS[1]])

    page.go_back()
    expect_step(page, 0, focused=False)
    page.go_forward()
    expect_step(page, 1, focused=False)
    expect_selected(page, QUESTIONS[1], answers)


@pytest.mark.parametrize("name", [*LONG_BRIEFS, "A team that does not know yet"])
def test_a_printed_result_is_at_most_two_a4_pages_in_black_and_white_with_its_link(new_page, live_server, name):
    page = new_page(javascript=True)
    path = create_result(scenario(name))
    page.goto(path)
    page.emulate_media(media="print")
    assert page.evaluate("getComputedStyle(document.querySelector('h1')).color") == "rgb(0, 0, 0)"
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") in (
        "rgb(255, 255, 255)",
        "rgba(0, 0, 0, 0)",
    )

    pdf = PdfReader(io.BytesIO(page.pdf(format="A4")))

    assert 1 <= len(pdf.pages) <= 2
    # NFKC folds any ligature a PDF may still carry ("ﬀ" in a random id) back into its letters.
    text = unicodedata.normalize("NFKC", " ".join(" ".join(p.extract_text().split()) for p in pdf.pages))
    assert (live_server.url + path) in text.replace(" ", "")
    for on_screen_only in (
        "Copy link",
        "Change answers",
        "Start again",
        "On this page",
        "Skip to main content",
        "(why)",
        "nothing is saved",
        "Each fix in full",
    ):
        assert on_screen_only not in text
    # The answers, in a compact table; the conflicts with their fixes; no "Try" to click on paper.
    rec = rules.recommend(RULESET, scenario(name))
    assert "The answers" in text
    for question in RULESET.questions:
        assert " ".join(question.text.split()) in text
    for conflict in rec.conflicts[:3]:
        assert "To resolve it:" in text and " ".join(conflict.text.split())[:60] in text
    if rec.pivots and not rec.uncertain:
        assert "Any one of these answers would change the verdict" in text


def test_the_check_page_prints_on_at_most_two_a4_pages(new_page):
    page = new_page(javascript=False)
    answers = scenario("An education platform with student data at scale")
    page.goto(url("", "/check/", {q.id: answers.get(q.id, "unsure") for q in RULESET.questions}))
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers")
    page.emulate_media(media="print")
    pdf = PdfReader(io.BytesIO(page.pdf(format="A4")))
    assert 1 <= len(pdf.pages) <= 2
    text = unicodedata.normalize("NFKC", " ".join(" ".join(p.extract_text().split()) for p in pdf.pages))
    assert all(" ".join(question.text.split()) in text for question in RULESET.questions)
    assert "Change" not in text.replace("Change anything", "")  # a link to click is no use on paper


# The import form is a plain form (htmx changes nothing on it), so it runs once, as most browsers come.
def test_a_results_json_file_opens_the_check_page_with_its_answers(new_page, live_server, tmp_path):
    page = new_page()
    path = create_result(MIXED_ESTATE)
    exported = tmp_path / "result.json"
    exported.write_bytes(page.request.get(live_server.url + path.rstrip("/") + ".json").body())
    stored = Result.objects.count()

    page.goto("/import/")
    page.set_input_files("#import-file", exported)
    page.get_by_role("button", name="Read the answers").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers")
    for question_id in ("volume", "data_sensitivity", "independence"):
        question = RULESET.questions_by_id[question_id]
        row = page.locator(".summary-row").filter(has=page.get_by_text(question.text, exact=True))
        expect(row.locator(".summary-value")).to_have_text(label(question_id, MIXED_ESTATE[question_id]))
    assert Result.objects.count() == stored


@JS
def test_the_link_to_the_fixes_opens_them_with_or_without_javascript(new_page, javascript):
    page = new_page(javascript=javascript)
    page.goto(create_result(scenario("Restricted data, a small budget and no servers")))
    expect(page.locator("details#conflicts")).not_to_have_attribute("open", "")
    page.locator('.brief a[href^="#conflict"]').first.click()
    expect(page.locator("details#conflicts")).to_have_attribute("open", "")
    expect(page.locator("#conflict-fixes li").first).to_be_in_viewport()


def test_a_printed_preview_wraps_its_long_address_instead_of_widening_the_page(new_page):
    from urllib.parse import urlencode

    page = new_page(javascript=True)
    page.goto("/preview/?" + urlencode({q.id: q.values[0] for q in RULESET.questions}))
    page.emulate_media(media="print")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
