"""The ruleset as typed data: pydantic models of a question bank and its rules, and the loader.

A ruleset is a TOML file in ``decision/rulesets/``. Loading validates it whole; any entry naming an unknown
question, value, route or source, any option nothing speaks to (and not declared neutral), any weight out of
range raises ``RulesetError`` naming the entry, so a broken ruleset stops the app instead of giving wrong advice.

Version 1 has questions, rules and placements. Version 2 adds what a careful person weighs before points:
constraints (a "must" that rules an approach or a route out), conflicts (a "must" the team cannot yet meet),
routes (how an approach is carried out), caveats that hold only for some answers, and the sources that every
statement about the market rests on. Every addition is optional, so version 1 still loads as it was.
"""

from __future__ import annotations

import os
import string
import tomllib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from functools import cache, cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model, model_validator

from decision import catalogue, costs
from decision.frozen import Frozen as Strict

# Where the versioned ruleset files live; RULESETS_DIR in the environment points elsewhere (tests that run the
# real management command on a broken copy use it).
RULESETS_DIR = Path(os.environ.get("RULESETS_DIR") or Path(__file__).parent / "rulesets")
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


# Figures (v5 on): what the answers would cost a month at the market catalogue's prices, set against the budget
# answer, which conditions may name like questions. The engine works them out from the volume, the budget and the
# kind of work with the price book a ruleset is loaded with (costs.price_book); "unsure" when the volume or the
# budget is. Texts may quote the amounts: {closed_cost}, {open_cost}, {rented_cost} and {budget}.
FIGURE_INPUTS = ("volume", "budget", "task_scope")
FIT = {
    "within": "within your budget",
    "may_exceed": "beyond your budget at the top of its range",
    "beyond": "beyond your budget even at the bottom of its range",
}
FIGURES: dict[str, tuple[str, dict[str, str]]] = {
    "closed_cost": (
        "What the closed model your work needs costs a month through its vendor's API (a leading or mid-sized model "
        "for broad work, a small one for focused or specialised work)",
        FIT,
    ),
    "open_cost": ("What an open-weight model of the same class costs a month, served per token", FIT),
    "rented_cost": ("What GPUs rented to run such a model cost a month, with a share of an engineer's time", FIT),
    "renting": (
        "Renting GPUs, against paying per token for the same open model at your volume",
        {"cheaper": "cheaper even at the dearest hourly rate", "dearer": "not cheaper"},
    ),
}
PLACEHOLDERS = ("closed_cost", "open_cost", "rented_cost", "budget", "band")
# How a text that quotes amounts reads where no answers are given ("How it decides").
PLACEHOLDER_WORDS = {
    "closed_cost": "[what that closed model costs a month at your volume]",
    "open_cost": "[what an open-weight model of its class costs a month served per token]",
    "rented_cost": "[what rented GPUs and the engineer's share cost a month]",
    "budget": "[your budget's ceiling]",
    "band": "[your volume band]",
}
# The price book: for each volume band and class of work ("heavy:broad", "light:narrow"), each figure's monthly
# low and high in US dollars.
PriceBook = dict[str, dict[str, tuple[float, float]]]


def asked(names: Iterable[str]) -> list[str]:
    """The questions behind a condition: each figure stands for the answers it is worked out from."""
    found: list[str] = []
    for name in names:
        found += FIGURE_INPUTS if name in FIGURES else [name]
    return list(dict.fromkeys(found))


def work_class(task_scope: str | None) -> str:
    """The class of model the work needs: a small one for focused or specialised work, a leading one otherwise."""
    return "narrow" if task_scope in ("focused", "specialised") else "broad"


def fit(low: float, high: float, ceiling: int | None) -> str:
    if ceiling is None or high <= ceiling:
        return "within"
    return "may_exceed" if low <= ceiling else "beyond"


def monthly(low: float, high: float) -> str:
    return f"about {costs.money_range(low, high)} a month"


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


