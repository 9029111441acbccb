"""Link previews: Open Graph and Twitter tags, and the verdict card PNG read back with Pillow."""

import io
import re
from html import unescape

import pytest
from PIL import Image
from profiles import MIXED_ESTATE, START_UP

from decision import ruleset, services
from decision.models import ResultCard


def metas(page: str) -> dict[str, str]:
    return {
        name: unescape(content)
        for name, content in re.findall(r'<meta (?:property|name)="((?:og|twitter):[^"]+)" content="([^"]*)"', page)
    }


@pytest.mark.django_db
def test_a_result_page_previews_as_its_verdict_with_its_card(client):
    result = services.result_create(ruleset=ruleset.current(), answers=MIXED_ESTATE)
    tags = metas(client.get(f"/r/{result.id}/").content.decode())
    assert tags["og:title"].startswith("Hybrid: the open side on GPUs you rent and run")
    assert tags["og:description"].startswith("A lean: 10 points to Open's 7. ")
    assert tags["og:url"] == f"http://testserver/r/{result.id}/"
    assert tags["og:image"] == tags["twitter:image"] == f"http://testserver/r/{result.id}/card.png"
    assert (tags["og:image:width"], tags["og:image:height"]) == ("1200", "630")
    assert tags["twitter:card"] == "summary_large_image"


@pytest.mark.django_db
@pytest.mark.parametrize("answers", [MIXED_ESTATE, START_UP, {}], ids=["hybrid", "closed", "too-uncertain"])
def test_the_card_is_a_1200_by_630_png_under_100_kb_drawn_once_and_kept(client, answers):
    result = services.result_create(ruleset=ruleset.current(), answers=answers)

    first = client.get(f"/r/{result.id}/card.png")
    second = client.get(f"/r/{result.id}/card.png")

    assert first["Content-Type"] == "image/png"
    # Cached a day like its result, not a year: no cache shows it a day past the result's deletion.
    assert first["Cache-Control"] == "public, max-age=86400"
    assert first["Cross-Origin-Resource-Policy"] == "cross-origin"  # chat apps and other sites show it
    image = Image.open(io.BytesIO(first.content))
    assert (image.format, image.size) == ("PNG", (1200, 630))
    assert len(first.content) < 100_000
    assert second.content == first.content
    assert ResultCard.objects.filter(result_id=result.id).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/questions/volume/", "/how-it-decides/", "/privacy/", "preview"])
def test_other_pages_preview_plainly_with_absolute_links(client, path):
    if path == "preview":
        path = "/preview/?" + "&".join(f"{q}={v}" for q, v in START_UP.items())
    tags = metas(client.get(path).content.decode())
    assert tags["og:title"].startswith("Open, Closed or Hybrid?")
    assert tags["og:url"].startswith("http://testserver/")
    assert tags["twitter:card"] == "summary"
    assert "og:image" not in tags


@pytest.mark.django_db
def test_a_link_preview_says_how_many_conflicts_stand_and_the_first_of_them(client):
    from profiles import scenario

    result = services.result_create(
        ruleset=ruleset.current(), answers=scenario("Restricted data, a small budget and no servers")
    )
    count = len(result.recommendation.conflicts)
    page = client.get(f"/r/{result.id}/").content.decode()
    (description,) = re.findall(r'<meta property="og:description" content="([^"]*)"', page)
    assert unescape(description).startswith(f"Not a call until {count} conflicts are resolved. ")
    assert "below" not in description
    # The title names the approach and no route: "on GPUs you rent and run" would contradict "we won't run servers".
    (title,) = re.findall(r'<meta property="og:title" content="([^"]*)"', page)
    assert "GPUs" not in title and "Open" in title


def test_a_reason_too_long_for_the_card_is_cut_at_a_word_with_an_ellipsis_within_the_width():
    from PIL import ImageDraw

    from decision import cards

    draw = ImageDraw.Draw(Image.new("RGB", (10, 10)))
    face = cards.font(30)
    text = "Your data must never leave your own infrastructure, so the model must run where the data is. " * 4
    lines = cards.wrap(draw, text, face, width=600, lines=2)
    assert len(lines) == 2
    assert lines[-1].endswith("…") and not lines[-1].endswith(" …")
    assert all(draw.textlength(line, font=face) <= 600 for line in lines)
    assert " ".join(lines).removesuffix("…").split() == text.split()[: len(" ".join(lines).split())]
    # A text that fits is not cut.
    assert cards.wrap(draw, "Open", face, width=600, lines=2) == ["Open"]
