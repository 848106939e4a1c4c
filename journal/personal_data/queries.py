"""Everything the app holds about one person (GDPR access and portability), as plain data.

`personal_data(person, viewer)` gathers the person's profile, memberships, attendance, notes,
replies, reactions, journals (with every section, private ones too, when the person downloads
their own), section revisions, report texts, drafts and password links. Other people's texts
never come in: a reply or a reaction names the note it belongs to by id and date, not by its
author's words. When the coordinator produces it for a person, each item passes the same
predicates as any page she sees (`can_view_note`, `can_read_section`): private sections,
mentor-only and deleted notes and unsaved drafts stay the person's own, and the file says what
was left out. Secrets (the password hash, session and link tokens) are not personal data to
hand out: the file says they exist, never what they are.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from journal.extensions import db
from journal.journals.sections import spec_for
from journal.models import (
    Attendance,
    Draft,
    Invitation,
    Journal,
    JournalSection,
    Membership,
    MethodUsedToo,
    Note,
    Reaction,
    Reply,
    ReportTextRevision,
    SectionRevision,
    User,
    Visibility,
    Workshop,
    utcnow,
)
from journal.permissions import can_read_section, can_view_note

SCHEMA = "muhelynaplo-personal-data/1"


def _when(value: date | datetime | None) -> str | None:
    """Return a date or moment as ISO 8601 text."""
    return None if value is None else value.isoformat()


def _workshop(workshop: Workshop | None) -> dict | None:
    """Return what identifies a workshop."""
    if workshop is None:
        return None
    return {
        "id": workshop.id,
        "group": workshop.group.name,
        "date": _when(workshop.date),
        "topic": workshop.topic,
    }


def _oldest_first(model, owner, person: User, *loads) -> list:
    """Return the rows of model whose owner column names the person, oldest first."""
    return db.session.scalars(
        select(model).where(owner == person.id).options(*loads).order_by(model.created_at, model.id)
    ).all()


def _profile(person: User) -> dict:
    """Return the account's own fields (no secrets)."""
    return {
        "id": person.id,
        "email": person.email,
        "family_name": person.family_name,
        "given_name": person.given_name,
        "language": person.language,
        "coordinator": person.is_coordinator,
        "active": person.active,
        "password_set": person.password_hash is not None,
        "created_at": _when(person.created_at),
        "visited_at": _when(person.visited_at),
        "previous_visit_at": _when(person.previous_visit_at),
        "reminded_on": _when(person.reminded_on),
    }


def _memberships(person: User) -> list[dict]:
    """Return the person's memberships, past ones too."""
    rows = db.session.scalars(
        select(Membership)
        .where(Membership.user_id == person.id)
        .options(selectinload(Membership.group))
        .order_by(Membership.joined_on, Membership.id)
    )
    return [
        {
            "group": m.group.name,
            "group_slug": m.group.slug,
            "region": m.group.region,
            "role": m.role.value,
            "institution": m.institution,
            "settlement": m.settlement,
            "joined_on": _when(m.joined_on),
            "left_on": _when(m.left_on),
        }
        for m in rows
    ]


def _attendance(person: User) -> list[dict]:
    """Return the person's attendance records."""
    rows = db.session.scalars(
        select(Attendance)
        .join(Attendance.workshop)
        .where(Attendance.user_id == person.id)
        .options(selectinload(Attendance.workshop).selectinload(Workshop.group))
        .order_by(Workshop.date, Attendance.id)
    )
    return [
        {
            "workshop": _workshop(a.workshop),
            "status": a.status.value,
            "recorded_at": _when(a.recorded_at),
        }
        for a in rows
    ]


def _notes(person: User, viewer: User) -> tuple[list[dict], int]:
    """Return the person's notes the viewer may see, and how many were left out."""
    loads = (selectinload(Note.group), selectinload(Note.workshop))
    rows = _oldest_first(Note, Note.author_id, person, *loads)
    shown = [n for n in rows if can_view_note(viewer, n)]
    return [
        {
            "id": n.id,
            "group": n.group.name,
            "workshop": _workshop(n.workshop),
            "kind": n.kind.value,
            "title": n.title,
            "body": n.body,
            "link": n.link,
            "mentor_only": n.mentor_only,
            "in_report": n.in_report,
            "report_consent_withdrawn": n.report_consent_withdrawn,
            "created_at": _when(n.created_at),
            "updated_at": _when(n.updated_at),
            "deleted_at": _when(n.deleted_at),
            "hidden_at": _when(n.hidden_at),
        }
        for n in shown
    ], len(rows) - len(shown)


def _replies(person: User, viewer: User) -> tuple[list[dict], int]:
    """Return the person's replies under notes the viewer may see, and how many were left out."""
    loads = selectinload(Reply.note).selectinload(Note.group)
    rows = _oldest_first(Reply, Reply.author_id, person, loads)
    shown = [
        r
        for r in rows
        if can_view_note(viewer, r.note) and (r.deleted_at is None or viewer.id == person.id)
    ]
    return [
        {
            "id": r.id,
            "note_id": r.note_id,
            "group": r.note.group.name,
            "body": r.body,
            "created_at": _when(r.created_at),
            "deleted_at": _when(r.deleted_at),
        }
        for r in shown
    ], len(rows) - len(shown)


def _reactions(person: User, viewer: User) -> list[dict]:
    """Return the person's "Nálam is" marks on notes the viewer may see."""
    loads = selectinload(Reaction.note).selectinload(Note.group)
    rows = _oldest_first(Reaction, Reaction.user_id, person, loads)
    return [
        {"note_id": r.note_id, "group": r.note.group.name, "created_at": _when(r.created_at)}
        for r in rows
        if can_view_note(viewer, r.note)
    ]


