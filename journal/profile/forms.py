"""Forms of the profile page."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectChoice, SelectField
from wtforms.validators import DataRequired

from journal.auth.forms import new_password_fields
from journal.i18n import LANGUAGE_NAMES
from journal.people.forms import name_fields


class ProfileForm(FlaskForm):
    """Name and interface language."""

    family_name, given_name = name_fields()
    language = SelectField(
        _l("A felület nyelve"),
        choices=[SelectChoice(code, name) for code, name in LANGUAGE_NAMES.items()],
        default="hu",
    )


class PasswordChangeForm(FlaskForm):
    """The current password and a new one, typed twice."""

    current = PasswordField(
        _l("Jelenlegi jelszó"),
        validators=[DataRequired(_l("Adja meg a jelenlegi jelszavát."))],
        render_kw={"autocomplete": "current-password"},
    )
    password, confirm = new_password_fields()
