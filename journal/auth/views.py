"""Log in and out, accept an invitation, choose the language."""

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from journal import security_log
from journal.auth import operations
from journal.auth.forms import LoginForm, SetPasswordForm
from journal.auth.passwords import hash_password, needs_rehash, verify_password
from journal.extensions import db, limiter
from journal.links import safe_next
from journal.models import User
from journal.security import note_sign_in

bp = Blueprint("auth", __name__)


def _login_limit() -> str:
    """Return the configured limit on failed logins."""
    return current_app.config["LOGIN_RATE_LIMIT"]


def _account_limit() -> str:
    """Return the configured limit on failed logins of one account, from any address."""
    return current_app.config["ACCOUNT_RATE_LIMIT"]


def _account_key() -> str:
    """Rate-limit key: the account asked for, whatever the client's address."""
    return f"account|{_typed_email()}"


def _email_key() -> str:
    """Rate-limit key: the address asked for and the client's address together."""
    return f"{request.form.get('email', '').strip().lower()}|{request.remote_addr}"


def _typed_email() -> str:
    """Return the email address typed into the login form (what a log line may name)."""
    return request.form.get("email", "").strip().lower()[:254]


def _failed(response) -> bool:
    """Count only failed attempts against the limit."""
    return response.status_code != 303


@bp.errorhandler(429)
def too_many_attempts(_error):
    """Show the login form again, with what was typed and a Hungarian message."""
    security_log.event("rate_limited", path=request.path, email=_typed_email())
    form = LoginForm()
    form.password.data = ""
    message = _(
        "Túl sok sikertelen belépési kísérlet. Kérjük, várjon egy percet, és próbálja újra."
    )
    return render_template("auth/login.html", form=form, error=message), 429


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, key_func=_email_key, methods=["POST"], deduct_when=_failed)
@limiter.limit(_account_limit, key_func=_account_key, methods=["POST"], deduct_when=_failed)
@limiter.limit("60 per minute", methods=["POST"], deduct_when=_failed)
def login():
    """Log in with email and password."""
    next_url = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or url_for("groups.home"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = db.session.scalar(select(User).where(User.email == email))
        if user and user.active and verify_password(user.password_hash, form.password.data):
            if needs_rehash(user.password_hash):
                user.password_hash = hash_password(form.password.data)
                db.session.commit()
            login_user(user, remember=form.remember.data)
            note_sign_in(remember=form.remember.data)
            security_log.event("login.success", email=email)
            return redirect(next_url or url_for("groups.home"), 303)
        reason = "unknown" if user is None else "inactive" if not user.active else "password"
        security_log.event("login.failure", email=email, reason=reason)
        if user is None:
            verify_password(None, form.password.data)
            error = _("Hibás e-mail-cím vagy jelszó.")
        elif not user.active and verify_password(user.password_hash, form.password.data):
            # Only someone who knows the password learns that the account is disabled.
            error = _(
                "Ezt a fiókot letiltották, ezért nem lehet vele belépni. Ha ez tévedés, "
                "forduljon a program koordinátorához."
            )
        else:
            error = _("Hibás e-mail-cím vagy jelszó.")
    form.password.data = ""
    status = 422 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form, error=error), status


@bp.post("/logout")
@login_required
def logout():
    """Log out here and end every other session of this user."""
    security_log.event("logout")
    current_user.end_all_sessions()
    db.session.commit()
    logout_user()
    flash(_("Kijelentkezett. Minden eszközén véget ért a munkamenete."), "success")
    response = redirect(url_for("auth.login"), 303)
    # The browser forgets what it cached of the pages (the drafts kept in this browser are
    # the autosave script's to clear, when the logout form is sent: it never loses a word).
    response.headers["Clear-Site-Data"] = '"cache"'
    return response


@bp.get("/invitation/<token>")
def open_invitation(token: str):
    """Take an invitation or reset link's token out of the address at once: into the session,
    then on to the token-free page (so it stays out of the history, later access-log lines and
    any Referer)."""
    session["invitation"] = token
    return redirect(url_for("auth.accept_invitation"), 303)


@bp.route("/invitation", methods=["GET", "POST"])
def accept_invitation():
    """Set a password from the single-use invitation or reset link opened in this session."""
    token = session.get("invitation", "")
    try:
        invitation = operations.find_invitation(token)
    except operations.InvalidInvitation:
        message = _(
            "Ez a link érvénytelen, már felhasználták, vagy lejárt. "
            "Kérjen új linket a program koordinátorától."
        )
        return render_template(
            "errors/error.html", title=_("Érvénytelen link"), message=message
        ), 404
    form = SetPasswordForm()
    if form.validate_on_submit():
        user = operations.redeem_invitation(token, form.password.data)
        db.session.commit()
        security_log.event("invitation.used", purpose=invitation.purpose, target=user.id)
        session.pop("invitation", None)
        login_user(user)
        flash(_("Jelszava elmentve. Üdvözöljük a Műhelynaplóban!"), "success")
        return redirect(url_for("groups.home"), 303)
    status = 422 if request.method == "POST" else 200
    return render_template("auth/set_password.html", form=form, invitation=invitation), status


@bp.post("/language")
def set_language():
    """Switch the interface language (stored on the user when logged in)."""
    language = request.form.get("language", "")
    if language not in current_app.config["LANGUAGES"]:
        flash(_("Ismeretlen nyelv."), "error")
        return redirect(url_for("groups.home"), 303)
    if current_user.is_authenticated:
        current_user.language = language
        db.session.commit()
    session["language"] = language
    return redirect(safe_next(request.form.get("next")) or url_for("groups.home"), 303)
