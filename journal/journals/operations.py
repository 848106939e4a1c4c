"""Writes of journals: they take the acting user, flush, and never commit."""

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from journal.domain import NotAllowed, StaleVersion, versioned_update  # noqa: F401 (views use operations.*)
from journal.drafts.operations import normalise_body
from journal.extensions import db
from journal.journals.sections import SECTIONS, narrower
from journal.markdown import stored
from journal.models import (
    Journal,
    JournalSection,
    JournalStatus,
    SectionRevision,
    User,
    Visibility,
    Workshop,
    utcnow,
)


def private_in_report_message() -> str:
    """Return the refusal of a private section in the report."""
    return _(
        "Privát szakasz nem kerülhet a beszámolóba. Válassza a koordinációs vagy a csoportos "
        "láthatóságot, vagy vegye ki a jelölést a „Bekerül a beszámolóba” mezőből."
    )


def start_journal(author: User, workshop: Workshop) -> Journal:
    """Create the workshop's journal with its seven empty sections (or return the existing one)."""
    existing = db.session.scalar(select(Journal).where(Journal.workshop_id == workshop.id))
    if existing is not None:
        return existing
    journal = Journal(workshop_id=workshop.id, author_id=author.id)
    journal.sections = [
        JournalSection(key=spec.key, position=index, visibility=spec.default_visibility)
        for index, spec in enumerate(SECTIONS, start=1)
    ]
    try:
        # A savepoint, so a journal started at the same moment elsewhere wins cleanly.
        with db.session.begin_nested():
            db.session.add(journal)
    except IntegrityError:
        return db.session.scalar(select(Journal).where(Journal.workshop_id == workshop.id))
    return journal


def save_section(
    author: User,
    section: JournalSection,
    base_version: int,
    body: str,
    visibility: Visibility,
    in_report: bool,
) -> bool:
    """Save the section if nobody changed it since `base_version`; return whether it changed.

    One atomic UPDATE … WHERE version = base: two saves from the same base can never both
    win. Sending what is already saved (a double submit) changes nothing and is no conflict.
    """
    if visibility == Visibility.PRIVATE and in_report:
        raise NotAllowed(private_in_report_message())
    body = normalise_body(body)
    wanted = (body, visibility, in_report)
    if (section.body, section.visibility, section.in_report) == wanted:
        return False
    now = utcnow()
    written = versioned_update(
        section,
        base_version,
        **stored(body),
        body=body,
        visibility=visibility,
        in_report=in_report,
        updated_at=now,
        updated_by_id=author.id,
    )
    if not written:
        if (section.body, section.visibility, section.in_report) == wanted:
            return False
        raise StaleVersion(section)
    db.session.add(
        SectionRevision(
            section_id=section.id,
            version=base_version + 1,
            body=body,
            visibility=visibility,
            in_report=in_report,
            is_amendment=section.journal.status == JournalStatus.FINAL,
            author_id=author.id,
            created_at=now,
        )
    )
    db.session.flush()
    return True


def restore_revision(
    author: User, section: JournalSection, revision: SectionRevision, base_version: int
) -> bool:
    """Bring back an earlier text as a new revision. It is read by no more people than when it
    was saved, nor by more than now: a text saved as private comes back private, and goes into
    the report only if it was meant for it then and the section is now."""
    visibility, in_report = narrower(
        (section.visibility, section.in_report), (revision.visibility, revision.in_report)
    )
    return save_section(author, section, base_version, revision.body, visibility, in_report)


def finalise(author: User, journal: Journal) -> bool:
    """Mark the journal final; later edits are recorded as amendments."""
    if journal.status == JournalStatus.FINAL:
        return False
    journal.status = JournalStatus.FINAL
    journal.finalised_at = utcnow()
    journal.finalised_by_id = author.id
    db.session.flush()
    return True
