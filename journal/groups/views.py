"""The home page (the user's tasks, what changed, their groups; for the coordinator the whole
program at a glance), a group's page and a group's open tasks."""

from flask import Blueprint, abort, request
from flask_login import current_user, login_required
from sqlalchemy import func, select

from journal.extensions import db
from journal.groups import queries
from journal.htmx import render
from journal.models import Membership, Note, Program, User, local_today, utcnow
from journal.notes.queries import visible_in_groups
from journal.overview import operations as visits
from journal.overview import queries as overview
from journal.permissions import (
    can_follow_journals,
    can_manage_workshops,
    can_view_participation,
    is_coordinator,
    is_mentor_of,
    require,
)
from journal.workshops.queries import group_page_context, participation, rate_of

bp = Blueprint("groups", __name__)


@bp.get("/")
@login_required
def home():
    """Show the user's tasks, what happened since their last visit and their groups; for the
    coordinator each group's figures and, across groups, the next workshops and the most
    shared difficulties."""
    since = visits.record_visit(current_user, utcnow())
    db.session.commit()
    today = local_today()
    groups = queries.visible_groups(current_user)
    ids = [group.id for group in groups]
    mentored = [group for group in groups if is_mentor_of(current_user, group)]
    context = {
        "groups": groups,
        "mentors": queries.mentors_by_group(groups),
        "since": since,
        "changes": overview.changes_since(current_user, ids, since) if since else {},
        "next_per_group": overview.next_per_group(ids, today),
        "tasks": overview.open_tasks([group.id for group in mentored], today),
        "mentored": mentored,
    }
    if is_coordinator(current_user):
        program = db.session.scalar(select(Program).order_by(Program.id).limit(1))
        context |= {
            "rows": overview.group_rows(current_user, groups, program, today) if program else [],
            "next_workshops": overview.next_workshops(ids, today),
            "difficulties": overview.shared_difficulties(ids),
        }
    else:
        context["figures"] = queries.group_figures(groups)
    return render("groups/home.html", **context)


@bp.get("/groups/<slug>")
@login_required
def group(slug: str):
    """Show a group: its goals, members, workshops, attendance rates and calendar link."""
    group = queries.group_or_404(slug)
    mentors, participants = queries.current_members(group)
    return render(
        "groups/group.html",
        group=group,
        mentors=mentors,
        participants=participants,
        **group_page_context(current_user, group, request.args.get("page", 1, type=int)),
    )


@bp.get("/groups/<slug>/tasks/<kind>")
@login_required
def tasks(slug: str, kind: str):
    """List one kind of the group's open tasks, oldest first, with the days each has waited."""
    group = queries.group_or_404(slug)
    require(can_follow_journals(current_user, group))
    if kind not in overview.TASK_KINDS:
        abort(404)
    open_tasks = overview.open_tasks([group.id], local_today())[group.id]
    return render(
        "groups/tasks.html",
        group=group,
        kind=kind,
        items=open_tasks.of_kind(kind),
        can_manage=can_manage_workshops(current_user, group),
    )


@bp.get("/groups/<slug>/people/<int:user_id>")
@login_required
def person(slug: str, user_id: int):
    """Show a member's participation in the group: the held workshops of their membership
    with their attendance, their rate, and how many of their notes the viewer may see."""
    group = queries.group_or_404(slug)
    require(can_view_participation(current_user, group))
    membership = db.session.scalar(
        select(Membership).where(Membership.group_id == group.id, Membership.user_id == user_id)
    )
    if membership is None:
        abort(404)
    person = db.session.get(User, user_id)
    workshops = participation(person, group)
    notes = db.session.scalar(
        select(func.count(Note.id)).where(
            visible_in_groups(current_user, [group.id]), Note.author_id == person.id
        )
    )
    return render(
        "groups/person.html",
        group=group,
        person=person,
        membership=membership,
        workshops=workshops,
        rate=rate_of([status for _, status in workshops]),
        notes=notes,
    )
