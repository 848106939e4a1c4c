"""Forms of the shared notes: a note, a reply, a moderation reason."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, Optional

from journal.forms import TextLimit
from journal.i18n import lazy_gettext as _l
from journal.links import split_url
from journal.models import NoteKind

TITLE_MAX = 200
BODY_MAX = 50_000
LINK_MAX = 500
REPLY_MAX = 10_000
REASON_MAX = 500


def kind_labels() -> dict[str, str]:
    """Return the Hungarian name of each note kind."""
    return {
        NoteKind.GOOD_PRACTICE.value: _l("jó gyakorlat"),
        NoteKind.QUESTION.value: _l("kérdés"),
        NoteKind.DIFFICULTY.value: _l("nehézség"),
        NoteKind.RESOURCE.value: _l("forrás"),
        NoteKind.REFLECTION.value: _l("reflexió"),
    }


def validate_web_link(form, field) -> None:
    """Accept only an absolute http(s) address; one typed as "www.…" is kept as https://www.…"""
    value = (field.data or "").strip()
    if value[:4].lower() == "www.":
        value = "https://" + value
    field.data = value
    if not value:
        return
    parts = split_url(value)  # None for "http://[", which Python cannot read
    web = parts is not None and parts.scheme.lower() in ("http", "https") and parts.netloc
    if not web or " " in value:
        raise ValidationError(_l("A link http:// vagy https:// kezdetű webcím legyen."))


class NoteForm(FlaskForm):
    """A shared note: kind, title, Markdown text, optional link, who sees it."""

    kind = SelectField(
        _l("Fajta"),
        choices=[SelectChoice(k, v) for k, v in kind_labels().items()],
        default=NoteKind.GOOD_PRACTICE.value,
        validators=[DataRequired(_l("Válassza ki a jegyzet fajtáját."))],
    )
    title = StringField(
        _l("Cím"),
        validators=[DataRequired(_l("Adjon címet a jegyzetnek.")), TextLimit(TITLE_MAX)],
    )
    body = TextAreaField(_l("Szöveg"), validators=[TextLimit(BODY_MAX)])
    link = StringField(
        _l("Link (nem kötelező)"), validators=[validate_web_link, TextLimit(LINK_MAX)]
    )
    workshop = SelectField(_l("Alkalom"), validators=[Optional()], validate_choice=False)
    mentor_only = BooleanField(_l("Csak a mentornak"))
    hide_reactors = BooleanField(_l("A „Nálam is” jelölők nevét elrejtem (csak a számuk látszik)"))
    version = HiddenField()
    draft = HiddenField()  # the stamp of the autosaved draft this form wrote or restored


class ReplyForm(FlaskForm):
    """A short reply under a note."""

    body = TextAreaField(
        _l("Válasz"),
        validators=[DataRequired(_l("Írja be a választ.")), TextLimit(REPLY_MAX)],
    )
    draft = HiddenField()  # the stamp of the autosaved draft the reply was typed over


class HideForm(FlaskForm):
    """The moderator's reason for hiding a note, shown to its author."""

    reason = TextAreaField(
        _l("Az elrejtés oka (a szerző látja)"),
        validators=[DataRequired(_l("Írja le az elrejtés okát.")), TextLimit(REASON_MAX)],
    )
