"""The wizard's HTML pages, driven through Django's test client as a browser without JavaScript would."""

import re
from html import unescape
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from django.test import Client
from django.utils.html import escape
from profiles import MIXED_ESTATE

from decision import ruleset
from decision.models import Result

ANSWERS = MIXED_ESTATE
CURRENT = ruleset.current()
STEPS = {section.id: [q.id for q in CURRENT.questions_by_section[section.id]] for section in CURRENT.sections}
SLUGS = list(STEPS)
SECTION_OF = {question: slug for slug, questions in STEPS.items() for question in questions}
RESULT_URL = re.compile(r"^/r/([A-Za-z0-9_-]+)/$")


class TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags(response, name: str) -> list[dict[str, str | None]]:
    """The attributes of every ``name`` element in the response, entities already decoded."""
    collector = TagCollector()
    collector.feed(response.content.decode())
    return [attrs for tag, attrs in collector.tags if tag == name]


def checked(response) -> dict[str, str]:
    return {
        attrs["name"]: attrs["value"]
        for attrs in tags(response, "input")
        if attrs.get("type") == "radio" and "checked" in attrs
    }


def hidden(response) -> list[tuple[str, str]]:
    """The hidden fields of the page's forms that carry answers on (a result's cost form, which only re-reads
    the page with another volume, left out)."""
    collector = TagCollector()
    collector.feed(re.sub(r'<form class="cost-form".*?</form>', "", response.content.decode(), flags=re.S))
    return [
        (attrs["name"], attrs["value"])
        for tag, attrs in collector.tags
        if tag == "input" and attrs.get("type") == "hidden" and attrs["name"] != "csrfmiddlewaretoken"
    ]


def element_ids(response) -> set[str]:
    collector = TagCollector()
    collector.feed(response.content.decode())
    return {attrs["id"] for _, attrs in collector.tags if attrs.get("id")}


def answers_up_to(slug: str) -> dict[str, str]:
    questions = [q for s in SLUGS[: SLUGS.index(slug) + 1] for q in STEPS[s]]
    return {q: ANSWERS[q] for q in questions}


def step_form(response) -> dict[str, str | None]:
    (form,) = [attrs for attrs in tags(response, "form") if "step-form" in (attrs.get("class") or "")]
    return form


def back_link(response) -> str:
    (link,) = [attrs["href"] for attrs in tags(response, "a") if attrs.get("class") == "back-link"]
    return link


def vary(response) -> list[str]:
    return [value.strip().lower() for value in response.get("Vary", "").split(",")]


def submit(client, answers) -> str:
    """POST the answers as the check page's form would and return the new result's id."""
    response = client.post("/results", answers)
    assert response.status_code == 303
    return RESULT_URL.match(response["Location"]).group(1)


def result_snapshot() -> list[dict]:
    return list(Result.objects.order_by("id").values())


# ---------------------------------------------------------------- Start page


def test_start_page_links_to_the_first_step(client):
    response = client.get("/")

    assert response.status_code == 200
    starts = [attrs for attrs in tags(response, "a") if attrs.get("href") == "/wizard/budget/"]
    assert starts
    assert "Start now" in response.content.decode()


# ---------------------------------------------------------------- The four steps


@pytest.mark.parametrize("number, slug", list(enumerate(SLUGS, start=1)))
def test_step_shows_its_place_back_link_and_continue_button(client, number, slug):
    response = client.get(f"/wizard/{slug}/", answers_up_to(SLUGS[number - 2]) if number > 1 else {})

    assert response.status_code == 200
    page = response.content.decode()
    assert f"Step {number} of 4" in page
    assert back_link(response)
    assert re.search(r'<button class="button" type="submit">\s*Continue\s*</button>', page)
    radio_names = {attrs["name"] for attrs in tags(response, "input") if attrs.get("type") == "radio"}
    assert radio_names == set(STEPS[slug])


@pytest.mark.parametrize("slug", SLUGS)
def test_step_checks_the_answers_given_in_the_address(client, slug):
    response = client.get(f"/wizard/{slug}/", answers_up_to(slug))

    assert response.status_code == 200
    assert checked(response) == {q: ANSWERS[q] for q in STEPS[slug]}


@pytest.mark.parametrize("slug", SLUGS)
def test_step_carries_earlier_answers_as_hidden_inputs(client, slug):
    response = client.get(f"/wizard/{slug}/", answers_up_to(slug))

    earlier = [(q, v) for q, v in answers_up_to(slug).items() if q not in STEPS[slug]]
    assert hidden(response) == earlier


def test_going_back_to_the_first_step_keeps_later_answers(client):
    response = client.get("/wizard/budget/", ANSWERS)

    later = [(q, v) for q, v in ANSWERS.items() if q not in STEPS["budget"]]
    assert hidden(response) == later
    assert checked(response) == {q: ANSWERS[q] for q in STEPS["budget"]}


