"""The engine: answers in, recommendation out, deciding in stages (constraints, points, route)."""

import json
from pathlib import Path

from profiles import MIXED_ESTATE, OPEN_SHOP, START_UP, scenario

from decision import rules, ruleset, verdict
from decision.entries import UNSURE

CURRENT = ruleset.current()
V1 = ruleset.get("1")


def recommend(answers, **changes):
    return rules.recommend(CURRENT, {**answers, **changes})


# ---------------------------------------------------------------- points


def test_scores_are_the_sum_of_the_matching_rules_weights():
    recommendation = recommend(MIXED_ESTATE)
    for approach in ("open", "closed", "hybrid"):
        expected = sum(reason.weight for reason in recommendation.reasons if reason.favours == approach)
        assert recommendation.scores[approach] == expected


def test_each_reason_names_the_answers_behind_it_strongest_first():
    reasons = recommend(MIXED_ESTATE).reasons
    assert reasons
    for reason in reasons:
        assert all(MIXED_ESTATE[question] == value for question, value in reason.answers.items())
    assert [r.weight for r in reasons] == sorted((r.weight for r in reasons), reverse=True)
    assert {r.strength for r in reasons if r.weight >= 3} == {"strongly"}


def test_a_one_sided_profile_is_a_clear_call_with_its_route():
    recommendation = recommend(START_UP)
    assert (recommendation.approach, recommendation.confidence) == ("closed", "clear")
    assert [(route.approach, route.id) for route in recommendation.routes] == [("closed", "public_api")]
    assert recommendation.excluded == recommendation.conflicts == []


def test_middle_answers_carry_no_weight_of_their_own():
    middle = {
        "budget": "moderate",
        "volume": "steady",
        "compute": "cloud",
        "cloud_platform": "none",
        "customization": "grounding",
        "expertise": "some",
        "data_sensitivity": "internal",
        "deployment": "cloud",
        "transparency": "no",
        "exposure": "internal",
        "timeline": "months",
        "independence": "medium",
    }
    recommendation = rules.recommend(CURRENT, middle)
    assert recommendation.scores == {"open": 0, "closed": 0, "hybrid": 0}
    assert recommendation.uncertain  # nothing tips the balance, so nothing is decided
    assert len(recommendation.neutral) == len(middle)


def test_a_middle_of_the_road_team_is_not_sent_to_a_hybrid():
    recommendation = recommend(scenario("A middle-of-the-road team with nothing that pulls hard"))
    assert recommendation.approach != "hybrid"
    assert recommendation.scores["hybrid"] == 0


def test_hybrid_needs_work_that_splits():
    broad_and_sensitive = {**MIXED_ESTATE, "volume": "steady"}
    assert recommend(broad_and_sensitive).approach == "hybrid"
    assert recommend(broad_and_sensitive, workloads="one").approach != "hybrid"


# ---------------------------------------------------------------- constraints and conflicts


def test_restricted_data_with_no_servers_is_never_closed_and_names_the_conflicts():
    answers = {**START_UP, "data_sensitivity": "restricted"}
    recommendation = rules.recommend(CURRENT, answers)
    assert recommendation.approach == "open"
    assert recommendation.confidence != "clear"
    assert [e.approach for e in recommendation.excluded] == ["closed", "hybrid"]
    assert recommendation.excluded[0].text.startswith("Closed was ruled out:")
    assert recommendation.excluded[0].questions == ["data_sensitivity"]
    assert {tuple(c.questions) for c in recommendation.conflicts} == {
        ("data_sensitivity", "compute", "deployment"),  # deployment: anywhere but premises, which has its own
        ("data_sensitivity", "expertise", "deployment"),
        ("volume", "budget", "task_scope"),  # v5: GPUs rented all month cost more than the budget
    }
    assert all(c.resolve for c in recommendation.conflicts)
    # Served per token is ruled out too, so the route is one the team runs itself.
    assert recommendation.routes[0].id == "rented_gpus"
    assert "managed_open" in {r.route for r in recommendation.excluded_routes}


def test_restricted_data_in_a_hybrid_is_placed_on_the_open_side():
    answers = {**MIXED_ESTATE, "data_sensitivity": "restricted"}
    recommendation = recommend(answers)
    assert recommendation.approach == "hybrid"
    assert any("restricted" in item for item in recommendation.placements["open"])
    open_route = next(route for route in recommendation.routes if route.approach == "open")
    assert open_route.id != "managed_open"


def test_changing_the_model_or_a_required_audit_or_a_device_rules_out_closed():
    for change in ({"customization": "deep"}, {"transparency": "required"}, {"deployment": "device"}):
        recommendation = recommend(START_UP, **change)
        assert recommendation.approach != "closed", change
        assert "closed" in [e.approach for e in recommendation.excluded], change


def test_premises_leaves_only_open_on_your_own_hardware():
    recommendation = recommend(START_UP, deployment="premises")
    assert recommendation.approach == "open"
    assert [e.approach for e in recommendation.excluded] == ["closed", "hybrid"]
    assert recommendation.routes[0].id == "self_hosted"
    assert recommendation.conflicts  # and it has no servers there: a conflict, not a clear call
    assert recommendation.confidence != "clear"


def test_no_servers_and_open_means_open_weights_served_per_token():
    answers = scenario("A charity with volunteers and public documents")
    recommendation = recommend(answers, independence="critical")  # rules closed out
    assert recommendation.approach == "open"
    assert recommendation.routes[0].id == "managed_open"


def test_confidential_data_no_servers_and_a_cloud_agreement_means_a_private_deployment():
    recommendation = recommend(scenario("A hospital group with patient data, no ML team and a cloud agreement"))
    assert recommendation.approach == "closed"
    assert recommendation.routes[0].id == "private_cloud"


