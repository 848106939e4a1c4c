"""The WSGI entry point: `gunicorn wsgi:app`."""

import gc

from journal import create_app
from journal.reports import printing

app = create_app()
# WeasyPrint's import and font loading (~0.7 s) happen once per worker, as it starts, so no PDF
# download waits for them. (Not in gunicorn's master with --preload: threads started there, such
# as the login limiter's in-memory storage timer, do not survive the fork, and a worker could
# hang on a lock one of them held.)
printing.preload()
# What the worker has loaded by now (the app, its libraries, WeasyPrint's fonts) lives as long
# as the worker: frozen out of the garbage collector's sight, a full collection no longer walks
# it. Unfrozen, each one took 55-120 ms, every twenty or so pages of the 500-group overview.
gc.freeze()
