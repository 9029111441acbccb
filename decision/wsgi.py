import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "decision.settings")
application = get_wsgi_application()

# gunicorn runs no system checks: each worker runs ours as it starts, so a ruleset or a market catalogue that
# does not validate stops the worker (and gunicorn, when none boots) with every problem named, instead of
# failing on the first request that reads it.
from decision.checks import startup_errors  # noqa: E402 - after Django is set up

if errors := startup_errors():
    raise ImproperlyConfigured("\n".join(f"{error.id}: {error.msg}" for error in errors))
