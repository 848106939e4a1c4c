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


def _program_name() -> str:
    """Return the program's name as its settings have it."""
    program = current_program()
    return program.name if program else "Műhelynapló"


def send_invitation(user: User, link: str, purpose: str) -> bool:
    """Mail a password link to the user; return whether a mail was sent."""
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        return False
    message = EmailMessage()
    message["From"] = config["MAIL_SENDER"]
    message["To"] = user.email
    # In the invitee's language, not the language of the coordinator who sends the link.
    with force_locale(user.language or "hu"):
        if purpose == "invite":
            message["Subject"] = _("Meghívó a Műhelynaplóba")
            intro = _("Meghívást kapott a Műhelynaplóba: %(program)s.", program=_program_name())
        else:
            message["Subject"] = _("Új jelszó beállítása – Műhelynapló")
            intro = _("Új jelszót állíthat be a Műhelynaplóban.")
        message.set_content(
            _("Kedves %(name)s!", name=user.full_name)
            + f"\n\n{intro}\n"
            + _("A jelszó beállításához nyissa meg ezt az egyszer használható linket:")
            + f"\n{link}\n"
        )
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException):
        # The link is still shown on screen; the log names no address or link.
        log.warning("invitation mail could not be sent")
        return False
    return True
