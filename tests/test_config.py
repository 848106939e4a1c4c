"""Configuration, start-up refusal, and the SQLite engine's settings under concurrency."""

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from journal import create_app
from journal.extensions import db
from tests.apps import TEST_CONFIG

ROOT = Path(__file__).resolve().parent.parent


def _start(tmp_path, code="import wsgi", **env):
    """Import wsgi.py in a clean process with an empty instance folder (then run `code`)."""
    environment = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "FLASK_DEBUG"}}
    environment |= {"MUHELYNAPLO_INSTANCE": str(tmp_path)} | env
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )


def test_refuses_to_start_without_secret_key(tmp_path):
    """Outside development, a missing SECRET_KEY stops the start with a message, no traceback."""
    result = _start(tmp_path)
    assert result.returncode == 1
    assert "SECRET_KEY is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_starts_with_secret_key_from_environment(tmp_path):
    """With SECRET_KEY in the environment the app builds."""
    result = _start(tmp_path, SECRET_KEY="from-the-environment")
    assert result.returncode == 0, result.stderr


def test_a_worker_freezes_what_it_loaded_out_of_the_collectors_sight(tmp_path):
    """wsgi.py ends with gc.freeze(): the app, its libraries and WeasyPrint's fonts, loaded
    once per worker, are no longer walked by every full collection (the pages' p99)."""
    code = "import gc, wsgi; print(gc.get_freeze_count())"
    result = _start(tmp_path, code, SECRET_KEY="from-the-environment")
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) > 100_000


@pytest.fixture
def short_lived_apps():
    """Collect the apps a test builds; close their database connections afterwards, so none
    is left for the garbage collector (a ResourceWarning on PostgreSQL)."""
    apps = []
    yield apps
    for app in apps:
        with app.app_context():
            db.engine.dispose()


def test_instance_config_then_environment(tmp_path, monkeypatch, short_lived_apps):
    """instance/config.py overrides the defaults, the environment overrides both."""
    (tmp_path / "config.py").write_text("SECRET_KEY = 'from-file'\nPUBLIC_URL = 'https://x.hu'\n")
    monkeypatch.setenv("MUHELYNAPLO_INSTANCE", str(tmp_path))
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app()
    short_lived_apps.append(app)
    assert app.config["SECRET_KEY"] == "from-file"
    assert app.config["PUBLIC_URL"] == "https://x.hu"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'muhelynaplo.sqlite'}"
    monkeypatch.setenv("SECRET_KEY", "from-env")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'other.sqlite'}")
    app = create_app()
    short_lived_apps.append(app)
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("other.sqlite")


def test_sqlite_runs_in_wal_with_foreign_keys_and_busy_timeout(tmp_path, short_lived_apps):
    """The embedded database is set up for several writers (a SQLite app of its own, so that
    this runs in the PostgreSQL pass of the suite too)."""
    app = create_app(TEST_CONFIG | {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'w.db'}"})
    short_lived_apps.append(app)
    with app.app_context(), db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


def test_read_then_write_transactions_never_fail_under_concurrent_writers(
    tmp_path, short_lived_apps
):
    """Twenty writers that read, then write, all succeed (BEGIN IMMEDIATE on write requests)."""
    app = create_app(TEST_CONFIG | {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'c.db'}"})
    short_lived_apps.append(app)
    with app.app_context():
        db.session.execute(text("CREATE TABLE counter (n INTEGER NOT NULL)"))
        db.session.execute(text("INSERT INTO counter VALUES (0)"))
        db.session.commit()
    errors: list[Exception] = []
    barrier = threading.Barrier(20)

    def writer():
        """Read the counter, then write it back incremented, ten times."""
        barrier.wait()
        for _ in range(10):
            with app.test_request_context(method="POST"):
                try:
                    n = db.session.execute(text("SELECT n FROM counter")).scalar()
                    db.session.execute(text("UPDATE counter SET n = :n"), {"n": n + 1})
                    db.session.commit()
                except Exception as error:  # noqa: BLE001 - collected and asserted below
                    errors.append(error)
                    db.session.rollback()
                finally:
                    db.session.remove()

    threads = [threading.Thread(target=writer) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with app.app_context():
        final = db.session.execute(text("SELECT n FROM counter")).scalar()
        db.session.remove()
    assert errors == []
    assert final == 200  # no lost update either
