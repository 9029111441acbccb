"""Where a user is in the wizard, worked out from the answers in a query string or form. Pure: no Django.

Answers travel with every request, so this module is the one place that decides which answers are valid,
which step still needs one, and how answers are written back into a URL.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlencode

from decision.entries import Question
from decision.ruleset import Ruleset

if TYPE_CHECKING:
    from decision.snapshot import Shown


class MultiValueMapping(Protocol):
    def getlist(self, key: str) -> Sequence[str]: ...


@dataclass(frozen=True)
class Answers:
    """The allow-listed answers found in a request, and the questions whose value was not acceptable."""

    given: dict[str, str]
    rejected: frozenset[str]

    def missing(self, questions: Sequence[Question]) -> list[Question]:
        return [question for question in questions if question.id not in self.given]


def parse(ruleset: Ruleset, data: MultiValueMapping) -> Answers:
    """Keep each answer that is one of its question's values; note the others. Unknown keys are ignored."""
    given: dict[str, str] = {}
    rejected: set[str] = set()
    for question in ruleset.questions:
        raw = data.getlist(question.id)
        if not raw:
            continue
        if len(raw) == 1 and raw[0] in question.values:
            given[question.id] = raw[0]
        else:
            rejected.add(question.id)
    return Answers(given=given, rejected=frozenset(rejected))


def first_missing(answers: Answers, questions: Sequence[Question]) -> Question | None:
    """The first of these questions with no acceptable answer, if any."""
    missing = answers.missing(questions)
    return missing[0] if missing else None


def query(ruleset: Ruleset | Shown, given: Mapping[str, str], **extra: str) -> str:
    """A query string of the answers in question order (so equal answers give equal URLs), plus extras."""
    pairs = [(q.id, given[q.id]) for q in ruleset.questions if q.id in given]
    pairs += [(key, value) for key, value in extra.items() if value]
    return urlencode(pairs)


def carry_over(ruleset: Ruleset, answers: Mapping[str, object]) -> tuple[dict[str, str], list[str]]:
    """Answers made for any version of the questions, as this ruleset takes them: each answer whose question
    and value still exist is kept; every other one is named in the list of problems, and its question
    counts as unanswered."""
    kept: dict[str, str] = {}
    problems: list[str] = []
    for question_id, value in answers.items():
        question = ruleset.questions_by_id.get(question_id)
        if question is None:
            problems.append(f"{question_id!r} is not a question of version {ruleset.version}")
        elif not isinstance(value, str) or value not in question.values:
            problems.append(f"{value!r} is not an answer to {question_id!r} in version {ruleset.version}")
        else:
            kept[question_id] = value
    return kept, problems


@dataclass(frozen=True)
class Imported:
    """Answers read from a file: those kept for today's questions, those flagged (valid only in an older version
    of the questions), and the problems that make the file unusable (nothing is kept when there are any)."""

    answers: dict[str, str]
    flagged: list[str]
    problems: list[str]


def import_answers(current: Ruleset, versions: Sequence[Ruleset], data: object) -> Imported:
    """The answers of an exported result (or an API request body): ``{"answers": {question: value}}``.

    An answer whose question and value exist today is kept. One that existed only in an older version is
    flagged and left out. Anything no version ever had, or of the wrong type, is a problem."""
    if not isinstance(data, dict) or not isinstance(data.get("answers"), dict):
        return Imported({}, [], ['The file must be a JSON object with "answers", as a result\'s JSON has.'])
    kept: dict[str, str] = {}
    flagged: list[str] = []
    problems: list[str] = []
    # Said with each question's words (its latest), and the value as the file has it (ids in brackets for a program).
    for question_id, value in data["answers"].items():
        known = [r.questions_by_id[question_id] for r in versions if question_id in r.questions_by_id]
        if not known:
            problems.append(f"“{question_id}” is not one of the questions, in this version or any before it")
            continue
        text = current.questions_by_id.get(question_id, known[-1]).text
        if not isinstance(value, str):
            problems.append(f"The answer to “{text}” ({question_id}) must be text, not {type(value).__name__}")
        elif question_id in current.questions_by_id and value in current.questions_by_id[question_id].values:
            kept[question_id] = value
        elif any(value in question.values for question in known):
            label = next(question.label(value) for question in known if value in question.values)
            flagged.append(
                f"“{text}”: “{label}” ({question_id}={value}) is no longer one of the answers "
                f"in version {current.version}"
            )
        else:
            problems.append(f"“{value}” is not one of the answers to “{text}” ({question_id}), in any version")
    return Imported({} if problems else kept, [] if problems else flagged, problems)
