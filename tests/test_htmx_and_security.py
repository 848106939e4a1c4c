"""Page or fragment, expired logins on htmx requests, CSRF, and security headers."""

import re

import pytest

from journal.extensions import db
from journal.models import User
from tests.apps import build_app, login

HX = {"HX-Request": "true"}


def test_fragment_only_for_plain_htmx_requests(client, world, log_in):
    """htmx gets the fragment; boosted, history-restore and plain requests get the page."""
    log_in(world["coordinator"])
    url = f"/people/{world['participant_a'].id}"
    assert "<html" in client.get(url).get_data(as_text=True)
    assert "<html" not in client.get(url, headers=HX).get_data(as_text=True)
    boosted = client.get(url, headers=HX | {"HX-Boosted": "true"}).get_data(as_text=True)
    assert "<html" in boosted
    restore = client.get(url, headers=HX | {"HX-History-Restore-Request": "true"})
    assert "<html" in restore.get_data(as_text=True)
    assert "HX-Request" in client.get(url).headers["Vary"]


def test_expired_login_on_htmx_request_redirects_whole_page(app, world):
    """An htmx read without a valid session gets 401 with HX-Redirect to the login page; an
    htmx action gets a message with a login link instead (the page and its text stay)."""
    client = app.test_client()
    login(client, world["coordinator"])
    user = db.session.get(User, world["coordinator"].id)
    user.end_all_sessions()  # as if the session had expired
    db.session.commit()
    person = f"/people/{world['participant_a'].id}"
    read = client.get(person, headers=HX | {"HX-Current-URL": f"http://localhost{person}"})
    assert read.status_code == 401
    assert read.headers["HX-Redirect"].startswith("/login?next=")
    assert person in read.headers["HX-Redirect"]
    assert read.get_data(as_text=True) == ""
    # A page address that cannot be read sends the login back home.
    garbled = client.get(person, headers=HX | {"HX-Current-URL": "http://["})
    assert garbled.status_code == 401 and garbled.headers["HX-Redirect"] == "/login?next=/"
    action = client.post(
        f"{person}/deactivate", headers=HX | {"HX-Current-URL": f"http://localhost{person}"}
    )
    assert action.status_code == 401 and "HX-Redirect" not in action.headers
    assert action.headers["HX-Retarget"] == "#messages"
    html = action.get_data(as_text=True)
    assert "Lejárt a bejelentkezése" in html and 'target="_blank"' in html
    assert db.session.get(User, world["participant_a"].id).active


def test_security_headers_on_every_page(client):
    """A strict CSP (no inline script, no eval) and no caching of pages."""
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "private, no-store"


def test_session_cookie_flags(client, world):
    """The session cookie is HttpOnly and SameSite=Lax."""
    response = client.post(
        "/login", data={"email": world["participant_a"].email, "password": "jelszo-teszt-123"}
    )
    cookie = next(v for v in response.headers.getlist("Set-Cookie") if v.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


@pytest.fixture
def csrf_client(tmp_path):
    """A client of an app with CSRF protection on, as in production."""
    from tests.factories import make_world

    app = build_app(tmp_path, WTF_CSRF_ENABLED=True)
    with app.app_context():
        world = make_world()
        yield app.test_client(), world
        db.session.remove()
        db.engine.dispose()  # no connection left to the GC (ResourceWarning on PostgreSQL)


def _log_in_with_token(client, user) -> None:
    """Log in through the login form, with the token of the login page (CSRF is on)."""
    page = client.get("/login").get_data(as_text=True)
    client.post(
        "/login",
        data={"csrf_token": _token(page), "email": user.email, "password": "jelszo-teszt-123"},
    )


# What a browser says of a form posted from one of the app's own pages.
SAME_SITE = {"Sec-Fetch-Site": "same-origin"}


def _token(html: str) -> str:
    """Return the CSRF token of a page."""
    return html.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]


