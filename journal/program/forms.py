"""The program settings form."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, StringField
from wtforms.validators import DataRequired, InputRequired, NumberRange, ValidationError

from journal.forms import DateRequired, LocalDateField, TextLimit

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
    journal_due_days = IntegerField(
        _l("A napló határideje (nap az alkalom után)"),
        validators=[
            InputRequired(_l("Adja meg, hány nappal az alkalom után esedékes a napló.")),
            NumberRange(
                1, MAX_DUE_DAYS, _l("1 és %(max)s nap közötti számot adjon meg.", max=MAX_DUE_DAYS)
            ),
        ],
        default=7,
    )
    require_two_factor = BooleanField(
        _l("Kétlépcsős belépés kötelező a mentoroknak és a koordinátornak")
    )

    def validate_journal_due_days(self, field):
        """Name a number that could not be read in Hungarian (wtforms says it in English), and
        one in other digits than 0-9 ("٣" is a 3 to int(), not a number typed here)."""
        if field.process_errors or not (field.raw_data or [""])[0].isascii():
            field.process_errors = []
            raise ValidationError(_l("Egész számot adjon meg, például 7."))

    def validate_period_end(self, field):
        """Refuse an end before the start."""
        start = self.period_start.data
        if field.data is not None and start is not None and field.data < start:
            raise ValidationError(_l("A program vége nem lehet korábbi a kezdeténél."))