def test_first_step_back_link_goes_to_the_start_page(client):
    response = client.get("/wizard/budget/")

    assert back_link(response) == "/"


@pytest.mark.parametrize("slug", SLUGS[1:])
def test_back_link_goes_to_the_previous_step_with_the_answers(client, slug):
    given = answers_up_to(slug)
    response = client.get(f"/wizard/{slug}/", given)

    back = urlsplit(back_link(response))
    assert back.path == f"/wizard/{SLUGS[SLUGS.index(slug) - 1]}/"
    assert dict(parse_qsl(back.query)) == given


@pytest.mark.parametrize(
    "slug, after",
    [("budget", "/wizard/customization/"), ("customization", "/wizard/security/"), ("security", "/wizard/operations/")],
)
def test_step_continues_to_the_next_step(client, slug, after):
    response = client.get(f"/wizard/{slug}/", answers_up_to(slug))

    assert step_form(response)["action"] == after


def test_last_step_continues_to_the_check_page(client):
    response = client.get("/wizard/operations/", ANSWERS)

    assert step_form(response)["action"] == "/check/"


# ---------------------------------------------------------------- Skipping steps and bad answers


@pytest.mark.parametrize(
    "given, expected_step",
    [
        ({"budget": "minimal"}, "budget"),
        ({}, "budget"),
        (answers_up_to("budget"), "customization"),
    ],
)
def test_skipping_a_step_redirects_to_the_first_unanswered_one(client, given, expected_step):
    response = client.get("/wizard/security/", given)

    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == f"/wizard/{expected_step}/"
    assert dict(parse_qsl(location.query)) == {**given, "errors": "1"}


def test_skipped_step_shows_an_error_summary_linking_to_each_missing_question(client):
    response = client.get("/wizard/security/", {"budget": "minimal"}, follow=True)

    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    summary = page[page.index("error-summary") : page.index("Step 1 of 4")]
    targets = re.findall(r'href="#([^"]+)"', summary)
    assert targets == ["q-volume", "q-compute", "q-cloud_platform"]  # each question, legend first
    assert set(targets) <= element_ids(response)
    assert checked(response) == {"budget": "minimal"}
    # Each says what to do for its own question, in the summary and beside the question.
    for prompt in (
        "Choose how much the model will be used",
        "Choose whether you would run a model on machines of your own",
    ):
        assert page.count(prompt) == 2
    assert "Choose an answer" not in page


def test_a_step_without_errors_shows_no_error_summary(client):
    response = client.get("/wizard/budget/")

    assert "There is a problem" not in response.content.decode()


def test_check_page_with_missing_answers_redirects_to_the_first_unanswered_step(client):
    given = {q: v for q, v in ANSWERS.items() if q != "transparency"}
    response = client.get("/check/", given)

    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == "/wizard/security/"
    assert "errors=1" in response["Location"]


def test_unknown_value_is_rejected_and_never_echoed(client):
    response = client.get("/wizard/budget/", {"budget": "free", "volume": "light", "compute": "none"})

    assert response.status_code == 400
    assert "Cache-Control" not in response  # no cache keeps a page per made-up value
    page = response.content.decode()
    assert "There is a problem" in page
    assert "not one of the choices" in page
    assert "budget" not in checked(response)
    assert checked(response) == {"volume": "light", "compute": "none"}
    assert 'value="free"' not in page


def test_unknown_value_on_a_later_step_sends_the_user_back_without_it(client):
    response = client.get("/wizard/customization/", {"budget": "free", "volume": "light", "compute": "none"})

    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == "/wizard/budget/"
    assert dict(parse_qsl(location.query)) == {"volume": "light", "compute": "none", "errors": "1"}


def test_duplicate_values_for_one_question_are_rejected(client):
    query = "budget=minimal&budget=moderate&volume=light&compute=none"
    response = client.get(f"/wizard/budget/?{query}")

    page = response.content.decode()
    assert "There is a problem" in page
    assert "budget" not in checked(response)


def test_duplicate_values_do_not_pass_a_later_step(client):
    query = "budget=minimal&budget=moderate&volume=light&compute=none"
    response = client.get(f"/wizard/customization/?{query}")

    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == "/wizard/budget/"


def test_unknown_query_keys_are_dropped_by_a_redirect_to_the_same_step(client):
    # A tracking tag or a cache-buster would otherwise make its own entry in every cache in front.
    given = {**answers_up_to("budget"), "utm_source": "mail", "foo": "bar"}
    redirect = client.get("/wizard/customization/", given)
    assert redirect.status_code == 301
    assert "Cache-Control" not in redirect  # so no cache keeps the redirect either
    assert urlsplit(redirect["Location"]).path == "/wizard/customization/"
    assert dict(parse_qsl(urlsplit(redirect["Location"]).query)) == answers_up_to("budget")

    response = client.get(redirect["Location"])
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" not in page
    assert "utm_source" not in page
    assert dict(hidden(response)) == answers_up_to("budget")


