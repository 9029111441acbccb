"""Colleagues' results side by side: the compare page, its JSON, its form and its errors (Django's test client)."""

import random
import re
from html import unescape
from urllib.parse import parse_qsl, urlsplit

import pytest
from profiles import MIXED_ESTATE, OPEN_SHOP, START_UP
from test_result_page import text_of

from decision import catalogue, compare, rules, ruleset, services
from decision.compare_views import CompareOut
from decision.models import Result

CURRENT = ruleset.current()


def create(answers: dict[str, str], version: ruleset.Ruleset = CURRENT) -> Result:
    return services.result_create(ruleset=version, answers=answers)


def address(*pairs: tuple[Result, str]) -> str:
    return "/compare/?" + "&".join(f"r={result.id}:{label}" for result, label in pairs)


def outcome_key(rec: rules.Recommendation) -> tuple:
    return (rec.approach, rec.uncertain, tuple(r.id for r in rec.routes), tuple(c.text for c in rec.conflicts))


def seen_key(rec: rules.Recommendation) -> tuple:
    """What a reader sees of a recommendation: one too uncertain to call names no approach and no route."""
    approach, uncertain, routes, conflicts = outcome_key(rec)
    return (None, (), conflicts) if uncertain else (approach, routes, conflicts)


def what_differs(keys: list[tuple]) -> list[str]:
    """What differs among these recommendations as seen (seen_key), in the compare page's words."""
    return [name for index, name in enumerate(("verdict", "route", "conflicts")) if len({k[index] for k in keys}) > 1]


# ---------------------------------------------------------------- the page


@pytest.mark.django_db
def test_outcomes_too_uncertain_to_call_are_not_said_to_change_a_route_they_do_not_show(client):
    # Two colleagues who each left most questions open: on what they share, each answer either gave is too
    # uncertain to call, and such a page names no approach and no route.
    ana = create({"volume": "heavy", "budget": "moderate", "compute": "cloud", "data_sensitivity": "confidential",
                  "expertise": "some", "timeline": "months"})  # fmt: skip
    ben = create({"volume": "light", "budget": "minimal", "compute": "none", "data_sensitivity": "public",
                  "expertise": "none", "timeline": "weeks"})  # fmt: skip
    found = compare.compare(CURRENT, [("Ana", services.result_get(ana.id)), ("Ben", services.result_get(ben.id))])
    (row,) = [row for row in found.rows if row.question == "data_sensitivity"]
    assert all(outcome.uncertain for outcome in row.outcomes)
    assert row.changes == []
    page = text_of(client.get(address((ana, "Ana"), (ben, "Ben"))).content.decode())
    assert "How sensitive is the data the model will see? On the answers you share, choosing" not in page


@pytest.mark.django_db
def test_the_page_puts_each_call_first_and_the_answers_that_differ_before_those_agreed(client):
    security = create({**START_UP, "data_sensitivity": "restricted"})
    finance = create(START_UP)
    response = client.get(address((security, "Security"), (finance, "Finance")))

    assert response.status_code == 200
    assert "public" in response["Cache-Control"] and "max-age=86400" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    page = response.content.decode()
    text = text_of(page)
    assert "Comparing 2 results" in text
    for result, label in ((security, "Security"), (finance, "Finance")):
        assert f'href="/r/{result.id}/"' in page
        assert label in text
    differing = page[page.index('id="answers-differ"') : page.index('id="answers-agreed"')]
    question = CURRENT.questions_by_id["data_sensitivity"]
    assert question.text in text_of(differing)
    assert "Restricted" in text_of(differing) or question.label("restricted") in text_of(differing)
    # Every other question sits in the folded table of agreed answers.
    agreed = page[page.index('id="answers-agreed"') :]
    assert CURRENT.questions_by_id["volume"].text in text_of(agreed)
    assert CURRENT.questions_by_id["volume"].text not in text_of(differing)


