"""What each page shows, worked out from a ruleset and answers (or a stored result): no request, no response.

The views parse the request and choose the page; the contexts their templates need are put together here,
so that views stay thin and these stay testable one floor down.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from decision import ruleset as rulesets
from decision import wizard
from decision.models import Result
from decision.ruleset import Ruleset, Section


def step_url(ruleset: Ruleset, section: Section, given: dict[str, str], **extra: str) -> str:
    url = reverse("step", args=[section.id])
    query = wizard.query(ruleset, given, **extra)
    return f"{url}?{query}" if query else url


def check_url(ruleset: Ruleset, given: dict[str, str]) -> str:
    return f"{reverse('check')}?{wizard.query(ruleset, given)}"


def summary(ruleset: Ruleset, given: dict[str, str]) -> dict[str, Any]:
    """The answers grouped by section, each with its label, for the result page."""
    groups = []
    for section in ruleset.sections:
        rows = []
        for question in ruleset.questions_by_section[section.id]:
            value = given.get(question.id, rulesets.UNSURE)
            rows.append({"question": question, "value": value, "label": question.label(value)})
        groups.append({"section": section, "rows": rows})
    return {"groups": groups}


def how_context(ruleset: Ruleset) -> dict[str, Any]:
    """Every question, option, constraint, rule, route and source of a ruleset: nothing is hidden."""
    sources = ruleset.sources_by_id

    def cites(ids: tuple[str, ...]) -> list[rulesets.Source]:
        return [sources[source_id] for source_id in ids]

    def conditions(when: dict[str, tuple[str, ...]]) -> list[dict[str, Any]]:
        return [
            {
                "question": ruleset.questions_by_id[qid],
                "labels": [ruleset.questions_by_id[qid].label(v) for v in values],
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
                    {"rule": rule, "sources": cites(rule.sources)}
                    for rule in ruleset.rules_by_question[question.id]
                    if len(rule.when) == 1 and option.value in rule.when[question.id]
                ]
                musts = [
                    {"constraint": constraint, "sources": cites(constraint.sources)}
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
        if len(rule.when) > 1
    ]
    constraints = [
        {"constraint": c, "conditions": conditions(c.when), "sources": cites(c.sources)}
        for c in ruleset.constraints
        if len(c.when) > 1
    ]
    conflicts = [{"conflict": c, "conditions": conditions(c.when)} for c in ruleset.conflicts]
    routes = [{"route": route, "sources": cites(route.sources)} for route in ruleset.routes]
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
        "conflicts": conflicts,
        "routes": routes,
        "route_order": route_order,
        "caveats": caveats,
        "sources": [{"source": source, "cited_by": cited_by[source.id]} for source in ruleset.sources],
        "max_weight": rulesets.MAX_WEIGHT,
    }
    return context


def result_context(ruleset: Ruleset, result: Result, share_url: str) -> dict[str, Any]:
    """What a stored result's page shows, from the snapshot it stored and the ruleset it was made with."""
    recommendation = result.recommendation
    scores = recommendation["scores"]
    top = max(max(scores.values()), 1)
    bars = [
        {
            "approach": approach,
            "name": ruleset.approaches[approach].name,
            "score": scores[approach],
            "percent": round(100 * scores[approach] / top),
        }
        for approach in rulesets.APPROACHES
    ]
    questions = ruleset.questions_by_id
    grouped = [
        {
            "approach": approach,
            "name": ruleset.approaches[approach].name,
            "reasons": [
                {
                    **reason,
                    "basis": [
                        {"question": questions[qid].text, "answer": questions[qid].label(reason["answers"][qid])}
                        for qid in answer_order(ruleset, reason)
                    ],
                }
                for reason in recommendation["reasons"]
                if reason["favours"] == approach
            ],
        }
        for approach in sorted(ruleset.tie_break.order, key=lambda a: -scores[a])  # stable: ties in tie-break order
    ]
    ruled_out = {entry["approach"] for entry in recommendation.get("excluded", [])}
    for bar in bars:
        bar["ruled_out"] = bar["approach"] in ruled_out
    pivots = [
        {
            "question": questions[pivot["question"]],
            "label": questions[pivot["question"]].label(pivot["value"]),
            "approach": ruleset.approaches[pivot["approach"]].name,
            "unanswered": result.answers.get(pivot["question"], rulesets.UNSURE) == rulesets.UNSURE,
        }
        for pivot in recommendation["pivots"]
    ]
    context = {
        "result": result,
        "ruleset": ruleset,
        "rec": recommendation,
        "approach": ruleset.approaches[recommendation["approach"]],
        "staged": ruleset.in_stages,
        "sides": [
            {
                "approach": route["approach"],
                "route": route,
                "placements": recommendation["placements"][route["approach"]],
            }
            for route in recommendation.get("routes", [])
        ],
        "route_phrase": route_phrase(ruleset, recommendation),
        "tie_reason": ruleset.tie_break.reasons.get(recommendation["approach"], ""),
        "ask_next": [
            {
                "question": questions[qid],
                "url": step_url(ruleset, section_of(ruleset, qid), result.answers, **{"return": "check"}) + f"#q-{qid}",
            }
            for qid in recommendation.get("ask_next", [])
        ],
        "sources": cited_sources(ruleset, recommendation),
        "bars": bars,
        "grouped": grouped,
        "questions": questions,
        "pivots": pivots,
        # Questions the team was not sure of that could still change the verdict (v2 says so at the verdict).
        "unsure_pivots": list(dict.fromkeys(p["question"].text for p in pivots if p["unanswered"]))
        if ruleset.in_stages
        else [],
        "share_url": share_url,
        "change_url": check_url(ruleset, result.answers),
        **summary(ruleset, result.answers),
    }
    return context


def answer_order(ruleset: Ruleset, reason: dict[str, Any]) -> list[str]:
    """The questions behind a reason in its rule's own order: PostgreSQL's jsonb does not keep a stored
    object's key order, so the stored order cannot be trusted to read the same on every database."""
    rule = next((rule for rule in ruleset.rules if rule.id == reason["rule"]), None)
    if rule is None or set(rule.when) != set(reason["answers"]):
        return sorted(reason["answers"])
    return list(rule.when)


def route_phrase(ruleset: Ruleset, recommendation: dict[str, Any]) -> str:
    """How the verdict is carried out, to follow its headline: "on GPUs you rent and run"."""
    phrases = {
        route["approach"]: ruleset.routes_by_id[route["id"]].phrase for route in recommendation.get("routes", [])
    }
    if len(phrases) == 2:
        return f": the open side {phrases['open']}, the closed side {phrases['closed']}"
    return f", {phrases[next(iter(phrases))]}" if phrases else ""


def section_of(ruleset: Ruleset, question_id: str) -> Section:
    section_id = ruleset.questions_by_id[question_id].section
    return next(section for section in ruleset.sections if section.id == section_id)


def cited_sources(ruleset: Ruleset, recommendation: dict[str, Any]) -> list[rulesets.Source]:
    """The sources behind everything this result says: its reasons, exclusions, routes and caveats."""
    cited: list[str] = []
    for entry in (*recommendation["reasons"], *recommendation.get("excluded", [])):
        cited += entry.get("sources", [])
    for route in recommendation.get("routes", []):
        cited += ruleset.routes_by_id[route["id"]].sources
    caveats = set(recommendation["caveats"])
    cited += [source for caveat in ruleset.caveats if caveat.text in caveats for source in caveat.sources]
    return [ruleset.sources_by_id[source_id] for source_id in dict.fromkeys(cited)]
