"""A result as it goes out of its page: a Markdown decision record, and the texts of its link-preview card.

Like pages.py, these only work out what to show from a stored result and its ruleset; the views send them.
The record's voice (our words for a result's texts) is in record_voice.py, and its Considered Options in
record_options.py.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.utils.text import slugify

from decision.brief import CONFIDENCE_WORDS, in_words, points
from decision.compare import group_labels
from decision.entries import UNSURE, Approach, Source
from decision.kept_texts import ShownQuestion
from decision.pages import answer_order, recommendation_context
from decision.record_options import left, named, option_lines, option_title, own_cons, ruled_out, unspoken
from decision.record_voice import mid_sentence, ours, said
from decision.rules import Recommendation
from decision.snapshot import Shown, Snapshot

REVIEW_AFTER_DAYS = 182  # about six months

# ---------------------------------------------------------------- the decision record

TITLES = {
    "open": "Use open-weight models",
    "closed": "Use closed models",
    "hybrid": "Use open-weight and closed models in a hybrid",
}
UNDECIDED_TITLE = "Settle the open questions on our LLM approach"
MOST_DRIVERS = 6  # the answers behind the heaviest reasons that a record names as drivers
NOT_SURE = "Not sure yet"  # "I'm not sure", in the record's voice


def decision_record_filename(result: Snapshot) -> str:
    """The name a team files the record under in its docs/adr/ folder, as MADR names them: a number (the team
    renumbers it to follow its own records) and the title's short form, "0001-use-open-weight-models.md". While
    conflicts stand it keeps the verdict's condition: "0001-use-open-weight-models-once-conflicts-are-resolved.md"."""
    rec = result.recommendation
    if rec.uncertain:
        short = UNDECIDED_TITLE
    elif rec.conflicts:
        short = (
            f"{TITLES[rec.approach]} once {'conflicts are' if len(rec.conflicts) > 1 else 'the conflict is'} resolved"
        )
    else:
        short = TITLES[rec.approach]
    return f"0001-{slugify(short)}.md"


def decision_record_context(result: Snapshot, url: str) -> dict[str, Any]:
    """A result as an architecture decision record in the MADR 4 layout, ready for a team's docs/adr/ folder: what
    each section says, in order, in the team's own voice, from what the result kept. No text is said twice."""
    shown, rec, answers = result.shown, result.recommendation, result.answers
    context = recommendation_context(shown, answers, rec, origin_id=result.id)
    decided = not rec.uncertain
    options = [
        {
            "approach": approach,
            "title": option_title(shown, rec, approach),
            "summary": ours(shown.approaches[approach].summary),
            "lines": option_lines(shown, rec, approach, context),
        }
        for approach in shown.tie_break.order
    ]
    made = result.created_at.date()

    def definite(question: ShownQuestion) -> bool:
        return answers.get(question.id, UNSURE) != UNSURE

    # An undecided record lists only the definite answers, and says in one line how many were not sure.
    groups = [
        {
            "title": group["section"].title,
            "rows": [
                f"{ours(row['question'].text)} {answer_words(row['question'], answers)}"
                for row in group["rows"]
                if decided or definite(row["question"])
            ],
        }
        for group in context["groups"]
    ]
    context.update(
        result=result,
        url=url,
        made=made,
        review_by=made + datetime.timedelta(days=REVIEW_AFTER_DAYS),
        title=record_title(rec, context),
        answered=[group for group in groups if group["rows"]],
        **disagreements(shown, answers),
        not_sure="" if decided else not_sure(sum(not definite(question) for question in shown.questions), groups),
        drivers=drivers(shown, rec, answers),
        options=options,
        chosen=next(option for option in options if option["approach"] == rec.approach),
        settle_first=[ours(item["question"].text) for item in context["ask_next"]],
        **weighed_most(context["top_reasons"]),
        conflicts=[f"{said(c.text, decided)} {said(c.resolve, decided)}" for c in rec.conflicts],
        first_steps=[said(step) for step in rec.next_steps],
        sources=record_sources(shown, rec),
        # While conflicts stand, where the option chosen runs waits on them: the record names no route as ours.
        routed=not rec.conflicts,
    )
    if rec.uncertain:
        context.update(
            why=undecided_because(shown, rec),
            consequences=undecided_consequences(shown, rec),
            unspoken=unspoken(shown, rec, options),
        )
    else:
        context.update(revisit=revisit_triggers(answers, context))
        context.update(chosen_line=chosen_line(shown, rec, context), consequences=consequences(rec, context))
    return context


