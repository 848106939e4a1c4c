"""`flask backup` and `flask restore`: a copy taken while a writer writes restores whole, with
every write acknowledged before the backup began; a damaged or mismatched file is refused
before anything changes. On SQLite through the online backup API, on PostgreSQL (when the
suite runs on it) through pg_dump and pg_restore."""

import sqlite3
import threading
import time
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from journal import create_app
from journal.backups import schema_heads
from journal.extensions import db
from tests.apps import DATABASE_URL, TEST_CONFIG
from tests.factories import make_user

ON_PG = bool(DATABASE_URL)


def stamp(version: str | None = None) -> None:
    """Record an Alembic schema version in the test database (the head by default), as
    `flask init-db` does on a real one."""
    version = version or next(iter(schema_heads()))
    db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
    db.session.execute(
        text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
    )
    db.session.execute(text("INSERT INTO alembic_version VALUES (:v)"), {"v": version})
    db.session.commit()


@pytest.fixture
def stamped(app):
    """The test database with the head's Alembic version (dropped again afterwards on
    PostgreSQL, where the database outlives the test)."""
    stamp()
    yield app
    db.session.rollback()
    db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
    db.session.commit()


class Writer(threading.Thread):
    """Adds drafts one transaction at a time, from its own connection, and remembers the key
    of every write whose commit returned (an acknowledged write)."""

    def __init__(self, url: str, user_id: int):
        """Prepare a writer on the database at url, writing drafts of user_id."""
        super().__init__(daemon=True)
        # As the app's connections do: wait for a lock rather than fail at once.
        self.engine = create_engine(url, connect_args={} if ON_PG else {"timeout": 30})
        self.user_id = user_id
        self.acknowledged: list[str] = []
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        """Write until told to stop (bounded: at most 20 s)."""
        deadline = time.monotonic() + 20
        try:
            n = 0
            while not self.stop.is_set() and time.monotonic() < deadline:
                n += 1
                key = f"w:{n}"
                with self.engine.begin() as conn:
                    conn.execute(
                        text(
                            "INSERT INTO draft (user_id, key, body, fields, saved_at) "
                            "VALUES (:u, :k, :b, '{}', CURRENT_TIMESTAMP)"
                        ),
                        {"u": self.user_id, "k": key, "b": "írás " * 50},
                    )
                self.acknowledged.append(key)
        except BaseException as error:  # reported by the test
            self.error = error
        finally:
            self.engine.dispose()

    def wait_for(self, count: int) -> None:
        """Wait until count writes are acknowledged (at most 10 s)."""
        deadline = time.monotonic() + 10
        while len(self.acknowledged) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        assert self.error is None, self.error
        assert len(self.acknowledged) >= count, "the writer is too slow"


