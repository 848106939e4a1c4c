"""Shared input rules: text limits that are shown before they bite and never cut a text, and
the one way a number, a date or a time typed or sent by the browser is read."""

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, TimeField, ValidationError
from wtforms.validators import StopValidation

from journal.i18n import at_most_characters
from journal.i18n import lazy_gettext as _l


class TextLimit:
    """Refuse a text longer than `limit` characters with the Hungarian message, keeping it whole.

    Not wtforms' Length(max=…): that renders `maxlength`, and a browser silently cuts a pasted
    text there. The limit is a field flag instead (`field.flags.limit`), which the `field`
    macro in templates/_forms.html shows, and static/js/limits.js counts, before it bites.
    """

    def __init__(self, limit: int):
        """Keep the limit and expose it as the field's `limit` flag."""
        self.limit = limit
        self.field_flags = {"limit": limit}

    def __call__(self, form, field) -> None:
        """Refuse the field if its text is over the limit."""
        if len(field.data or "") > self.limit:
            raise ValidationError(at_most_characters(self.limit, len(field.data)))


def digits_only(text: str) -> bool:
    """Tell whether a text is all digits 0-9, as people type numbers here: "²" and "٣" are
    digits to str.isdigit (and "٣" a 3 to int()), but neither is a number typed here."""
    return text.isascii() and text.isdigit()


def positive_int(value) -> int | None:
    """Return a positive whole number written in the digits 0-9 (`digits_only`) that fits an
    integer column (an id, a version, a page), else None: 30 digits would overflow the
    database."""
    text = str(value if value is not None else "").strip()
    if not digits_only(text) or len(text) > 10:
        return None
    number = int(text)
    return number if 0 < number < 2**31 else None


def whole_number(high: int, message):
    """Return a validator of a text field that holds a whole number from 1 to `high` typed in
    the digits 0-9, or nothing (DataRequired says when it is needed): one message for
    whatever else was typed, and the text kept as typed (a number field would empty it)."""

    def check(_form, field) -> None:
        typed = (field.data or "").strip()
        if typed and (positive_int(typed) is None or int(typed) > high):
            raise ValidationError(message)

    return check


def number_of(field) -> int | None:
    """Return a validated whole_number field as a number (None when empty)."""
    typed = (field.data or "").strip()
    return int(typed) if typed else None


class VersionedForm(FlaskForm):
    """A form whose text is saved with a version check: the version its editor started from
    (0 for a text not written yet)."""

    version = HiddenField()

    def base_version(self) -> int | None:
        """Return the version the editor started from, 0 for a text not written yet, or None
        when it is missing or not a number."""
        return 0 if (self.version.data or "").strip() == "0" else positive_int(self.version.data)


class _BlankIsNone:
    """Read an empty input as no value (the required check then speaks, not the parser)."""

    def process_formdata(self, valuelist):
        """Parse the value, treating an empty input as None."""
        if not valuelist or not "".join(valuelist).strip():
            self.data = None
            return
        super().process_formdata(valuelist)


class DateRequired:
    """Require a date, leaving the parser's message alone when the input was not a date."""

    def __init__(self, message):
        """Keep the message shown when the date is missing."""
        self.message = message
        self.field_flags = {"required": True}

    def __call__(self, form, field):
        """Stop with the message if no date was given."""
        if field.data is None and not field.process_errors:
            raise StopValidation(self.message)


class LocalDateField(_BlankIsNone, DateField):
    """A date input with Hungarian messages. A day before 2000 is refused: every date here is
    of a program that began in 2025, so such a year can only be mistyped ("0025")."""

    def pre_validate(self, form):
        """Stop at a day before 2000 (the field's other rules then have nothing to add)."""
        if self.data is not None and self.data.year < 2000:
            raise StopValidation(_l("Ellenőrizze az évszámot: 2000 előtti nap nem adható meg."))


class LocalTimeField(_BlankIsNone, TimeField):
    """A time input with Hungarian messages."""
