"""The engine: answers in, recommendation out."""

from profiles import START_UP

from decision import rules, ruleset
from decision.ruleset import UNSURE

CURRENT = ruleset.current()


def test_same_answers_give_the_same_recommendation():
    assert rules.recommend(CURRENT, START_UP) == rules.recommend(CURRENT, dict(START_UP))


def test_scores_are_the_sum_of_the_matching_rules_weights():
    recommendation = rules.recommend(CURRENT, START_UP)
    for approach in ("open", "closed", "hybrid"):
        expected = sum(reason.weight for reason in recommendation.reasons if reason.favours == approach)
        assert recommendation.scores[approach] == expected


def test_the_highest_score_wins():
    recommendation = rules.recommend(CURRENT, START_UP)
    assert recommendation.approach == max(recommendation.scores, key=recommendation.scores.__getitem__)


def test_each_reason_names_the_answers_behind_it():
    recommendation = rules.recommend(CURRENT, START_UP)
    assert recommendation.reasons
    for reason in recommendation.reasons:
        assert reason.answers
        for question, value in reason.answers.items():
            assert START_UP[question] == value


def test_reasons_come_strongest_first_with_a_readable_strength():
    reasons = rules.recommend(CURRENT, START_UP).reasons
    weights = [reason.weight for reason in reasons]
    assert weights == sorted(weights, reverse=True)
    assert {reason.strength for reason in reasons if reason.weight >= 3} == {"strongly"}
    assert {reason.strength for reason in reasons if reason.weight == 1} <= {"slightly"}


def test_restricted_data_is_explained_in_plain_words():
    recommendation = rules.recommend(CURRENT, {**START_UP, "data_sensitivity": "restricted"})
    texts = [reason.text for reason in recommendation.reasons if reason.answers == {"data_sensitivity": "restricted"}]
    assert texts == [next(rule.reason for rule in CURRENT.rules if rule.id == "data-restricted")]
    assert "never leave your infrastructure" in texts[0]


def test_all_unsure_is_too_uncertain_to_decide():
    recommendation = rules.recommend(CURRENT, {})
    assert recommendation.uncertain
    assert recommendation.confidence == "close"
    assert recommendation.answered == 0
    assert recommendation.reasons == []
    assert recommendation.approach == CURRENT.tie_break.order[0]
    assert recommendation.tie_broken


def test_a_few_answers_are_still_too_uncertain():
    few = {"compute": "none", "expertise": "none", "timeline": "weeks"}
    recommendation = rules.recommend(CURRENT, few)
    assert recommendation.answered == 3 < CURRENT.confidence.min_answered
    assert recommendation.uncertain
    assert recommendation.confidence == "close"


def test_missing_answers_count_as_unsure():
    assert rules.recommend(CURRENT, {"budget": "minimal"}) == rules.recommend(
        CURRENT, {**dict.fromkeys((q.id for q in CURRENT.questions), UNSURE), "budget": "minimal"}
    )


def test_a_one_sided_profile_is_a_clear_call():
    recommendation = rules.recommend(CURRENT, START_UP)
    assert recommendation.approach == "closed"
    assert recommendation.confidence == "clear"
    assert not recommendation.uncertain


def test_hybrid_wins_when_sensitive_data_meets_broad_work_and_says_which_work_goes_where():
    answers = {
        **START_UP,
        "budget": "moderate",
        "volume": "steady",
        "compute": "cloud",
        "expertise": "some",
        "data_sensitivity": "confidential",
        "timeline": "months",
        "independence": "medium",
    }
    recommendation = rules.recommend(CURRENT, answers)
    assert recommendation.approach == "hybrid"
    assert any(reason.rule == "sensitive-data-broad-work" for reason in recommendation.reasons)
    assert "Anything that reads confidential or restricted data." in recommendation.placements["open"]
    assert "Open-ended work that needs the strongest general ability." in recommendation.placements["closed"]


def test_placements_are_only_given_for_a_hybrid():
    recommendation = rules.recommend(CURRENT, START_UP)
    assert recommendation.placements == {"open": [], "closed": []}


def test_caveats_and_next_steps_belong_to_the_chosen_approach():
    recommendation = rules.recommend(CURRENT, START_UP)
    text = CURRENT.approaches[recommendation.approach]
    assert recommendation.caveats == list(text.caveats)
    assert recommendation.next_steps == list(text.next_steps)


def test_neutral_answers_are_reported_with_their_note():
    recommendation = rules.recommend(CURRENT, {**START_UP, "customization": "grounding"})
    assert [(n.question, n.value) for n in recommendation.neutral] == [("customization", "grounding")]
    assert "retrieval" in recommendation.neutral[0].note


def test_pivots_are_single_answers_that_really_change_the_verdict():
    answers = rules.complete(CURRENT, {**START_UP, "compute": "own", "expertise": "strong", "independence": "critical"})
    recommendation = rules.recommend(CURRENT, answers)
    assert recommendation.pivots
    for pivot in recommendation.pivots:
        changed = rules.recommend(CURRENT, {**answers, pivot.question: pivot.value})
        assert changed.approach == pivot.approach != recommendation.approach


def test_a_landslide_has_no_pivots():
    assert rules.recommend(CURRENT, START_UP).pivots == []


def test_the_engine_imports_no_django():
    import ast
    from pathlib import Path

    for module in ("rules.py", "ruleset.py", "wizard.py"):
        tree = ast.parse((Path(rules.__file__).parent / module).read_text())
        imported = [
            name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
            for name in ([node.module] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names])
        ]
        assert not any(name and name.startswith("django") for name in imported), module
