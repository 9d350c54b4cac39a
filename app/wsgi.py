"""Module-level WSGI callable for servers that import one: ``app.wsgi:application``."""

import atexit

from app.config import load_settings
from app.logs import setup_logging
from app.web import create_app, open_database

settings = load_settings()
setup_logging(settings.log_level, settings.app_version)
database = open_database(settings)
if database is not None:
    atexit.register(database.close)  # end the sessions cleanly when the worker stops
application = create_app(settings, database=database)
