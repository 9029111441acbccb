"""The market catalogue: every row has a source and a date, a broken row stops the app naming it, an old price
is flagged, and the per-token estimates are the arithmetic written here."""

import datetime
import io
import typing

import pytest
from django.core.management import call_command

from decision import catalogue, checks, costs, entries, market_copy, money, ruleset
from decision.catalogue import CatalogueError, parse

SMALL = """
date = "2026-12-06"

[engineer]
title = "Median wage"
median_annual_usd = 120000
source = "https://example.org/wage"
checked = "2026-12-06"
wages_share = 0.75
share_title = "Wage share"
share_source = "https://example.org/share"

[[models]]
id = "big-closed"
name = "Big Closed"
maker = "Vendor"
kind = "closed"
tier = "leading"
licence = "Proprietary"
context_k = 200
runs = ["maker_api", "private_cloud"]
source = "https://example.org/big"
checked = "2026-12-06"

[[models]]
id = "small-closed"
name = "Small Closed"
maker = "Vendor"
kind = "closed"
tier = "small"
licence = "Proprietary"
context_k = 200
runs = ["maker_api"]
source = "https://example.org/small"
checked = "2026-12-06"

[[models]]
id = "open-120"
name = "Open 120B"
maker = "Lab"
kind = "open"
tier = "mid"
licence = "Apache 2.0"
params_total_b = 120
params_active_b = 5
context_k = 128
runs = ["per_token_hosts", "self_host"]
source = "https://example.org/open"
checked = "2026-12-06"

[[prices]]
model = "big-closed"
seller = "Vendor API"
route = "public_api"
input_per_m = 2.0
output_per_m = 10.0
source = "https://example.org/prices"
checked = "2026-12-06"

[[prices]]
model = "small-closed"
seller = "Vendor API"
route = "public_api"
input_per_m = 0.10
output_per_m = 0.50
source = "https://example.org/prices"
checked = "2026-08-01"

[[prices]]
model = "open-120"
seller = "Host A"
route = "managed_open"
input_per_m = 0.15
output_per_m = 0.60
source = "https://example.org/host-a"
checked = "2026-12-06"

[[prices]]
model = "open-120"
seller = "Host B"
route = "managed_open"
input_per_m = 0.35
output_per_m = 0.75
source = "https://example.org/host-b"
checked = "2026-12-06"
"""