@pytest.mark.django_db
def test_a_difference_that_decides_the_call_names_each_answer_whose_it_is_and_its_outcome(client):
    # Restricted data rules out anything that sends it to a vendor: the call turns on this one answer.
    security = create({**START_UP, "data_sensitivity": "restricted"})
    product = create({**START_UP, "data_sensitivity": "public"})
    page = client.get(address((security, "Security"), (product, "Product"))).content.decode()

    found = compare.compare(
        CURRENT, [("Security", services.result_get(security.id)), ("Product", services.result_get(product.id))]
    )
    (row,) = found.disputed
    assert row.changes, "the sensitivity of the data should move something here"
    section = text_of(page[page.index('id="differences"') : page.index('id="settle"')])
    assert CURRENT.questions_by_id["data_sensitivity"].text in section
    for outcome in row.outcomes:
        assert f"{outcome.label} ({outcome.said_by[0]}) gives {outcome.verdict}" in section
    previews = re.findall(
        r'href="(/preview/\?[^"]+)"', page[page.index('id="differences"') : page.index('id="settle"')]
    )
    assert len(previews) == len(row.outcomes)
    for href, outcome in zip(previews, row.outcomes, strict=True):
        preview = client.get(unescape(href))
        assert preview.status_code == 200
        assert f'data-approach="{outcome.approach}"' in preview.content.decode()
    assert Result.objects.count() == 2  # previews store nothing


@pytest.mark.django_db
def test_each_outcome_says_what_it_would_cost_once_the_volume_is_agreed(client):
    engineering = create({**MIXED_ESTATE, "expertise": "strong"})
    finance = create({**MIXED_ESTATE, "expertise": "none"})
    page = client.get(address((engineering, "Engineering"), (finance, "Finance"))).content.decode()
    found = compare.compare(
        CURRENT, [("E", services.result_get(engineering.id)), ("F", services.result_get(finance.id))], catalogue.load()
    )
    priced = [o for row in found.disputed for o in row.outcomes if o.cost]
    assert priced, "an outcome without conflicts, on an agreed volume, has a monthly cost"
    shown = unescape(page).replace('<span class="visually-hidden">: see this outcome</span>', "")
    for o in priced:
        assert "a month" in o.cost and f"{o.verdict}</a>: {o.cost}." in shown
    split = create({**MIXED_ESTATE, "volume": "light" if MIXED_ESTATE["volume"] != "light" else "steady"})
    text = text_of(client.get(address((engineering, "E"), (split, "S"))).content.decode())
    assert "What each outcome would cost waits on the volume, which you differ on." in text


@pytest.mark.django_db
def test_results_that_agree_say_so_and_offer_the_shared_outcome(client):
    first, second = create(OPEN_SHOP), create(OPEN_SHOP)
    text = text_of(client.get(address((first, "A"), (second, "B"))).content.decode())
    assert "You all gave the same answers" in text
    assert rules.recommend(CURRENT, OPEN_SHOP).approach in {"open", "closed", "hybrid"}


@pytest.mark.django_db
def test_start_from_these_answers_fills_what_is_agreed_and_asks_what_is_not(client):
    security = create({**MIXED_ESTATE, "data_sensitivity": "restricted", "budget": MIXED_ESTATE["budget"]})
    finance = create(MIXED_ESTATE)
    found = compare.compare(CURRENT, [("S", services.result_get(security.id)), ("F", services.result_get(finance.id))])
    page = client.get(address((security, "S"), (finance, "F"))).content.decode()

    form = page[page.index('class="settle"') : page.index("</form>", page.index('class="settle"'))]
    hidden = dict(re.findall(r'type="hidden" name="([a-z_]+)" value="([a-z_0-9]+)"', form))
    assert hidden == found.agreed
    assert "data_sensitivity" not in hidden
    radios = re.findall(r'type="radio" id="[^"]+" name="data_sensitivity" value="([a-z_]+)"', form)
    assert sorted(radios) == sorted({"restricted", MIXED_ESTATE["data_sensitivity"]})

    # Left unchosen, the disputed question is asked on its own page; chosen, the check page shows every answer.
    asked = client.get("/check/", found.agreed)
    assert asked.status_code == 302 and urlsplit(asked["Location"]).path == "/questions/data_sensitivity/"
    chosen = client.get("/check/", {**found.agreed, "data_sensitivity": "restricted"})
    assert chosen.status_code == 200
    assert Result.objects.count() == 2


