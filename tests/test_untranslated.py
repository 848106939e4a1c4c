"""Text that reached users without going through gettext: mail greeting, fallback error titles,
the labels on the page that resends an expired form."""

import smtplib
from email.message import EmailMessage

import pytest
from flask import abort

from journal.extensions import db
from journal.mail import send_invitation
from tests.apps import build_app
from tests.factories import make_user, make_world

HX = {"HX-Request": "true"}


class FakeSMTP:
    """Record the messages an SMTP connection would send."""

    sent: list[EmailMessage] = []

    def __init__(self, *args, **kwargs):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self):
        pass

    def send_message(self, message):
        FakeSMTP.sent.append(message)


@pytest.mark.parametrize(
    ("language", "greeting", "subject"),
    [("hu", "Kedves Levél Lili!", "Meghívó"), ("en", "Dear Levél Lili,", "Invitation")],
)
def test_mail_greets_in_the_invitees_language(app, monkeypatch, language, greeting, subject):
    """The greeting is a translated sentence, in the language of the person invited."""
    app.config["MAIL_SERVER"] = "smtp.example.org"
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    monkeypatch.setattr(FakeSMTP, "sent", [])
    user = make_user(family_name="Levél", given_name="Lili", language=language)
    db.session.commit()
    with app.test_request_context("/", headers={"Accept-Language": "hu"}):
        assert send_invitation(user, "https://example.org/invitation/x", "invite")
    (message,) = FakeSMTP.sent
    body = message.get_content()
    assert body.startswith(greeting + "\n\n")
    assert subject in message["Subject"]
    assert "https://example.org/invitation/x" in body


@pytest.fixture
def aborting_app(tmp_path):
    """An app with a route that answers any status code (for the error pages)."""
    app = build_app(tmp_path)
    app.add_url_rule("/_abort/<int:code>", "abort_with", lambda code: abort(code))
    with app.app_context():
        yield app
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize(
    ("code", "title"),
    [(401, "Bejelentkezés szükséges"), (409, "Ütközés"), (422, "Hibás adatok"), (418, "Hiba")],
)
def test_error_titles_are_hungarian(aborting_app, code, title):
    """Codes without an explanation of their own no longer show Werkzeug's English text."""
    client = aborting_app.test_client()
    response = client.get(f"/_abort/{code}")
    html = response.get_data(as_text=True)
    assert response.status_code == code
    assert f"<h1>{title}</h1>" in html
    english = ("Unauthorized", "Conflict", "Unprocessable", "teapot", "The server")
    assert not any(word in html for word in english)
    fragment = client.get(f"/_abort/{code}", headers=HX).get_data(as_text=True)
    assert not any(word in fragment for word in english)


def test_error_titles_in_english(aborting_app):
    """The same titles are translated for an English interface."""
    client = aborting_app.test_client()
    with client.session_transaction() as session:
        session["language"] = "en"
    html = client.get("/_abort/409").get_data(as_text=True)
    assert "<h1>Conflict</h1>" in html and "Ütközés" not in html
    assert "Someone else changed this in the meantime" in html


def test_csrf_page_labels_typed_fields_and_hides_the_rest(tmp_path):
    """The resend page labels what the person typed in their language, never by its form
    name; bookkeeping fields go back unchanged but unseen."""
    app = build_app(tmp_path, WTF_CSRF_ENABLED=True)
    with app.app_context():
        make_world()
        db.session.commit()
        client = app.test_client()
        response = client.post(
            "/people",
            data={"family_name": "Gépelt Név", "given_name": "Ő", "version": "7"},
            headers={"Sec-Fetch-Site": "same-origin"},  # from one of our pages
        )
        html = response.get_data(as_text=True)
        db.session.remove()
    with app.app_context():
        db.engine.dispose()
    assert response.status_code == 400
    assert ">Vezetéknév</label>" in html and ">Keresztnév</label>" in html
    assert ">family_name<" not in html and 'aria-label="family_name"' not in html
    assert "Gépelt Név" in html
    assert '<input type="hidden" name="version" value="7">' in html


def test_note_form_workshop_choices_show_long_dates(client, world, log_in):
    """The workshop a note belongs to is offered as "2025. november 14. – Téma", not ISO."""
    from datetime import date

    from tests.factories import make_workshop

    make_workshop(world["group_a"], date=date(2025, 11, 14), topic="Közösségi térkép")
    db.session.commit()
    log_in(world["participant_a"])
    html = client.get("/groups/alfa/notes/new").get_data(as_text=True)
    assert "Közösségi térkép" in html
    assert "2025-11-14" not in html
    assert "2025. november 14. – Közösségi térkép" in html
