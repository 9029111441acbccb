"""Colleagues' results side by side: where their answers differ, and what each difference does to the call.

The choice of approach is rarely one person's: the security lead, the finance lead and the head of engineering
each know some answers better than the others, and often disagree. Each makes a result; a comparison puts two
to eight of them together, by today's questions (an older result's answers are carried forward, and what no
longer fits is said).

What a disagreement does is worked out twice. First on the answers the group shares: every question they agree on
keeps its answer, every disputed one is left "not sure", and each disputed question is tried with each answer
someone gave it. Then with each person's own other answers, since one choice can matter only once another is
settled (a budget that adds a conflict only on restricted data). A difference matters where those answers give a
different verdict, route or set of conflicts. No I/O: the view looks the results up and turns answers into
addresses.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote, urlsplit

from decision import money, rules, wizard
from decision.brief import headline
from decision.catalogue import Catalogue
from decision.entries import UNSURE, Approach
from decision.models import RESULT_ID_PATTERN
from decision.ruleset import Ruleset
from decision.snapshot import Snapshot, shown
from decision.verdict import chosen_routes, decide

MIN_PEOPLE = 2
MAX_PEOPLE = 8
LABEL_MAX = 40
# A result's id as the address of its page gives it: a bare id, or any link whose path holds /r/<id>/.
ID = re.compile(RESULT_ID_PATTERN)  # whole strings only: ID.fullmatch
IN_LINK = re.compile(rf"/r/({RESULT_ID_PATTERN})(?:/|\.json|$)")


def group_param(refs: Sequence[Ref]) -> str:
    """The people of a comparison in one parameter, which the walk to a saved result carries along."""
    return "|".join(f"{ref.result_id}:{ref.label}" for ref in refs)


Group = dict[str, tuple[tuple[str, str], ...]]  # question -> (label, answer) of each who was asked, in order


def group_labels(group: Group) -> list[str]:
    """The labels of those who answered, in the order they were compared, from what a saved result kept."""
    return list(dict.fromkeys(label for said_by in group.values() for label, _ in said_by))


def who_said_what(ruleset: Ruleset, people: Sequence[tuple[str, Snapshot]]) -> Group:
    """Who answered what, by label, on each question where the answers differed: what a result saved from a
    comparison keeps (worked out without the rest of the comparison, which weighs every outcome)."""
    group: Group = {}
    carried = carry(ruleset, people)
    for question in ruleset.questions:
        said = tuple((p.label, p.answers[question.id]) for p in carried if question.id in p.answers)
        if len({value for _, value in said}) > 1:
            group[question.id] = said
    return group


def carry(ruleset: Ruleset, people: Sequence[tuple[str, Snapshot]]) -> list[Person]:
    """Each person's answers as this ruleset's questions take them (a question their version did not ask is
    absent; an answer that no longer fits counts as not sure, and is named)."""
    carried = []
    for label, result in people:
        answers, problems = wizard.carry_over(ruleset, result.answers)
        asked = {question.id for question in result.shown.questions}
        for question_id in asked & ruleset.questions_by_id.keys():
            answers.setdefault(question_id, UNSURE)  # asked then, with an answer today's question no longer takes
        carried.append(Person(label=label, result=result, answers=answers, dropped=problems))
    return carried


class CompareError(ValueError):
    """What is wrong with the results asked for, each problem in words a person can act on."""

    def __init__(self, problems: list[str], status: int = 400, anchors: Sequence[str] = ()) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems
        self.status = status
        # The form field each problem is about, where it is known (the row of the form): its link goes there.
        self.anchors = list(anchors) or ["link-1"] * len(problems)


@dataclass(frozen=True)
class Ref:
    """One result asked for, and the name its person goes by on the page."""

    result_id: str
    label: str


def result_id_in(text: str) -> str | None:
    """The result id a pasted link or id names, or None: "https://host/r/abc/?utm=x", "/r/abc/", "abc", the link
    inside a mail scanner's ("…safelinks…?url=https%3A%2F%2Fhost%2Fr%2Fabc%2F"), or one with the full stop or
    the brackets of the sentence it was copied from."""
    text = unquote(text.strip()).strip(" .,;:!?\"'()<>[]\u2039\u203a\u00ab\u00bb\u201c\u201d\u2018\u2019")
    found = IN_LINK.search(text)
    if found:
        return found.group(1)
    return text if ID.fullmatch(text) else None


def comparison_in(text: str) -> list[str]:
    """The `r` values of a pasted comparison's link ("https://host/compare/?r=abc:Security&r=…"), else none."""
    link = urlsplit(text.strip())
    return parse_qs(link.query).get("r", []) if link.path.endswith("/compare/") else []


