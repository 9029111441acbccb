"""A result as it goes out of its page: a Markdown decision record, and the texts of its link-preview card.

Like pages.py, these only work out what to show from a stored result and its ruleset; the views send them.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.utils.text import slugify

from decision import ruleset as rulesets
from decision.pages import answer_order, points, recommendation_context
from decision.rules import Recommendation
from decision.ruleset import Approach
from decision.snapshot import Shown, ShownQuestion, Snapshot

REVIEW_AFTER_DAYS = 182  # about six months

# ---------------------------------------------------------------- the decision record

# A record is written by the team about its own decision, so it speaks as "we" throughout. The texts a result
# keeps speak to the reader ("your data", "GPUs you rent"), and a stored result's texts never change, so the
# record turns them round as it writes them out.
SECOND_PERSON = re.compile(r"\b(?:you|your|yours|yourself|yourselves)\b", re.IGNORECASE)
FIRST_PERSON = {"your": "our", "yours": "ours", "yourself": "ourselves", "yourselves": "ourselves"}
# "you" after one of these words is its object ("gives you", "for you"): "us"; anywhere else it is the subject.
TAKES_AN_OBJECT = frozenset(
    {
        *("about", "against", "at", "between", "by", "for", "from", "of", "on", "to", "with", "without"),
        *("allow", "allows", "ask", "asks", "cost", "costs", "give", "gives", "has", "help", "helps", "keep"),
        *("keeps", "let", "lets", "make", "makes", "offer", "offers", "serve", "serves", "tell", "tells"),
    }
)
WORD_BEFORE = re.compile(r"(\w+) $")
# A first word that is a plain capitalised word ("Confidential", "Per-token"), not an acronym ("GPU", "EU").
PLAIN_WORD = re.compile(r"(?!I\b)[A-Z][a-z]*(?:[-'\u2019][a-z]+)*\b(?![-'\u2019]?[A-Z0-9])")

TITLES = {
    "open": "Use open-weight models",
    "closed": "Use closed models",
    "hybrid": "Use open-weight and closed models in a hybrid",
}
UNDECIDED_TITLE = "Settle the open questions on our LLM approach"
CONFIDENCE_WORDS = {"clear": "a clear call", "lean": "a lean", "close": "a close call"}
BEATEN_BY = 3  # the reasons for the chosen option that a record names against each option it beat
MOST_DRIVERS = 6  # the answers behind the heaviest reasons that a record names as drivers
NOT_SURE = "Not sure yet"  # "I'm not sure", in the record's voice


def ours(text: str) -> str:
    """A text written to the reader, as the team writes it about itself: "your data" becomes "our data", "GPUs you
    rent" "GPUs we rent", "costs you nothing" "costs us nothing"."""

    def turned(match: re.Match[str]) -> str:
        word = match.group()
        lower = word.lower()
        if lower == "you":
            before = WORD_BEFORE.search(text, 0, match.start())
            lower = "us" if before and before.group(1).lower() in TAKES_AN_OBJECT else "we"
        else:
            lower = FIRST_PERSON[lower]
        return lower.capitalize() if word[0].isupper() else lower

    return SECOND_PERSON.sub(turned, text)


def mid_sentence(text: str) -> str:
    """A sentence as it reads inside another ("Good, because …"): its first letter lowercased only when its first
    word is a plain capitalised word, so that "GPU servers…" and "EU law…" keep their capitals."""
    if PLAIN_WORD.match(text):
        return text[0].lower() + text[1:]
    return text


def in_words(items: list[str]) -> str:
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def decision_record_filename(result: Snapshot) -> str:
    """The name a team files the record under in its docs/adr/ folder, as MADR names them: a number (the team
    renumbers it to follow its own records) and the title's short form, "0001-use-open-weight-models.md"."""
    rec = result.recommendation
    return f"0001-{slugify(UNDECIDED_TITLE if rec.uncertain else TITLES[rec.approach])}.md"


