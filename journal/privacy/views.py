"""The privacy notice: a page anyone may read (linked from the login page and every footer),
and its editor for the coordinator."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from journal.domain import StaleVersion
from journal.extensions import db
from journal.htmx import render
from journal.markdown import render_markdown, rendered
from journal.permissions import can_edit_privacy_notice, require
from journal.privacy import operations
from journal.privacy.forms import NoticeForm
from journal.privacy.queries import default_notice, stored_notice

bp = Blueprint("privacy", __name__, url_prefix="/privacy")


@bp.get("")
def notice():
    """Show the privacy notice to anyone, logged in or not."""
    stored = stored_notice()
    html = rendered(stored) if stored else render_markdown(default_notice())
    return render("privacy/notice.html", notice=stored, html=html)


def _editor(form: NoticeForm, status: int = 200, current=None):
    """Render the editor; `current` is the newer stored notice after a conflict."""
    return render("privacy/edit.html", status=status, form=form, current=current)


@bp.route("/edit", methods=["GET", "POST"])
@login_required
def edit():
    """Edit the privacy notice (the coordinator); a save from an old version answers 409
    with both texts, the typed one kept in the editor."""
    require(can_edit_privacy_notice(current_user))
    form = NoticeForm()
    if not form.is_submitted():
        stored = stored_notice()
        form.body.data = stored.body if stored else default_notice()
        form.version.data = str(stored.version if stored else 0)
        return _editor(form)
    base = form.base_version()
    if not form.validate() or base is None:
        if base is None:
            form.body.errors = [*form.body.errors, _("Hiányzó vagy hibás verzió; töltse be újra.")]
        return _editor(form, 422)
    try:
        operations.save_notice(current_user, base, form.body.data or "")
    except StaleVersion as stale:
        db.session.rollback()
        current = stale.current or stored_notice()
        # Saving again is a deliberate choice of the typed text over the newer one.
        form.version.data = str(current.version if current else 0)
        return _editor(form, 409, current=current)
    db.session.commit()
    flash(_("Az adatkezelési tájékoztató elmentve."), "success")
    return redirect(url_for("privacy.notice"), 303)