# ---------------------------------------------------------------- the form and the address


@pytest.mark.django_db
def test_the_form_takes_full_links_with_tracking_and_bare_ids_and_redirects_to_the_short_address(client):
    first, second = create(START_UP), create(OPEN_SHOP)
    response = client.get(
        "/compare/",
        [
            ("link", f"https://example.org/r/{first.id}/?utm_source=teams#brief"),
            ("label", "  Security\tlead "),
            ("link", second.id),
            ("label", ""),
            ("link", ""),
            ("label", ""),
        ],
    )
    assert response.status_code == 303
    target = urlsplit(response["Location"])
    assert target.path == "/compare/"
    # A row without a label is numbered, in the address too, so that the label stays put when rows are added.
    assert parse_qsl(target.query) == [("r", f"{first.id}:Security lead"), ("r", f"{second.id}:Result 2")]
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Result 2" in text_of(page.content.decode())


@pytest.mark.django_db
@pytest.mark.parametrize(
    "pasted",
    [
        "See my result: https://example.org/r/{id}/.",
        "(https://example.org/r/{id}/)",
        "https://eur01.safelinks.protection.outlook.com/?url=https%3A%2F%2Fexample.org%2Fr%2F{id}%2F&data=05%7C02",
        "https://example.org/r/{id}.json",
    ],
    ids=["full-stop", "brackets", "safe-links", "json"],
)
def test_links_as_people_paste_them_are_read(client, pasted):
    first, second = create(START_UP), create(OPEN_SHOP)
    response = client.get("/compare/", [("link", pasted.format(id=first.id)), ("label", "A"), ("link", second.id)])
    assert response.status_code == 303
    assert parse_qsl(urlsplit(response["Location"]).query)[0] == ("r", f"{first.id}:A")


@pytest.mark.django_db
def test_pasting_a_comparison_link_adds_its_results_with_their_labels(client):
    helen, priya, dan = create(START_UP), create(OPEN_SHOP), create(MIXED_ESTATE)
    theirs = f"https://example.org/compare/?r={helen.id}:Engineering&r={priya.id}:Security"
    response = client.get("/compare/", [("link", theirs), ("label", ""), ("link", dan.id), ("label", "Product")])
    assert response.status_code == 303
    assert parse_qsl(urlsplit(response["Location"]).query) == [
        ("r", f"{helen.id}:Engineering"),
        ("r", f"{priya.id}:Security"),
        ("r", f"{dan.id}:Product"),
    ]


@pytest.mark.django_db
def test_each_problem_links_to_its_own_row(client):
    first = create(START_UP)
    rows = [
        ("link", first.id),
        ("label", ""),
        ("link", "not a link at all"),
        ("label", ""),
        ("link", ""),
        ("label", "Dan"),
    ]
    page = client.get("/compare/", rows).content.decode()
    summary = page[page.index('class="error-summary"') : page.index("</div>", page.index('class="error-summary"'))]
    assert re.findall(r'href="#(link-\d)"', summary) == ["link-2", "link-3"]
    invalid = re.findall(r'id="(link-\d)"[^>]*aria-invalid="true"', page)
    assert invalid == ["link-2", "link-3"]


@pytest.mark.django_db
def test_a_result_page_offers_to_compare_and_the_form_starts_with_it(client):
    result = create(START_UP)
    page = client.get(f"/r/{result.id}/").content.decode()
    assert f'href="/compare/?with={result.id}"' in page
    form = client.get(f"/compare/?with={result.id}")
    assert form.status_code == 200
    assert f'id="link-1" name="link" type="text" value="{result.id}"' in form.content.decode()
    assert 'value=""' in form.content.decode()  # a blank row for the colleague's link


@pytest.mark.django_db
def test_the_empty_page_explains_and_links_a_colleague_who_has_not_answered_to_the_start(client):
    response = client.get("/compare/")
    assert response.status_code == 200
    text = text_of(response.content.decode())
    assert "A colleague who has not answered yet can start here" in text
    assert "http://testserver/" in text


