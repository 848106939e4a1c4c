"""Database engine settings: SQLite pragmas and write transactions that cannot deadlock."""

from flask import Flask, has_request_context, request
from sqlalchemy import event

from journal.extensions import db

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def configure_engine(app: Flask) -> None:
    """Give the SQLite engine WAL, foreign keys, a busy timeout and BEGIN IMMEDIATE writes."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "sqlite":
        return
    busy_ms = int(app.config["SQLITE_BUSY_SECONDS"] * 1000)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # pysqlite's own implicit BEGIN is switched off so that "begin" below decides.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {busy_ms}")
        if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "memory":
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        # A deferred transaction that reads and then writes fails with SQLITE_BUSY under
        # concurrent writers whatever the timeout; IMMEDIATE takes the write lock up front.
        # Plain reads (GET pages) keep a deferred BEGIN so they never wait for a writer.
        writing = not has_request_context() or request.method not in READ_ONLY_METHODS
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")
