"""The signed-in user's own password, asked again before a sensitive change: a new password,
turning two-factor sign-in off, new recovery codes, the coordinator's turning off someone
else's second factor. Wrong passwords are limited per user across all of these forms."""

from flask import g
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from journal import security_log
from journal.auth.passwords import verify_password
from journal.extensions import configured_limit, limiter


def _user_key() -> str:
    """Rate-limit key: the logged-in user, whatever the client's address."""
    return f"password|{current_user.id}"


# One budget of wrong passwords per user for every form that asks for it (429 beyond it);
# only a wrong password counts, not another refusal of the same form.
limited = limiter.shared_limit(
    configured_limit("PASSWORD_CHECK_RATE_LIMIT"),
    scope="password-check",
    key_func=_user_key,
    deduct_when=lambda _response: g.get("wrong_password", False),
)


# What a form beyond the limit says in its password field's place (the password is not checked).
TOO_MANY = _l("Túl sok hibás jelszó egymás után. Kérjük, várjon egy percet, és próbálja újra.")


def checked(form, field) -> None:
    """Validate a form whose `field` holds the user's current password, and check it."""
    if form.validate() and not verify_password(current_user.password_hash, field.data):
        field.errors.append(_("A jelenlegi jelszó nem helyes."))
        security_log.event("password.check_failed")
        g.wrong_password = True
