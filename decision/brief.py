"""A result's brief in words: the verdict and its route, the heading, the standing, the reasons that weigh most.

What the top of a result says, worked out from what the result kept (its Shown texts and its recommendation):
the verdict with the phrase of its route, a heading that puts conflicts first, the confidence in words with the
margin and what keeps it from being clear, a conflict's fix in one line, and the whole brief as plain text to
paste. The result page, a preview, the card and the decision record all say the verdict this way. No request,
no response, no Django.
"""

from __future__ import annotations

import re
from typing import Any

from decision.entries import UNSURE
from decision.rules import Recommendation
from decision.snapshot import Shown

# How a result's confidence reads wherever it is said: its standing, its card, a comparison, its record.
CONFIDENCE_WORDS = {"clear": "A clear call", "lean": "A lean", "close": "A close call"}


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


def points(n: int) -> str:
    return f"{n} point{'' if n == 1 else 's'}"


UNKNOWN_HOLDS_IT = "not clear while an answer you were not sure of could change it"


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
        unknown = {q.id for q in shown.questions if given.get(q.id, UNSURE) == UNSURE}
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
    label = CONFIDENCE_WORDS[rec.confidence]
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
            names = " and ".join(f"{o['said']} ({points(o['score'])})" for o in context["ruled_out"])
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


def route_phrase(shown: Shown, rec: Recommendation) -> str:
    """How the verdict is carried out, to follow its headline: "on GPUs you rent and run"."""
    phrases = {route.approach: shown.routes[route.id].phrase for route in rec.routes}
    if len(phrases) == 2:
        return f": the open side {phrases['open']}, the closed side {phrases['closed']}"
    return f", {phrases[next(iter(phrases))]}" if phrases else ""
