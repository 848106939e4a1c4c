"""Writes of the narrative parts of reports: a save checked against the version it was edited
from, with a revision per saved version (the rules of journal sections)."""

from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from journal.domain import StaleVersion, versioned_update
from journal.drafts.kinds import draft_key
from journal.extensions import db
from journal.journals.operations import normalise_body
from journal.markdown import stored
from journal.models import Draft, ReportText, ReportTextRevision, User, utcnow
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


def follow_program_period(old: tuple[date, date], new: tuple[date, date]) -> list[str]:
    """Move the texts of the program so far, and their unsaved drafts, to the program's new
    period: that report keeps them under the whole program's days (queries.place), so a
    changed period would otherwise leave every filed report without them. A scope that has a
    text of its own for the new days already (written for a period chosen by hand) keeps it;
    its old text stays under the old days, found by choosing them. Return those scopes."""
    if old == new:
        return []

    def at(days: tuple[date, date]) -> tuple:
        return ReportText.period_start == days[0], ReportText.period_end == days[1]

    taken = set(db.session.scalars(select(ReportText.scope).where(*at(new))))
    kept = []
    for text in db.session.scalars(select(ReportText).where(*at(old))):
        if text.scope in taken:
            kept.append(text.scope)
        else:
            text.period_start, text.period_end = new
    # A draft's key names its place ("report:group:3:2026-01-01:2026-06-30").
    tail = Place("", *old).draft_ident  # ":2026-01-01:2026-06-30"
    prefix = draft_key("report", "")
    held = select(Draft).where(Draft.key.startswith(prefix), Draft.key.endswith(tail))
    for draft in db.session.scalars(held).all():
        scope = draft.key.removeprefix(prefix).removesuffix(tail)
        moved = draft_key("report", Place(scope, *new).draft_ident)
        mine = select(Draft.id).where(Draft.user_id == draft.user_id, Draft.key == moved)
        if scope not in taken and db.session.scalar(mine) is None:
            draft.key = moved
    db.session.flush()
    return kept
