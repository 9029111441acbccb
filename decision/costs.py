"""What each way of paying per token would cost a month, from the volume and the market catalogue: pure
arithmetic, every figure with the prices it rests on, rounded honestly.

No Django, no I/O. The volume comes from the answer (a band) or from an exact monthly token count and input
share typed on the result page. Routes the team runs itself (rented GPUs, its own hardware) need GPU hours,
utilisation and staff, which are not estimated here yet: the panel says so rather than guess.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict

from decision.catalogue import Catalogue, Price

# The volume bands of the question "How much will the model be used once it is live?", in tokens a month. The
# heavy band has no upper end in the question; five billion stands for "around the clock" until an exact count
# is typed.
BANDS: dict[str, tuple[int, int]] = {
    "light": (1_000_000, 10_000_000),
    "steady": (10_000_000, 1_000_000_000),
    "heavy": (1_000_000_000, 5_000_000_000),
}
INPUT_SHARE = 0.8  # four-fifths of the tokens are input (prompts, documents) unless the team says otherwise


class Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Volume(Frozen):
    low: int  # tokens a month
    high: int
    input_share: float
    exact: bool  # typed by the team, not the band


class PriceUsed(Frozen):
    model: str  # the model's name
    seller: str
    input_per_m: float
    output_per_m: float
    source: str
    checked: str


class Estimate(Frozen):
    """One way of paying per token: a monthly range and the prices it rests on."""

    key: str
    label: str
    low: float  # USD a month
    high: float
    cheapest: PriceUsed
    dearest: PriceUsed


class Costs(Frozen):
    catalogue_date: str
    volume: Volume
    estimates: list[Estimate]


# Each per-token way of buying a model: its key, how it reads, the routes whose prices count, the model tiers
# (all when empty) and the kind of model.
Kind = tuple[str, str, frozenset[str], frozenset[str], str]
PER_TOKEN = frozenset({"managed_open", "private_cloud"})  # open weights, by a host or by your cloud
KINDS: tuple[Kind, ...] = (
    (
        "api_leading",
        "A leading closed model, vendor's API",
        frozenset({"public_api"}),
        frozenset({"leading"}),
        "closed",
    ),
    ("api_small", "A small closed model, vendor's API", frozenset({"public_api"}), frozenset({"small"}), "closed"),
    ("cloud_service", "A closed model, a cloud's model service", frozenset({"private_cloud"}), frozenset(), "closed"),
    ("open_large", "A large open-weight model served per token", PER_TOKEN, frozenset({"leading", "mid"}), "open"),
    ("open_small", "A small open-weight model served per token", PER_TOKEN, frozenset({"small", "device"}), "open"),
)


def volume_of(answer: str, tokens: int | None = None, input_share: float | None = None) -> Volume | None:
    """The monthly tokens to price: an exact count when typed, else the answer's band; None when neither."""
    share = INPUT_SHARE if input_share is None else input_share
    if tokens is not None:
        return Volume(low=tokens, high=tokens, input_share=share, exact=True)
    if answer not in BANDS:
        return None
    low, high = BANDS[answer]
    return Volume(low=low, high=high, input_share=share, exact=False)


def estimate(catalogue: Catalogue, volume: Volume) -> Costs:
    """The monthly cost of each per-token way of buying a model, from the cheapest to the dearest price listed."""
    found = []
    for key, label, routes, tiers, kind in KINDS:
        prices = [
            p
            for p in catalogue.prices
            if p.route in routes
            and catalogue.models_by_id[p.model].kind == kind
            and (not tiers or catalogue.models_by_id[p.model].tier in tiers)
        ]
        if not prices:
            continue
        cheapest = min(prices, key=lambda p: p.per_million(volume.input_share))
        dearest = max(prices, key=lambda p: p.per_million(volume.input_share))
        found.append(
            Estimate(
                key=key,
                label=label,
                low=rounded(volume.low / 1e6 * cheapest.per_million(volume.input_share)),
                high=rounded(volume.high / 1e6 * dearest.per_million(volume.input_share)),
                cheapest=used(catalogue, cheapest),
                dearest=used(catalogue, dearest),
            )
        )
    return Costs(catalogue_date=catalogue.date, volume=volume, estimates=found)


def used(catalogue: Catalogue, price: Price) -> PriceUsed:
    return PriceUsed(
        model=catalogue.models_by_id[price.model].name,
        seller=price.seller,
        input_per_m=price.input_per_m,
        output_per_m=price.output_per_m,
        source=price.source,
        checked=price.checked,
    )


def rounded(dollars: float) -> float:
    """To two significant figures, and never below a dollar: list prices and bands are no more exact."""
    if dollars < 1:
        return 1.0 if dollars > 0 else 0.0
    digits = 1 - math.floor(math.log10(dollars))
    return float(round(dollars, digits))


def in_words(dollars: float) -> str:
    """$1,200 a month, $45, under $1."""
    if dollars < 1:
        return "under $1"
    return f"${dollars:,.0f}"


def tokens_in_words(tokens: int) -> str:
    for size, name in ((1_000_000_000, "billion"), (1_000_000, "million")):
        if tokens >= size:
            amount = tokens / size
            return f"{amount:g} {name}"
    return f"{tokens:,}"


def sources(estimates: Iterable[Estimate]) -> list[PriceUsed]:
    """Every price behind the estimates, once."""
    seen: dict[tuple[str, str], PriceUsed] = {}
    for item in estimates:
        for price in (item.cheapest, item.dearest):
            seen.setdefault((price.model, price.seller), price)
    return list(seen.values())
