"""Django's PostgreSQL backend with a health check of kept connections that costs no round
trip (``base.DatabaseWrapper.is_usable``); settings.py names it as the ENGINE of every
PostgreSQL database."""
