"""The result as a Markdown architecture decision record (MADR 4), read back with a real Markdown parser: a record a
team can paste into its docs/adr/ folder, written in its own voice."""

import datetime
import os
import re
from functools import cache
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.utils.text import slugify
from markdown_it import MarkdownIt
from mdit_py_plugins.front_matter import front_matter_plugin
from profiles import MIXED_ESTATE, OPEN_SHOP, SCENARIOS, START_UP, scenario

from decision import catalogue, exports, rules, ruleset, services, snapshot
from decision.snapshot import Snapshot

SAMPLE = Path(__file__).parent.parent / "docs" / "decision-record-sample.md"
MADR_SECTIONS = [
    "Context and Problem Statement",
    "Decision Drivers",
    "Considered Options",
    "Decision Outcome",
    "Pros and Cons of the Options",
    "More Information",
]
VERSIONS = ("1", "2", "3", "4", "5")
ALL_UNSURE: dict[str, str] = {}


def parse(text: str) -> tuple[dict[str, str], list[tuple[str, str]], list]:
    """The front matter (each key's value, less its YAML comment), the headings (level, text) in order, and every
    token."""
    tokens = MarkdownIt("commonmark").use(front_matter_plugin).parse(text)
    (front,) = [t for t in tokens if t.type == "front_matter"]
    meta = dict(line.split("  #")[0].split(": ", 1) for line in front.content.strip().splitlines())
    headings = [
        (tokens[i].tag, tokens[i + 1].content) for i, token in enumerate(tokens) if token.type == "heading_open"
    ]
    return meta, headings, tokens


def section(text: str, heading: str) -> str:
    """What a heading of the record holds, down to the next heading of its level or above."""
    level = heading.split(" ")[0]
    after = text.split(f"\n{heading}\n", 1)[1]
    return re.split(rf"\n#{{1,{len(level)}}} ", after, maxsplit=1)[0]


def record(version: str, answers: dict[str, str], made_id: str = "a-result") -> tuple[Snapshot, str]:
    """A result made with one version of the rules, and its record, with no database: as the app makes them."""
    rules_ = ruleset.get(version)
    given = rules.complete(rules_, answers)
    recommendation = rules.recommend(rules_, given)
    result = Snapshot(
        id=made_id,
        answers=given,
        ruleset_version=rules_.version,
        recommendation=recommendation,
        shown=snapshot.shown(rules_, recommendation, given, catalogue.load()),
        created_at=datetime.datetime(2026, 11, 23, 12, 0, tzinfo=datetime.UTC),
    )
    url = f"https://example.org/r/{made_id}/"
    return result, render_to_string("decision-record.md", exports.decision_record_context(result, url))


@cache
def every_record() -> list[tuple[str, Snapshot, str]]:
    """A record for every argued scenario, and for answers all unsure, under every version of the rules."""
    cases = [*((case["name"], dict(case["answers"])) for case in SCENARIOS), ("all unsure", ALL_UNSURE)]
    return [(f"v{version} {name}", *record(version, answers)) for version in VERSIONS for name, answers in cases]


def bullets(text: str) -> list[str]:
    return [line.strip()[2:] for line in text.splitlines() if line.strip().startswith("* ")]


