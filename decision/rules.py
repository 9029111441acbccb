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
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from decision.frozen import Frozen
from decision.ruleset import APPROACHES, UNSURE, Approach, Constraint, Route, RouteId, Ruleset, Side, asked

Confidence = Literal["clear", "lean", "close"]
Strength = Literal["slightly", "moderately", "strongly"]
STRENGTHS: dict[int, Strength] = {1: "slightly", 2: "moderately"}
SIDES: tuple[Side, Side] = ("open", "closed")
ASK_NEXT = 3  # how many unanswered questions an uncertain result points to


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


class Pivot(Frozen):
    """One answer that, changed on its own, would change the verdict."""

    question: str
    value: str
    approach: Approach


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


class RouteOut(Frozen):
    """How an approach (or one side of a hybrid) is carried out."""

    approach: Side
    id: RouteId
    name: str
    text: str


Effect = Literal["verdict", "conflict", "rules_out", "route", "confidence"]
CONFIDENCE_RANK: dict[Confidence, int] = {"close": 0, "lean": 1, "clear": 2}


class Unknown(Frozen):
    """A definite answer to a question the team was not sure of, and what it would change."""

    question: str
    value: str
    effects: list[Effect]


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


def scores(ruleset: Ruleset, answers: Mapping[str, str]) -> dict[Approach, int]:
    totals: dict[Approach, int] = dict.fromkeys(APPROACHES, 0)
    for rule in ruleset.rules:
        if rule.matches(answers):
            totals[rule.favours] += rule.weight
    return totals


@dataclass(frozen=True)
class Decision:
    """The verdict alone: what the constraints leave, the points, and the winner among what is left."""

    approach: Approach
    scores: dict[Approach, int]
    ruled_out: frozenset[Approach]
    routes_ruled_out: frozenset[str]

    @property
    def allowed(self) -> list[Approach]:
        return [approach for approach in APPROACHES if approach not in self.ruled_out]


def decide(ruleset: Ruleset, answers: Mapping[str, str]) -> Decision:
    """Cheap enough to call for every alternative answer: no texts, just the verdict and what it rests on."""
    answers = ruleset.with_figures(answers)
    ruled_out, routes_out = ruled_out_by([c for c in ruleset.constraints if c.matches(answers)])
    return _decision(ruleset, scores(ruleset, answers), ruled_out, routes_out)


def ruled_out_by(constraints: Iterable[Constraint]) -> tuple[set[Approach], set[str]]:
    """The approaches and routes that these (matching) constraints rule out."""
    approaches: set[Approach] = set()
    routes: set[str] = set()
    for constraint in constraints:
        if constraint.rules_out is not None:
            approaches.add(constraint.rules_out)
        if constraint.route is not None:
            routes.add(constraint.route)
    return approaches, routes


def _decision(
    ruleset: Ruleset, totals: dict[Approach, int], ruled_out: set[Approach], routes_out: set[str]
) -> Decision:
    if ruleset.routes:
        for side in SIDES:
            if not any(r.approach == side and r.id not in routes_out for r in ruleset.routes):
                ruled_out.add(side)  # no way left to carry it out
                ruled_out.add("hybrid")  # and a hybrid needs both sides
    order = [approach for approach in ruleset.tie_break.order if approach not in ruled_out]
    best = order[0]
    for approach in order[1:]:
        if totals[approach] > totals[best]:  # strictly more: on a tie the earlier in the order stays
            best = approach
    return Decision(best, totals, frozenset(ruled_out), frozenset(routes_out))


def runner_up_of(ruleset: Ruleset, decision: Decision) -> Approach | None:
    """The best other allowed approach; on a tie, the earlier in the tie-break order."""
    runner_up: Approach | None = None
    totals = decision.scores
    for other in ruleset.tie_break.order:
        if other == decision.approach or other not in decision.allowed:
            continue
        if runner_up is None or totals[other] > totals[runner_up]:
            runner_up = other
    return runner_up


