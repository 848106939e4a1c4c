"""The form of a method."""

from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField, ValidationError
from wtforms.validators import DataRequired

from journal.forms import TextLimit, VersionedForm, positive_int
from journal.journals.forms import BODY_MAX
from journal.methods.queries import distinct_tags

MAX_MINUTES = 600


def validate_minutes(form, field) -> None:
    """Accept a whole number of minutes from 1 to MAX_MINUTES, or nothing."""
    typed = (field.data or "").strip()
    if typed and (positive_int(typed) is None or int(typed) > MAX_MINUTES):
        raise ValidationError(_l("Egész percet adjon meg 1 és %(max)d között.", max=MAX_MINUTES))


def minutes_of(field) -> int | None:
    """Return a validated minutes field as a number (None when empty)."""
    typed = (field.data or "").strip()
    return int(typed) if typed else None


class MethodForm(VersionedForm):
    """A method's fields, and the version its edit started from (0 for a new one)."""

    name = StringField(
        _l("Név"), validators=[DataRequired(_l("Adja meg a módszer nevét.")), TextLimit(200)]
    )
    aim = TextAreaField(
        _l("Röviden: mire jó?"), validators=[TextLimit(1000)], render_kw={"rows": 2}
    )
    group_size = StringField(_l("Csoportméret"), validators=[TextLimit(100)])
    minutes = StringField(_l("Időigény (perc)"), validators=[validate_minutes])
    materials = TextAreaField(_l("Eszközök"), validators=[TextLimit(5000)])
    body = TextAreaField(_l("Lépések"), validators=[TextLimit(BODY_MAX)], render_kw={"rows": 10})
    variations = TextAreaField(_l("Változatok"), validators=[TextLimit(10_000)])
    source = TextAreaField(_l("Forrás"), validators=[TextLimit(2000)])
    tags = StringField(_l("Címkék (vesszővel elválasztva)"), validators=[TextLimit(500)])

    def values(self) -> dict:
        """Return the fields as the method stores them."""
        texts = ("name", "aim", "group_size", "materials", "body", "variations", "source")
        typed = (tag.strip() for tag in (self.tags.data or "").split(","))
        tags = ", ".join(distinct_tags(tag for tag in typed if tag))
        values = {name: (self[name].data or "").strip() for name in texts}
        return values | {"minutes": minutes_of(self.minutes), "tags": tags}
