"""Reads for groups, always filtered by what the user may see."""

from functools import cache

from flask import g, has_request_context
from flask_login import current_user
from sqlalchemy import Select, bindparam, func, select, true
from sqlalchemy.orm import joinedload

from journal.extensions import db
from journal.i18n import person_key, sort_hungarian
from journal.models import Group, Membership, Role, User, local_today
from journal.permissions import is_coordinator, require_visible


def in_groups(column, group_ids: list[int] | None):
    """Return the SQL condition that column (a group id) is one of group_ids; None stands for
    every group (the coordinator's view of the whole program, without a list of hundreds)."""
    return true() if group_ids is None else column.in_(group_ids)


def _visible(user: User):
    """Return the query of the groups the user may see: all for the coordinator, else those
    the user is a current member of."""
    if is_coordinator(user):
        return select(Group)
    mine = select(Membership.group_id).where(Membership.user_id == user.id, Membership.current())
    return select(Group).where(Group.id.in_(mine))


def in_bound_groups(column, every: bool):
    """Return the SQL condition that column is one of the bound parameter `group_ids` (a list),
    or true for every group: in_groups for a statement built once, its values bound per call."""
    return true() if every else column.in_(bindparam("group_ids", expanding=True))


def visible_groups(user: User) -> list[Group]:
    """Return the groups the user may see, in Hungarian alphabetical order of their names
    (once per request: the navigation and the page share the list)."""
    cached = g.get("visible_groups") if has_request_context() else None
    if cached is not None and cached[0] == user.id:
        return cached[1]
    groups = sort_hungarian(db.session.scalars(_visible(user)), key=lambda group: group.name)
    g.visible_groups = (user.id, groups)
    return groups


def visible_group_by_slug(user: User, slug: str) -> Group | None:
    """Return the group with this slug if the user may see it, else None."""
    return db.session.scalar(_visible(user).where(Group.slug == slug))


def group_or_404(slug: str) -> Group:
    """Load the group with this slug if the logged-in user may see it, or answer 404."""
    group = visible_group_by_slug(current_user, slug)
    require_visible(group is not None)
    return group


def participant_counts(groups: list[Group]) -> dict[int, int]:
    """Count the current participants of each group in one query."""
    rows = db.session.execute(
        select(Membership.group_id, func.count())
        .where(
            Membership.group_id.in_([g.id for g in groups]),
            Membership.role == Role.PARTICIPANT,
            Membership.current(),
        )
        .group_by(Membership.group_id)
    )
    return {g.id: 0 for g in groups} | dict(rows.all())


def current_members(group: Group) -> tuple[list[Membership], list[Membership]]:
    """Return the group's current mentors and participants, each in Hungarian order."""
    memberships = db.session.scalars(
        select(Membership)
        .where(Membership.group_id == group.id, Membership.current())
        .options(joinedload(Membership.user))  # many-to-one: one joined query, no fan-out
    ).all()
    memberships = [m for m in memberships if m.user.active]
    ordered = sort_hungarian(memberships, key=lambda m: person_key(m.user))
    mentors = [m for m in ordered if m.role == Role.MENTOR]
    participants = [m for m in ordered if m.role == Role.PARTICIPANT]
    return mentors, participants


@cache
def _mentors_query() -> Select:
    """Build the query of the current active mentors of the bound groups on the bound day,
    each with their group id (built once, its values bound per call)."""
    return (
        select(Membership.group_id, User)
        .join(User, Membership.user_id == User.id)
        .where(
            Membership.group_id.in_(bindparam("group_ids", expanding=True)),
            Membership.role == Role.MENTOR,
            User.active.is_(True),
            Membership.current(bindparam("today")),
        )
    )


def mentors_by_group(groups: list[Group]) -> dict[int, list[User]]:
    """Return the current mentors of each group, in one query."""
    rows = db.session.execute(
        _mentors_query(), {"group_ids": [g.id for g in groups], "today": local_today()}
    )
    result: dict[int, list[User]] = {g.id: [] for g in groups}
    for group_id, user in rows:
        result[group_id].append(user)
    return {k: sort_hungarian(v, key=person_key) for k, v in result.items()}
