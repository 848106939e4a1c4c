"""A test app on a fresh database (SQLite, or PostgreSQL through DATABASE_URL), and a login
through the form: shared by conftest.py's fixtures and the tests that build their own app.

Kept out of conftest.py so that tests can import them: pytest loads conftest.py as `conftest`,
and a test importing `tests.conftest` loaded it a second time (each worker set up its
PostgreSQL database twice). Nothing imports conftest.py now."""

import contextvars
import os
import shutil

from flask.globals import _cv_app
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from journal import create_app
from journal.extensions import db
from tests.factories import PASSWORD
from tests.once_per_process import TEMPLATE_CODE, sqlite_template


def _worker_database(url, statements: tuple[str, ...]) -> None:
    """Run DROP or CREATE DATABASE statements for the database of `url`, from the server's
    `postgres` database."""
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for statement in statements:
            conn.execute(text(statement.format(name=url.database)))
    admin.dispose()


def _database_url() -> str | None:
    """Return the PostgreSQL database this process tests on, if any. Under pytest-xdist each
    worker gets its own database next to the given one (created here, dropped at the end by
    drop_worker_database), so that one worker's per-test DELETE never empties another's
    tables."""
    base = os.environ.get("DATABASE_URL")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not base or not worker:
        return base
    url = make_url(base)
    url = url.set(database=f"{url.database}_{worker}")
    _worker_database(
        url, ('DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', 'CREATE DATABASE "{name}"')
    )
    return url.render_as_string(hide_password=False)


DATABASE_URL = _database_url()


def drop_worker_database() -> None:
    """Drop this worker's own PostgreSQL database, if it made one (see _database_url)."""
    if DATABASE_URL and os.environ.get("PYTEST_XDIST_WORKER"):
        _worker_database(make_url(DATABASE_URL), ('DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',))


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


def login(client, user, password: str = PASSWORD, remember: bool = False):
    """Log a user in through the login form."""
    data = {"email": user.email, "password": password}
    if remember:
        data["remember"] = "y"
    response = client.post("/login", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)
    return response
