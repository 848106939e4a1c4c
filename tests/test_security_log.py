"""The security log: a key=value line per security event, with the request id, that never
holds a password or a text a user wrote, and cannot be forged by a value."""

import logging
import re

import pytest

from journal.extensions import db
from tests.apps import build_app
from tests.factories import PASSWORD, make_journal, make_workshop


@pytest.fixture
def security_lines(caplog):
    """Return the security log's lines of the test so far (INFO and up)."""
    logger = logging.getLogger("journal.security")
    logger.disabled = False  # Alembic's fileConfig (migration tests) disables existing loggers
    caplog.set_level(logging.INFO, logger="journal.security")
    return lambda: [r.getMessage() for r in caplog.records if r.name == "journal.security"]


def test_logins_logouts_and_failures_are_logged_without_passwords(
    client, world, log_in, security_lines
):
    """A failed login names the address and the reason, a success and a logout the user; the
    password typed appears nowhere; a value with a line break stays on its line, escaped."""
    user = world["mentor_a"]
    client.post("/login", data={"email": user.email, "password": "rossz-jelszo-123"})
    client.post("/login", data={"email": 'x"\nevent=login.success', "password": "titok-123456"})
    log_in(user)
    client.post("/logout")
    lines = security_lines()
    assert 'event=login.failure request_id="' in lines[0]
    assert f'email="{user.email}" reason="password"' in lines[0]
    # The line break and quote typed stay inside the quoted value: no second line, no field.
    assert lines[1].startswith("event=login.failure") and '"x\\"\\nevent=login.success"' in lines[1]
    successes = [line for line in lines if line.startswith("event=login.success")]
    assert len(successes) == 1 and f'user={user.id} email="{user.email}"' in successes[0]
    assert any(re.match(rf"event=logout .* user={user.id}$", line) for line in lines)
    for line in lines:
        assert "rossz-jelszo" not in line and PASSWORD not in line and "\n" not in line


def test_denials_and_password_checks_are_logged(world, log_in, client, security_lines):
    """A 403 or 404 on an object and a wrong current password each leave a line with the
    path; a journal's text never does."""
    journal = make_journal(
        make_workshop(world["group_a"]), world["mentor_a"], {"topic": "Titkos napló szövege"}
    )
    db.session.commit()
    log_in(world["participant_b"])
    assert client.get(f"/workshops/{journal.workshop_id}/journal").status_code in (403, 404)
    assert client.get("/notes/99999").status_code == 404
    assert client.head("/notes/99998").status_code == 404
    client.post(
        "/profile/password",
        data={"current": "nem-ez", "password": "uj-jelszo-12345", "confirm": "uj-jelszo-12345"},
    )
    lines = security_lines()
    assert any("event=not_found" in line and 'path="/notes/99999"' in line for line in lines)
    # A HEAD is answered as its GET, but logged as what was sent.
    assert any('method="HEAD" path="/notes/99998"' in line for line in lines)
    assert any("event=password.check_failed" in line for line in lines)
    assert not any("Titkos napló" in line for line in lines)


def test_a_csrf_failure_is_logged(tmp_path, security_lines):
    """A post without a valid token leaves a line with its path."""
    csrf_app = build_app(tmp_path, WTF_CSRF_ENABLED=True)
    try:
        csrf_app.test_client().post("/login", data={"email": "a@b.hu", "password": "x"})
        assert any(
            "event=csrf.failure" in line and 'path="/login"' in line for line in security_lines()
        )
    finally:
        with csrf_app.app_context():
            db.engine.dispose()


def test_a_server_error_is_logged_with_its_traceback_and_its_id_shown(
    tmp_path, security_lines, caplog
):
    """An unexpected exception: one error line with the traceback and the request id, and the
    Hungarian page shows the same id."""
    app = build_app(tmp_path, TESTING=False)
    app.add_url_rule("/_boom", "boom", lambda: 1 / 0)
    try:
        page = app.test_client().get("/_boom").get_data(as_text=True)
        [record] = [r for r in caplog.records if r.name == "journal.security" and r.exc_info]
        assert record.exc_info[0] is ZeroDivisionError
        request_id = record.getMessage().split('request_id="', 1)[1].split('"', 1)[0]
        assert "Hibaazonosító" in page and request_id in page
    finally:
        with app.app_context():
            db.engine.dispose()


def test_oversized_ids_and_bodies_are_refused_without_a_server_error(client, world, log_in):
    """An id past the integer columns matches no route (404, not a 500 from the database); a
    body over the limit answers 413 in Hungarian without being read."""
    log_in(world["coordinator"])
    for url in ("/workshops/9223372036854775808", "/notes/1234567890123456789012345"):
        assert client.get(url).status_code == 404, url
    assert client.get("/groups/alfa/people/99999999999999999999").status_code == 404
    client.post("/logout")
    response = client.post("/login", data={"email": "a" * (9 * 1024 * 1024), "password": "x"})
    assert response.status_code == 413
    assert "Túl nagy kérés" in response.get_data(as_text=True)


def test_a_multipart_form_of_too_many_parts_is_refused(client):
    """A multipart form of more parts than MAX_FORM_PARTS (1,000) answers 413 in Hungarian
    before its fields are read."""
    fields = {f"mezo{n}": "x" for n in range(1001)}
    response = client.post("/login", data=fields, content_type="multipart/form-data")
    assert response.status_code == 413
    assert "Túl nagy kérés" in response.get_data(as_text=True)
    fine = client.post("/login", data={"email": "a@b.hu", "password": "x"})
    assert fine.status_code != 413


def test_cookies_over_https_are_named_host_only(tmp_path):
    """With secure cookies (the production settings behind HTTPS) the session and remember
    cookies carry the __Host- prefix: Secure, this host only, path /."""
    from tests.apps import login
    from tests.factories import make_world

    app = build_app(tmp_path, SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)
    try:
        with app.app_context():
            user = make_world()["participant_a"]
            db.session.commit()
            client = app.test_client()
            response = login(client, user, remember=True)
            cookies = response.headers.getlist("Set-Cookie")
            for name in ("__Host-session=", "__Host-remember_token="):
                [cookie] = [c for c in cookies if c.startswith(name)]
                assert "Secure" in cookie and "Path=/" in cookie and "Domain" not in cookie
    finally:
        with app.app_context():
            db.engine.dispose()
