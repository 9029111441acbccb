"""The figures a ruleset may weigh (v5 on): what the answers would cost a month, named like questions.

A condition may name a figure ("closed_cost", "renting") as it names a question; its value is worked out from the
volume, the budget and the kind of work at the market catalogue's prices. This module holds their names, the
values each can take, the placeholders a text may quote amounts with, and the small sums that set a cost against
a budget; the Ruleset model works the values out with the price book it is loaded with.
"""

from __future__ import annotations

from collections.abc import Iterable

from decision import costs

# Figures (v5 on): what the answers would cost a month at the market catalogue's prices, set against the budget
# answer, which conditions may name like questions. The engine works them out from the volume, the budget and the
# kind of work with the price book a ruleset is loaded with (costs.price_book); "unsure" when the volume or the
# budget is. Texts may quote the amounts: {closed_cost}, {open_cost}, {rented_cost} and {budget}.
FIGURE_INPUTS = ("volume", "budget", "task_scope")
FIT = {
    "within": "within your budget",
    "may_exceed": "beyond your budget at the top of its range",
    "beyond": "beyond your budget even at the bottom of its range",
}
FIGURES: dict[str, tuple[str, dict[str, str]]] = {
    "closed_cost": (
        "What the closed model your work needs costs a month through its vendor's API (a leading or mid-sized model "
        "for broad work, a small one for focused or specialised work)",
        FIT,
    ),
    "open_cost": ("What an open-weight model of the same class costs a month, served per token", FIT),
    "rented_cost": ("What GPUs rented to run such a model cost a month, with a share of an engineer's time", FIT),
    "renting": (
        "Renting GPUs, against paying per token for the same open model at your volume",
        {"cheaper": "cheaper even at the dearest hourly rate", "dearer": "not cheaper"},
    ),
}
PLACEHOLDERS = ("closed_cost", "open_cost", "rented_cost", "budget", "band")
# How a text that quotes amounts reads where no answers are given ("How it decides").
PLACEHOLDER_WORDS = {
    "closed_cost": "[what that closed model costs a month at your volume]",
    "open_cost": "[what an open-weight model of its class costs a month served per token]",
    "rented_cost": "[what rented GPUs and the engineer's share cost a month]",
    "budget": "[your budget's ceiling]",
    "band": "[your volume band]",
}
# The price book: for each volume band and class of work ("heavy:broad", "light:narrow"), each figure's monthly
# low and high in US dollars.
PriceBook = dict[str, dict[str, tuple[float, float]]]


def asked(names: Iterable[str]) -> list[str]:
    """The questions behind a condition: each figure stands for the answers it is worked out from."""
    found: list[str] = []
    for name in names:
        found += FIGURE_INPUTS if name in FIGURES else [name]
    return list(dict.fromkeys(found))


def work_class(task_scope: str | None) -> str:
    """The class of model the work needs: a small one for focused or specialised work, a leading one otherwise."""
    return "narrow" if task_scope in ("focused", "specialised") else "broad"


def fit(low: float, high: float, ceiling: int | None) -> str:
    if ceiling is None or high <= ceiling:
        return "within"
    return "may_exceed" if low <= ceiling else "beyond"


def monthly(low: float, high: float) -> str:
    amounts = costs.money_range(low, high)
    return f"{amounts} a month" if amounts.startswith("under") else f"about {amounts} a month"
