import os

import pytest


def pytest_configure(config):
    # The suite runs the production settings (DEBUG off) with a throwaway key, over plain HTTP.
    # Set here rather than in pyproject so that a bare `pytest` needs no environment of its own;
    # loading the settings now lets pytest-django finish setting Django up after this hook.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "decision.settings")
    os.environ.setdefault("SECRET_KEY", "tests-only-not-secret")
    os.environ.setdefault("HTTPS", "false")
    os.environ.setdefault("ALLOWED_HOSTS", "localhost,127.0.0.1")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # Many tests create results from one address; tests of the limit set their own.
    os.environ.setdefault("RATE_LIMIT_RESULTS", "100000")
    from django.conf import settings

    settings.INSTALLED_APPS  # noqa: B018 - loads the settings


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session):
    # Production settings serve hashed static files from STATIC_ROOT, as gunicorn would. Collected once, before
    # pytest-xdist starts its workers: a worker clearing the folder would pull files away from another's pages.
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return
    from django.core.management import call_command

    call_command("collectstatic", "--noinput", "--clear", verbosity=0)
