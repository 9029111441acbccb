"""The wizard's HTML pages, driven through Django's test client as a browser without JavaScript would."""

import re
from html import unescape
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from django.test import Client
from profiles import MIXED_ESTATE

from decision import ruleset
from decision.models import Result

ANSWERS = MIXED_ESTATE
CURRENT = ruleset.current()
STEPS = {section.id: [q.id for q in CURRENT.questions_by_section[section.id]] for section in CURRENT.sections}
SLUGS = list(STEPS)
SECTION_OF = {question: slug for slug, questions in STEPS.items() for question in questions}
QUESTIONS = [q.id for q in CURRENT.questions]
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


def answers_before(question: str) -> dict[str, str]:
    return {q: ANSWERS[q] for q in QUESTIONS[: QUESTIONS.index(question)]}


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


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


def test_start_page_links_to_the_first_question(client):
    response = client.get("/")

    assert response.status_code == 200
    starts = [attrs for attrs in tags(response, "a") if attrs.get("href") == f"/questions/{QUESTIONS[0]}/"]
    assert starts
    assert "Start now" in response.content.decode()


# ---------------------------------------------------------------- One question a page


@pytest.mark.parametrize("number, question", list(enumerate(QUESTIONS, start=1)))
def test_a_question_is_the_pages_heading_with_its_place_section_back_link_and_continue(client, number, question):
    response = client.get(f"/questions/{question}/", answers_before(question))

    assert response.status_code == 200
    page = response.content.decode()
    (caption,) = re.findall(r'<p class="step-count">(.*?)</p>', page, re.S)
    section = CURRENT.sections[SLUGS.index(SECTION_OF[question])].title
    assert text_of(caption).replace(" ,", ",") == f"Question {number} of 15, {section}"
    (legend,) = re.findall(r"<legend>(.*?)</legend>", page, re.S)
    assert text_of(legend) == CURRENT.questions_by_id[question].text  # the group's name, read with each answer
    (heading,) = re.findall(r"<h1[^>]*>(.*?)</h1>", page, re.S)
    assert text_of(heading) == CURRENT.questions_by_id[question].text
    assert back_link(response)
    assert re.search(r'<button class="button" type="submit">\s*Continue\s*</button>', page)
    radio_names = {attrs["name"] for attrs in tags(response, "input") if attrs.get("type") == "radio"}
    assert radio_names == {question}
    # Why we ask is there to open, folded.
    assert re.search(r'<details class="why">\s*<summary>Why we ask</summary>', page)


@pytest.mark.parametrize("question", QUESTIONS)
def test_a_question_checks_its_answer_and_carries_every_other_as_hidden_inputs(client, question):
    response = client.get(f"/questions/{question}/", ANSWERS)

    assert response.status_code == 200
    assert checked(response) == {question: ANSWERS[question]}
    assert hidden(response) == [(q, ANSWERS[q]) for q in QUESTIONS if q != question]


def test_first_question_back_link_goes_to_the_start_page(client):
    response = client.get(f"/questions/{QUESTIONS[0]}/")

    assert back_link(response) == "/"


@pytest.mark.parametrize("question", QUESTIONS[1:])
def test_back_link_goes_to_the_previous_question_with_the_answers(client, question):
    given = answers_before(question)
    response = client.get(f"/questions/{question}/", given)

    back = urlsplit(back_link(response))
    assert back.path == f"/questions/{QUESTIONS[QUESTIONS.index(question) - 1]}/"
    assert dict(parse_qsl(back.query)) == given


@pytest.mark.parametrize("question", QUESTIONS)
def test_a_question_continues_to_the_next_and_the_last_to_the_check_page(client, question):
    response = client.get(f"/questions/{question}/", answers_before(question))

    index = QUESTIONS.index(question)
    after = f"/questions/{QUESTIONS[index + 1]}/" if index + 1 < len(QUESTIONS) else "/check/"
    assert step_form(response)["action"] == after


def test_continuing_through_every_question_reaches_the_check_page_with_every_answer(client):
    # As a browser without JavaScript: choose, submit the form (GET to its action), and so on.
    response = client.get(f"/questions/{QUESTIONS[0]}/")
    for question in QUESTIONS:
        assert response.status_code == 200, question
        assert checked(response) == {}
        response = client.get(step_form(response)["action"], {**dict(hidden(response)), question: ANSWERS[question]})
    assert response.status_code == 200
    assert "Check your answers" in response.content.decode()
    assert hidden(response) == [(q, ANSWERS[q]) for q in QUESTIONS]


