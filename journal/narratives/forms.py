"""The form of a report's narrative text."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField

from journal.forms import TextLimit, positive_int
from journal.journals.forms import BODY_MAX


class NarrativeForm(FlaskForm):
    """A report text's Markdown, the version it was edited from (0: not written yet), and the
    stamp of the autosaved draft its editor wrote or restored."""

    body = TextAreaField(_l("Szöveg"), validators=[TextLimit(BODY_MAX)])
    version = HiddenField()
    draft = HiddenField()

    def base_version(self) -> int | None:
        """Return the version the editor started from (0 for a text not written yet), or None
        when it is missing."""
        return 0 if (self.version.data or "").strip() == "0" else positive_int(self.version.data)