def weighed_most(top: list[dict[str, str]]) -> dict[str, Any]:
    """The reasons that weighed most, each in its one-sentence brief (v3 on). A ruleset without briefs (v1, v2)
    would give them in the words of the option's pros, so the record says instead where they stand: first among
    the pros of the option chosen, which it lists heaviest first."""
    if all(reason["text"] != reason["reason"] for reason in top):
        return {"weighed_most": [said(reason["text"]) for reason in top], "weighed_first": False}
    return {"weighed_most": [], "weighed_first": True}


def disagreements(shown: Shown, answers: dict[str, str]) -> dict[str, Any]:
    """For a result a group saved from a comparison: who took part (labels only), and on each question where
    their answers differed, who said what and what the group settled on."""
    if not shown.group:
        return {"consulted": "[]", "disagreed": []}
    labels = group_labels(shown.group)
    lines = []
    for question in shown.questions:
        if question.id in shown.group:
            said_by = "; ".join(f"{label}: {question.label(v)}" for label, v in shown.group[question.id])
            lines.append(f"{ours(question.text)} ({said_by}). We settled on {question.label(answers[question.id])}.")
    return {"consulted": json.dumps(labels, ensure_ascii=False), "people": in_words(labels), "disagreed": lines}


def not_sure(count: int, groups: list[dict[str, Any]]) -> str:
    """How many answers an undecided record leaves out as not sure yet, in one line."""
    if not count:
        return ""
    if not any(group["rows"] for group in groups):
        return f"We were not sure yet of the answer to any of the {count} questions."
    if count == 1:
        return "We were not sure yet of the answer to the other question."
    return f"We were not sure yet of the answers to the other {count} questions."


def record_title(rec: Recommendation, context: dict[str, Any]) -> str:
    """What we decide, in a few words: the verdict and its route. While conflicts stand the route they are about is
    not settled, so the title keeps the verdict's condition instead: "…, once the conflicts are resolved"."""
    if rec.uncertain:
        return UNDECIDED_TITLE
    if rec.conflicts:
        return (
            f"{TITLES[rec.approach]}, once the {'conflicts are' if len(rec.conflicts) > 1 else 'conflict is'} resolved"
        )
    return TITLES[rec.approach] + ours(context["route_phrase"])


def record_sources(shown: Shown, rec: Recommendation) -> tuple[Source, ...]:
    """The sources the record's own text cites. A decided record says everything the result cites (its reasons,
    musts, conflicts, route and caveats), so it lists them all; an undecided one says only its reasons, musts and
    conflicts, so it lists only theirs: none when no answer was definite."""
    if not rec.uncertain:
        return shown.sources
    cited = {
        *(source for reason in rec.reasons for source in reason.sources),
        *(source for entry in rec.excluded for source in entry.sources),
        *(source for conflict in rec.conflicts for source in conflict.sources),
    }
    return tuple(source for source in shown.sources if source.id in cited)


def answer_words(question: ShownQuestion, answers: dict[str, str]) -> str:
    value = answers.get(question.id, UNSURE)
    return NOT_SURE if value == UNSURE else ours(question.label(value))


