"""Reads for journals, filtered in SQL by what the user may read: nothing unreadable is loaded."""

import difflib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, false, func, or_, select
from sqlalchemy.orm import contains_eager, selectinload

from journal.drafts.kinds import draft_key
from journal.drafts.queries import draft_fields, drafts_by_key
from journal.extensions import db
from journal.journals.operations import normalise_body
from journal.journals.sections import spec_for
from journal.models import (
    Group,
    Journal,
    JournalSection,
    JournalStatus,
    Membership,
    Role,
    SectionRevision,
    User,
    Visibility,
    Workshop,
)
from journal.permissions import (
    can_download_group_report,
    can_edit_journal,
    can_write_journal,
    is_coordinator,
    readable_visibilities,
)

SHARED = (Visibility.COORDINATION, Visibility.GROUP)


def readable_condition(user: User):
    """Return the SQL condition on a section (joined to its journal and workshop) that the
    user may read; it mirrors permissions.readable_visibilities row by row."""
    if not user.is_authenticated:
        return false()
    member_of = select(Membership.group_id).where(
        Membership.user_id == user.id, Membership.current()
    )
    mentor_of = member_of.where(Membership.role == Role.MENTOR)
    shared = JournalSection.visibility.in_(SHARED)
    return or_(
        Journal.author_id == user.id,
        shared if is_coordinator(user) else and_(shared, Workshop.group_id.in_(mentor_of)),
        and_(JournalSection.visibility == Visibility.GROUP, Workshop.group_id.in_(member_of)),
    )


def _sections_for(user: User):
    """Return a select of the sections the user may read, joined to journal and workshop."""
    return (
        select(JournalSection)
        .join(Journal, JournalSection.journal_id == Journal.id)
        .join(Workshop, Journal.workshop_id == Workshop.id)
        .where(readable_condition(user))
    )


def journal_of(workshop: Workshop) -> Journal | None:
    """Return the journal of a workshop, if it was started."""
    return db.session.scalar(select(Journal).where(Journal.workshop_id == workshop.id))


def empty_sections(journal: Journal) -> list[JournalSection]:
    """Return the journal's sections that have no text yet, in their order."""
    return [section for section in journal.sections if not section.body.strip()]


def readable_sections(user: User, journal: Journal) -> list[JournalSection]:
    """Return the sections of a journal the user may read, in their order."""
    return list(
        db.session.scalars(
            _sections_for(user)
            .where(JournalSection.journal_id == journal.id)
            .order_by(JournalSection.position)
        )
    )


def section_for_reading(user: User, section_id: int) -> JournalSection | None:
    """Return the section if the user may read it, else None; its journal, workshop and group
    come from the same row (a section's save, editor and history use them)."""
    query = _sections_for(user).join(Group, Workshop.group_id == Group.id)
    return db.session.scalar(
        query.where(JournalSection.id == section_id).options(
            contains_eager(JournalSection.journal)
            .contains_eager(Journal.workshop)
            .contains_eager(Workshop.group)
        )
    )


def amendment_dates(section_ids: list[int]) -> dict[int, datetime]:
    """Return, per section, when it was last changed after the journal was finalised."""
    if not section_ids:
        return {}
    rows = db.session.execute(
        select(SectionRevision.section_id, func.max(SectionRevision.created_at))
        .where(SectionRevision.section_id.in_(section_ids), SectionRevision.is_amendment)
        .group_by(SectionRevision.section_id)
    )
    return {section_id: moment for section_id, moment in rows}


def report_sections(journal: Journal) -> list[JournalSection]:
    """Return exactly the sections a PDF report of this journal contains, in order."""
    return list(
        db.session.scalars(
            select(JournalSection)
            .where(
                JournalSection.journal_id == journal.id,
                JournalSection.in_report,
                JournalSection.visibility != Visibility.PRIVATE,
            )
            .order_by(JournalSection.position)
        )
    )


def journal_context(user: User, workshop: Workshop, open_section_id: int | None = None) -> dict:
    """Return what templates/journals/_journal.html needs to show this workshop's journal."""
    journal = journal_of(workshop)
    sections = readable_sections(user, journal) if journal else []
    can_edit = journal is not None and can_edit_journal(user, journal)
    return {
        "workshop": workshop,
        "journal": journal,
        "journal_sections": sections,
        "journal_can_edit": can_edit,
        "journal_drafts": section_drafts(user, sections) if can_edit else {},
        "journal_can_start": journal is None and can_write_journal(user, workshop.group),
        "journal_can_preview": journal is not None
        and can_download_group_report(user, workshop.group),
        # Only a save to a finalised journal is an amendment, and a journal stays final: a
        # draft has none to look up.
        "journal_amended": amendment_dates([s.id for s in sections])
        if journal is not None and journal.status == JournalStatus.FINAL
        else {},
        "journal_open_id": open_section_id,
    }


