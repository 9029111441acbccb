"""What a result shows of money: what each route would cost a month, from the figures the result kept, in the
brief's one line and in its costs section, and the models to try first. Like pages.py: no request, no response.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from decision import costs, shortlist
from decision.market_copy import Engineer, Market
from decision.rules import Recommendation
from decision.snapshot import Shown

# The per-token estimates that price each route a result can take; routes the team runs itself are not priced yet.
# The estimate that prices each route, for broad work and for focused work: the same class of model the
# shortlist puts first (a leading one for broad work, a small one otherwise).
ROUTE_COSTS: dict[str, tuple[str, str]] = {
    "public_api": ("api_leading", "api_small"),
    "private_cloud": ("cloud_service", "cloud_service_small"),
    "managed_open": ("open_large", "open_small"),
    "cloud_open": ("cloud_open_large", "cloud_open_small"),
}
# Our assumption for a hybrid's bill: the closed side takes the hard, open-ended fifth of the tokens, the open side
# the rest (the placements send it the sensitive, tuned and routine work).
CLOSED_SHARE = 0.2
MAX_TOKENS = 10**12  # a trillion tokens a month: more than any team types in earnest


class Typed:
    """The exact volume a reader typed on a result page: tokens a month and the input share, or what is wrong."""

    def __init__(self, tokens: str = "", input_percent: str = "") -> None:
        self.tokens_text, self.input_text = tokens.strip(), input_percent.strip()
        self.tokens: int | None = None
        self.input_share: float | None = None
        self.error = ""
        digits = self.tokens_text.replace(",", "").replace("_", "").replace(" ", "")
        if digits:
            if not digits.isdigit() or not 1 <= int(digits) <= MAX_TOKENS:
                self.error = "Type the tokens a month as a whole number from 1 to 1,000,000,000,000."
            else:
                self.tokens = int(digits)
        if self.input_text:
            if not self.input_text.isdigit() or not 0 <= int(self.input_text) <= 100:
                self.error = self.error or "Type the share of input tokens as a whole percentage from 0 to 100."
            else:
                self.input_share = int(self.input_text) / 100

    @property
    def given(self) -> bool:
        return bool(self.tokens_text or self.input_text)


def cost_context(shown: Shown, answers: dict[str, str], rec: Recommendation, typed: Typed) -> dict[str, Any]:
    """What paying per token would cost a month, for the volume answered or typed, from the prices the result
    kept; and in one line for the brief, what the chosen route would cost."""
    if shown.market is None:
        return {"cost_panel": False}
    found = None if typed.error else costs.for_answers(shown.market, answers, typed.tokens, typed.input_share)
    volume = found.volume if found else None
    by_key = {item.key: item for item in found.estimates} if found else {}
    broad = answers.get("task_scope") not in ("focused", "specialised")
    on_device = answers.get("deployment") == "device"
    keys = [ROUTE_COSTS[route.id][0 if broad else 1] for route in rec.routes if route.id in ROUTE_COSTS]
    chosen = [by_key[key] for key in keys if key in by_key]
    names: dict[str, str] = {route.id: route.name for route in rec.routes}
    lists = shortlist.for_routes(
        shown.market,
        [route.id for route in rec.routes],
        answers,
        ceiling=shown.budget_ceilings.get(answers.get("budget", "")),
        tokens=volume.low if volume else 0,
    )
    biggest = largest(shown.market, lists, found.rented if found else None)
    return {
        "shortlists": [
            {"name": names[found_list.route], "list": found_list, "picks": [pick_words(p) for p in found_list.picks]}
            for found_list in lists
        ],
        "cost_largest": biggest,
        "cost_panel": True,
        "costs": found,
        "cost_rows": [
            {
                "estimate": item,
                "range": costs.money_range(item.low, item.high),
                "chosen": item in chosen,
                "prices": costs.priced_words(item.cheapest)
                + ("" if item.dearest == item.cheapest else f" to {costs.priced_words(item.dearest)}"),
            }
            for item in (found.estimates if found else [])
        ],
        "cost_brief": cost_brief(
            chosen,
            found.rented if found else None,
            rec,
            volume,
            shown.budget_ceilings.get(answers.get("budget", "")),
            on_device=on_device,
            own_servers=answers.get("compute") == "own",
            owned=found.owned if found else None,
            broad=broad,
            largest_high=biggest["high"] if biggest else None,
            together=both_sides(
                rec,
                {r.id: by_key.get(ROUTE_COSTS[r.id][0 if broad else 1]) for r in rec.routes if r.id in ROUTE_COSTS},
                found.rented if found else None,
                on_device=on_device,
                largest_high=biggest["high"] if biggest else None,
                tokens=volume.high if volume else 0,
            ),
        ),
        "cost_self_run": [route.name for route in rec.routes if route.id == "self_hosted"],
        "cost_on_device": on_device and any(r.id == "self_hosted" for r in rec.routes),
        "cost_rented": rented_words(found.rented, shown.market.engineer) if found and found.rented else None,
        "cost_rented_chosen": any(route.id == "rented_gpus" for route in rec.routes),
        "cost_rented_out": rented_out(rec, answers),
        "cost_per_token_out": any(gone.route == "managed_open" for gone in rec.excluded_routes),
        "cost_owned": owned_words(found.owned)
        if found and found.owned and (answers.get("compute") != "none" or own_hardware(rec, answers))
        else None,
        "cost_owned_chosen": own_hardware(rec, answers),
        "cost_owned_out": owned_out(rec, answers),
        "cost_volume": volume_words(volume) if volume else "",
        "cost_outside_band": outside_band(volume, answers.get("volume", "")),
        "cost_sources": costs.sources(found.estimates) if found else [],
        "typed": typed,
    }


PHRASES = {
    "api_leading": "on a leading or mid-sized model",
    "api_small": "on a small model",
    "cloud_service": "in a cloud's model service",
    "cloud_service_small": "on a small model in a cloud's model service",
    "open_large": "on a large open model",
    "open_small": "on a small open model",
    "cloud_open_large": "on a large open model in your cloud",
    "cloud_open_small": "on a small open model in your cloud",
}


def phrase(item: costs.Estimate) -> str:
    """How a route's figure reads in the brief; a row priced by one model says which."""
    if item.cheapest == item.dearest:
        return f"on {item.cheapest.model}"
    return PHRASES[item.key]


