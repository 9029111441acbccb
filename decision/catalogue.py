"""The market catalogue: models, their licences and prices, and rented GPUs, each row with its source and the
day it was checked. Market facts change monthly; they live here, apart from the rules, and updating them
needs no new ruleset version (a stored result keeps the figures it showed).

No Django import: `load()` reads and validates `decision/market/catalogue.toml`; the system check in
checks.py refuses to start with a broken catalogue and warns when a price grows old.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import tomllib
from functools import cache, cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from decision import market_copy

CATALOGUE_FILE = Path(__file__).resolve().parent / "market" / "catalogue.toml"
STALE_AFTER_DAYS = 90

Id = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9.-]*$", max_length=60)]
Day = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")]
Link = Annotated[str, Field(pattern=r"^https://[^\s]+$")]
Tier = Literal["leading", "mid", "small", "device"]
Place = Literal["maker_api", "private_cloud", "per_token_hosts", "self_host", "device"]
Gate = Literal["eu-multimodal", "mau-700m", "revenue-threshold", "attribution", "non-commercial", "military-use"]
PriceRoute = Literal["public_api", "private_cloud", "managed_open"]


class CatalogueError(ValueError):
    """A catalogue that cannot be used, with the table and row at fault in the message."""


class Row(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    source: Link
    checked: Day
    note: str = ""

    def age_days(self, today: datetime.date) -> int:
        return (today - datetime.date.fromisoformat(self.checked)).days


class Model(Row):
    id: Id
    name: str
    maker: str
    kind: Literal["open", "closed"]
    tier: Tier
    licence: str
    gates: tuple[Gate, ...] = ()
    params_total_b: float | None = Field(default=None, gt=0)
    params_active_b: float | None = Field(default=None, gt=0)
    context_k: int = Field(gt=0)
    runs: tuple[Place, ...] = Field(min_length=1)
    download_gb: float | None = Field(default=None, gt=0)  # for a model made for devices: the file a device holds

    @model_validator(mode="after")
    def _open_weights_have_a_size(self) -> Model:
        if self.kind == "open" and self.params_total_b is None and self.download_gb is None:
            raise ValueError(f"open model {self.id!r} needs params_total_b (or download_gb, for a device model)")
        return self

    def memory_gb(self, bits: Literal[4, 8, 16]) -> float | None:
        """The weights alone at this precision (parameters x bits / 8), before the cache each request needs."""
        return None if self.params_total_b is None else self.params_total_b * bits / 8


class Price(Row):
    model: Id
    seller: str
    route: PriceRoute
    input_per_m: float = Field(ge=0)
    output_per_m: float = Field(ge=0)
    until: Day | None = None  # the last day of an introductory price, when its seller says when it ends
    # The price its seller has announced from the day after `until`: the one the estimates use, since a result is
    # read and acted on for months, and an introductory price ends within weeks.
    then_input_per_m: float | None = Field(default=None, ge=0)
    then_output_per_m: float | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _a_later_price_follows_an_introductory_one(self) -> Price:
        later = (self.then_input_per_m, self.then_output_per_m)
        if any(value is not None for value in later) and (None in later or self.until is None):
            raise ValueError(
                f"{self.model} at {self.seller}: then_input_per_m and then_output_per_m come together, after until"
            )
        return self

    def age_days(self, today: datetime.date) -> int:
        """Past its last day, a price is as stale as can be: it needs re-checking at once."""
        if self.until is not None and today > datetime.date.fromisoformat(self.until):
            return 10**6
        return super().age_days(today)


class Gpu(Row):
    id: Id
    gpu: str
    memory_gb: int = Field(gt=0)
    count: int = Field(default=1, gt=0)
    provider: str
    instance: str
    region: str = ""
    hourly_usd: float = Field(gt=0)
    community: bool = False  # hosted by third parties on a marketplace, with no data-centre guarantees


class Throughput(Row):
    gpu: str
    gpus: int = Field(default=1, gt=0)  # how many GPUs served it together
    model: str
    tokens_per_second: float = Field(gt=0)  # output tokens a second, all GPUs together
    total_tokens_per_second: float | None = Field(default=None, gt=0)  # input and output together


class Wage(Row):
    """What an engineer costs an employer: a median annual wage, and the share wages make of all it pays."""

    title: str  # what the figure is, as its source names it
    median_annual_usd: float = Field(gt=0)
    wages_share: float = Field(gt=0, le=1)
    share_title: str
    share_source: Link


class Server(Row):
    """A GPU server bought outright: what it cost, and the most power it draws."""

    id: Id
    name: str
    gpu: str
    gpus: int = Field(gt=0)
    price_usd: float = Field(gt=0)
    power_kw: float = Field(gt=0)  # the whole system at most
    power_source: Link


class Power(Row):
    """What electricity costs a business a kWh, and how much more a data centre draws than its servers (PUE)."""

    title: str
    usd_per_kwh: float = Field(gt=0)
    pue: float = Field(ge=1)
    pue_title: str
    pue_source: Link


class Catalogue(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    date: Day  # the day the catalogue as a whole was last brought up to date
    engineer: Wage
    models: tuple[Model, ...] = Field(min_length=1)
    prices: tuple[Price, ...] = ()
    gpus: tuple[Gpu, ...] = ()
    throughput: tuple[Throughput, ...] = ()
    servers: tuple[Server, ...] = ()
    power: Power | None = None

    @cached_property
    def models_by_id(self) -> dict[str, Model]:
        return {model.id: model for model in self.models}

    @cached_property
    def kept(self) -> market_copy.Market:
        """The copy of its figures a result keeps (market_copy.market), made once: a loaded catalogue never changes,
        and copying its rows was a tenth of the work of each result made or previewed."""
        return market_copy.market(self)

    @cached_property
    def kept_json(self) -> tuple[str, dict[str, Any]]:
        """That copy as stored (JSON), with its name: the SHA-256 of its canonical JSON, the same for every
        result made from the same figures, which share one stored copy (models.MarketCopy)."""
        data = self.kept.model_dump(mode="json")
        text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest(), data

    @model_validator(mode="after")
    def _rows_are_consistent(self) -> Catalogue:
        problems = []
        for table, ids in (("models", [m.id for m in self.models]), ("gpus", [g.id for g in self.gpus])):
            repeated = sorted({i for i in ids if ids.count(i) > 1})
            if repeated:
                problems.append(f"{table}: {', '.join(repeated)} appear more than once")
        known = {m.id for m in self.models}
        for price in self.prices:
            if price.model not in known:
                problems.append(f"prices: {price.seller}'s price names unknown model {price.model!r}")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def rows(self) -> list[tuple[str, str, Row]]:
        """Every row with its table and a name a person recognises, for the re-check list."""
        named: list[tuple[str, str, Row]] = [("engineer", self.engineer.title, self.engineer)]
        named += [("models", m.name, m) for m in self.models]
        named += [("prices", f"{self.models_by_id[p.model].name} at {p.seller}", p) for p in self.prices]
        named += [("gpus", f"{g.gpu} ({g.provider} {g.instance})", g) for g in self.gpus]
        named += [("throughput", f"{t.model} on {t.gpu}", t) for t in self.throughput]
        named += [("servers", s.name, s) for s in self.servers]
        named += [("power", self.power.title, self.power)] if self.power else []
        return named

    def stale(self, today: datetime.date, days: int = STALE_AFTER_DAYS) -> list[tuple[str, str, Row]]:
        """The rows checked more than `days` ago, oldest first."""
        old = [row for row in self.rows() if row[2].age_days(today) > days]
        return sorted(old, key=lambda row: row[2].checked)


def parse(text: str, source: str = "<string>") -> Catalogue:
    try:
        return Catalogue.model_validate(tomllib.loads(text))
    except tomllib.TOMLDecodeError as error:
        raise CatalogueError(f"{source}: not valid TOML: {error}") from error
    except ValidationError as error:
        data = tomllib.loads(text)
        raise CatalogueError(f"{source}: {'; '.join(describe(error, data))}") from error


def describe(error: ValidationError, data: dict[str, object]) -> list[str]:
    """Each problem as "table row-name: field: message", naming the row as a person would find it."""
    found = []
    for item in error.errors():
        where = item["loc"]
        if len(where) >= 2 and isinstance(where[0], str) and isinstance(where[1], int):
            rows = data.get(where[0])
            row = rows[where[1]] if isinstance(rows, list) and where[1] < len(rows) else {}
            name = row.get("id") or row.get("model") or f"row {where[1] + 1}" if isinstance(row, dict) else ""
            field = ".".join(str(part) for part in where[2:])
            found.append(f"{where[0]} {name!r}: {field + ': ' if field else ''}{item['msg']}")
        else:
            found.append(f"{'.'.join(str(part) for part in where)}: {item['msg']}")
    return found


@cache
def load() -> Catalogue:
    return parse(CATALOGUE_FILE.read_text(encoding="utf-8"), source=CATALOGUE_FILE.name)
