"""The "How it decides" page publishes the whole current ruleset: nothing that decides is hidden."""

import re
from html import unescape

from decision import ruleset

CURRENT = ruleset.current()


def page_text(client) -> str:
    response = client.get("/how-it-decides/")
    assert response.status_code == 200
    return unescape(response.content.decode())


def test_every_rule_is_shown_with_its_weight_and_the_approach_it_favours(client):
    page = page_text(client)
    for rule in CURRENT.as_written().rules:
        shown = re.search(rf'id="rule-{re.escape(rule.id)}"[^>]*>(.*?)</li>', page, re.S)
        assert shown, rule.id
        assert f"{rule.favours.capitalize()} +{rule.weight}" in shown.group(0), rule.id
        assert rule.reason in page, rule.id


def test_every_neutral_note_must_conflict_route_and_warning_is_shown(client):
    page = page_text(client)
    shown = CURRENT.as_written()  # an amount a text quotes is named in words: no answers, no amounts
    assert "{" not in page[page.index("<main") :]
    texts = [n.note for n in CURRENT.neutral] + [c.text for c in CURRENT.constraints]
    texts += [c.text for c in shown.conflicts] + [c.resolve for c in shown.conflicts]
    texts += [r.text for r in CURRENT.routes] + [c.because for c in shown.route_choices]
    texts += [c.text for c in shown.caveats]
    for text in texts:
        assert text in page, text


def test_every_source_is_listed_with_its_link_date_and_what_cites_it(client):
    page = page_text(client)
    for source in CURRENT.sources:
        entry = re.search(rf'<li id="source-{re.escape(source.id)}">(.*?)</li>', page, re.S)
        assert entry, source.id
        assert f'href="{source.url}"' in entry.group(1)
        assert f"checked {source.checked}" in entry.group(1)
        assert "Cited by <a href=" in entry.group(1)


def test_every_link_within_the_page_lands_on_something(client):
    page = page_text(client)
    ids = set(re.findall(r'id="([^"]+)"', page))
    targets = set(re.findall(r'href="#([^"]+)"', page))
    assert len(targets) > 50
    assert targets <= ids, targets - ids


def test_the_confidence_thresholds_are_those_of_the_ruleset(client):
    page = page_text(client)
    settings = CURRENT.confidence
    assert f"fewer than {settings.min_answered} definite answers" in page
    assert f"A lead of {settings.clear_margin} points or more" in page
    assert f"worth {settings.strong_weight} points or more" in page


def test_a_conflict_about_a_route_says_which_route(client):
    page = page_text(client)
    for conflict in CURRENT.conflicts:
        if conflict.route:
            route = CURRENT.routes_by_id[conflict.route].name
            shown = re.search(rf'id="rule-{re.escape(conflict.id)}"[^>]*>(.*?)</li>', page, re.S)
            assert shown and f"and the route is “{route}”" in shown.group(1), conflict.id


def test_a_route_choice_for_one_verdict_only_says_so(client):
    page = page_text(client)
    only = [choice for choice in CURRENT.route_choices if choice.only_for]
    assert {choice.only_for for choice in only} == {"hybrid", "closed"}  # version 6's two
    for choice in only:
        said = "on a hybrid's side only" if choice.only_for == "hybrid" else f"for {choice.only_for} alone only"
        name = CURRENT.routes_by_id[choice.route].name
        assert f"{name}</a> ({said}) when" in page, choice.because


def test_a_route_that_reads_differently_for_some_answers_says_when(client):
    page = page_text(client)
    (words,) = CURRENT.routes_by_id["self_hosted"].variants
    assert f"is On users' devices or offline, it is called “{words.name}”." in page


def test_every_anchor_on_the_page_is_unique(client):
    ids = re.findall(r'\bid="([^"]+)"', client.get("/how-it-decides/").content.decode())
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


def test_the_contents_reach_every_rule_must_conflict_route_and_source_in_two_taps(client):
    # One tap opens a part of the contents (a folded list), the second goes to the entry.
    page = client.get("/how-it-decides/").content.decode()
    contents = page[page.index('<nav aria-labelledby="contents-title"') : page.index("</nav>")]
    linked = set(re.findall(r'href="#([^"]+)"', contents))
    current = ruleset.current()
    wanted = {f"rule-{rule.id}" for rule in current.rules}
    wanted |= {f"rule-{c.id}" for c in current.constraints} | {f"rule-{c.id}" for c in current.conflicts}
    wanted |= {f"route-{route.id}" for route in current.routes} | {f"source-{s.id}" for s in current.sources}
    assert wanted <= linked, sorted(wanted - linked)
    anchored = set(re.findall(r'id="([^"]+)"', page))
    assert linked <= anchored, sorted(linked - anchored)
    for part in re.findall(r"<details.*?</details>", contents, re.S):
        assert "<details" not in part[8:]  # not folded twice: still two taps
