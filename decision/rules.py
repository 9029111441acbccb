"""The engine: a pure function from (ruleset, answers) to a recommendation.

No Django, no I/O. Each rule that matches the answers adds its weight to the approach it favours; the
highest score wins, ties broken by the order the ruleset declares. The margin over the runner-up sets the
confidence. Everything the verdict rests on comes back as reasons a reader can check.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict

from decision.ruleset import APPROACHES, UNSURE, Approach, Ruleset

Confidence = Literal["clear", "lean", "close"]
Strength = Literal["slightly", "moderately", "strongly"]
STRENGTHS: dict[int, Strength] = {1: "slightly", 2: "moderately"}


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Reason(Frozen):
    rule: str
    answers: dict[str, str]
    favours: Approach
    weight: int
    strength: Strength
    text: str


class NeutralAnswer(Frozen):
    question: str
    value: str
    note: str


class Pivot(Frozen):
    """One answer that, changed on its own, would change the verdict."""

    question: str
    value: str
    approach: Approach


class Recommendation(Frozen):
    approach: Approach
    scores: dict[Approach, int]
    confidence: Confidence
    uncertain: bool
    answered: int
    tie_broken: bool
    reasons: list[Reason]
    neutral: list[NeutralAnswer]
    placements: dict[Literal["open", "closed"], list[str]]
    caveats: list[str]
    next_steps: list[str]
    pivots: list[Pivot]


def complete(ruleset: Ruleset, answers: Mapping[str, str | None]) -> dict[str, str]:
    """Every question of the ruleset with its answer; missing ones count as unsure."""
    return {question.id: answers.get(question.id) or UNSURE for question in ruleset.questions}


def _scores(ruleset: Ruleset, answers: Mapping[str, str]) -> dict[Approach, int]:
    scores: dict[Approach, int] = dict.fromkeys(APPROACHES, 0)
    for rule in ruleset.rules:
        if rule.matches(answers):
            scores[rule.favours] += rule.weight
    return scores


def _winner(ruleset: Ruleset, scores: Mapping[Approach, int]) -> Approach:
    best = ruleset.tie_break.order[0]
    for approach in ruleset.tie_break.order[1:]:
        if scores[approach] > scores[best]:  # strictly more: on a tie the earlier in the order stays
            best = approach
    return best


def verdict(ruleset: Ruleset, answers: Mapping[str, str]) -> Approach:
    """Just the winning approach: cheap enough to call for every alternative answer."""
    return _winner(ruleset, _scores(ruleset, answers))


def recommend(ruleset: Ruleset, answers: Mapping[str, str | None]) -> Recommendation:
    given = complete(ruleset, answers)
    scores = _scores(ruleset, given)
    approach = _winner(ruleset, scores)
    ranked = sorted(scores.values(), reverse=True)
    margin = ranked[0] - ranked[1]
    answered = sum(value != UNSURE for value in given.values())
    uncertain = answered < ruleset.confidence.min_answered or ranked[0] == 0

    confidence: Confidence
    if uncertain or margin < ruleset.confidence.lean_margin:
        confidence = "close"
    elif margin < ruleset.confidence.clear_margin:
        confidence = "lean"
    else:
        confidence = "clear"

    matched = [rule for rule in ruleset.rules if rule.matches(given)]
    reasons = [
        Reason(
            rule=rule.id,
            answers={question: given[question] for question in rule.when},
            favours=rule.favours,
            weight=rule.weight,
            strength=STRENGTHS.get(rule.weight, "strongly"),
            text=rule.reason,
        )
        for rule in sorted(matched, key=lambda rule: -rule.weight)
    ]
    neutral = [
        NeutralAnswer(question=question, value=value, note=ruleset.neutral_notes[(question, value)])
        for question, value in given.items()
        if (question, value) in ruleset.neutral_notes
    ]
    placements: dict[Literal["open", "closed"], list[str]] = {"open": [], "closed": []}
    if approach == "hybrid":
        for placement in ruleset.placements:
            if all(given[q] in values for q, values in placement.when.items()):
                placements[placement.side].append(placement.text)
        for side, items in placements.items():
            if not items:
                items.append(ruleset.placement_defaults[side])

    text = ruleset.approaches[approach]
    return Recommendation(
        approach=approach,
        scores=scores,
        confidence=confidence,
        uncertain=uncertain,
        answered=answered,
        tie_broken=margin == 0,
        reasons=reasons,
        neutral=neutral,
        placements=placements,
        caveats=list(text.caveats),
        next_steps=list(text.next_steps),
        pivots=pivots(ruleset, given, approach, scores),
    )


def pivots(ruleset: Ruleset, given: Mapping[str, str], approach: Approach, base: Mapping[Approach, int]) -> list[Pivot]:
    """Each single answer that, changed on its own, would give a different verdict.

    Only the rules that look at the changed question can move, so each alternative re-scores just those."""
    found: list[Pivot] = []
    for question in ruleset.questions:
        affected = ruleset.rules_by_question[question.id]
        without = dict(base)
        for rule in affected:
            if rule.matches(given):
                without[rule.favours] -= rule.weight
        for value in question.values:
            if value in (given[question.id], UNSURE):
                continue
            changed = {**given, question.id: value}
            scores = dict(without)
            for rule in affected:
                if rule.matches(changed):
                    scores[rule.favours] += rule.weight
            other = _winner(ruleset, scores)
            if other != approach:
                found.append(Pivot(question=question.id, value=value, approach=other))
    return found
