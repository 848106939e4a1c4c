"""The form of a journal section's editor."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectChoice,
    TextAreaField,
    ValidationError,
)

from journal.forms import TextLimit, positive_int
from journal.journals.operations import private_in_report_message
from journal.journals.sections import visibility_choices
from journal.models import Visibility

BODY_MAX = 100_000


class SectionForm(FlaskForm):
    """A section's Markdown text, who reads it, the report flag, and its base version."""

    body = TextAreaField(
        _l("Szöveg"),
        validators=[TextLimit(BODY_MAX)],
    )
    visibility = RadioField(
        _l("Ki láthatja?"),
        choices=[SelectChoice(v, label) for v, label in visibility_choices()],
        validate_choice=False,
    )
    in_report = BooleanField(_l("Bekerül a beszámolóba"))
    version = HiddenField()
    draft = HiddenField()  # the stamp of the autosaved draft this editor wrote or restored

    def validate_visibility(self, field) -> None:
        """Refuse a visibility that does not exist, in Hungarian."""
        if field.data not in {v.value for v in Visibility}:
            raise ValidationError(_l("Válassza ki, ki láthatja ezt a részt."))

    def validate_in_report(self, field) -> None:
        """Refuse a private section in the report."""
        if field.data and self.visibility.data == Visibility.PRIVATE.value:
            raise ValidationError(private_in_report_message())

    def base_version(self) -> int | None:
        """Return the version the editor started from, or None when it is missing."""
        return positive_int(self.version.data)