@pytest.mark.django_db
def test_a_label_is_escaped_cleaned_and_cut(client):
    first, second = create(START_UP), create(OPEN_SHOP)
    hostile = "<script>alert(1)</script>\u202e\x00" + "x" * 80
    response = client.get("/compare/", {"r": [f"{first.id}:{hostile}", f"{second.id}:B"]})
    assert response.status_code == 200
    page = response.content.decode()
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "\u202e" not in page and "\x00" not in page
    assert compare.clean_label(hostile) == ("<script>alert(1)</script>" + "x" * 80)[: compare.LABEL_MAX]


@pytest.mark.django_db
def test_a_result_given_twice_is_shown_once_and_a_label_given_twice_is_numbered_each_with_a_note(client):
    dan, helen, priya = create(START_UP), create(OPEN_SHOP), create(MIXED_ESTATE)
    values = [f"{dan.id}:Product", f"{helen.id}:Engineering", f"{dan.id}:Dan", f"{priya.id}:Engineering"]
    response = client.get("/compare/", {"r": values})
    assert response.status_code == 200
    text = text_of(response.content.decode())
    assert "Comparing 3 results" in text
    assert "Result 3 (Dan) is the same result as Product's: shown once." in text
    assert "Two results were labelled “Engineering”: the second is “Engineering (2)”." in text
    body = client.get("/api/compare", {"r": values}).json()
    assert [p["label"] for p in body["people"]] == ["Product", "Engineering", "Engineering (2)"]
    assert len(body["notes"]) == 2


# ---------------------------------------------------------------- bad input: a clear message, never a 500


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("values", "status", "message"),
    [
        (["{a}:Security", "{a}:Finance"], 400, "Give at least 2 different results"),
        (["{a}"], 400, "Give at least 2 different results"),
        (["{a}:" + str(n) for n in range(9)], 400, "At most 8 results"),
        (["{a}:A", "no such id!:B"], 400, "is not a result's id"),
        (
            ["{a}:A", "abcdefghijklmnopqrstuvwx:Finance"],
            404,
            "“Finance” (abcdefghijklmnopqrstuvwx): no result has that id",
        ),
    ],
    ids=["one-result-twice", "one", "nine", "malformed", "unknown"],
)
def test_bad_addresses_get_the_form_back_with_what_is_wrong(client, values, status, message):
    first, second = create(START_UP), create(OPEN_SHOP)
    values = [v.format(a=first.id, b=second.id) for v in values]
    before = list(Result.objects.order_by("id").values())

    response = client.get("/compare/", {"r": values})
    assert response.status_code == status
    text = text_of(response.content.decode())
    assert message in text
    assert "Nothing was stored or changed" in text
    assert 'id="link-1"' in response.content.decode()  # the form, to put it right

    api = client.get("/api/compare", {"r": values})
    assert api.status_code == status
    assert message in api.json()["error"]
    assert list(Result.objects.order_by("id").values()) == before


@pytest.mark.django_db
def test_a_form_row_that_is_not_a_link_is_named(client):
    response = client.get("/compare/", [("link", "https://example.org/nothing-here"), ("label", "Dan")])
    assert response.status_code == 400
    assert "Row 1" in text_of(response.content.decode())
    assert "https://example.org/nothing-here" in response.content.decode()  # kept in the form
    long = "thanks Helen, here it is -- Dan (sent from my phone, please excuse typos) " * 3
    page = client.get("/compare/", [("link", long), ("label", "Dan")]).content.decode()
    assert f"“{compare.quoted(long)}”" in unescape(page) and compare.quoted(long).endswith("…")
    assert len(compare.quoted(long)) <= 121


# ---------------------------------------------------------------- older versions


@pytest.mark.django_db
def test_a_result_from_older_questions_is_compared_by_todays_and_says_what_it_was_not_asked(client):
    oldest = ruleset.get("1")
    old = create({q.id: q.values[0] for q in oldest.questions}, oldest)
    new = create(START_UP)
    response = client.get(address((old, "Finance"), (new, "Engineering")))
    assert response.status_code == 200
    text = text_of(response.content.decode())
    assert "Compared by today's questions" in text
    assert "Made with version 1 of the questions" in text
    not_asked = [q for q in CURRENT.questions if q.id not in oldest.questions_by_id]
    assert not_asked
    assert "not asked" in text
    found = compare.compare(
        CURRENT, [("Finance", services.result_get(old.id)), ("Engineering", services.result_get(new.id))]
    )
    for question in not_asked:
        row = next(r for r in found.rows if r.question == question.id)
        # Not asked is not a disagreement: only those who were asked count.
        assert row.differs == (len({v for _, v in row.answers if v is not None}) > 1)


