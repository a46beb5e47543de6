import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
application = get_wsgi_application()
# Import every view and API module now rather than on each worker's first request (LocaleMiddleware resolves the
# URLconf): about a CPU-second per worker, and with `gunicorn --preload` done once, before the workers fork.
_url_patterns = get_resolver().url_patterns
