"""A result's own copy of the market catalogue: the prices, GPU hours, throughput, engineer's cost, models and
servers its estimates and shortlist rest on, each with its source and the day it was checked.

The catalogue is updated in place as the market moves, while a stored result must show the figures it was made
with; so a result keeps these few typed rows, copied from the catalogue (market), and every estimate is worked
out from them, never from the catalogue itself. No Django, no I/O.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from decision.frozen import Frozen

if TYPE_CHECKING:  # the catalogue keeps its own copy (Catalogue.kept), made here
    from decision.catalogue import Catalogue


class Priced(Frozen):
    """One price of the catalogue with what the estimates need of its model: what a result keeps, so that its
    figures never change when the catalogue does."""

    model: str  # the model's name
    kind: str  # open or closed
    tier: str
    seller: str
    route: str
    input_per_m: float
    output_per_m: float
    source: str
    checked: str
    until: str | None = None  # the last day of an introductory price
    # The introductory price itself, when the seller has announced the price that follows it: that later price is
    # input_per_m and output_per_m, the one the estimates use.
    intro_input_per_m: float | None = None
    intro_output_per_m: float | None = None

    def per_million(self, input_share: float) -> float:
        """The price of a million tokens of which this share is input."""
        return self.input_per_m * input_share + self.output_per_m * (1 - input_share)


def copied[T: Frozen](shape: type[T], row: BaseModel, /, **derived: Any) -> T:
    """A catalogue row as a result keeps it: the fields `shape` shares with the row, and those derived here."""
    shared = set(shape.model_fields) & set(type(row).model_fields) - set(derived)
    return shape.model_validate({**row.model_dump(include=shared), **derived})


def priced(catalogue: Catalogue) -> list[Priced]:
    models = catalogue.models_by_id
    return [
        copied(
            Priced,
            p,
            model=models[p.model].name,
            kind=models[p.model].kind,
            tier=models[p.model].tier,
            **(
                {}
                if p.then_input_per_m is None or p.then_output_per_m is None
                else {
                    "input_per_m": p.then_input_per_m,
                    "output_per_m": p.then_output_per_m,
                    "intro_input_per_m": p.input_per_m,
                    "intro_output_per_m": p.output_per_m,
                }
            ),
        )
        for p in catalogue.prices
    ]


class GpuHour(Frozen):
    """A rented GPU's hourly price, per GPU."""

    gpu: str
    provider: str
    instance: str
    per_gpu_hour: float
    source: str
    checked: str


class Measured(Frozen):
    """Output tokens a second that one GPU served of a model, in a published benchmark, and input and output
    together when the benchmark says."""

    model: str  # the model's name
    tier: str
    gpu: str
    tokens_per_second: float
    total_tokens_per_second: float | None = None
    source: str
    checked: str
    note: str


class Engineer(Frozen):
    """What an engineer costs an employer a month, with the figures it comes from."""

    month: float
    median_annual_usd: float
    wages_share: float
    title: str
    source: str
    share_title: str
    share_source: str
    checked: str


class Kept(Frozen):
    """A model of the catalogue as a result keeps it, for its shortlist."""

    name: str
    maker: str
    kind: str
    tier: str
    licence: str
    gates: tuple[str, ...]
    params_total_b: float | None
    params_active_b: float | None
    download_gb: float | None
    runs: tuple[str, ...]
    source: str
    checked: str

    @property
    def memory_gb_4bit(self) -> float | None:
        """The weights alone at 4 bits (parameters x 4 / 8), before what each request needs."""
        return None if self.params_total_b is None else self.params_total_b / 2


class Server(Frozen):
    """A GPU server bought outright, as a result keeps it."""

    name: str
    gpu: str
    gpus: int
    price_usd: float
    power_kw: float
    source: str
    power_source: str
    checked: str
    note: str = ""


class Power(Frozen):
    title: str
    usd_per_kwh: float
    source: str
    pue: float
    pue_title: str
    pue_source: str
    checked: str
    note: str = ""


class Market(Frozen):
    """The catalogue's figures a result keeps, with the catalogue's date, so that its estimates never change."""

    date: str
    engineer: Engineer
    models: tuple[Kept, ...] = ()
    prices: tuple[Priced, ...]
    gpus: tuple[GpuHour, ...]
    throughput: tuple[Measured, ...]
    servers: tuple[Server, ...] = ()  # kept from 2026-12-07 on
    power: Power | None = None


def market(catalogue: Catalogue) -> Market:
    models = catalogue.models_by_id
    wage = catalogue.engineer
    return Market(
        date=catalogue.date,
        engineer=copied(Engineer, wage, month=wage.median_annual_usd / wage.wages_share / 12),
        models=tuple(copied(Kept, m) for m in catalogue.models),
        prices=tuple(priced(catalogue)),
        gpus=tuple(
            copied(GpuHour, g, per_gpu_hour=g.hourly_usd / g.count)
            for g in catalogue.gpus
            if g.count == 1 and not g.community  # one GPU, in a data centre: what a team's own account rents
        ),
        throughput=tuple(
            copied(Measured, t, model=models[t.model].name, tier=models[t.model].tier)
            for t in catalogue.throughput
            if t.model in models and t.gpus == 1  # what one GPU serves
        ),
        servers=tuple(copied(Server, s) for s in catalogue.servers),
        power=copied(Power, catalogue.power) if catalogue.power else None,
    )