@pytest.fixture
def second_database(tmp_path):
    """Yield the URL of a new, empty database of the suite's kind to restore into."""
    if not ON_PG:
        yield f"sqlite:///{tmp_path / 'restored' / 'restored.sqlite'}"
        return
    name = f"restored_{uuid.uuid4().hex[:12]}"
    admin = create_engine(
        make_url(DATABASE_URL).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    try:
        yield make_url(DATABASE_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


def _restored_keys(url: str) -> set[str]:
    """Return the draft keys in a database."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return set(conn.scalars(text("SELECT key FROM draft")))
    finally:
        engine.dispose()


def test_backup_while_writing_restores_every_acknowledged_write(
    stamped, runner, tmp_path, second_database
):
    """A backup taken under a running writer restores into a new database whole: integrity
    ok, and every write acknowledged before the backup began is in it."""
    user_id = make_user().id
    db.session.commit()  # and hold no transaction (here every one takes the write lock)
    url = stamped.config["SQLALCHEMY_DATABASE_URI"]
    writer = Writer(url, user_id)
    writer.start()
    try:
        writer.wait_for(30)
        before = list(writer.acknowledged)
        target = tmp_path / "backups" / "muhelynaplo.backup"
        result = runner.invoke(args=["backup", str(target)])
        assert result.exit_code == 0, result.output
        during = len(writer.acknowledged)
        writer.wait_for(during + 20)  # the writer was never stopped by the backup
    finally:
        writer.stop.set()
        writer.join()
    assert writer.error is None, writer.error
    assert "Backup written" in result.output
    if ON_PG:
        assert "pg_dump -Fc" in result.output
    else:
        assert "integrity ok" in result.output
        copy = sqlite3.connect(target)
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        copy.close()

    restored_dir = tmp_path / "restored"
    restored_dir.mkdir(exist_ok=True)
    # An app on the new, empty database (no schema: the restore brings it).
    other = create_app(TEST_CONFIG | {"SQLALCHEMY_DATABASE_URI": second_database})
    with other.app_context():
        result = other.test_cli_runner().invoke(args=["restore", str(target), "--yes"])
        db.engine.dispose()
    assert result.exit_code == 0, result.output
    assert "Restored" in result.output
    keys = _restored_keys(second_database)
    assert set(before) <= keys
    assert len(keys) <= len(writer.acknowledged) + 1  # nothing the writer did not write
    if not ON_PG:
        restored = sqlite3.connect(make_url(second_database).database)
        assert restored.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        restored.close()


def test_restore_refuses_another_schema_version(stamped, runner, tmp_path):
    """A backup of another schema version is refused with a clear message; nothing changes."""
    target = tmp_path / "old.backup"
    stamp("0123456789ab")
    assert runner.invoke(args=["backup", str(target)]).exit_code == 0
    stamp()
    make_user(family_name="Megmaradó")
    db.session.commit()
    result = runner.invoke(args=["restore", str(target), "--yes"])
    assert result.exit_code != 0
    assert "schema version is 0123456789ab" in result.output
    assert "Nothing was changed" in result.output
    assert db.session.scalar(text("SELECT count(*) FROM app_user WHERE family_name='Megmaradó'"))


def test_restore_refuses_a_backup_without_schema_version(app, runner, tmp_path):
    """A database copy with no Alembic version at all is not restored."""
    target = tmp_path / "plain.backup"
    assert runner.invoke(args=["backup", str(target)]).exit_code == 0
    result = runner.invoke(args=["restore", str(target), "--yes"])
    assert result.exit_code != 0
    assert "no Alembic version recorded" in result.output


def test_restore_refuses_a_damaged_or_foreign_file(stamped, runner, tmp_path):
    """A damaged backup, a file of another kind or a missing one is refused; nothing changes."""
    make_user(family_name="Megmaradó")
    db.session.commit()
    target = tmp_path / "good.backup"
    assert runner.invoke(args=["backup", str(target)]).exit_code == 0
    data = bytearray(target.read_bytes())
    damaged = tmp_path / "damaged.backup"
    middle = len(data) // 2
    data[middle : middle + 4096] = b"\xff" * 4096
    damaged.write_bytes(bytes(data))
    truncated = tmp_path / "truncated.backup"
    truncated.write_bytes(bytes(data[: len(data) // 3]))
    foreign = tmp_path / "notes.txt"
    foreign.write_text("nem adatbázis")
    for path, words in (
        (damaged, ("damaged", "integrity", "failed")),
        (truncated, ("damaged", "integrity", "failed")),
        (foreign, ("is not a",)),
        (tmp_path / "missing.backup", ("There is no backup file",)),
    ):
        result = runner.invoke(args=["restore", str(path), "--yes"])
        assert result.exit_code != 0, (path, result.output)
        assert any(word in result.output for word in words), (path, result.output)
        assert "Traceback" not in result.output
    assert db.session.scalar(text("SELECT count(*) FROM app_user WHERE family_name='Megmaradó'"))


def test_restore_asks_before_replacing(stamped, runner, tmp_path):
    """Without --yes the restore asks, and a "no" changes nothing."""
    target = tmp_path / "good.backup"
    assert runner.invoke(args=["backup", str(target)]).exit_code == 0
    make_user(family_name="Később")
    db.session.commit()
    result = runner.invoke(args=["restore", str(target)], input="n\n")
    assert result.exit_code != 0
    assert "Replace everything" in result.output
    assert db.session.scalar(text("SELECT count(*) FROM app_user WHERE family_name='Később'"))
    result = runner.invoke(args=["restore", str(target)], input="y\n")
    assert result.exit_code == 0, result.output
    db.session.remove()
    assert not db.session.scalar(text("SELECT count(*) FROM app_user WHERE family_name='Később'"))


@pytest.mark.skipif(ON_PG, reason="the SQLite file kept before a restore")
def test_sqlite_restore_keeps_the_replaced_database(stamped, runner, tmp_path):
    """Restoring over a SQLite database keeps the replaced one beside it."""
    target = tmp_path / "good.backup"
    assert runner.invoke(args=["backup", str(target)]).exit_code == 0
    make_user(family_name="Később")
    db.session.commit()
    result = runner.invoke(args=["restore", str(target), "--yes"])
    assert result.exit_code == 0, result.output
    kept = list(tmp_path.glob("test.sqlite.before-restore-*"))
    assert len(kept) == 1
    copy = sqlite3.connect(kept[0])
    assert copy.execute("SELECT count(*) FROM app_user WHERE family_name='Később'").fetchone()[0]
    copy.close()


def test_a_backup_is_for_its_owner_only_and_never_of_an_empty_database(app, runner, tmp_path):
    """The backup holds password hashes and second factors: only its owner reads it (SQLite
    and pg_dump alike). A database with no Műhelynapló data (a cron job run without the
    service's DATABASE_URL reaches a new, empty one) is refused: no file, a message."""
    import stat

    from journal import backups

    target = tmp_path / "muhelynaplo.backup"
    assert runner.invoke(args=["backup", str(target)]).exit_code == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    empty = tmp_path / "empty.sqlite"
    sqlite3.connect(empty).close()  # what connecting to a wrong path leaves behind
    with pytest.raises(backups.BackupError, match="holds no Műhelynapló data"):
        backups.backup(f"sqlite:///{empty}", tmp_path / "empty.backup", print)
    assert not (tmp_path / "empty.backup").exists()


def test_backup_refuses_a_directory(app, runner, tmp_path):
    """A directory is not a backup file's path: a message, not a traceback."""
    result = runner.invoke(args=["backup", str(tmp_path)])
    assert result.exit_code != 0
    assert "Traceback" not in result.output