# ---------------------------------------------------------------- the JSON


@pytest.mark.django_db
def test_the_json_says_what_the_page_says(client):
    security = create({**START_UP, "data_sensitivity": "restricted"})
    finance = create({**START_UP, "budget": "unsure"})
    path = address((security, "Security"), (finance, "Finance"))
    response = client.get(path.replace("/compare/", "/api/compare"))
    assert response.status_code == 200
    body = CompareOut.model_validate(response.json())
    assert CompareOut.model_validate_json(body.model_dump_json()) == body  # the round trip
    assert body.url == "http://testserver" + path
    assert [p.label for p in body.people] == ["Security", "Finance"]
    page = text_of(client.get(path).content.decode())
    for person in body.people:
        assert person.call in page
    differing = [row for row in body.rows if row.differs]
    assert {row.question for row in differing} == {"data_sensitivity", "budget"}
    assert body.rows[: len(differing)] == differing
    for row in differing:
        assert row.answers == {"Security": security.answers[row.question], "Finance": finance.answers[row.question]}
    document = client.get("/api/openapi.json").json()
    assert "get" in document["paths"]["/api/compare"]


# ---------------------------------------------------------------- against brute force


@pytest.mark.django_db
def test_the_table_and_what_each_difference_does_match_deciding_every_case_from_scratch():
    rng = random.Random(18)
    for _ in range(12):
        people = []
        for label in ("A", "B", "C")[: rng.choice((2, 3))]:
            # Colleagues mostly agree: each answer is someone else's, or their own now and then.
            base = {q.id: rng.choice(q.values) for q in CURRENT.questions} if not people else dict(people[0][2])
            for q in CURRENT.questions:
                if rng.random() < 0.25:
                    base[q.id] = rng.choice(q.values)
            people.append((label, services.result_get(create(base).id), base))
        found = compare.compare(CURRENT, [(label, result) for label, result, _ in people])

        shared = {}
        for q in CURRENT.questions:
            given = {answers[q.id] for _, _, answers in people}
            shared[q.id] = given.pop() if len(given) == 1 else "unsure"
        assert found.shared == shared
        assert [row.differs for row in found.rows] == sorted((row.differs for row in found.rows), reverse=True)
        for row in found.rows:
            given = [answers[row.question] for _, _, answers in people]
            assert row.answers == [(label, answers[row.question]) for label, _, answers in people]
            assert row.differs == (len(set(given)) > 1)
            if not row.differs:
                assert row.outcomes == [] and row.changes == []
                continue
            assert sorted(o.value for o in row.outcomes) == sorted(set(given))
            keys = set()
            for outcome in row.outcomes:
                rec = rules.recommend(CURRENT, {**shared, row.question: outcome.value})
                assert (outcome.approach, outcome.uncertain, outcome.routes, outcome.conflicts) == outcome_key(rec)
                assert outcome.said_by == [
                    label for label, _, answers in people if answers[row.question] == outcome.value
                ]
                keys.add(seen_key(rec))
            assert row.changes == what_differs(list(keys))
            # With each person's own other answers, deciding each answer given from scratch.
            values = [o.value for o in row.outcomes]
            expected = []
            for label, _, answers in people:
                found = what_differs([seen_key(rules.recommend(CURRENT, {**answers, row.question: v})) for v in values])
                if found:
                    expected.append((label, found))
            assert row.elsewhere == expected
            assert row.matters == bool(row.changes or expected)


# ---------------------------------------------------------------- saved together


