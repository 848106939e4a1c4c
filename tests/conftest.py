"""Fixtures: a fresh database per test (SQLite, or PostgreSQL through DATABASE_URL)."""

import logging
import os

import pytest

from journal.extensions import db
from tests.apps import build_app, drop_worker_database, login
from tests.once_per_process import remove_sqlite_template


def pytest_sessionfinish(session):
    """Remove this process's SQLite schema template, and drop this worker's own PostgreSQL
    database."""
    remove_sqlite_template()
    drop_worker_database()


# The test files whose tests share set-up beyond one test (module- and session-scoped
# fixtures: Chromium, live servers, a new venv): run whole on one worker, in order. Every other
# file builds everything per test, so its tests are handed out one by one.
RUN_WHOLE = ("tests/browser/", "tests/test_setup.py")


@pytest.hookimpl(optionalhook=True)  # a hook of pytest-xdist: unknown under -p no:xdist
def pytest_xdist_auto_num_workers(config):
    """Run one worker more than there are CPUs (`-n auto`, pyproject's addopts). About a
    third of a browser test is waiting (for Chromium, a poll, an autosave's delay), which
    the extra worker fills: on this 2-CPU machine the suite took 6:13 with 2 workers, 5:24
    with 3 and 5:45 with 4. PYTEST_XDIST_AUTO_NUM_WORKERS still decides when set."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return int(os.environ["PYTEST_XDIST_AUTO_NUM_WORKERS"])
    cpus = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else range(os.cpu_count())
    return len(cpus) + 1


@pytest.hookimpl(optionalhook=True)  # a hook of pytest-xdist: unknown under -p no:xdist
def pytest_xdist_make_scheduler(config, log):
    """Under --dist loadfile (pyproject's addopts) keep only RUN_WHOLE's files whole, and hand
    out every other test on its own, so that a long file no longer keeps one worker busy while
    the other waits at the end. (xdist puts the units with the most tests first, so the
    browser files start first and the single tests fill in.)"""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class SpreadScheduling(LoadFileScheduling):
        """LoadFileScheduling whose work unit is one test outside RUN_WHOLE's files."""

        def _split_scope(self, nodeid: str) -> str:
            """Return the test file for RUN_WHOLE's files, else the test itself."""
            path = nodeid.split("::", 1)[0]
            return path if path.startswith(RUN_WHOLE) else nodeid

    return SpreadScheduling(config, log)


@pytest.fixture(autouse=True)
def _loggers_stay_enabled():
    """Re-enable, after each test, the loggers disabled during it: Alembic's fileConfig (the
    migration tests) disables every logger that exists when it runs, and a later test of the
    same worker would hear nothing from them (its caplog stays empty)."""

    def disabled() -> set[logging.Logger]:
        """Return the loggers that are disabled now."""
        loggers = logging.Logger.manager.loggerDict.values()
        return {lg for lg in loggers if isinstance(lg, logging.Logger) and lg.disabled}

    before = disabled()
    yield
    for logger in disabled() - before:
        logger.disabled = False


@pytest.fixture
def app(tmp_path):
    """An app with an empty database, and an application context pushed."""
    app = build_app(tmp_path)
    with app.app_context():
        yield app
        db.session.remove()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app):
    """A test client."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner."""
    return app.test_cli_runner()


@pytest.fixture
def world(app):
    """Two groups with mentors and participants, and a coordinator."""
    from tests.factories import make_world

    return make_world()


@pytest.fixture
def log_in(client):
    """Return a function that logs a user in with the test client."""
    return lambda user, **kw: login(client, user, **kw)


@pytest.fixture
def inbox(app):
    """A running SMTP server that accepts every mail; the app sends to it (tests/mailbox.py)."""
    from tests.mailbox import Inbox, serve

    handler = Inbox()
    controller = serve(app, handler)
    yield handler
    controller.stop()
