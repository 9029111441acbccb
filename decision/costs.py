"""What each route would cost a month, from the volume and the market catalogue: pure arithmetic, every
figure with the prices and assumptions it rests on, rounded honestly.

No Django, no I/O. The volume comes from the answer (a band) or from an exact monthly token count and input
share typed on the result page. Paying per token is tokens times price. Renting GPUs is GPU hours (paid busy or
idle) for enough GPUs to serve the output at a stated utilisation of a measured throughput, plus a stated share
of an engineer. Hardware of your own (bought, amortised, powered) is not estimated yet: no purchase price in the
catalogue rests on a source. The prices and rates are read from the copy of the catalogue a result keeps
(market_copy.py), so that its figures never change.
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from decision.frozen import Frozen
from decision.market_copy import GpuHour, Market, Measured, Power, Priced, Server

# The volume bands of the question "How much will the model be used once it is live?", in tokens a month. The
# heavy band has no upper end in the question; five billion stands for "around the clock" until an exact count
# is typed.
BANDS: dict[str, tuple[int, int]] = {
    "light": (1_000_000, 10_000_000),
    "steady": (10_000_000, 1_000_000_000),
    "heavy": (1_000_000_000, 5_000_000_000),
}
INPUT_SHARE = 0.8  # four-fifths of the tokens are input (prompts, documents) unless the team says otherwise


class Volume(Frozen):
    low: int  # tokens a month
    high: int
    input_share: float
    exact: bool  # typed by the team, not the band


class Estimate(Frozen):
    """One way of paying per token: a monthly range and the prices it rests on."""

    key: str
    label: str
    low: float  # USD a month
    high: float
    cheapest: Priced
    dearest: Priced


class SelfRun(Frozen):
    """Renting GPUs and running the model yourselves: GPUs for the output at the stated utilisation, kept all
    month, and a share of an engineer."""

    model: str
    gpu: str
    gpus: int
    measured: Measured
    cheapest: GpuHour
    dearest: GpuHour
    gpu_low: float  # USD a month for the GPUs
    gpu_high: float
    staff: float  # USD a month for the share of an engineer
    low: float
    high: float
    # Against the cheapest per-token price of the same model: the monthly tokens above which renting (enough GPUs
    # at the cheapest rate, and the engineer's share) costs less, and how many GPUs that takes; None when renting
    # never costs less at these prices (a GPU's tokens cost more than the per-token price) or no host lists it.
    break_even_tokens: int | None
    break_even_gpus: int | None = None
    per_token: Priced | None  # None when no host lists the model per token
    # A million tokens on one GPU at the cheapest hourly rate, as busy as assumed, and the same paid per token.
    gpu_per_million: float = 0.0
    token_per_million: float | None = None
    capacity: float = 0.0  # the tokens a month one GPU serves, as busy as assumed
    engineer_month: float = 0.0

    def gpus_for(self, tokens: float) -> int:
        """GPUs enough for this many tokens a month, one at least, as busy as assumed."""
        return max(1, math.ceil(tokens / self.capacity)) if self.capacity else self.gpus


class Owned(Frozen):
    """A server of your own: bought and written off over the stated months, its power at most with the data
    centre's overhead, and the engineer's share; and, for a server already bought, the power and people alone."""

    server: Server
    power: Power
    amortised: float  # USD a month
    electricity: float
    staff: float
    bought: float  # all three
    running: float  # power and people, for a server already bought


class Costs(Frozen):
    catalogue_date: str
    volume: Volume
    estimates: list[Estimate]
    rented: SelfRun | None = None
    owned: Owned | None = None


# Renting GPUs: the assumptions, stated on the page.
HOURS_A_MONTH = 730
UTILISATION = 0.3  # the share of a benchmark's peak throughput a service keeps up over a month, on average
ENGINEER_SHARE = 0.2  # of one engineer's time to run the service: our assumption, no published measure found
GPUS_PER_SERVER = 8  # the engineer's share is for each server of up to eight GPUs: a fleet takes more people


def staff_for(engineer_month: float, gpus: int) -> float:
    return engineer_month * ENGINEER_SHARE * math.ceil(gpus / GPUS_PER_SERVER)


# Each per-token way of buying a model: its key, how it reads, the routes whose prices count, the model tiers
# (all when empty) and the kind of model.
Kind = tuple[str, str, frozenset[str], frozenset[str], str]
PER_TOKEN = frozenset({"managed_open", "private_cloud"})  # open weights, by a host or by your cloud
API = frozenset({"public_api"})
CLOUD = frozenset({"private_cloud"})
LARGE = frozenset({"leading", "mid"})  # the class of model broad work needs
SMALL = frozenset({"small"})
KINDS: tuple[Kind, ...] = (
    ("api_leading", "A leading or mid-sized closed model through its vendor's API", API, LARGE, "closed"),
    ("api_small", "A small closed model through its vendor's API", API, SMALL, "closed"),
    ("cloud_service", "A leading or mid-sized closed model in a cloud's model service", CLOUD, LARGE, "closed"),
    ("cloud_service_small", "A small closed model in a cloud's model service", CLOUD, SMALL, "closed"),
    ("open_large", "A large open-weight model served per token", PER_TOKEN, LARGE, "open"),
    ("open_small", "A small open-weight model served per token", PER_TOKEN, SMALL, "open"),
    ("cloud_open_large", "A large open-weight model in a cloud's model service", CLOUD, LARGE, "open"),
    ("cloud_open_small", "A small open-weight model in a cloud's model service", CLOUD, SMALL, "open"),
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


def estimate(kept: Market, volume: Volume, *, broad: bool = True) -> Costs:
    """The monthly cost of each per-token way of buying a model, from the cheapest to the dearest price listed,
    and of renting GPUs to run an open model of the size the work needs (a large one for broad work)."""
    found = []
    listed = list(kept.prices)
    for key, label, routes, tiers, kind in KINDS:
        prices = [p for p in listed if p.route in routes and p.kind == kind and (not tiers or p.tier in tiers)]
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
                cheapest=cheapest,
                dearest=dearest,
            )
        )
    return Costs(
        catalogue_date=kept.date,
        volume=volume,
        estimates=found,
        rented=rented(kept, volume, broad=broad),
        owned=owned(kept),
    )


def for_answers(
    kept: Market, answers: dict[str, str], tokens: int | None = None, input_share: float | None = None
) -> Costs | None:
    """The estimates for a set of answers: their volume band (or the exact count typed), and an open model of the
    size their work needs (a large one unless the work is focused or specialised). None with no volume to price."""
    volume = volume_of(answers.get("volume", ""), tokens, input_share)
    if volume is None:
        return None
    return estimate(kept, volume, broad=answers.get("task_scope") not in ("focused", "specialised"))


def price_book(kept: Market) -> dict[str, dict[str, tuple[float, float]]]:
    """For each volume band and class of work ("heavy:broad"), what the rules weigh against the budget: the
    closed model the work needs through its vendor's API, an open-weight model of the same class served per
    token, and rented GPUs to run one with the engineer's share; monthly low and high in US dollars."""
    book = {}
    for band in BANDS:
        for work, broad in (("broad", True), ("narrow", False)):
            found = estimate(kept, volume_of(band), broad=broad)  # type: ignore[arg-type]
            by_key = {e.key: (e.low, e.high) for e in found.estimates}
            figures = {}
            for name, key in (
                ("closed_cost", "api_leading" if broad else "api_small"),
                ("open_cost", "open_large" if broad else "open_small"),
            ):
                if key in by_key:
                    figures[name] = by_key[key]
            if found.rented is not None:
                figures["rented_cost"] = (found.rented.low, found.rented.high)
            figures["tokens"] = BANDS[band]  # the volume the amounts are for, for the texts that quote them
            book[f"{band}:{work}"] = figures
    return book


