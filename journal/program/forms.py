"""The program settings form."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, ValidationError

from journal.forms import DateRequired, LocalDateField, TextLimit, whole_number

MAX_DUE_DAYS = 90


class ProgramSettingsForm(FlaskForm):
    """The program's name, association, funder, grant, period and journal due days."""

    name = StringField(
        _l("A program neve"),
        validators=[DataRequired(_l("Adja meg a program nevét.")), TextLimit(200)],
    )
    association = StringField(_l("Az egyesület neve"), validators=[TextLimit(300)])
    funder = StringField(_l("Támogató"), validators=[TextLimit(300)])
    grant_id = StringField(_l("Támogatói azonosító (pályázati szám)"), validators=[TextLimit(100)])
    period_start = LocalDateField(
        _l("A program kezdete"),
        validators=[DateRequired(_l("Adja meg a program kezdetét."))],
        invalid_value_message=_l("Ez nem érvényes dátum (például 2025. 11. 01.)."),
    )
    period_end = LocalDateField(
        _l("A program vége"),
        validators=[DateRequired(_l("Adja meg a program végét."))],
        invalid_value_message=_l("Ez nem érvényes dátum (például 2026. 06. 30.)."),
    )
    journal_due_days = StringField(
        _l("A napló határideje (nap az alkalom után)"),
        validators=[
            DataRequired(_l("Adja meg, hány nappal az alkalom után esedékes a napló.")),
            whole_number(
                MAX_DUE_DAYS,
                _l("1 és %(max)s nap közötti egész számot adjon meg, például 7.", max=MAX_DUE_DAYS),
            ),
        ],
        render_kw={"inputmode": "numeric"},
    )
    require_two_factor = BooleanField(
        _l("Kétlépcsős belépés kötelező a mentoroknak és a koordinátornak")
    )

    def validate_period_end(self, field):
        """Refuse an end before the start."""
        start = self.period_start.data
        if field.data is not None and start is not None and field.data < start:
            raise ValidationError(_l("A program vége nem lehet korábbi a kezdeténél."))