def decision_record_context(result: Snapshot, url: str) -> dict[str, Any]:
    """A result as an architecture decision record in the MADR 4 layout, ready for a team's docs/adr/ folder: what
    each section says, in order, in the team's own voice, from what the result kept."""
    shown, rec, answers = result.shown, result.recommendation, result.answers
    context = recommendation_context(shown, answers, rec, origin_id=result.id)
    options = [
        {
            "approach": approach,
            # An undecided record names no route: the routes follow answers that are still open.
            "title": shown.approaches[approach].name if rec.uncertain else option_title(shown, approach),
            "summary": ours(shown.approaches[approach].summary),
            "lines": option_lines(shown, rec, approach),
        }
        for approach in shown.tie_break.order
    ]
    made = result.created_at.date()
    context.update(
        result=result,
        url=url,
        made=made,
        review_by=made + datetime.timedelta(days=REVIEW_AFTER_DAYS),
        title=record_title(rec, context),
        answered=[
            {
                "title": group["section"].title,
                "rows": [
                    f"{ours(row['question'].text)} {answer_words(row['question'], answers)}" for row in group["rows"]
                ],
            }
            for group in context["groups"]
        ],
        drivers=drivers(shown, rec, answers),
        options=options,
        chosen=next(option for option in options if option["approach"] == rec.approach),
        settle_first=[ours(item["question"].text) for item in context["ask_next"]],
        weighed_most=[ours(reason["text"]) for reason in context["top_reasons"]],
        conflicts=[f"{ours(c.text)} {ours(c.resolve)}" for c in rec.conflicts],
        first_steps=[ours(step) for step in rec.next_steps],
    )
    if rec.uncertain:
        context.update(why=undecided_because(shown, rec), consequences=undecided_consequences(shown, rec))
    else:
        context.update(
            why=chosen_because(shown, rec),
            firmness=firmness(shown, rec, context),
            consequences=consequences(rec, answers, context),
        )
    return context


def record_title(rec: Recommendation, context: dict[str, Any]) -> str:
    """What we decide, in a few words: the verdict and its route. While conflicts stand the route they are about is
    not settled, so the title says what must happen first instead."""
    if rec.uncertain:
        return UNDECIDED_TITLE
    if rec.conflicts:
        conflicts = "the conflict" if len(rec.conflicts) == 1 else "the conflicts"
        return f"{TITLES[rec.approach]}, if we can resolve {conflicts} first"
    return TITLES[rec.approach] + ours(context["route_phrase"])


def answer_words(question: ShownQuestion, answers: dict[str, str]) -> str:
    value = answers.get(question.id, rulesets.UNSURE)
    return NOT_SURE if value == rulesets.UNSURE else ours(question.label(value))


def named(shown: Shown, approaches: list[Approach]) -> str:
    return in_words([shown.approaches[a].name.lower() for a in approaches])


def ruled_out(shown: Shown, rec: Recommendation) -> list[Approach]:
    return [a for a in shown.tie_break.order if any(entry.approach == a for entry in rec.excluded)]


def left(shown: Shown, rec: Recommendation) -> list[Approach]:
    """The options the musts leave besides the one chosen, highest score first."""
    gone = ruled_out(shown, rec)
    return sorted(
        (a for a in shown.tie_break.order if a != rec.approach and a not in gone), key=lambda a: -rec.scores[a]
    )


def option_title(shown: Shown, approach: Approach) -> str:
    """An option with the route it would take: "Open, on GPUs we rent and run"."""
    name = shown.approaches[approach].name
    phrases = [ours(shown.routes[route].phrase) for route in shown.options.get(approach, ())]
    if len(phrases) == 2:
        return f"{name}: the open side {phrases[0]}, the closed side {phrases[1]}"
    return f"{name}, {phrases[0]}" if phrases else name


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


