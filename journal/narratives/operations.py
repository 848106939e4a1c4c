"""Writes of the narrative parts of reports: a save checked against the version it was edited
from, with a revision per saved version (the rules of journal sections)."""

from sqlalchemy.exc import IntegrityError

from journal.domain import StaleVersion, versioned_update
from journal.extensions import db
from journal.journals.operations import normalise_body
from journal.markdown import stored
from journal.models import ReportText, ReportTextRevision, User, utcnow
from journal.narratives.queries import Place, text_at


def save_text(author: User, where: Place, base_version: int, body: str) -> bool:
    """Save the text at this place if nobody saved it since `base_version` (0: it was not
    written yet); return whether it changed. Raise StaleVersion with the stored text when
    someone did. Sending what is already saved changes nothing and is no conflict."""
    body = normalise_body(body)
    now = utcnow()
    current = text_at(where)
    if current is None:
        if base_version != 0:
            raise StaleVersion(None)
        text = ReportText(
            scope=where.scope,
            period_start=where.start,
            period_end=where.end,
            body=body,
            updated_at=now,
            updated_by_id=author.id,
        )
        try:
            # A savepoint: the same text begun at the same moment elsewhere wins cleanly.
            with db.session.begin_nested():
                db.session.add(text)
        except IntegrityError:
            raise StaleVersion(text_at(where)) from None
    else:
        if current.body == body:
            return False
        written = versioned_update(
            current, base_version, **stored(body), body=body, updated_at=now,
            updated_by_id=author.id,
        )  # fmt: skip
        if not written:
            if current.body == body:
                return False
            raise StaleVersion(current)
        text = current
    db.session.add(
        ReportTextRevision(
            text_id=text.id, version=text.version, body=body, author_id=author.id, created_at=now
        )
    )
    db.session.flush()
    return True
