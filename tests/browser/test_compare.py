"""Four colleagues compare their results and settle one together, in a real Chromium (phone: 390 by 844)."""

from __future__ import annotations

import io
import unicodedata

import pytest
from playwright.sync_api import expect
from profiles import START_UP
from pypdf import PdfReader

from decision import ruleset, services
from decision.models import Result

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RULESET = ruleset.current()
JS = pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])

# An insurer's claims assistant, as four colleagues answered it: they differ on the data, the volume, the budget,
# the cloud, the skills, the tuning, the audit and the deadline.
BASE = {
    "volume": "steady",
    "budget": "moderate",
    "compute": "none",
    "cloud_platform": "committed",
    "workloads": "one",
    "task_scope": "focused",
    "customization": "grounding",
    "expertise": "some",
    "data_sensitivity": "confidential",
    "deployment": "cloud",
    "transparency": "helpful",
    "exposure": "high_stakes",
    "support": "vendor",
    "timeline": "months",
    "independence": "medium",
}
TEAM = {
    "Engineering": {**BASE, "customization": "fine_tuning", "budget": "substantial"},
    "Security": {**BASE, "data_sensitivity": "restricted", "volume": "unsure", "budget": "unsure",
                 "expertise": "none", "customization": "none", "transparency": "required"},
    "Finance": {**BASE, "budget": "minimal", "expertise": "unsure", "customization": "unsure"},
    "Product": {**BASE, "data_sensitivity": "unsure", "volume": "heavy", "budget": "substantial",
                "cloud_platform": "unsure", "customization": "none", "timeline": "weeks", "transparency": "unsure"},
}  # fmt: skip


def team_address() -> str:
    ids = {label: services.result_create(ruleset=RULESET, answers=answers).id for label, answers in TEAM.items()}
    return "/compare/?" + "&".join(f"r={result_id}:{label}" for label, result_id in ids.items())


@JS
@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_the_team_reads_its_differences_and_settles_them_into_one_result(new_page, javascript, phone):
    page = new_page(javascript=javascript, phone=phone)
    page.goto(team_address())
    expect(page.get_by_role("heading", level=1)).to_have_text("Comparing 4 results")
    for label in TEAM:
        expect(page.locator(".person h3", has_text=label)).to_be_visible()
    sensitivity = RULESET.questions_by_id["data_sensitivity"]
    difference = page.locator(".difference", has=page.get_by_role("heading", name=sensitivity.text))
    expect(difference).to_contain_text("Restricted (Security) gives")
    # The agreed answers are folded; the disputed ones are on show, each person's answer named.
    expect(page.locator("#answers-differ")).to_contain_text(sensitivity.text)
    expect(page.locator("#answers-agreed table")).to_be_hidden()
    stored = Result.objects.count()

    page.get_by_text("Choose between your answers").click()
    for question_id, value in (("data_sensitivity", "restricted"), ("budget", "moderate")):
        if page.locator(f"#settle-{question_id}-{value}").count():
            page.locator(f"label[for='settle-{question_id}-{value}']").click()
    for fieldset in page.locator("form.settle fieldset").all():
        if not fieldset.locator("input:checked").count():
            fieldset.locator(".choice label").first.click()
    page.get_by_role("button", name="Check these answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers")
    assert Result.objects.count() == stored  # nothing is stored until someone saves
    page.get_by_role("button", name="Save our recommendation").click()
    expect(page.locator("[data-approach]").first).to_be_visible()
    assert Result.objects.count() == stored + 1

    record = page.request.get(page.url.rstrip("/") + "/decision-record.md").text()
    assert "### Where we disagreed" in record
    assert "Engineering, Security, Finance and Product answered the wizard separately" in record


@JS
def test_from_a_result_page_a_colleague_pastes_a_link_and_sees_both(new_page, live_server, javascript):
    mine = services.result_create(ruleset=RULESET, answers=START_UP)
    theirs = services.result_create(ruleset=RULESET, answers={**START_UP, "data_sensitivity": "restricted"})
    page = new_page(javascript=javascript, phone=True)
    page.goto(f"/r/{mine.id}/")
    page.get_by_role("link", name="compare it with a colleague's").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Compare results")
    expect(page.locator("#link-1")).to_have_value(mine.id)
    page.locator("#label-1").fill("Me")
    page.locator("#link-2").fill(f"{live_server.url}/r/{theirs.id}/?utm_source=chat")
    page.locator("#label-2").fill("Security")
    page.get_by_role("button", name="Compare").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Comparing 2 results")
    assert page.url == f"{live_server.url}/compare/?r={mine.id}:Me&r={theirs.id}:Security"
    expect(page.locator("#share-url")).to_have_value(page.url)


def test_a_mistyped_link_comes_back_with_what_is_wrong_and_the_rows_kept(new_page, browser_watcher):
    browser_watcher.allow(r"status of 400")  # the form comes back as a 400, with the problem named
    mine = services.result_create(ruleset=RULESET, answers=START_UP)
    page = new_page(javascript=True)
    page.goto(f"/compare/?with={mine.id}")
    page.locator("#link-2").fill("https://teams.example/not-a-result")
    page.get_by_role("button", name="Compare").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Row 2")
    expect(page.locator("#link-1")).to_have_value(mine.id)
    expect(page.locator("#link-2")).to_have_value("https://teams.example/not-a-result")


def test_the_comparison_prints_on_at_most_two_a4_pages_without_its_forms(new_page, live_server):
    page = new_page(javascript=True)
    path = team_address()
    page.goto(path)
    page.emulate_media(media="print")
    pdf = PdfReader(io.BytesIO(page.pdf(format="A4")))
    pages = [" ".join(p.extract_text().split()) for p in pdf.pages]
    assert 1 <= len(pdf.pages) <= 2, [(len(p), p[:80], p[-80:]) for p in pages]  # where each page starts, ends
    text = unicodedata.normalize("NFKC", " ".join(pages))
    for label in TEAM:
        assert label in text
    for on_screen_only in ("Check these answers", "Add a colleague", "Whose it is", "Skip to main content"):
        assert on_screen_only not in text
    assert "compare/?r=" in text.replace(" ", "")
