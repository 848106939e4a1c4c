"""Login, logout, server-side session ends, rate limits, safe redirects and invitations."""

from datetime import timedelta

import pytest
from argon2 import PasswordHasher

from journal.auth import operations
from journal.auth.passwords import hash_password, verify_password
from journal.auth.views import safe_next
from journal.config import DefaultConfig
from journal.extensions import db
from journal.models import Invitation, User, utcnow
from tests.apps import login
from tests.factories import PASSWORD, make_user


def _cookie(client, name):
    """Return a cookie's value from the test client."""
    cookie = client.get_cookie(name)
    return cookie.value if cookie else None


def test_login_with_wrong_password_keeps_email_and_says_why(client, world):
    """A wrong password answers 422 in Hungarian, keeps the email, never echoes the password."""
    response = client.post(
        "/login", data={"email": world["mentor_a"].email, "password": "rossz-jelszo"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Hibás e-mail-cím vagy jelszó." in html
    assert f'value="{world["mentor_a"].email}"' in html
    assert "rossz-jelszo" not in html


def test_login_is_case_insensitive_on_email(client, world):
    """The email matches whatever its case."""
    response = client.post(
        "/login", data={"email": world["mentor_a"].email.upper(), "password": PASSWORD}
    )
    assert response.status_code == 303


def test_empty_login_form_answers_hungarian_messages(client):
    """Missing fields are named in Hungarian."""
    html = client.post("/login", data={}).get_data(as_text=True)
    assert "Adja meg az e-mail-címét." in html
    assert "Adja meg a jelszavát." in html


def test_deactivated_user_cannot_log_in(client, world):
    """A deactivated account is refused; who knows its password is told that it is disabled
    (and whom to ask), anyone else gets the wrong-password message."""
    world["participant_a"].active = False
    db.session.commit()
    email = world["participant_a"].email
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Ezt a fiókot letiltották" in html and "koordinátorához" in html
    wrong = client.post("/login", data={"email": email, "password": "nem-ez-a-jelszo"})
    assert wrong.status_code == 422
    html = wrong.get_data(as_text=True)
    assert "Hibás e-mail-cím vagy jelszó." in html and "letiltották" not in html
    assert client.get("/").status_code == 302  # not logged in


@pytest.mark.parametrize(
    "password",
    ["1234567890", "2026.11.29.", "+36 30 123 4567", "aaaaaaaaaaaa", "ababababab", "abcdefghij",
     "Jelszo2024!", "jelszojelszo", "qwertzuiop1", "muhelynaplo"],
)  # fmt: skip
def test_a_password_anyone_would_guess_is_refused(client, world, password):
    """Digits alone, repeats, runs and common words are refused with a Hungarian message; the
    link still works for a good password."""
    user = make_user(password=None, email="gyenge.jelszo@example.org")
    token = operations.create_invitation(user, world["coordinator"])
    db.session.commit()
    client.get(f"/invitation/{token}")
    weak = client.post("/invitation", data={"password": password, "confirm": password})
    assert weak.status_code == 422
    assert "Ezt a jelszót túl könnyű kitalálni" in weak.get_data(as_text=True)
    db.session.refresh(user)
    assert user.password_hash is None
    good = "korte-alma-szilva"
    assert client.post("/invitation", data={"password": good, "confirm": good}).status_code == 303


def test_session_cookie_saved_before_logout_is_rejected_after(app, world):
    """Logout ends the session on the server: a copied cookie no longer works."""
    client = app.test_client()
    login(client, world["participant_a"])
    saved = _cookie(client, "session")
    assert client.get("/").status_code == 200
    assert client.post("/logout").status_code == 303

    thief = app.test_client()
    thief.set_cookie("session", saved, domain="localhost")
    response = thief.get("/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_remember_cookie_saved_before_logout_is_rejected_after(app, world):
    """A remember-me cookie copied before logout cannot log anyone in afterwards."""
    client = app.test_client()
    login(client, world["participant_a"], remember=True)
    remember = _cookie(client, "remember_token")
    assert remember

    before = app.test_client()
    before.set_cookie("remember_token", remember, domain="localhost")
    assert before.get("/").status_code == 200  # the cookie alone logs in...

    client.post("/logout")
    after = app.test_client()
    after.set_cookie("remember_token", remember, domain="localhost")
    assert after.get("/").status_code == 302  # ...but not after logout


def test_remember_me_has_bounded_lifetime(app):
    """Remember-me lasts 14 days, not forever."""
    assert app.config["REMEMBER_COOKIE_DURATION"] == timedelta(days=14)


def test_logout_ends_sessions_on_other_devices(app, world):
    """Logging out on one device ends the sessions of every device."""
    phone, laptop = app.test_client(), app.test_client()
    login(phone, world["mentor_a"])
    login(laptop, world["mentor_a"])
    phone.post("/logout")
    assert laptop.get("/").status_code == 302


def test_deactivation_ends_every_session(app, world):
    """A deactivated user's open session stops working at once."""
    member, coordinator = app.test_client(), app.test_client()
    login(member, world["participant_a"])
    login(coordinator, world["coordinator"])
    response = coordinator.post(f"/people/{world['participant_a'].id}/deactivate")
    assert response.status_code == 303
    assert member.get("/").status_code == 302


def test_logout_requires_post(client, world, log_in):
    """A GET never logs anyone out (no state change on GET)."""
    log_in(world["participant_a"])
    assert client.get("/logout").status_code == 405
    assert client.get("/").status_code == 200


@pytest.mark.parametrize(
    "target",
    [
        "https://example.com",
        "//example.com",
        "/\\example.com",
        "http:/example.com",
        "javascript:alert(1)",
        "https://localhost/",
        "\\\\example.com",
        " /groups",
    ],
)
def test_next_outside_the_app_is_ignored(client, world, target):
    """After login, `next` only ever leads inside the app."""
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"email": world["participant_a"].email, "password": PASSWORD},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_next_inside_the_app_is_followed(client, world):
    """A path inside the app is where the login leads."""
    response = client.post(
        "/login?next=/groups/alfa",
        data={"email": world["participant_a"].email, "password": PASSWORD},
    )
    assert response.headers["Location"] == "/groups/alfa"


def test_safe_next_rules():
    """Only plain absolute paths pass."""
    assert safe_next("/groups/tata?x=1") == "/groups/tata?x=1"
    for bad in (None, "", "groups", "//evil", "/\\evil", "https://evil/", "/a\nb"):
        assert safe_next(bad) is None


def test_repeated_wrong_passwords_get_429_in_hungarian(client, world):
    """The sixth wrong password in a minute is refused with 429 and a Hungarian message."""
    data = {"email": world["mentor_a"].email, "password": "rossz"}
    statuses = [client.post("/login", data=data).status_code for _ in range(6)]
    assert statuses[:5] == [422] * 5
    assert statuses[5] == 429
    response = client.post("/login", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 429
    assert "Túl sok sikertelen belépési kísérlet" in html
    assert f'value="{world["mentor_a"].email}"' in html
    # Even the right password waits out the limit.
    data["password"] = PASSWORD
    assert client.post("/login", data=data).status_code == 429


def test_rate_limit_is_per_account_so_a_shared_wifi_still_works(client, world):
    """Another person behind the same address can still log in."""
    data = {"email": world["mentor_a"].email, "password": "rossz"}
    for _ in range(6):
        client.post("/login", data=data)
    login(client, world["participant_a"])


def test_successful_logins_do_not_count_against_the_limit(app, world):
    """Only failed attempts are limited."""
    for _ in range(7):
        client = app.test_client()
        login(client, world["participant_a"])


def test_password_hash_is_argon2id_at_documented_cost(app):
    """Production cost: argon2id, t=3, m=64 MiB, p=2."""
    assert DefaultConfig.ARGON2_TIME_COST >= 3
    assert DefaultConfig.ARGON2_MEMORY_COST >= 65536
    app.config.update(ARGON2_TIME_COST=3, ARGON2_MEMORY_COST=65536, ARGON2_PARALLELISM=2)
    stored = hash_password("titkos-jelszo-1")
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=2$")
    assert verify_password(stored, "titkos-jelszo-1")
    assert not verify_password(stored, "titkos-jelszo-2")
    assert not verify_password(None, "titkos-jelszo-1")


def test_weaker_hash_is_upgraded_at_login(client, world):
    """A hash made at an older, lower cost is replaced at the next successful login."""
    user = world["participant_a"]
    user.password_hash = PasswordHasher(time_cost=1, memory_cost=16, parallelism=2).hash(PASSWORD)
    db.session.commit()
    old = user.password_hash
    login(client, user)
    db.session.refresh(user)
    assert user.password_hash != old
    assert verify_password(user.password_hash, PASSWORD)


def test_invitation_link_sets_password_once(client, world):
    """An invitation sets the password, logs in, and cannot be used again. The link's token
    leaves the address at once: the link answers a redirect to a token-free page."""
    user = make_user(password=None, email="uj.ember@example.org")
    token = operations.create_invitation(user, world["coordinator"])
    db.session.commit()
    opened = client.get(f"/invitation/{token}")
    assert opened.status_code == 303 and opened.location == "/invitation"
    page = client.get(opened.location)
    assert page.status_code == 200 and token not in page.request.url
    assert token not in page.get_data(as_text=True)
    assert "uj.ember@example.org" in page.get_data(as_text=True)

    short = client.post("/invitation", data={"password": "rovid", "confirm": "rovid"})
    assert short.status_code == 422
    assert "legalább 10 karakter" in short.get_data(as_text=True)
    mismatch = client.post(
        "/invitation", data={"password": "hosszu-jelszo-1", "confirm": "masik-jelszo-1"}
    )
    assert "A két jelszó nem egyezik." in mismatch.get_data(as_text=True)

    done = client.post(
        "/invitation", data={"password": "hosszu-jelszo-1", "confirm": "hosszu-jelszo-1"}
    )
    assert done.status_code == 303
    assert client.get("/").status_code == 200
    db.session.refresh(user)
    assert verify_password(user.password_hash, "hosszu-jelszo-1")

    client.get(f"/invitation/{token}")
    again = client.post(
        "/invitation", data={"password": "harmadik-jelszo", "confirm": "harmadik-jelszo"}
    )
    assert again.status_code == 404
    assert "érvénytelen" in again.get_data(as_text=True)


def test_expired_invitation_is_refused(client, world):
    """An invitation past its lifetime is refused and changes nothing."""
    user = make_user(password=None)
    token = operations.create_invitation(user, world["coordinator"])
    invitation = db.session.scalar(db.select(Invitation).where(Invitation.user_id == user.id))
    invitation.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    client.get(f"/invitation/{token}")
    response = client.post(
        "/invitation", data={"password": "hosszu-jelszo-1", "confirm": "hosszu-jelszo-1"}
    )
    assert response.status_code == 404
    db.session.refresh(user)
    assert user.password_hash is None


def test_new_link_replaces_the_older_one(client, world):
    """Only the newest password link of a person works."""
    user = world["participant_a"]
    first = operations.create_invitation(user, world["coordinator"], purpose="reset")
    second = operations.create_invitation(user, world["coordinator"], purpose="reset")
    db.session.commit()
    assert client.get(f"/invitation/{first}", follow_redirects=True).status_code == 404
    assert client.get(f"/invitation/{second}", follow_redirects=True).status_code == 200


def test_invitation_tokens_are_stored_hashed(world):
    """The database never holds a usable link token."""
    token = operations.create_invitation(world["participant_a"], world["coordinator"])
    stored = db.session.scalars(db.select(Invitation.token_hash)).all()
    assert token not in stored


def test_password_change_ends_other_sessions_but_keeps_this_one(app, world):
    """Changing the password logs out every other device."""
    here, there = app.test_client(), app.test_client()
    login(here, world["participant_a"])
    login(there, world["participant_a"])
    response = here.post(
        "/profile/password",
        data={"current": PASSWORD, "password": "uj-jelszo-12345", "confirm": "uj-jelszo-12345"},
    )
    assert response.status_code == 303
    assert here.get("/").status_code == 200
    assert there.get("/").status_code == 302


def test_password_change_with_wrong_current_password_changes_nothing(client, world, log_in):
    """A wrong current password is refused in Hungarian."""
    user = world["participant_a"]
    log_in(user)
    old = user.password_hash
    response = client.post(
        "/profile/password",
        data={"current": "nem-ez", "password": "uj-jelszo-12345", "confirm": "uj-jelszo-12345"},
    )
    assert response.status_code == 422
    assert "A jelenlegi jelszó nem helyes." in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.password_hash == old


def test_a_too_long_new_password_is_refused_for_what_it_is(client, world, log_in):
    """Over 200 characters: the message says so (not "too short" or "do not match"), and no
    field carries a maxlength that would silently cut a pasted password."""
    user = world["participant_a"]
    log_in(user)
    old = user.password_hash
    page = client.get("/profile").get_data(as_text=True)
    assert "maxlength" not in page[page.index('name="password"') - 300 :]
    long = "x" * 201
    response = client.post(
        "/profile/password", data={"current": "nem-ez", "password": long, "confirm": long}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "A jelszó legfeljebb 200 karakter lehet." in html
    assert "legalább" not in html and "nem egyezik" not in html
    # x…x is also easy to guess, but "choose a longer one" would contradict "at most 200".
    assert "túl könnyű kitalálni" not in html and "Válasszon hosszabbat" not in html
    db.session.refresh(user)
    assert user.password_hash == old


def test_session_identity_carries_the_token(client, world, log_in):
    """The session stores id and per-user token, checked on each request."""
    log_in(world["participant_a"])
    with client.session_transaction() as sess:
        identity = sess["_user_id"]
    user_id, token, signed_in = identity.split(":")
    person = world["participant_a"]
    assert (int(user_id), token) == (person.id, person.session_token)
    assert signed_in.isdigit()
    user = db.session.get(User, world["participant_a"].id)
    user.end_all_sessions()
    db.session.commit()
    assert client.get("/").status_code == 302


def test_an_app_without_rate_limits_does_not_switch_them_off_for_the_next(tmp_path):
    """Flask-Limiter's one limiter object is shared: each app must set its own flag."""
    from journal import create_app
    from journal.extensions import limiter
    from tests.apps import TEST_CONFIG

    uri = f"sqlite:///{tmp_path / 'x.sqlite'}"
    create_app(TEST_CONFIG | {"SQLALCHEMY_DATABASE_URI": uri, "RATELIMIT_ENABLED": False})
    assert limiter.enabled is False
    create_app(TEST_CONFIG | {"SQLALCHEMY_DATABASE_URI": uri})
    assert limiter.enabled is True


def test_failed_logins_of_one_account_are_limited_whatever_the_address(app, world):
    """Wrong passwords for one account from ever new addresses: the eleventh in ten minutes
    is refused with 429 before its password is checked; another account is not affected."""
    email = world["mentor_a"].email
    statuses = []
    for n in range(11):
        client = app.test_client()
        response = client.post(
            "/login",
            data={"email": email, "password": f"rossz-{n}"},
            environ_base={"REMOTE_ADDR": f"10.0.0.{n + 1}"},
        )
        statuses.append(response.status_code)
    assert statuses == [422] * 10 + [429]
    other = app.test_client()
    login(other, world["participant_a"])


def test_wrong_current_passwords_are_limited_per_user(client, world, log_in):
    """The sixth wrong current password in a minute answers 429 on the profile page, in
    Hungarian; the password is never checked then."""
    log_in(world["mentor_a"])
    data = {"current": "nem-ez", "password": "uj-jelszo-12345", "confirm": "uj-jelszo-12345"}
    statuses = [client.post("/profile/password", data=data).status_code for _ in range(6)]
    assert statuses == [422] * 5 + [429]
    page = client.post("/profile/password", data=data | {"current": PASSWORD})
    assert page.status_code == 429
    assert "Túl sok hibás jelszó egymás után" in page.get_data(as_text=True)


def _clock(monkeypatch, start: int = 2_000_000_000):
    """Put the sessions' clock (security.epoch) under the test's control; return a mover."""
    from journal import security

    now = {"t": start}
    monkeypatch.setattr(security, "epoch", lambda: now["t"])
    monkeypatch.setattr("journal.models.pytime.time", lambda: now["t"])

    def move(**delta) -> None:
        """Move the clock forward."""
        now["t"] += int(timedelta(**delta).total_seconds())

    return move


def test_a_session_not_remembered_ends_after_twelve_idle_hours(client, world, monkeypatch):
    """Requests every six hours keep a session alive; thirteen hours without one end it."""
    move = _clock(monkeypatch)
    login(client, world["participant_a"])
    for _ in range(4):
        move(hours=6)
        assert client.get("/").status_code == 200
    move(hours=13)
    assert client.get("/").status_code == 302


def test_a_remembered_session_survives_idle_hours_but_not_fourteen_days(client, world, monkeypatch):
    """A remember-me login outlives the idle timeout, but not its fourteen days: a copy of its
    cookie, however fresh the copy, is refused by the server after that."""
    move = _clock(monkeypatch)
    login(client, world["participant_a"], remember=True)
    cookie = client.get_cookie("remember_token")
    move(hours=13)
    assert client.get("/").status_code == 200
    move(days=13, hours=12)
    assert client.get("/").status_code == 302
    copied = client.application.test_client()
    copied.set_cookie("remember_token", cookie.value)
    assert copied.get("/").status_code == 302