def cost_brief(
    chosen: list[costs.Estimate],
    rented: costs.SelfRun | None,
    rec: Recommendation,
    volume: costs.Volume | None,
    ceiling: int | None = None,
    *,
    on_device: bool = False,
    owned: costs.Owned | None = None,
    broad: bool = True,
    largest_high: float | None = None,
    together: Together | None = None,
    own_servers: bool = False,
) -> str:
    """The chosen route's monthly cost in one line for the brief: "$1 to $180 a month, from a small model to a
    leading one, at 1 to 10 million tokens a month". None while conflicts stand: the brief is about resolving
    them first, and the figures are in "What it costs"."""
    if rec.conflicts:
        return ""
    parts = [f"{costs.money_range(item.low, item.high)} a month {phrase(item)}{offer(item)}" for item in chosen]
    ranges = [(item.low, item.high) for item in chosen]
    if rented is not None and any(route.id == "rented_gpus" for route in rec.routes):
        high = max(rented.high, largest_high or 0)
        renting = f"{costs.money_range(rented.low, high)} a month renting GPUs with the engineer"
        parts.append(renting + (", depending on the model" if largest_high else ""))
        ranges.append((rented.low, high))
    if any(route.id == "self_hosted" for route in rec.routes):
        if on_device:
            parts.append("nothing per request on your users' devices")
        elif owned is not None and broad:
            server = f"{costs.in_words(owned.bought)} a month for an eight-GPU server bought, with power and people"
            parts.append(f"{server} ({costs.in_words(owned.running)} on one you own)")
        elif owned is not None and own_servers:
            running = costs.in_words(owned.running)
            parts.append(
                f"{running} a month to run it on an eight-GPU server you own, with power and people (support and spares"
                " not counted)"
            )
        elif owned is not None:
            parts.append("a server of your own sized for a small model is not priced here yet")
        else:
            parts.append("hardware of your own is not estimated here yet")
    if not parts:
        return ""
    line = "; ".join(parts) if volume is None else f"{'; '.join(parts)}, at {short_volume(volume)}"
    if together is not None:
        share = f"{round(CLOSED_SHARE * 100)}%"
        line += (
            f"; both sides together {costs.money_range(together.low, together.high)} a month, if the closed side"
            f" takes {share} of the tokens as we assume"
        )
        if rented is not None and together.gpus is not None and together.gpus < rented.gpus:
            line += f" (with {together.gpus} GPU{'' if together.gpus == 1 else 's'} for the open side's share only)"
        # The budget is set against what the hybrid pays in all, not each side at full volume.
        ranges = [(together.low, together.high)]
    return line + past(ranges, ceiling)


