"""The narrative parts of a report: the coordinator's summary of the program and a group
mentor's summary of the group, each for the period of the report, autosaved as drafts and
saved with the version checks and revisions of journal sections."""

from datetime import date

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from journal.domain import StaleVersion
from journal.drafts.forms import with_draft
from journal.drafts.kinds import draft_key, key_number, register_draft_kind
from journal.drafts.operations import NewerDraft, clear_draft, stamp
from journal.extensions import db
from journal.groups.queries import group_or_404
from journal.htmx import render
from journal.models import Group, Program
from journal.narratives import operations, queries
from journal.narratives.forms import NarrativeForm
from journal.permissions import can_write_group_text, can_write_program_text, require
from journal.program.queries import program_or_404
from journal.reports.summary import Period, PeriodError, parse_period

bp = Blueprint("narratives", __name__)


def _can_draft(user, ident: str) -> bool:
    """Only who may write a report text keeps a draft of it ("program:…" or "group:<id>:…")."""
    scope, _sep, end = ident.rpartition(":")
    scope, _sep, start = scope.rpartition(":")
    try:
        # As Place.draft_ident writes them: "20260901" is a date to Python, not to this key.
        if any(date.fromisoformat(day).isoformat() != day for day in (start, end)):
            return False
    except ValueError:
        return False
    if scope == queries.PROGRAM_SCOPE:
        return can_write_program_text(user)
    kind, _sep, group_id = scope.partition(":")
    number = key_number(group_id) if kind == "group" else None
    group = db.session.get(Group, number) if number is not None else None
    return group is not None and can_write_group_text(user, group)


register_draft_kind("report", _can_draft)


def _edit(program: Program, scope: str, title: str, back: str):
    """Show or save the report text of a scope for the period in the query string."""
    try:
        period = parse_period(program, request.args)
    except PeriodError as error:
        return render("narratives/bad_period.html", status=422, message=error.message, back=back)
    where = queries.place(scope, period, program)
    text = queries.text_at(where)
    key = draft_key("report", where.draft_ident)
    context = {"title": title, "period": period, "back": back, "text": text, "key": key}
    if request.method == "GET":
        form = NarrativeForm(formdata=None)
        # A period's first text starts from the one written last for another period (the
        # program so far, say): what was written is not to be written again.
        start = text or queries.latest_text(scope)
        form.body.data = start.body if start else ""
        form.version.data = str(text.version if text else 0)
        context["started_from"] = _period_label(program, start) if text is None else None
        return render("narratives/edit.html", form=form, restored=with_draft(form, key), **context)
    form = NarrativeForm()
    base = form.base_version()
    if not form.validate() or base is None:
        if base is None:
            form.body.errors = [*form.body.errors, _("Hiányzik a változat száma; töltse újra.")]
        return render("narratives/edit.html", status=422, form=form, **context)
    try:
        with db.session.begin_nested():
            saved_body = text.body if text else ""
            clear_draft(current_user, key, form.draft.data, kept=(saved_body, form.body.data or ""))
            operations.save_text(current_user, where, base, form.body.data or "")
    except NewerDraft as found:
        db.session.rollback()
        form.draft.data = stamp(found.draft)
        newer = {"body": found.draft.body, "saved_at": found.draft.saved_at}
        return render("narratives/edit.html", status=409, form=form, newer=newer, **context)
    except StaleVersion:
        db.session.rollback()
        current = queries.text_at(where)
        if current is None:  # the text it was written over is no longer this period's
            form.version.data = "0"
            form.body.errors = [
                _(
                    "A szöveg, amelyet szerkesztett, már nem ehhez az időszakhoz tartozik. Az "
                    "Ön szövegét megőriztük: ha most elmenti, ez lesz az időszak szövege."
                )
            ]
            return render("narratives/edit.html", status=409, form=form, **context)
        form.version.data = str(current.version)  # the merged text may now replace it
        context["text"] = current
        return render("narratives/edit.html", status=409, form=form, conflict=current, **context)
    db.session.commit()
    flash(_("A szöveget elmentettük; a beszámolóban a helyén olvasható."), "success")
    return redirect(back, 303)


def _period_label(program: Program, text) -> str | None:
    """Return the period a text was written for, as its report showed it: the default
    report's text (kept under the whole program) was written for the program so far."""
    if text is None:
        return None
    if (text.period_start, text.period_end) == (program.period_start, program.period_end):
        return parse_period(program, {}).label
    return Period(text.period_start, text.period_end).label


@bp.route("/program/report/text", methods=["GET", "POST"])
@login_required
def program_text():
    """Write the coordinator's summary of the program for the report's period."""
    require(can_write_program_text(current_user))
    program = program_or_404()
    back = url_for("reports.program_report", **_period_args())
    return _edit(program, queries.PROGRAM_SCOPE, _("A program összefoglalója"), back)


@bp.route("/groups/<slug>/summary/text", methods=["GET", "POST"])
@login_required
def group_text(slug: str):
    """Write the mentor's summary of the group for the summary's period."""
    group = group_or_404(slug)
    require(can_write_group_text(current_user, group))
    back = url_for("reports.group_summary", slug=group.slug, **_period_args())
    title = _("%(group)s – a csoport összefoglalója", group=group.name)
    return _edit(group.program, queries.group_scope(group), title, back)


def _period_args() -> dict[str, str]:
    """Return the period of the query string, as typed, for the way back to the report."""
    return {name: request.args[name] for name in ("from", "to") if request.args.get(name)}
