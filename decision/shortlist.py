"""Which models to try first on each route of a result: two to four from the market figures the result kept,
that can be bought or run that way, sized for the work, with their licence, what stops some teams using them,
and their cheapest listed price. Pure: no Django, no I/O.

A pick the answers rule out (a licence that forbids the use, a model too large for a device) is listed as left
out, with what stops it. Gates the answers cannot tell (where the company is based, its size, its users) are
shown on the model for the reader to check.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from decision.costs import CONTEXT_ROOM, INPUT_SHARE, PER_TOKEN
from decision.frozen import Frozen
from decision.market_copy import Kept, Market, Priced

PICKS = 3  # models shown per route: enough to compare, few enough to try
DEVICE_MEMORY_GB = 16  # a laptop's memory: an open model for devices must fit its weights at 4 bits in it
PHONE_MEMORY_GB = 4  # more weights than this fit a laptop, but not what most phones can give one app
ONE_GPU_GB = 80  # the memory of the GPU the rented estimate is priced on (an H100 80GB)
SERVER_MEMORY_GB = 8 * ONE_GPU_GB  # one server of eight: what a team running its own model starts with at most
SELF_RUN = ("rented_gpus", "self_hosted")

# What each licence gate means for a reader, said once.
GATES = {
    "eu-multimodal": "no rights for a company whose principal place of business is in the EU",
    "mau-700m": "a separate licence from its maker above 700 million monthly users",
    "revenue-threshold": "a commercial licence above its maker's size threshold",
    "attribution": "its name must be shown in the product",
    "non-commercial": "no commercial use",
    "military-use": "its use policy forbids military, warfare and ITAR-controlled uses",
}

# The routes each model can be taken by, from where the catalogue says it runs.
RUNS_FOR_ROUTE = {
    "public_api": {"maker_api"},
    "private_cloud": {"private_cloud"},
    "managed_open": {"per_token_hosts", "private_cloud"},
    "cloud_open": {"private_cloud"},
    "rented_gpus": {"self_host"},
    "self_hosted": {"self_host", "device"},
}
# The prices that count for each route sold per token.
PER_TOKEN_ROUTES: dict[str, set[str]] = {
    "public_api": {"public_api"},
    "private_cloud": {"private_cloud"},
    "managed_open": set(PER_TOKEN),
    "cloud_open": {"private_cloud"},
}
KIND_FOR_ROUTE = {"public_api": "closed", "private_cloud": "closed"}  # the rest are open weights


class Pick(Frozen):
    model: str
    maker: str
    licence: str
    size: str  # "117B parameters, 5.1B active" or "" for a closed model
    gates: list[str]  # in words
    price: Priced | None  # the cheapest listed price on this route, when it is sold per token
    source: str
    checked: str


class LeftOut(Frozen):
    model: str
    why: str


class RouteShortlist(Frozen):
    route: str  # the route's id
    picks: list[Pick]
    left_out: list[LeftOut]


def for_routes(
    kept: Market, routes: Sequence[str], answers: dict[str, str], *, ceiling: int | None = None, tokens: int = 0
) -> list[RouteShortlist]:
    return [for_route(kept, route, answers, ceiling=ceiling, tokens=tokens) for route in routes]


def for_route(
    kept: Market, route: str, answers: dict[str, str], *, ceiling: int | None = None, tokens: int = 0
) -> RouteShortlist:
    """The models to try first on a route; with a budget ceiling and the fewest tokens a month the answers
    give, models whose cheapest price on this route would pass the budget at that volume come last."""
    on_device = answers.get("deployment") == "device" and route == "self_hosted"
    focused = answers.get("task_scope") in ("focused", "specialised")
    kind = KIND_FOR_ROUTE.get(route, "open")
    runs = {"device"} if on_device else RUNS_FOR_ROUTE[route]  # on users' devices: what its maker says runs on one
    candidates = [m for m in kept.models if m.kind == kind and runs & set(m.runs)]
    picks: list[Pick] = []
    left_out: list[LeftOut] = []  # the natural picks that something in the answers stops
    listed = {
        m.name: min((p.per_million(INPUT_SHARE) for p in kept.prices if p.model == m.name), default=math.inf)
        for m in candidates
    }
    # Those that fit the budget first, then the tier that suits the work, and within a tier the cheapest first.
    here = {m.name: route_price(kept, m, route) for m in candidates}
    over = {name: ceiling is not None and tokens / 1e6 * price > ceiling for name, price in here.items()}
    if route in SELF_RUN and not on_device and ceiling is not None:
        # Run yourselves on a budget with a ceiling: a model that needs a whole server of GPUs comes after those one
        # GPU holds (at the prices of 2026-12, eight rented GPUs with an engineer's share pass $20,000 a month).
        over |= {m.name: over[m.name] or needs_a_server(m) for m in candidates}
    ranked = sorted(
        candidates,
        key=lambda m: (over[m.name], preference(m, focused=focused, on_device=on_device), listed[m.name], m.name),
    )
    for model in ranked:
        if len(picks) == PICKS:
            break
        stopped = stops(model, on_device=on_device, self_run=route in SELF_RUN)
        if stopped:
            left_out.append(LeftOut(model=model.name, why=stopped))
        else:
            picks.append(pick(kept, model, route, on_device=on_device))
    tiers = {m.name: m.tier for m in candidates}
    if not focused and not on_device and picks and all(tiers[p.model] != "small" for p in picks):
        # Broad work still gets one small model to try, the cheaper one the first steps ask to compare against.
        self_run = route in SELF_RUN
        small = next(
            (m for m in ranked if m.tier == "small" and not stops(m, on_device=False, self_run=self_run)), None
        )
        if small is not None:
            picks = [*picks[: PICKS - 1], pick(kept, small, route)]
    return RouteShortlist(route=route, picks=picks, left_out=left_out)


def needs_a_server(model: Kept) -> bool:
    """Whether the model's weights at 4 bits, with room for context, are more than one 80 GB GPU holds."""
    needs = model.memory_gb_4bit
    return needs is not None and needs * CONTEXT_ROOM > ONE_GPU_GB


