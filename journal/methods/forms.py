"""The form of a method."""

from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired

from journal.forms import TextLimit, VersionedForm, number_of, whole_number
from journal.journals.forms import BODY_MAX
from journal.methods.queries import distinct_tags

MAX_MINUTES = 600


validate_minutes = whole_number(
    MAX_MINUTES, _l("Egész percet adjon meg 1 és %(max)d között.", max=MAX_MINUTES)
)


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
        return values | {"minutes": number_of(self.minutes), "tags": tags}
