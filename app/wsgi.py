"""Module-level WSGI callable for servers that import one: ``app.wsgi:application``."""

from app.config import load_settings
from app.logs import setup_logging
from app.web import create_app

settings = load_settings()
setup_logging(settings.log_level, settings.app_version)
application = create_app(settings)
