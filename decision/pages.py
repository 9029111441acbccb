"""What each page shows, worked out from a ruleset and answers (or a stored result): no request, no response.

The views parse the request and choose the page; the contexts their templates need are put together here,
so that views stay thin and these stay testable one floor down.
"""

from __future__ import annotations

import re
from typing import Any

from django.urls import reverse

from decision import money, rules, snapshot, wizard
from decision import ruleset as rulesets
from decision.catalogue import Catalogue
from decision.rules import Recommendation
from decision.ruleset import Question, Ruleset, Section
from decision.snapshot import Shown, Snapshot


def question_url(ruleset: Ruleset | Shown, question: Question | str, given: dict[str, str], **extra: str) -> str:
    """The page of one question, with the answers given so far."""
    url = reverse("question", args=[question if isinstance(question, str) else question.id])
    query = wizard.query(ruleset, given, **extra)
    return f"{url}?{query}" if query else url


def check_url(ruleset: Ruleset | Shown, given: dict[str, str]) -> str:
    return f"{reverse('check')}?{wizard.query(ruleset, given)}"


def summary(ruleset: Ruleset | Shown, given: dict[str, str]) -> dict[str, Any]:
    """The answers grouped by section, each with its label, for the result page."""
    groups = []
    for section in ruleset.sections:
        rows = []
        for question in ruleset.questions_by_section[section.id]:
            value = given.get(question.id, rulesets.UNSURE)
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
            before = origin.answers.get(question.id, rulesets.UNSURE)
            after = answers.get(question.id, rulesets.UNSURE)
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


def verdict_of(shown: Shown, recommendation: Recommendation) -> str:
    """The verdict and its route in a few words: "Open, on GPUs you rent and run"."""
    if recommendation.uncertain and shown.in_stages:
        return "too uncertain to call"
    return f"{shown.approaches[recommendation.approach].name}{route_phrase(shown, recommendation)}"


NUMBERS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def headline(shown: Shown, recommendation: Recommendation) -> str:
    """The verdict as a page or card heads it. While conflicts stand, the route they are about is not settled, and
    naming it would contradict an answer ("on GPUs you rent and run" to a team that will not run servers): the
    heading says what must happen first instead."""
    if not recommendation.conflicts or recommendation.uncertain:
        return verdict_of(shown, recommendation)
    count = len(recommendation.conflicts)
    number = NUMBERS[count] if count < len(NUMBERS) else str(count)
    name = shown.approaches[recommendation.approach].name
    return f"{name}, if you can resolve {'a conflict' if count == 1 else f'{number} conflicts'} first"