def recommend(ruleset: Ruleset, answers: Mapping[str, str | None]) -> Recommendation:
    given = ruleset.with_figures(complete(ruleset, answers))  # the figures (v5 on) are matched like answers
    decision = decide(ruleset, given)
    approach, totals = decision.approach, decision.scores
    runner_up = runner_up_of(ruleset, decision)
    tied = runner_up is not None and totals[approach] == totals[runner_up]
    answered = sum(given[question.id] != UNSURE for question in ruleset.questions)

    matched = sorted((rule for rule in ruleset.rules if rule.matches(given)), key=lambda rule: -rule.weight)
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
    matched_constraints = [c for c in ruleset.constraints if c.matches(given)]
    excluded = exclusions(ruleset, matched_constraints, decision)
    routes = chosen_routes(ruleset, given, decision)
    conflicts = conflicts_of(ruleset, given, [route.id for route in routes])
    uncertain = answered < ruleset.confidence.min_answered or (totals[approach] == 0 and not excluded)
    changes = [] if uncertain and ruleset.in_stages else pivots(ruleset, given, approach)
    confidence = confidence_of(
        ruleset, decision, runner_up, reasons, uncertain=uncertain, conflicts=bool(conflicts), given=given
    )
    if confidence == "clear" and ruleset.in_stages and any(given[p.question] == UNSURE for p in changes):
        confidence = "lean"  # an answer not yet given could still change the verdict
    named = (
        unknowns(ruleset, given, decision, confidence, routes)
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
        ask_next=ask_next(ruleset, given, decision) if uncertain and ruleset.in_stages else [],
        unknowns=named,
    )


class Weighed(Protocol):
    """A reason as given, or a rule that matched: what the confidence looks at."""

    @property
    def favours(self) -> Approach: ...

    @property
    def weight(self) -> int: ...


def confidence_of(
    ruleset: Ruleset,
    decision: Decision,
    runner_up: Approach | None,
    reasons: Sequence[Weighed],
    *,
    uncertain: bool,
    conflicts: bool,
    given: Mapping[str, str] | None = None,
) -> Confidence:
    settings = ruleset.confidence
    if uncertain:
        return "close"
    level: Confidence
    if runner_up is None:
        level = "clear"  # the constraints leave one approach
    else:
        margin = decision.scores[decision.approach] - decision.scores[runner_up]
        if margin >= settings.clear_margin:
            level = "clear"
        elif margin >= settings.lean_margin:
            level = "lean"
        else:
            level = "close"
        others = [a for a in decision.allowed if a != decision.approach]
        unopposed = not any(r.favours in others for r in reasons)
        if level != "clear" and settings.clear_when_unopposed and unopposed and margin >= settings.lean_margin:
            level = "clear"  # every answer that weighs at all points the same way (v4 on)
        strong = settings.strong_weight
        if level == "clear" and strong is not None and any(r.weight >= strong and r.favours in others for r in reasons):
            level = "lean"  # a strong reason still stands for an approach that is allowed
    if level == "clear" and conflicts:
        level = "lean"
    if level == "clear" and given is not None:  # what is not known yet (v4 on)
        unsure = sum(given.get(question.id) == UNSURE for question in ruleset.questions)
        many = settings.lean_when_unsure is not None and unsure >= settings.lean_when_unsure
        if many or any(given.get(question) == UNSURE for question in settings.lean_when_unsure_of):
            level = "lean"
    return level


def unknowns(
    ruleset: Ruleset,
    given: Mapping[str, str],
    decision: Decision,
    confidence: Confidence,
    routes: list[RouteOut],
) -> list[Unknown]:
    """Each definite answer to a question the team was not sure of that would change the verdict, add a conflict,
    rule an approach or a route out, change the route or lower the confidence. The confidence an alternative
    would have is taken before the last step of recommend() (which only lowers it further), so "confidence" is
    named where the margins, the conflicts or the unknowns alone would lower it."""
    found: list[Unknown] = []
    route_ids = [route.id for route in routes]
    known_conflicts = {conflict.text for conflict in ruleset.conflicts if conflict.holds(given, route_ids)}
    for question in ruleset.questions:
        if given[question.id] != UNSURE:
            continue
        for value in question.values:
            if value == UNSURE:
                continue
            changed = ruleset.with_figures({**given, question.id: value})
            other = decide(ruleset, changed)
            other_routes = [route.id for route in chosen_routes(ruleset, changed, other)]
            other_conflicts = [conflict for conflict in ruleset.conflicts if conflict.holds(changed, other_routes)]
            effects: list[Effect] = []
            if other.approach != decision.approach:
                effects.append("verdict")
            if {conflict.text for conflict in other_conflicts} - known_conflicts:
                effects.append("conflict")
            if other.ruled_out - decision.ruled_out or other.routes_ruled_out - decision.routes_ruled_out:
                effects.append("rules_out")
            if other.approach == decision.approach:
                if other_routes != route_ids:
                    effects.append("route")
                matched = [rule for rule in ruleset.rules if rule.matches(changed)]
                level = confidence_of(
                    ruleset,
                    other,
                    runner_up_of(ruleset, other),
                    matched,
                    uncertain=False,
                    conflicts=bool(other_conflicts),
                    given=changed,
                )
                if CONFIDENCE_RANK[level] < CONFIDENCE_RANK[confidence]:
                    effects.append("confidence")
            if effects:
                found.append(Unknown(question=question.id, value=value, effects=effects))
    return found


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


