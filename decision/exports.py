"""A result as it goes out of its page: a Markdown decision record, and the texts of its link-preview card.

Like pages.py, these only work out what to show from a stored result and its ruleset; the views send them.
"""

from __future__ import annotations

import datetime
from typing import Any

from decision import ruleset as rulesets
from decision.pages import recommendation_context
from decision.snapshot import Snapshot

REVIEW_AFTER_DAYS = 182  # about six months


def decision_record_context(result: Snapshot, url: str) -> dict[str, Any]:
    """A result as an architecture decision record in the MADR 4 layout: what each section says, in order."""
    shown, rec, answers = result.shown, result.recommendation, result.answers
    context = recommendation_context(shown, answers, rec, origin_id=result.id)
    questions = shown.questions_by_id
    excluded = {entry.approach: entry.text for entry in rec.excluded}
    options = []
    for approach in shown.tie_break.order:
        name = shown.approaches[approach].name
        phrases = [shown.routes[route].phrase for route in shown.options.get(approach, ())]
        if len(phrases) == 2:
            title = f"{name}: the open side {phrases[0]}, the closed side {phrases[1]}"
        else:
            title = f"{name}, {phrases[0]}" if phrases else name
        options.append(
            {
                "approach": approach,
                "title": title,
                "summary": shown.approaches[approach].summary,
                "score": rec.scores[approach],
                "good": [r.text for r in rec.reasons if r.favours == approach],
                "excluded": excluded.get(approach, ""),
            }
        )
    chosen = next(option for option in options if option["approach"] == rec.approach)
    drivers = list(
        dict.fromkeys(
            [
                *(
                    f"“{questions[q].text}” {questions[q].label(answers.get(q, rulesets.UNSURE))} (a must)"
                    for entry in rec.excluded
                    for q in entry.questions
                ),
                *(
                    "; ".join(f"“{b['question']}” {b['answer']}" for b in reason["basis"])
                    + f" (for {reason['favours']}, +{reason['weight']})"
                    for reason in sorted(
                        (r for group in context["grouped"] for r in group["reasons"]), key=lambda r: -r["weight"]
                    )[:5]
                ),
            ]
        )
    )
    made = result.created_at.date()
    triggers = []
    for p in context["pivots"]:
        question = p["question"]
        option = next(o for o in question.options if o.value == p["value"])
        now = question.label(answers.get(question.id, rulesets.UNSURE))
        change = option.event or f"the answer to “{question.text}” becomes “{p['label']}”"
        triggers.append(f"If {change} (answered now: “{now}”), the verdict would be {p['approach'].lower()}.")
    context.update(
        result=result,
        url=url,
        made=made,
        review_by=made + datetime.timedelta(days=REVIEW_AFTER_DAYS),
        options=options,
        chosen=chosen,
        drivers=drivers,
        triggers=triggers,
    )
    return context


def card_texts(result: Snapshot, context: dict[str, Any] | None = None) -> dict[str, str]:
    """What a result's link preview says: the verdict and route, its standing, and the reason that weighs most.
    Pass the page's context when it is at hand, so that it is not worked out twice."""
    shown, rec = result.shown, result.recommendation
    if context is None:
        context = recommendation_context(shown, result.answers, rec, origin_id=result.id)
    footer = f"Open, Closed or Hybrid? · ruleset version {shown.version} · made {result.created_at:%-d %B %Y}"
    if rec.uncertain and shown.in_stages:
        asks = " · ".join(item["question"].text for item in context["ask_next"])
        return {
            "kind": "uncertain",
            "kicker": "Open, closed or hybrid?",
            "title": "Too uncertain to call",
            "standing": f"Only {rec.answered} of {len(shown.questions)} answers "
            f"{'was' if rec.answered == 1 else 'were'} definite"
            if rec.answered
            else f"None of the {len(shown.questions)} answers was definite",
            "reason": f"Answer these first: {asks}" if asks else "Answer the questions to get a recommendation.",
            "footer": footer,
        }
    standing_ = context["standing"]
    if not shown.in_stages:  # v1 knew no musts: its standing is its confidence alone
        standing_ = {"label": {"clear": "A clear call", "lean": "A lean", "close": "A close call"}[rec.confidence]}
        standing_["detail"] = ""
    reasons = context["top_reasons"]
    if rec.conflicts:  # said with their number, and the first of them, since a card has no "below" to point to
        count = len(rec.conflicts)
        return {
            "kind": rec.approach,
            "kicker": "Our recommendation",
            "title": context["verdict"],
            "standing": f"Not a call until {count} conflict{'s are' if count > 1 else ' is'} resolved",
            "reason": rec.conflicts[0].text,
            "footer": footer,
        }
    return {
        "kind": rec.approach,
        "kicker": "Our recommendation",
        "title": context["verdict"],
        "standing": standing_["label"] + (f": {standing_['detail']}" if standing_["detail"] else ""),
        "reason": reasons[0]["text"] if reasons else "It is what the musts leave.",
        "footer": footer,
    }