# ---------------------------------------------------------------- Old step addresses


@pytest.mark.parametrize("slug", SLUGS)
def test_an_old_step_address_leads_to_the_first_of_its_questions_still_to_answer(client, slug):
    given = {q: ANSWERS[q] for q in QUESTIONS[: QUESTIONS.index(STEPS[slug][0]) + 1]}
    response = client.get(f"/wizard/{slug}/", given)

    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == f"/questions/{STEPS[slug][1]}/"  # its first question is answered
    assert dict(parse_qsl(location.query)) == given
    assert client.get(response["Location"]).status_code == 200


def test_an_old_step_address_with_every_answer_leads_to_its_first_question_keeping_return(client):
    response = client.get("/wizard/security/", {**ANSWERS, "return": "check"})

    location = urlsplit(response["Location"])
    assert location.path == f"/questions/{STEPS['security'][0]}/"
    assert dict(parse_qsl(location.query)) == {**ANSWERS, "return": "check"}


def test_unknown_step_or_question_is_not_found(client):
    for path in ("/wizard/nope/", "/questions/nope/", "/questions/budget_minimal/"):
        response = client.get(path)
        assert response.status_code == 404
        assert "Page not found" in response.content.decode()


# ---------------------------------------------------------------- Skipping questions and bad answers


@pytest.mark.parametrize(
    "given, expected",
    [
        ({"budget": "minimal"}, "volume"),
        ({}, "volume"),
        ({"volume": "light", "budget": "minimal"}, "compute"),
        (answers_before("data_sensitivity"), "data_sensitivity"),
    ],
)
def test_skipping_a_question_redirects_to_the_first_unanswered_one(client, given, expected):
    response = client.get("/questions/deployment/", given)

    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == f"/questions/{expected}/"
    assert dict(parse_qsl(location.query)) == {**given, "errors": "1"}


def test_a_skipped_question_shows_an_error_summary_linking_to_it(client):
    response = client.get("/questions/deployment/", {"budget": "minimal"}, follow=True)

    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    summary = page[page.index("error-summary") : page.index('class="step-count"')]
    targets = re.findall(r'href="#([^"]+)"', summary)
    assert targets == ["q-volume"]
    assert set(targets) <= element_ids(response)
    assert hidden(response) == [("budget", "minimal")]
    # It says what to do, in the summary and beside the question.
    assert page.count("Choose how much the model will be used") == 2
    assert "Choose an answer" not in page
    assert re.search(r"<title>\s*Error:", page)


def test_a_question_without_errors_shows_no_error_summary(client):
    response = client.get("/questions/volume/")

    assert "There is a problem" not in response.content.decode()


def test_check_page_with_missing_answers_redirects_to_the_first_unanswered_question(client):
    given = {q: v for q, v in ANSWERS.items() if q != "transparency"}
    response = client.get("/check/", given)

    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == "/questions/transparency/"
    assert "errors=1" in response["Location"]


def test_unknown_value_is_rejected_and_never_echoed(client):
    response = client.get("/questions/budget/", {"budget": "free", "volume": "light"})

    assert response.status_code == 400
    assert "Cache-Control" not in response  # no cache keeps a page per made-up value
    page = response.content.decode()
    assert "There is a problem" in page
    assert "not one of the choices" in page
    assert checked(response) == {}
    assert hidden(response) == [("volume", "light")]
    assert 'value="free"' not in page


def test_unknown_value_for_an_earlier_question_sends_the_user_back_without_it(client):
    response = client.get("/questions/compute/", {"budget": "free", "volume": "light"})

    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == "/questions/budget/"
    assert dict(parse_qsl(location.query)) == {"volume": "light", "errors": "1"}


def test_duplicate_values_for_one_question_are_rejected(client):
    response = client.get("/questions/budget/?budget=minimal&budget=moderate&volume=light")

    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert "budget" not in checked(response)


def test_duplicate_values_do_not_pass_a_later_question(client):
    response = client.get("/questions/compute/?budget=minimal&budget=moderate&volume=light")

    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == "/questions/budget/"


