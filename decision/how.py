"""What "How it decides" shows: every question, option, must, rule, conflict, route, warning and source of a
ruleset, each with what it cites, so that nothing the engine weighs is hidden. Pure: no request, no response."""

from __future__ import annotations

from typing import Any

from decision import entries
from decision.ruleset import Ruleset


def how_context(ruleset: Ruleset) -> dict[str, Any]:
    """Every question, option, constraint, rule, route and source of a ruleset: nothing is hidden."""
    ruleset = ruleset.as_written()
    sources = ruleset.sources_by_id

    def cites(ids: tuple[str, ...]) -> list[entries.Source]:
        return [sources[source_id] for source_id in ids]

    def conditions(when: dict[str, tuple[str, ...]]) -> list[dict[str, Any]]:
        return [
            {
                "question": ruleset.named(qid),
                "labels": [ruleset.named(qid).label(v) for v in values],
            }
            for qid, values in when.items()
        ]

    sections = []
    for section in ruleset.sections:
        questions = []
        for question in ruleset.questions_by_section[section.id]:
            options = []
            for option in question.options:
                own = [
                    {"rule": rule, "sources": cites(rule.sources), "guards": conditions(entries.guards(rule.when))}
                    for rule in ruleset.rules_by_question[question.id]
                    if (found := entries.own_condition(rule.when))
                    and found[0] == question.id
                    and option.value in found[1]
                ]
                musts = [
                    {
                        "constraint": constraint,
                        "sources": cites(constraint.sources),
                        "out": ruleset.approaches[constraint.rules_out].name
                        if constraint.rules_out
                        else ruleset.routes_by_id[constraint.route].name
                        if constraint.route
                        else "",
                    }
                    for constraint in ruleset.constraints
                    if list(constraint.when) == [question.id] and option.value in constraint.when[question.id]
                ]
                neutral = next(
                    (n for n in ruleset.neutral if (n.question, n.value) == (question.id, option.value)), None
                )
                options.append(
                    {
                        "option": option,
                        "rules": own,
                        "constraints": musts,
                        "neutral": neutral.note if neutral else "",
                        "neutral_sources": cites(neutral.sources) if neutral else [],
                    }
                )
            questions.append({"question": question, "options": options})
        sections.append({"section": section, "questions": questions})
    combined = [
        {"rule": rule, "conditions": conditions(rule.when), "sources": cites(rule.sources)}
        for rule in ruleset.rules
        if (single := entries.own_condition(rule.when)) is None or single[0] not in ruleset.questions_by_id
    ]
    constraints = [
        {"constraint": c, "conditions": conditions(c.when), "sources": cites(c.sources)}
        for c in ruleset.constraints
        if len(c.when) > 1 or next(iter(c.when)) not in ruleset.questions_by_id
    ]
    conflicts: dict[str, dict[str, Any]] = {}  # a conflict written with any_of is one entry with its cases
    for c in ruleset.conflicts:
        route = ruleset.routes_by_id[c.route].name if c.route else ""
        entry = conflicts.setdefault(c.id, {"conflict": c, "cases": [], "sources": cites(c.sources), "route": route})
        entry["cases"].append(conditions(c.when))
    routes = [
        {
            "route": route,
            "sources": cites(route.sources),
            "variants": [(words, conditions(words.when)) for words in route.variants],
        }
        for route in ruleset.routes
    ]
    route_order = [
        {
            "name": ruleset.approaches[side].name,
            "choices": [
                {"choice": c, "route": ruleset.routes_by_id[c.route], "conditions": conditions(c.when)}
                for c in ruleset.route_choices
                if ruleset.routes_by_id[c.route].approach == side
            ],
        }
        for side in ("open", "closed")
    ]
    caveats = [
        {
            "caveat": caveat,
            "anchor": f"caveat-{n}",
            "conditions": conditions(caveat.when),
            "sources": cites(caveat.sources),
        }
        for n, caveat in enumerate(ruleset.caveats, start=1)
    ]
    citing = [
        *((rule.id, f"rule-{rule.id}", rule.sources) for rule in ruleset.rules),
        *((c.id, f"rule-{c.id}", c.sources) for c in ruleset.constraints),
        *((c.id, f"rule-{c.id}", c.sources) for c in {c.id: c for c in ruleset.conflicts}.values()),
        *((route.id, f"route-{route.id}", route.sources) for route in ruleset.routes),
        *((f"warning {n}", f"caveat-{n}", c.sources) for n, c in enumerate(ruleset.caveats, start=1)),
        *((f"{n.question}: {n.value}", f"neutral-{n.question}-{n.value}", n.sources) for n in ruleset.neutral),
    ]
    cited_by: dict[str, list[dict[str, str]]] = {source.id: [] for source in ruleset.sources}
    for label, anchor, ids in citing:
        for source_id in ids:
            cited_by[source_id].append({"label": label, "anchor": anchor})
    context = {
        "ruleset": ruleset,
        "sections": sections,
        "combined": combined,
        "constraints": constraints,
        "conflicts": list(conflicts.values()),
        "routes": routes,
        "route_order": route_order,
        "caveats": caveats,
        "sources": [{"source": source, "cited_by": cited_by[source.id]} for source in ruleset.sources],
        "max_weight": entries.MAX_WEIGHT,
        "unsure_questions": [ruleset.questions_by_id[q].text for q in ruleset.confidence.lean_when_unsure_of],
    }
    return context
