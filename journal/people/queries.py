"""Reads of the coordinator's people page."""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from wtforms import SelectChoice

from journal.extensions import db
from journal.i18n import person_key, sort_hungarian
from journal.models import (
    Attendance,
    Draft,
    Group,
    Journal,
    Membership,
    Note,
    Reaction,
    Reply,
    Role,
    User,
)


def all_people() -> list[User]:
    """Return every person with their memberships, in Hungarian alphabetical order."""
    people = db.session.scalars(
        select(User).options(selectinload(User.memberships).selectinload(Membership.group))
    ).all()
    return sort_hungarian(people, key=person_key)


def group_choices() -> list[SelectChoice]:
    """Return the choices of a group select field, every group in Hungarian alphabetical order:
    slug, and name with region."""
    groups = sort_hungarian(db.session.scalars(select(Group)), key=lambda g: g.name)
    return [SelectChoice(g.slug, f"{g.name} ({g.region})") for g in groups]


@dataclass(frozen=True)
class AnonymisePreview:
    """What anonymising a person changes: the label they get and what goes or stays."""

    label: str
    email: str
    drafts: int
    notes: int
    replies: int
    replies_under_notes: int  # other people's replies under the person's notes
    reactions: int
    attendance: int
    journals: int
    current_memberships: int


def anonymous_label(person: User) -> tuple[str, str, str]:
    """Return the family name, given name and email a person would get: "Volt mentor" or
    "Volt résztvevő" (whatever they were in any group) with the next free number."""
    number = db.session.scalar(select(func.count()).where(User.anonymised_at.is_not(None))) + 1
    while db.session.scalar(select(User.id).where(User.email == f"volt-{number}@anonim.invalid")):
        number += 1
    was_mentor = any(m.role == Role.MENTOR for m in person.memberships)
    family = "Volt mentor" if was_mentor else "Volt résztvevő"
    return family, str(number), f"volt-{number}@anonim.invalid"


def anonymise_preview(person: User) -> AnonymisePreview:
    """Count what anonymising the person would change."""

    def count(*conditions) -> int:
        """Return how many rows meet the conditions."""
        return db.session.scalar(select(func.count()).where(*conditions))

    family, given, email = anonymous_label(person)
    note_ids = select(Note.id).where(Note.author_id == person.id)
    return AnonymisePreview(
        label=f"{family} {given}",
        email=email,
        drafts=count(Draft.user_id == person.id),
        notes=count(Note.author_id == person.id),
        replies=count(Reply.author_id == person.id),
        replies_under_notes=count(Reply.note_id.in_(note_ids), Reply.author_id != person.id),
        reactions=count(Reaction.user_id == person.id),
        attendance=count(Attendance.user_id == person.id),
        journals=count(Journal.author_id == person.id),
        current_memberships=sum(1 for m in person.memberships if m.is_current),
    )
