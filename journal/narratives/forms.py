"""The form of a report's narrative text."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, TextAreaField

from journal.forms import TextLimit, VersionedForm
from journal.journals.forms import BODY_MAX


class NarrativeForm(VersionedForm):
    """A report text's Markdown, the version it was edited from (0: not written yet), and the
    stamp of the autosaved draft its editor wrote or restored."""

    body = TextAreaField(_l("Szöveg"), validators=[TextLimit(BODY_MAX)])
    draft = HiddenField()
