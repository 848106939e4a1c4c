"""My profile: name, language, password and two-factor sign-in."""

from flask import (
    Blueprint,
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
from journal.auth import current_password, two_factor
from journal.auth.forms import RecoveryCodesForm, TwoFactorCodeForm, TwoFactorPasswordForm
from journal.auth.operations import set_password
from journal.extensions import db
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
    message = str(current_password.TOO_MANY)
    if request.endpoint in _PASSWORD_FORMS:
        name, form_class = _PASSWORD_FORMS[request.endpoint]
        form = form_class(formdata=None)
        form.password.errors = [message]
        return _two_factor_page(**{name: form}, status=429)
    form = PasswordChangeForm(formdata=None)
    form.current.errors = [message]
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


@bp.post("/password")
@login_required
@current_password.limited
def change_password():
    """Change the password; every other session of the user ends."""
    form = PasswordChangeForm()
    current_password.checked(form, form.current)
    if form.errors:
        return _page(password_form=form, status=422)
    set_password(current_user, form.password.data)
    db.session.commit()
    security_log.event("password.changed")
    # The new session token ends every other session; this one continues under it.
    login_user(current_user._get_current_object(), remember=False)
    flash(_("Jelszava megváltozott. Minden más eszközén kijelentkeztettük."), "success")
    return redirect(url_for("profile.show"), 303)


# --- Two-factor sign-in (journal/auth/two_factor.py) -----------------------------------------


# The two-factor page's password forms, by the endpoint each is sent to.
_PASSWORD_FORMS = {
    "profile.two_factor_disable": ("disable_form", TwoFactorPasswordForm),
    "profile.two_factor_codes": ("codes_form", RecoveryCodesForm),
}


def _two_factor_page(
    code_form=None, disable_form=None, codes_form=None, codes=None, renewed=False, status=200
):
    """Render the two-factor page in the user's state: off, being set up (the QR code), on
    (with how many recovery codes are left), or the recovery codes just made (`renewed`: they
    replace earlier ones)."""
    user = current_user
    pending = user.totp_enabled_at is None and user.totp_secret is not None
    title = _("QR-kód a hitelesítő alkalmazásnak")
    return render_template(
        "profile/two_factor.html",
        pending=pending,
        qr=two_factor.qr_code(user, user.totp_secret, title) if pending else None,
        secret=two_factor.spaced(user.totp_secret) if pending else None,
        code_form=code_form or TwoFactorCodeForm(formdata=None),
        disable_form=disable_form or TwoFactorPasswordForm(formdata=None),
        codes_form=codes_form or RecoveryCodesForm(formdata=None),
        codes=codes,
        renewed=renewed,
        codes_left=two_factor.recovery_codes_left(user) if user.totp_enabled_at else None,
        required=two_factor.is_required(user),
    ), status


@bp.get("/two-factor")
@login_required
def two_factor_page():
    """Show the state of two-factor sign-in and what can be done with it."""
    return _two_factor_page()


@bp.post("/two-factor/start")
@login_required
def two_factor_start():
    """Make a new secret to set up (not on until a code from it is confirmed)."""
    if current_user.totp_enabled_at is None:
        current_user.totp_secret = two_factor.new_secret()
        db.session.commit()
    return redirect(url_for("profile.two_factor_page"), 303)


@bp.post("/two-factor")
@login_required
def two_factor_confirm():
    """Turn two-factor sign-in on with a code from the new secret; show the recovery codes
    once (in this answer, never stored in the clear nor put in the session)."""
    form = TwoFactorCodeForm()
    if current_user.totp_enabled_at is not None or current_user.totp_secret is None:
        return redirect(url_for("profile.two_factor_page"), 303)
    step = None
    if form.validate():
        step = two_factor.accepted_step(current_user.totp_secret, form.code.data, None)
        if step is None:
            form.code.errors.append(
                _(
                    "Ez a kód nem helyes. Nézze meg, hogy a telefon órája pontos-e, és írja be "
                    "az alkalmazás most mutatott kódját."
                )
            )
    if step is None:
        return _two_factor_page(code_form=form, status=422)
    codes = two_factor.enable(current_user, current_user.totp_secret, step)
    db.session.commit()
    session.pop("two_factor_due", None)
    security_log.event("totp.enabled")
    return _two_factor_page(codes=codes)


@bp.post("/two-factor/disable")
@login_required
@current_password.limited
def two_factor_disable():
    """Turn two-factor sign-in off (the password is asked for; not when it is required)."""
    form = TwoFactorPasswordForm()
    current_password.checked(form, form.password)
    if not form.errors and two_factor.is_required(current_user):
        form.password.errors.append(
            _("A program megköveteli Öntől a kétlépcsős belépést, ezért nem kapcsolhatja ki.")
        )
    if form.errors:
        return _two_factor_page(disable_form=form, status=422)
    two_factor.disable(current_user)
    db.session.commit()
    security_log.event("totp.disabled")
    flash(_("A kétlépcsős belépést kikapcsolta."), "success")
    return redirect(url_for("profile.two_factor_page"), 303)


@bp.post("/two-factor/recovery-codes")
@login_required
@current_password.limited
def two_factor_codes():
    """Replace the recovery codes with new ones (the password is asked for); show them once."""
    if current_user.totp_enabled_at is None:
        return redirect(url_for("profile.two_factor_page"), 303)
    form = RecoveryCodesForm()
    current_password.checked(form, form.password)
    if form.errors:
        return _two_factor_page(codes_form=form, status=422)
    codes = two_factor.new_recovery_codes(current_user)
    db.session.commit()
    security_log.event("recovery_codes.renewed")
    return _two_factor_page(codes=codes, renewed=True)