AMORTISED_MONTHS = 36  # a server written off over three years: our assumption, the usual life of such hardware


def owned(kept: Market) -> Owned | None:
    """A server of your own, the one the catalogue prices (eight GPUs, what a team running a large model
    starts with): its price over the months it is written off, its most power times the data centre's overhead
    all month, and the engineer's share for it."""
    if not kept.servers or kept.power is None:
        return None
    server = kept.servers[0]
    amortised = server.price_usd / AMORTISED_MONTHS
    electricity = server.power_kw * kept.power.pue * HOURS_A_MONTH * kept.power.usd_per_kwh
    staff = staff_for(kept.engineer.month, server.gpus)
    return Owned(
        server=server,
        power=kept.power,
        amortised=rounded(amortised),
        electricity=rounded(electricity),
        staff=rounded(staff),
        bought=rounded(amortised + electricity + staff),
        running=rounded(electricity + staff),
    )


def rented(kept: Market, volume: Volume, *, broad: bool) -> SelfRun | None:
    """GPUs rented by the hour to serve an open model of the work's size, with a share of an engineer."""
    tiers = {"leading", "mid"} if broad else {"small"}
    measured = [m for m in kept.throughput if m.tier in tiers and any(g.gpu == m.gpu for g in kept.gpus)]
    if not measured:
        return None
    bench = measured[0]
    hours = [g for g in kept.gpus if g.gpu == bench.gpu]
    cheapest = min(hours, key=lambda g: g.per_gpu_hour)
    dearest = max(hours, key=lambda g: g.per_gpu_hour)
    capacity = per_gpu_capacity(bench, volume.input_share)  # tokens (input and output) one GPU serves a month
    gpus = max(1, math.ceil(volume.high / capacity))
    staff = staff_for(kept.engineer.month, gpus)
    gpu_low = gpus * cheapest.per_gpu_hour * HOURS_A_MONTH
    gpu_high = gpus * dearest.per_gpu_hour * HOURS_A_MONTH
    same = [p for p in kept.prices if p.model == bench.model and p.kind == "open"]
    per_token = min(same, key=lambda p: p.per_million(volume.input_share)) if same else None
    break_even, break_even_gpus = None, None
    if per_token is not None:
        found = break_even_of(
            cheapest.per_gpu_hour * HOURS_A_MONTH, kept.engineer.month, capacity, per_token, volume.input_share
        )
        if found:
            break_even, break_even_gpus = found
    return SelfRun(
        model=bench.model,
        gpu=bench.gpu,
        gpus=gpus,
        measured=bench,
        cheapest=cheapest,
        dearest=dearest,
        gpu_low=rounded(gpu_low),
        gpu_high=rounded(gpu_high),
        staff=rounded(staff),
        low=rounded(gpu_low + staff),
        high=rounded(gpu_high + staff),
        break_even_tokens=break_even,
        break_even_gpus=break_even_gpus,
        per_token=per_token,
        gpu_per_million=cheapest.per_gpu_hour * HOURS_A_MONTH / capacity * 1e6,
        token_per_million=per_token.per_million(volume.input_share) if per_token else None,
        capacity=capacity,
        engineer_month=kept.engineer.month,
    )


