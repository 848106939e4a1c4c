"""Forms for logging in and setting a password."""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, StopValidation, ValidationError

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
    would render maxlength, and the browser would silently cut a pasted password. The checks
    after it are not run: "choose a longer one" beside "at most 200" would contradict it."""
    if field.data and len(field.data) > 200:
        raise StopValidation(_l("A jelszó legfeljebb %(max)d karakter lehet.", max=200))


# Words too common to protect anything, however they are repeated or decorated.
_COMMON = {
    "password", "passw0rd", "jelszo", "jelszó", "admin", "welcome", "letmein", "iloveyou",
    "szeretlek", "qwerty", "qwertz", "qwertyuiop", "qwertzuiop", "asdfgh", "asdfghjkl",
    "yxcvbnm", "zxcvbnm", "magyarorszag", "magyarország", "budapest", "muhelynaplo",
    "műhelynapló", "kapcsolodasok", "kapcsolódások", "mentor", "mentoralas", "mentorálás",
}  # fmt: skip


def _is_run(text: str) -> bool:
    """Tell whether the characters go up or down one by one (abcdef, 98765)."""
    steps = {ord(b) - ord(a) for a, b in zip(text, text[1:], strict=False)}
    return len(text) > 1 and len(steps) == 1 and steps <= {1, -1}


def _first_unit(text: str) -> str:
    """Return the shortest piece that, repeated, makes up the text ("jelszo" of "jelszojelszo")."""
    for size in range(1, len(text) + 1):
        if len(text) % size == 0 and text == text[:size] * (len(text) // size):
            return text[:size]
    return text


def _password_not_guessable(form, field):
    """Refuse a password the first guesses of anyone would find: digits alone (a phone number,
    a date), one or two characters over and over, a run like abcdefghij, or a common word
    (repeated, or with digits and signs around it)."""
    password = (field.data or "").strip().lower()
    if not password:
        return
    letters = "".join(c for c in password if c.isalpha())
    unit = _first_unit(letters)
    if (
        re.fullmatch(r"[\d\s.+()/-]+", password)
        or len(set(password)) <= 2
        or _is_run(password)
        or unit in _COMMON
        or (unit != letters and len(set(unit)) <= 3)
    ):
        raise ValidationError(
            _l(
                "Ezt a jelszót túl könnyű kitalálni (csupa számjegy, ismétlődő vagy egymást "
                "követő karakterek, gyakori szó). Válasszon hosszabbat, például több szóból "
                "álló mondatot."
            )
        )


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
            _password_not_guessable,
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


class TwoFactorCodeForm(FlaskForm):
    """A code from the authenticator app, or one of the recovery codes."""

    code = StringField(
        _l("Ellenőrző kód"),
        validators=[DataRequired(_l("Írja be az alkalmazás által mutatott 6 jegyű kódot."))],
        render_kw={
            "autocomplete": "one-time-code",
            "autocapitalize": "none",
            "spellcheck": "false",
        },
    )


class TwoFactorPasswordForm(FlaskForm):
    """The password, to turn two-factor sign-in off."""

    password = PasswordField(
        _l("Jelenlegi jelszó"),
        validators=[DataRequired(_l("Adja meg a jelszavát."))],
        render_kw={"autocomplete": "current-password"},
    )


class RecoveryCodesForm(TwoFactorPasswordForm):
    """The password, for new recovery codes (on the same page: its field has its own id)."""

    def __init__(self, *args, **kwargs):
        """Name the form's fields codes-…"""
        super().__init__(*args, prefix="codes", **kwargs)
