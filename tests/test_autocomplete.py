"""Autofill: the login, set-password and change-password fields say what they hold."""

import re

from journal.auth import operations
from journal.extensions import db
from tests.factories import make_user


def _autocomplete(html: str) -> dict[str, str | None]:
    """Map each input's name to its autocomplete attribute (None when it has none)."""
    found = {}
    for tag in re.findall(r"<input\b[^>]*>", html):
        name = re.search(r'\bname="([^"]+)"', tag)
        value = re.search(r'\bautocomplete="([^"]+)"', tag)
        if name:
            found[name.group(1)] = value.group(1) if value else None
    return found


def test_login_form_autocomplete(client):
    """The e-mail is the username, the password the current one."""
    fields = _autocomplete(client.get("/login").get_data(as_text=True))
    assert fields["email"] == "username"
    assert fields["password"] == "current-password"


def test_set_password_form_autocomplete(client, world):
    """Both fields of an invitation's form take a new password."""
    user = make_user(password=None)
    token = operations.create_invitation(user, world["coordinator"])
    db.session.commit()
    page = client.get(f"/invitation/{token}", follow_redirects=True)
    fields = _autocomplete(page.get_data(as_text=True))
    assert fields["password"] == "new-password"
    assert fields["confirm"] == "new-password"


def test_change_password_form_autocomplete(client, world, log_in):
    """The profile page asks for the current password and a new one twice."""
    log_in(world["participant_a"])
    fields = _autocomplete(client.get("/profile").get_data(as_text=True))
    assert fields["current"] == "current-password"
    assert fields["password"] == "new-password"
    assert fields["confirm"] == "new-password"
