"""Properties of the engine over the whole answer space.

There are over 200 million answer sets. The musts read only six questions, so "no constraint is ever broken"
is checked exhaustively over those six (4,800 combinations, each on six backgrounds of the other answers), and
with hypothesis over whole answer sets; the other properties are explored with hypothesis. benchmarks/balance.py
prints how the verdicts and confidence levels are spread over the space.
"""

import itertools
import random
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from decision import rules, ruleset, unanswered, verdict
from decision.entries import APPROACHES, UNSURE

CURRENT = ruleset.current()
answer_sets = st.fixed_dictionaries({q.id: st.sampled_from(q.values) for q in CURRENT.questions})


def constraints_hold(answers: dict[str, str]) -> None:
    """The verdict and its routes never take what a matching constraint rules out, and a hybrid puts the work
    a constraint is about on its open side."""
    decision = verdict.decide(CURRENT, answers)
    routes = verdict.chosen_routes(CURRENT, answers, decision)
    for constraint in CURRENT.constraints:
        if not constraint.matches(answers):
            continue
        assert decision.approach != constraint.rules_out, (constraint.id, answers)
        assert constraint.route not in {route.id for route in routes}, (constraint.id, answers)
    if decision.approach == "hybrid" and answers["data_sensitivity"] == "restricted":
        assert any("restricted" in item for item in rules.placements(CURRENT, answers, "hybrid")["open"])
    sides = {route.approach for route in routes}
    assert sides == ({"open", "closed"} if decision.approach == "hybrid" else {decision.approach})


def test_no_constraint_is_ever_broken_over_every_combination_of_the_questions_they_read():
    # Every combination of the questions the musts read, set against the other answers all unsure and against
    # five fixed random backgrounds (the conflicts now read twelve questions: every combination of those would
    # be twenty million answer sets, a quarter of an hour; hypothesis explores whole answer sets below).
    read = sorted({q for constraint in CURRENT.constraints for q in constraint.when})
    questions = [CURRENT.questions_by_id[q] for q in read]
    rng = random.Random(20261206)
    backgrounds = [rules.complete(CURRENT, {})] + [
        {q.id: rng.choice(q.values) for q in CURRENT.questions} for _ in range(5)
    ]
    count = 0
    for values in itertools.product(*(q.values for q in questions)):
        for background in backgrounds:
            constraints_hold({**background, **dict(zip(read, values, strict=True))})
            count += 1
    assert count >= 6 * 4_800  # every combination of the six questions the musts read, on six backgrounds


@settings(max_examples=1500, deadline=None)
@given(answer_sets)
def test_no_constraint_is_ever_broken(answers):
    constraints_hold(answers)


@settings(max_examples=1000, deadline=None)
@given(answer_sets)
def test_a_named_conflict_is_never_a_clear_call(answers):
    recommendation = rules.recommend(CURRENT, answers)
    if recommendation.conflicts:
        assert recommendation.confidence != "clear"


def open_lead(answers: dict[str, str]) -> int:
    scores = verdict.scores(CURRENT, answers)
    return scores["open"] - scores["closed"]


@settings(max_examples=1500, deadline=None)
@given(answer_sets)
def test_a_step_towards_the_closed_end_never_raises_opens_lead_and_the_reverse(answers):
    lead = open_lead(answers)
    for question in CURRENT.questions:
        scale = question.scale
        if answers[question.id] not in scale:
            continue  # unsure, or a question whose options have no such order
        here = scale.index(answers[question.id])
        if here > 0:  # one step towards the closed end
            assert open_lead({**answers, question.id: scale[here - 1]}) <= lead, (question.id, answers)
        if here + 1 < len(scale):  # one step towards the open end
            assert open_lead({**answers, question.id: scale[here + 1]}) >= lead, (question.id, answers)


def brute_force_pivots(answers: dict[str, str]) -> set[tuple[str, str, str]]:
    base = rules.recommend(CURRENT, answers)
    if base.uncertain:
        return set()
    found = set()
    for question in CURRENT.questions:
        for value in question.values:
            if value in (answers[question.id], UNSURE):
                continue
            other = rules.recommend(CURRENT, {**answers, question.id: value}).approach
            if other != base.approach:
                found.add((question.id, value, other))
    return found


@settings(max_examples=100, deadline=None)
@given(answer_sets)
def test_pivots_are_exactly_what_a_brute_force_search_finds(answers):
    pivots = rules.recommend(CURRENT, answers).pivots
    assert {(p.question, p.value, p.approach) for p in pivots} == brute_force_pivots(answers)
    assert len(pivots) == len({(p.question, p.value) for p in pivots})


