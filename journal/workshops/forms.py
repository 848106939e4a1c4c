"""Forms for workshops, cancelling, and guests."""

from datetime import timedelta

from flask_wtf import FlaskForm
from wtforms import FieldList, Form, FormField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Optional, ValidationError

from journal.forms import (
    DateRequired,
    LocalDateField,
    LocalTimeField,
    TextLimit,
    digits_only,
    number_of,
    positive_int,
)
from journal.i18n import lazy_gettext as _l
from journal.methods.forms import validate_minutes
from journal.models import local_today


class PlanStepForm(Form):
    """One method of a workshop's plan: its name (from the library, or new) and minutes."""

    name = StringField(_l("Módszer"), validators=[TextLimit(200)])
    minutes = StringField(_l("Perc"), validators=[validate_minutes])

    def validate_name(self, field) -> None:
        """Ask for the method's name when its minutes were given."""
        if not (field.data or "").strip() and (self.minutes.data or "").strip():
            raise ValidationError(_l("Adja meg a módszer nevét is."))


class PlanRows(FieldList):
    """The plan's rows, numbered by their fields' names ("plan-3-name"): a number only in the
    digits 0-9 ("plan-²-name", a digit to isdigit() but no number to int(), is no row)."""

    def _extract_indices(self, prefix, formdata):
        """Yield the row numbers the form data names."""
        for key in formdata:
            number = key[len(prefix) + 1 :].split("-", 1)[0] if key.startswith(prefix) else ""
            if digits_only(number):
                yield int(number)


class WorkshopForm(FlaskForm):
    """A workshop's editable fields, with the version the edit started from."""

    date = LocalDateField(
        _l("Dátum"),
        validators=[DateRequired(_l("Adja meg a dátumot."))],
        invalid_value_message=_l("Ez nem érvényes dátum (például 2026. 03. 12.)."),
    )
    start_time = LocalTimeField(
        _l("Kezdés"),
        validators=[Optional()],
        invalid_value_message=_l("Ez nem érvényes időpont (például 14:00)."),
    )
    end_time = LocalTimeField(
        _l("Befejezés"),
        validators=[Optional()],
        invalid_value_message=_l("Ez nem érvényes időpont (például 16:30)."),
    )
    place = StringField(_l("Helyszín"), validators=[TextLimit(200)])
    topic = StringField(
        _l("Téma"), validators=[DataRequired(_l("Adja meg az alkalom témáját.")), TextLimit(200)]
    )
    agenda = TextAreaField(_l("Rövid program"), validators=[TextLimit(4000)])
    methods = TextAreaField(_l("Egyéb módszerek (szabad szöveg)"), validators=[TextLimit(2000)])
    # Rows beyond PLAN_MAX are refused with all of them kept (a max_entries would drop them).
    PLAN_MAX = 40
    plan = PlanRows(FormField(PlanStepForm), min_entries=0)
    version = HiddenField()

    # Set by the edit view for a workshop held or with attendance or guests recorded: its day
    # cannot move ahead (before its day nothing can be recorded).
    recorded = False

    def validate_date(self, field):
        """Refuse a day over two years ahead (a mistyped year; one before 2000 the field
        refuses), and a future day for a workshop already held or recorded."""
        if field.data is None:
            return
        if self.recorded and field.data > local_today():
            raise ValidationError(
                _l(
                    "Megtartott, jelenléttel vagy vendéggel rögzített alkalom napja nem lehet "
                    "későbbi a mai napnál."
                )
            )
        if field.data > local_today() + timedelta(days=731):
            raise ValidationError(
                _l("Ellenőrizze az évszámot: alkalom legfeljebb két évre előre vehető fel.")
            )

    def validate_plan(self, field):
        """Refuse more rows than a plan holds."""
        if len(field.entries) > self.PLAN_MAX:
            raise ValidationError(
                _l(
                    "Egy alkalomra legfeljebb %(max)d módszer tervezhető; törölje a fölösleges "
                    "sorokat.",
                    max=self.PLAN_MAX,
                )
            )

    def plan_steps(self) -> tuple[tuple[str, int | None], ...]:
        """Return the plan's filled rows as (name, minutes), in order."""
        rows = (step.form for step in self.plan)
        return tuple(
            (row.name.data.strip(), number_of(row.minutes))
            for row in rows
            if (row.name.data or "").strip()
        )

    def plan_minutes(self) -> int:
        """Return the running time of the rows as typed (what is not a number counts 0)."""
        return sum(positive_int(step.form.minutes.data) or 0 for step in self.plan)

    def validate_end_time(self, field):
        """Require the end to be after the start, and a start when an end is given."""
        if field.data is None:
            return
        if self.start_time.data is None:
            raise ValidationError(_l("Befejezéshez adja meg a kezdés idejét is."))
        if field.data <= self.start_time.data:
            raise ValidationError(_l("A befejezésnek a kezdés után kell lennie."))


REASON_MAX = 1000  # characters of the reason a workshop is cancelled


class CancelForm(FlaskForm):
    """The reason a workshop is cancelled."""

    reason = TextAreaField(
        _l("Az elmaradás oka"),
        validators=[
            DataRequired(_l("Írja meg, miért marad el az alkalom.")),
            TextLimit(REASON_MAX),
        ],
    )
    version = HiddenField()
    next = HiddenField()  # the page to go back to


class GuestForm(FlaskForm):
    """A guest who is not a member of the group."""

    name = StringField(
        _l("Vendég neve"), validators=[DataRequired(_l("Adja meg a vendég nevét.")), TextLimit(200)]
    )
    institution = StringField(_l("Intézmény"), validators=[TextLimit(200)])