def test_the_shipped_catalogue_validates_and_every_row_has_a_source_and_a_date():
    found = catalogue.load()
    assert found.models and found.prices and found.gpus
    for table, name, row in found.rows():
        assert row.source.startswith("https://"), (table, name)
        assert datetime.date.fromisoformat(row.checked) <= datetime.date.fromisoformat(found.date), (table, name)
    assert {m.kind for m in found.models} == {"open", "closed"}
    assert all(m.params_total_b or m.download_gb for m in found.models if m.kind == "open")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("input_per_m = 2.0", "input_per_m = -2.0", "prices 'big-closed': input_per_m: Input should be greater"),
        ('source = "https://example.org/open"', 'source = "http://example.org/open"', "models 'open-120': source"),
        ('model = "open-120"\nseller = "Host A"', 'model = "open-12"\nseller = "Host A"', "unknown model 'open-12'"),
        ("params_total_b = 120\n", "", "open model 'open-120' needs params_total_b"),
        ('checked = "2026-08-01"', 'checked = "1 August"', "prices 'small-closed': checked"),
    ],
)
def test_a_broken_row_is_refused_naming_it(old, new, message):
    assert old in SMALL
    with pytest.raises(CatalogueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse(SMALL.replace(old, new, 1))


def test_a_price_older_than_90_days_is_flagged_by_the_check_and_listed_by_the_command(monkeypatch, tmp_path):
    path = tmp_path / "catalogue.toml"
    path.write_text(SMALL)
    monkeypatch.setattr(catalogue, "CATALOGUE_FILE", path)
    catalogue.load.cache_clear()
    try:
        today = datetime.date(2026, 12, 6)
        assert [name for _, name, _ in catalogue.load().stale(today)] == ["Small Closed at Vendor API"]  # 127 days
        (warning,) = checks.catalogue_is_sound_and_fresh()
        assert warning.id == "decision.W002" and "Small Closed at Vendor API (2026-08-01)" in warning.msg
        out = io.StringIO()
        call_command("recheck_catalogue", stdout=out)
        assert "2026-08-01  prices: Small Closed at Vendor API  https://example.org/prices" in out.getvalue()
        path.write_text(SMALL.replace("input_per_m = 2.0", 'input_per_m = "cheap"'))
        (error,) = checks.catalogue_is_sound_and_fresh()
        assert error.id == "decision.E002" and "prices 'big-closed': input_per_m" in error.msg
    finally:
        catalogue.load.cache_clear()


def test_per_token_estimates_are_the_arithmetic_of_the_listed_prices():
    found = parse(SMALL)
    # A billion tokens a month, four-fifths input.
    volume = costs.volume_of("steady", tokens=1_000_000_000)
    by_key = {e.key: e for e in costs.estimate(market_copy.market(found), volume).estimates}
    # Leading: 800 x $2 + 200 x $10 = $3,600. Small: 800 x $0.10 + 200 x $0.50 = $180.
    assert (by_key["api_leading"].low, by_key["api_leading"].high) == (3600, 3600)
    assert (by_key["api_small"].low, by_key["api_small"].high) == (180, 180)
    # Open 120B: Host A 800 x $0.15 + 200 x $0.60 = $240; Host B 800 x $0.35 + 200 x $0.75 = $430.
    assert (by_key["open_large"].low, by_key["open_large"].high) == (240, 430)
    assert by_key["open_large"].cheapest.seller == "Host A" and by_key["open_large"].dearest.seller == "Host B"
    assert "cloud_service" not in by_key and "open_small" not in by_key  # nothing listed to price them by


def test_a_band_gives_a_range_and_half_input_costs_more_on_output_heavy_prices():
    found = parse(SMALL)
    steady = {e.key: e for e in costs.estimate(market_copy.market(found), costs.volume_of("steady")).estimates}
    # 10 million to 1 billion tokens: $36 to $3,600 on the leading model.
    assert (steady["api_leading"].low, steady["api_leading"].high) == (36, 3600)
    half = {
        e.key: e
        for e in costs.estimate(market_copy.market(found), costs.volume_of("steady", 1_000_000_000, 0.5)).estimates
    }
    assert half["api_leading"].low == 6000  # 500 x $2 + 500 x $10
    assert costs.volume_of("unsure") is None


def test_figures_are_rounded_to_two_significant_figures():
    assert [costs.rounded(x) for x in (0.0, 0.4, 1.0, 1.34, 12.34, 176.0, 3_649.0, 3_650.0, 12_345.0)] == [
        0.0, 0.4, 1.0, 1.3, 12.0, 180.0, 3_600.0, 3_700.0, 12_000.0,
    ]  # fmt: skip
    assert costs.in_words(3600.0) == "$3,600" and costs.in_words(0.4) == "under $1"
    assert costs.in_words(1.3) == "$1.3" and costs.in_words(6.0) == "$6"


RENTED = (
    SMALL
    + """
[[gpus]]
id = "h100-cheap"
gpu = "H100"
memory_gb = 80
provider = "Cheap Cloud"
instance = "1x H100"
hourly_usd = 2.0
source = "https://example.org/cheap"
checked = "2026-12-06"

[[gpus]]
id = "h100-dear"
gpu = "H100"
memory_gb = 80
count = 8
provider = "Dear Cloud"
instance = "8x H100"
hourly_usd = 40.0
source = "https://example.org/dear"
checked = "2026-12-06"

[[gpus]]
id = "h100-dear-one"
gpu = "H100"
memory_gb = 80
provider = "Dear Cloud"
instance = "1x H100"
hourly_usd = 5.0
source = "https://example.org/dear-one"
checked = "2026-12-06"

[[throughput]]
gpu = "H100"
model = "open-120"
tokens_per_second = 1000
source = "https://example.org/bench"
checked = "2026-12-06"
"""
)


def test_renting_gpus_is_gpu_hours_for_the_output_plus_a_share_of_an_engineer():
    found = parse(RENTED)
    kept = market_copy.market(found)
    # An engineer: $120,000 / 0.75 / 12 = $13,333 a month; a fifth of one is $2,667, shown as $2,700.
    assert round(kept.engineer.month) == 13_333
    # One H100 serves 1,000 x 30% x 3,600 x 730 = 788.4 million output tokens a month. A billion tokens at 80%
    # input is 200 million output tokens: one GPU, 730 hours at $2 (Cheap Cloud) to $5 (Dear Cloud's single GPU;
    # its 8-GPU instance is left out, since a service that starts on one GPU rents one): $1,460 to $3,650.
    rented = costs.estimate(kept, costs.volume_of("", 1_000_000_000)).rented
    assert rented.gpus == 1
    assert (rented.cheapest.provider, rented.dearest.provider) == ("Cheap Cloud", "Dear Cloud")
    assert (rented.gpu_low, rented.gpu_high, rented.staff) == (1500, 3700, 2700)
    assert (rented.low, rented.high) == (4100, 6300)  # $1,460 + $2,667 and $3,650 + $2,667
    # Break-even against Host A's $0.24 a million (0.8 x $0.15 + 0.2 x $0.60): one GPU serves 788.4 million
    # output tokens, 3.94 billion tokens in all at 80% input, for $1,460: $0.37 a million, more than Host A asks,
    # so renting never pays at these prices.
    assert rented.per_token.seller == "Host A"
    assert rented.break_even_tokens is None and rented.break_even_gpus is None
    # Ten times the throughput: $0.037 a million, and ($1,460 + $2,667) / $0.24 a million = 17.2 billion tokens,
    # within one GPU's 39.4 billion.
    fast = market_copy.market(parse(RENTED.replace("tokens_per_second = 1000", "tokens_per_second = 10000")))
    quick = costs.estimate(fast, costs.volume_of("", 1_000_000_000)).rented
    assert (quick.break_even_tokens // 100_000_000, quick.break_even_gpus) == (171, 1)
    # Five billion tokens: a billion output tokens need two GPUs.
    assert costs.estimate(kept, costs.volume_of("", 5_000_000_000)).rented.gpus == 2


def test_a_higher_volume_never_lowers_an_estimate():
    kept = market_copy.market(catalogue.load())
    previous = None
    for tokens in (10**6, 10**7, 10**8, 10**9, 5 * 10**9, 2 * 10**10):
        found = costs.estimate(kept, costs.volume_of("", tokens))
        figures = {e.key: (e.low, e.high) for e in found.estimates} | {"rented": (found.rented.low, found.rented.high)}
        if previous:
            assert all(figures[key] >= previous[key] for key in figures), tokens
        previous = figures


# ---------------------------------------------------------------- on the result page


def page_of(client, path):
    response = client.get(path)
    return response.status_code, response.content.decode()


@pytest.mark.django_db
def test_a_result_shows_what_each_route_costs_and_keeps_its_figures_when_the_catalogue_changes(
    client, monkeypatch, tmp_path
):
    from profiles import START_UP

    from decision import ruleset, services

    made = services.result_create(ruleset=ruleset.current(), answers=START_UP)  # light use, a vendor's API
    status, page = page_of(client, f"/r/{made.id}/")
    assert status == 200
    assert "What it could cost:" in page and 'id="costs"' in page
    assert "1 million to 10 million tokens a month, 80% of them input" in page
    # The catalogue moves on (every price doubles); the saved result shows what it showed.
    path = tmp_path / "catalogue.toml"
    text = catalogue.CATALOGUE_FILE.read_text()
    doubled = "\n".join(
        f"input_per_m = {float(line.split('=')[1]) * 2}" if line.startswith("input_per_m") else line
        for line in text.splitlines()
    )
    path.write_text(doubled)
    monkeypatch.setattr(catalogue, "CATALOGUE_FILE", path)
    catalogue.load.cache_clear()
    try:
        from django.core.cache import caches

        caches["pages"].clear()
        assert page_of(client, f"/r/{made.id}/")[1] == page
        fresh = services.result_create(ruleset=ruleset.current(), answers=START_UP)
        assert page_of(client, f"/r/{fresh.id}/")[1] != page.replace(made.id, fresh.id)
    finally:
        catalogue.load.cache_clear()


@pytest.mark.django_db
def test_results_share_one_stored_copy_of_the_market_and_one_stored_before_that_reads_the_same(client):
    from django.core.cache import caches
    from profiles import MIXED_ESTATE, START_UP

    from decision import ruleset, services
    from decision.models import MarketCopy, Result

    first, second = (services.result_create(ruleset=ruleset.current(), answers=a) for a in (START_UP, MIXED_ESTATE))
    assert MarketCopy.objects.count() == 1
    assert "market" not in Result.objects.get(pk=first.id).shown
    pages = {path: page_of(client, path) for path in (f"/r/{first.id}/", f"/api/results/{first.id}")}
    # Stored as results were before the copies were shared (migration 0007): the figures inside its own texts.
    row = Result.objects.get(pk=first.id)
    Result.objects.filter(pk=first.id).update(shown={**row.shown, "market": row.market.market}, market=None)
    caches["pages"].clear()
    assert {path: page_of(client, path) for path in pages} == pages
    assert services.result_get(second.id).shown.market == services.result_get(first.id).shown.market


@pytest.mark.django_db
def test_an_exact_monthly_volume_narrows_the_figures_and_a_bad_one_is_a_clear_400(client):
    from profiles import START_UP

    from decision import ruleset, services
    from decision.models import Result

    made = services.result_create(ruleset=ruleset.current(), answers=START_UP)
    status, page = page_of(client, f"/r/{made.id}/?tokens=1,000,000,000&input=50")
    assert status == 200
    assert "1 billion tokens a month, 50% of them input" in page
    assert '<details id="costs" class="part section" open>' in page
    kept = made.shown.market
    small = [p for p in kept.prices if p.kind == "closed" and p.tier == "small" and p.route == "public_api"]
    cheapest = min(p.per_million(0.5) for p in small) * 1000  # a billion tokens: a thousand millions
    assert costs.in_words(costs.rounded(cheapest)) in page

    before = list(Result.objects.values())
    for query in ("tokens=lots", "tokens=0", "tokens=10000000000000", "input=120", "input=half"):
        status, page = page_of(client, f"/r/{made.id}/?{query}")
        assert status == 400, query
        assert 'role="alert"' in page and "Type the" in page, query
        assert "Our recommendation" in page  # the result is still there, with the error beside the form
    assert list(Result.objects.values()) == before
    assert client.get(f"/r/{made.id}/?tokens=5&utm=x").status_code == 301  # unknown parameters still go


@pytest.mark.django_db
def test_the_api_gives_the_costs_with_the_catalogue_date_and_describes_them(client):
    from profiles import START_UP

    body = client.post("/api/recommend", {"answers": START_UP}, content_type="application/json").json()
    assert body["costs"]["catalogue_date"] == catalogue.load().date
    assert body["costs"]["volume"] == {"low": 1_000_000, "high": 10_000_000, "input_share": 0.8, "exact": False}
    keys = {e["key"] for e in body["costs"]["estimates"]}
    assert {"api_leading", "api_small", "open_large"} <= keys
    assert body["costs"]["rented"]["gpus"] == 1
    stored = client.post("/api/results", {"answers": START_UP}, content_type="application/json").json()
    assert stored["costs"] == body["costs"]
    assert client.post("/api/recommend", {"answers": {}}, content_type="application/json").json()["costs"] is None
    schema = client.get("/api/openapi.json").json()["components"]["schemas"]
    assert "Costs" in schema and "catalogue_date" in schema["Costs"]["properties"]


# ---------------------------------------------------------------- the shortlist


def test_each_route_gets_models_that_can_be_bought_or_run_that_way_sized_for_the_work():
    from decision import shortlist

    kept = market_copy.market(catalogue.load())
    models = {m.name: m for m in kept.models}
    for route in ("public_api", "private_cloud", "managed_open", "rented_gpus", "self_hosted"):
        for scope in ("broad", "focused"):
            found = shortlist.for_route(kept, route, {"task_scope": scope})
            assert 2 <= len(found.picks) <= 4, (route, scope)
            for pick in found.picks:
                model = models[pick.model]
                assert model.kind == ("closed" if route in ("public_api", "private_cloud") else "open")
                assert shortlist.RUNS_FOR_ROUTE[route] & set(model.runs), (route, pick.model)
                assert pick.source.startswith("https://") and pick.checked
    broad = shortlist.for_route(kept, "public_api", {"task_scope": "broad"}).picks
    focused = shortlist.for_route(kept, "public_api", {"task_scope": "focused"}).picks
    assert models[broad[0].model].tier == "leading" and models[focused[0].model].tier == "small"
    assert all(pick.price and pick.price.route == "public_api" for pick in broad)


def test_broad_work_still_gets_a_small_model_to_try_and_a_ceiling_puts_models_one_gpu_holds_first():
    from decision import shortlist

    kept = market_copy.market(catalogue.load())
    models = {m.name: m for m in kept.models}
    for route in ("public_api", "private_cloud", "managed_open", "cloud_open", "rented_gpus"):
        picks = shortlist.for_route(kept, route, {"task_scope": "broad"}).picks
        tiers = [models[pick.model].tier for pick in picks]
        assert tiers[0] != "small" and tiers[-1] == "small", (route, tiers)  # the strongest first, one cheap one
    # Run yourselves under a ceiling: what one 80 GB GPU holds comes first; with no ceiling, the strongest.
    for budget in (1000, 20000):
        picks = shortlist.for_route(kept, "rented_gpus", {"task_scope": "broad"}, ceiling=budget).picks
        assert not any(shortlist.needs_a_server(models[pick.model]) for pick in picks), budget
    unbounded = shortlist.for_route(kept, "rented_gpus", {"task_scope": "broad"}).picks
    assert shortlist.needs_a_server(models[unbounded[0].model])


def test_a_model_too_large_for_the_place_it_must_run_is_left_out_saying_why_and_gates_are_spelled_out():
    from decision import shortlist

    kept = market_copy.market(catalogue.load())
    device = shortlist.for_route(kept, "self_hosted", {"deployment": "device", "task_scope": "broad"})
    for pick in device.picks:
        model = next(m for m in kept.models if m.name == pick.model)
        assert model.download_gb or model.memory_gb_4bit <= shortlist.DEVICE_MEMORY_GB
    assert all("too large for a laptop or phone" in gone.why for gone in device.left_out)
    server = shortlist.for_route(kept, "self_hosted", {"deployment": "premises", "task_scope": "broad"})
    assert any("eight 80 GB GPUs" in gone.why for gone in server.left_out)  # a 1.6-trillion-parameter model
    llama = [
        pick
        for route in ("managed_open", "rented_gpus")
        for scope in ("broad", "focused")
        for pick in shortlist.for_route(kept, route, {"task_scope": scope}).picks
        if pick.model.startswith("Llama 4")
    ] or [shortlist.pick(kept, next(m for m in kept.models if m.name.startswith("Llama 4")), "managed_open")]
    assert any("principal place of business is in the EU" in gate for gate in llama[0].gates)
    assert any("military" in gate for gate in llama[0].gates)


@pytest.mark.django_db
def test_a_result_page_and_its_json_list_the_models_to_try_first(client):
    from profiles import START_UP

    from decision import ruleset, services

    made = services.result_create(ruleset=ruleset.current(), answers=START_UP)
    page = client.get(f"/r/{made.id}/").content.decode()
    assert 'id="models"' in page and "Models to try first" in page
    body = client.get(f"/api/results/{made.id}").json()
    (route,) = body["shortlist"]
    assert route["route"] == "public_api" and route["picks"]
    assert route["picks"][0]["model"] in page


def test_how_it_decides_lists_the_catalogue_with_its_dates_and_the_formulas(client):
    page = client.get("/how-it-decides/").content.decode()
    found = catalogue.load()
    assert 'id="costs"' in page and f"this one of {found.date}" in page
    assert "input share \u00d7 input price + output share \u00d7 output price" in page
    for model in found.models:
        assert model.source in page
    assert all(gpu.source in page for gpu in found.gpus if gpu.count == 1)


def test_every_kind_of_estimate_and_every_route_reads_in_the_brief():
    # Each way of paying per token has its words for the brief, and each route a result can take is priced by
    # kinds that exist: a result on any route renders its cost line.
    assert {key for key, *_ in costs.KINDS} == set(money.PHRASES)
    kinds = {key for key, *_ in costs.KINDS}
    for route, keys in money.ROUTE_COSTS.items():
        assert set(keys) <= kinds, route
    assert set(money.ROUTE_COSTS) | {"rented_gpus", "self_hosted"} == set(typing.get_args(entries.RouteId))


def test_a_half_rounds_up_even_when_floating_point_lands_just_below_it():
    # A billion tokens at 80% input on $0.75 in and $3.75 out is $1,350 exactly: $1,400 at two figures.
    price = market_copy.Priced(
        model="m",
        kind="closed",
        tier="mid",
        seller="s",
        route="public_api",
        input_per_m=0.75,
        output_per_m=3.75,
        source="https://example.org",
        checked="2026-12-06",
    )
    assert costs.rounded(1000 * price.per_million(0.8)) == 1400


def test_a_larger_shortlisted_model_is_priced_on_the_gpus_its_weights_need():
    kept = market_copy.market(catalogue.load())
    rented = costs.for_answers(kept, {"volume": "heavy", "task_scope": "broad"}).rented
    assert "80GB" in rented.gpu
    # 100 GB of weights and a fifth more for context is 120 GB: more than one 80 GB GPU, so a whole machine of
    # eight, all month, and a fifth of an engineer for it. 50 GB (60 GB) fits one.
    gpus, low, high = costs.for_weights(rented, 100, kept.engineer.month)
    assert gpus == 8
    assert low == costs.rounded(8 * rented.cheapest.per_gpu_hour * 730 + 0.2 * kept.engineer.month)
    assert high == costs.rounded(8 * rented.dearest.per_gpu_hour * 730 + 0.2 * kept.engineer.month)
    assert costs.for_weights(rented, 50, kept.engineer.month)[0] == 1
    # 700 GB needs 840 GB: eleven GPUs, split across machines of eight, so two whole servers and two fifths of
    # an engineer.
    assert costs.for_weights(rented, 700, kept.engineer.month)[0] == 16
    assert costs.staff_for(kept.engineer.month, 16) == 2 * 0.2 * kept.engineer.month


def test_a_server_of_your_own_is_its_price_over_three_years_its_power_and_its_people():
    kept = market_copy.market(catalogue.load())
    owned = costs.owned(kept)
    server, power = owned.server, owned.power
    # The price over 36 months; the most power x the data centre's overhead x 730 hours x the price of a kWh;
    # a fifth of an engineer for one server of eight GPUs.
    amortised = server.price_usd / 36
    electricity = server.power_kw * power.pue * 730 * power.usd_per_kwh
    staff = 0.2 * kept.engineer.month
    assert owned.amortised == costs.rounded(amortised)
    assert owned.electricity == costs.rounded(electricity)
    assert owned.bought == costs.rounded(amortised + electricity + staff)
    assert owned.running == costs.rounded(electricity + staff)
    # $317,000 / 36 is about $8,800; 10.2 kW x 1.58 x 730 h x $0.1354 is about $1,600.
    assert (owned.amortised, owned.electricity) == (8800, 1600)


@pytest.mark.django_db
def test_a_result_on_servers_of_its_own_shows_what_they_cost(client):
    from decision import services

    answers = {
        "deployment": "premises",
        "compute": "own",
        "expertise": "strong",
        "volume": "steady",
        "budget": "substantial",
    }
    answers |= {"data_sensitivity": "restricted", "task_scope": "broad", "workloads": "one"}
    result = services.result_create(ruleset=ruleset.current(), answers=answers)
    assert [route.id for route in result.recommendation.routes] == ["self_hosted"]
    page = client.get(f"/r/{result.id}/").content.decode()
    assert "for an eight-GPU server bought, with power and people ($4,800 on one you own)" in page
    assert "Hardware of your own" in page and "not estimated here yet" not in page


def test_over_random_answers_no_shortlisted_model_is_one_the_answers_rule_out():
    # Each route of a result gets models that can be bought or run that way; on users' devices only models
    # their makers say run on one, small enough for a laptop; on servers of one's own, none larger than one
    # server of eight 80 GB GPUs holds; and each pick's licence gates are spelled out for the reader to check.
    import random

    from decision import rules, shortlist

    kept = market_copy.market(catalogue.load())
    models = {m.name: m for m in kept.models}
    current = ruleset.current()
    generator = random.Random(15)
    for _ in range(300):
        answers = {q.id: generator.choice(q.values) for q in current.questions}
        routes = [route.id for route in rules.recommend(current, answers).routes]
        for found in shortlist.for_routes(kept, routes, answers):
            for pick in found.picks:
                model = models[pick.model]
                assert len(pick.gates) == len(model.gates)
                if found.route == "self_hosted" and answers["deployment"] == "device":
                    assert "device" in model.runs
                    assert model.download_gb or model.memory_gb_4bit <= shortlist.DEVICE_MEMORY_GB
                elif found.route in shortlist.SELF_RUN:
                    assert (model.memory_gb_4bit or 0) <= shortlist.SERVER_MEMORY_GB


@pytest.mark.django_db
def test_a_volume_typed_outside_the_band_answered_says_the_verdict_is_for_the_band(client):
    from decision import services

    answers = {"volume": "heavy", "budget": "minimal", "task_scope": "broad", "compute": "cloud", "expertise": "some"}
    result = services.result_create(ruleset=ruleset.current(), answers=answers)
    outside = client.get(f"/r/{result.id}/?tokens=20000000000&input=80").content.decode()
    assert "outside the band you answered (1 to 5 billion tokens a month)" in outside
    inside = client.get(f"/r/{result.id}/?tokens=2000000000&input=80").content.decode()
    assert "outside the band you answered" not in inside


def test_models_that_would_pass_the_budget_at_the_volume_answered_come_last():
    from decision import shortlist

    kept = market_copy.market(catalogue.load())
    answers = {"task_scope": "broad"}
    # A billion tokens a month on under $1,000: a leading model at $4 in and $20 out would cost $7,200.
    tight = shortlist.for_route(kept, "public_api", answers, ceiling=1000, tokens=1_000_000_000).picks
    assert all(1000 * pick.price.per_million(0.8) <= 1000 for pick in tight)
    roomy = shortlist.for_route(kept, "public_api", answers).picks
    assert [m.tier for m in kept.models if m.name == roomy[0].model] == ["leading"]


def test_an_introductory_price_says_so_and_is_flagged_once_past_its_last_day():
    found = catalogue.load()
    offers = [price for price in found.prices if price.until]
    assert offers, "the catalogue has an introductory price (Gemini 3.8 Flash until 2026-12-31)"
    offer = offers[0]
    last = datetime.date.fromisoformat(offer.until)
    assert offer not in [row for _, _, row in found.stale(last)]
    assert offer in [row for _, _, row in found.stale(last + datetime.timedelta(days=1))]
    # Its seller has said what follows it: the estimates use that price, and the words give both.
    kept = next(p for p in market_copy.priced(found) if p.until)
    assert (kept.input_per_m, kept.output_per_m) == (offer.then_input_per_m, offer.then_output_per_m)
    assert (kept.intro_input_per_m, kept.intro_output_per_m) == (offer.input_per_m, offer.output_per_m)
    words = costs.priced_words(kept)
    assert "($1.50 in, $7.50 out from 2027-01-01; $0.75 in, $3.75 out until then, an introductory price)" in words
    # An offer whose sequel is not known is priced as it is, and says when it ends.
    bare = kept.model_copy(update={"intro_input_per_m": None, "intro_output_per_m": None})
    assert f"out, an introductory price until {offer.until})" in costs.priced_words(bare)
    with pytest.raises(ValueError, match="come together"):
        catalogue.Price.model_validate({**offer.model_dump(), "until": None})


@pytest.mark.django_db
def test_the_brief_says_plainly_when_the_route_may_cost_more_than_the_budget(client):
    from profiles import scenario

    from decision import services

    result = services.result_create(
        ruleset=ruleset.current(), answers=scenario("An education platform with student data at scale")
    )
    page = client.get(f"/r/{result.id}/").content.decode()
    top = page.split("</h1>")[1].split('id="next-steps"')[0]  # the brief, below the verdict
    assert "more than your budget of up to about $20,000 a month at the top of that range" in top


def test_the_copy_of_the_market_a_catalogue_keeps_is_the_copy_a_result_would_make():
    # Catalogue.kept is made once for a loaded catalogue rather than for every result made or previewed.
    for found in (catalogue.load(), parse(SMALL), parse(RENTED)):
        assert repr(found.kept) == repr(market_copy.market(found))
        assert found.kept is found.kept