def unknowns_from_scratch(rules_of, given, decision, confidence, routes):
    """What unanswered.unknowns names, worked out as it was before it re-weighed only what each answer moves:
    every alternative decided, routed and checked for conflicts afresh."""
    found = []
    route_ids = [route.id for route in routes]
    known = {c.text for c in rules_of.conflicts if c.holds(given, route_ids)}
    rank = {"close": 0, "lean": 1, "clear": 2}
    for question in rules_of.questions:
        if given[question.id] != UNSURE:
            continue
        for value in question.values[:-1]:
            changed = rules_of.with_figures({**given, question.id: value})
            other = verdict.decide(rules_of, changed)
            other_routes = [route.id for route in verdict.chosen_routes(rules_of, changed, other)]
            other_conflicts = [c for c in rules_of.conflicts if c.holds(changed, other_routes)]
            effects = []
            if other.approach != decision.approach:
                effects.append("verdict")
            if {c.text for c in other_conflicts} - known:
                effects.append("conflict")
            if other.ruled_out - decision.ruled_out or other.routes_ruled_out - decision.routes_ruled_out:
                effects.append("rules_out")
            if other.approach == decision.approach:
                if other_routes != route_ids:
                    effects.append("route")
                matched = [rule for rule in rules_of.rules if rule.matches(changed)]
                runner_up = verdict.runner_up_of(rules_of, other)
                level = verdict.confidence_of(
                    rules_of, other, runner_up, matched, uncertain=False, conflicts=bool(other_conflicts), given=changed
                )
                if rank[level] < rank[confidence]:
                    effects.append("confidence")
            if effects:
                found.append((question.id, value, effects))
    return found


STAGED = [r for r in ruleset.load_all().values() if r.in_stages]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(STAGED), st.sampled_from(["close", "lean", "clear"]), st.data())
def test_the_unknowns_and_the_questions_to_ask_next_are_what_deciding_each_answer_afresh_finds(rules_of, level, data):
    # unanswered.py weighs each alternative answer from the answers given (verdict.Alternatives): the same
    # findings as deciding, routing and checking every alternative from scratch.
    answers = data.draw(st.fixed_dictionaries({q.id: st.sampled_from(q.values) for q in rules_of.questions}))
    given = rules_of.with_figures(rules.complete(rules_of, answers))
    decision = verdict.decide(rules_of, given)
    routes = verdict.chosen_routes(rules_of, given, decision)
    named = unanswered.unknowns(rules_of, given, decision, level, routes)
    assert [(u.question, u.value, u.effects) for u in named] == unknowns_from_scratch(
        rules_of, given, decision, level, routes
    )
    pulls = []
    for index, question in enumerate(rules_of.questions):
        if given[question.id] == UNSURE:
            others = [verdict.decide(rules_of, {**given, question.id: value}) for value in question.values[:-1]]
            pull = max(
                sum(abs(o.scores[a] - decision.scores[a]) for a in APPROACHES)
                + 10 * (o.ruled_out != decision.ruled_out)
                + 5 * (o.approach != decision.approach)
                for o in others
            )
            pulls.append((-pull, index, question.id))
    assert unanswered.ask_next(rules_of, given, decision) == [q for _, _, q in sorted(pulls)[:3]]


@settings(max_examples=1000, deadline=None)
@given(answer_sets)
def test_every_answer_set_gets_one_verdict_with_its_grounds_or_an_admission_of_doubt(answers):
    recommendation = rules.recommend(CURRENT, answers)
    assert recommendation.approach in APPROACHES
    allowed = [a for a in APPROACHES if a not in {e.approach for e in recommendation.excluded}]
    assert recommendation.approach in allowed
    assert recommendation.scores[recommendation.approach] == max(recommendation.scores[a] for a in allowed)
    assert recommendation.reasons or recommendation.excluded or recommendation.uncertain
    if recommendation.uncertain:
        assert recommendation.pivots == [] and len(recommendation.ask_next) == 3
    else:
        assert recommendation.ask_next == []


@settings(max_examples=1000, deadline=None)
@given(answer_sets)
def test_every_definite_answer_gives_a_reason_a_constraint_or_a_neutral_note(answers):
    recommendation = rules.recommend(CURRENT, answers)
    explained = {(q, v) for reason in recommendation.reasons for q, v in reason.answers.items()}
    explained |= {(item.question, item.value) for item in recommendation.neutral}
    explained |= {(q, answers[q]) for c in CURRENT.constraints if c.matches(answers) for q in c.when}
    for question, value in answers.items():
        if value != UNSURE:
            assert (question, value) in explained


@settings(max_examples=300, deadline=None)
@given(answer_sets)
def test_the_same_answers_in_any_order_give_the_same_result(answers):
    assert rules.recommend(CURRENT, answers) == rules.recommend(CURRENT, dict(reversed(answers.items())))


def test_every_approach_route_and_confidence_level_is_reachable():
    rng = random.Random(20261123)
    seen: Counter[str] = Counter()
    for _ in range(3000):
        recommendation = rules.recommend(CURRENT, {q.id: rng.choice(q.values) for q in CURRENT.questions})
        seen.update([recommendation.approach, recommendation.confidence])
        seen.update(f"{route.approach}:{route.id}" for route in recommendation.routes)
    expected = {*APPROACHES, "clear", "lean", "close"} | {f"{r.approach}:{r.id}" for r in CURRENT.routes}
    assert expected <= set(seen), expected - set(seen)