def drivers(shown: Shown, rec: Recommendation, answers: dict[str, str]) -> list[str]:
    """The musts, then the answers behind the heaviest reasons, each once, with what they weighed for; an
    undecided record names those answers alone, since it claims no leaning."""
    questions = shown.questions_by_id
    gone = ruled_out(shown, rec)
    lines = []
    musts: dict[str, list[Approach]] = {}  # before v5, each answer that was a must, with what it ruled out
    if shown.musts:  # v5 on: each must in plain words
        for must in dict.fromkeys(shown.musts[a] for a in gone):
            lines.append(
                f"A must: {ours(must)}, which rules out {named(shown, [a for a in gone if shown.musts[a] == must])}."
            )
    else:
        for entry in sorted(rec.excluded, key=lambda entry: gone.index(entry.approach)):
            for qid in entry.questions:
                musts.setdefault(qid, [])
                if entry.approach not in musts[qid]:
                    musts[qid].append(entry.approach)
        for qid, out in musts.items():
            words = f"“{ours(questions[qid].text)}” {answer_words(questions[qid], answers)}"
            lines.append(f"{words} (a must, which rules out {named(shown, out)}).")
    weighed: dict[str, list[Approach]] = {}
    for reason in sorted(rec.reasons, key=lambda r: -r.weight):  # stable: equal weights keep the ruleset's order
        for qid in answer_order(shown, reason):
            if qid in musts:  # named as a must already
                continue
            weighed.setdefault(qid, [])
            if reason.favours not in weighed[qid]:
                weighed[qid].append(reason.favours)
    for qid, favours in list(weighed.items())[:MOST_DRIVERS]:
        question = questions[qid]
        words = f"“{ours(question.text)}” {answer_words(question, answers)}"
        lines.append(f"{words}." if rec.uncertain else f"{words} (weighed for {named(shown, favours)}).")
    return lines


def chosen_line(shown: Shown, rec: Recommendation, context: dict[str, Any]) -> str:
    """MADR's "Chosen option", with why and how firm. While conflicts stand it names the option alone, and says
    that it holds once they are resolved: where it runs waits on them."""
    title, because = context["chosen"]["title"], chosen_because(shown, rec)
    if not rec.conflicts:
        return f'Chosen option: "{title}", because {because}. {firmness(shown, rec, context)}'
    many = len(rec.conflicts) > 1
    line = (
        f'Chosen option: "{title}", once the {"conflicts below are" if many else "conflict below is"} resolved; '
        f"where it runs waits on {'them' if many else 'it'}. We choose it because {because}."
    )
    if rec.tie_broken:
        line += " " + ours(context["tie_reason"] or shown.tie_break.note)
    return line


def chosen_because(shown: Shown, rec: Recommendation) -> str:
    """Why the option was chosen, to follow "because": what the musts ruled out, and the points."""
    gone = ruled_out(shown, rec)
    musts = list(dict.fromkeys(ours(shown.musts[a]) for a in gone if a in shown.musts))
    out = named(shown, gone) + (f" ({'; '.join(musts)})" if musts else "") if gone else ""
    others = left(shown, rec)
    if not others:
        return f"our musts rule out {out}, which leaves it as the only option" if out else "it is the only option"
    ours_ = rec.scores[rec.approach]
    level = [a for a in others if rec.scores[a] == ours_]
    below = in_words([f"{rec.scores[a]} for {shown.approaches[a].name.lower()}" for a in others if a not in level])
    if level:
        best = f"it scored {points(ours_)} on our answers, level with {named(shown, level)}"
        best += f" ({below})" if below else ""
        best += ", and a tie goes to the option easier to reverse"
    else:
        best = f"it comes out best on our answers, with {points(ours_)} against {below}"
    return f"our musts rule out {out}, and of the options left {best}" if out else best


def narrow(shown: Shown, rec: Recommendation) -> bool:
    """Whether the option chosen leads the next by less than a clear call's margin."""
    if rec.runner_up is None:
        return False
    return rec.scores[rec.approach] - rec.scores[rec.runner_up] < shown.confidence.clear_margin


def firmness(shown: Shown, rec: Recommendation, context: dict[str, Any]) -> str:
    """How firm the call is, in a sentence, with why it is not clear and how a tie was broken: "The margin is
    narrow (a lean)." when a lean is down to the margin."""
    lead = "The margin is narrow (a lean)" if rec.confidence == "lean" and narrow(shown, rec) else None
    lead = lead or f"It is {CONFIDENCE_WORDS[rec.confidence].lower()}"
    detail = []
    if shown.in_stages:  # v1 knew no musts: its standing is its confidence alone
        standing_ = context["standing"]
        detail = [ours(standing_[key]) for key in ("why_not_clear", "unsure") if standing_[key]]
    said_ = ", ".join([lead, *detail]) + "."
    if rec.tie_broken:
        said_ += " " + ours(context["tie_reason"] or shown.tie_break.note)
    return said_


