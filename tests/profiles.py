"""Named answer sets that several test files share, taken from the argued scenarios in fixtures/."""

import tomllib
from pathlib import Path

SCENARIOS = tomllib.loads((Path(__file__).parent.parent / "fixtures" / "scenarios.toml").read_text())["scenarios"]


def scenario(name: str) -> dict[str, str]:
    (found,) = [each for each in SCENARIOS if each["name"] == name]
    return dict(found["answers"])


# No servers, no ML team, public data, a launch in weeks: a clear call for a closed model's API.
START_UP = scenario("A two-person start-up testing an idea")
# Restricted data on premises, an audit, own GPUs and a strong team: a clear call for open weights.
OPEN_SHOP = scenario("A hospital summarising patient records on its own servers")
# Student data beside broad work at heavy volume, several tasks: a hybrid.
MIXED_ESTATE = scenario("An education platform with student data at scale")
