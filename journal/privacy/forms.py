"""The form of the privacy notice."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField

from journal.forms import TextLimit
from journal.journals.forms import BODY_MAX


class NoticeForm(FlaskForm):
    """The notice's Markdown and the version it was edited from (0: the default text)."""

    body = TextAreaField(
        _l("A tájékoztató szövege (Markdown)"),
        validators=[TextLimit(BODY_MAX)],
        render_kw={"rows": 24},
    )
    version = HiddenField()

    def base_version(self) -> int | None:
        """Return the version the editor started from (0 for the default), or None if bad."""
        raw = (self.version.data or "").strip()
        return int(raw) if raw.isdigit() and len(raw) < 10 else None
