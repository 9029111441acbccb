"""Properties of the engine over the whole answer space.

There are 4^10 x 5^2 (about 26 million) answer sets. Hypothesis explores them for the properties every
single answer set must have; the share each approach wins is measured on a seeded uniform sample of
50,000, whose 95% margin of error is under half a percentage point.
"""

import random
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from decision import rules, ruleset
from decision.ruleset import UNSURE

CURRENT = ruleset.current()
answer_sets = st.fixed_dictionaries({q.id: st.sampled_from(q.values) for q in CURRENT.questions})


@settings(max_examples=1500, deadline=None)
@given(answer_sets)
def test_every_answer_set_gets_one_verdict_with_reasons_or_an_admission_of_doubt(answers):
    recommendation = rules.recommend(CURRENT, answers)
    assert recommendation.approach in ("open", "closed", "hybrid")
    assert recommendation.scores[recommendation.approach] == max(recommendation.scores.values())
    assert recommendation.reasons or recommendation.uncertain
    if recommendation.scores[recommendation.approach] > 0:
        assert any(reason.favours == recommendation.approach for reason in recommendation.reasons)


@settings(max_examples=1500, deadline=None)
@given(answer_sets)
def test_every_definite_answer_gives_a_reason_or_is_declared_neutral(answers):
    recommendation = rules.recommend(CURRENT, answers)
    explained = {(q, v) for reason in recommendation.reasons for q, v in reason.answers.items()}
    explained |= {(item.question, item.value) for item in recommendation.neutral}
    for question, value in answers.items():
        if value != UNSURE:
            assert (question, value) in explained


@settings(max_examples=500, deadline=None)
@given(answer_sets)
def test_the_same_answers_always_give_the_same_result(answers):
    assert rules.recommend(CURRENT, answers) == rules.recommend(CURRENT, dict(reversed(answers.items())))


@settings(max_examples=500, deadline=None)
@given(answer_sets)
def test_confidence_follows_the_margin(answers):
    recommendation = rules.recommend(CURRENT, answers)
    first, second, _ = sorted(recommendation.scores.values(), reverse=True)
    if recommendation.uncertain:
        assert recommendation.confidence == "close"
    elif first - second >= CURRENT.confidence.clear_margin:
        assert recommendation.confidence == "clear"
    elif first - second >= CURRENT.confidence.lean_margin:
        assert recommendation.confidence == "lean"
    else:
        assert recommendation.confidence == "close"


def sample(size, seed):
    rng = random.Random(seed)
    return [{q.id: rng.choice(q.values) for q in CURRENT.questions} for _ in range(size)]


def test_every_approach_is_reachable_and_none_wins_more_than_60_percent():
    wins = Counter(rules.verdict(CURRENT, answers) for answers in sample(50_000, seed=20261122))
    shares = {approach: count / 50_000 for approach, count in wins.items()}
    assert set(shares) == {"open", "closed", "hybrid"}
    assert max(shares.values()) < 0.595, shares  # 60% less the sample's margin of error
    assert min(shares.values()) > 0.05, shares


def test_every_confidence_level_occurs():
    levels = Counter(rules.recommend(CURRENT, answers).confidence for answers in sample(3_000, seed=7))
    assert set(levels) == {"clear", "lean", "close"}