def _methods_used_too(person: User) -> list[dict]:
    """Return the person's "Ezt én is használtam" marks on methods (the library is
    everyone's: every mark is given)."""
    loads = selectinload(MethodUsedToo.method)
    rows = _oldest_first(MethodUsedToo, MethodUsedToo.user_id, person, loads)
    return [
        {"method_id": r.method_id, "method": r.method.name, "created_at": _when(r.created_at)}
        for r in rows
    ]


def _journals(person: User, viewer: User) -> tuple[list[dict], int]:
    """Return the journals the person wrote with the sections the viewer may read (all of
    them for the person), and how many sections were left out."""
    journals = db.session.scalars(
        select(Journal)
        .where(Journal.author_id == person.id)
        .options(
            selectinload(Journal.workshop).selectinload(Workshop.group),
            selectinload(Journal.sections),
        )
        .order_by(Journal.id)
    ).all()
    result, left_out = [], 0
    for journal in sorted(journals, key=lambda j: (j.workshop.date, j.id)):
        shown = [s for s in journal.sections if can_read_section(viewer, s)]
        left_out += len(journal.sections) - len(shown)
        sections = [
            {
                "key": section.key,
                "title": str(spec_for(section.key).title),
                "visibility": section.visibility.value,
                "in_report": section.in_report,
                "version": section.version,
                "updated_at": _when(section.updated_at),
                "body": section.body,
            }
            for section in shown
        ]
        result.append(
            {
                "workshop": _workshop(journal.workshop),
                "status": journal.status.value,
                "finalised_at": _when(journal.finalised_at),
                "sections": sections,
            }
        )
    return result, left_out


def _revisions(person: User, viewer: User) -> tuple[list[dict], int]:
    """Return the journal section versions the person saved that the viewer may read (a
    private version only for the person), and how many were left out."""
    loads = (
        selectinload(SectionRevision.section)
        .selectinload(JournalSection.journal)
        .selectinload(Journal.workshop)
        .selectinload(Workshop.group)
    )
    rows = _oldest_first(SectionRevision, SectionRevision.author_id, person, loads)
    own = viewer.id == person.id
    shown = [
        r
        for r in rows
        if can_read_section(viewer, r.section) and (own or r.visibility != Visibility.PRIVATE)
    ]
    return [
        {
            "workshop": _workshop(r.section.journal.workshop),
            "section": str(spec_for(r.section.key).title),
            "version": r.version,
            "visibility": r.visibility.value,
            "amendment": r.is_amendment,
            "created_at": _when(r.created_at),
            "body": r.body,
        }
        for r in shown
    ], len(rows) - len(shown)


def _report_texts(person: User) -> list[dict]:
    """Return the versions of report summaries the person wrote."""
    loads = selectinload(ReportTextRevision.text)
    return [
        {
            "scope": r.text.scope,
            "period_start": _when(r.text.period_start),
            "period_end": _when(r.text.period_end),
            "version": r.version,
            "created_at": _when(r.created_at),
            "body": r.body,
        }
        for r in _oldest_first(ReportTextRevision, ReportTextRevision.author_id, person, loads)
    ]


def _drafts(person: User) -> list[dict]:
    """Return the person's autosaved drafts."""
    rows = db.session.scalars(
        select(Draft).where(Draft.user_id == person.id).order_by(Draft.saved_at, Draft.id)
    )
    return [
        {"key": d.key, "saved_at": _when(d.saved_at), "body": d.body, "fields": d.fields}
        for d in rows
    ]


def _invitations(person: User) -> list[dict]:
    """Return when password links were made for the person (never the link itself)."""
    rows = db.session.scalars(
        select(Invitation).where(Invitation.user_id == person.id).order_by(Invitation.id)
    )
    return [
        {
            "purpose": i.purpose,
            "created_at": _when(i.created_at),
            "expires_at": _when(i.expires_at),
            "used_at": _when(i.used_at),
        }
        for i in rows
    ]


def personal_data(person: User, viewer: User) -> dict[str, Any]:
    """Return everything the app holds about person that viewer may have: all of it when the
    person asks, what the coordinator may see when she produces it for them."""
    own = viewer.id == person.id
    notes, notes_out = _notes(person, viewer)
    replies, replies_out = _replies(person, viewer)
    journals, sections_out = _journals(person, viewer)
    revisions, revisions_out = _revisions(person, viewer)
    omitted = [
        _(
            "A jelszó (csak titkosított lenyomatként tároljuk), a munkamenet-azonosító és a "
            "jelszóbeállító linkek biztonsági titkok: ezeket nem adjuk ki, csak azt, hogy léteznek."
        )
    ]
    if not own:
        omitted.append(
            _(
                "A koordinátor által kért példány: a privát naplószakaszok, a csak a mentornak "
                "szóló és a törölt jegyzetek, a mentés előtti piszkozatok nem szerepelnek "
                "(%(notes)s jegyzet, %(replies)s válasz, %(sections)s naplószakasz, "
                "%(revisions)s változat). Ezeket az érintett a saját fiókjából töltheti le "
                "(Profilom → Adataim letöltése).",
                notes=notes_out,
                replies=replies_out,
                sections=sections_out,
                revisions=revisions_out,
            )
        )
    return {
        "schema": SCHEMA,
        "generated_at": _when(utcnow()),
        "generated_by": "self" if own else "coordinator",
        "profile": _profile(person),
        "memberships": _memberships(person),
        "attendance": _attendance(person),
        "notes": notes,
        "replies": replies,
        "reactions": _reactions(person, viewer),
        "methods_used_too": _methods_used_too(person),
        "journals": journals,
        "section_revisions": revisions,
        "report_texts": _report_texts(person),
        "drafts": _drafts(person) if own else [],
        "password_links": _invitations(person),
        "omitted": omitted,
    }
