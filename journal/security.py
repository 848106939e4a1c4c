"""Session identity and security headers on every response (an expired login: expiry.py)."""

import hmac
import time

from flask import Flask, Response, current_app, request, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user, user_loaded_from_cookie
from werkzeug.middleware.proxy_fix import ProxyFix

from journal import security_log
from journal.extensions import db, login_manager
from journal.forms import positive_int
from journal.models import User

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def epoch() -> int:
    """Return the time in whole seconds (one place, so tests can move the clock)."""
    return int(time.time())


@login_manager.user_loader
def load_user(identity: str) -> User | None:
    """Load the user of a session, unless the session was ended on the server side or was
    signed in longer ago than REMEMBER_COOKIE_DURATION (also a copied remember-me cookie)."""
    raw_id, token, signed = (identity.split(":") + ["", ""])[:3]
    user_id, signed_in = positive_int(raw_id), positive_int(signed)
    if user_id is None or not token or signed_in is None:
        return None
    lifetime = current_app.config["REMEMBER_COOKIE_DURATION"].total_seconds()
    if epoch() - signed_in > lifetime:
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.active:
        return None
    if not hmac.compare_digest(user.session_token.encode(), token.encode()):
        return None
    user.signed_in_at = signed_in
    return user


def note_sign_in(remember: bool) -> None:
    """Start the idle clock of a session just signed in, and say whether it is remembered."""
    session["remembered"] = bool(remember)
    session["seen"] = epoch()


@user_loaded_from_cookie.connect
def _remembered(_app, user) -> None:
    """A session restored from a remember-me cookie is a remembered one (and is sent to set up
    two-factor sign-in first, like a new login, when the program requires it)."""
    from journal.auth.two_factor import note_setup_due

    note_sign_in(remember=True)
    note_setup_due(user)


def end_idle_session() -> None:
    """Sign out a session that was not remembered and made no request for IDLE_TIMEOUT; note
    the activity of the others (at most once a minute, so the cookie is rarely rewritten)."""
    if "_user_id" not in session or not current_user.is_authenticated:
        return
    now, seen = epoch(), session.get("seen")
    idle = current_app.config["IDLE_TIMEOUT"].total_seconds()
    if seen is not None and not session.get("remembered") and now - seen > idle:
        security_log.event("session.idle_timeout")
        logout_user()
        session.pop("seen", None)
        return
    if seen is None or now - seen > 60:
        session["seen"] = now


def set_security_headers(response: Response) -> Response:
    """Add the security headers every response carries."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.endpoint != "static":
        # Pages carry personal data: never keep them in a shared or browser cache.
        headers["Cache-Control"] = "private, no-store"
    if request.is_secure:
        # Served over HTTPS (directly or, with PROXY_COUNT, behind a proxy): only ever so.
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


def init_app(app: Flask) -> None:
    """Wire the login manager and the response headers into the app."""
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Kérjük, jelentkezzen be az oldal megtekintéséhez.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    app.after_request(set_security_headers)
    app.before_request(end_idle_session)
    if count := app.config["PROXY_COUNT"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