class RulesetError(ValueError):
    """A ruleset file that cannot be used: where (the file), and each problem, naming its entry."""

    def __init__(self, where: str, problems: Sequence[str] = ()) -> None:
        self.where = where
        self.problems = list(problems)
        super().__init__(f"{where}: {'; '.join(self.problems)}" if self.problems else where)


class Conditional(Strict):
    """An entry that applies when the answers match its condition: each of its questions has one of its values."""

    when: Condition

    def matches(self, answers: Mapping[str, str]) -> bool:
        return matches(self.when, answers)

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


class RouteChoice(Conditional):
    """When the answers match, this route is the one to take, unless a constraint has ruled it out."""

    route: RouteId
    when: Condition = Field(min_length=1)
    because: str


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


class Ruleset(Strict):
    version: str = Field(pattern=r"^[0-9A-Za-z._-]{1,20}$")
    date: str
    # A draft is validated like any version but computes no results: it becomes current once it is "released".
    status: Literal["released", "draft"] = "released"
    confidence: Confidence
    tie_break: TieBreak
    approaches: dict[Approach, ApproachText]
    placement_defaults: dict[Side, str]
    sections: tuple[Section, ...] = Field(min_length=1)
    questions: tuple[Question, ...] = Field(min_length=1)
    rules: tuple[Rule, ...] = Field(min_length=1)
    neutral: tuple[Neutral, ...] = ()
    placements: tuple[Placement, ...] = ()
    constraints: tuple[Constraint, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    routes: tuple[Route, ...] = ()
    route_choices: tuple[RouteChoice, ...] = ()
    caveats: tuple[Caveat, ...] = ()
    sources: tuple[Source, ...] = ()
    # v5: conditions may name figures (FIGURES), worked out with the prices the ruleset is loaded with.
    figures: Figures | None = None
    prices: PriceBook = Field(default_factory=dict)
    # Every figure's value for each volume, budget and class of work, worked out once with the prices
    # (with_prices): the engine looks them up for each of the thousands of answer sets it weighs.
    figure_values: dict[str, dict[str, str]] = Field(default_factory=dict)

    def with_prices(self, book: PriceBook) -> Ruleset:
        """This ruleset weighing figures at these prices."""
        priced = self.model_copy(update={"prices": book, "figure_values": {}})
        table = {}
        for volume in priced.questions_by_id["volume"].values:
            for budget in priced.questions_by_id["budget"].values:
                for work, scope in (("broad", "broad"), ("narrow", "focused")):
                    answers = {"volume": volume, "budget": budget, "task_scope": scope}
                    table[f"{volume}:{budget}:{work}"] = priced.worked_out(answers)
        return priced.model_copy(update={"figure_values": table})

    def book(self, answers: Mapping[str, str]) -> dict[str, tuple[float, float]]:
        """Each figure's monthly low and high for these answers; with the volume unsure, from the lowest band's
        low to the highest band's high."""
        work = work_class(answers.get("task_scope"))
        volume = answers.get("volume", UNSURE)
        if volume != UNSURE:
            return self.prices.get(f"{volume}:{work}", {})
        bands = [book for key, book in self.prices.items() if key.endswith(f":{work}")]
        names = set.intersection(*(set(book) for book in bands)) if bands else set()
        return {name: (min(b[name][0] for b in bands), max(b[name][1] for b in bands)) for name in names}

    def with_figures(self, answers: Mapping[str, str]) -> dict[str, str]:
        """The answers with each figure's value; the answers alone in a version without figures."""
        if self.figures is None:
            return dict(answers)
        key = f"{answers.get('volume', UNSURE)}:{answers.get('budget', UNSURE)}:{work_class(answers.get('task_scope'))}"
        found = self.figure_values.get(key)
        return {**answers, **(found if found is not None else self.worked_out(answers))}

    def worked_out(self, answers: Mapping[str, str]) -> dict[str, str]:
        """Each figure's value for these answers. With the volume unsure, a figure takes the value every volume
        band gives it, or "unsure"."""
        if answers.get("volume", UNSURE) == UNSURE:
            bands = [self.figures_of({**answers, "volume": band}) for band in {k.split(":")[0] for k in self.prices}]
            found = {
                name: bands[0][name] if all(b[name] == bands[0][name] for b in bands) else UNSURE for name in FIGURES
            }
            return found if bands else dict.fromkeys(FIGURES, UNSURE)
        return self.figures_of(answers)

    def figures_of(self, answers: Mapping[str, str]) -> dict[str, str]:
        book = self.prices.get(f"{answers.get('volume', UNSURE)}:{work_class(answers.get('task_scope'))}")
        found = dict.fromkeys(FIGURES, UNSURE)
        if book is not None:
            budget = answers.get("budget", UNSURE)
            ceiling = self.figures.budget_ceilings.get(budget) if self.figures else None
            if budget != UNSURE:
                for name in ("closed_cost", "open_cost", "rented_cost"):
                    if name in book:
                        found[name] = fit(*book[name], ceiling)
            if "rented_cost" in book and "open_cost" in book:
                found["renting"] = "cheaper" if book["rented_cost"][1] <= book["open_cost"][0] else "dearer"
        return found

    def filled(self, text: str, answers: Mapping[str, str]) -> str:
        """A text with the amounts it quotes for these answers ({closed_cost} and the like)."""
        if self.figures is None or "{" not in text:
            return text
        book = self.book(answers)
        amounts = {name: monthly(*low_high) for name, low_high in book.items() if name != "tokens"}
        if "tokens" in book:
            low, high = (costs.tokens_in_words(int(tokens)) for tokens in book["tokens"])
            amounts["band"] = f"{low} to {high} tokens a month"
        ceiling = self.figures.budget_ceilings.get(answers.get("budget", UNSURE))
        amounts["budget"] = (
            f"your budget of up to about {costs.in_words(ceiling)} a month" if ceiling else "your budget"
        )
        return text.format_map(defaultdict(lambda: "an amount not priced", amounts))

    def as_written(self) -> Ruleset:
        """This ruleset with every amount a text quotes named in words, for pages that show the rules."""
        if self.figures is None:
            return self
        data = self.model_dump()
        for table, field in (
            ("rules", "reason"),
            ("conflicts", "text"),
            ("conflicts", "resolve"),
            ("route_choices", "because"),
            ("caveats", "text"),
        ):
            for entry in data[table]:
                entry[field] = entry[field].format_map(PLACEHOLDER_WORDS)
        return Ruleset.model_validate(data)

    def named(self, question_id: str) -> Question:
        """A question, or a figure read as one (its text, and its values as options), for pages that list
        conditions."""
        if question_id in FIGURES:
            text, values = FIGURES[question_id]
            options = tuple(Option(value=value, label=label) for value, label in values.items())
            return Question(id=question_id, section=self.sections[0].id, text=text, why="", options=options)
        return self.questions_by_id[question_id]

    @cached_property
    def in_stages(self) -> bool:
        """Whether this ruleset decides in stages (constraints, points, routes), as v2 on do; v1 only scored.
        Only such rulesets withhold "what would change it" from an uncertain result, point to the questions to
        answer next, and keep "clear" for a verdict no unanswered question could change."""
        return bool(self.routes)

    @cached_property
    def routes_by_id(self) -> dict[str, Route]:
        return {route.id: route for route in self.routes}

    @cached_property
    def sources_by_id(self) -> dict[str, Source]:
        return {source.id: source for source in self.sources}

    @cached_property
    def questions_by_id(self) -> dict[str, Question]:
        return {question.id: question for question in self.questions}

    @cached_property
    def questions_by_section(self) -> dict[str, tuple[Question, ...]]:
        return {section.id: tuple(q for q in self.questions if q.section == section.id) for section in self.sections}

    @cached_property
    def rules_by_id(self) -> dict[str, Rule]:
        return {rule.id: rule for rule in self.rules}

    @cached_property
    def rules_by_question(self) -> dict[str, tuple[Rule, ...]]:
        """The rules that look at each question: all that can change when that one answer changes."""
        return {q.id: tuple(rule for rule in self.rules if rule.looks_at(q.id)) for q in self.questions}

    @cached_property
    def neutral_notes(self) -> dict[tuple[str, str], str]:
        return {(entry.question, entry.value): entry.note for entry in self.neutral}

    @cached_property
    def answers_model(self) -> type[BaseModel]:
        """A pydantic model of a full answer set: one optional field per question, allow-listed values."""
        fields: dict[str, Any] = {question.id: (Literal[question.values] | None, None) for question in self.questions}
        return create_model(
            f"AnswersV{self.version.replace('.', '_')}",
            __config__=ConfigDict(extra="forbid", frozen=True),
            **fields,
        )

    @cached_property
    def request_model(self) -> type[BaseModel]:
        """The API's request body: ``{"answers": {...}}``, validated in one step with every field named."""
        return create_model(
            "RecommendRequest",
            __config__=ConfigDict(extra="forbid", frozen=True),
            answers=(
                self.answers_model,
                Field(default_factory=self.answers_model, description="Omitted questions count as 'unsure'."),
            ),
        )

    @model_validator(mode="after")
    def _entries_are_consistent(self) -> Ruleset:
        problems: list[str] = []
        section_ids = [section.id for section in self.sections]
        if len(set(section_ids)) != len(section_ids):
            problems.append("two sections share an id")
        questions: dict[str, Question] = {}
        for question in self.questions:
            if question.id in questions:
                problems.append(f"question {question.id!r} is defined twice")
            if question.section not in section_ids:
                problems.append(f"question {question.id!r} names unknown section {question.section!r}")
            questions[question.id] = question
        for section in self.sections:
            if not any(q.section == section.id for q in self.questions):
                problems.append(f"section {section.id!r} has no questions")
        order = [section_ids.index(q.section) for q in self.questions if q.section in section_ids]
        if order != sorted(order):
            problems.append("the wizard asks the questions in the order listed: list them section by section")
        if set(self.approaches) != set(APPROACHES):
            problems.append("approaches must describe exactly open, closed and hybrid")
        for question_id in self.confidence.lean_when_unsure_of:
            if question_id not in questions:
                problems.append(f"confidence names unknown question {question_id!r} in lean_when_unsure_of")

        figures = {name: (*values, UNSURE) for name, (_, values) in FIGURES.items()} if self.figures else {}

        def check_condition(where: str, when: dict[str, tuple[str, ...]]) -> None:
            for question_id, values in when.items():
                if question_id in figures:
                    for value in values:
                        if value not in figures[question_id]:
                            problems.append(f"{where} names unknown value {value!r} of figure {question_id!r}")
                    continue
                if question_id not in questions:
                    problems.append(f"{where} names unknown question {question_id!r}")
                    continue
                for value in values:
                    if value not in questions[question_id].values:
                        problems.append(f"{where} names unknown value {value!r} of question {question_id!r}")
                # "unsure" may stand beside definite values ("anything but device"), never alone: nothing is
                # decided by an answer not given.
                if tuple(values) == (UNSURE,):
                    problems.append(f"{where} depends on {question_id!r} being unanswered")

        rule_ids: set[str] = set()
        spoken_to: set[tuple[str, str]] = set()
        for rule in self.rules:
            where = f"rule {rule.id!r}"
            if rule.id in rule_ids:
                problems.append(f"{where} is defined twice")
            rule_ids.add(rule.id)
            if not 1 <= rule.weight <= MAX_WEIGHT:
                problems.append(f"{where} has weight {rule.weight}, outside 1 to {MAX_WEIGHT}")
            check_condition(where, rule.when)
            # A rule speaks to an option when that is its one condition, beside guards at most.
            own = own_condition(rule.when)
            if own is not None:
                question_id, values = own
                spoken_to.update((question_id, value) for value in values)
        for placement in self.placements:
            check_condition(f"placement {placement.text!r}", placement.when)
        route_ids = [route.id for route in self.routes]
        if len(set(route_ids)) != len(route_ids):
            problems.append("two routes share an id")
        if self.routes and {route.approach for route in self.routes} != {"open", "closed"}:
            problems.append("routes must cover both open and closed")
        for constraint in self.constraints:
            check_condition(f"constraint {constraint.id!r}", constraint.when)
            if constraint.route is not None and constraint.route not in route_ids:
                problems.append(f"constraint {constraint.id!r} names route {constraint.route!r}, which is not defined")
            if len(constraint.when) == 1:
                ((question_id, values),) = constraint.when.items()
                spoken_to.update((question_id, value) for value in values)
        for conflict in self.conflicts:
            check_condition(f"conflict {conflict.id!r}", conflict.when)
            if conflict.route is not None and conflict.route not in route_ids:
                problems.append(f"conflict {conflict.id!r} names route {conflict.route!r}, which is not defined")
        for choice in self.route_choices:
            check_condition(f"route choice for {choice.route!r}", choice.when)
            if choice.route not in route_ids:
                problems.append(f"a route choice names route {choice.route!r}, which is not defined")
        for caveat in self.caveats:
            check_condition(f"caveat {caveat.text[:40]!r}", caveat.when)
        for question in self.questions:
            # A scale orders the options that move the points; an option decided by a must may stay off it.
            options = [option.value for option in question.options]
            if question.scale and (
                len(question.scale) < 2
                or len(set(question.scale)) != len(question.scale)
                or not set(question.scale) <= set(options)
            ):
                problems.append(f"question {question.id!r} has a scale that is not an order of its own options")
        source_ids = [source.id for source in self.sources]
        if len(set(source_ids)) != len(source_ids):
            problems.append("two sources share an id")
        cited: set[str] = set()
        for where, sources in self.citations():
            for source_id in sources:
                if source_id not in source_ids:
                    problems.append(f"{where} cites unknown source {source_id!r}")
                cited.add(source_id)
        for source_id in source_ids:
            if source_id not in cited:
                problems.append(f"source {source_id!r} is cited by nothing")
        for entry in self.neutral:
            check_condition(f"neutral entry {entry.question}={entry.value}", {entry.question: (entry.value,)})
            if (entry.question, entry.value) in spoken_to:
                problems.append(f"{entry.question}={entry.value} is declared neutral but a rule speaks to it")
            spoken_to.add((entry.question, entry.value))
        for question in self.questions:
            for option in question.options:
                if (question.id, option.value) not in spoken_to:
                    problems.append(
                        f"option {question.id}={option.value} has no rule of its own and is not declared neutral"
                    )
        for where, text in self.texts():
            names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
            if names and not self.figures:
                problems.append(f"{where} quotes {sorted(names)} but this version has no [figures]")
            elif names - set(PLACEHOLDERS):
                problems.append(f"{where} quotes {sorted(names - set(PLACEHOLDERS))}; it may quote {PLACEHOLDERS}")
        anchors = [r.id for r in {r.id: r for r in self.rules}.values()]
        anchors += list(dict.fromkeys(c.id for c in self.constraints)) + list(
            dict.fromkeys(c.id for c in self.conflicts)
        )
        for repeated in sorted({a for a in anchors if anchors.count(a) > 1}):
            problems.append(f"conflict {repeated!r} shares its id with a rule or a must: each needs its own")
        for rule in self.rules:
            if "{" in rule.brief:
                problems.append(f"rule {rule.id!r} quotes an amount in its brief, which is kept without amounts")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def texts(self) -> list[tuple[str, str]]:
        """Every text the engine fills with amounts for a result: reasons, conflicts, route choices, caveats."""
        found = [(f"rule {rule.id!r}", rule.reason) for rule in self.rules]
        found += [(f"conflict {each.id!r}", each.text) for each in self.conflicts]
        found += [(f"conflict {each.id!r}", each.resolve) for each in self.conflicts]
        found += [(f"route choice for {each.route!r}", each.because) for each in self.route_choices]
        found += [(f"caveat {each.text[:40]!r}", each.text) for each in self.caveats]
        return found

    def citations(self) -> list[tuple[str, SourceIds]]:
        """Every entry that cites sources, with where it is, for validation and for "how it decides"."""
        found: list[tuple[str, SourceIds]] = []
        found += [(f"rule {rule.id!r}", rule.sources) for rule in self.rules]
        found += [(f"constraint {each.id!r}", each.sources) for each in self.constraints]
        found += [(f"conflict {each.id!r}", each.sources) for each in self.conflicts]
        found += [(f"route {each.id!r}", each.sources) for each in self.routes]
        found += [(f"caveat {each.text[:40]!r}", each.sources) for each in self.caveats]
        found += [(f"neutral entry {each.question}={each.value}", each.sources) for each in self.neutral]
        return found


def parse_ruleset(text: str, source: str = "<string>") -> Ruleset:
    try:
        return Ruleset.model_validate(tomllib.loads(text))
    except tomllib.TOMLDecodeError as error:
        raise RulesetError(f"ruleset {source} is invalid", [f"not valid TOML: {error}"]) from error
    except ValidationError as error:
        problems = []
        for item in error.errors():
            where = ".".join(str(part) for part in item["loc"])
            for problem in item["msg"].removeprefix("Value error, ").split("; "):
                problems.append(f"{where}: {problem}" if where else problem)
        raise RulesetError(f"ruleset {source} is invalid", problems) from error


# A ruleset kept as a folder (v4 on): one file per concern, in the shape a domain expert reads (its README.md
# is the guide). Loading turns it into the same Ruleset as a single file would give.
FOLDER_FILES = ("ruleset", "questions", "points", "musts", "conflicts", "routes", "caveats", "sources")


def parse_folder(folder: Path) -> Ruleset:
    """A folder ruleset, refused with every problem named by file and entry, in words, not code."""
    name = f"{folder.name}/"
    parts: dict[str, dict[str, Any]] = {}
    for part in FOLDER_FILES:
        path = folder / f"{part}.toml"
        try:
            parts[part] = tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        except tomllib.TOMLDecodeError as error:
            raise RulesetError(f"ruleset {name} is invalid", [f"{part}.toml is not valid TOML: {error}"]) from error
    try:
        data = from_folder(parts)
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        raise RulesetError(f"ruleset {name} is invalid", [str(error)]) from error
    try:
        return Ruleset.model_validate(data)
    except ValidationError as error:
        raise RulesetError(f"ruleset {name} is invalid", readable(error, data)) from error


# Where each list of entries is written in a folder, and what its entries are called there.
FOLDER_TABLES = {
    "sections": ("questions.toml", "section"),
    "questions": ("questions.toml", "question"),
    "neutral": ("questions.toml", "neutral note on"),
    "rules": ("points.toml", "rule"),
    "constraints": ("musts.toml", "must"),
    "conflicts": ("conflicts.toml", "conflict"),
    "routes": ("routes.toml", "route"),
    "route_choices": ("routes.toml", "route choice"),
    "placements": ("routes.toml", "placement"),
    "placement_defaults": ("routes.toml", "placement default"),
    "caveats": ("caveats.toml", "caveat"),
    "sources": ("sources.toml", "source"),
}
# The validator's whole-ruleset messages begin with the kind of entry they are about.
FOLDER_MESSAGES = (
    ("rule ", "points.toml"),
    ("constraint ", "musts.toml"),
    ("conflict ", "conflicts.toml"),
    ("route choice", "routes.toml"),
    ("a route choice", "routes.toml"),
    ("placement ", "routes.toml"),
    ("route", "routes.toml"),
    ("caveat ", "caveats.toml"),
    ("source ", "sources.toml"),
    ("two sources", "sources.toml"),
    ("question ", "questions.toml"),
    ("section ", "questions.toml"),
    ("option ", "questions.toml"),
    ("neutral entry", "questions.toml"),
)


def readable(error: ValidationError, data: dict[str, Any]) -> list[str]:
    problems = []
    for item in error.errors():
        message = item["msg"].removeprefix("Value error, ")
        location = list(item["loc"])
        if not location:  # the checks across the whole ruleset: one message per problem, each naming its entry
            for problem in message.split("; "):
                file = next((f for prefix, f in FOLDER_MESSAGES if problem.startswith(prefix)), "ruleset.toml")
                problems.append(f"{file}: {problem.replace('constraint ', 'must ', 1)}")
            continue
        table, *rest = location
        file, kind = FOLDER_TABLES.get(str(table), ("ruleset.toml", str(table)))
        label = ""
        if rest and isinstance(rest[0], int) and isinstance(data.get(str(table)), list):
            entry = data[str(table)][rest.pop(0)]
            label = repr(entry.get("id") or entry.get("route") or entry.get("text", "")[:40])
        field = ".".join(str(part) for part in rest)
        if item["type"] == "string_pattern_mismatch":
            message = "must be a link starting with https://" if field == "url" else "is not in the expected form"
        problems.append(f"{file}: {kind} {label}{': ' if label else ''}{field}{': ' if field else ''}{message}")
    return problems


def from_folder(parts: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A folder's files as one ruleset: neutral notes written on their options, "unless" and "any_of" spelled
    out in conditions, and route choices in the order their "order" numbers give."""
    data: dict[str, Any] = dict(parts["ruleset"])
    questions_file = parts["questions"]
    data["sections"] = questions_file.get("sections", [])
    questions = questions_file.get("questions", [])
    values_of = {q.get("id"): [o.get("value") for o in q.get("options", [])] for q in questions}
    if "figures" in data:
        values_of.update({name: list(values) for name, (_, values) in FIGURES.items()})
    neutral = []
    data["questions"] = []
    for question in questions:
        options = []
        for option in question.get("options", []):
            option = dict(option)
            note, cited = option.pop("neutral", None), option.pop("neutral_sources", [])
            if note is not None:
                entry = {"question": question.get("id"), "value": option.get("value"), "note": note, "sources": cited}
                neutral.append(entry)
            options.append(option)
        data["questions"].append({**question, "options": options})
    data["neutral"] = neutral

    def entries(part: str, table: str, where: str, *, any_of_allowed: bool = True) -> list[dict[str, Any]]:
        found = []
        for index, entry in enumerate(parts[part].get(table, []), start=1):
            entry = dict(entry)
            label = f"{part}.toml: {where} {entry.get('id') or entry.get('route') or index!r}"
            for condition in compile_condition(entry, label, values_of, any_of_allowed=any_of_allowed):
                found.append({**entry, "when": condition})
        return found

    data["rules"] = entries("points", "rules", "rule", any_of_allowed=False)
    seen: dict[tuple[Any, ...], str] = {}
    for rule in data["rules"]:
        same = (rule.get("favours"), tuple(sorted((q, tuple(sorted(v))) for q, v in rule["when"].items())))
        if same in seen:
            raise ValueError(
                f"points.toml: rule {rule.get('id')!r} matches the same answers as rule {seen[same]!r} and favours "
                "the same approach: their points would add up; change that rule instead"
            )
        seen[same] = rule.get("id", "")
    data["constraints"] = entries("musts", "musts", "must")
    data["conflicts"] = entries("conflicts", "conflicts", "conflict")
    data["caveats"] = entries("caveats", "caveats", "caveat")
    routes_file = parts["routes"]
    data["routes"] = routes_file.get("routes", [])
    data["placement_defaults"] = routes_file.get("placement_defaults", {})
    data["placements"] = entries("routes", "placements", "placement")
    choices = entries("routes", "choices", "route choice")
    orders = [choice.get("order") for choice in parts["routes"].get("choices", [])]
    if any(not isinstance(order, int) for order in orders) or len(set(orders)) != len(orders):
        raise ValueError("routes.toml: every route choice needs its own whole-number order (first match wins)")
    data["route_choices"] = [
        {key: value for key, value in choice.items() if key != "order"}
        for choice in sorted(choices, key=lambda choice: choice["order"])
    ]
    data["sources"] = parts["sources"].get("sources", [])
    return data


def compile_condition(
    entry: dict[str, Any], where: str, values_of: dict[str, list[str]], *, any_of_allowed: bool
) -> list[dict[str, list[str]]]:
    """An entry's "when", "unless" and "any_of" as the plain conditions the engine reads (one per "any_of" case):
    "unless" a question has these answers is every other answer, "I'm not sure" included."""
    when: dict[str, list[str]] = dict(entry.pop("when", {}))
    unless: dict[str, list[str]] = entry.pop("unless", {})
    cases: list[dict[str, list[str]]] = entry.pop("any_of", [])
    if cases and not any_of_allowed:
        raise ValueError(f"{where} uses any_of: a rule's points would count once for each case that matches")
    if any(UNSURE in values for values in when.values()):
        raise ValueError(f"{where} lists {UNSURE!r} in when; to say 'any answer but these', use unless")
    for question, values in unless.items():
        if question not in values_of:
            raise ValueError(f"{where} names unknown question {question!r} in unless")
        if question in when:
            raise ValueError(f"{where} names {question!r} in both when and unless")
        when[question] = [value for value in [*values_of[question], UNSURE] if value not in values]
    if not cases:
        return [when]
    for case in cases:
        if set(case) & set(when):
            raise ValueError(f"{where} names a question both in any_of and outside it")
    return [{**when, **case} for case in cases]


@cache
def load_all() -> dict[str, Ruleset]:
    """Every ruleset version on disk, by version: files (v1 to v3) and folders (v4 on). A saved result renders
    from the texts it kept, so old versions stay only to carry a result's answers forward (import) and for
    migration 0006, which copied those texts into the results saved before it."""
    rulesets: dict[str, Ruleset] = {}
    found = [(path.name, path) for path in RULESETS_DIR.glob("*.toml")]
    found += [(path.name, path) for path in RULESETS_DIR.iterdir() if (path / "ruleset.toml").is_file()]
    for name, path in sorted(found):
        if path.is_dir():
            ruleset = parse_folder(path)
        else:
            ruleset = parse_ruleset(path.read_text(encoding="utf-8"), source=name)
        if ruleset.figures is not None:
            ruleset = ruleset.with_prices(costs.price_book(costs.market(catalogue.load())))
        if ruleset.version in rulesets:
            raise RulesetError(f"ruleset {name} repeats version {ruleset.version!r}")
        rulesets[ruleset.version] = ruleset
    if not rulesets:
        raise RulesetError(f"no ruleset found in {RULESETS_DIR}")
    return rulesets


def current() -> Ruleset:
    """The newest released ruleset: the one new results are computed with."""
    released = [ruleset for ruleset in load_all().values() if ruleset.status == "released"]
    return max(released, key=lambda ruleset: (ruleset.date, ruleset.version))


def get(version: str) -> Ruleset | None:
    return load_all().get(version)