class Together(NamedTuple):
    """A hybrid's two sides in one monthly range, and the GPUs its open side's share takes when it rents them."""

    low: float
    high: float
    gpus: int | None = None


def both_sides(
    rec: Recommendation,
    per_token: dict[str, costs.Estimate | None],
    rented: costs.SelfRun | None,
    *,
    on_device: bool,
    largest_high: float | None,
    tokens: int = 0,
) -> Together | None:
    """A hybrid's two sides in one monthly range: the open side's GPUs all month (busy or idle) or its share of the
    tokens paid per token, and the closed side's share paid per token. None when a side is not priced (servers of
    one's own), and on users' devices, where the closed side's bill, already given, is the whole bill."""
    if rec.approach != "hybrid" or rec.conflicts or len(rec.routes) != 2:
        return None
    open_route, closed_route = rec.routes
    closed = per_token.get(closed_route.id)
    if closed is None:
        return None
    gpus = None
    if open_route.id == "rented_gpus" and rented is not None:  # GPUs enough for the open side's share
        gpus = rented.gpus_for(tokens * (1 - CLOSED_SHARE)) if tokens else rented.gpus
        low, high = costs.kept_all_month(rented, gpus, rented.engineer_month) if tokens else (rented.low, rented.high)
        high = max(high, largest_high or 0)
    elif open_route.id == "self_hosted" and on_device:  # the closed side's bill is the whole bill: said already
        return None
    elif (estimate := per_token.get(open_route.id)) is not None:
        low, high = estimate.low * (1 - CLOSED_SHARE), estimate.high * (1 - CLOSED_SHARE)
    else:
        return None
    return Together(
        costs.rounded(low + closed.low * CLOSED_SHARE), costs.rounded(high + closed.high * CLOSED_SHARE), gpus
    )


def offer(item: costs.Estimate) -> str:
    """Said beside a range whose low end is an introductory price: it will not last."""
    until = item.cheapest.until
    if until is None or item.cheapest.intro_input_per_m is not None:  # priced at what follows the offer
        return ""
    return f" (the low end an introductory price, until {until})"


def rented_out(rec: Recommendation, answers: Mapping[str, str]) -> str:
    """Why renting GPUs is shown though it is not the route: a must ruled it out, or the team will not run them."""
    if any(route.id == "rented_gpus" for route in rec.routes):
        return ""
    if any(gone.route == "rented_gpus" for gone in rec.excluded_routes):
        return "a way your answers rule out, shown only to compare"
    if answers.get("compute") == "none":
        return "you said you will not run servers or GPUs: shown only to compare"
    if answers.get("expertise") == "none":
        return "you have no one yet to run it: shown only to compare"
    return ""


def owned_out(rec: Recommendation, answers: Mapping[str, str]) -> str:
    """Why a server of one's own is priced though it is not the route."""
    if own_hardware(rec, answers):
        return ""
    if answers.get("compute") == "own":
        return "you have servers of your own: shown only to compare"
    return "shown only to compare, for a team that would buy its own"


def past(ranges: list[tuple[float, float]], ceiling: int | None) -> str:
    """Said plainly, once, when a figure passes the budget answered."""
    over = [(low, high) for low, high in ranges if ceiling is not None and high > ceiling]
    if not over or ceiling is None:
        return ""
    budget = f"your budget of up to about {costs.in_words(ceiling)} a month"
    if all(low > ceiling for low, _ in over):
        return f", more than {budget}"
    return f", more than {budget} at the top of {'that range' if len(ranges) == 1 else 'those ranges'}"


def outside_band(volume: costs.Volume | None, answer: str) -> str:
    """The answered band, when a volume typed on the page lies outside it: the verdict and its reasons are for
    the band, and a reader should not take them for the typed figure."""
    if volume is None or not volume.exact or answer not in costs.BANDS:
        return ""
    low, high = costs.BANDS[answer]
    if low <= volume.low <= high:
        return ""
    return short_volume(costs.Volume(low=low, high=high, input_share=volume.input_share, exact=False))


def short_volume(volume: costs.Volume) -> str:
    """ "1 to 10 million tokens a month", "1 billion tokens a month" """
    if volume.low == volume.high:
        return f"{costs.tokens_in_words(volume.low)} tokens a month"
    low, high = costs.tokens_in_words(volume.low), costs.tokens_in_words(volume.high)
    if low.split()[-1] == high.split()[-1]:  # the same unit: "1 to 10 million"
        low = low.rsplit(" ", 1)[0]
    return f"{low} to {high} tokens a month"


