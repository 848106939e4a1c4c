"""Faults around saving a 5,000-character section: the server draft keeps the text, and the
answer is a Hungarian message (the browser side is in tests/browser/test_autosave_faults.py).

The app runs as in production (not in testing mode), so the Hungarian 500 handler is on.
"""

import pytest
from flask import before_render_template
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from journal.extensions import db
from journal.models import Draft, JournalSection
from tests.apps import DATABASE_URL, build_app, login
from tests.factories import make_journal, make_workshop, make_world

HX = {"HX-Request": "true"}
TEXT = ("Hosszú szakasz: a műhely menete és a tanulságok. " * 120)[:5000]
UNEXPECTED = "Váratlan hiba történt"


@pytest.fixture
def site(tmp_path):
    """A production-like app with a journal of group alfa and its mentor logged in."""
    app = build_app(tmp_path, TESTING=False)
    with app.app_context():
        world = make_world()
        journal = make_journal(make_workshop(world["group_a"]), world["mentor_a"])
        db.session.commit()
        section_id = journal.sections[1].id
        mentor = world["mentor_a"]
        client = app.test_client()
        login(client, mentor)
        yield app, client, section_id
        db.session.remove()
    with app.app_context():
        db.engine.dispose()


def _autosave_then_save(client, section_id: int):
    """Autosave the text, then send the real save of it (as htmx does)."""
    answer = client.put(
        f"/drafts/section:{section_id}",
        json={"body": TEXT, "fields": {"visibility": "coordination"}, "base_version": 1},
        headers=HX,
    )
    assert answer.status_code == 200
    return client.post(
        f"/sections/{section_id}",
        data={"body": TEXT, "version": "1", "visibility": "coordination"},
        headers=HX,
    )


def _kept(section_id: int) -> None:
    """The draft holds the whole text and the section was not changed."""
    db.session.expire_all()
    assert db.session.scalar(select(Draft.body).where(Draft.key == f"section:{section_id}")) == TEXT
    assert db.session.get(JournalSection, section_id).body != TEXT


def _hungarian_error(response, status: int, text: str) -> None:
    """The answer is a message for #messages, never a replacement of the editor."""
    assert response.status_code == status
    assert response.headers["HX-Retarget"] == "#messages"
    assert text in response.get_data(as_text=True)


def test_database_error_on_commit_keeps_the_draft(site):
    app, client, section_id = site
    strikes = {"left": 1}

    def fail(session):
        from flask import has_request_context, request

        if has_request_context() and request.endpoint == "journals.save" and strikes["left"]:
            strikes["left"] -= 1
            raise RuntimeError("database fault (test)")

    event.listen(Session, "before_commit", fail)
    try:
        response = _autosave_then_save(client, section_id)
    finally:
        event.remove(Session, "before_commit", fail)
    _hungarian_error(response, 500, UNEXPECTED)
    _kept(section_id)


def test_500_in_a_template_keeps_the_draft(site):
    app, client, section_id = site

    def fail(sender, template, context, **extra):
        if template.name == "journals/_section.html":
            raise RuntimeError("template fault (test)")

    before_render_template.connect(fail, app)
    try:
        response = _autosave_then_save(client, section_id)
    finally:
        before_render_template.disconnect(fail, app)
    _hungarian_error(response, 500, UNEXPECTED)
    # The answer is rendered before the commit: a failing page undoes the save, and the draft
    # (which a save ends) still holds the text.
    _kept(section_id)


def test_csrf_expiry_keeps_the_draft(tmp_path):
    app = build_app(tmp_path, TESTING=False, WTF_CSRF_ENABLED=True)
    with app.app_context():
        world = make_world()
        section_id = make_journal(make_workshop(world["group_a"]), world["mentor_a"]).sections[1].id
        db.session.commit()
        email = world["mentor_a"].email
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    from tests.factories import PASSWORD

    client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    token = client.get("/").get_data(as_text=True).split('"X-CSRFToken": "')[1].split('"')[0]
    answer = client.put(
        f"/drafts/section:{section_id}",
        json={"body": TEXT, "base_version": 1},
        headers=HX | {"X-CSRFToken": token},
    )
    assert answer.status_code == 200
    with client.session_transaction() as session:
        session.pop("csrf_token")  # the token the page holds is no longer the session's
    response = client.post(
        f"/sections/{section_id}",
        data={"body": TEXT, "version": "1", "visibility": "coordination", "csrf_token": token},
        headers=HX | {"X-CSRFToken": token},
    )
    _hungarian_error(response, 400, "lejárt az oldal érvényessége")
    with app.app_context():
        _kept(section_id)
        db.session.remove()
        db.engine.dispose()