def quoted(text: str, most: int = 120) -> str:
    """Pasted text as an error message quotes it: cleaned like a label, cut with an ellipsis past `most`."""
    cleaned = clean_label(text, most + 1)
    return cleaned if len(cleaned) <= most else cleaned[:most].rstrip() + "…"


def clean_label(text: str, most: int = LABEL_MAX) -> str:
    """A label as shown: control and formatting characters dropped, spaces collapsed, cut to LABEL_MAX."""
    spaced = "".join(" " if ch.isspace() else ch for ch in text).replace("|", "/")  # "|" joins a group (below)
    kept = "".join(ch for ch in spaced if unicodedata.category(ch)[0] != "C")
    return " ".join(kept.split())[:most]


@dataclass(frozen=True)
class Asked:
    """The results an address asks for, each once, and what was done to make them so."""

    refs: list[Ref]
    notes: list[str]  # a result given twice (shown once), a label given twice (numbered)


def parse_refs(values: Sequence[str]) -> Asked:
    """The results an address asks for, from its `r` values ("<id>" or "<id>:<label>"), or CompareError.

    A result given twice is shown once, and a label given twice gets a number, each with a note: people paste
    their own link twice, or both write "Engineering", and the page they meant is plain enough to show."""
    problems: list[str] = []
    anchors: list[str] = []
    refs: list[Ref] = []
    notes: list[str] = []
    seen: dict[str, Ref] = {}
    for number, value in enumerate(values, start=1):
        result_id, _, label = value.partition(":")
        result_id = result_id.strip()
        if not ID.fullmatch(result_id):
            problems.append(f"Result {number}: “{quoted(value)}” is not a result's id.")
            anchors.append(f"link-{number}")
            continue
        label = clean_label(label) or f"Result {number}"
        if result_id in seen:
            notes.append(f"Result {number} ({label}) is the same result as {seen[result_id].label}'s: shown once.")
            continue
        taken = {ref.label for ref in refs}
        if label in taken:
            numbered = next(f"{label} ({n})" for n in range(2, MAX_PEOPLE + 2) if f"{label} ({n})" not in taken)
            notes.append(f"Two results were labelled “{label}”: the second is “{numbered}”.")
            label = numbered
        seen[result_id] = Ref(result_id, label)
        refs.append(seen[result_id])
    if len(values) > MAX_PEOPLE:
        problems.append(f"At most {MAX_PEOPLE} results can be compared at once; {len(values)} were given.")
        anchors.append(f"link-{MAX_PEOPLE}")
    elif len(refs) < MIN_PEOPLE and not problems:
        problems.append(f"Give at least {MIN_PEOPLE} different results to compare.")
        anchors.append(f"link-{len(refs) + 1}")
    if problems:
        raise CompareError(problems, anchors=anchors)
    return Asked(refs, notes)


@dataclass(frozen=True)
class Person:
    label: str
    result: Snapshot
    answers: dict[str, str]  # carried to today's questions; a question their version did not ask is absent
    dropped: list[str]  # answers today's questions no longer take


@dataclass(frozen=True)
class Outcome:
    """What the group's shared answers give with one disputed question answered one way."""

    value: str
    label: str
    said_by: list[str]  # the labels of the people who gave this answer
    answers: dict[str, str]  # the shared answers with this one set: what a preview of it shows
    approach: Approach
    uncertain: bool
    routes: tuple[str, ...]  # route ids
    verdict: str  # "Open, on GPUs you rent and run", or "Open, if you can resolve two conflicts first"
    cost: str  # what the route would cost a month, as a result's brief says it; none while conflicts stand
    conflicts: tuple[str, ...]  # conflict texts


@dataclass(frozen=True)
class Row:
    question: str
    text: str
    answers: list[tuple[str, str | None]]  # (label, answer) for each person; None where not asked
    differs: bool
    outcomes: list[Outcome] = field(default_factory=list)  # one per answer given, when the answers differ
    # With each person's own other answers instead of the shared ones: whose, and what choosing between the
    # answers given would change there ("verdict", "route", "conflicts"), where it changes anything.
    elsewhere: list[tuple[str, list[str]]] = field(default_factory=list)

    @property
    def changes(self) -> list[str]:
        """What choosing between the answers given changes: "verdict", "route", "conflicts" (may be empty)."""
        return changes_among([as_seen(o.approach, o.uncertain, o.routes, o.conflicts) for o in self.outcomes])

    @property
    def matters(self) -> bool:
        """Whether choosing between the answers given changes anything, on the shared answers or anyone's own."""
        return bool(self.changes or self.elsewhere)


# The verdict (None when it is too uncertain to call), its routes' ids and its conflicts' texts.
Settled = tuple[Approach | None, tuple[str, ...], tuple[str, ...]]


