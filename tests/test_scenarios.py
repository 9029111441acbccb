"""Every scenario in fixtures/ gets the approach its argument calls for."""

import tomllib
from pathlib import Path

import pytest

from decision import rules, ruleset

SCENARIOS = tomllib.loads((Path(__file__).parent.parent / "fixtures" / "scenarios.toml").read_text())["scenarios"]


def test_there_are_enough_scenarios_for_every_approach():
    assert len(SCENARIOS) >= 10
    assert {scenario["expect"] for scenario in SCENARIOS} == {"open", "closed", "hybrid"}


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[scenario["name"] for scenario in SCENARIOS])
def test_scenario_gets_the_approach_its_argument_calls_for(scenario):
    current = ruleset.current()
    current.answers_model.model_validate(scenario["answers"])  # a typo in a scenario must not pass quietly
    recommendation = rules.recommend(current, scenario["answers"])
    assert recommendation.approach == scenario["expect"], scenario["argument"]
    assert recommendation.uncertain == scenario.get("uncertain", False)
    if not recommendation.uncertain:
        assert any(reason.favours == scenario["expect"] for reason in recommendation.reasons)
