"""The form of the privacy notice."""

from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField

from journal.forms import TextLimit, VersionedForm
from journal.journals.forms import BODY_MAX


class NoticeForm(VersionedForm):
    """The notice's Markdown and the version it was edited from (0: the default text)."""

    body = TextAreaField(
        _l("A tájékoztató szövege (Markdown)"),
        validators=[TextLimit(BODY_MAX)],
        render_kw={"rows": 24},
    )