def test_unknown_step_is_not_found(client):
    response = client.get("/wizard/nope/")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


# ---------------------------------------------------------------- Check page


def test_check_page_lists_every_answer_with_a_change_link(client):
    response = client.get("/check/", ANSWERS)

    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('class="summary-value"') == len(CURRENT.questions) == 15
    changes = [attrs["href"] for attrs in tags(response, "a") if "return=check" in (attrs.get("href") or "")]
    assert len(changes) == 15
    for question, href in zip((q.id for q in CURRENT.questions), changes, strict=True):
        link = urlsplit(href)
        assert link.path == f"/wizard/{SECTION_OF[question]}/"
        assert dict(parse_qsl(link.query)) == {**ANSWERS, "return": "check"}
        assert link.fragment == f"q-{question}"  # the question, so that it opens with its legend in view


def test_check_page_form_posts_every_answer(client):
    response = client.get("/check/", ANSWERS)

    (form,) = [attrs for attrs in tags(response, "form") if attrs.get("method") == "post"]
    assert form["action"] == "/results"
    assert hidden(response) == [(q.id, ANSWERS[q.id]) for q in CURRENT.questions]


def test_step_opened_from_the_check_page_returns_to_it(client):
    response = client.get("/wizard/customization/", {**ANSWERS, "return": "check"})

    assert response.status_code == 200
    assert step_form(response)["action"] == "/check/"
    back = urlsplit(back_link(response))
    assert back.path == "/check/"
    assert dict(parse_qsl(back.query)) == ANSWERS
    assert checked(response) == {q: ANSWERS[q] for q in STEPS["customization"]}


# ---------------------------------------------------------------- Submitting answers


@pytest.mark.django_db
def test_submitting_all_answers_stores_one_result_and_redirects_to_it(client):
    response = client.post("/results", ANSWERS)

    assert response.status_code == 303
    match = RESULT_URL.match(response["Location"])
    assert match
    (result,) = Result.objects.all()
    assert result.id == match.group(1)
    assert result.answers == ANSWERS


@pytest.mark.django_db
def test_result_page_shows_verdict_scores_reasons_version_and_share_link(client):
    result_id = submit(client, ANSWERS)
    recommendation = Result.objects.get(pk=result_id).recommendation

    response = client.get(f"/r/{result_id}/")

    assert response.status_code == 200
    page = response.content.decode()
    (verdict,) = [attrs for attrs in tags(response, "section") if "data-approach" in attrs]
    assert verdict["data-approach"] == recommendation["approach"]
    shown = [int(n) for n in re.findall(r'<span class="score-value">(\d+) points?</span>', page)]
    assert shown == [recommendation["scores"][a] for a in ("open", "closed", "hybrid")]
    assert recommendation["reasons"]
    for reason in recommendation["reasons"]:
        assert escape(reason["text"]) in page
    assert f"ruleset version {ruleset.current().version}" in page
    (share,) = [attrs for attrs in tags(response, "input") if attrs.get("id") == "share-url"]
    assert share["value"] == f"http://testserver/r/{result_id}/"


@pytest.mark.django_db
def test_result_page_links_back_to_the_check_page_with_all_answers(client):
    result_id = submit(client, ANSWERS)

    response = client.get(f"/r/{result_id}/")

    (change,) = re.findall(r'href="([^"]*)">Change answers</a>', response.content.decode())
    link = urlsplit(unescape(change))
    assert link.path == "/check/"
    assert dict(parse_qsl(link.query)) == ANSWERS


BAD_SUBMISSIONS = {
    "missing": {q: v for q, v in ANSWERS.items() if q != "independence"},
    "unknown": {**ANSWERS, "budget": "free"},
    "tampered": {**ANSWERS, "budget": "heavy"},
    "duplicate": {**ANSWERS, "budget": ["minimal", "moderate"]},
}


@pytest.mark.django_db
@pytest.mark.parametrize("answers", BAD_SUBMISSIONS.values(), ids=BAD_SUBMISSIONS.keys())
def test_bad_submission_is_refused_and_changes_nothing(client, answers):
    submit(client, ANSWERS)
    before = result_snapshot()

    response = client.post("/results", answers)

    assert response.status_code == 400
    assert "Nothing was saved" in response.content.decode()
    assert result_snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site", "Origin": "https://elsewhere.example"},
        {"Sec-Fetch-Site": "same-site", "Origin": "https://sub.testserver"},
        {"Origin": "https://elsewhere.example"},  # a browser too old for Sec-Fetch-Site
    ],
)
def test_a_submission_sent_from_another_site_is_refused_and_stores_nothing(headers):
    response = Client(enforce_csrf_checks=True).post("/results", ANSWERS, headers=headers)

    assert response.status_code == 403
    assert "This form came from another site" in response.content.decode()
    assert Result.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "same-origin", "Origin": "http://testserver"},
        {"Origin": "http://testserver"},
        {},  # not a browser: no other site can make one send this
    ],
)
def test_a_submission_from_our_own_check_page_is_saved(headers):
    response = Client(enforce_csrf_checks=True).post("/results", ANSWERS, headers=headers)

    assert response.status_code == 303
    assert Result.objects.count() == 1


