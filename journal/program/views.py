"""The coordinator's program settings page."""

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from journal.domain import NotAllowed
from journal.extensions import db
from journal.forms import number_of
from journal.htmx import render
from journal.i18n import long_date
from journal.narratives.queries import scope_name
from journal.permissions import can_edit_program_settings, require
from journal.program import operations
from journal.program.forms import ProgramSettingsForm
from journal.program.queries import program_or_404

bp = Blueprint("program", __name__, url_prefix="/program")


def _settings(form: ProgramSettingsForm) -> operations.ProgramSettings:
    """Return the validated form's values."""
    return operations.ProgramSettings(
        name=form.name.data or "",
        association=form.association.data or "",
        funder=form.funder.data or "",
        grant_id=form.grant_id.data or "",
        period_start=form.period_start.data,
        period_end=form.period_end.data,
        journal_due_days=number_of(form.journal_due_days),
        require_two_factor=bool(form.require_two_factor.data),
    )


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    """Show and save the program's settings (coordinator only)."""
    require(can_edit_program_settings(current_user))
    program = program_or_404()
    if request.method == "GET":
        form = ProgramSettingsForm(obj=program, formdata=None)
        return render("program/settings.html", form=form, program=program)
    form = ProgramSettingsForm()
    if form.validate():
        old = f"{long_date(program.period_start)} – {long_date(program.period_end)}"
        try:
            kept = operations.update_settings(current_user, program, _settings(form))
        except NotAllowed as error:
            db.session.rollback()
            form.period_end.errors = [*form.period_end.errors, str(error)]
        else:
            db.session.commit()
            flash(_("A program beállításai elmentve."), "success")
            if kept:  # the report now shows another text: said, with where the other stays
                texts = ", ".join(scope_name(scope) for scope in kept)
                flash(_(
                    "Az új időszakra már volt külön megírt szöveg, a beszámoló most azt "
                    "mutatja: %(texts)s. Az eddigi szöveg a korábbi időszakot (%(old)s) "
                    "választva olvasható.", texts=texts, old=old,
                ), "info")  # fmt: skip
            return redirect(url_for("program.settings"), 303)
    return render("program/settings.html", status=422, form=form, program=program)