def rented_words(rented: costs.SelfRun, engineer: Engineer) -> dict[str, Any]:
    """Renting GPUs, with its arithmetic in words."""
    return {
        "engineer": engineer,
        "engineer_month": costs.in_words(costs.rounded(engineer.month)),
        "median": f"${engineer.median_annual_usd:,.0f}",
        "wages_share": f"{engineer.wages_share:.1%}",
        "estimate": rented,
        "range": costs.money_range(rented.low, rented.high),
        "gpus": f"{rented.gpus} {rented.gpu}" if rented.gpus == 1 else f"{rented.gpus} \u00d7 {rented.gpu}",
        "hourly": f"{costs.price_words(rented.cheapest.per_gpu_hour)} ({rented.cheapest.provider}) to "
        f"{costs.price_words(rented.dearest.per_gpu_hour)} ({rented.dearest.provider}) an hour",
        "gpu_range": costs.money_range(rented.gpu_low, rented.gpu_high),
        "hours": costs.HOURS_A_MONTH,
        "staff": costs.in_words(rented.staff),
        "share": f"{costs.ENGINEER_SHARE:.0%}",
        "utilisation": f"{costs.UTILISATION:.0%}",
        "break_even": costs.tokens_in_words(rented.break_even_tokens) if rented.break_even_tokens else "",
        "gpu_per_million": costs.price_words(costs.rounded(rented.gpu_per_million)),
        "token_per_million": costs.price_words(costs.rounded(rented.token_per_million))
        if rented.token_per_million
        else "",
        "break_even_gpus": f"{rented.break_even_gpus} GPU{'' if rented.break_even_gpus == 1 else 's'}"
        if rented.break_even_gpus
        else "",
        "per_token": costs.priced_words(rented.per_token) if rented.per_token else "",
    }


def largest(kept: Market, lists: list[shortlist.RouteShortlist], rented: costs.SelfRun | None) -> dict[str, Any] | None:
    """The largest model shortlisted to run yourselves, and the rented GPUs its weights need, when that is more
    than the estimate's: the estimate runs the benchmarked model, and a larger one needs more GPUs to hold."""
    if rented is None:
        return None
    sizes = {model.name: model.memory_gb_4bit for model in kept.models if model.memory_gb_4bit}
    picked = [p.model for found in lists if found.route in shortlist.SELF_RUN for p in found.picks if p.model in sizes]
    if not picked:
        return None
    model = max(picked, key=lambda name: sizes[name])
    needed = costs.for_weights(rented, sizes[model], kept.engineer.month)
    if needed is None or needed[0] <= rented.gpus:
        return None
    gpus, low, high = needed
    return {
        "model": model,
        "weights": f"{sizes[model]:,.0f} GB",
        "gpus": gpus,
        "range": costs.money_range(low, high),
        "high": high,
        "high_words": costs.in_words(high),
    }


def own_hardware(rec: Recommendation, answers: Mapping[str, str]) -> bool:
    """Whether the result runs the model on servers of the team's own (not on its users' devices)."""
    return answers.get("deployment") != "device" and any(route.id == "self_hosted" for route in rec.routes)


def owned_words(owned: costs.Owned) -> dict[str, Any]:
    """A server of your own, with its arithmetic in words."""
    return {
        "estimate": owned,
        "bought": costs.in_words(owned.bought),
        "running": costs.in_words(owned.running),
        "price": f"${owned.server.price_usd:,.0f}",
        "months": costs.AMORTISED_MONTHS,
        "amortised": costs.in_words(owned.amortised),
        "kw": f"{owned.server.power_kw:g} kW",
        "pue": f"{owned.power.pue:g}",
        "hours": costs.HOURS_A_MONTH,
        "kwh": f"${owned.power.usd_per_kwh:g}",
        "electricity": costs.in_words(owned.electricity),
        "staff": costs.in_words(owned.staff),
        "share": f"{costs.ENGINEER_SHARE:.0%}",
    }


def pick_words(pick: shortlist.Pick) -> dict[str, Any]:
    return {"pick": pick, "price": costs.priced_words(pick.price) if pick.price else ""}


def volume_words(volume: costs.Volume) -> str:
    tokens = (
        costs.tokens_in_words(volume.low)
        if volume.low == volume.high
        else f"{costs.tokens_in_words(volume.low)} to {costs.tokens_in_words(volume.high)}"
    )
    return f"{tokens} tokens a month, {round(volume.input_share * 100)}% of them input"