def as_seen(approach: Approach, uncertain: bool, routes: Sequence[str], conflicts: Sequence[str]) -> Settled:
    """An outcome as its page shows it: one too uncertain to call shows no approach and no route (only the
    questions to settle first, and its conflicts), so two such outcomes differ only in their conflicts."""
    return (None, (), tuple(conflicts)) if uncertain else (approach, tuple(routes), tuple(conflicts))


def changes_among(outcomes: Sequence[Settled]) -> list[str]:
    """What differs among these outcomes: "verdict", "route", "conflicts" (nothing when they are alike)."""
    return [name for index, name in enumerate(CHANGES) if len({outcome[index] for outcome in outcomes}) > 1]


CHANGES = ("verdict", "route", "conflicts")


def settled(ruleset: Ruleset, answers: dict[str, str]) -> Settled:
    """The verdict, routes and conflicts these answers give, as a recommendation would have them, without the
    rest of it (what would change it, what is unknown): the part a comparison weighs many times over."""
    given = ruleset.with_figures(rules.complete(ruleset, answers))
    decision = decide(ruleset, given)
    routes = chosen_routes(ruleset, given, decision)
    conflicts = rules.conflicts_of(ruleset, given, [route.id for route in routes])
    uncertain = rules.too_uncertain(ruleset, given, decision)
    return as_seen(decision.approach, uncertain, [route.id for route in routes], [c.text for c in conflicts])


@dataclass(frozen=True)
class Comparison:
    version: str
    people: list[Person]
    not_asked: dict[str, list[str]]  # label -> questions of today their version did not ask
    rows: list[Row]  # the questions where answers differ first, in question order, then the rest
    shared: dict[str, str]  # every question: the agreed answer, or "unsure" where the group differs
    base: Outcome  # what the shared answers give, every dispute left open

    @property
    def disputed(self) -> list[Row]:
        return [row for row in self.rows if row.differs]

    @property
    def agreed(self) -> dict[str, str]:
        """The answers everyone who was asked gave alike (what "Start from these answers" fills in)."""
        disputed = {row.question for row in self.disputed}
        return {question: value for question, value in self.shared.items() if question not in disputed}


def outcome(
    ruleset: Ruleset,
    answers: dict[str, str],
    value: str = "",
    label: str = "",
    said_by: Sequence[str] = (),
    market: Catalogue | None = None,
) -> Outcome:
    rec = rules.recommend(ruleset, answers)
    texts = shown(ruleset, rec, answers, market)
    return Outcome(
        value=value,
        label=label,
        said_by=list(said_by),
        answers=dict(answers),
        approach=rec.approach,
        uncertain=rec.uncertain,
        routes=tuple(route.id for route in rec.routes),
        verdict=headline(texts, rec),  # as a result page heads it: no route while conflicts stand
        cost=money.cost_context(texts, answers, rec, money.Typed()).get("cost_brief", ""),
        conflicts=tuple(conflict.text for conflict in rec.conflicts),
    )


def compare(ruleset: Ruleset, people: Sequence[tuple[str, Snapshot]], market: Catalogue | None = None) -> Comparison:
    """Two to eight stored results (each with its label), compared by this ruleset's questions; with the market
    catalogue, each outcome says what it would cost."""
    carried = carry(ruleset, people)
    not_asked = {
        person.label: missing
        for person in carried
        if (missing := [q.id for q in ruleset.questions if q.id not in person.answers])
    }

    shared: dict[str, str] = {}
    differing: list[str] = []
    for question in ruleset.questions:
        given = {person.answers[question.id] for person in carried if question.id in person.answers}
        if len(given) == 1:
            shared[question.id] = given.pop()
        else:
            shared[question.id] = UNSURE
            if given:
                differing.append(question.id)

    rows: list[Row] = []
    for question in ruleset.questions:
        cells = [(person.label, person.answers.get(question.id)) for person in carried]
        outcomes: list[Outcome] = []
        elsewhere: list[tuple[str, list[str]]] = []
        if question.id in differing:
            values = [value for value in question.values if any(p.answers.get(question.id) == value for p in carried)]
            for value in values:
                said_by = [p.label for p in carried if p.answers.get(question.id) == value]
                changed = {**shared, question.id: value}
                outcomes.append(outcome(ruleset, changed, value, question.label(value), said_by, market))
            for person in carried:
                found = changes_among([settled(ruleset, {**person.answers, question.id: value}) for value in values])
                if found:
                    elsewhere.append((person.label, found))
        rows.append(Row(question.id, question.text, cells, question.id in differing, outcomes, elsewhere))
    rows.sort(key=lambda row: not row.differs)  # stable: question order within each group
    return Comparison(
        version=ruleset.version,
        people=carried,
        not_asked=not_asked,
        rows=rows,
        shared=shared,
        base=outcome(ruleset, shared, market=market),
    )