def fix_line(resolve: str) -> str:
    """A conflict's fix in one line: what it says to resolve, to the end of its first clause, without asides in
    brackets ("Decide where the model will run before choosing one: …" gives "Decide where the model will run
    before choosing one."). The result's section on conflicts keeps the whole of it."""
    line = re.sub(r" \([^()]*\)", "", resolve)
    end = min((i for i in (line.find(". "), line.find(": "), line.find("; ")) if i != -1), default=-1)
    line = line if end == -1 else line[:end]
    return line.rstrip(".") + "."


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
        for approach in rulesets.APPROACHES
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
    pivots: list[dict[str, Any]] = [
        {
            "question": questions[pivot.question],
            "value": pivot.value,
            "label": questions[pivot.question].label(pivot.value),
            "approach": shown.approaches[pivot.approach].name,
            "unanswered": answers.get(pivot.question, rulesets.UNSURE) == rulesets.UNSURE,
            "url": preview_url(shown, {**answers, pivot.question: pivot.value}, origin_id),
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
                "url": preview_url(shown, {**answers, question.id: unknown.value}, origin_id),
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
        "ruled_out": [
            {"name": shown.approaches[a].name, "score": scores[a]} for a in rulesets.APPROACHES if a in ruled_out
        ],
        "musts": list(
            dict.fromkeys(
                (questions[qid].text, questions[qid].label(answers.get(qid, rulesets.UNSURE)))
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


def preview_url(ruleset: Ruleset | Shown, answers: dict[str, str], origin_id: str = "") -> str:
    return f"{reverse('preview')}?{wizard.query(ruleset, answers, **{'from': origin_id})}"


def points(n: int) -> str:
    return f"{n} point{'' if n == 1 else 's'}"


UNKNOWN_HOLDS_IT = "not clear while an answer you were not sure of could change it"
EFFECTS = {
    "verdict": "change the verdict",
    "conflict": "add a conflict",
    "rules_out": "rule an approach or a route out",
    "route": "change the route",
    "confidence": "lower the confidence",
}


def in_words(items: list[str]) -> str:
    """ "a, b and c"; one item as it is; none, nothing."""
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def standing(shown: Shown, rec: Recommendation, answers: dict[str, str] | None = None) -> dict[str, str]:
    """The confidence in words, with the runner-up and the margin: "A lean" and "10 points to Open's 7"; from v4
    on, with how many answers were "I'm not sure", and which of the unknowns keeps it from being clear."""
    found = _standing(shown, rec)
    settings = shown.confidence
    if not settings.name_unknowns:
        return {**found, "unsure": ""}
    unsure = len(shown.questions) - rec.answered
    counted = f"with {unsure} of your {len(shown.questions)} answers not sure yet" if unsure else ""
    if found["why_not_clear"] == UNKNOWN_HOLDS_IT:  # v3's words; v4 can say which unknown holds the call back
        given = answers or {}
        unknown = {q.id for q in shown.questions if given.get(q.id, rulesets.UNSURE) == rulesets.UNSURE}
        effects = {effect for entry in rec.unknowns for effect in entry.effects}
        place = [q for q in settings.lean_when_unsure_of if q in unknown]
        could_change = "verdict" in effects or any(p.question in unknown for p in rec.pivots)
        if could_change:
            pass  # v3's words hold
        elif effects & {"conflict", "rules_out"}:
            found["why_not_clear"] = (
                "not clear while an answer you were not sure of could add a conflict or rule something out"
            )
        elif place:
            found["why_not_clear"] = f"not clear while you are not sure of “{shown.questions_by_id[place[0]].text}”"
        elif settings.lean_when_unsure is not None and unsure >= settings.lean_when_unsure:
            found["why_not_clear"] = "not clear while so many answers are not sure"
    return {**found, "unsure": counted}


def _standing(shown: Shown, rec: Recommendation) -> dict[str, str]:
    scores = rec.scores
    ours = scores[rec.approach]
    if rec.runner_up is None:
        label = (
            "The only approach left, if the conflicts below are resolved"
            if rec.conflicts
            else "The only approach your musts leave"
        )
        return {"label": label, "detail": "", "why_not_clear": ""}
    theirs = scores[rec.runner_up]
    ruled_out = {entry.approach for entry in rec.excluded}
    level = [  # the runner-up, and any other allowed approach on the same score: a three-way tie is said as one
        shown.approaches[a].name
        for a in shown.tie_break.order
        if a != rec.approach and a not in ruled_out and scores[a] == theirs
    ]
    names = " and ".join(level)
    if ours == theirs:
        detail = f"level with {names} at {points(ours)}"
    elif len(level) > 1:
        detail = f"{points(ours)} to {theirs} each for {names}"
    else:
        detail = f"{points(ours)} to {names}'s {theirs}"
    if rec.conflicts:  # whatever the margin, nothing can be carried out until the team can meet its musts
        below = "the conflict below is" if len(rec.conflicts) == 1 else "the conflicts below are"
        label = f"Not a call until {below} resolved"
        return {"label": label, "detail": detail, "why_not_clear": ""}
    label = {"clear": "A clear call", "lean": "A lean", "close": "A close call"}[rec.confidence]
    why_not_clear = ""
    if rec.confidence != "clear" and ours - theirs >= shown.confidence.clear_margin:
        strong = shown.confidence.strong_weight or 0
        if any(r.weight >= strong and r.favours != rec.approach for r in rec.reasons):
            why_not_clear = "not clear while a strong reason stands for another approach"
        else:
            why_not_clear = UNKNOWN_HOLDS_IT
    return {"label": label, "detail": detail, "why_not_clear": why_not_clear}


def top_reasons(shown: Shown, rec: Recommendation, count: int = 3) -> list[dict[str, str]]:
    """The reasons for the verdict that weigh most, each in one sentence where the ruleset has one (v3 on)."""
    own = [r for r in rec.reasons if r.favours == rec.approach]
    own.sort(key=lambda r: -r.weight)  # stable: equal weights keep the ruleset's order
    return [{"rule": r.rule, "text": shown.briefs.get(r.rule) or r.text, "reason": r.text} for r in own[:count]]


def plain_summary(context: dict[str, Any], link: str) -> str:
    """The brief as plain text, for a chat message or a document: verdict, confidence, reasons, steps, link."""
    rec: Recommendation = context["rec"]
    lines = ["Open, Closed or Hybrid?"]
    if context["staged"] and rec.uncertain:
        lines += ["Too uncertain to call: answer more questions first.", ""]
        lines += [f"- {item['question'].text}" for item in context["ask_next"]]
    else:
        standing_ = context["standing"]
        detail = f": {standing_['detail']}" if standing_["detail"] else ""
        lines += [f"{context['headline']}.", f"{standing_['label']}{detail}."]
        if context["ruled_out"]:
            names = " and ".join(f"{o['name'].lower()} ({points(o['score'])})" for o in context["ruled_out"])
            they = "they" if len(context["ruled_out"]) > 1 else "it"
            lines += [f"What you must have rules out {names}, whatever {they} scored."]
        if rec.conflicts:
            lines += ["", "Resolve first:"] + [f"- {c.text} To resolve it: {c.resolve}" for c in rec.conflicts]
        if context["top_reasons"]:
            lines += ["", "Why:"] + [f"- {r['text']}" for r in context["top_reasons"]]
        lines += ["", "First steps:"] + [f"{n}. {step}" for n, step in enumerate(rec.next_steps, start=1)]
    if context.get("preview"):
        lines += ["", f"A preview, not saved: {link}"]
    else:
        lines += ["", f"The full result: {link}"]
    return "\n".join(lines)


def answer_order(shown: Shown, reason: rules.Reason) -> list[str]:
    """The questions behind a reason in its rule's own order: PostgreSQL's jsonb does not keep a stored
    object's key order, so the stored order cannot be trusted to read the same on every database."""
    order = shown.reason_questions.get(reason.rule, ())
    if set(order) != set(reason.answers):
        return sorted(reason.answers)
    return list(order)


def route_phrase(shown: Shown, rec: Recommendation) -> str:
    """How the verdict is carried out, to follow its headline: "on GPUs you rent and run"."""
    phrases = {route.approach: shown.routes[route.id].phrase for route in rec.routes}
    if len(phrases) == 2:
        return f": the open side {phrases['open']}, the closed side {phrases['closed']}"
    return f", {phrases[next(iter(phrases))]}" if phrases else ""


def section_of(shown: Ruleset | Shown, question_id: str) -> Section:
    section_id = shown.questions_by_id[question_id].section
    return next(section for section in shown.sections if section.id == section_id)
