"""The home page (the user's tasks, what changed, their groups; for the coordinator the whole
program at a glance), a group's page and a group's open tasks."""

from flask import Blueprint, request
from flask_login import current_user, login_required
from sqlalchemy import func, select

from journal.extensions import db
from journal.forms import positive_int
from journal.groups import queries
from journal.htmx import render
from journal.models import Membership, Note, User, local_today, utcnow
from journal.notes.queries import visible_in_groups
from journal.overview import operations as visits
from journal.overview import queries as overview
from journal.permissions import (
    can_follow_journals,
    can_manage_workshops,
    can_view_participation,
    is_coordinator,
    mentored_group_ids,
    require,
    require_visible,
)
from journal.program.queries import current_program
from journal.workshops.forms import REASON_MAX
from journal.workshops.queries import group_page_context, others_rated, participation, rate_of

bp = Blueprint("groups", __name__)

GROUPS_PER_PAGE = 20  # rows of the coordinator's overview table
CHANGED_GROUPS_SHOWN = 10  # groups listed under "since your last visit"; the rest are counted


@bp.get("/")
@login_required
def home():
    """Show the user's tasks, what happened since their last visit and their groups; for the
    coordinator each group's figures and, across groups, the next workshops and the most
    shared difficulties."""
    now = utcnow()
    if visits.visit_due(current_user, now):
        # The read that loaded the user ends first: the visit's UPDATE then begins a
        # transaction of its own (on SQLite a read turned into a write can fail under
        # concurrent writers).
        db.session.commit()
        visits.record_visit(current_user, now)
        db.session.commit()
    since = current_user.previous_visit_at
    today = local_today()
    groups = queries.visible_groups(current_user)
    ids = [group.id for group in groups]
    mentored_ids = mentored_group_ids(current_user)
    mentored = [group for group in groups if group.id in mentored_ids]
    # The coordinator sees every group: her queries need no list of them.
    among = None if is_coordinator(current_user) else ids
    changes = overview.changes_since(current_user, among, since) if since else {}
    changed = [(group, changes[group.id]) for group in groups if group.id in changes]
    context = {
        "groups": groups,
        "since": since,
        "changed": changed[:CHANGED_GROUPS_SHOWN],
        "changed_more": max(0, len(changed) - CHANGED_GROUPS_SHOWN),
        "mentored": mentored,
    }
    if is_coordinator(current_user):
        # The table shows a page of groups: a program of hundreds stays one quick page each.
        pages = max(1, -(-len(groups) // GROUPS_PER_PAGE))
        page = min(positive_int(request.args.get("page")) or 1, pages)
        shown = groups[(page - 1) * GROUPS_PER_PAGE : page * GROUPS_PER_PAGE]
        # One read of the open tasks for her own groups and the table's.
        tasks = overview.open_tasks(sorted({g.id for g in shown} | mentored_ids), today)
        program = current_program()
        context |= {
            "tasks": tasks,
            "rows": overview.group_rows(current_user, shown, program, today, tasks)
            if program
            else [],
            "mentors": queries.mentors_by_group(shown),
            "table_page": page,
            "table_pages": pages,
            "next_workshops": overview.next_workshops(among, today),
            "difficulties": overview.shared_difficulties(among),
        }
    else:
        context |= {
            "tasks": overview.open_tasks([group.id for group in mentored], today),
            "mentors": queries.mentors_by_group(groups),
            "participants": queries.participant_counts(groups),
            "next_per_group": overview.next_per_group(ids, today),
        }
    return render("groups/home.html", **context)


@bp.get("/groups/<slug>")
@login_required
def group(slug: str):
    """Show a group: its goals, members, workshops, attendance rates and calendar link."""
    group = queries.group_or_404(slug)
    mentors, participants = queries.current_members(group)
    context = group_page_context(current_user, group, request.args.get("page", 1, type=int))
    # Who left (or mentors now) still counts in the group's rate: listed to whoever may see
    # each member's attendance, not to the participants.
    listed = {m.user_id for m in participants}
    others = (
        others_rated(group, context["participant_rates"], listed)
        if can_view_participation(current_user, group)
        else []
    )
    return render(
        "groups/group.html",
        group=group,
        mentors=mentors,
        participants=participants,
        others_rated=others,
        **context,
    )


@bp.get("/groups/<slug>/tasks/<kind>")
@login_required
def tasks(slug: str, kind: str):
    """List one kind of the group's open tasks, oldest first, with the days each has waited."""
    group = queries.group_or_404(slug)
    require(can_follow_journals(current_user, group))
    require_visible(kind in overview.TASK_KINDS)
    open_tasks = overview.open_tasks([group.id], local_today())[group.id]
    return render(
        "groups/tasks.html",
        group=group,
        kind=kind,
        items=open_tasks.of_kind(kind),
        can_manage=can_manage_workshops(current_user, group),
        reason_max=REASON_MAX,
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
    require_visible(membership is not None)
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