def route_price(kept: Market, model: Kept, route: str) -> float:
    """The cheapest listed price a million tokens of this model on this route (0 where it is not sold per
    token there: running it yourselves is priced by the GPU, not the token)."""
    routes = PER_TOKEN_ROUTES.get(route, set())
    prices = [p.per_million(INPUT_SHARE) for p in kept.prices if p.model == model.name and p.route in routes]
    return min(prices, default=0.0)


def preference(model: Kept, *, focused: bool, on_device: bool) -> int:
    """Lower first: the tier that suits the work (a device model on a device, a small one for focused work,
    a leading one for broad work), then the next ones."""
    if on_device:  # made for devices first, then whatever its maker says runs on one
        return ["device", "small", "mid", "leading"].index(model.tier) - (10 if "device" in model.runs else 0)
    order = ["small", "mid", "leading", "device"] if focused else ["leading", "mid", "small", "device"]
    return order.index(model.tier)


def stops(model: Kept, *, on_device: bool, self_run: bool) -> str:
    """What in the answers rules this model out, in words; empty when nothing does."""
    needs = model.memory_gb_4bit
    if on_device and model.download_gb is None and needs is not None and needs > DEVICE_MEMORY_GB:
        return f"too large for a laptop or phone: its weights alone need about {needs:,.0f} GB at 4 bits"
    if self_run and needs is not None and needs > SERVER_MEMORY_GB:
        return f"too large for one server of eight 80 GB GPUs: its weights alone need about {needs:,.0f} GB at 4 bits"
    return ""


def pick(kept: Market, model: Kept, route: str, *, on_device: bool = False) -> Pick:
    prices = [p for p in kept.prices if p.model == model.name and p.route in PER_TOKEN_ROUTES.get(route, set())]
    size = ""
    if model.params_total_b:
        size = f"{model.params_total_b:g}B parameters"
        if model.params_active_b:
            size += f", {model.params_active_b:g}B active"
        if route in SELF_RUN and model.memory_gb_4bit:
            size += f"; about {model.memory_gb_4bit:,.0f} GB of weights at 4 bits"
            if on_device and model.memory_gb_4bit > PHONE_MEMORY_GB:
                size += ", a laptop's size: more than most phones can give one app"
    elif model.download_gb:
        size = f"a {model.download_gb:g} GB download"
    return Pick(
        model=model.name,
        maker=model.maker,
        licence=model.licence,
        size=size,
        gates=[GATES[gate] for gate in model.gates],
        price=min(prices, key=lambda p: p.per_million(0.8)) if prices else None,
        source=model.source,
        checked=model.checked,
    )