@pytest.mark.django_db
def test_an_origin_the_operator_trusts_may_submit(settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://intranet.example"]
    headers = {"Sec-Fetch-Site": "cross-site", "Origin": "https://intranet.example"}

    response = Client(enforce_csrf_checks=True).post("/results", ANSWERS, headers=headers)

    assert response.status_code == 303


def test_results_cannot_be_fetched_with_get(client):
    response = client.get("/results", ANSWERS)

    assert response.status_code == 405
    assert response["Allow"] == "POST"


@pytest.mark.django_db
def test_unknown_result_id_gives_a_friendly_not_found_page(client):
    response = client.get("/r/doesnotexist12345/")

    assert response.status_code == 404
    page = response.content.decode()
    assert "Page not found" in page
    assert "copied whole" in page
    assert "The requested resource was not found on this server" not in page


@pytest.mark.django_db
def test_result_ids_are_long_random_and_distinct(client):
    ids = [submit(client, ANSWERS) for _ in range(3)]

    for result_id in ids:
        assert re.fullmatch(r"[A-Za-z0-9_-]{22,}", result_id)
    assert len(set(ids)) == 3


@pytest.mark.django_db
def test_oversized_submission_is_refused_and_stores_nothing(client):
    body = urlencode({**ANSWERS, "padding": "x" * 65 * 1024})

    response = client.post("/results", body, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 400
    assert Result.objects.count() == 0


@pytest.mark.django_db
def test_all_unsure_answers_are_accepted_and_called_too_uncertain(client):
    unsure = dict.fromkeys(ANSWERS, "unsure")

    result_id = submit(client, unsure)
    response = client.get(f"/r/{result_id}/")

    assert Result.objects.get(pk=result_id).answers == unsure
    assert response.status_code == 200
    page = response.content.decode()
    assert "Too uncertain to call" in page
    assert "Our recommendation" not in page  # no verdict headline for a verdict that was never made
    assert "What would change this verdict" not in page
    ask = re.findall(r'<ol class="ask-next">(.*?)</ol>', page, re.S)[0]
    links = re.findall(r'href="([^"]+)"', ask)
    assert len(links) == 3
    for link in links:
        target = urlsplit(unescape(link))
        question = target.fragment.removeprefix("q-")
        assert target.path == f"/wizard/{SECTION_OF[question]}/"
        assert dict(parse_qsl(target.query))["return"] == "check"
        assert client.get(unescape(link)).status_code == 200


# ---------------------------------------------------------------- htmx


HTMX = {"HX-Request": "true"}


@pytest.mark.parametrize(
    "url",
    ["/", "/wizard/budget/", f"/wizard/operations/?{urlencode(ANSWERS)}", f"/check/?{urlencode(ANSWERS)}"],
    ids=["start", "first-step", "last-step", "check"],
)
def test_htmx_request_gets_only_the_page_content(client, url):
    full = client.get(url)
    partial = client.get(url, headers=HTMX)

    assert partial.status_code == full.status_code == 200
    assert "<html" in full.content.decode()
    assert "<html" not in partial.content.decode()
    assert 'class="masthead"' not in partial.content.decode()
    assert "<h1" in partial.content.decode()
    assert "hx-request" in vary(full)
    assert "hx-request" in vary(partial)


@pytest.mark.django_db
def test_htmx_request_for_a_result_gets_only_its_content(client):
    result_id = submit(client, ANSWERS)

    response = client.get(f"/r/{result_id}/", headers=HTMX)

    page = response.content.decode()
    assert "<html" not in page
    assert 'class="masthead"' not in page
    assert "data-approach" in page
    assert "hx-request" in vary(response)


def test_htmx_history_restore_gets_the_full_page(client):
    response = client.get("/wizard/budget/", headers={**HTMX, "HX-History-Restore-Request": "true"})

    page = response.content.decode()
    assert "<html" in page
    assert 'class="masthead"' in page


def test_htmx_step_keeps_the_answers_in_the_form(client):
    response = client.get("/wizard/customization/", answers_up_to("customization"), headers=HTMX)

    assert checked(response) == {q: ANSWERS[q] for q in STEPS["customization"]}
    assert hidden(response) == list(answers_up_to("budget").items())
