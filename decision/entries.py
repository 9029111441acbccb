"""The parts of a ruleset as typed data: questions and their options; the rules, musts, conflicts, routes,
placements, caveats and sources that speak to them; the settings for confidence, ties and figures; and the words
(approaches, sides, routes, "unsure") they all share.

Each model checks what it can alone (an option listed twice, a constraint that rules out nothing); the checks
across entries (a rule naming an unknown question, an option nothing speaks to) are in consistency.py, and the
Ruleset that holds them all in ruleset.py. A condition ("when") is read here too: whether answers match it, and
the one condition an entry is about beside its guards.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cached_property
from typing import Annotated, Literal

from pydantic import Field, model_validator

from decision.figures import FIGURE_INPUTS, FIGURES
from decision.frozen import Frozen as Strict

UNSURE = "unsure"
UNSURE_LABEL = "I'm not sure"
MAX_WEIGHT = 5

Approach = Literal["open", "closed", "hybrid"]
APPROACHES: tuple[Approach, ...] = ("open", "closed", "hybrid")
Side = Literal["open", "closed"]
RouteId = Literal["public_api", "private_cloud", "self_hosted", "rented_gpus", "managed_open", "cloud_open"]

Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]
Condition = dict[Identifier, tuple[Identifier, ...]]
SourceIds = tuple[Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=60)], ...]


def matches(when: Mapping[str, tuple[str, ...]], answers: Mapping[str, str]) -> bool:
    # A plain loop, not all() over a generator: this runs hundreds of times per recommendation.
    for question, values in when.items():  # noqa: SIM110
        if answers.get(question) not in values:
            return False
    return True


def own_condition(when: Mapping[str, tuple[str, ...]]) -> tuple[str, tuple[str, ...]] | None:
    """The one condition an entry is about, when it has one beside guards at most: a guard lists "unsure" among
    its values ("anywhere but on devices"), so it narrows where the entry holds without being its subject."""
    definite = [(question, values) for question, values in when.items() if UNSURE not in values]
    return definite[0] if len(definite) == 1 else None


def guards(when: Mapping[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    return {question: values for question, values in when.items() if UNSURE in values}


class Conditional(Strict):
    """An entry that applies when the answers match its condition: each of its questions has one of its values."""

    when: Condition

    def matches(self, answers: Mapping[str, str]) -> bool:
        # matches() written out again rather than called: this runs hundreds of times per recommendation.
        for question, values in self.when.items():  # noqa: SIM110
            if answers.get(question) not in values:
                return False
        return True

    def looks_at(self, question: str) -> bool:
        """Whether a change to this question's answer can change whether this entry holds (a figure follows
        the volume, the budget and the kind of work)."""
        if question in self.when:
            return True
        return question in FIGURE_INPUTS and any(name in FIGURES for name in self.when)


class Option(Strict):
    value: Identifier
    label: str
    hint: str = ""
    # This answer as something that could happen, for a decision record's revisit triggers: "use grows past
    # about a billion tokens a month" (v3 on).
    event: str = ""


class Question(Strict):
    id: Identifier
    section: Identifier
    text: str
    why: str
    # What to do when the question is left unanswered, said for this question: "Choose how sensitive the data
    # is" (v3 on; earlier versions fall back to a general prompt).
    error: str = ""
    options: tuple[Option, ...] = Field(min_length=2)
    # The options from the end that favours a closed model to the end that favours an open one, for the
    # questions where such an order exists (v2). Moving one step along it must never lower Open's lead.
    scale: tuple[Identifier, ...] = ()

    @cached_property
    def values(self) -> tuple[str, ...]:
        """Every value this question accepts, ``unsure`` last."""
        return (*(option.value for option in self.options), UNSURE)

    def label(self, value: str) -> str:
        for option in self.options:
            if option.value == value:
                return option.label
        return UNSURE_LABEL

    @model_validator(mode="after")
    def _options_are_distinct(self) -> Question:
        values = [option.value for option in self.options]
        if UNSURE in values:
            raise ValueError(f"question {self.id!r} lists {UNSURE!r}; every question gets it automatically")
        if len(set(values)) != len(values):
            raise ValueError(f"question {self.id!r} repeats an option value")
        return self


class Section(Strict):
    id: Identifier
    title: str
    intro: str


class Rule(Conditional):
    id: str
    when: Condition = Field(min_length=1)
    favours: Approach
    weight: int
    reason: str
    # The reason in one short sentence, for the top of a result (v3 on; earlier versions show the reason).
    brief: str = ""
    sources: SourceIds = ()


class Constraint(Conditional):
    """A "must" in the answers: when they match, it rules out one approach, or one route, whatever the points."""

    id: str
    when: Condition = Field(min_length=1)
    rules_out: Approach | None = None
    route: RouteId | None = None
    text: str
    sources: SourceIds = ()
    # v5: the must in a few plain words, for the sentence at the top of a result: "restricted data".
    name: str = ""

    @model_validator(mode="after")
    def _rules_out_one_thing(self) -> Constraint:
        if (self.rules_out is None) == (self.route is None):
            raise ValueError(f"constraint {self.id!r} must rule out exactly one approach or one route")
        return self


class Conflict(Conditional):
    """A "must" that the team cannot meet with what it said it has: named, with what to resolve first."""

    id: str
    when: Condition = Field(min_length=1)
    # v5: a conflict about a route holds only when the result takes that route (one that costs more than the
    # budget, say), so one condition beside it is enough.
    route: RouteId | None = None
    text: str
    resolve: str
    sources: SourceIds = ()

    def holds(self, answers: Mapping[str, str], routes: Iterable[str]) -> bool:
        return (self.route is None or self.route in routes) and matches(self.when, answers)

    @model_validator(mode="after")
    def _about_a_mismatch(self) -> Conflict:
        if self.route is None and len(self.when) < 2:
            raise ValueError(f"conflict {self.id!r} needs two answers that clash, or a route")
        return self


class RouteWords(Conditional):
    """How a route reads for some answers (v6 on): "your own hardware" is your users' devices when the model must
    run on them."""

    when: Condition = Field(min_length=1)
    name: str
    phrase: str


class Route(Strict):
    """One way to carry out an approach: a shared API or a private deployment; own, rented or served GPUs."""

    id: RouteId
    approach: Side
    name: str
    phrase: str  # how the route reads after a verdict: "through a vendor's shared API"
    text: str
    caveats: tuple[str, ...] = ()
    next_steps: tuple[str, ...] = ()
    sources: SourceIds = ()
    variants: tuple[RouteWords, ...] = ()  # the first that matches the answers gives the name and the phrase

    def words(self, answers: Mapping[str, str]) -> tuple[str, str]:
        """The route's name and phrase for these answers."""
        for variant in self.variants:
            if variant.matches(answers):
                return variant.name, variant.phrase
        return self.name, self.phrase


