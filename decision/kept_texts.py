"""The ruleset's question and approach texts as a result keeps them (snapshot.Shown): copies made once per loaded
ruleset (Ruleset.kept_questions), since every result of a version keeps the same ones."""

from __future__ import annotations

from decision.entries import UNSURE_LABEL, Identifier
from decision.frozen import Frozen as Kept


class ShownOption(Kept):
    value: Identifier
    label: str
    event: str = ""  # the answer as something that could happen, for a record's revisit triggers


class ShownQuestion(Kept):
    id: Identifier
    section: Identifier
    text: str
    options: tuple[ShownOption, ...]

    def label(self, value: str) -> str:
        return next((option.label for option in self.options if option.value == value), UNSURE_LABEL)


class ShownApproach(Kept):
    name: str
    headline: str
    summary: str


class ShownRoute(Kept):
    phrase: str  # how the route reads after a verdict: "through a vendor's shared API"
