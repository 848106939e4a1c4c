"""Backups of the database, taken while the app runs, and their checked restore.

SQLite: SQLite's online backup API copies the live database in one step under a read
transaction, so the copy is the database as it was at one moment (writers go on meanwhile:
in WAL mode a reader does not block them); the copy is checked (`PRAGMA integrity_check`)
before it replaces the file asked for. PostgreSQL: `pg_dump -Fc` (a consistent snapshot by
itself) and `pg_restore --single-transaction`.

A restore first checks the file (integrity, and that its Alembic schema version is the one
this code's migrations end in) and refuses anything else before replacing a single row.
The cached PDFs are not part of a backup: they are made again from the database.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy.engine import URL, make_url

from journal import ROOT

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why, for the operator."""


def schema_heads() -> set[str]:
    """Return the Alembic revisions this code's migrations end in (the schema it expects)."""
    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    return set(ScriptDirectory.from_config(config).get_heads())


def _sqlite_path(url: URL) -> Path:
    """Return the file of a SQLite database URL, refusing an in-memory one."""
    if not url.database or url.database == ":memory:":
        raise BackupError("The database is in memory: there is no file to back up or restore.")
    return Path(url.database)


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """Return a PostgreSQL URL for pg_dump/pg_restore without its password, and the
    environment that carries the password (never on the command line, where `ps` shows it)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(command: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run a PostgreSQL client program; a missing program or a failure is a BackupError."""
    if shutil.which(command[0]) is None:
        raise BackupError(
            f"{command[0]} is not installed (Debian: apt-get install postgresql-client)."
        )
    result = subprocess.run(
        command, env=env, capture_output=True, text=True, errors="replace", check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip() or result.returncode}")
    return result


def _sqlite_versions(connection: sqlite3.Connection) -> set[str] | None:
    """Return the Alembic versions stored in a SQLite database, or None without the table."""
    try:
        return {row[0] for row in connection.execute("SELECT version_num FROM alembic_version")}
    except sqlite3.OperationalError:
        return None


def _describe(versions: set[str] | None) -> str:
    """Return a schema version for a message."""
    if not versions:
        return "none (no Alembic version recorded)"
    return ", ".join(sorted(versions))


def _check_versions(versions: set[str] | None) -> None:
    """Refuse a backup whose schema is not the one this code's migrations end in."""
    heads = schema_heads()
    if versions != heads:
        raise BackupError(
            f"The backup's schema version is {_describe(versions)}, but this version of the "
            f"app expects {_describe(heads)}. Nothing was changed. Restore it with the "
            "version of the app that made it (then `flask --app journal init-db` upgrades it)."
        )


# --- Backup -------------------------------------------------------------------------------

# A database without this table is none of ours: a job run without the right DATABASE_URL (a
# crontab that misses the service's settings) reaches an empty one, and its "backup" must not
# pass for one (nor let an old-backups cleanup delete the real ones).
MARK_TABLE = "app_user"


def _not_ours(where: str) -> BackupError:
    """Return the error for a database that holds no Műhelynapló data."""
    return BackupError(
        f"{where} holds no Műhelynapló data (no {MARK_TABLE} table): check DATABASE_URL (a "
        "crontab needs the same settings as the service). Nothing written."
    )


def backup(database_url: str, target: Path, say: Callable[[str], None]) -> str:
    """Write a consistent copy of the database to target (SQLite file or pg_dump archive)."""
    url = make_url(database_url)
    target = Path(target)
    if target.is_dir():
        raise BackupError(f"{target} is a directory: give the backup file's path.")
    target.parent.mkdir(parents=True, exist_ok=True)
    if url.get_backend_name() == "sqlite":
        return _backup_sqlite(_sqlite_path(url), target)
    if url.get_backend_name() == "postgresql":
        say(f"PostgreSQL database: running pg_dump -Fc into {target}.")
        return _backup_postgres(url, target)
    raise BackupError(f"Backups of {url.get_backend_name()} databases are not supported.")


def _backup_sqlite(source: Path, target: Path) -> str:
    """Copy a live SQLite database with the online backup API, check it, then move it in."""
    if not source.exists():
        raise BackupError(f"There is no database at {source}.")
    handle, temporary = tempfile.mkstemp(prefix=".backup-", suffix=".sqlite", dir=target.parent)
    os.close(handle)
    try:
        with (
            closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)) as live,
            closing(sqlite3.connect(temporary)) as copy,
        ):
            # pages=-1: the whole database in one step, so the copy is one moment's state.
            live.backup(copy, pages=-1)
            # A self-contained file: no -wal or -shm file needed beside it.
            copy.execute("PRAGMA journal_mode = DELETE")
            check = copy.execute("PRAGMA integrity_check").fetchone()[0]
            versions = _sqlite_versions(copy)
            tables = {row[0] for row in copy.execute("SELECT name FROM sqlite_master")}
        if check != "ok":
            raise BackupError(f"The copy failed its integrity check ({check}); nothing written.")
        if MARK_TABLE not in tables:
            raise _not_ours(str(source))
        os.replace(temporary, target)
    finally:
        Path(temporary).unlink(missing_ok=True)
    size = target.stat().st_size
    return (
        f"Backup written to {target} (SQLite, {size} bytes, integrity ok, "
        f"schema {_describe(versions)})."
    )