@pytest.mark.django_db
def test_a_result_downloads_as_a_madr_decision_record_named_for_a_docs_adr_folder(client):
    result = services.result_create(ruleset=ruleset.current(), answers=MIXED_ESTATE)
    filename = "0001-use-open-weight-and-closed-models-in-a-hybrid.md"
    page = client.get(f"/r/{result.id}/").content.decode()
    assert f'href="/r/{result.id}/decision-record.md" download="{filename}"' in page

    response = client.get(f"/r/{result.id}/decision-record.md")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    text = response.content.decode()
    meta, headings, tokens = parse(text)
    made = result.created_at.date()
    # MADR's front matter, with the people for the team to fill in.
    assert meta == {
        "status": "proposed",
        "date": made.isoformat(),
        "decision-makers": "[]",
        "consulted": "[]",
        "informed": "[]",
    }
    assert headings[0] == (
        "h1",
        "Use open-weight and closed models in a hybrid: the open side on GPUs we rent and run, "
        "the closed side as a private deployment in our cloud",
    )
    assert [heading for tag, heading in headings if tag == "h2"] == MADR_SECTIONS
    outcome = headings[
        headings.index(("h2", "Decision Outcome")) + 1 : headings.index(("h2", "Pros and Cons of the Options"))
    ]
    # MADR's two parts of the outcome, then what the chosen route and the others would cost a month.
    assert outcome == [("h3", "Consequences"), ("h3", "Confirmation"), ("h3", "What It Costs")]
    costs_table = section(text, "### What It Costs")
    assert "| Paying per token for | A month |" in costs_table and "(our route)" in costs_table
    options = headings[
        headings.index(("h2", "Pros and Cons of the Options")) + 1 : headings.index(("h2", "More Information"))
    ]
    assert [text.split(":")[0].split(",")[0] for _, text in options] == ["Closed", "Hybrid", "Open"]
    chosen = f'Chosen option: "{options[1][1]}", because it comes out best on our answers, with 10 points'
    assert f"{chosen} against 7 for open and 4 for closed. It is a lean." in text
    # Review by six months on, and among the consequences one revisit trigger per answer that would change it.
    review = made + datetime.timedelta(days=182)
    assert f"Review by: {review.isoformat()}" in text
    consequences = section(text, "### Consequences")
    pivots = result.recommendation.model_dump(mode="json")["pivots"]
    revisit = consequences.split("* What would make us revisit it before the review date:")[1]
    assert revisit.count("\n  * If ") == len(pivots) > 0
    assert (
        "  * If the work narrows to one kind of task (answered now: “Several kinds”), the verdict would be open."
        in consequences
    )
    assert f"<http://testserver/r/{result.id}/>" in text
    assert f"ruleset version {ruleset.current().version}" in text
    # Every source is a real link, and every first step a task to tick.
    links = [t for t in tokens if t.type == "inline" for c in (t.children or []) if c.type == "link_open"]
    assert links
    assert text.count("* [ ] ") == len(result.recommendation.next_steps)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("answers", "filename"),
    [
        (START_UP, "0001-use-closed-models.md"),
        (OPEN_SHOP, "0001-use-open-weight-models.md"),
        (MIXED_ESTATE, "0001-use-open-weight-and-closed-models-in-a-hybrid.md"),
        (ALL_UNSURE, "0001-settle-the-open-questions-on-our-llm-approach.md"),
    ],
)
def test_the_download_is_named_for_what_was_decided(client, answers, filename):
    result = services.result_create(ruleset=ruleset.current(), answers=answers)
    response = client.get(f"/r/{result.id}/decision-record.md")
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert f'download="{filename}"' in client.get(f"/r/{result.id}/").content.decode()
    title = parse(response.content.decode())[1][0][1]
    assert slugify(title).startswith(filename.removeprefix("0001-").removesuffix(".md"))  # the title's short form


def test_every_record_has_madrs_sections_in_order_under_every_version_of_the_rules():
    for name, _, text in every_record():
        meta, headings, _ = parse(text)
        assert meta["status"] == "proposed" and "decision-makers" in meta, name
        assert [heading for tag, heading in headings if tag == "h2"] == MADR_SECTIONS, name
        outcome = [heading for tag, heading in headings if tag == "h3"]
        assert outcome[outcome.index("Consequences") + 1] == "Confirmation", name


def test_every_record_speaks_as_the_team_in_one_voice():
    # The texts a result keeps speak to the reader ("your data"); the record is the team's own, so it says "we".
    # Only the titles of the sources it cites are quoted as their publishers wrote them.
    for name, _, text in every_record():
        own_words = text.split("\n### Sources\n")[0]
        assert not re.findall(r"\b(you|your|yours|yourself|yourselves)\b", own_words, re.IGNORECASE), name
        assert "I'm not sure" not in own_words, name
    _, text = record("5", MIXED_ESTATE)
    assert "* Would we run a model on machines of our own, and which? Yes, GPU machines we rent in the cloud" in text
    assert "* How far must we adapt the model? Fine-tune it" in text
    assert "we must watch this" not in text


def test_the_voice_turns_round_subject_object_and_possessive():
    assert exports.ours("Your data must never leave your own infrastructure.") == (
        "Our data must never leave our own infrastructure."
    )
    assert exports.ours("GPUs you rent and run") == "GPUs we rent and run"
    assert exports.ours("it costs you nothing, and gives you a vendor to call") == (
        "it costs us nothing, and gives us a vendor to call"
    )
    assert exports.ours("run it yourselves. You get the model; filtering is yours") == (
        "run it ourselves. We get the model; filtering is ours"
    )


def test_sentences_keep_their_capitals_inside_a_record():
    assert (
        exports.mid_sentence("GPU servers of our own run an open model") == "GPU servers of our own run an open model"
    )
    assert exports.mid_sentence("EU law applies") == "EU law applies"
    assert exports.mid_sentence("Confidential data is safest") == "confidential data is safest"
    assert exports.mid_sentence("A closed model comes with a vendor") == "a closed model comes with a vendor"
    assert exports.mid_sentence("Per-token bills add up") == "per-token bills add up"
    for name, _, text in every_record():
        # No acronym lowercased at a word's start ("gPU", "aPI").
        assert not re.findall(r"\b[a-z][A-Z]", text), name
    _, text = record("5", OPEN_SHOP)
    assert "* Good, because GPU servers of our own" in text