@pytest.mark.django_db
def test_a_result_saved_from_a_comparison_keeps_who_answered_what_for_its_decision_record(client):
    security = create({**START_UP, "data_sensitivity": "restricted", "budget": "unsure"})
    finance = create(START_UP)
    page = client.get(address((security, "Security"), (finance, "Finance <CFO>"))).content.decode()
    group = unescape(re.search(r'name="group" value="([^"]+)"', page).group(1))
    agreed = dict(re.findall(r'type="hidden" name="([a-z_]+)" value="([a-z_0-9]+)"', page))

    # One disputed answer chosen on the compare page, the other left to its own question page: the group
    # travels along the walk to the check page, and into the saved result.
    walk = client.get("/check/", {**agreed, "data_sensitivity": "restricted", "group": group})
    assert walk.status_code == 302
    asked = client.get(walk["Location"])
    assert asked.status_code == 200
    assert f'name="group" value="{group}"'.replace(">", "&gt;").replace("<", "&lt;") in asked.content.decode()
    check = client.get("/check/", {**agreed, "data_sensitivity": "restricted", "budget": "moderate", "group": group})
    assert check.status_code == 200
    form = dict(re.findall(r'type="hidden" name="([a-z_]+)" value="([^"]+)"', check.content.decode()))
    saved = client.post("/results", {key: unescape(value) for key, value in form.items()})
    assert saved.status_code == 303
    result_id = urlsplit(saved["Location"]).path.split("/")[2]

    record = client.get(f"/r/{result_id}/decision-record.md").content.decode()
    assert 'consulted: ["Security", "Finance <CFO>"]' in record
    assert "### Where we disagreed" in record
    assert "Security and Finance <CFO> answered the wizard separately" in record
    sensitivity = CURRENT.questions_by_id["data_sensitivity"]
    disagreed = record[record.index("### Where we disagreed") :].split("\n## ")[0]
    line = next(line for line in disagreed.splitlines() if line.startswith("* ") and "sensitive" in line)
    assert (
        f"Security: {sensitivity.label('restricted')}; Finance <CFO>: {sensitivity.label(START_UP['data_sensitivity'])}"
        in line
    )
    assert line.endswith(f"We settled on {sensitivity.label('restricted')}.")
    assert result_id not in (security.id, finance.id) and security.id not in record and finance.id not in record


@pytest.mark.django_db
def test_a_result_saved_with_a_group_that_names_no_comparison_is_saved_without_one(client):
    answers = dict(START_UP)
    saved = client.post("/results", {**answers, "group": "nosuchresult:Someone|another:Else"})
    assert saved.status_code == 303
    record = client.get(saved["Location"] + "decision-record.md").content.decode()
    assert "consulted: []" in record and "Where we disagreed" not in record


@pytest.mark.django_db
def test_a_result_saved_together_says_so_on_its_page(client):
    security, finance = create({**START_UP, "data_sensitivity": "restricted"}), create(START_UP)
    group = f"{security.id}:Security|{finance.id}:Finance"
    saved = client.post("/results", {**START_UP, "data_sensitivity": "restricted", "group": group})
    text = text_of(client.get(saved["Location"]).content.decode())
    assert "Settled together by Security and Finance" in text
    assert "Settled together" not in text_of(client.get(f"/r/{security.id}/").content.decode())


@pytest.mark.django_db
def test_a_preview_opened_from_a_comparison_leads_back_to_it_and_saves_with_the_group(client):
    security, finance = create({**START_UP, "data_sensitivity": "restricted"}), create(START_UP)
    path = address((security, "Security"), (finance, "Finance"))
    page = client.get(path).content.decode()
    section = page[page.index('id="differences"') : page.index('id="settle"')]
    href = unescape(re.findall(r'href="(/preview/\?[^"]+)"', section)[0])

    preview = client.get(href)
    assert preview.status_code == 200
    body = preview.content.decode()
    back = unescape(re.search(r'href="([^"]+)"[^>]*>Back to the comparison<', body).group(1))
    assert parse_qsl(urlsplit(back).query) == parse_qsl(urlsplit(path).query)
    assert "These are the answers your group shares" in text_of(body)
    form = dict(re.findall(r'type="hidden" name="([a-z_]+)" value="([^"]+)"', body))
    saved = client.post("/results", {key: unescape(value) for key, value in form.items()})
    record = client.get(saved["Location"] + "decision-record.md").content.decode()
    assert 'consulted: ["Security", "Finance"]' in record
