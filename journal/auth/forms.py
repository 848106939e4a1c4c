"""Forms for logging in and setting a password."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

MIN_PASSWORD_LENGTH = 10


class LoginForm(FlaskForm):
    """Email and password, with an optional remember-me."""

    email = EmailField(
        _l("E-mail-cím"),
        validators=[DataRequired(_l("Adja meg az e-mail-címét."))],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = PasswordField(
        _l("Jelszó"),
        validators=[DataRequired(_l("Adja meg a jelszavát."))],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Maradjak bejelentkezve ezen az eszközön (14 napig)"))


def _password_not_too_long(form, field):
    """Refuse a password over 200 characters with its own message. Not a Length(max=…): that
    would render maxlength, and the browser would silently cut a pasted password."""
    if field.data and len(field.data) > 200:
        raise ValidationError(_l("A jelszó legfeljebb %(max)d karakter lehet.", max=200))


def new_password_fields():
    """Return the two fields that set a new password."""
    password = PasswordField(
        _l("Új jelszó"),
        validators=[
            DataRequired(_l("Adjon meg egy jelszót.")),
            Length(
                min=MIN_PASSWORD_LENGTH,
                message=_l("A jelszó legalább %(min)d karakter legyen.", min=MIN_PASSWORD_LENGTH),
            ),
            _password_not_too_long,
        ],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Új jelszó még egyszer"),
        validators=[EqualTo("password", _l("A két jelszó nem egyezik."))],
        render_kw={"autocomplete": "new-password"},
    )
    return password, confirm


class SetPasswordForm(FlaskForm):
    """A new password, typed twice (from an invitation or reset link)."""

    password, confirm = new_password_fields()
