"""Bluegreen demo web app (Bottle); run it with ``python -m app``."""
