"""What each page shows, worked out from a ruleset and answers (or a stored result): no request, no response.

The views parse the request and choose the page; the contexts their templates need are put together here,
so that views stay thin and these stay testable one floor down. How the verdict itself is said (its heading,
standing and top reasons, and the brief as plain text) is in brief.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

from decision import money, rules, snapshot, wizard
from decision import ruleset as rulesets
from decision.brief import fix_line, headline, in_words, plain_summary, route_phrase, standing, top_reasons, verdict_of
from decision.catalogue import Catalogue
from decision.entries import APPROACHES, UNSURE, Question, Section
from decision.rules import Recommendation
from decision.ruleset import Ruleset
from decision.snapshot import Shown, Snapshot


def question_url(ruleset: Ruleset | Shown, question: Question | str, given: dict[str, str], **extra: str) -> str:
    """The page of one question, with the answers given so far."""
    url = reverse("question", args=[question if isinstance(question, str) else question.id])
    query = wizard.query(ruleset, given, **extra)
    return f"{url}?{query}" if query else url


def check_url(ruleset: Ruleset | Shown, given: dict[str, str], **extra: str) -> str:
    return f"{reverse('check')}?{wizard.query(ruleset, given, **extra)}"


def summary(ruleset: Ruleset | Shown, given: dict[str, str]) -> dict[str, Any]:
    """The answers grouped by section, each with its label, for the result page."""
    groups = []
    for section in ruleset.sections:
        rows = []
        for question in ruleset.questions_by_section[section.id]:
            value = given.get(question.id, UNSURE)
            rows.append({"question": question, "value": value, "label": question.label(value)})
        groups.append({"section": section, "rows": rows})
    return {"groups": groups}


def result_context(result: Snapshot, share_url: str, typed: money.Typed | None = None) -> dict[str, Any]:
    """What a stored result's page shows, from what it kept when it was made, and in one line what today's
    rules would say when they are newer."""
    context = recommendation_context(
        result.shown, result.answers, result.recommendation, origin_id=result.id, typed=typed
    )
    context.update(result=result, share_url=share_url, today=today(result))
    context.update(cost_form_action=reverse("result", args=[result.id]), cost_form_hidden=[])
    context["summary_text"] = plain_summary(context, share_url)
    return context


def preview_context(
    ruleset: Ruleset,
    answers: dict[str, str],
    recommendation: Recommendation,
    origin: Snapshot | None,
    url: str,
    market: Catalogue | None = None,
    typed: money.Typed | None = None,
) -> dict[str, Any]:
    """A result computed from answers in an address and not stored, set against the stored result it came from."""
    shown = snapshot.shown(ruleset, recommendation, answers, market)
    context = recommendation_context(shown, answers, recommendation, origin_id=origin.id if origin else "", typed=typed)
    changes = []
    if origin is not None:
        for question in ruleset.questions:
            before = origin.answers.get(question.id, UNSURE)
            after = answers.get(question.id, UNSURE)
            if before != after:
                changes.append({"question": question, "before": question.label(before), "after": question.label(after)})
        context["origin_verdict"] = verdict_of(origin.shown, origin.recommendation)
        context["back_anchor"] = back_anchor(origin, changes)
    context.update(preview=True, origin=origin, changes=changes, preview_url=url, given=answers)
    hidden = [(q.id, answers[q.id]) for q in ruleset.questions if q.id in answers]
    context.update(
        cost_form_action=reverse("preview"), cost_form_hidden=hidden + ([("from", origin.id)] if origin else [])
    )
    context["summary_text"] = plain_summary(context, url)
    return context


def back_anchor(origin: Snapshot, changes: list[dict[str, Any]]) -> str:
    """Where on the result a preview came from, so that "Back to the result" returns there: the line of the
    answer it changed, among those the team was not sure of or in "What would change it"; else the top."""
    if not changes:
        return ""
    question = changes[0]["question"].id
    if origin.shown.confidence.name_unknowns and any(u.question == question for u in origin.recommendation.unknowns):
        return f"unsure-{question}"
    if any(pivot.question == question for pivot in origin.recommendation.pivots):
        return f"change-{question}"
    return ""


def recommendation_context(
    shown: Shown, answers: dict[str, str], rec: Recommendation, origin_id: str, typed: money.Typed | None = None
) -> dict[str, Any]:
    """Everything a result page shows that follows from the answers and their recommendation."""
    scores = rec.scores
    top = max(max(scores.values()), 1)
    ruled_out = {entry.approach for entry in rec.excluded}
    bars = [
        {
            "approach": approach,
            "name": shown.approaches[approach].name,
            "score": scores[approach],
            "percent": round(100 * scores[approach] / top),
            "ruled_out": approach in ruled_out,
        }
        for approach in APPROACHES
    ]
    questions = shown.questions_by_id
    grouped = [
        {
            "approach": approach,
            "name": shown.approaches[approach].name,
            "reasons": [
                {
                    **reason.model_dump(),
                    "basis": [
                        {"question": questions[qid].text, "answer": questions[qid].label(reason.answers[qid])}
                        for qid in answer_order(shown, reason)
                    ],
                }
                for reason in rec.reasons
                if reason.favours == approach
            ],
        }
        for approach in sorted(shown.tie_break.order, key=lambda a: -scores[a])  # stable: ties in tie-break order
    ]
    changed_url = changed_urls(shown, answers, origin_id)
    pivots: list[dict[str, Any]] = [
        {
            "question": questions[pivot.question],
            "value": pivot.value,
            "label": questions[pivot.question].label(pivot.value),
            "approach": shown.approaches[pivot.approach].name,
            "unanswered": answers.get(pivot.question, UNSURE) == UNSURE,
            "url": changed_url(pivot.question, pivot.value),
        }
        for pivot in rec.pivots
    ]
    unknowns: dict[str, dict[str, Any]] = {}  # v4 on: the answers not given yet that would change something
    for unknown in rec.unknowns:
        question = questions[unknown.question]
        group = unknowns.setdefault(question.id, {"question": question, "tries": [], "weight": len(EFFECTS)})
        group["weight"] = min(group["weight"], *(list(EFFECTS).index(effect) for effect in unknown.effects))
        group["tries"].append(
            {
                "label": question.label(unknown.value),
                "effects": in_words([EFFECTS[effect] for effect in unknown.effects]),
                "url": changed_url(question.id, unknown.value),
            }
        )
    pivot_groups: dict[str, dict[str, Any]] = {}
    for pivot in pivots:
        group = pivot_groups.setdefault(
            pivot["question"].id, {"question": pivot["question"], "unanswered": pivot["unanswered"], "tries": []}
        )
        group["tries"].append(pivot)
    approach = shown.approaches[rec.approach]
    context = {
        "ruleset": shown,
        "rec": rec,
        "approach": approach,
        "staged": shown.in_stages,
        "verdict": f"{approach.name}{route_phrase(shown, rec)}",
        "headline": headline(shown, rec),
        # A call on a third or more of the answers unsure says how few it rests on, where it is headed.
        "few_answers": shown.in_stages and rec.answered * 3 < len(shown.questions) * 2,
        "standing": standing(shown, rec, answers),
        "top_reasons": top_reasons(shown, rec),
        # Beside a hybrid, "closed alone": the hybrid still has a closed side (and an open one).
        "ruled_out": [
            {
                "name": shown.approaches[a].name,
                "said": shown.approaches[a].name.lower() + (" alone" if rec.approach == "hybrid" else ""),
                "score": scores[a],
            }
            for a in APPROACHES
            if a in ruled_out
        ],
        "musts": list(
            dict.fromkeys(
                (questions[qid].text, questions[qid].label(answers.get(qid, UNSURE)))
                for entry in rec.excluded
                for qid in entry.questions
            )
        ),
        # v5 on: the musts in plain words ("Restricted data rules out closed…"), when every exclusion names its own.
        "musts_named": list(dict.fromkeys(shown.musts[e.approach] for e in rec.excluded if e.approach in shown.musts))
        if shown.musts
        else [],
        "conflicts_first": [{"text": c.text, "fix": fix_line(c.resolve)} for c in rec.conflicts[:3]],
        "fixes_cut": any(fix_line(c.resolve) != c.resolve for c in rec.conflicts[:3]),
        "conflicts_more": len(rec.conflicts[3:]),
        "all_level": len(set(scores.values())) == 1,
        "caveats_first": rec.caveats[:2],
        "caveats_more": rec.caveats[2:],
        "sides": [
            {"approach": route.approach, "route": route, "placements": rec.placements[route.approach]}
            for route in rec.routes
        ],
        "route_phrase": route_phrase(shown, rec),
        "tie_reason": shown.tie_break.reasons.get(rec.approach, ""),
        "ask_next": [
            {
                "question": questions[qid],
                "url": question_url(shown, qid, answers, **{"return": "check"}),
            }
            for qid in rec.ask_next
        ],
        "sources": shown.sources,
        "bars": bars,
        "grouped": grouped,
        "questions": questions,
        "pivots": pivots,
        **pivot_folds(shown, list(pivot_groups.values())),
        # Questions the team was not sure of that could still change the verdict (v2 says so at the verdict).
        "unsure_pivots": list(dict.fromkeys(p["question"].text for p in pivots if p["unanswered"]))
        if shown.in_stages
        else [],
        # The unknowns that could change most first (the verdict, then a conflict...), three in the brief.
        "unknowns": (named := sorted(unknowns.values(), key=lambda group: group["weight"]))[:3],
        "unknowns_more": named[3:],
        "change_url": check_url(shown, answers),
        **summary(shown, answers),
        **money.cost_context(shown, answers, rec, typed or money.Typed()),
    }
    return context


def pivot_folds(shown: Shown, groups: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The questions whose change would change the verdict: three shown, the rest folded. From v4 on the brief
    names the answers you were not sure of, so only changes to answers you gave are shown, and those it names
    are folded rather than said twice."""
    if not shown.confidence.name_unknowns:
        return {"pivot_groups_first": groups[:3], "pivot_groups_more": groups[3:]}
    given = [group for group in groups if not group["unanswered"]]
    return {
        "pivot_groups_first": given[:3],
        "pivot_groups_more": given[3:] + [group for group in groups if group["unanswered"]],
    }


