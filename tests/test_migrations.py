"""The Alembic migrations build exactly the schema the models describe."""

import os
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, text, update
from sqlalchemy.engine import make_url

from journal import create_app
from journal.extensions import db
from journal.search.index import is_model_object
from tests.apps import TEST_CONFIG


@pytest.fixture
def empty_database_url(tmp_path):
    """Yield the URL of a brand-new empty database of the kind the suite runs on."""
    base = os.environ.get("DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path / 'migrations.sqlite'}"
        return
    name = f"migr_{uuid.uuid4().hex[:12]}"
    admin = create_engine(make_url(base).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f"CREATE DATABASE {name}"))
    except BaseException:
        admin.dispose()
        raise
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


def test_migrations_match_models(empty_database_url):
    """Upgrading an empty database to head leaves no difference from the models."""
    app = create_app(TEST_CONFIG | {"SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        try:
            upgrade()
            with db.engine.connect() as conn:
                opts = {"compare_type": True, "render_as_batch": True}

                def on_this_engine(obj, name, type_, reflected, compare_to) -> bool:
                    """The model's objects, less an index made for another engine only."""
                    only = getattr(obj, "_ddl_if", None)
                    elsewhere = only is not None and only.dialect not in (None, conn.dialect.name)
                    return (
                        is_model_object(obj, name, type_, reflected, compare_to) and not elsewhere
                    )

                context = MigrationContext.configure(
                    conn, opts=opts | {"include_object": on_this_engine}
                )
                diff = compare_metadata(context, db.metadata)
        finally:
            # Also when the upgrade fails: a pooled connection left to the garbage collector
            # is a ResourceWarning on PostgreSQL, and would keep DROP DATABASE waiting.
            db.engine.dispose()
    assert diff == [], f"models and migrations disagree; run `flask db migrate`: {diff}"


def test_a_method_name_without_a_word_gets_a_key_of_its_own(empty_database_url):
    """The migration gives the one method whose name has no word (an empty key before) its
    name as its key, so another such name is no longer refused as the same."""
    from journal.methods.operations import create_method
    from journal.models import Method
    from tests.factories import make_user

    app = create_app(TEST_CONFIG | {"SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        try:
            upgrade(revision="b7c41d2e9f05")
            author = make_user(is_coordinator=True)
            method = create_method(author, {"name": "🙂 ", "minutes": None})
            db.session.execute(update(Method).values(name_key=""))
            db.session.commit()
            upgrade()
            db.session.expire_all()
            assert method.name_key == "🙂"
            db.session.rollback()
        finally:
            db.session.remove()
            db.engine.dispose()