def state_at(section: JournalSection, version: int) -> tuple[str, Visibility, bool]:
    """Return the section's text, who could read it and whether it went into the report at a
    version (before any save: as the journal started it)."""
    if version == section.version:  # as it is now: no revision to read
        return section.body, section.visibility, section.in_report
    revision = db.session.scalar(
        select(SectionRevision).where(
            SectionRevision.section_id == section.id, SectionRevision.version == version
        )
    )
    if revision is None:
        return "", spec_for(section.key).default_visibility, False
    return revision.body, revision.visibility, revision.in_report


def offered(
    body: str, visibility: Visibility, in_report: bool, version: int
) -> tuple[str, Visibility, bool]:
    """Return what an editor (a section's own or the write mode) shows of a section at a
    version: a section never saved goes into the report by default unless it is private
    (the box is ticked beside it)."""
    never_saved = version == 1
    return body, visibility, in_report or (never_saved and visibility != Visibility.PRIVATE)


def offered_now(section: JournalSection) -> tuple[str, Visibility, bool]:
    """Return what an editor opened now shows of the section."""
    return offered(section.body, section.visibility, section.in_report, section.version)


def section_drafts(user: User, sections: list[JournalSection]) -> dict[int, datetime]:
    """Return, per section id, when the user's unsaved draft of it was last kept; a draft that
    holds just what is saved (typed and undone) is no draft to mention."""
    drafts = drafts_by_key(user, [draft_key("section", s.id) for s in sections])
    found = ((s, drafts.get(draft_key("section", s.id))) for s in sections)
    return {s.id: d.saved_at for s, d in found if d is not None and not same_as_saved(d, s)}


def same_as_saved(draft, section: JournalSection) -> bool:
    """Tell whether a draft holds the section's saved text and settings (as an editor offers
    them)."""
    fields = draft_fields(draft)
    body, visibility, in_report = offered_now(section)
    return (
        normalise_body(draft.body) == body
        and fields.get("visibility", visibility.value) == visibility.value
        and bool(fields.get("in_report", in_report)) == in_report
    )


def section_context(user: User, section: JournalSection) -> dict:
    """Return what templates/journals/_section.html and its page need for a readable section."""
    can_edit = can_edit_journal(user, section.journal)
    return {
        "section": section,
        "journal": section.journal,
        "workshop": section.journal.workshop,
        "journal_can_edit": can_edit,
        "journal_drafts": section_drafts(user, [section]) if can_edit else {},
        "journal_amended": amendment_dates([section.id]),
    }


def _revisions_for(user: User, section: JournalSection):
    """Return a select of the section's revisions the user may read.

    A revision keeps the visibility it was saved with: text saved while private stays
    hidden from others even after the section was shared.
    """
    visibilities = readable_visibilities(user, section.journal)
    return select(SectionRevision).where(
        SectionRevision.section_id == section.id, SectionRevision.visibility.in_(visibilities)
    )


def readable_revisions(user: User, section: JournalSection) -> list[SectionRevision]:
    """Return the section's revisions the user may read, newest first."""
    query = _revisions_for(user, section).options(selectinload(SectionRevision.author))
    return list(db.session.scalars(query.order_by(SectionRevision.version.desc())))


def readable_revision(user: User, section: JournalSection, version: int) -> SectionRevision | None:
    """Return one revision of the section if the user may read it."""
    return db.session.scalar(
        _revisions_for(user, section).where(SectionRevision.version == version)
    )


@dataclass
class DiffLine:
    """One line of a comparison: "same", "added" or "removed"."""

    kind: str
    text: str


def line_diff(old: str, new: str) -> list[DiffLine]:
    """Compare two texts line by line (the template escapes every line)."""
    kinds = {"  ": "same", "+ ": "added", "- ": "removed"}
    return [
        DiffLine(kinds[line[:2]], line[2:])
        for line in difflib.ndiff(old.splitlines(), new.splitlines())
        if line[:2] in kinds
    ]


def previous_next_steps(user: User, workshop: Workshop) -> JournalSection | None:
    """Return the "next steps" of the group's latest earlier journal, if the user may read it.

    The workshop form offers it as a suggestion for the agenda of the next workshop.
    """
    return db.session.scalar(
        _sections_for(user)
        .where(
            Workshop.group_id == workshop.group_id,
            or_(
                Workshop.date < workshop.date,
                and_(Workshop.date == workshop.date, Workshop.id < workshop.id),
            ),
            JournalSection.key == "next_steps",
            func.length(func.trim(JournalSection.body)) > 0,
        )
        .order_by(Workshop.date.desc(), Workshop.id.desc())
        .limit(1)
    )
