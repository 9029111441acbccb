"""The checks across a whole ruleset: every entry names questions, values, routes and sources that exist.

Each entry model checks itself; this is what only the whole ruleset can show: a rule naming an unknown question or
value, an option that no rule speaks to and that is not declared neutral, a source cited by nothing, a weight out
of range, a text quoting an amount its version cannot fill. The Ruleset's validator calls it and refuses the
ruleset with every problem found, each naming its entry, so a broken ruleset stops the app instead of giving
wrong advice.
"""

from __future__ import annotations

import string
from typing import TYPE_CHECKING

from decision.entries import APPROACHES, MAX_WEIGHT, UNSURE, Question, own_condition
from decision.figures import FIGURES, PLACEHOLDERS

if TYPE_CHECKING:  # for the annotation only: ruleset.py imports this module
    from decision.ruleset import Ruleset


def inconsistencies(ruleset: Ruleset) -> list[str]:
    """Every problem across the ruleset's entries, each naming its entry; none when it is consistent."""
    problems: list[str] = []
    section_ids = [section.id for section in ruleset.sections]
    if len(set(section_ids)) != len(section_ids):
        problems.append("two sections share an id")
    questions: dict[str, Question] = {}
    for question in ruleset.questions:
        if question.id in questions:
            problems.append(f"question {question.id!r} is defined twice")
        if question.section not in section_ids:
            problems.append(f"question {question.id!r} names unknown section {question.section!r}")
        questions[question.id] = question
    for section in ruleset.sections:
        if not any(q.section == section.id for q in ruleset.questions):
            problems.append(f"section {section.id!r} has no questions")
    order = [section_ids.index(q.section) for q in ruleset.questions if q.section in section_ids]
    if order != sorted(order):
        problems.append("the wizard asks the questions in the order listed: list them section by section")
    if set(ruleset.approaches) != set(APPROACHES):
        problems.append("approaches must describe exactly open, closed and hybrid")
    for question_id in ruleset.confidence.lean_when_unsure_of:
        if question_id not in questions:
            problems.append(f"confidence names unknown question {question_id!r} in lean_when_unsure_of")

    figures = {name: (*values, UNSURE) for name, (_, values) in FIGURES.items()} if ruleset.figures else {}

    def check_condition(where: str, when: dict[str, tuple[str, ...]]) -> None:
        for question_id, values in when.items():
            if question_id in figures:
                for value in values:
                    if value not in figures[question_id]:
                        problems.append(f"{where} names unknown value {value!r} of figure {question_id!r}")
                continue
            if question_id not in questions:
                problems.append(f"{where} names unknown question {question_id!r}")
                continue
            for value in values:
                if value not in questions[question_id].values:
                    problems.append(f"{where} names unknown value {value!r} of question {question_id!r}")
            # "unsure" may stand beside definite values ("anything but device"), never alone: nothing is
            # decided by an answer not given.
            if tuple(values) == (UNSURE,):
                problems.append(f"{where} depends on {question_id!r} being unanswered")

    rule_ids: set[str] = set()
    spoken_to: set[tuple[str, str]] = set()
    for rule in ruleset.rules:
        where = f"rule {rule.id!r}"
        if rule.id in rule_ids:
            problems.append(f"{where} is defined twice")
        rule_ids.add(rule.id)
        if not 1 <= rule.weight <= MAX_WEIGHT:
            problems.append(f"{where} has weight {rule.weight}, outside 1 to {MAX_WEIGHT}")
        check_condition(where, rule.when)
        # A rule speaks to an option when that is its one condition, beside guards at most.
        own = own_condition(rule.when)
        if own is not None:
            question_id, values = own
            spoken_to.update((question_id, value) for value in values)
    for placement in ruleset.placements:
        check_condition(f"placement {placement.text!r}", placement.when)
    route_ids = [route.id for route in ruleset.routes]
    if len(set(route_ids)) != len(route_ids):
        problems.append("two routes share an id")
    if ruleset.routes and {route.approach for route in ruleset.routes} != {"open", "closed"}:
        problems.append("routes must cover both open and closed")
    for route in ruleset.routes:
        for variant in route.variants:
            check_condition(f"route {route.id!r}'s words {variant.name!r}", variant.when)
    for constraint in ruleset.constraints:
        check_condition(f"constraint {constraint.id!r}", constraint.when)
        if constraint.route is not None and constraint.route not in route_ids:
            problems.append(f"constraint {constraint.id!r} names route {constraint.route!r}, which is not defined")
        if len(constraint.when) == 1:
            ((question_id, values),) = constraint.when.items()
            spoken_to.update((question_id, value) for value in values)
    for conflict in ruleset.conflicts:
        check_condition(f"conflict {conflict.id!r}", conflict.when)
        if conflict.route is not None and conflict.route not in route_ids:
            problems.append(f"conflict {conflict.id!r} names route {conflict.route!r}, which is not defined")
    for choice in ruleset.route_choices:
        check_condition(f"route choice for {choice.route!r}", choice.when)
        if choice.route not in route_ids:
            problems.append(f"a route choice names route {choice.route!r}, which is not defined")
    for caveat in ruleset.caveats:
        check_condition(f"caveat {caveat.text[:40]!r}", caveat.when)
    for question in ruleset.questions:
        # A scale orders the options that move the points; an option decided by a must may stay off it.
        options = [option.value for option in question.options]
        if question.scale and (
            len(question.scale) < 2
            or len(set(question.scale)) != len(question.scale)
            or not set(question.scale) <= set(options)
        ):
            problems.append(f"question {question.id!r} has a scale that is not an order of its own options")
    source_ids = [source.id for source in ruleset.sources]
    if len(set(source_ids)) != len(source_ids):
        problems.append("two sources share an id")
    cited: set[str] = set()
    for where, sources in ruleset.citations():
        for source_id in sources:
            if source_id not in source_ids:
                problems.append(f"{where} cites unknown source {source_id!r}")
            cited.add(source_id)
    for source_id in source_ids:
        if source_id not in cited:
            problems.append(f"source {source_id!r} is cited by nothing")
    for entry in ruleset.neutral:
        check_condition(f"neutral entry {entry.question}={entry.value}", {entry.question: (entry.value,)})
        if (entry.question, entry.value) in spoken_to:
            problems.append(f"{entry.question}={entry.value} is declared neutral but a rule speaks to it")
        spoken_to.add((entry.question, entry.value))
    for question in ruleset.questions:
        for option in question.options:
            if (question.id, option.value) not in spoken_to:
                problems.append(
                    f"option {question.id}={option.value} has no rule of its own and is not declared neutral"
                )
    for where, text in ruleset.texts():
        names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
        if names and not ruleset.figures:
            problems.append(f"{where} quotes {sorted(names)} but this version has no [figures]")
        elif names - set(PLACEHOLDERS):
            problems.append(f"{where} quotes {sorted(names - set(PLACEHOLDERS))}; it may quote {PLACEHOLDERS}")
    anchors = [r.id for r in {r.id: r for r in ruleset.rules}.values()]
    anchors += list(dict.fromkeys(c.id for c in ruleset.constraints)) + list(
        dict.fromkeys(c.id for c in ruleset.conflicts)
    )
    for repeated in sorted({a for a in anchors if anchors.count(a) > 1}):
        problems.append(f"conflict {repeated!r} shares its id with a rule or a must: each needs its own")
    for rule in ruleset.rules:
        if "{" in rule.brief:
            problems.append(f"rule {rule.id!r} quotes an amount in its brief, which is kept without amounts")
    return problems
