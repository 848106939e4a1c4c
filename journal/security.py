"""Session identity and security headers on every response (an expired login: expiry.py)."""

import hmac

from flask import Flask, Response, request
from flask_babel import lazy_gettext as _l
from werkzeug.middleware.proxy_fix import ProxyFix

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


@login_manager.user_loader
def load_user(identity: str) -> User | None:
    """Load the user of a session, unless the session was ended on the server side."""
    raw_id, _, token = identity.partition(":")
    user_id = positive_int(raw_id)
    if user_id is None or not token:
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.active:
        return None
    if not hmac.compare_digest(user.session_token.encode(), token.encode()):
        return None
    return user


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
    return response


def init_app(app: Flask) -> None:
    """Wire the login manager and the response headers into the app."""
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Kérjük, jelentkezzen be az oldal megtekintéséhez.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    app.after_request(set_security_headers)
    if app.config["PROXY_COUNT"]:
        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
