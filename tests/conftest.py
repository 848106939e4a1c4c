"""Fixtures: a fresh database per test (SQLite, or PostgreSQL through DATABASE_URL)."""

import contextvars
import logging
import os
import shutil

import pytest
from flask.globals import _cv_app
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from journal import create_app
from journal.extensions import db
from tests.factories import PASSWORD
from tests.once_per_process import TEMPLATE_CODE, remove_sqlite_template, sqlite_template


def _database_url() -> str | None:
    """Return the PostgreSQL database this process tests on, if any. Under pytest-xdist each
    worker gets its own database next to the given one (created here, dropped at the end),
    so that one worker's per-test TRUNCATE never empties another's tables."""
    base = os.environ.get("DATABASE_URL")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not base or not worker:
        return base
    url = make_url(base)
    name = f"{url.database}_{worker}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


DATABASE_URL = _database_url()


def pytest_sessionfinish(session):
    """Remove this process's SQLite schema template, and drop this worker's own PostgreSQL
    database (see _database_url)."""
    remove_sqlite_template()
    if DATABASE_URL and os.environ.get("PYTEST_XDIST_WORKER"):
        url = make_url(DATABASE_URL)
        admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        admin.dispose()


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


TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret",
    "WTF_CSRF_ENABLED": False,
    # A cheap hash keeps the suite fast; the production cost is tested separately.
    "ARGON2_TIME_COST": 1,
    "ARGON2_MEMORY_COST": 16,
    "ARGON2_PARALLELISM": 1,
    "SERVER_NAME": "localhost",
    "EXTRA_HOSTS": ("localhost",),
}

_pg_schema_ready = False


class FreshContextClient(FlaskClient):
    """A test client whose every request runs in its own application context.

    Flask reuses an application context that is already pushed, so without this every
    request of a test would share `g` (Flask-Login's cached user) and one database session,
    which production never does. The test's own session is committed first, so what the test
    set up is visible to the request, and what the request wrote is visible afterwards.
    """

    def open(self, *args, **kwargs):
        """Commit the test's session, then run the request in a fresh application context."""
        if _cv_app.get(None) is not None:
            db.session.commit()

        def run():
            _cv_app.set(None)
            return super(FreshContextClient, self).open(*args, **kwargs)

        return contextvars.copy_context().run(run)


def _reset_postgres(app) -> None:
    """Create the schema once per run, then empty every table before each test and start every
    id sequence again at 1.

    DELETE, children first, in one round trip: TRUNCATE of the 25 tables took 0.4 s a test here
    (it makes new files for every table and index), DELETE of their few rows 5 ms."""
    global _pg_schema_ready
    with app.app_context():
        if not _pg_schema_ready:
            db.drop_all()
            db.create_all()
            _pg_schema_ready = True
        else:
            deletes = [f'DELETE FROM "{t.name}"' for t in reversed(db.metadata.sorted_tables)]
            restart = "SELECT setval(oid, 1, false) FROM pg_class WHERE relkind = 'S'"
            with db.engine.begin() as connection:
                connection.exec_driver_sql("; ".join([*deletes, restart]))


def build_app(tmp_path, **overrides):
    """Create an app with a fresh, empty database."""
    path = tmp_path / "test.sqlite"
    config = TEST_CONFIG | {"SQLALCHEMY_DATABASE_URI": DATABASE_URL or f"sqlite:///{path}"}
    config |= overrides
    # A new SQLite file is a copy of the schema built once; a file already there (a second
    # app on the same folder) is kept and completed as before.
    copied = not DATABASE_URL and config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{path}"
    copied = copied and not path.exists()
    if copied:
        shutil.copyfile(sqlite_template(TEST_CONFIG), path)
    app = create_app(config)
    app.test_client_class = FreshContextClient
    app.jinja_env.bytecode_cache = TEMPLATE_CODE  # templates compiled once per process
    if DATABASE_URL:
        _reset_postgres(app)
    elif not copied:
        with app.app_context():
            db.create_all()
    return app


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


def login(client, user, password: str = PASSWORD, remember: bool = False):
    """Log a user in through the login form."""
    data = {"email": user.email, "password": password}
    if remember:
        data["remember"] = "y"
    response = client.post("/login", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)
    return response


@pytest.fixture
def log_in(client):
    """Return a function that logs a user in with the test client."""
    return lambda user, **kw: login(client, user, **kw)