def test_post_without_csrf_token_is_refused_and_keeps_the_text(csrf_client):
    """A form without a valid token changes nothing and offers to send the text again."""
    client, world = csrf_client
    _log_in_with_token(client, world["coordinator"])
    response = client.post(
        "/people",
        data={"family_name": "Gépelt Név", "given_name": "Ő", "email": "x@example.org"},
        headers=SAME_SITE,
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Biztonsági okból lejárt az űrlap" in html
    assert "Gépelt Név" in html and "x@example.org" in html
    assert db.session.scalar(db.select(User).where(User.email == "x@example.org")) is None


def test_htmx_sends_the_csrf_token_as_a_header(csrf_client):
    """The token in the layout's hx-headers is accepted as the X-CSRFToken header."""
    client, world = csrf_client
    _log_in_with_token(client, world["coordinator"])
    home = client.get("/").get_data(as_text=True)
    header_token = re.search(r"hx-headers:inherited='\{\"X-CSRFToken\": \"([^\"]+)\"\}'", home)[1]
    person = world["participant_a"]
    refused = client.post(f"/people/{person.id}/deactivate", headers=HX)
    assert refused.status_code == 400
    assert refused.headers["HX-Retarget"] == "#messages"
    accepted = client.post(
        f"/people/{person.id}/deactivate", headers=HX | {"X-CSRFToken": header_token}
    )
    assert accepted.status_code == 200


def test_a_page_s_own_script_proves_its_origin_by_its_headers(csrf_client):
    """An htmx request from one of our pages (HX-Request, Sec-Fetch-Site: same-origin) needs no
    token, so a token gone stale with a renewed session refuses nothing; without either header,
    or from another site, the token is still required and nothing changes."""
    client, world = csrf_client
    _log_in_with_token(client, world["coordinator"])
    person = world["participant_a"]
    ours = HX | {"Sec-Fetch-Site": "same-origin", "X-CSRFToken": "elavult"}
    for headers in (
        HX | {"Sec-Fetch-Site": "cross-site"},
        HX | {"Sec-Fetch-Site": "same-site"},
        {"Sec-Fetch-Site": "same-origin"},
        HX,
    ):
        refused = client.post(f"/people/{person.id}/deactivate", data={"x": "1"}, headers=headers)
        assert refused.status_code == 400, headers
        assert db.session.get(User, person.id).active
    accepted = client.post(f"/people/{person.id}/deactivate", headers=ours)
    assert accepted.status_code == 200
    db.session.expire_all()
    assert not db.session.get(User, person.id).active


def test_unknown_page_is_hungarian_404(client):
    """Errors are explained in Hungarian."""
    response = client.get("/nincs-ilyen-oldal")
    assert response.status_code == 404
    assert "Nem található" in response.get_data(as_text=True)


def _resend_token(html: str) -> str:
    """Return the CSRF token of the page that sends a refused form again."""
    return html.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def test_an_unexpected_error_is_logged_and_answered_in_hungarian(tmp_path, caplog, monkeypatch):
    """As in production (exceptions not propagated): the traceback is logged, the page is the
    Hungarian 500 (a message for htmx), the session is rolled back; an uncaught domain error
    answers the status it means."""
    from journal.domain import NotYet, StaleVersion

    app = build_app(tmp_path, TESTING=False)
    # Alembic's fileConfig (migration tests) disables loggers that exist when it runs.
    monkeypatch.setattr(app.logger, "disabled", False)
    failures = {"/_boom": ZeroDivisionError, "/_stale": StaleVersion, "/_not-yet": NotYet}
    for url, error in failures.items():
        app.add_url_rule(url, url, lambda error=error: (_ for _ in ()).throw(error(None)))
    client = app.test_client()
    try:
        page = client.get("/_boom")
        assert page.status_code == 500 and "Váratlan hiba történt" in page.get_data(as_text=True)
        assert any(r.exc_info and r.exc_info[0] is ZeroDivisionError for r in caplog.records)
        fragment = client.get("/_boom", headers=HX)
        assert fragment.status_code == 500 and "<html" not in fragment.get_data(as_text=True)
        assert client.get("/_stale").status_code == 409
        assert client.get("/_not-yet").status_code == 422
    finally:
        with app.app_context():
            db.engine.dispose()  # no connection left to the GC (ResourceWarning on PostgreSQL)


def test_a_form_sent_after_the_login_expired_keeps_the_text_until_the_login_is_back(csrf_client):
    """Logged out (the session cookie is gone): the post is refused, the typed text is kept on
    a page that offers the login in a new tab; pressing "Újraküldés" before logging in keeps it
    again (no redirect to a GET of a POST address); after the login it goes through."""
    client, world = csrf_client
    typed = {"family_name": "Megőrzött", "given_name": "Név", "email": "megorzott@example.org"}
    refused = client.post("/people", data=typed, headers=SAME_SITE)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "Lejárt a bejelentkezése" in html and "Megőrzött" in html
    assert 'href="/login" target="_blank" rel="noopener"' in html
    token = _resend_token(html)
    again = client.post("/people", data=typed | {"csrf_token": token}, headers=SAME_SITE)
    html = again.get_data(as_text=True)
    assert again.status_code == 401 and "Megőrzött" in html and "Újraküldés" in html
    _log_in_with_token(client, world["coordinator"])
    sent = client.post(
        "/people", data=typed | {"csrf_token": _resend_token(html)}, headers=SAME_SITE
    )
    assert sent.status_code in (200, 303), sent.get_data(as_text=True)[:500]
    assert db.session.scalar(db.select(User).where(User.email == "megorzott@example.org"))


def test_an_htmx_action_after_the_login_expired_says_to_log_in_in_a_new_tab(csrf_client):
    """An htmx action without a session: a message with a login link (new tab); nothing is
    changed."""
    client, world = csrf_client
    person = world["participant_a"]
    response = client.post(f"/people/{person.id}/deactivate", headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert response.headers["HX-Retarget"] == "#messages"
    assert "Lejárt a bejelentkezése" in html and 'target="_blank"' in html
    assert "Újraküldés" not in html
    assert db.session.get(User, person.id).active


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site"},
        {"Origin": "https://gonosz.example"},
        {"Referer": "https://gonosz.example/csapda.html"},
        {"Referer": "http://[x"},  # an address Python cannot read (a 500 before)
        {},
    ],
    ids=["sec-fetch-site", "origin", "referer", "unreadable-referer", "nothing"],
)
def test_a_post_forged_by_another_site_is_not_offered_again(csrf_client, headers):
    """A form another site posts (deactivate someone) fails the CSRF check; the answer keeps
    none of its fields, carries no token to send it again, and starts no session, so the
    visitor's own login is left alone. The same post from our own page is offered again."""
    client, world = csrf_client
    person = world["participant_a"]
    forged = client.post(f"/people/{person.id}/deactivate", data={"x": "1"}, headers=headers)
    html = forged.get_data(as_text=True)
    assert forged.status_code == 400
    assert "nem a Műhelynapló egyik oldaláról érkezett" in html
    assert "csrf_token" not in html and "X-CSRFToken" not in html and "Újraküldés" not in html
    assert "Set-Cookie" not in forged.headers
    assert db.session.get(User, person.id).active
    origin = {"Origin": "http://localhost"}
    ours = client.post(f"/people/{person.id}/deactivate", data={"x": "1"}, headers=origin)
    assert ours.status_code == 400 and "Újraküldés" in ours.get_data(as_text=True)