def test_unknown_query_keys_are_dropped_by_a_redirect_to_the_same_question(client):
    # A tracking tag or a cache-buster would otherwise make its own entry in every cache in front.
    given = {**answers_before("workloads"), "utm_source": "mail", "foo": "bar"}
    redirect = client.get("/questions/workloads/", given)
    assert redirect.status_code == 301
    assert "Cache-Control" not in redirect  # so no cache keeps the redirect either
    assert urlsplit(redirect["Location"]).path == "/questions/workloads/"
    assert dict(parse_qsl(urlsplit(redirect["Location"]).query)) == answers_before("workloads")

    response = client.get(redirect["Location"])
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" not in page
    assert "utm_source" not in page
    assert dict(hidden(response)) == answers_before("workloads")


# ---------------------------------------------------------------- Check page


def test_check_page_lists_every_answer_with_a_change_link_to_that_one_question(client):
    response = client.get("/check/", ANSWERS)

    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('class="summary-value"') == len(CURRENT.questions) == 15
    changes = [attrs["href"] for attrs in tags(response, "a") if "return=check" in (attrs.get("href") or "")]
    assert len(changes) == 15
    for question, href in zip(QUESTIONS, changes, strict=True):
        link = urlsplit(href)
        assert link.path == f"/questions/{question}/"
        assert dict(parse_qsl(link.query)) == {**ANSWERS, "return": "check"}


def test_check_page_form_posts_every_answer(client):
    response = client.get("/check/", ANSWERS)

    (form,) = [attrs for attrs in tags(response, "form") if attrs.get("method") == "post"]
    assert form["action"] == "/results"
    assert hidden(response) == [(q.id, ANSWERS[q.id]) for q in CURRENT.questions]


def test_a_question_opened_from_the_check_page_focuses_its_answer_and_returns_there(client):
    response = client.get("/questions/expertise/", {**ANSWERS, "return": "check"})

    assert response.status_code == 200
    assert step_form(response)["action"] == "/check/"
    page = response.content.decode()
    assert re.search(r'<button class="button" type="submit">\s*Save and return to your answers\s*</button>', page)
    back = urlsplit(back_link(response))
    assert back.path == "/check/"
    assert dict(parse_qsl(back.query)) == ANSWERS
    assert checked(response) == {"expertise": ANSWERS["expertise"]}
    (focused,) = [attrs for attrs in tags(response, "input") if "autofocus" in attrs]
    assert focused["value"] == ANSWERS["expertise"]
    # Changing the answer there and submitting lands on the check page with the new answer and every other.
    other = next(v for v in CURRENT.questions_by_id["expertise"].values if v != ANSWERS["expertise"])
    after = client.get("/check/", {**dict(hidden(response)), "expertise": other})
    assert after.status_code == 200
    assert dict(hidden(after)) == {**ANSWERS, "expertise": other}


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
        assert reason["text"] in unescape(page)
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
        assert target.path.removeprefix("/questions/").removesuffix("/") in QUESTIONS
        assert dict(parse_qsl(target.query))["return"] == "check"
        assert client.get(unescape(link)).status_code == 200


# ---------------------------------------------------------------- htmx


HTMX = {"HX-Request": "true"}


@pytest.mark.parametrize(
    "url",
    ["/", "/questions/volume/", f"/questions/independence/?{urlencode(ANSWERS)}", f"/check/?{urlencode(ANSWERS)}"],
    ids=["start", "first-question", "last-question", "check"],
)
def test_htmx_request_gets_only_the_page_content(client, url):
    full = client.get(url)
    partial = client.get(url, headers=HTMX)

    assert partial.status_code == full.status_code == 200
    assert "<html" in full.content.decode()
    assert "<html" not in partial.content.decode()
    assert 'class="masthead"' not in partial.content.decode()
    assert "<h1" in partial.content.decode()
    # The same title, which htmx puts in the tab and a screen reader announces.
    title = re.compile(r"<title>(.*?)</title>", re.S)
    assert title.findall(partial.content.decode()) == title.findall(full.content.decode())
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
    response = client.get("/questions/volume/", headers={**HTMX, "HX-History-Restore-Request": "true"})

    page = response.content.decode()
    assert "<html" in page
    assert 'class="masthead"' in page


def test_htmx_question_keeps_the_answers_in_the_form(client):
    response = client.get("/questions/workloads/", answers_before("task_scope"), headers=HTMX)

    assert checked(response) == {"workloads": ANSWERS["workloads"]}
    assert hidden(response) == list(answers_before("workloads").items())