class RouteChoice(Conditional):
    """When the answers match, this route is the one to take, unless a constraint has ruled it out."""

    route: RouteId
    when: Condition = Field(min_length=1)
    because: str
    # Only when the verdict is this approach (v6 on): "hybrid" for a side of a hybrid, "closed" or "open" for
    # that approach alone. A hybrid's closed side may need less than a closed model that takes every kind of work.
    only_for: Approach | None = None


class Caveat(Conditional):
    """A warning that holds only for some approaches and answers (its route, or a side of a hybrid)."""

    approaches: tuple[Approach, ...] = Field(min_length=1)
    when: Condition = Field(default_factory=dict)
    text: str
    sources: SourceIds = ()


class Source(Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=60)
    title: str
    publisher: str
    url: str = Field(pattern=r"^https://[^\s]+$")
    checked: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    note: str = ""  # how it was read, when that was not the page itself


class Neutral(Strict):
    question: Identifier
    value: Identifier
    note: str
    sources: SourceIds = ()


class Placement(Conditional):
    when: Condition = Field(min_length=1)
    side: Side
    text: str


class ApproachText(Strict):
    name: str
    headline: str
    summary: str
    caveats: tuple[str, ...]
    next_steps: tuple[str, ...]


class Confidence(Strict):
    min_answered: int = Field(ge=0)
    clear_margin: int = Field(ge=1)
    lean_margin: int = Field(ge=1)
    # v2: a reason this strong for another approach that is still allowed keeps a call from being "clear".
    strong_weight: int | None = Field(default=None, ge=1)
    # v4: this many answers "I'm not sure" or more keeps a call from being "clear"; so does "I'm not sure" to
    # any of the questions listed (where the data may go, where the model must run).
    lean_when_unsure: int | None = Field(default=None, ge=1)
    lean_when_unsure_of: tuple[Identifier, ...] = ()
    # v4: a result names every answer "I'm not sure" whose definite answers would change the verdict, add a
    # conflict, rule an approach or a route out, change the route or lower the confidence.
    name_unknowns: bool = False
    # v4: a verdict at least lean_margin ahead with no reason at all for another allowed approach is clear:
    # when every answer that weighs points the same way, the rest weighing nothing, the call is not close.
    clear_when_unopposed: bool = False


class Figures(Strict):
    """How the figures are set against the budget: the most each budget answer spends a month, in US dollars
    (an answer with no ceiling, such as a substantial budget, fits every figure)."""

    budget_ceilings: dict[Identifier, int]


class TieBreak(Strict):
    order: tuple[Approach, Approach, Approach]
    note: str
    # v2: why the winner of a tie goes first, by winner (v1 had one note, written for closed winning).
    reasons: dict[Approach, str] = Field(default_factory=dict)
