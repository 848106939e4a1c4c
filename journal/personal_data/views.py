"""Downloads of a person's own data: by the person (profile page) or, on their request, by the
coordinator (the person's page)."""

from __future__ import annotations

from flask import Blueprint, Response
from flask_login import current_user, login_required

from journal import security_log
from journal.extensions import db
from journal.models import User
from journal.permissions import can_export_personal_data, require_visible
from journal.personal_data.archive import archive_name, build_archive
from journal.personal_data.queries import personal_data

bp = Blueprint("personal_data", __name__)


def _download(person: User) -> Response:
    """Answer the person's data as a ZIP, logging who produced it for whom."""
    require_visible(can_export_personal_data(current_user, person))
    data = personal_data(person, current_user)
    archive = build_archive(person, data)
    security_log.event("personal_data.exported", person=person.id)
    response = Response(archive, mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{archive_name(person)}"'
    return response


@bp.get("/profile/my-data.zip")
@login_required
def own_data():
    """Download everything the app holds about me, as a ZIP (HTML and JSON)."""
    return _download(current_user._get_current_object())


@bp.get("/people/<int:user_id>/data.zip")
@login_required
def person_data(user_id: int):
    """Download a person's data for their request (the coordinator), as a ZIP."""
    return _download(db.get_or_404(User, user_id))
