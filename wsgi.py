"""The WSGI entry point: `gunicorn wsgi:app`."""

from journal import create_app
from journal.reports import printing

app = create_app()
# WeasyPrint's import and font loading (~0.7 s) happen once per worker, as it starts, so no PDF
# download waits for them. (Not in gunicorn's master with --preload: threads started there, such
# as the login limiter's in-memory storage timer, do not survive the fork, and a worker could
# hang on a lock one of them held.)
printing.preload()