CONTEXT_ROOM = 1.2  # the weights and a fifth more for the context each request keeps in memory: our assumption


def for_weights(rented: SelfRun, weights_gb: float, engineer_month: float) -> tuple[int, float, float] | None:
    """The rented GPUs that hold a model's weights with room for context (a whole server of eight once it takes
    more than one), and what they cost a month with the engineer's share, at the cheapest and the dearest hourly
    price per GPU; None when the GPU's memory is not in its name."""
    found = re.search(r"(\d+)\s*GB", rented.gpu)
    if not found:
        return None
    gpus = math.ceil(weights_gb * CONTEXT_ROOM / int(found.group(1)))
    if gpus > 1:  # a model split across GPUs runs on one machine: rented as a whole server of eight
        gpus = math.ceil(gpus / GPUS_PER_SERVER) * GPUS_PER_SERVER
    return gpus, *kept_all_month(rented, gpus, engineer_month)


def kept_all_month(rented: SelfRun, gpus: int, engineer_month: float) -> tuple[float, float]:
    """These GPUs rented all month at the cheapest and the dearest hourly price, with the engineer's share."""
    staff = staff_for(engineer_month, gpus)
    hours = gpus * HOURS_A_MONTH
    return rounded(hours * rented.cheapest.per_gpu_hour + staff), rounded(hours * rented.dearest.per_gpu_hour + staff)