def route_for(ruleset: Ruleset, side: Side, given: Mapping[str, str], ruled_out: frozenset[str]) -> RouteOut:
    chosen: Route | None = None
    because = ""
    for choice in ruleset.route_choices:
        route = ruleset.routes_by_id[choice.route]
        if route.approach == side and route.id not in ruled_out and choice.matches(given):
            chosen, because = route, ruleset.filled(choice.because, given)
            break
    if chosen is None:
        chosen = next(r for r in ruleset.routes if r.approach == side and r.id not in ruled_out)
    return RouteOut(approach=side, id=chosen.id, name=chosen.name, text=f"{chosen.text} {because}".strip())


def chosen_routes(ruleset: Ruleset, given: Mapping[str, str], decision: Decision) -> list[RouteOut]:
    if not ruleset.routes:
        return []
    sides: tuple[Side, ...] = {"hybrid": SIDES, "open": ("open",), "closed": ("closed",)}[decision.approach]
    given = ruleset.with_figures(given)
    return [route_for(ruleset, side, given, decision.routes_ruled_out) for side in sides]


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


def pivots(ruleset: Ruleset, given: Mapping[str, str], approach: Approach) -> list[Pivot]:
    """Every single change of an answer to another definite answer that gives a different verdict.

    Only the rules and constraints that look at the changed question can move, so each alternative re-scores
    just those (a property test checks the result against deciding every alternative from scratch)."""
    base = scores(ruleset, given)
    found: list[Pivot] = []
    for question in ruleset.questions:
        rules = ruleset.rules_by_question[question.id]
        without = dict(base)
        for rule in rules:
            if rule.matches(given):
                without[rule.favours] -= rule.weight
        moving = [c for c in ruleset.constraints if c.looks_at(question.id)]
        fixed_out, fixed_routes = ruled_out_by(
            c for c in ruleset.constraints if not c.looks_at(question.id) and c.matches(given)
        )
        for value in question.values:
            if value in (given[question.id], UNSURE):
                continue
            changed = ruleset.with_figures({**given, question.id: value})
            totals = dict(without)
            for rule in rules:
                if rule.matches(changed):
                    totals[rule.favours] += rule.weight
            ruled_out, routes_out = ruled_out_by(c for c in moving if c.matches(changed))
            ruled_out |= fixed_out
            routes_out |= fixed_routes
            other = _decision(ruleset, totals, ruled_out, routes_out).approach
            if other != approach:
                found.append(Pivot(question=question.id, value=value, approach=other))
    return found


def ask_next(ruleset: Ruleset, given: Mapping[str, str], decision: Decision) -> list[str]:
    """The unanswered questions whose answer would move the result most.

    A question's pull is, over its answers, the most that one answer would change: ten points if it rules an
    approach in or out, five if it changes the leaning, plus the points it moves. Ties keep question order."""
    pulls: list[tuple[int, int, str]] = []
    for index, question in enumerate(ruleset.questions):
        if given[question.id] != UNSURE:
            continue
        pull = 0
        for value in question.values[:-1]:
            other = decide(ruleset, {**given, question.id: value})
            moved = sum(abs(other.scores[a] - decision.scores[a]) for a in APPROACHES)
            moved += 10 * (other.ruled_out != decision.ruled_out) + 5 * (other.approach != decision.approach)
            pull = max(pull, moved)
        pulls.append((-pull, index, question.id))
    return [question_id for _, _, question_id in sorted(pulls)[:ASK_NEXT]]
