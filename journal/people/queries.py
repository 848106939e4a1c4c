"""Reads of the coordinator's people page."""

from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import SelectChoice

from journal.extensions import db
from journal.i18n import person_key, sort_hungarian
from journal.models import Group, Membership, User


def all_people() -> list[User]:
    """Return every person with their memberships, in Hungarian alphabetical order."""
    people = db.session.scalars(
        select(User).options(selectinload(User.memberships).selectinload(Membership.group))
    ).all()
    return sort_hungarian(people, key=person_key)


def all_groups() -> list[Group]:
    """Return every group, in Hungarian alphabetical order."""
    return sort_hungarian(db.session.scalars(select(Group)), key=lambda g: g.name)


def group_choices() -> list[SelectChoice]:
    """Return the choices of a group select field: slug, and name with region."""
    return [SelectChoice(g.slug, f"{g.name} ({g.region})") for g in all_groups()]
