"""What the questions not answered yet could do to a result: which to answer next, and what each answer would change.

No Django, no I/O. An uncertain result points to the unanswered questions whose answers would move it most; a
call names every definite answer to a question the team was not sure of that would change the verdict, add a
conflict, rule something out, change the route or lower the confidence. Both work the verdict out again for each
such answer (verdict.py), so they stay apart from the texts of a recommendation.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from decision.entries import APPROACHES, UNSURE
from decision.frozen import Frozen
from decision.ruleset import Ruleset
from decision.verdict import Alternatives, Confidence, Decision, RouteOut, confidence_of, route_ids, runner_up_of

ASK_NEXT = 3  # how many unanswered questions an uncertain result points to

Effect = Literal["verdict", "conflict", "rules_out", "route", "confidence"]
CONFIDENCE_RANK: dict[Confidence, int] = {"close": 0, "lean": 1, "clear": 2}


class Unknown(Frozen):
    """A definite answer to a question the team was not sure of, and what it would change."""

    question: str
    value: str
    effects: list[Effect]


def unknowns(
    ruleset: Ruleset,
    given: Mapping[str, str],
    decision: Decision,
    confidence: Confidence,
    routes: list[RouteOut],
    weighed: Alternatives | None = None,
) -> list[Unknown]:
    """Each definite answer to a question the team was not sure of that would change the verdict, add a conflict,
    rule an approach or a route out, change the route or lower the confidence. The confidence an alternative
    would have is taken before the last step of recommend() (which only lowers it further), so "confidence" is
    named where the margins, the conflicts or the unknowns alone would lower it.

    Each alternative is weighed from the answers given (Alternatives), re-reading only the rules, constraints and
    conflicts that look at its question; a property test checks the result against working each one out afresh."""
    weighed = weighed or Alternatives(ruleset, given)
    found: list[Unknown] = []
    route_ids_given = [route.id for route in routes]
    known_conflicts = {conflict.text for conflict in ruleset.conflicts if conflict.holds(given, route_ids_given)}
    meeting = [conflict for conflict in ruleset.conflicts if conflict.matches(weighed.given)]
    for question in ruleset.questions:
        if given[question.id] != UNSURE:
            continue
        # A conflict that does not look at this question meets these answers as it met those given; whether it
        # holds may still change with the route.
        conflicts = [c for c in meeting if not c.looks_at(question.id)] + list(
            ruleset.conflicts_by_question[question.id]
        )
        for value, changed, other in weighed.of(question):
            other_routes = route_ids(ruleset, changed, other)
            other_conflicts = [conflict for conflict in conflicts if conflict.holds(changed, other_routes)]
            effects: list[Effect] = []
            if other.approach != decision.approach:
                effects.append("verdict")
            if {conflict.text for conflict in other_conflicts} - known_conflicts:
                effects.append("conflict")
            if other.ruled_out - decision.ruled_out or other.routes_ruled_out - decision.routes_ruled_out:
                effects.append("rules_out")
            if other.approach == decision.approach:
                if other_routes != route_ids_given:
                    effects.append("route")
                level = confidence_of(
                    ruleset,
                    other,
                    runner_up_of(ruleset, other),
                    weighed.rules_with(question, changed),
                    uncertain=False,
                    conflicts=bool(other_conflicts),
                    given=changed,
                )
                if CONFIDENCE_RANK[level] < CONFIDENCE_RANK[confidence]:
                    effects.append("confidence")
            if effects:
                found.append(Unknown(question=question.id, value=value, effects=effects))
    return found


def ask_next(
    ruleset: Ruleset, given: Mapping[str, str], decision: Decision, weighed: Alternatives | None = None
) -> list[str]:
    """The unanswered questions whose answer would move the result most.

    A question's pull is, over its answers, the most that one answer would change: ten points if it rules an
    approach in or out, five if it changes the leaning, plus the points it moves. Ties keep question order."""
    weighed = weighed or Alternatives(ruleset, given)
    pulls: list[tuple[int, int, str]] = []
    for index, question in enumerate(ruleset.questions):
        if given[question.id] != UNSURE:
            continue
        pull = 0
        for _, _, other in weighed.of(question):
            moved = sum(abs(other.scores[a] - decision.scores[a]) for a in APPROACHES)
            moved += 10 * (other.ruled_out != decision.ruled_out) + 5 * (other.approach != decision.approach)
            pull = max(pull, moved)
        pulls.append((-pull, index, question.id))
    return [question_id for _, _, question_id in sorted(pulls)[:ASK_NEXT]]
