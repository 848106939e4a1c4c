"""Outgoing mail, used only when an SMTP server is configured."""

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from journal.models import User
from journal.program.queries import current_program

log = logging.getLogger(__name__)


def mail_configured() -> bool:
    """Tell whether an SMTP server is configured (MAIL_SERVER)."""
    return bool(current_app.config.get("MAIL_SERVER"))


def _program_name() -> str:
    """Return the program's name as its settings have it."""
    program = current_program()
    return program.name if program else "Műhelynapló"


def _deliver(message: EmailMessage) -> None:
    """Send the message through the configured SMTP server; raise OSError or SMTPException
    when the server cannot be reached or refuses it."""
    config = current_app.config
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)


def plain_message(user: User, subject: str, body: str) -> EmailMessage:
    """Return a plain-text mail to the user from the configured sender."""
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_SENDER"]
    message["To"] = user.email
    message["Subject"] = subject
    message.set_content(body)
    return message


def send_invitation(user: User, link: str, purpose: str) -> bool:
    """Mail a password link to the user; return whether a mail was sent."""
    if not mail_configured():
        return False
    # In the invitee's language, not the language of the coordinator who sends the link.
    with force_locale(user.language or "hu"):
        if purpose == "invite":
            subject = _("Meghívó a Műhelynaplóba")
            intro = _("Meghívást kapott a Műhelynaplóba: %(program)s.", program=_program_name())
        else:
            subject = _("Új jelszó beállítása – Műhelynapló")
            intro = _("Új jelszót állíthat be a Műhelynaplóban.")
        body = (
            _("Kedves %(name)s!", name=user.full_name)
            + f"\n\n{intro}\n"
            + _("A jelszó beállításához nyissa meg ezt az egyszer használható linket:")
            + f"\n{link}\n"
        )
    # A refused mail: the link is still shown on screen, and the log names no address or link.
    return send_plain(user, subject, body)


def send_two_factor_reset(user: User) -> bool:
    """Tell the user that the coordinator turned their two-factor sign-in off (whoever did not
    ask for it learns so); return whether a mail was sent."""
    if not mail_configured():
        return False
    with force_locale(user.language or "hu"):
        subject = _("Kétlépcsős belépése kikapcsolva – Műhelynapló")
        body = (
            _("Kedves %(name)s!", name=user.full_name)
            + "\n\n"
            + _(
                "A program koordinátora kikapcsolta a kétlépcsős belépését a Műhelynaplóban, "
                "és minden eszközén kijelentkeztettük. A következő belépéskor elég a jelszava; "
                "ha a program megköveteli, a belépés után újra be kell állítania. Ha nem Ön "
                "kérte, kérjük, azonnal jelezze a koordinátornak."
            )
            + "\n"
        )
    return send_plain(user, subject, body)


def send_plain(user: User, subject: str, body: str) -> bool:
    """Mail a plain-text message to the user; return whether the server took it (a failure is
    logged by the user's id, never the address or the text)."""
    try:
        _deliver(plain_message(user, subject, body))
    except (OSError, smtplib.SMTPException) as error:
        log.warning("mail to user %s could not be sent: %s", user.id, type(error).__name__)
        return False
    return True