def test_a_failing_autosave_leaves_the_previous_draft_whole(site):
    app, client, section_id = site
    key = f"section:{section_id}"
    first = client.put(f"/drafts/{key}", json={"body": TEXT}, headers=HX)
    assert first.status_code == 200

    def fail(session):
        from flask import has_request_context, request

        if has_request_context() and request.endpoint == "drafts.save":
            raise RuntimeError("database fault (test)")

    event.listen(Session, "before_commit", fail)
    try:
        again = {"body": "rövidebb", "draft": first.json["draft"]}
        response = client.put(f"/drafts/{key}", json=again, headers=HX)
    finally:
        event.remove(Session, "before_commit", fail)
    _hungarian_error(response, 500, UNEXPECTED)
    db.session.expire_all()
    assert db.session.scalar(select(Draft.body).where(Draft.key == key)) == TEXT


def _plain_save(client, section_id: int, text: str = TEXT):
    """Send a section's save as a browser without JavaScript does (a plain form post)."""
    return client.post(
        f"/sections/{section_id}",
        data={"body": text, "version": "1", "visibility": "coordination"},
        headers={"Sec-Fetch-Site": "same-origin"},
    )


def _keeps_the_text_to_send_again(response, status: int, section_id: int) -> None:
    """The answer is the Hungarian page that keeps the text and sends it to the same form."""
    page = response.get_data(as_text=True)
    assert response.status_code == status
    assert "Újraküldés" in page and f'action="/sections/{section_id}"' in page
    assert TEXT[:200] in page and "Hibaazonosító" in page


@pytest.mark.skipif(DATABASE_URL is not None, reason="SQLite's own lock")
def test_a_locked_sqlite_database_keeps_a_plain_forms_text(tmp_path, caplog):
    """Another writer holds SQLite's lock for longer than the busy timeout: the plain save is
    answered (503, in Hungarian) with every field kept, logged as a server error, and sent
    again once the lock is gone it saves."""
    import logging
    import sqlite3

    caplog.set_level(logging.INFO, logger="journal.security")
    logging.getLogger("journal.security").disabled = False
    app = build_app(tmp_path, TESTING=False, SQLITE_BUSY_SECONDS=0.2)
    with app.app_context():
        world = make_world()
        section_id = make_journal(make_workshop(world["group_a"]), world["mentor_a"]).sections[1].id
        db.session.commit()
        mentor = world["mentor_a"]
        client = app.test_client()
        login(client, mentor)
        mentor_id = mentor.id
        db.session.remove()
        holder = sqlite3.connect(str(tmp_path / "test.sqlite"), isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            response = _plain_save(client, section_id)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        _keeps_the_text_to_send_again(response, 503, section_id)
        assert "adatbázis most nem érhető el" in response.get_data(as_text=True)
        [line] = [r for r in caplog.records if "event=server.error" in r.getMessage()]
        assert line.exc_info and f"user={mentor_id}" in line.getMessage()
        assert _plain_save(client, section_id).status_code == 303
        assert db.session.get(JournalSection, section_id).body == TEXT
        db.session.remove()
        db.engine.dispose()


def test_a_server_error_on_a_plain_form_keeps_its_text_without_the_database(site):
    """A plain save fails at its commit: the answer (500) is the page that keeps the text, and
    it is rendered without a single database statement (the database may be what failed)."""
    app, client, section_id = site
    failed = {"yes": False}

    def fail(session):
        from flask import has_request_context, request

        if has_request_context() and request.endpoint == "journals.save" and not failed["yes"]:
            failed["yes"] = True
            raise RuntimeError("database fault (test)")

    def no_statement_after(conn, cursor, statement, *args):
        if failed["yes"] and not statement.upper().startswith("ROLLBACK"):
            raise AssertionError(f"the error page read the database: {statement}")

    engine = db.engine
    event.listen(Session, "before_commit", fail)
    event.listen(engine, "before_cursor_execute", no_statement_after)
    try:
        response = _plain_save(client, section_id)
    finally:
        event.remove(Session, "before_commit", fail)
        event.remove(engine, "before_cursor_execute", no_statement_after)
    _keeps_the_text_to_send_again(response, 500, section_id)
    db.session.expire_all()
    assert db.session.get(JournalSection, section_id).body != TEXT
