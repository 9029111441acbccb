"""The market catalogue: every row has a source and a date, a broken row stops the app naming it, an old price
is flagged, and the per-token estimates are the arithmetic written here."""

import datetime
import io

import pytest
from django.core.management import call_command

from decision import catalogue, checks, costs
from decision.catalogue import CatalogueError, parse

SMALL = """
date = "2026-12-06"

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
    by_key = {e.key: e for e in costs.estimate(found, volume).estimates}
    # Leading: 800 x $2 + 200 x $10 = $3,600. Small: 800 x $0.10 + 200 x $0.50 = $180.
    assert (by_key["api_leading"].low, by_key["api_leading"].high) == (3600, 3600)
    assert (by_key["api_small"].low, by_key["api_small"].high) == (180, 180)
    # Open 120B: Host A 800 x $0.15 + 200 x $0.60 = $240; Host B 800 x $0.35 + 200 x $0.75 = $430.
    assert (by_key["open_large"].low, by_key["open_large"].high) == (240, 430)
    assert by_key["open_large"].cheapest.seller == "Host A" and by_key["open_large"].dearest.seller == "Host B"
    assert "cloud_service" not in by_key and "open_small" not in by_key  # nothing listed to price them by


def test_a_band_gives_a_range_and_half_input_costs_more_on_output_heavy_prices():
    found = parse(SMALL)
    steady = {e.key: e for e in costs.estimate(found, costs.volume_of("steady")).estimates}
    # 10 million to 1 billion tokens: $36 to $3,600 on the leading model.
    assert (steady["api_leading"].low, steady["api_leading"].high) == (36, 3600)
    half = {e.key: e for e in costs.estimate(found, costs.volume_of("steady", 1_000_000_000, 0.5)).estimates}
    assert half["api_leading"].low == 6000  # 500 x $2 + 500 x $10
    assert costs.volume_of("unsure") is None


def test_figures_are_rounded_to_two_significant_figures():
    assert [costs.rounded(x) for x in (0.0, 0.4, 1.0, 12.34, 176.0, 3_649.0, 12_345.0)] == [
        0.0, 1.0, 1.0, 12.0, 180.0, 3_600.0, 12_000.0,
    ]  # fmt: skip
    assert costs.in_words(3600.0) == "$3,600" and costs.in_words(0.4) == "under $1"
