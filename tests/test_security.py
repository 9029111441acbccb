"""Headers, deploy checks and error pages: what makes the site safe to put on the public internet."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.db.utils import OperationalError
from django.test import Client

from decision import ruleset, services
from decision.models import HealthProbe, Result

ROOT = Path(__file__).parent.parent


def run_python(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run our Python in a fresh process, as production would start it, with this environment."""
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False)


def csp_directives(response):
    return dict(
        (part.split()[0], part.split()[1:]) for part in response["Content-Security-Policy"].split(";") if part.strip()
    )


EVERY_KIND_OF_RESPONSE = {
    "a page": ("GET", "/", {}),
    "a step": ("GET", "/questions/volume/", {}),
    "how it decides": ("GET", "/how-it-decides/", {}),
    "health": ("GET", "/healthz", {}),
    "not found": ("GET", "/no-such-page/", {}),
    "a static file": ("GET", "static", {}),
    "our 405 page": ("DELETE", "/", {}),
    "our 405 JSON": ("PUT", "/api/recommend", {}),
    "OPTIONS": ("OPTIONS", "/", {}),
    "a forged Host": ("GET", "/", {"HTTP_HOST": "evil.example"}),
    "the slash redirect": ("GET", "/how-it-decides", {}),
    "an unknown query": ("GET", "/privacy/?utm_source=x", {}),
    "an over-long query": ("GET", "/?" + "&".join(f"k{n}=v" for n in range(200)), {}),
}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", list(EVERY_KIND_OF_RESPONSE))
def test_every_response_carries_a_strict_content_security_policy(kind):
    method, path, extra = EVERY_KIND_OF_RESPONSE[kind]
    client = Client(raise_request_exception=False)
    if path == "static":
        path = re.search(r'href="(/static/[^"]+\.css)"', client.get("/").content.decode()).group(1)
    response = client.generic(method, path, **extra)
    policy = csp_directives(response)
    assert policy["default-src"] == ["'none'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"]
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"


