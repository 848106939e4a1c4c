"""Writes of shared notes: they take the acting user, flush, and never commit."""

from journal.domain import (  # noqa: F401 (views use operations.*)
    NotAllowed,
    StaleVersion,
    set_mark,
    versioned_update,
)
from journal.extensions import db
from journal.markdown import stored
from journal.models import Group, Note, NoteKind, Reaction, Reply, User, Workshop, utcnow


def add_note(
    author: User,
    group: Group,
    *,
    kind: NoteKind,
    title: str,
    body: str,
    link: str,
    workshop: Workshop | None,
    mentor_only: bool,
    hide_reactors: bool,
) -> Note:
    """Add a note to the group's board or to one of its workshops."""
    if workshop is not None and workshop.group_id != group.id:
        raise NotAllowed("workshop of another group")
    now = utcnow()
    # Relationships are set here so that rendering the new note needs no query.
    note = Note(
        group=group,
        workshop=workshop,
        author=author,
        replies=[],
        reactions=[],
        kind=kind,
        title=title.strip(),
        body=body,
        link=link,
        mentor_only=mentor_only,
        hide_reactors=hide_reactors,
        created_at=now,
        updated_at=now,
    )
    db.session.add(note)
    db.session.flush()
    return note


def edit_note(author: User, note: Note, base_version: int, **values) -> Note:
    """Save the author's edit if nobody changed the note since `base_version`.

    One atomic UPDATE … WHERE version = base: two saves from the same base can never both win.
    """
    if "workshop" in values:
        workshop = values.pop("workshop")
        if workshop is not None and workshop.group_id != note.group_id:
            raise NotAllowed("workshop of another group")
        values["workshop_id"] = workshop.id if workshop else None
    if "title" in values:
        values["title"] = values["title"].strip()
    if "body" in values:
        values |= stored(values["body"])
    if not versioned_update(
        note, base_version, Note.deleted_at.is_(None), **values, updated_at=utcnow()
    ):
        raise StaleVersion(note)
    return note


def delete_note(author: User, note: Note) -> None:
    """Delete the note softly: its author can restore it for a while."""
    note.deleted_at = utcnow()
    note.updated_at = note.deleted_at
    db.session.flush()


def restore_note(author: User, note: Note) -> None:
    """Bring back a deleted note."""
    note.deleted_at = None
    note.updated_at = utcnow()
    db.session.flush()


def set_reaction(user: User, note: Note, on: bool | None = None) -> bool:
    """Say (on) or withdraw (not on) the user's "Nálam is"; None means the opposite of now.
    Return whether it is now on. Saying the same twice (a double tap) changes nothing."""
    on = set_mark(Reaction, on, note_id=note.id, user_id=user.id)
    db.session.expire(note, ["reactions"])
    return on


def add_reply(author: User, note: Note, body: str) -> Reply:
    """Add a reply under a note."""
    reply = Reply(note_id=note.id, author_id=author.id, body=body.strip())
    db.session.add(reply)
    db.session.flush()
    db.session.expire(note, ["replies"])
    return reply


def hide_note(moderator: User, note: Note, reason: str) -> None:
    """Hide a note from the group, with a reason its author sees."""
    note.hidden_at = utcnow()
    note.hidden_by_id = moderator.id
    note.hidden_reason = reason.strip()
    note.updated_at = note.hidden_at
    db.session.flush()


def unhide_note(moderator: User, note: Note) -> None:
    """Show a hidden note to the group again."""
    note.hidden_at = None
    note.hidden_by_id = None
    note.hidden_reason = ""
    note.updated_at = utcnow()
    db.session.flush()


def set_in_report(mentor: User, note: Note, picked: bool) -> None:
    """Mark or unmark the note for the group's report."""
    note.in_report = picked
    note.updated_at = utcnow()
    db.session.flush()


def set_report_consent(author: User, note: Note, consent: bool) -> None:
    """Withdraw or give back the author's consent to the note appearing in a report."""
    note.report_consent_withdrawn = not consent
    note.updated_at = utcnow()
    db.session.flush()
