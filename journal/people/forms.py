"""Forms of the coordinator's people page."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, RadioField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Email, InputRequired, Optional, ValidationError

from journal.auth.forms import TwoFactorPasswordForm
from journal.forms import DateRequired, LocalDateField, TextLimit
from journal.models import local_today

ROLE_CHOICES = [SelectChoice("participant", _l("résztvevő")), SelectChoice("mentor", _l("mentor"))]


def name_fields():
    """Return the family- and given-name fields shared by several forms."""
    family = StringField(
        _l("Vezetéknév"),
        validators=[
            DataRequired(_l("Adja meg a vezetéknevet.")),
            TextLimit(100),
        ],
    )
    given = StringField(
        _l("Keresztnév"),
        validators=[
            DataRequired(_l("Adja meg a keresztnevet.")),
            TextLimit(100),
        ],
    )
    return family, given


def not_in_the_future(form, field):
    """Refuse a joining day after today (a member is a member from that day on)."""
    if field.data is not None and field.data > local_today():
        raise ValidationError(_l("A csatlakozás napja nem lehet későbbi a mai napnál."))


def joined_on_field(required: bool) -> LocalDateField:
    """Return the joining-day field (blank means today where it is not required)."""
    return LocalDateField(
        _l("Csatlakozás napja"),
        validators=[
            DateRequired(_l("Adja meg a csatlakozás napját.")) if required else Optional(),
            not_in_the_future,
        ],
        invalid_value_message=_l("Ez nem érvényes dátum (például 2025. 11. 01.)."),
    )


def membership_fields(group_required: bool):
    """Return the group, role, institution, settlement and joining-day fields."""
    group = SelectField(
        _l("Csoport"),
        validators=[DataRequired(_l("Válasszon csoportot."))] if group_required else [Optional()],
        validate_choice=False,
    )
    role = SelectField(_l("Szerep"), choices=ROLE_CHOICES, default="participant")
    institution = StringField(
        _l("Intézmény"),
        validators=[TextLimit(200)],
    )
    settlement = StringField(
        _l("Település"),
        validators=[TextLimit(100)],
    )
    return group, role, institution, settlement, joined_on_field(required=False)


class InviteForm(FlaskForm):
    """A new person, optionally placed in a group straight away."""

    family_name, given_name = name_fields()
    email = EmailField(
        _l("E-mail-cím"),
        validators=[
            DataRequired(_l("Adja meg az e-mail-címet.")),
            Email(_l("Ez nem érvényes e-mail-cím."), check_deliverability=False),
            TextLimit(254),
        ],
    )
    group, role, institution, settlement, joined_on = membership_fields(group_required=False)

    def validate(self, extra_validators=None) -> bool:
        """Refuse what belongs to a membership (institution, settlement, joining day, the
        mentor's role) given without a group, instead of dropping it unsaid."""
        valid = super().validate(extra_validators)
        fields = (self.institution, self.settlement, self.joined_on)
        typed = [f for f in fields if (f.raw_data or [""])[0].strip()]
        if (typed or self.role.data != "participant") and not self.group.data:
            self.group.errors = [*self.group.errors, _l(
                "A szerep, az intézmény, a település és a csatlakozás napja a csoporttagsághoz "
                "tartozik: válasszon csoportot is, vagy hagyja őket alapértéken."
            )]  # fmt: skip
            return False
        return valid


class MembershipForm(FlaskForm):
    """Add a person to a group."""

    group, role, institution, settlement, joined_on = membership_fields(group_required=True)


class JoinedOnForm(FlaskForm):
    """Correct the day a member joined their group (prefixed with the membership's id)."""

    joined_on = joined_on_field(required=True)


class AnonymiseForm(FlaskForm):
    """Confirm anonymising a leaver, and whether their notes stay under the label."""

    notes = RadioField(
        _l("A jegyzetei és válaszai"),
        choices=[
            SelectChoice("keep", _l("Maradjanak meg az új név alatt")),
            SelectChoice("delete", _l("Törlődjenek (a rájuk adott válaszokkal együtt)")),
        ],
        default="keep",
        validators=[InputRequired(_l("Válassza ki, mi legyen a jegyzeteivel."))],
    )
    confirm = BooleanField(
        _l("Megértettem: az anonimizálás végleges, nem vonható vissza."),
        validators=[DataRequired(_l("Az anonimizáláshoz jelölje be, hogy megértette."))],
    )


class TwoFactorResetForm(TwoFactorPasswordForm):
    """The coordinator's own password, to turn off someone else's two-factor sign-in."""

    def __init__(self, *args, **kwargs):
        """Name the field as the coordinator reads it on someone else's page."""
        super().__init__(*args, **kwargs)
        self.password.label.text = _l("Az Ön jelszava")
