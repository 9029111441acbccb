"""The ruleset as typed data: pydantic models of a question bank and its rules, and the loader.

A ruleset is a TOML file in ``decision/rulesets/``. Loading validates it whole; any rule naming an unknown
question or value, any option no rule speaks to (and not declared neutral), any weight out of range raises
``RulesetError`` naming the entry, so a broken ruleset stops the app instead of giving wrong advice.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import cache, cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model, model_validator

RULESETS_DIR = Path(__file__).parent / "rulesets"
UNSURE = "unsure"
UNSURE_LABEL = "I'm not sure"
MAX_WEIGHT = 5

Approach = Literal["open", "closed", "hybrid"]
APPROACHES: tuple[Approach, ...] = ("open", "closed", "hybrid")
Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]


class RulesetError(ValueError):
    """A ruleset file that cannot be used, with the file and entry at fault in the message."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Option(Strict):
    value: Identifier
    label: str
    hint: str = ""


class Question(Strict):
    id: Identifier
    section: Identifier
    text: str
    why: str
    options: tuple[Option, ...] = Field(min_length=2)

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


class Rule(Strict):
    id: str
    when: dict[Identifier, tuple[Identifier, ...]] = Field(min_length=1)
    favours: Approach
    weight: int
    reason: str

    def matches(self, answers: Mapping[str, str]) -> bool:
        # A plain loop, not all() over a generator: this runs a few hundred times per recommendation.
        for question, values in self.when.items():  # noqa: SIM110
            if answers.get(question) not in values:
                return False
        return True


class Neutral(Strict):
    question: Identifier
    value: Identifier
    note: str


class Placement(Strict):
    when: dict[Identifier, tuple[Identifier, ...]] = Field(min_length=1)
    side: Literal["open", "closed"]
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


class TieBreak(Strict):
    order: tuple[Approach, Approach, Approach]
    note: str


class Ruleset(Strict):
    version: str = Field(pattern=r"^[0-9A-Za-z._-]{1,20}$")
    date: str
    confidence: Confidence
    tie_break: TieBreak
    approaches: dict[Approach, ApproachText]
    placement_defaults: dict[Literal["open", "closed"], str]
    sections: tuple[Section, ...] = Field(min_length=1)
    questions: tuple[Question, ...] = Field(min_length=1)
    rules: tuple[Rule, ...] = Field(min_length=1)
    neutral: tuple[Neutral, ...] = ()
    placements: tuple[Placement, ...] = ()

    @cached_property
    def questions_by_id(self) -> dict[str, Question]:
        return {question.id: question for question in self.questions}

    @cached_property
    def questions_by_section(self) -> dict[str, tuple[Question, ...]]:
        return {section.id: tuple(q for q in self.questions if q.section == section.id) for section in self.sections}

    @cached_property
    def rules_by_question(self) -> dict[str, tuple[Rule, ...]]:
        """The rules that look at each question: all that can change when that one answer changes."""
        return {q.id: tuple(rule for rule in self.rules if q.id in rule.when) for q in self.questions}

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
        if set(self.approaches) != set(APPROACHES):
            problems.append("approaches must describe exactly open, closed and hybrid")

        def check_condition(where: str, when: dict[str, tuple[str, ...]]) -> None:
            for question_id, values in when.items():
                if question_id not in questions:
                    problems.append(f"{where} names unknown question {question_id!r}")
                    continue
                for value in values:
                    if value not in questions[question_id].values or value == UNSURE:
                        problems.append(f"{where} names unknown value {value!r} of question {question_id!r}")

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
            if len(rule.when) == 1:
                ((question_id, values),) = rule.when.items()
                spoken_to.update((question_id, value) for value in values)
        for placement in self.placements:
            check_condition(f"placement {placement.text!r}", placement.when)
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
        if problems:
            raise ValueError("; ".join(problems))
        return self


def parse_ruleset(text: str, source: str = "<string>") -> Ruleset:
    try:
        return Ruleset.model_validate(tomllib.loads(text))
    except (tomllib.TOMLDecodeError, ValidationError) as error:
        raise RulesetError(f"ruleset {source} is invalid: {error}") from error


@cache
def load_all() -> dict[str, Ruleset]:
    """Every ruleset version on disk, by version. Old versions stay so that old results still render."""
    rulesets: dict[str, Ruleset] = {}
    for path in sorted(RULESETS_DIR.glob("*.toml")):
        ruleset = parse_ruleset(path.read_text(encoding="utf-8"), source=path.name)
        if ruleset.version in rulesets:
            raise RulesetError(f"ruleset {path.name} repeats version {ruleset.version!r}")
        rulesets[ruleset.version] = ruleset
    if not rulesets:
        raise RulesetError(f"no ruleset found in {RULESETS_DIR}")
    return rulesets


def current() -> Ruleset:
    """The newest ruleset: the one new results are computed with."""
    return max(load_all().values(), key=lambda ruleset: (ruleset.date, ruleset.version))


def get(version: str) -> Ruleset | None:
    return load_all().get(version)
