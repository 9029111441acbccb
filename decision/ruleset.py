"""The ruleset as typed data: the pydantic model of one whole version, and the loader.

A ruleset is a TOML file in ``decision/rulesets/``. Loading validates it whole; any entry naming an unknown
question, value, route or source, any option nothing speaks to (and not declared neutral), any weight out of
range raises ``RulesetError`` naming the entry, so a broken ruleset stops the app instead of giving wrong advice.

Version 1 has questions, rules and placements. Version 2 adds what a careful person weighs before points:
constraints (a "must" that rules an approach or a route out), conflicts (a "must" the team cannot yet meet),
routes (how an approach is carried out), caveats that hold only for some answers, and the sources that every
statement about the market rests on. Every addition is optional, so version 1 still loads as it was.

The entries themselves are modelled in entries.py, the figures a version may weigh in figures.py, the checks
across entries in consistency.py, and how a folder's files become one ruleset in ruleset_folder.py.
"""

from __future__ import annotations

import os
import tomllib
from collections import defaultdict
from collections.abc import Mapping, Sequence
from functools import cache, cached_property
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model, model_validator

from decision import catalogue, consistency, costs, market_copy
from decision.entries import (
    UNSURE,
    Approach,
    ApproachText,
    Caveat,
    Confidence,
    Conflict,
    Constraint,
    Figures,
    Neutral,
    Option,
    Placement,
    Question,
    Route,
    RouteChoice,
    Rule,
    Section,
    Side,
    Source,
    SourceIds,
    TieBreak,
)
from decision.figures import FIGURES, PLACEHOLDER_WORDS, PriceBook, fit, monthly, work_class
from decision.frozen import Frozen as Strict
from decision.kept_texts import ShownApproach, ShownOption, ShownQuestion
from decision.ruleset_folder import FOLDER_FILES, from_folder, readable

# Where the versioned ruleset files live; RULESETS_DIR in the environment points elsewhere (tests that run the
# real management command on a broken copy use it).
RULESETS_DIR = Path(os.environ.get("RULESETS_DIR") or Path(__file__).parent / "rulesets")


class RulesetError(ValueError):
    """A ruleset file that cannot be used: where (the file), and each problem, naming its entry."""

    def __init__(self, where: str, problems: Sequence[str] = ()) -> None:
        self.where = where
        self.problems = list(problems)
        super().__init__(f"{where}: {'; '.join(self.problems)}" if self.problems else where)


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
    def routes_of_side(self) -> dict[Side, frozenset[str]]:
        """The ids of the routes that carry out each side (none: that side can never be carried out)."""
        return {side: frozenset(r.id for r in self.routes if r.approach == side) for side in ("open", "closed")}

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
    def kept_questions(self) -> tuple[ShownQuestion, ...]:
        """Its questions as a result keeps them (snapshot.Shown.questions), copied once: a loaded ruleset never
        changes, and copying them was a third of what keeping a result's texts took."""
        return tuple(
            ShownQuestion(
                id=q.id,
                section=q.section,
                text=q.text,
                options=tuple(ShownOption(value=o.value, label=o.label, event=o.event) for o in q.options),
            )
            for q in self.questions
        )

    @cached_property
    def kept_approaches(self) -> dict[Approach, ShownApproach]:
        return {
            approach: ShownApproach(name=text.name, headline=text.headline, summary=text.summary)
            for approach, text in self.approaches.items()
        }

    @cached_property
    def rules_by_id(self) -> dict[str, Rule]:
        return {rule.id: rule for rule in self.rules}

    @cached_property
    def rules_by_question(self) -> dict[str, tuple[Rule, ...]]:
        """The rules that look at each question: all that can change when that one answer changes."""
        return {q.id: tuple(rule for rule in self.rules if rule.looks_at(q.id)) for q in self.questions}

    @cached_property
    def constraints_by_question(self) -> dict[str, tuple[Constraint, ...]]:
        """The constraints that look at each question, as rules_by_question."""
        return {q.id: tuple(each for each in self.constraints if each.looks_at(q.id)) for q in self.questions}

    @cached_property
    def conflicts_by_question(self) -> dict[str, tuple[Conflict, ...]]:
        """The conflicts whose condition looks at each question, as rules_by_question."""
        return {q.id: tuple(each for each in self.conflicts if each.looks_at(q.id)) for q in self.questions}

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
        problems = consistency.inconsistencies(self)
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
            ruleset = ruleset.with_prices(costs.price_book(market_copy.market(catalogue.load())))
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
