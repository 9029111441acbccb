"""The decision record's Considered Options: each option's title, and its pros and cons in MADR's words.

For every approach, what the record says of it without saying anything twice: the reasons for it, the must that
ruled it out, and, once an option is chosen, that option's own cons and where it stands, or what an option the
musts left lacks against it and its points; and, for an undecided record, the options none of the answers speaks
to yet. exports.py puts these into the record.
"""

from __future__ import annotations

import re
from typing import Any

from decision.brief import in_words, points
from decision.entries import Approach
from decision.record_voice import first_sentence, mid_sentence, ours, said
from decision.rules import Exclusion, Recommendation
from decision.snapshot import Shown

OWN_CONS = 2  # the first caveats that a record can give the option chosen as its cons
# A caveat that opens with one of these words is advice ("Check each model's licence…", "If a proprietary model is
# ever a must…"), not a drawback, so it never follows "Bad, because": it stays under What we must watch.
ADVICE = frozenset(
    {
        *("ask", "budget", "bring", "buy", "check", "choose", "decide", "help", "if", "keep", "plan", "price"),
        *("put", "read", "run", "size", "tell", "try", "use"),
    }
)
# The head of a must's text, "Closed was ruled out: …", which an option's heading already says.
RULED_OUT = re.compile(r"(?:Open|Closed|Hybrid)(?: alone)? was ruled out(?P<scope> [^:]*)?: ")


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


def option_title(shown: Shown, rec: Recommendation, approach: Approach) -> str:
    """An option with the route it would take: "Open, on GPUs we rent and run". An undecided record names no
    route, since the routes follow answers still open, and nor does the option chosen while conflicts stand, since
    where it runs waits on them."""
    name = shown.approaches[approach].name
    if rec.uncertain or (approach == rec.approach and rec.conflicts):
        return name
    phrases = [ours(shown.routes[route].phrase) for route in shown.options.get(approach, ())]
    if len(phrases) == 2:
        return f"{name}: the open side {phrases[0]}, the closed side {phrases[1]}"
    return f"{name}, {phrases[0]}" if phrases else name


def option_lines(shown: Shown, rec: Recommendation, approach: Approach, context: dict[str, Any]) -> list[str]:
    """An option's pros and cons in MADR's words, none of them said twice in the record: the reasons for it, and
    what ruled it out (a must, with its reason). Then, once an option is chosen: for that option its own cons (its
    first caveats) and where it stands; for an option the musts left but not chosen, what it lacks against the
    option chosen (never a reason for that one again word for word, and for a hybrid its own real cost) and its
    points."""
    decided = not rec.uncertain
    reasons = [reason for reason in rec.reasons if reason.favours == approach]
    if decided and approach == rec.approach:  # heaviest first, as under What weighed most
        reasons.sort(key=lambda reason: -reason.weight)  # stable: equal weights keep the ruleset's order
    lines = [f"Good, because {mid_sentence(said(reason.text, decided))}" for reason in reasons]
    exclusions = [entry for entry in rec.excluded if entry.approach == approach]
    lines += [ruled_out_line(shown, rec, entry, scored=decided and n == 0) for n, entry in enumerate(exclusions)]
    if rec.uncertain or exclusions:
        return lines
    if approach == rec.approach:
        lines += [f"Bad, because {mid_sentence(said(caveat))}" for caveat in own_cons(rec)]
        lines.append(
            f"Neutral, because it scored {points(rec.scores[approach])} on our answers: {standing_among(shown, rec)}."
        )
        return lines
    lacks = lacking(shown, rec, approach, context)
    return [*lines, *([lacks] if lacks else []), scored_against(shown, rec, approach)]


def ruled_out_line(shown: Shown, rec: Recommendation, entry: Exclusion, scored: bool) -> str:
    """What ruled an option out, as one con: the must, in a few words where the result names it, with the points
    it makes count for nothing, then the must's reason less its first words ("Closed was ruled out"), which the
    option's heading says already."""
    text = said(entry.text, not rec.uncertain)
    found = RULED_OUT.match(text)
    why, scope = (text[found.end() :], found.group("scope") or "") if found else (mid_sentence(text), "")
    lead = f"a must rules it out{scope}"
    if entry.approach in shown.musts:
        lead += f" ({ours(shown.musts[entry.approach])})"
    if scored:
        score = rec.scores[entry.approach]
        lead += f", so its {points(score)} on our answers {'counts' if score == 1 else 'count'} for nothing"
    return f"Bad, because {lead}: {why}"


def own_cons(rec: Recommendation) -> list[str]:
    """The option chosen's own cons: its first one or two caveats (the approach's own come first), those that state
    a drawback rather than give advice. The record gives them as its cons, and watches the rest."""
    return [caveat for caveat in rec.caveats[:OWN_CONS] if caveat.split()[0].lower() not in ADVICE]


def lacking(shown: Shown, rec: Recommendation, approach: Approach, context: dict[str, Any]) -> str:
    """What an option the musts left lacks against the option chosen, in one con. A hybrid's is its own: two
    models to run, and no reason in our answers that calls for a split, when none did. An open or a closed option
    lacks the top reason for the other (a hybrid's reasons each split the work, so a single approach covers only
    its own side of it), said as what it lacks and never as that reason's pro again."""
    if approach == "hybrid":
        line = "Bad, because it means two models to run, evaluate and govern"
        if not any(reason.favours == "hybrid" for reason in rec.reasons):
            line += ", and no reason in our answers calls for a split"
        return line + "."
    if not context["top_reasons"]:
        return ""
    chosen = shown.approaches[rec.approach].name
    top = mid_sentence(first_sentence(said(context["top_reasons"][0]["text"])))
    if rec.approach == "hybrid":
        return f"Bad, because on its own it covers only the {approach} side of what weighed most for {chosen}: {top}"
    return f"Bad, because it lacks what weighed most for {chosen}: {top}"


def scored_against(shown: Shown, rec: Recommendation, approach: Approach) -> str:
    """An option's points against the option chosen's, naming any other option left on the same points, so that
    no two options say the same."""
    mine, best = rec.scores[approach], rec.scores[rec.approach]
    chosen = shown.approaches[rec.approach].name
    alike = [a for a in left(shown, rec) if a != approach and rec.scores[a] == mine]
    line = f"Bad, because it scored {points(mine)} on our answers" + (
        f", as did {named(shown, alike)}" if alike else ""
    )
    if mine == best:
        return f"{line}, level with {chosen}, which the tie favours."
    return f"{line}, against {best} for {chosen}."


def unspoken(shown: Shown, rec: Recommendation, options: list[dict[str, Any]]) -> str:
    """For an undecided record, in one sentence under Considered Options: the options none of our answers speaks
    to yet."""
    silent = [option["approach"] for option in options if not option["lines"]]
    if not silent:
        return ""
    if len(silent) == len(options):
        return (
            "None of our definite answers speaks for or against any of them yet."
            if rec.answered
            else "Since none of our answers is definite yet, none speaks for or against any of them."
        )
    return f"None of our definite answers speaks for or against {named(shown, silent)} yet."


def standing_among(shown: Shown, rec: Recommendation) -> str:
    """Where the chosen option stands among the options the musts leave."""
    others = left(shown, rec)
    if not others:
        return "the only option our musts leave"
    level = [a for a in others if rec.scores[a] == rec.scores[rec.approach]]
    if level:
        return f"level with {named(shown, level)}, and a tie goes to the option easier to reverse"
    return "the most of the options our musts leave" if rec.excluded else "the most of the three"