def test_production_settings_pass_the_deploy_check():
    env = {
        **{key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DEBUG": "false",
        "HTTPS": "true",
        "SECRET_KEY": "a-long-random-production-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "SITE_URL": "https://example.org",  # ALLOWED_HOSTS follows from it
    }
    done = run_python("manage.py", "check", "--deploy", "--fail-level", "WARNING", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_the_deploy_check_says_when_no_site_address_is_set():
    env = {key: value for key, value in os.environ.items() if key not in ("SITE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update(DEBUG="false", HTTPS="true", ALLOWED_HOSTS="example.org", SECRET_KEY="k" * 60 + "-0123456789")
    done = run_python("manage.py", "check", "--deploy", env=env)
    assert "decision.W001" in done.stdout + done.stderr


@pytest.mark.django_db
@pytest.mark.parametrize("host", ["127.0.0.1:6666", "127.0.0.1.", "localhost:1"])
def test_no_link_follows_a_host_header_once_the_site_address_is_set(settings, host):
    # A cache in front keeps a page for everyone: one request with a forged port or a trailing dot, which
    # ALLOWED_HOSTS lets through, must not put its address into what the next visitor is shown.
    settings.SITE_URL = "https://decide.example.org"
    result = services.result_create(ruleset=ruleset.current(), answers={"compute": "own"})
    client = Client(HTTP_HOST=host)
    pages = [
        client.get(f"/r/{result.id}/").content,
        client.get(f"/r/{result.id}/decision-record.md").content,
        client.get("/how-it-decides/").content,
        client.post("/api/results", {"answers": {}}, content_type="application/json").content,
        client.get(f"/api/results/{result.id}").content,
    ]
    for body in pages:
        text = body.decode()
        assert "https://decide.example.org/" in text
        assert host.rstrip(".") not in text.replace("decide.example.org", "")


def test_the_deploy_check_says_when_no_secret_key_is_set():
    env = {key: value for key, value in os.environ.items() if key not in ("SECRET_KEY", "DEBUG")}
    env.update(HTTPS="true", ALLOWED_HOSTS="example.org")
    done = run_python("manage.py", "check", "--deploy", "--fail-level", "WARNING", env=env)
    assert done.returncode != 0
    assert "security.W009" in done.stdout + done.stderr


HTTPS_PROBE = """
import django, json
django.setup()
from django.test import Client
from decision import ruleset
path = "/check/?" + "&".join(f"{q.id}=unsure" for q in ruleset.current().questions)
client = Client()
plain = client.get("/", secure=False)
response = client.get(path, secure=True)
print(json.dumps({
    "redirect": [plain.status_code, plain.get("Location", "")],
    "status": response.status_code,
    "hsts": response.get("Strict-Transport-Security", ""),
    "cookies": list(response.cookies),
}))
"""


def test_https_mode_redirects_and_sends_hsts_and_sets_no_cookie():
    # Our settings, as production loads them from the environment: a fresh process with HTTPS on.
    env = {key: value for key, value in os.environ.items() if key != "HTTPS"}
    env.update(DEBUG="false", HTTPS="true", ALLOWED_HOSTS="testserver", DJANGO_SETTINGS_MODULE="decision.settings")
    done = run_python("-c", HTTPS_PROBE, env=env)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["redirect"] == [301, "https://testserver/"]
    assert seen["status"] == 200
    assert seen["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert seen["cookies"] == []


QUESTIONS = [q.id for q in ruleset.current().questions]


def test_pages_without_forms_set_no_cookies(client):
    for path in ("/", "/questions/volume/", "/how-it-decides/"):
        assert not client.get(path).cookies


@pytest.mark.django_db
def test_no_page_or_endpoint_lists_results(client):
    assert client.get("/r/").status_code == 404
    assert client.get("/api/results").status_code == 405
    assert client.get("/api/results/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("post", "/", "GET, HEAD"),
        ("put", "/questions/volume/", "GET, HEAD"),
        ("patch", "/how-it-decides/", "GET, HEAD"),
        ("delete", "/check/", "GET, HEAD"),
        ("put", "/results", "POST"),
        ("delete", "/results", "POST"),
        ("get", "/results", "POST"),
        ("post", "/r/abc/", "GET, HEAD"),
    ],
)
def test_a_wrong_method_gets_our_own_405_page_with_allow(method, path, allow):
    # As a browser sends it from another site: PUT, PATCH and DELETE must be told 405, not "sent from elsewhere".
    response = getattr(Client(enforce_csrf_checks=True), method)(path, headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 405
    assert response["Allow"] == allow
    assert "That action is not available here" in response.content.decode()


def test_under_htmx_an_error_comes_back_as_page_content(client):
    response = client.get("/wizard/nowhere/", headers={"HX-Request": "true"})
    assert response.status_code == 404
    body = response.content.decode()
    assert "Page not found" in body
    assert "<html" not in body
    assert response["HX-Push-Url"] == "false"  # the address bar keeps the page the user was on


@pytest.mark.django_db
def test_the_health_endpoint_reports_the_database_and_leaves_nothing_behind(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert not Result.objects.exists()  # its probe write was rolled back


@pytest.mark.django_db
def test_the_health_endpoint_says_so_when_the_database_refuses_writes(client, monkeypatch):
    # What a connection opened on a read-only SQLite file does: reads work, every write fails.
    def read_only(*args, **kwargs):
        raise OperationalError("attempt to write a readonly database")

    monkeypatch.setattr(HealthProbe.objects, "update_or_create", read_only)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"
    monkeypatch.undo()
    assert client.get("/healthz").status_code == 200  # and says so again once writes work


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "is_api"), [("/r/abcdefghijklmnop/", False), ("/api/results/abcdefghijkl", True)])
def test_a_database_that_is_down_answers_503_with_retry_after(client, monkeypatch, path, is_api):
    from decision import services

    def down(*args, **kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(services.Result.objects, "filter", down)
    client.raise_request_exception = False
    response = client.get(path)
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    if is_api:
        assert response["Content-Type"] == "application/json"
        assert "database" in response.json()["error"]
    else:
        assert "Please try again in a moment" in response.content.decode()


@pytest.mark.django_db
def test_a_form_sent_while_the_database_is_down_saves_nothing_and_says_retry(client, monkeypatch):
    from decision import services

    def down(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(services.Result.objects, "create", down)
    client.raise_request_exception = False
    answers = {q.id: "unsure" for q in ruleset.current().questions}
    response = client.post("/results", answers)
    assert response.status_code == 503 and response["Retry-After"]
    assert not Result.objects.exists()


def test_server_errors_get_our_plain_page_that_leaks_nothing(client, monkeypatch):
    from decision import views

    def explode(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(views.rulesets, "current", explode)
    client.raise_request_exception = False
    response = client.get("/check/")  # never kept in memory, so it always reaches the broken code
    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong on our side" in body
    assert "secret internals" not in body
    assert "Traceback" not in body


def test_a_forged_host_header_is_refused_with_400_not_a_crash():
    response = Client(raise_request_exception=False).get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "could not be understood" in response.content.decode()


@pytest.mark.django_db
def test_search_engines_are_asked_not_to_index_shared_results(client):
    from decision import ruleset, services

    result = services.result_create(ruleset=ruleset.current(), answers={})
    for _ in range(2):  # the second comes from the kept page
        assert client.get(f"/r/{result.id}/")["X-Robots-Tag"] == "noindex, nofollow"
    robots = client.get("/robots.txt").content.decode()
    assert "Disallow: /api/" in robots
    assert "/r/" not in robots  # crawlers must be able to fetch a result to see its noindex


def test_the_browsers_favicon_request_finds_our_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"].startswith("/static/icon.")


@pytest.mark.django_db
def test_a_refused_form_under_htmx_shows_its_error_in_the_page_and_keeps_the_answers():
    answers = {q: "unsure" for q in QUESTIONS}
    headers = {"HX-Request": "true", "Sec-Fetch-Site": "cross-site"}
    response = Client(enforce_csrf_checks=True).post("/results", answers, headers=headers)
    assert response.status_code == 403
    body = response.content.decode()
    assert "This form came from another site" in body
    assert "<html" not in body
    assert response["HX-Push-Url"] == "false"
    assert "/check/?volume=unsure&amp;budget=unsure" in body


@pytest.mark.django_db
def test_a_history_restore_request_never_poisons_the_kept_full_page(client):
    path = "/questions/volume/?volume=light"
    restored = client.get(path, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    plain = client.get(path)
    assert restored.content == plain.content
    assert plain.content.decode().count("<title>") == 1
    assert "HX-History-Restore-Request" in plain["Vary"]


READ_ONLY_PROBE = """
import django, sys
django.setup()
from django.db import connection
from django.test import Client
from decision import ruleset
from decision.models import Result
path = sys.argv[1]
client = Client(raise_request_exception=False)
answers = {q.id: "unsure" for q in ruleset.current().questions}
connection.close()
connection.settings_dict["NAME"] = f"file:{path}?mode=ro"  # the file as a worker finds it when not writable
first = client.get("/healthz").status_code
post = client.post("/results", answers).status_code
connection.settings_dict["NAME"] = path  # writable again
second = client.get("/healthz").status_code
after = client.post("/results", answers).status_code
print(first, post, second, after, Result.objects.count())
"""


def test_a_worker_that_opened_a_read_only_sqlite_file_recovers_once_it_is_writable(tmp_path):
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL",)}
    env.update(
        SQLITE_PATH=str(tmp_path / "db.sqlite3"), DJANGO_SETTINGS_MODULE="decision.settings", ALLOWED_HOSTS="testserver"
    )
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    done = run_python("-c", READ_ONLY_PROBE, str(tmp_path / "db.sqlite3"), env=env)
    assert done.returncode == 0, done.stderr
    first, post, second, after, stored = done.stdout.split()[-5:]
    assert (first, post) == ("503", "503")  # said at once, nothing saved
    assert (second, after, stored) == ("200", "303", "1")  # the next request connects afresh


def test_the_proxy_and_gunicorn_refuse_no_sooner_than_the_app_says():
    # One limit for bodies (nginx refuses past it with its own page, the app at it with its own), and nginx's
    # address and header-line limit below gunicorn's, so that nothing nginx passes on meets gunicorn's bare 400.
    from django.conf import settings

    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    body_kb = int(re.search(r"client_max_body_size (\d+)k;", conf).group(1))
    line_kb = int(re.search(r"large_client_header_buffers \d+ (\d+)k;", conf).group(1))
    gunicorn: dict = {}
    exec((ROOT / "gunicorn.conf.py").read_text(), gunicorn)
    assert body_kb * 1024 == settings.MAX_BODY_BYTES
    assert line_kb * 1024 < gunicorn["limit_request_line"]
    assert line_kb * 1024 < gunicorn["limit_request_field_size"]


def test_a_server_error_under_the_api_is_answered_as_json_that_leaks_nothing(client, monkeypatch):
    from decision import api

    def explode(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(api.rules, "recommend", explode)
    client.raise_request_exception = False
    response = client.post("/api/recommend", {"answers": {}}, content_type="application/json")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error", "fields"} and body["fields"] == []
    assert "secret internals" not in response.content.decode()


def test_a_post_to_an_address_that_does_not_exist_is_our_404_page_from_anywhere(client):
    # Nothing is there to change, so even a form sent from another site is told "not found", on our page.
    for headers in ({}, {"Sec-Fetch-Site": "same-origin"}, {"Sec-Fetch-Site": "cross-site"}):
        response = client.post("/no/such/page", {"a": "b"}, headers=headers)
        assert response.status_code == 404
        assert "Page not found" in response.content.decode()


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("DEBUG", "maybe", "DEBUG must be true or false, not 'maybe'"),
        ("MAX_BODY_BYTES", "64k", "MAX_BODY_BYTES must be a whole number, not '64k'"),
        ("RATE_LIMIT_RESULTS", "many", "RATE_LIMIT_RESULTS must be a whole number, not 'many'"),
        ("SITE_URL", "example.org/path", "SITE_URL must be a scheme and a host such as https://example.org"),
    ],
)
def test_a_setting_given_a_value_it_cannot_take_stops_the_app_with_its_name(name, value, says):
    import subprocess
    import sys

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "decision.settings", "SECRET_KEY": "x", name: value}
    started = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], env=env, capture_output=True, text=True, timeout=60
    )
    assert started.returncode != 0
    assert "ImproperlyConfigured" in started.stderr and says in started.stderr
