"""Two-factor sign-in: set up with a QR code and a confirming code, a code after the password
(TOTP with a controlled clock, a code never twice), recovery codes (single use, stored
hashed), a limit on wrong codes, the coordinator's requirement, and turning it off."""

import logging
import re
import time

import pytest
from sqlalchemy import select

from journal import security
from journal.auth import two_factor
from journal.extensions import db
from journal.models import Program, RecoveryCode
from tests.factories import PASSWORD
from tests.mailbox import mail_text


@pytest.fixture
def clock(monkeypatch):
    """Put the clock codes and sessions are read by (security.epoch) under the test's control;
    return a function that moves it by some seconds."""
    now = {"t": int(time.time())}
    monkeypatch.setattr(security, "epoch", lambda: now["t"])

    def move(seconds: int = 0) -> int:
        now["t"] += seconds
        return now["t"]

    return move


@pytest.fixture
def security_lines(caplog):
    """Return the security log's lines of the test so far."""
    logging.getLogger("journal.security").disabled = False
    caplog.set_level(logging.INFO, logger="journal.security")
    return lambda: [r.getMessage() for r in caplog.records if r.name == "journal.security"]


def _turn_on(client, user) -> list[str]:
    """Set up two-factor sign-in through the profile page; return the recovery codes."""
    client.post("/profile/two-factor/start")
    db.session.refresh(user)
    page = client.post("/profile/two-factor", data={"code": two_factor.code_for(user.totp_secret)})
    assert page.status_code == 200
    return re.findall(r"<li><code>([a-z0-9-]+)</code></li>", page.get_data(as_text=True))


def _password(client, user, **extra):
    """Send the login form with the right password."""
    return client.post("/login", data={"email": user.email, "password": PASSWORD} | extra)


def _at_the_code_step(app, user) -> tuple:
    """Turn two-factor sign-in on for the user, sign out, and sign in again with the password
    only; return the client (now at the code step) and the recovery codes."""
    client = app.test_client()
    _password(client, user)
    codes = _turn_on(client, user)
    client.post("/logout")
    _password(client, user)
    return client, codes