def test_the_resend_page_labels_fields_as_their_own_form_does(csrf_client):
    """The labels come from the form that was sent (journal/expiry.py reads the form classes):
    a cancelled workshop's reason is "Az elmaradás oka", a guest's name "Vendég neve"; a field
    of no form goes back hidden."""
    from tests.factories import make_workshop

    client, world = csrf_client
    workshop = make_workshop(world["group_a"])
    db.session.commit()
    _log_in_with_token(client, world["mentor_a"])
    cancel = client.post(
        f"/workshops/{workshop.id}/cancel",
        data={"reason": "Beteg lett a mentor.", "version": "1", "extra": "x"},
        headers=SAME_SITE,
    ).get_data(as_text=True)
    assert ">Az elmaradás oka</label>" in cancel and "Beteg lett a mentor." in cancel
    assert '<input type="hidden" name="extra" value="x">' in cancel
    guest = client.post(
        f"/workshops/{workshop.id}/guests",
        data={"name": "Vendég Vilma", "institution": "Könyvtár"},
        headers=SAME_SITE,
    ).get_data(as_text=True)
    assert ">Vendég neve</label>" in guest and ">Intézmény</label>" in guest
    # The journal's write mode: one form of seven prefixed ones, each text shown and numbered.
    from journal.journals.operations import start_journal

    sections = start_journal(world["mentor_a"], workshop).sections[:2]
    db.session.commit()
    sent = {f"s{sec.id}-body": f"A(z) {n}. rész szövege" for n, sec in enumerate(sections, 1)}
    sent |= {f"s{sec.id}-version": "1" for sec in sections}
    write = client.post(
        f"/workshops/{workshop.id}/journal/write", data=sent, headers=SAME_SITE
    ).get_data(as_text=True)
    assert ">Szöveg (1.)</label>" in write and ">Szöveg (2.)</label>" in write
    assert "A(z) 2. rész szövege</textarea>" in write
    assert f'<input type="hidden" name="s{sections[0].id}-version" value="1">' in write


def test_no_password_is_ever_written_back_into_a_page(app):
    """A refused form's page sends back what was typed, never a password: every password
    field of every form, under its form's prefix too ("codes-password")."""
    from wtforms import PasswordField

    from journal.expiry import form_classes, is_sensitive

    names = set()
    with app.test_request_context():
        for form_class in form_classes():
            form = form_class(formdata=None, meta={"csrf": False})
            names |= {field.name for field in form if isinstance(field, PasswordField)}
    assert {"password", "current", "confirm", "codes-password"} <= names
    assert all(is_sensitive(name) for name in names), names
