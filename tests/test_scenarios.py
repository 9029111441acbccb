"""Every argued scenario in fixtures/ gets an approach a careful CTO would accept, with an honest confidence."""

import pytest
from profiles import SCENARIOS

from decision import rules, ruleset

CURRENT = ruleset.current()


def test_there_are_enough_scenarios_from_across_the_field():
    assert len(SCENARIOS) >= 30
    single = [s["accept"][0] for s in SCENARIOS if len(s["accept"]) == 1]
    assert {"open", "closed", "hybrid"} <= set(single)
    assert any(s.get("uncertain") for s in SCENARIOS)
    assert any(s.get("conflicts") for s in SCENARIOS)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[scenario["name"] for scenario in SCENARIOS])
def test_scenario_gets_an_approach_its_argument_accepts(scenario):
    # A scenario runs against the released version, or against the draft it argues ("version").
    found = ruleset.get(scenario["version"]) if "version" in scenario else CURRENT
    assert found is not None, f"no ruleset version {scenario['version']}"
    found.answers_model.model_validate(scenario["answers"])  # a typo in a scenario must not pass quietly
    recommendation = rules.recommend(found, scenario["answers"])
    assert recommendation.approach in scenario["accept"], scenario["argument"]
    assert recommendation.confidence in scenario["confidence"], scenario["argument"]
    assert recommendation.uncertain == scenario.get("uncertain", False)
    if "route" in scenario:
        assert recommendation.routes[0].id == scenario["route"]
    if "routes" in scenario:  # a hybrid's two sides, open first
        assert [route.id for route in recommendation.routes] == scenario["routes"], scenario["argument"]
    excluded = {exclusion.approach for exclusion in recommendation.excluded}
    assert set(scenario.get("excluded", [])) <= excluded
    assert not set(scenario.get("not_excluded", [])) & excluded
    if "conflicts" in scenario:
        assert len(recommendation.conflicts) == scenario["conflicts"]
    named = {unknown.question for unknown in recommendation.unknowns}
    assert set(scenario.get("named_unknowns", [])) <= named, named
    if not recommendation.uncertain and not recommendation.excluded:
        assert any(reason.favours == recommendation.approach for reason in recommendation.reasons)
