"""The result as a Markdown architecture decision record (MADR 4), read back with a real Markdown parser."""

import datetime
import os
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from mdit_py_plugins.front_matter import front_matter_plugin
from profiles import MIXED_ESTATE, scenario

from decision import catalogue, exports, rules, ruleset, services, snapshot
from decision.snapshot import Snapshot

SAMPLE = Path(__file__).parent.parent / "docs" / "decision-record-sample.md"


def parse(text: str) -> tuple[dict[str, str], list[tuple[str, str]], list]:
    """The front matter, the headings (level, text) in order, and every token."""
    tokens = MarkdownIt("commonmark").use(front_matter_plugin).parse(text)
    (front,) = [t for t in tokens if t.type == "front_matter"]
    meta = dict(line.split(": ", 1) for line in front.content.strip().splitlines())
    headings = [
        (tokens[i].tag, tokens[i + 1].content) for i, token in enumerate(tokens) if token.type == "heading_open"
    ]
    return meta, headings, tokens


@pytest.mark.django_db
def test_a_result_downloads_as_a_madr_decision_record(client):
    result = services.result_create(ruleset=ruleset.current(), answers=MIXED_ESTATE)
    page = client.get(f"/r/{result.id}/").content.decode()
    assert f'href="/r/{result.id}/decision-record.md" download' in page

    response = client.get(f"/r/{result.id}/decision-record.md")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert f'filename="decision-record-{result.id}.md"' in response["Content-Disposition"]
    meta, headings, tokens = parse(response.content.decode())
    made = result.created_at.date()
    assert meta == {"status": "proposed", "date": made.isoformat()}
    assert headings[0] == (
        "h1",
        "Language models: Hybrid: the open side on GPUs you rent and run, "
        "the closed side as a private deployment in your cloud",
    )
    h2 = [text for tag, text in headings if tag == "h2"]
    assert h2 == [
        "Context and Problem Statement",
        "Decision Drivers",
        "Considered Options",
        "Decision Outcome",
        "Pros and Cons of the Options",
        "More Information",
    ]
    outcome = headings[
        headings.index(("h2", "Decision Outcome")) + 1 : headings.index(("h2", "Pros and Cons of the Options"))
    ]
    # MADR's two parts of the outcome, then what the chosen route and the others would cost a month.
    assert outcome == [("h3", "Consequences"), ("h3", "Confirmation"), ("h3", "What It Costs")]
    costs_table = text_after(response.content.decode(), "### What It Costs")
    assert "| Paying per token for | A month |" in costs_table and "(our route)" in costs_table
    options = headings[
        headings.index(("h2", "Pros and Cons of the Options")) + 1 : headings.index(("h2", "More Information"))
    ]
    assert [text.split(":")[0].split(",")[0] for _, text in options] == ["Closed", "Hybrid", "Open"]
    text = response.content.decode()
    assert f'Chosen option: "{options[1][1]}"' in text
    # Review by six months on, and one revisit trigger per answer that would change the verdict.
    review = made + datetime.timedelta(days=182)
    assert f"Review by: {review.isoformat()}" in text
    triggers = text.split("### Revisit triggers")[1].split("###")[0]
    assert triggers.count("\n* If ") == len(result.recommendation.model_dump(mode="json")["pivots"])
    assert "(answered now: “Several kinds”), the verdict would be open." in triggers
    assert f"<http://testserver/r/{result.id}/>" in text
    assert f"ruleset version {ruleset.current().version}" in text
    # Every source is a real link, and every first step a task to tick.
    links = [t for t in tokens if t.type == "inline" for c in (t.children or []) if c.type == "link_open"]
    assert links
    assert text.count("* [ ] ") == len(result.recommendation.model_dump(mode="json")["next_steps"])


@pytest.mark.django_db
def test_an_uncertain_result_records_that_nothing_was_decided(client):
    result = services.result_create(ruleset=ruleset.current(), answers={})
    text = client.get(f"/r/{result.id}/decision-record.md").content.decode()
    _, headings, _ = parse(text)
    assert headings[0] == ("h1", "Language models: not yet decided")
    assert "Chosen option" not in text
    assert "No option chosen yet" in text


@pytest.mark.django_db
def test_an_unknown_result_has_no_record(client):
    assert client.get("/r/no-such-result/decision-record.md").status_code == 404


def text_after(text: str, heading: str) -> str:
    return text.split(heading)[1].split("\n#")[0]


def sample_record() -> str:
    """The record the app makes for one argued scenario, with a fixed id and date, as kept in docs/."""
    answers = scenario("An education platform with student data at scale")
    current = ruleset.current()
    given = rules.complete(current, answers)
    recommendation = rules.recommend(current, given)
    result = Snapshot(
        id="sample-education-platform",
        answers=given,
        ruleset_version=current.version,
        recommendation=recommendation,
        shown=snapshot.shown(current, recommendation, given, catalogue.load()),
        created_at=datetime.datetime(2026, 11, 23, 12, 0, tzinfo=datetime.UTC),
    )
    from django.template.loader import render_to_string

    url = "https://example.org/r/sample-education-platform/"
    return render_to_string("decision-record.md", exports.decision_record_context(result, url))


def test_the_sample_record_in_docs_is_what_the_app_makes():
    made = sample_record()
    if os.environ.get("UPDATE_SAMPLES"):
        SAMPLE.write_text(made)
    assert SAMPLE.read_text() == made, "run UPDATE_SAMPLES=1 pytest tests/test_decision_record.py to renew it"
    parse(made)
