"""The verdict alone: what the constraints rule out, the points, the winner among what is left, how confident the
call is, and the route it takes; and the single answers that would change it.

No Django, no I/O, and no texts but a route's: this is the part of the engine cheap enough to work out again for
every alternative answer (the pivots here, the answers not given yet in unanswered.py), so it returns a Decision
to read, not a Recommendation to show; rules.recommend puts that together from these parts.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from decision.entries import APPROACHES, UNSURE, Approach, Constraint, Question, Route, RouteChoice, RouteId, Rule, Side
from decision.figures import FIGURE_INPUTS
from decision.frozen import Frozen
from decision.ruleset import Ruleset

Confidence = Literal["clear", "lean", "close"]
SIDES: tuple[Side, Side] = ("open", "closed")


class Pivot(Frozen):
    """One answer that, changed on its own, would change the verdict."""

    question: str
    value: str
    approach: Approach


class RouteOut(Frozen):
    """How an approach (or one side of a hybrid) is carried out."""

    approach: Side
    id: RouteId
    name: str
    text: str


def scores(ruleset: Ruleset, answers: Mapping[str, str]) -> dict[Approach, int]:
    return totals_of(rule for rule in ruleset.rules if rule.matches(answers))


def totals_of(matched: Iterable[Rule]) -> dict[Approach, int]:
    totals: dict[Approach, int] = dict.fromkeys(APPROACHES, 0)
    for rule in matched:
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
            if ruleset.routes_of_side[side] <= routes_out:
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


def route_for(
    ruleset: Ruleset, approach: Approach, side: Side, given: Mapping[str, str], ruled_out: frozenset[str]
) -> RouteOut:
    chosen, choice = route_choice(ruleset, approach, side, given, ruled_out)
    because = ruleset.filled(choice.because, given) if choice is not None else ""
    name, _ = chosen.words(given)
    return RouteOut(approach=side, id=chosen.id, name=name, text=f"{chosen.text} {because}".strip())


def route_choice(
    ruleset: Ruleset, approach: Approach, side: Side, given: Mapping[str, str], ruled_out: frozenset[str]
) -> tuple[Route, RouteChoice | None]:
    """The route a side of this verdict takes, and the choice that took it (None for the side's first route left)."""
    for choice in ruleset.route_choices:
        route = ruleset.routes_by_id[choice.route]
        if (
            route.approach == side
            and route.id not in ruled_out
            and (choice.only_for is None or choice.only_for == approach)
            and choice.matches(given)
        ):
            return route, choice
    return next(r for r in ruleset.routes if r.approach == side and r.id not in ruled_out), None


SIDES_OF: dict[Approach, tuple[Side, ...]] = {"hybrid": SIDES, "open": ("open",), "closed": ("closed",)}


def chosen_routes(ruleset: Ruleset, given: Mapping[str, str], decision: Decision) -> list[RouteOut]:
    if not ruleset.routes:
        return []
    given = ruleset.with_figures(given)
    return [
        route_for(ruleset, decision.approach, side, given, decision.routes_ruled_out)
        for side in SIDES_OF[decision.approach]
    ]


def route_ids(ruleset: Ruleset, given: Mapping[str, str], decision: Decision) -> list[str]:
    """The ids of chosen_routes, without the texts: for answers that already carry their figures."""
    if not ruleset.routes:
        return []
    return [
        route_choice(ruleset, decision.approach, side, given, decision.routes_ruled_out)[0].id
        for side in SIDES_OF[decision.approach]
    ]


class Alternatives:
    """The answers weighed once, so that each single change of an answer re-weighs only the rules and constraints
    that look at its question: the verdict of every alternative answer, for pivots() and for the answers not
    given yet (unanswered.py), which look at the same alternatives (each question's are worked out once, when
    first asked for). Property tests check these against deciding every alternative from scratch."""

    def __init__(self, ruleset: Ruleset, given: Mapping[str, str]) -> None:
        self.ruleset = ruleset
        self.given = ruleset.with_figures(given)
        self.rules = [rule for rule in ruleset.rules if rule.matches(self.given)]  # in the ruleset's order
        self.constraints = [c for c in ruleset.constraints if c.matches(self.given)]
        self.scores = totals_of(self.rules)
        self.decision = _decision(ruleset, dict(self.scores), *ruled_out_by(self.constraints))
        self._matched = {rule.id for rule in self.rules}
        self._by_question: dict[str, list[tuple[str, dict[str, str], Decision]]] = {}

    def of(self, question: Question) -> list[tuple[str, dict[str, str], Decision]]:
        """Each definite answer to this question other than the one given, with the answers it makes (their
        figures worked out again) and their verdict, in the question's order."""
        if question.id not in self._by_question:
            self._by_question[question.id] = list(self._weigh(question))
        return self._by_question[question.id]

    def _weigh(self, question: Question) -> Iterator[tuple[str, dict[str, str], Decision]]:
        ruleset, given = self.ruleset, self.given
        rules = ruleset.rules_by_question[question.id]
        without = dict(self.scores)
        for rule in rules:
            if rule.id in self._matched:
                without[rule.favours] -= rule.weight
        moving = ruleset.constraints_by_question[question.id]
        fixed_out, fixed_routes = ruled_out_by(c for c in self.constraints if not c.looks_at(question.id))
        figures = question.id in FIGURE_INPUTS  # the only answers the figures follow
        for value in question.values:
            if value in (given[question.id], UNSURE):
                continue
            changed = {**given, question.id: value}
            if figures:
                changed = ruleset.with_figures(changed)
            totals = dict(without)
            for rule in rules:
                if rule.matches(changed):
                    totals[rule.favours] += rule.weight
            ruled_out, routes_out = ruled_out_by(c for c in moving if c.matches(changed))
            yield value, changed, _decision(ruleset, totals, ruled_out | fixed_out, routes_out | fixed_routes)

    def rules_with(self, question: Question, changed: Mapping[str, str]) -> list[Rule]:
        """The rules that answers with this question's answer changed match (not in the ruleset's order)."""
        kept = [rule for rule in self.rules if not rule.looks_at(question.id)]
        return kept + [rule for rule in self.ruleset.rules_by_question[question.id] if rule.matches(changed)]


def pivots(
    ruleset: Ruleset, given: Mapping[str, str], approach: Approach, weighed: Alternatives | None = None
) -> list[Pivot]:
    """Every single change of an answer to another definite answer that gives a different verdict."""
    weighed = weighed or Alternatives(ruleset, given)
    return [
        Pivot(question=question.id, value=value, approach=other.approach)
        for question in ruleset.questions
        for value, _, other in weighed.of(question)
        if other.approach != approach
    ]
