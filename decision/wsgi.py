import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

from decision.checks import MISSING_KEY, secret_key_missing

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "decision.settings")
application = get_wsgi_application()

# Refuse to serve without a secret key rather than run with an empty one (the system check says the same).
if secret_key_missing():
    raise ImproperlyConfigured(MISSING_KEY)