def sentences(text: str) -> set[str]:
    """Each sentence of a part of the record, less list marks and MADR's "Good, because", in lower case."""
    found = set()
    for line in text.splitlines():
        line = re.sub(r"^\s*\* (\[ \] )?((Good|Bad|Neutral), because )?", "", line)
        for sentence in re.split(r"(?<=[.:;])\s+", line):
            if len(sentence.split()) >= 4:
                found.add(sentence.strip().lower())
    return found


def test_the_consequences_are_what_follows_from_the_decision_not_its_pros_again():
    for name, result, text in every_record():
        if result.recommendation.uncertain:
            continue
        consequences = section(text, "### Consequences")
        pros_and_cons = section(text, "## Pros and Cons of the Options")
        assert not sentences(consequences) & sentences(pros_and_cons), name
        rec = result.recommendation
        if rec.caveats:
            assert "* What we must watch:\n  * " in consequences, name
        if rec.routes:
            assert re.search(r"^\* (Our|The open side's|The closed side's) route", consequences, re.M), name
    # The route to carry it out, what it could cost a month as the result says it, what to watch, and what
    # would make us revisit it.
    result, text = record("5", MIXED_ESTATE)
    consequences = section(text, "### Consequences")
    assert "* The open side's route: GPUs we rent and run. Run the model ourselves" in consequences
    assert "  * The work that reads confidential data." in consequences
    assert "* What it could cost: $3,600 to $36,000 a month in a cloud's model service; " in consequences
    assert "more than our budget of up to about $20,000 a month" in consequences
    assert (
        "  * Two models mean two sets of costs, evaluations and failure modes: budget the operations of both."
        in consequences
    )
    assert "* What would make us revisit it before the review date:" in consequences


def test_each_option_not_chosen_says_what_ruled_it_out_or_beat_it():
    for name, result, text in every_record():
        rec = result.recommendation
        if rec.uncertain:
            continue
        shown = result.shown
        options = section(text, "## Pros and Cons of the Options").split("\n### ")[1:]
        assert len(options) == 3, name
        for option, approach in zip(options, shown.tie_break.order, strict=True):
            lines = bullets(option)
            if approach == rec.approach:
                continue
            points = rec.scores[approach]
            assert any(f"scored {points} point" in line for line in lines), (name, approach)
            # At least one reason in full: the must that ruled it out, or a reason for the option chosen.
            against = [entry.text for entry in rec.excluded if entry.approach == approach] or [
                reason.text for reason in rec.reasons if reason.favours == rec.approach
            ]
            real = [line for line in lines if line.startswith("Bad, because") and "scored" not in line]
            assert real, (name, approach)
            assert all(any(exports.ours(reason)[1:] in line for reason in against) for line in real), (name, approach)
    _, text = record("5", OPEN_SHOP)
    closed = section(text, "### Closed")
    assert (
        "* Bad, because a must rules it out (restricted data). Closed was ruled out: our data must never leave"
        in closed
    )
    assert "* Neutral, because it scored 2 points on our answers, but a must rules it out whatever it scores." in closed


def test_a_record_too_uncertain_to_call_says_so_and_lists_what_to_settle_first():
    uncertain = [(name, result, text) for name, result, text in every_record() if result.recommendation.uncertain]
    assert len(uncertain) >= 3 * len(VERSIONS)
    for name, result, text in uncertain:
        meta, headings, _ = parse(text)
        assert meta["status"] == "proposed", name
        assert headings[0] == ("h1", "Settle the open questions on our LLM approach"), name
        outcome = section(text, "## Decision Outcome")
        assert outcome.lstrip().startswith("No option chosen yet"), name
        # No leaning, no verdict, no points: the result says it is too uncertain to call.
        claims = r"\b(leans?|leaning|Chosen option|comes out best|verdict would be|points?)\b"
        assert not re.findall(claims, text), name
        asked = [
            exports.ours(ruleset.get(result.ruleset_version).named(q).text) for q in result.recommendation.ask_next
        ]
        assert bullets(outcome.split("### Consequences")[0]) == asked, name
    _, text = record("5", ALL_UNSURE)
    assert "none of our 15 answers was definite, so there is nothing to weigh" in text
    assert "* How sensitive is the data the model will see?" in section(text, "## Decision Outcome")
    assert "no single change" not in text.lower()


@pytest.mark.django_db
def test_an_unknown_result_has_no_record(client):
    assert client.get("/r/no-such-result/decision-record.md").status_code == 404


def sample_record() -> str:
    """The record the app makes for one argued scenario, with a fixed id and date, as kept in docs/."""
    answers = scenario("An education platform with student data at scale")
    return record(ruleset.current().version, answers, "sample-education-platform")[1]


def test_the_sample_record_in_docs_is_what_the_app_makes():
    made = sample_record()
    if os.environ.get("UPDATE_SAMPLES"):
        SAMPLE.write_text(made)
    assert SAMPLE.read_text() == made, "run UPDATE_SAMPLES=1 pytest tests/test_decision_record.py to renew it"
    parse(made)