def today(result: Snapshot) -> dict[str, Any] | None:
    """What the current rules answer for a result's answers, when it was made with older ones; None when not."""
    current = rulesets.current()
    if result.ruleset_version == current.version:
        return None
    answers, _ = wizard.carry_over(current, result.answers)
    recommendation = rules.recommend(current, answers)
    return {
        "version": current.version,
        "recommendation": recommendation,
        "verdict": verdict_of(snapshot.shown(current, recommendation, answers), recommendation),
        "same": recommendation.approach == result.recommendation.approach
        and not recommendation.uncertain
        and not result.recommendation.uncertain,
        "url": preview_url(current, answers, result.id),
    }


def preview_url(ruleset: Ruleset | Shown, answers: dict[str, str], origin_id: str = "", group: str = "") -> str:
    """A preview of these answers: set against the result it came from, or, from a comparison, carrying its
    colleagues (compare.group_param) back to it and into a result saved from it."""
    return f"{reverse('preview')}?{wizard.query(ruleset, answers, **{'from': origin_id, 'group': group})}"


def changed_urls(ruleset: Ruleset | Shown, answers: dict[str, str], origin_id: str = "") -> Callable[[str, str], str]:
    """preview_url for these answers with one of them changed, for each of the links a result has to try another
    answer: the query is written once and each link rewrites one answer's part of it (writing it all again for
    each link was half the work of a result page's context). A test checks it against preview_url."""
    address = reverse("preview")
    parts = {q.id: urlencode([(q.id, answers[q.id])]) if q.id in answers else "" for q in ruleset.questions}
    origin = urlencode([("from", origin_id)]) if origin_id else ""

    def changed_url(question_id: str, value: str) -> str:
        changed = {**parts, question_id: urlencode([(question_id, value)])} if question_id in parts else parts
        return f"{address}?{'&'.join(part for part in (*changed.values(), origin) if part)}"

    return changed_url


EFFECTS = {
    "verdict": "change the verdict",
    "conflict": "add a conflict",
    "rules_out": "rule an approach or a route out",
    "route": "change the route",
    "confidence": "lower the confidence",
}


def answer_order(shown: Shown, reason: rules.Reason) -> list[str]:
    """The questions behind a reason in its rule's own order: PostgreSQL's jsonb does not keep a stored
    object's key order, so the stored order cannot be trusted to read the same on every database."""
    order = shown.reason_questions.get(reason.rule, ())
    if set(order) != set(reason.answers):
        return sorted(reason.answers)
    return list(order)


def section_of(shown: Ruleset | Shown, question_id: str) -> Section:
    section_id = shown.questions_by_id[question_id].section
    return next(section for section in shown.sections if section.id == section_id)
