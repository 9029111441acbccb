"""The engine: a pure function from (ruleset, answers) to a recommendation.

No Django, no I/O. It decides in the order a careful person does:

1. Constraints. A "must" in the answers (data that may never leave, changing the model itself, a required
   audit, running on devices) rules an approach or a route out, whatever the points say. An approach with no
   route left is ruled out too. A "must" that the team cannot meet with what it has is a named conflict.
2. Points. Each rule that matches adds its weight to the approach it favours; the highest score among the
   approaches still allowed wins, ties broken by the order the ruleset declares.
3. Route. How the winner is carried out, from the answers (for a hybrid, one route for each side).

The confidence comes from the lead over the best other allowed approach, and is never "clear" while another
allowed approach has a strong reason of its own or a conflict stands. Everything comes back as reasons,
exclusions and conflicts a reader can check, with the single answers that would change the verdict.

The verdict alone (the stages and the confidence, cheap enough to work out again for every alternative
answer) is in verdict.py, and what the questions not answered yet could change in unanswered.py; this module
puts the recommendation together, with the texts it shows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal

from decision.entries import APPROACHES, UNSURE, Approach, Constraint, RouteId, Side
from decision.figures import asked
from decision.frozen import Frozen
from decision.ruleset import Ruleset
from decision.unanswered import Unknown, ask_next, unknowns
from decision.verdict import (
    Alternatives,
    Confidence,
    Decision,
    Pivot,
    RouteOut,
    chosen_routes,
    confidence_of,
    pivots,
    runner_up_of,
)

Strength = Literal["slightly", "moderately", "strongly"]
STRENGTHS: dict[int, Strength] = {1: "slightly", 2: "moderately"}


class Reason(Frozen):
    rule: str
    answers: dict[str, str]
    favours: Approach
    weight: int
    strength: Strength
    text: str
    sources: list[str] = []


class NeutralAnswer(Frozen):
    question: str
    value: str
    note: str


class Exclusion(Frozen):
    """An approach that a "must" in the answers ruled out, and why."""

    approach: Approach
    questions: list[str]
    text: str
    sources: list[str] = []


class RouteExclusion(Frozen):
    route: RouteId
    approach: Side
    questions: list[str]
    text: str
    sources: list[str] = []


class ConflictOut(Frozen):
    """A "must" the team cannot yet meet with what it has, and what to resolve first."""

    questions: list[str]
    text: str
    resolve: str
    sources: list[str] = []


class Recommendation(Frozen):
    approach: Approach
    scores: dict[Approach, int]
    confidence: Confidence
    uncertain: bool
    answered: int
    tie_broken: bool
    reasons: list[Reason]
    neutral: list[NeutralAnswer]
    placements: dict[Side, list[str]]
    caveats: list[str]
    next_steps: list[str]
    pivots: list[Pivot]
    runner_up: Approach | None = None
    routes: list[RouteOut] = []
    excluded: list[Exclusion] = []
    excluded_routes: list[RouteExclusion] = []
    conflicts: list[ConflictOut] = []
    ask_next: list[str] = []
    unknowns: list[Unknown] = []


def complete(ruleset: Ruleset, answers: Mapping[str, str | None]) -> dict[str, str]:
    """Every question of the ruleset with its answer; missing ones count as unsure."""
    return {question.id: answers.get(question.id) or UNSURE for question in ruleset.questions}


def too_uncertain(ruleset: Ruleset, given: Mapping[str, str], decision: Decision) -> bool:
    """Too few definite answers to call, or none that tip the balance and no must either."""
    answered = sum(given[question.id] != UNSURE for question in ruleset.questions)
    return answered < ruleset.confidence.min_answered or (
        decision.scores[decision.approach] == 0 and not decision.ruled_out
    )


def recommend(ruleset: Ruleset, answers: Mapping[str, str | None]) -> Recommendation:
    given = ruleset.with_figures(complete(ruleset, answers))  # the figures (v5 on) are matched like answers
    # The rules and constraints these answers match, and their verdict, weighed once for every alternative answer
    # that the pivots, the unknowns and the questions to ask next look at.
    weighed = Alternatives(ruleset, given)
    decision = weighed.decision
    approach, totals = decision.approach, decision.scores
    runner_up = runner_up_of(ruleset, decision)
    tied = runner_up is not None and totals[approach] == totals[runner_up]
    answered = sum(given[question.id] != UNSURE for question in ruleset.questions)

    matched = sorted(weighed.rules, key=lambda rule: -rule.weight)
    reasons = [
        Reason(
            rule=rule.id,
            answers={question: given[question] for question in asked(rule.when)},
            favours=rule.favours,
            weight=rule.weight,
            strength=STRENGTHS.get(rule.weight, "strongly"),
            text=ruleset.filled(rule.reason, given),
            sources=list(rule.sources),
        )
        for rule in matched
    ]
    matched_constraints = weighed.constraints
    excluded = exclusions(ruleset, matched_constraints, decision)
    routes = chosen_routes(ruleset, given, decision)
    conflicts = conflicts_of(ruleset, given, [route.id for route in routes])
    uncertain = too_uncertain(ruleset, given, decision)
    changes = [] if uncertain and ruleset.in_stages else pivots(ruleset, given, approach, weighed)
    confidence = confidence_of(
        ruleset, decision, runner_up, reasons, uncertain=uncertain, conflicts=bool(conflicts), given=given
    )
    if confidence == "clear" and ruleset.in_stages and any(given[p.question] == UNSURE for p in changes):
        confidence = "lean"  # an answer not yet given could still change the verdict
    named = (
        unknowns(ruleset, given, decision, confidence, routes, weighed)
        if ruleset.confidence.name_unknowns and not uncertain
        else []
    )
    if confidence == "clear" and any(set(u.effects) & {"verdict", "conflict", "rules_out"} for u in named):
        confidence = "lean"  # an answer not given yet could add a conflict or rule something out

    text = ruleset.approaches[approach]
    caveats = [*text.caveats]
    next_steps = [*text.next_steps]
    for route in routes:
        caveats += ruleset.routes_by_id[route.id].caveats
        next_steps += ruleset.routes_by_id[route.id].next_steps
    caveats += [ruleset.filled(c.text, given) for c in ruleset.caveats if approach in c.approaches and c.matches(given)]

    return Recommendation(
        approach=approach,
        scores=totals,
        confidence=confidence,
        uncertain=uncertain,
        answered=answered,
        tie_broken=tied,
        reasons=reasons,
        neutral=[
            NeutralAnswer(question=question, value=value, note=ruleset.neutral_notes[(question, value)])
            for question, value in given.items()
            if (question, value) in ruleset.neutral_notes
        ],
        placements=placements(ruleset, given, approach),
        caveats=list(dict.fromkeys(caveats)),
        next_steps=list(dict.fromkeys(next_steps)),
        pivots=changes,
        runner_up=runner_up,
        routes=routes,
        excluded=excluded,
        excluded_routes=route_exclusions(ruleset, matched_constraints),
        conflicts=conflicts,
        ask_next=ask_next(ruleset, given, decision, weighed) if uncertain and ruleset.in_stages else [],
        unknowns=named,
    )


def exclusions(ruleset: Ruleset, matched: list[Constraint], decision: Decision) -> list[Exclusion]:
    """Each approach ruled out, once, with the first reason given for it."""
    found: dict[Approach, Exclusion] = {}
    for constraint in matched:
        if constraint.rules_out is not None and constraint.rules_out not in found:
            found[constraint.rules_out] = Exclusion(
                approach=constraint.rules_out,
                questions=asked(constraint.when),
                text=constraint.text,
                sources=list(constraint.sources),
            )
    route_questions = asked(q for c in matched if c.route is not None for q in c.when)
    for approach in decision.ruled_out - found.keys():  # ruled out because no route is left to carry it out
        found[approach] = Exclusion(
            approach=approach,
            questions=route_questions,
            text=f"{ruleset.approaches[approach].name} was ruled out: no way to carry it out is left once the "
            "routes below are ruled out.",
        )
    return [found[approach] for approach in APPROACHES if approach in found]


def conflicts_of(ruleset: Ruleset, given: Mapping[str, str], routes: Iterable[str] = ()) -> list[ConflictOut]:
    """Each conflict the answers (and the routes they take) meet, once: two entries that say the same thing are
    named together."""
    found: dict[tuple[str, str], ConflictOut] = {}
    given = ruleset.with_figures(given)
    routes = list(routes)
    for conflict in ruleset.conflicts:
        if conflict.holds(given, routes):
            key = (ruleset.filled(conflict.text, given), ruleset.filled(conflict.resolve, given))
            questions = [*found[key].questions, *asked(conflict.when)] if key in found else asked(conflict.when)
            sources = [*found[key].sources, *conflict.sources] if key in found else list(conflict.sources)
            found[key] = ConflictOut(
                questions=list(dict.fromkeys(questions)),
                text=key[0],
                resolve=key[1],
                sources=list(dict.fromkeys(sources)),
            )
    return list(found.values())


def route_exclusions(ruleset: Ruleset, matched: list[Constraint]) -> list[RouteExclusion]:
    """Each route ruled out, once, with the first reason given for it."""
    found: dict[str, RouteExclusion] = {}
    for constraint in matched:
        if constraint.route is not None and constraint.route not in found:
            found[constraint.route] = RouteExclusion(
                route=constraint.route,
                approach=ruleset.routes_by_id[constraint.route].approach,
                questions=asked(constraint.when),
                text=constraint.text,
                sources=list(constraint.sources),
            )
    return list(found.values())


def placements(ruleset: Ruleset, given: Mapping[str, str], approach: Approach) -> dict[Side, list[str]]:
    """For a hybrid, which work goes to which side."""
    placed: dict[Side, list[str]] = {"open": [], "closed": []}
    if approach == "hybrid":
        for placement in ruleset.placements:
            if placement.matches(given):
                placed[placement.side].append(placement.text)
        for side, items in placed.items():
            if not items:
                items.append(ruleset.placement_defaults[side])
    return placed
