"""A result as it is kept: its recommendation, and every text of the ruleset its page, JSON, card and decision
record show, copied at creation. A stored result reads as it did when it was made, whatever the ruleset files
say later, so a wording fix that moves no verdict is made in place, and an old version's file is needed only
to carry answers forward.

No Django, no I/O: `shown` is worked out from a ruleset and a recommendation; `Snapshot` is what a stored
result loads into, read by attribute everywhere (pages, exports, cards, the API).
"""

from __future__ import annotations

import datetime
from functools import cached_property

from decision import market_copy, rules, verdict
from decision.catalogue import Catalogue
from decision.entries import Approach, Confidence, RouteId, Section, Side, Source, TieBreak
from decision.figures import asked
from decision.frozen import Frozen as Kept
from decision.kept_texts import ShownApproach, ShownQuestion, ShownRoute
from decision.ruleset import Ruleset


class Shown(Kept):
    """The ruleset's texts that one result shows, as they read when it was made (names match the ruleset's, so
    a page reads either the same way)."""

    version: str
    date: str
    in_stages: bool
    confidence: Confidence
    tie_break: TieBreak
    approaches: dict[Approach, ShownApproach]
    sections: tuple[Section, ...]
    questions: tuple[ShownQuestion, ...]
    # Each reason's rule: its one-sentence brief (v3 on) and its questions in the rule's own order (PostgreSQL's
    # jsonb does not keep a stored object's key order).
    briefs: dict[str, str] = {}
    reason_questions: dict[str, tuple[str, ...]] = {}
    routes: dict[RouteId, ShownRoute] = {}
    # For the decision record: how each approach that was not ruled out would be carried out.
    options: dict[Approach, tuple[RouteId, ...]] = {}
    sources: tuple[Source, ...] = ()  # everything the result cites, in order
    # The market catalogue's figures as they stood when the result was made, with its date: the result's cost
    # estimates are worked out from these, so its figures never change with the catalogue.
    market: market_copy.Market | None = None
    # The most each budget answer spends a month, for saying when a route's cost passes it (v5 on).
    budget_ceilings: dict[str, int] = {}
    # Each approach a must ruled out, with that must in a few plain words ("restricted data"; v5 on).
    musts: dict[Approach, str] = {}
    # A result a group saved from a comparison: each question their answers differed on, with each person's
    # label and answer (labels only, never their results' links), in the order they were compared: pairs, not an
    # object, since PostgreSQL's jsonb does not keep an object's key order.
    group: dict[str, tuple[tuple[str, str], ...]] = {}

    @cached_property
    def questions_by_id(self) -> dict[str, ShownQuestion]:
        return {question.id: question for question in self.questions}

    @cached_property
    def questions_by_section(self) -> dict[str, tuple[ShownQuestion, ...]]:
        return {section.id: tuple(q for q in self.questions if q.section == section.id) for section in self.sections}


class Snapshot(Kept):
    """A stored result, typed."""

    id: str
    answers: dict[str, str]
    ruleset_version: str
    recommendation: rules.Recommendation
    shown: Shown
    created_at: datetime.datetime


SIDES_OF: dict[Approach, tuple[Side, ...]] = {"open": ("open",), "closed": ("closed",), "hybrid": ("open", "closed")}


def shown(
    ruleset: Ruleset,
    recommendation: rules.Recommendation,
    answers: dict[str, str],
    market: Catalogue | None = None,
) -> Shown:
    """What a result made with this ruleset shows besides its recommendation, from the ruleset as it is now, with
    the market catalogue's prices when there is one to show (results made before it had none)."""
    excluded = {entry.approach for entry in recommendation.excluded}
    ruled_out_routes = frozenset(entry.route for entry in recommendation.excluded_routes)
    options = {
        approach: tuple(
            verdict.route_choice(ruleset, approach, side, answers, ruled_out_routes)[0].id
            for side in SIDES_OF[approach]
        )
        for approach in ruleset.tie_break.order
        if ruleset.routes and approach not in excluded
    }
    route_ids = dict.fromkeys([*(r.id for r in recommendation.routes), *(i for ids in options.values() for i in ids)])
    by_rule = ruleset.rules_by_id
    reasons = [r for r in recommendation.reasons if r.rule in by_rule]
    return Shown(
        version=ruleset.version,
        date=ruleset.date,
        in_stages=ruleset.in_stages,
        confidence=ruleset.confidence,
        tie_break=ruleset.tie_break,
        approaches=ruleset.kept_approaches,
        sections=ruleset.sections,
        questions=ruleset.kept_questions,
        briefs={r.rule: by_rule[r.rule].brief for r in reasons if by_rule[r.rule].brief},
        reason_questions={r.rule: tuple(asked(by_rule[r.rule].when)) for r in reasons},
        routes={i: ShownRoute(phrase=ruleset.routes_by_id[i].words(answers)[1]) for i in route_ids},
        options=options,
        sources=cited_sources(ruleset, recommendation),
        market=market.kept if market else None,
        budget_ceilings=dict(ruleset.figures.budget_ceilings) if ruleset.figures else {},
        musts=musts_named(ruleset, recommendation),
    )


def musts_named(ruleset: Ruleset, recommendation: rules.Recommendation) -> dict[Approach, str]:
    """Each excluded approach with the name of the must that ruled it out, when every one has a name."""
    names = {c.text: c.name for c in ruleset.constraints if c.rules_out is not None}
    found = {entry.approach: names.get(entry.text, "") for entry in recommendation.excluded}
    return found if all(found.values()) else {}


def cited_sources(ruleset: Ruleset, recommendation: rules.Recommendation) -> tuple[Source, ...]:
    """The sources behind everything a result says: its reasons, exclusions, conflicts, routes and caveats."""
    cited: list[str] = []
    for reason in recommendation.reasons:
        cited += reason.sources
    for exclusion in recommendation.excluded:
        cited += exclusion.sources
    for conflict in recommendation.conflicts:
        cited += conflict.sources
    for route in recommendation.routes:
        cited += ruleset.routes_by_id[route.id].sources
    caveats = set(recommendation.caveats)
    cited += [source for caveat in ruleset.caveats if caveat.text in caveats for source in caveat.sources]
    return tuple(ruleset.sources_by_id[source_id] for source_id in dict.fromkeys(cited))
