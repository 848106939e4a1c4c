"""The WSGI entry point: `gunicorn --preload wsgi:app`."""

from journal import create_app
from journal.reports import printing

app = create_app()
# WeasyPrint's import and font loading (~0.7 s) happen once, before gunicorn forks its workers
# (with --preload; without it, once per worker): no PDF download waits for them.
printing.preload()