def undecided_because(shown: Shown, rec: Recommendation) -> str:
    """Why nothing was chosen, as the result page says it, with no leaning."""
    total = len(shown.questions)
    if not rec.answered:
        return f"none of our {total} answers was definite, so there is nothing to weigh"
    why = f"only {rec.answered} of our {total} answers {'was' if rec.answered == 1 else 'were'} definite"
    if rec.answered >= shown.confidence.min_answered:
        why += ", and none of them tips the balance"
    return why + ", too little to choose on"


Consequence = tuple[str, list[str]]  # a line, and a list under it


def consequences(rec: Recommendation, context: dict[str, Any]) -> list[Consequence]:
    """What follows from the decision, none of it its pros and cons again: the route and what goes where (while
    conflicts stand, only what goes where), what it could cost a month, what to watch besides the option's cons,
    and what would make us revisit it."""
    found: list[Consequence] = []
    sides = {route.approach: route for route in rec.routes} if not rec.conflicts else {}
    for side, route in sides.items():
        lead = "Our route" if len(sides) == 1 else f"The {side} side's route"
        places = [said(p) for p in rec.placements.get(side, [])] if len(sides) > 1 else []
        text = f"{lead}: {mid_sentence(ours(route.name))}. {said(route.text)}"
        found.append((text + (" It takes:" if places else ""), places))
    if rec.approach == "hybrid" and not sides:  # v1 named no routes, and conflicts hold them: what goes where
        found += [
            (f"The {side} side takes:", [said(p) for p in rec.placements[side]])
            for side in ("open", "closed")
            if rec.placements.get(side)
        ]
    if context.get("costs") and rec.conflicts:
        found.append(
            ("What it costs depends on how we resolve the conflicts under Confirmation: see What it costs.", [])
        )
    elif context.get("cost_brief"):
        found.append((f"What it could cost: {said(context['cost_brief'])} (the figures are under What it costs).", []))
    cons = own_cons(rec)
    watch = [said(caveat) for caveat in rec.caveats if caveat not in cons]
    if watch:
        found.append(("What we must watch:", watch))
    if context["revisit"]:
        found.append(("What would make us revisit it before the review date:", context["revisit"]))
    else:
        found.append(("No single change of answer would change the verdict: we revisit it at the review date.", []))
    return found


def undecided_consequences(shown: Shown, rec: Recommendation) -> list[Consequence]:
    found: list[Consequence] = [
        ("Nothing is carried out yet: no route, no costs and no first steps until we choose.", [])
    ]
    gone = ruled_out(shown, rec)
    if gone:
        found.append((f"Our musts already rule out {named(shown, gone)}, whatever the open questions settle.", []))
    return found


def revisit_triggers(answers: dict[str, str], context: dict[str, Any]) -> list[str]:
    """Each change of one answer that would change the verdict, as something that could happen."""
    triggers = []
    for pivot in context["pivots"]:
        question = pivot["question"]
        option = next(o for o in question.options if o.value == pivot["value"])
        text, label = ours(question.text), ours(pivot["label"])
        change = ours(option.event) if option.event else f"the answer to “{text}” becomes “{label}”"
        now = answer_words(question, answers)
        triggers.append(f"If {change} (answered now: “{now}”), the verdict would be {pivot['approach'].lower()}.")
    return triggers


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
        standing_ = {"label": CONFIDENCE_WORDS[rec.confidence]}
        standing_["detail"] = ""
    reasons = context["top_reasons"]
    if rec.conflicts:  # said with their number, and the first of them, since a card has no "below" to point to
        count = len(rec.conflicts)
        return {
            "kind": rec.approach,
            "kicker": "Our recommendation",
            # No route: while the conflicts stand it is not settled, and naming it could contradict an answer.
            "title": shown.approaches[rec.approach].name,
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
