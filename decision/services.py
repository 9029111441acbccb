"""The few functions with side effects."""

from __future__ import annotations

from collections.abc import Mapping

from decision import rules
from decision.models import Result
from decision.ruleset import Ruleset


def result_create(*, ruleset: Ruleset, answers: Mapping[str, str | None]) -> Result:
    """Compute a recommendation from allow-listed answers and store it, with the ruleset version."""
    given = rules.complete(ruleset, answers)
    recommendation = rules.recommend(ruleset, given)
    return Result.objects.create(
        answers=given,
        ruleset_version=ruleset.version,
        recommendation=recommendation.model_dump(mode="json"),
    )


def result_get(result_id: str) -> Result | None:
    return Result.objects.filter(pk=result_id).first()