def per_gpu_capacity(bench: Measured, input_share: float) -> float:
    """The tokens a month one GPU serves at the stated utilisation: bounded by its output rate for the output
    share, and, where the benchmark gives it, by its rate for input and output together."""
    seconds = UTILISATION * 3600 * HOURS_A_MONTH
    by_output = bench.tokens_per_second * seconds / max(1 - input_share, 0.01)
    if bench.total_tokens_per_second is None:
        return by_output
    return min(by_output, bench.total_tokens_per_second * seconds)


def break_even_of(
    gpu_month: float, engineer_month: float, capacity: float, per_token: Priced, input_share: float
) -> tuple[int, int] | None:
    """The smallest monthly volume at which n GPUs and their staff (an engineer's share for each server of up to
    eight) cost no more than paying per token, with n; None when a GPU's tokens cost more than the per-token
    price, so that renting never pays."""
    price = per_token.per_million(input_share) / 1e6  # dollars a token
    if gpu_month / capacity >= price:
        return None
    for gpus in range(1, 10_000):
        volume = (gpus * gpu_month + staff_for(engineer_month, gpus)) / price
        if volume <= gpus * capacity:
            return int(volume), gpus
    return None


def rounded(dollars: float) -> float:
    """To two significant figures, halves rounded up: list prices and bands are no more exact."""
    if dollars <= 0:
        return 0.0
    step = Decimal(10) ** (math.floor(math.log10(dollars)) - 1)  # two significant figures, halves rounded up
    exact = Decimal(f"{dollars:.10g}")  # without float noise: 0.8 x $0.75 + 0.2 x $3.75 is $1.35, not $1.3499…
    return float((exact / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step)


def in_words(dollars: float) -> str:
    """$1,200 a month, $45, under $1."""
    if dollars < 1:
        return "under $1"
    if dollars < 10:
        return f"${dollars:.2g}"  # $1.3, $6
    return f"${dollars:,.0f}"


def money_range(low: float, high: float) -> str:
    """ "$7,200 to $90,000", or one figure when both ends meet."""
    return in_words(low) if low == high else f"{in_words(low)} to {in_words(high)}"


def price_words(dollars: float) -> str:
    """A list price as it is written: $4, $0.10, $1.32."""
    return f"${dollars:g}" if dollars >= 1 and dollars == int(dollars) else f"${dollars:.2f}"


def priced_words(price: Priced) -> str:
    """ "Claude Haiku 5.5 at Anthropic API ($0.10 in, $0.50 out)" """
    return f"{price.model} at {price.seller} ({price_terms(price)})"


def price_terms(price: Priced) -> str:
    """ "$0.10 in, $0.50 out", and an introductory price's end, with what it costs until then when the price
    that follows it is known (the figures use the price that follows)."""
    terms = f"{price_words(price.input_per_m)} in, {price_words(price.output_per_m)} out"
    if price.until and price.intro_input_per_m is not None and price.intro_output_per_m is not None:
        start = datetime.date.fromisoformat(price.until) + datetime.timedelta(days=1)
        intro = f"{price_words(price.intro_input_per_m)} in, {price_words(price.intro_output_per_m)} out"
        return f"{terms} from {start.isoformat()}; {intro} until then, an introductory price"
    if price.until:
        return f"{terms}, an introductory price until {price.until}"
    return terms


def tokens_in_words(tokens: int) -> str:
    """300 million, 1.5 billion, 44 billion: two significant figures, like the money."""
    for size, name in ((1_000_000_000, "billion"), (1_000_000, "million")):
        if tokens >= size:
            return f"{rounded(tokens / size):g} {name}"
    return f"{tokens:,}"


def sources(estimates: Iterable[Estimate]) -> list[Priced]:
    """Every price behind the estimates, once."""
    seen: dict[tuple[str, str], Priced] = {}
    for item in estimates:
        for price in (item.cheapest, item.dearest):
            seen.setdefault((price.model, price.seller), price)
    return list(seen.values())
