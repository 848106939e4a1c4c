"""Who may see and do what: one predicate per rule, used by views, queries and templates.

The rule for forbidden objects is the same everywhere: an object the user may not see
answers 404 (its existence is not revealed); a page or action the user may know about but
not use answers 403. Views call `require_visible` / `require`, never a role check of their own.
"""

from datetime import date

from flask import abort

from journal.models import Group, Membership, Role, User


def current_memberships(user: User) -> list[Membership]:
    """Return the user's memberships in force today."""
    today = date.today()
    return [m for m in user.memberships if m.left_on is None or m.left_on > today]


def is_coordinator(user: User) -> bool:
    """Tell whether the user coordinates the whole program."""
    return bool(user.is_authenticated and user.is_active and user.is_coordinator)


def is_member_of(user: User, group: Group) -> bool:
    """Tell whether the user currently belongs to the group, in any role."""
    return user.is_authenticated and any(m.group_id == group.id for m in current_memberships(user))


def is_mentor_of(user: User, group: Group) -> bool:
    """Tell whether the user currently mentors the group."""
    return user.is_authenticated and any(
        m.group_id == group.id and m.role == Role.MENTOR for m in current_memberships(user)
    )


def can_view_group(user: User, group: Group) -> bool:
    """Participants see their own group, mentors the groups they mentor, the coordinator all."""
    return is_coordinator(user) or is_member_of(user, group)


def can_manage_people(user: User) -> bool:
    """Only the coordinator invites, deactivates and assigns people."""
    return is_coordinator(user)


def require_visible(allowed: bool) -> None:
    """Answer 404 for an object the user may not see."""
    if not allowed:
        abort(404)


def require(allowed: bool) -> None:
    """Answer 403 for a page or action the user may not use."""
    if not allowed:
        abort(403)


PREDICATES = {
    "is_coordinator": is_coordinator,
    "is_mentor_of": is_mentor_of,
    "can_view_group": can_view_group,
    "can_manage_people": can_manage_people,
}
