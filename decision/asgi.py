import os

from django.core.asgi import get_asgi_application
from django.core.exceptions import ImproperlyConfigured

from decision.checks import MISSING_KEY, secret_key_missing

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "decision.settings")
application = get_asgi_application()

# Refuse to serve without a secret key rather than run with an empty one (the system check says the same).
if secret_key_missing():
    raise ImproperlyConfigured(MISSING_KEY)
