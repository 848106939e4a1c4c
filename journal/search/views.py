"""The search page: one box for every logged-in user, results as a page or (while typing) as
the fragment that replaces the list."""

from flask import Blueprint, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from journal.extensions import db
from journal.groups.queries import visible_groups
from journal.htmx import render, wants_fragment
from journal.i18n import person_key, sort_hungarian
from journal.journals.sections import SECTIONS
from journal.models import Membership, User
from journal.notes.forms import kind_labels
from journal.permissions import can_write_group_text, can_write_program_text, is_coordinator
from journal.search.queries import SearchFilters, search

bp = Blueprint("search", __name__)


def _url_of(kind: str, row) -> str:
    """Return where a result is read: its page, or the place on its page."""
    if kind == "workshop":
        return url_for("workshops.show", workshop_id=row.id)
    if kind == "section":
        return url_for("journals.show", section_id=row.id)
    if kind == "note":
        return url_for("notes.show", note_id=row.id)
    if kind == "reply":
        return url_for("notes.show", note_id=row.note_id, _anchor=f"replies-{row.note_id}")
    if kind == "method":
        return url_for("methods.show", method_id=row.id)
    period = {"from": row.period_start.isoformat(), "to": row.period_end.isoformat()}
    if row.scope == "program":
        if can_write_program_text(current_user):
            return url_for("narratives.program_text", **period)
        return url_for("reports.program_report", **period)
    group = next(g for g in visible_groups(current_user) if f"group:{g.id}" == row.scope)
    if can_write_group_text(current_user, group):
        return url_for("narratives.group_text", slug=group.slug, **period)
    return url_for("reports.group_summary", slug=group.slug, **period)


def _authors(user: User) -> list[User]:
    """Return the people whose writing the user may find, for the author filter."""
    query = select(User)
    if not is_coordinator(user):
        groups = [group.id for group in visible_groups(user)]
        query = query.where(
            User.id.in_(select(Membership.user_id).where(Membership.group_id.in_(groups)))
        )
    return sort_hungarian(db.session.scalars(query), key=person_key)


@bp.get("/search")
@login_required
def index():
    """Search everything the user may read; the fragment is the list of results."""
    filters = SearchFilters.from_args(request.args)
    found = search(current_user, filters, _url_of)
    groups = visible_groups(current_user)
    response = render(
        "search/search.html", "search/_results.html", filters=filters, found=found,
        groups=groups, group_names={group.id: group.name for group in groups},
        authors=_authors(current_user), note_kinds=kind_labels(),
        section_titles={spec.key: spec.title for spec in SECTIONS},
    )  # fmt: skip
    if wants_fragment():
        # The address follows what is typed, without the empty filters the form also sends.
        response.headers["HX-Replace-Url"] = url_for("search.index", **filters.query_args())
    return response