def option_lines(shown: Shown, rec: Recommendation, approach: Approach) -> list[str]:
    """An option's pros and cons in MADR's words: the reasons for it; what ruled it out (a must, with its reason);
    and for an option the musts left but not chosen, what beat it: its points, and the heaviest reasons for the
    option chosen."""
    lines = [f"Good, because {mid_sentence(ours(r.text))}" for r in rec.reasons if r.favours == approach]
    exclusions = [entry for entry in rec.excluded if entry.approach == approach]
    for entry in exclusions:
        must = f" ({ours(shown.musts[approach])})" if approach in shown.musts else ""
        lines.append(f"Bad, because a must rules it out{must}. {ours(entry.text)}")
    if rec.uncertain:
        return lines or ["Neutral, because none of our definite answers speaks to it yet."]
    score, ours_ = points(rec.scores[approach]), rec.scores[rec.approach]
    chosen = shown.approaches[rec.approach].name
    if exclusions:
        lines.append(f"Neutral, because it scored {score} on our answers, but a must rules it out whatever it scores.")
    elif approach == rec.approach:
        lines.append(f"Neutral, because it scored {score} on our answers: {standing_among(shown, rec)}.")
    else:
        if rec.scores[approach] == ours_:
            lines.append(f"Bad, because it scored {score} on our answers, level with {chosen}, which the tie favours.")
        else:
            lines.append(f"Bad, because it scored {score} on our answers, against {ours_} for {chosen}.")
        beaten_by = sorted((r for r in rec.reasons if r.favours == rec.approach), key=lambda r: -r.weight)
        lines += [f"Bad, because {mid_sentence(ours(r.text))}" for r in beaten_by[:BEATEN_BY]]
    return lines


def standing_among(shown: Shown, rec: Recommendation) -> str:
    """Where the chosen option stands among the options the musts leave."""
    others = left(shown, rec)
    if not others:
        return "the only option our musts leave"
    level = [a for a in others if rec.scores[a] == rec.scores[rec.approach]]
    if level:
        return f"level with {named(shown, level)}, and a tie goes to the option easier to reverse"
    return "the most of the options our musts leave" if rec.excluded else "the most of the three"


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


def firmness(shown: Shown, rec: Recommendation, context: dict[str, Any]) -> str:
    """How firm the call is, in a sentence, with why it is not clear and how a tie was broken."""
    if rec.conflicts:
        said = "It is not a call until we resolve the conflicts below."
    elif not shown.in_stages:  # v1 knew no musts: its standing is its confidence alone
        said = f"It is {CONFIDENCE_WORDS[rec.confidence]}."
    else:
        standing_ = context["standing"]
        detail = [ours(standing_[key]) for key in ("why_not_clear", "unsure") if standing_[key]]
        said = f"It is {', '.join([CONFIDENCE_WORDS[rec.confidence], *detail])}."
    if rec.tie_broken:
        said += " " + ours(context["tie_reason"] or shown.tie_break.note)
    return said


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


def consequences(rec: Recommendation, answers: dict[str, str], context: dict[str, Any]) -> list[Consequence]:
    """What follows from the decision, none of it its pros again: the route and what goes where, what it could cost
    a month, what to watch, and what would make us revisit it."""
    found: list[Consequence] = []
    sides = {route.approach: route for route in rec.routes}
    for side, route in sides.items():
        lead = "Our route" if len(sides) == 1 else f"The {side} side's route"
        lead += ", once we resolve the conflicts" if rec.conflicts else ""
        places = [ours(p) for p in rec.placements.get(side, [])] if len(sides) > 1 else []
        text = f"{lead}: {mid_sentence(ours(route.name))}. {ours(route.text)}"
        found.append((text + (" It takes:" if places else ""), places))
    if rec.approach == "hybrid" and not sides:  # v1 named no routes, only what goes to each side
        found += [(f"The {side} side takes:", [ours(p) for p in rec.placements[side]]) for side in ("open", "closed")]
    if context.get("cost_brief"):
        found.append((f"What it could cost: {ours(context['cost_brief'])} (the figures are under What It Costs).", []))
    elif context.get("costs") and rec.conflicts:
        found.append(("What it costs depends on how we resolve the conflicts above: see What It Costs.", []))
    if rec.caveats:
        found.append(("What we must watch:", [ours(item) for item in rec.caveats]))
    triggers = revisit_triggers(answers, context)
    if triggers:
        found.append(("What would make us revisit it before the review date:", triggers))
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
        standing_ = {"label": {"clear": "A clear call", "lean": "A lean", "close": "A close call"}[rec.confidence]}
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
