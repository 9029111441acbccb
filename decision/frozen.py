"""The one base of every model here: a value with each field declared (an unknown one is an error) and none
changed once made. Rulesets, recommendations, costs, shortlists and what a result keeps all build on it."""

from pydantic import BaseModel, ConfigDict


class Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
