"""The form of the privacy notice."""

from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import DataRequired

from journal.forms import TextLimit, VersionedForm
from journal.journals.forms import BODY_MAX


class NoticeForm(VersionedForm):
    """The notice's Markdown and the version it was edited from (0: the default text)."""

    body = TextAreaField(
        _l("A tájékoztató szövege (Markdown)"),
        # The notice the law asks for is never blank: an empty save would show readers none.
        validators=[DataRequired(_l("A tájékoztató nem lehet üres.")), TextLimit(BODY_MAX)],
        render_kw={"rows": 24},
    )
