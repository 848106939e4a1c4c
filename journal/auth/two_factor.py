"""Two-factor sign-in: TOTP codes (RFC 6238, pyotp) and single-use recovery codes.

A user turns it on from the profile page: a new secret is shown as a QR code (inline SVG made
here by segno, no outside service) and as text, and it is on only once a code from it is
confirmed. Then login asks for a code after the password. Recovery codes are shown once and
stored hashed; each signs in once. The program may require it of mentors and the coordinator:
one of them without it is sent to set it up right after signing in.
"""

import hashlib
import hmac
import secrets
from datetime import UTC, datetime

import pyotp
import segno
from flask import Flask, Response, redirect, request, session, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import delete, func, select

from journal import security
from journal.extensions import db
from journal.forms import digits_only
from journal.htmx import is_htmx
from journal.models import RecoveryCode, User, utcnow
from journal.permissions import can_be_required_two_factor
from journal.program.queries import current_program

ISSUER = "Műhelynapló"
RECOVERY_CODES = 10
# A code of the step before or after the current one is accepted too (30 s either way): a
# phone's clock is rarely exact, and typing takes time.
VALID_WINDOW = 1


def new_secret() -> str:
    """Return a new TOTP secret (base32, 160 bits)."""
    return pyotp.random_base32(32)


def spaced(secret: str) -> str:
    """Return a secret in groups of four letters, as it is typed into an app."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code(user: User, secret: str, title: str) -> Markup:
    """Return the QR code of a secret's provisioning address as an inline SVG element."""
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    svg = segno.make(uri, error="m").svg_inline(scale=4, title=title, svgclass="qr-code")
    return Markup(svg)


def _digits(code: str) -> str:
    """Return a typed code without spaces and dashes."""
    return "".join(code.split()).replace("-", "").lower()


def accepted_step(secret: str, code: str, after: int | None) -> int | None:
    """Return the time step a TOTP code is right for (now, or one step either side), if it
    is later than `after` (a code is never accepted twice); else None."""
    totp, code = pyotp.TOTP(secret), _digits(code)
    # Digits 0-9 only: compare_digest takes no other text ("²" is a digit to isdigit()).
    if not (digits_only(code) and len(code) == totp.digits):
        return None
    now = totp.timecode(_at())
    for step in range(now - VALID_WINDOW, now + VALID_WINDOW + 1):
        if (after is None or step > after) and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _at() -> datetime:
    """Return the time codes are checked at (security.epoch: one clock tests can move)."""
    return datetime.fromtimestamp(security.epoch(), UTC)


def code_for(secret: str, offset_steps: int = 0) -> str:
    """Return the TOTP code of a secret now (or some steps away): for tests and the CLI."""
    totp = pyotp.TOTP(secret)
    return totp.generate_otp(totp.timecode(_at()) + offset_steps)


def _hash(code: str) -> str:
    """Return the stored form of a recovery code."""
    return hashlib.sha256(_digits(code).encode()).hexdigest()


def new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes with new ones; return them (shown once, never
    stored in the clear). Each is 10 random letters and digits (50 bits)."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    codes = ["".join(secrets.choice(alphabet) for _ in range(10)) for _ in range(RECOVERY_CODES)]
    codes = [f"{code[:5]}-{code[5:]}" for code in codes]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash(c)) for c in codes)
    return codes


def recovery_codes_left(user: User) -> int:
    """Return how many of the user's recovery codes are still unused."""
    unused = (RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    return db.session.scalar(select(func.count(RecoveryCode.id)).where(*unused)) or 0


def use_recovery_code(user: User, code: str) -> bool:
    """Spend one of the user's unused recovery codes; tell whether the code was one."""
    row = db.session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _hash(code),
            RecoveryCode.used_at.is_(None),
        )
    )
    if row is None:
        return False
    row.used_at = utcnow()
    return True


def enable(user: User, secret: str, step: int) -> list[str]:
    """Turn two-factor sign-in on with a confirmed secret; return new recovery codes."""
    user.totp_secret = secret
    user.totp_enabled_at = utcnow()
    user.totp_last_step = step
    return new_recovery_codes(user)


def disable(user: User) -> None:
    """Turn two-factor sign-in off and forget its secret and recovery codes."""
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def check_code(user: User, code: str) -> str | None:
    """Check a code typed at login: a TOTP code ("totp") or a recovery code
    ("recovery_code"), spent; None when it is neither."""
    step = accepted_step(user.totp_secret or "", code, user.totp_last_step)
    if step is not None:
        user.totp_last_step = step
        return "totp"
    return "recovery_code" if use_recovery_code(user, code) else None


def is_required(user: User) -> bool:
    """Tell whether the program requires two-factor sign-in of this user."""
    if not can_be_required_two_factor(user):
        return False
    program = current_program()
    return bool(program and program.require_two_factor)


def note_setup_due(user: User) -> None:
    """Mark the session of a user just signed in who must set up two-factor sign-in first."""
    if user.totp_enabled_at is None and is_required(user):
        session["two_factor_due"] = True
    else:
        session.pop("two_factor_due", None)


# Where a user sent to set up two-factor sign-in may still go.
_SETUP_ENDPOINTS = frozenset(
    {
        "profile.two_factor_page",
        "profile.two_factor_start",
        "profile.two_factor_confirm",
        "auth.logout",
        "auth.set_language",
        "privacy.notice",
        "static",
    }
)


def send_to_setup():
    """Send a signed-in user whom the program requires to use two-factor sign-in, and who has
    not set it up, to its set-up page (decided at sign-in: no query on other requests)."""
    if (
        session.get("two_factor_due")
        and request.endpoint not in _SETUP_ENDPOINTS
        and current_user.is_authenticated
    ):
        target = url_for("profile.two_factor_page")
        if is_htmx():
            return Response(status=204, headers={"HX-Redirect": target})
        return redirect(target, 303 if request.method != "GET" else 302)
    return None


def init_app(app: Flask) -> None:
    """Send users due to set up two-factor sign-in to its page first."""
    app.before_request(send_to_setup)
