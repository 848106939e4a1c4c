"""The home page (my groups) and a group's page."""

from flask import Blueprint, request
from flask_login import current_user, login_required

from journal.groups import queries
from journal.htmx import render
from journal.workshops.queries import group_page_context, journal_gaps, workshop_counts

bp = Blueprint("groups", __name__)


@bp.get("/")
@login_required
def home():
    """Show the groups the user belongs to (all five for the coordinator)."""
    groups = queries.visible_groups(current_user)
    return render(
        "groups/home.html",
        groups=groups,
        figures=queries.group_figures(groups),
        mentors=queries.mentors_by_group(groups),
        workshop_counts=workshop_counts([g.id for g in groups]),
        journal_gaps=journal_gaps([g.id for g in groups]),
    )


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
