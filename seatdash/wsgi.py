"""WSGI entry point: `gunicorn seatdash.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seatdash.settings")

application = get_wsgi_application()
