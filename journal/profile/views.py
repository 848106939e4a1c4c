"""My profile: name, language and password."""

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
from flask_babel import refresh
from flask_login import current_user, login_required, login_user

from journal import security_log
from journal.auth.operations import set_password
from journal.auth.passwords import verify_password
from journal.extensions import db, limiter
from journal.profile.forms import PasswordChangeForm, ProfileForm

bp = Blueprint("profile", __name__, url_prefix="/profile")


def _page(profile_form=None, password_form=None, status=200):
    """Render the profile page with both forms."""
    return render_template(
        "profile/profile.html",
        profile_form=profile_form or ProfileForm(obj=current_user, formdata=None),
        password_form=password_form or PasswordChangeForm(formdata=None),
    ), status


@bp.errorhandler(429)
def too_many_password_checks(_error):
    """Show the profile page again, saying to wait (passwords are never sent back)."""
    security_log.event("rate_limited", path=request.path)
    form = PasswordChangeForm(formdata=None)
    form.current.errors = [
        _("Túl sok hibás jelszó egymás után. Kérjük, várjon egy percet, és próbálja újra.")
    ]
    return _page(password_form=form, status=429)


@bp.get("")
@login_required
def show():
    """Show the profile forms."""
    return _page()


@bp.post("")
@login_required
def update():
    """Save the name and language."""
    form = ProfileForm()
    if not form.validate():
        return _page(profile_form=form, status=422)
    current_user.family_name = form.family_name.data.strip()
    current_user.given_name = form.given_name.data.strip()
    current_user.language = form.language.data
    session["language"] = form.language.data
    db.session.commit()
    refresh()
    flash(_("Adatai elmentve."), "success")
    return redirect(url_for("profile.show"), 303)


def _password_check_limit() -> str:
    """Return the configured limit on wrong current passwords of one user."""
    return current_app.config["PASSWORD_CHECK_RATE_LIMIT"]


def _user_key() -> str:
    """Rate-limit key: the logged-in user, whatever the client's address."""
    return f"password|{current_user.id}"


@bp.post("/password")
@login_required
@limiter.limit(
    _password_check_limit,
    key_func=_user_key,
    deduct_when=lambda response: response.status_code == 422,
)
def change_password():
    """Change the password; every other session of the user ends."""
    form = PasswordChangeForm()
    if form.validate() and not verify_password(current_user.password_hash, form.current.data):
        form.current.errors.append(_("A jelenlegi jelszó nem helyes."))
        security_log.event("password.check_failed")
    if form.errors or request.method != "POST":
        return _page(password_form=form, status=422)
    set_password(current_user, form.password.data)
    db.session.commit()
    security_log.event("password.changed")
    # The new session token ends every other session; this one continues under it.
    login_user(current_user._get_current_object(), remember=False)
    flash(_("Jelszava megváltozott. Minden más eszközén kijelentkeztettük."), "success")
    return redirect(url_for("profile.show"), 303)