def test_setting_up_shows_a_qr_code_and_needs_a_confirming_code(
    client, world, log_in, clock, security_lines
):
    mentor = world["mentor_a"]
    log_in(mentor)
    assert "Kétlépcsős belépés beállítása" in client.get("/profile/two-factor").get_data(True)
    assert client.post("/profile/two-factor/start").status_code == 303
    db.session.refresh(mentor)
    secret = mentor.totp_secret
    page = client.get("/profile/two-factor").get_data(as_text=True)
    assert "<svg" in page and 'class="qr-code"' in page  # inline SVG, no outside service
    assert two_factor.spaced(secret) in page and "<img" not in page
    assert 'class="button primary">Bekapcsolom</button>' in page
    client.post("/language", data={"language": "en", "next": "/profile/two-factor"})
    english = client.get("/profile/two-factor").get_data(as_text=True)
    assert 'class="button primary">Turn it on</button>' in english  # a button, not a heading
    client.post("/language", data={"language": "hu", "next": "/profile/two-factor"})
    wrong = client.post("/profile/two-factor", data={"code": "000000"})
    assert wrong.status_code == 422 and "Ez a kód nem helyes" in wrong.get_data(as_text=True)
    db.session.refresh(mentor)
    assert mentor.totp_enabled_at is None  # not on before a right code
    codes = _turn_on(client, mentor)
    assert len(codes) == 10 and len(set(codes)) == 10
    db.session.refresh(mentor)
    assert mentor.totp_enabled_at is not None
    stored = db.session.scalars(select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10 and not set(codes) & set(stored)  # hashed, never in the clear
    assert any("event=totp.enabled" in line for line in security_lines())
    assert "Tartalék kódjai" not in client.get("/profile/two-factor").get_data(as_text=True)


def test_login_asks_for_the_code_after_the_password(app, world, clock, security_lines):
    mentor = world["mentor_a"]
    client = app.test_client()
    _password(client, mentor)
    _turn_on(client, mentor)
    client.post("/logout")
    answer = _password(client, mentor)
    assert answer.status_code == 303 and answer.location == "/login/code"
    assert client.get("/").status_code == 302  # not signed in before the code
    wrong = client.post("/login/code", data={"code": "123456"})
    assert wrong.status_code == 422 and "123456" in wrong.get_data(as_text=True)
    # Digits to str.isdigit() that hmac.compare_digest refuses (non-ASCII): a wrong code too.
    for signs in ("²²²²²²", "٣٣٣٣٣٣"):
        assert client.post("/login/code", data={"code": signs}).status_code == 422
    assert any("event=totp.failure" in line for line in security_lines())
    clock(95)  # the code of the step before is still accepted (a phone's clock, typing)
    previous = two_factor.code_for(mentor.totp_secret, offset_steps=-1)
    assert client.post("/login/code", data={"code": previous}).status_code == 303
    assert client.get("/").status_code == 200
    client.post("/logout")
    _password(client, mentor)
    again = client.post("/login/code", data={"code": previous})  # never the same code twice
    assert again.status_code == 422
    clock(30)
    now = two_factor.code_for(mentor.totp_secret)
    assert client.post("/login/code", data={"code": now}).status_code == 303


def test_the_code_step_expires(app, world, clock):
    mentor = world["mentor_a"]
    client, _codes = _at_the_code_step(app, mentor)
    clock(app.config["TWO_FACTOR_LOGIN_SECONDS"] + 1)
    late = client.post("/login/code", data={"code": two_factor.code_for(mentor.totp_secret)})
    assert late.status_code == 303 and late.location == "/login"
    assert client.get("/").status_code == 302


def test_a_recovery_code_signs_in_once(app, world, clock, security_lines):
    mentor = world["mentor_a"]
    client, codes = _at_the_code_step(app, mentor)
    typed = codes[0].upper().replace("-", " ")  # as someone may type it
    assert client.post("/login/code", data={"code": typed}).status_code == 303
    assert any("event=recovery_code.used" in line for line in security_lines())
    client.post("/logout")
    _password(client, mentor)
    assert client.post("/login/code", data={"code": codes[0]}).status_code == 422
    assert client.post("/login/code", data={"code": codes[1]}).status_code == 303


def test_wrong_codes_are_limited_per_account(app, world, clock):
    app.config["TWO_FACTOR_RATE_LIMIT"] = "3 per 10 minutes"
    mentor = world["mentor_a"]
    client, _codes = _at_the_code_step(app, mentor)
    for _attempt in range(3):
        assert client.post("/login/code", data={"code": "000000"}).status_code == 422
    other = app.test_client()  # another browser, the same account
    _password(other, mentor)
    right = two_factor.code_for(mentor.totp_secret)
    refused = other.post("/login/code", data={"code": right})
    assert refused.status_code == 429 and "Túl sok hibás kód" in refused.get_data(as_text=True)


def test_the_coordinator_can_require_it_of_mentors_and_herself(app, world, clock):
    program = db.session.scalar(select(Program))
    program.require_two_factor = True
    db.session.commit()
    participant = app.test_client()
    _password(participant, world["participant_a"])
    assert participant.get("/").status_code == 200  # not asked of participants
    mentor = app.test_client()
    _password(mentor, world["mentor_a"])
    sent = mentor.get("/groups/alfa")
    assert sent.status_code == 302 and sent.location == "/profile/two-factor"
    assert "megköveteli" in mentor.get("/profile/two-factor").get_data(as_text=True)
    _turn_on(mentor, world["mentor_a"])
    assert mentor.get("/groups/alfa").status_code == 200
    page = mentor.get("/profile/two-factor").text  # says so, and offers no form that fails
    assert "nem kapcsolhatja ki" in page and "/profile/two-factor/disable" not in page
    refused = mentor.post("/profile/two-factor/disable", data={"password": PASSWORD})
    assert refused.status_code == 422
    db.session.refresh(world["mentor_a"])
    assert world["mentor_a"].totp_enabled_at is not None


def test_the_program_setting_is_saved_from_the_form(client, world, log_in):
    log_in(world["coordinator"])
    page = client.get("/program/settings").get_data(as_text=True)
    assert 'name="require_two_factor"' in page
    program = db.session.scalar(select(Program))
    data = {
        "name": program.name,
        "period_start": program.period_start.isoformat(),
        "period_end": program.period_end.isoformat(),
        "journal_due_days": "7",
        "require_two_factor": "y",
    }
    assert client.post("/program/settings", data=data).status_code == 303
    db.session.refresh(program)
    assert program.require_two_factor is True


def test_turning_it_off_needs_the_password(app, world, clock, security_lines):
    mentor = world["mentor_a"]
    client = app.test_client()
    _password(client, mentor)
    _turn_on(client, mentor)
    wrong = client.post("/profile/two-factor/disable", data={"password": "nem-ez-a-jelszo"})
    assert wrong.status_code == 422
    db.session.refresh(mentor)
    assert mentor.totp_enabled_at is not None
    assert (
        client.post("/profile/two-factor/disable", data={"password": PASSWORD}).status_code == 303
    )
    db.session.refresh(mentor)
    assert mentor.totp_enabled_at is None and mentor.totp_secret is None
    assert not db.session.scalars(select(RecoveryCode)).all()
    assert any("event=totp.disabled" in line for line in security_lines())
    client.post("/logout")
    assert _password(client, mentor).location == "/"  # the password alone again


def test_a_password_link_is_no_second_factor(app, world, clock):
    """A reset link of a user with two-factor sign-in sets the password but signs nobody in:
    the login asks for the new password and a code."""
    from journal.auth.operations import create_invitation

    mentor = world["mentor_a"]
    client = app.test_client()
    _password(client, mentor)
    _turn_on(client, mentor)
    client.post("/logout")
    token = create_invitation(mentor, world["coordinator"], purpose="reset")
    db.session.commit()
    client.get(f"/invitation/{token}")
    new = "uj-hosszu-jelszo-7"
    done = client.post("/invitation", data={"password": new, "confirm": new})
    assert done.status_code == 303 and done.location == "/login"
    assert client.get("/").status_code == 302


def test_anonymising_a_person_forgets_their_second_factor(app, world, clock):
    from journal.people.operations import anonymise

    person = world["participant_a"]
    client = app.test_client()
    _password(client, person)
    _turn_on(client, person)
    anonymise(world["coordinator"], person, keep_notes=True)
    db.session.commit()
    assert person.totp_secret is None and person.totp_enabled_at is None
    assert not db.session.scalars(select(RecoveryCode)).all()


def test_new_recovery_codes_replace_the_old_ones(app, world, clock, security_lines):
    """The page says how many recovery codes are left; new ones need the password, are shown
    once and replace the old ones, which no longer sign in."""
    mentor = world["mentor_a"]
    client, codes = _at_the_code_step(app, mentor)
    assert client.post("/login/code", data={"code": codes[0]}).status_code == 303
    page = client.get("/profile/two-factor").text
    assert "Még 9 tartalék kódja használható." in page
    wrong = client.post(
        "/profile/two-factor/recovery-codes", data={"codes-password": "nem-ez-a-jelszo"}
    )
    assert wrong.status_code == 422 and "A jelenlegi jelszó nem helyes." in wrong.text
    assert two_factor.recovery_codes_left(mentor) == 9
    renewed = client.post("/profile/two-factor/recovery-codes", data={"codes-password": PASSWORD})
    new = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", renewed.text)
    assert renewed.status_code == 200 and len(new) == 10 and not set(new) & set(codes)
    assert "a korábbiak már nem érvényesek" in renewed.text
    assert any("event=recovery_codes.renewed" in line for line in security_lines())
    assert "Még 10 tartalék kódja használható." in client.get("/profile/two-factor").text
    client.post("/logout")
    _password(client, mentor)
    assert client.post("/login/code", data={"code": codes[1]}).status_code == 422
    assert client.post("/login/code", data={"code": new[0]}).status_code == 303


def test_the_coordinator_turns_off_a_lost_second_factor(app, world, clock, security_lines, inbox):
    """A mentor who lost the phone and the recovery codes: the coordinator turns their
    two-factor sign-in off from the person page (never her own there); their sessions end, they
    are told by mail, and the password alone signs them in, then to a new set-up if it is
    required."""
    from tests.apps import login

    mentor = world["mentor_a"]
    phone, _codes = _at_the_code_step(app, mentor)
    lost = app.test_client()  # a session on the lost phone
    _password(lost, mentor)
    lost.post("/login/code", data={"code": two_factor.code_for(mentor.totp_secret, 1)})
    assert lost.get("/").status_code == 200
    office = app.test_client()
    login(office, world["coordinator"])  # before it is required: she has set hers up
    program = db.session.scalar(select(Program))
    program.require_two_factor = True
    db.session.commit()
    person = office.get(f"/people/{mentor.id}").text
    assert "kétlépcsős belépéssel" in person and "Kétlépcsős belépés kikapcsolása" in person
    assert "e-mailben értesítjük" in person  # mail is set up (the inbox)
    app.config["MAIL_SERVER"] = None
    assert "E-mailt nem küldünk" in office.get(f"/people/{mentor.id}").text
    app.config["MAIL_SERVER"] = "127.0.0.1"
    reset = f"/people/{mentor.id}/two-factor/reset"
    # Her own password first: a session left open on her computer is not enough.
    for password in ("", "nem-ez-a-jelszo"):
        refused = office.post(reset, data={"password": password}, headers={"HX-Request": "true"})
        assert refused.status_code == 422 and 'id="password"' in refused.text
        assert "Adja meg a jelszavát." in refused.text or "nem helyes" in refused.text
    db.session.refresh(mentor)
    assert mentor.totp_enabled_at is not None and not inbox.messages
    answer = office.post(reset, data={"password": PASSWORD}, headers={"HX-Request": "true"})
    assert answer.status_code == 200 and "kétlépcsős belépése kikapcsolva" in answer.text
    assert "Kétlépcsős belépés kikapcsolása" not in answer.text
    db.session.refresh(mentor)
    assert mentor.totp_enabled_at is None and mentor.totp_secret is None
    assert not db.session.scalars(select(RecoveryCode)).all()
    logged = [line for line in security_lines() if "event=totp.reset" in line]
    assert len(logged) == 1 and f"target={mentor.id}" in logged[0]
    assert lost.get("/").status_code == 302  # the lost phone's session ended
    (mail,) = inbox.to(mentor.email)
    assert "kikapcsolta a kétlépcsős belépését" in mail_text(mail)
    assert "Ha nem Ön kérte" in mail_text(mail)
    own = f"/people/{world['coordinator'].id}/two-factor/reset"
    assert office.post(own, data={"password": PASSWORD}).status_code == 403
    again = office.post(reset, data={"password": PASSWORD}, headers={"HX-Request": "true"})
    assert again.status_code == 422 and "nincs bekapcsolva" in again.text
    # The password alone, then straight to setting it up again, as the program requires it.
    assert _password(phone, mentor).location == "/"
    assert phone.get("/").location.endswith("/profile/two-factor")


def test_wrong_passwords_share_one_limit_across_the_forms_that_ask_for_it(app, world, clock):
    """Five wrong passwords a minute per user, wherever typed: a new password, turning two-factor
    sign-in off, new recovery codes, turning someone else's off; the sixth is refused with 429
    (the form again, saying to wait) and checks nothing. Other refusals do not count."""
    from tests.apps import login

    office = app.test_client()
    login(office, world["coordinator"])
    reset = f"/people/{world['participant_a'].id}/two-factor/reset"
    for _ in range(6):  # the right password, but the person has no second factor: 422
        refused = office.post(reset, data={"password": PASSWORD}, headers={"HX-Request": "true"})
        assert refused.status_code == 422 and "nincs bekapcsolva" in refused.text
    _turn_on(office, world["coordinator"])
    mentor = app.test_client()
    _password(mentor, world["mentor_a"])
    _turn_on(mentor, world["mentor_a"])
    reset = f"/people/{world['mentor_a'].id}/two-factor/reset"  # one that is on
    wrong, new = "nem-ez-a-jelszo", "uj-hosszu-jelszo-7"
    tries = [
        ("/profile/password", {"current": wrong, "password": new, "confirm": new}),
        ("/profile/two-factor/disable", {"password": wrong}),
        ("/profile/two-factor/recovery-codes", {"codes-password": wrong}),
        (reset, {"password": wrong}),
        ("/profile/two-factor/recovery-codes", {"codes-password": wrong}),
    ]
    assert [office.post(url, data=data).status_code for url, data in tries] == [422] * 5
    limited = office.post("/profile/two-factor/recovery-codes", data={"codes-password": PASSWORD})
    assert limited.status_code == 429 and "Túl sok hibás jelszó" in limited.text
    assert two_factor.recovery_codes_left(world["coordinator"]) == 10  # nothing was made
    person = office.post(reset, data={"password": PASSWORD})
    assert person.status_code == 429 and "Túl sok hibás jelszó" in person.text
    assert world["mentor_a"].full_name in person.text and 'id="password"' in person.text
