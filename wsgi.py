"""The WSGI entry point: `gunicorn wsgi:app`."""

from journal import create_app

app = create_app()