def _backup_postgres(url: URL, target: Path) -> str:
    """Dump a PostgreSQL database with pg_dump's custom format (one consistent snapshot)."""
    dsn, env = _libpq(url)
    temporary = target.with_name(f".{target.name}.partial")
    try:
        # Made first, for its owner only: pg_dump writes into it and keeps the mode, so the
        # password hashes and second factors are nobody else's while the dump runs either.
        os.close(os.open(temporary, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600))
        os.chmod(temporary, 0o600)  # one left by an interrupted run keeps its old mode
        _run(["pg_dump", "-Fc", "--no-owner", "--file", str(temporary), "--dbname", dsn], env)
        if (
            f" TABLE public {MARK_TABLE} "
            not in _run(["pg_restore", "--list", str(temporary)]).stdout
        ):
            raise _not_ours(url.render_as_string(hide_password=True))
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    versions = _postgres_versions(target)
    return (
        f"Backup written to {target} (pg_dump -Fc, {target.stat().st_size} bytes, "
        f"schema {_describe(versions)})."
    )


# --- Restore ------------------------------------------------------------------------------


def check_backup(database_url: str, source: Path) -> str:
    """Check that a backup file can replace this database (its kind, its integrity, its
    schema version) and return what it is; raise BackupError otherwise."""
    url = make_url(database_url)
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"There is no backup file at {source}.")
    with source.open("rb") as file:
        magic = file.read(16)
    backend = url.get_backend_name()
    if backend == "sqlite":
        if magic.startswith(PG_DUMP_MAGIC):
            raise BackupError("This is a PostgreSQL dump; the app's database is SQLite.")
        if magic != SQLITE_MAGIC:
            raise BackupError(f"{source} is not a SQLite database backup.")
        try:
            with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as connection:
                rows = [row[0] for row in connection.execute("PRAGMA integrity_check")]
                versions = _sqlite_versions(connection)
        except sqlite3.DatabaseError as error:
            raise BackupError(f"{source} is damaged: {error}. Nothing was changed.") from None
        if rows != ["ok"]:
            raise BackupError(
                f"{source} failed its integrity check ({'; '.join(rows[:3])}). Nothing was changed."
            )
        _check_versions(versions)
        return f"SQLite backup, integrity ok, schema {_describe(versions)}"
    if backend == "postgresql":
        if magic == SQLITE_MAGIC:
            raise BackupError("This is a SQLite backup; the app's database is PostgreSQL.")
        if not magic.startswith(PG_DUMP_MAGIC):
            raise BackupError(f"{source} is not a pg_dump custom-format (-Fc) archive.")
        versions = _postgres_versions(source)  # pg_restore --list refuses an unreadable one
        _check_versions(versions)
        return f"pg_dump archive, readable, schema {_describe(versions)}"
    raise BackupError(f"Restoring {backend} databases is not supported.")


def _postgres_versions(archive: Path) -> set[str] | None:
    """Return the Alembic versions stored in a pg_dump archive, or None without the table."""
    listing = _run(["pg_restore", "--list", str(archive)]).stdout
    if " alembic_version " not in listing:
        return None
    script = _run(
        ["pg_restore", "--data-only", "--table=alembic_version", "--file=-", str(archive)]
    ).stdout
    versions, inside = set(), False
    for line in script.splitlines():
        if line.startswith("COPY ") and "alembic_version" in line:
            inside = True
        elif inside and line == "\\.":
            break
        elif inside and line.strip():
            versions.add(line.strip())
    return versions


def restore(database_url: str, source: Path, say: Callable[[str], None]) -> str:
    """Check a backup, then replace the database's whole content with it."""
    what = check_backup(database_url, source)
    say(f"{source}: {what}.")
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return _restore_sqlite(_sqlite_path(url), Path(source), say)
    return _restore_postgres(url, Path(source))


def _restore_sqlite(live_path: Path, source: Path, say: Callable[[str], None]) -> str:
    """Keep a copy of the current database, then copy the backup into it with the online
    backup API (other connections see the restored content; no -wal file is left stale)."""
    if live_path.exists() and live_path.stat().st_size > 0:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        kept = live_path.with_name(f"{live_path.name}.before-restore-{stamp}")
        _backup_sqlite(live_path, kept)
        say(f"The database as it was is kept in {kept}.")
    with (
        closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as backup_file,
        closing(sqlite3.connect(live_path, timeout=30)) as live,
    ):
        backup_file.backup(live, pages=-1)
        check = live.execute("PRAGMA integrity_check").fetchone()[0]
    return f"Restored {live_path} from {source} (integrity {check})."


def _restore_postgres(url: URL, source: Path) -> str:
    """Replace every object of the database with the archive's, in one transaction: if any
    step fails, the database stays as it was."""
    dsn, env = _libpq(url)
    _run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            "--dbname",
            dsn,
            str(source),
        ],
        env,
    )
    return f"Restored the PostgreSQL database {url.database} from {source}."
