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

from journal import security, security_log
from journal.auth import operations, two_factor
from journal.auth.forms import LoginForm, SetPasswordForm, TwoFactorCodeForm
from journal.auth.passwords import hash_password, needs_rehash, verify_password
from journal.extensions import configured_limit, db, limiter
from journal.links import safe_next
from journal.models import User
from journal.security import note_sign_in

bp = Blueprint("auth", __name__)


def _account_key() -> str:
    """Rate-limit key: the account asked for, whatever the client's address."""
    return f"account|{_typed_email()}"


def _email_key() -> str:
    """Rate-limit key: the address asked for and the client's address together."""
    return f"{_typed_email()}|{request.remote_addr}"


def _typed_email() -> str:
    """Return the email address typed into the login form (what a log line may name)."""
    return request.form.get("email", "").strip().lower()[:254]


def _failed(response) -> bool:
    """Count only failed attempts against the limit."""
    return response.status_code != 303


def _sign_in(user: User, remember: bool) -> None:
    """Sign a user in (the password, and the code when asked for, were right)."""
    login_user(user, remember=remember)
    note_sign_in(remember=remember)
    two_factor.note_setup_due(user)


@bp.errorhandler(429)
def too_many_attempts(_error):
    """Show the login form (or the code form) again, with a Hungarian message."""
    if request.endpoint == "auth.login_code":
        security_log.event("rate_limited", path=request.path)
        form = TwoFactorCodeForm()
        form.code.errors = [_("Túl sok hibás kód. Kérjük, várjon néhány percet, és próbálja újra.")]
        return render_template("auth/login_code.html", form=form), 429
    security_log.event("rate_limited", path=request.path, email=_typed_email())
    form = LoginForm()
    form.password.data = ""
    message = _(
        "Túl sok sikertelen belépési kísérlet. Kérjük, várjon egy percet, és próbálja újra."
    )
    return render_template("auth/login.html", form=form, error=message), 429


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    configured_limit("LOGIN_RATE_LIMIT"), key_func=_email_key, methods=["POST"], deduct_when=_failed
)
@limiter.limit(
    configured_limit("ACCOUNT_RATE_LIMIT"),
    key_func=_account_key,
    methods=["POST"],
    deduct_when=_failed,
)
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
            if user.totp_enabled_at is not None:
                # The password was right; the code comes next (this session only knows who).
                session["two_factor"] = {
                    "user": user.id,
                    "remember": bool(form.remember.data),
                    "next": next_url,
                    "at": security.epoch(),
                }
                return redirect(url_for("auth.login_code"), 303)
            _sign_in(user, remember=form.remember.data)
            security_log.event("login.success", email=email)
            return redirect(next_url or url_for("groups.home"), 303)
        reason = "unknown" if user is None else "inactive" if not user.active else "password"
        security_log.event("login.failure", email=email, reason=reason)
        if user is None:
            verify_password(None, form.password.data)  # as long as for an account
        # Only someone who knows the password learns that the account is disabled.
        if user and not user.active and verify_password(user.password_hash, form.password.data):
            error = _(
                "Ezt a fiókot letiltották, ezért nem lehet vele belépni. Ha ez tévedés, "
                "forduljon a program koordinátorához."
            )
        else:
            error = _("Hibás e-mail-cím vagy jelszó.")
    form.password.data = ""
    status = 422 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form, error=error), status


def _pending() -> dict:
    """Return the login waiting for its code in this session ({} when none)."""
    pending = session.get("two_factor")
    return pending if isinstance(pending, dict) else {}


def _pending_key() -> str:
    """Rate-limit key: the account whose code is asked for, whatever the address."""
    return f"code|{_pending().get('user')}"


def _pending_user() -> User | None:
    """Return the user whose password was right moments ago and whose code is asked for."""
    pending = _pending()
    started = pending.get("at")
    if not isinstance(started, int):
        return None
    if security.epoch() - started > current_app.config["TWO_FACTOR_LOGIN_SECONDS"]:
        return None
    user = db.session.get(User, pending.get("user"))
    if user is None or not user.active or user.totp_enabled_at is None:
        return None
    return user


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(
    configured_limit("TWO_FACTOR_RATE_LIMIT"),
    key_func=_pending_key,
    methods=["POST"],
    deduct_when=lambda response: response.status_code == 422,
)
def login_code():
    """Ask for the two-factor code (or a recovery code) after the right password."""
    user = _pending_user()
    if user is None:
        session.pop("two_factor", None)
        flash(_("Kérjük, adja meg az e-mail-címét és a jelszavát."), "info")
        return redirect(url_for("auth.login"), 303)
    form = TwoFactorCodeForm()
    if form.validate_on_submit():
        used = two_factor.check_code(user, form.code.data)
        if used is not None:
            pending = session.pop("two_factor")
            db.session.commit()  # the code is spent before the session starts
            _sign_in(user, remember=bool(pending.get("remember")))
            if used == "recovery_code":
                security_log.event("recovery_code.used", target=user.id)
            security_log.event("login.success", email=user.email, second_factor=used)
            return redirect(safe_next(pending.get("next")) or url_for("groups.home"), 303)
        security_log.event("totp.failure", target=user.id, email=user.email)
        form.code.errors.append(
            _(
                "Ez a kód nem helyes, vagy már felhasználta. Írja be az alkalmazás most "
                "mutatott kódját, vagy az egyik tartalék kódját."
            )
        )
    status = 422 if request.method == "POST" else 200
    return render_template("auth/login_code.html", form=form), status


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
        if user.totp_enabled_at is not None:
            # A link is no second factor: sign in with the new password and a code.
            flash(_("Jelszava elmentve. Most lépjen be vele és az ellenőrző kóddal."), "success")
            return redirect(url_for("auth.login"), 303)
        _sign_in(user, remember=False)
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