def test_a_hybrid_names_the_route_of_each_side():
    routes = recommend(MIXED_ESTATE).routes
    assert [route.approach for route in routes] == ["open", "closed"]
    assert all(route.text for route in routes)


# ---------------------------------------------------------------- confidence


def test_a_strong_reason_for_an_allowed_rival_keeps_a_call_from_being_clear():
    answers = scenario("A retailer generating product descriptions at scale")
    recommendation = recommend(answers)
    first, second = sorted(recommendation.scores.values(), reverse=True)[:2]
    assert first - second >= CURRENT.confidence.clear_margin  # the margin alone would say clear
    assert any(r.favours != recommendation.approach and r.weight >= 3 for r in recommendation.reasons)
    assert recommendation.confidence == "lean"


def test_an_unanswered_question_that_could_change_the_verdict_keeps_it_from_being_clear():
    recommendation = recommend(scenario("A team unsure of half the answers"))
    assert recommendation.confidence == "lean"
    assert any(scenario("A team unsure of half the answers").get(p.question) is None for p in recommendation.pivots)


def test_all_unsure_is_too_uncertain_and_points_to_the_questions_that_decide_most():
    recommendation = rules.recommend(CURRENT, {})
    assert recommendation.uncertain
    assert recommendation.confidence == "close"
    assert recommendation.reasons == recommendation.pivots == []
    assert len(recommendation.ask_next) == 3
    assert set(recommendation.ask_next) <= {q.id for q in CURRENT.questions}


def test_the_questions_to_ask_next_are_the_ones_that_move_the_result_most():
    few = {"compute": "none", "expertise": "none", "timeline": "weeks"}
    recommendation = rules.recommend(CURRENT, few)
    assert recommendation.uncertain and recommendation.answered == 3
    assert not set(recommendation.ask_next) & set(few)
    base = verdict.decide(CURRENT, rules.complete(CURRENT, few))
    # Each of the three can rule an approach out or change the leaning; a question about support cannot.
    for question_id in recommendation.ask_next:
        question = CURRENT.questions_by_id[question_id]
        outcomes = [verdict.decide(CURRENT, {**rules.complete(CURRENT, few), question_id: v}) for v in question.values]
        assert any(o.ruled_out != base.ruled_out or o.approach != base.approach for o in outcomes), question_id
    assert "support" not in recommendation.ask_next


# ---------------------------------------------------------------- pivots, neutral answers, caveats


def test_pivots_are_single_answers_that_really_change_the_verdict():
    answers = rules.complete(CURRENT, OPEN_SHOP)
    recommendation = rules.recommend(CURRENT, answers)
    for pivot in recommendation.pivots:
        assert answers[pivot.question] != pivot.value != UNSURE
        changed = rules.recommend(CURRENT, {**answers, pivot.question: pivot.value})
        assert changed.approach == pivot.approach != recommendation.approach


def test_neutral_answers_are_reported_with_their_note():
    recommendation = recommend(START_UP, customization="grounding")
    assert ("customization", "grounding") in [(n.question, n.value) for n in recommendation.neutral]


def test_caveats_and_steps_come_from_the_approach_its_route_and_the_answers():
    recommendation = recommend(START_UP)
    route = CURRENT.routes_by_id["public_api"]
    assert set(CURRENT.approaches["closed"].caveats) <= set(recommendation.caveats)
    assert set(route.caveats) <= set(recommendation.caveats)
    assert set(route.next_steps) <= set(recommendation.next_steps)
    assert any("indemnity" in caveat for caveat in recommendation.caveats)  # public exposure, closed
    assert not any("licence" in caveat for caveat in recommendation.caveats)  # an open-side caveat


# ---------------------------------------------------------------- version 1 still computes as it did


def as_stored(computed, stored):
    """What was computed, less the keys added since v1 was stored: lists that must then be empty, and the
    runner-up, which only names what the scores already say."""
    if isinstance(stored, dict):
        assert all(computed[key] in ([], None) for key in computed.keys() - stored.keys() - {"runner_up"})
        return {key: as_stored(computed[key], value) for key, value in stored.items()}
    if isinstance(stored, list):
        return [as_stored(c, s) for c, s in zip(computed, stored, strict=True)]
    return computed


def test_version_1_still_computes_exactly_what_it_stored():
    golden = json.loads((Path(__file__).parent / "data" / "v1_results.json").read_text())
    for case in golden:
        stored = case["row"]["recommendation"]
        again = rules.recommend(V1, case["row"]["answers"]).model_dump(mode="json")
        assert as_stored(again, stored) == stored, case["name"]


def test_an_approach_whose_every_route_a_must_rules_out_is_ruled_out_and_says_why():
    # No shipped ruleset rules out every route of a side one by one, but a ruleset may: the approach then has
    # no way to be carried out, and the result says so, naming the questions of the musts that did it.
    current = ruleset.current()
    musts = [
        {"id": f"no-{route}", "when": {"support": ["community"]}, "route": route, "text": f"Not {route}."}
        for route in ("public_api", "private_cloud")
    ]
    data = current.model_dump(mode="json")
    data["constraints"] = [*data["constraints"], *musts]
    strict = ruleset.Ruleset.model_validate(data)
    answers = {**MIXED_ESTATE, "support": "community"}

    rec = rules.recommend(strict, answers)

    assert rec.approach == "open"
    (closed,) = [e for e in rec.excluded if e.approach == "closed"]
    assert closed.text.startswith(f"{current.approaches['closed'].name} was ruled out: no way to carry it out")
    assert closed.questions == ["support"]
    assert "hybrid" in {e.approach for e in rec.excluded}  # a hybrid needs both sides
