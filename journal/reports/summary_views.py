"""Group summary and program report: HTML preview (with the period form) and PDF download.

A PDF download builds the document's HTML on every request; its hash is the key of the PDF
cache (reports/documents.py), so unchanged data is not rendered again.
"""

from flask import Blueprint, Response, request
from flask_login import current_user, login_required
from sqlalchemy import select

from journal.extensions import db
from journal.groups.queries import group_or_404
from journal.models import Group, Program
from journal.permissions import (
    can_download_group_report,
    can_download_program_report,
    require_visible,
)
from journal.reports import summary
from journal.reports.documents import pdf_response

bp = Blueprint("summaries", __name__)


@bp.app_context_processor
def summary_helpers() -> dict:
    """Give templates the program report predicate."""
    return {"can_download_program_report": can_download_program_report}


def _group(slug: str) -> Group:
    """Load a group whose summary the user may download, or answer 404."""
    group = group_or_404(slug)
    require_visible(can_download_group_report(current_user, group))
    return group


def _program() -> Program:
    """Load the program, for the coordinator only, or answer 404."""
    require_visible(can_download_program_report(current_user))
    program = db.session.scalar(select(Program).order_by(Program.id).limit(1))
    require_visible(program is not None)
    return program


def _preview(html: str, status: int = 200) -> Response:
    """Answer a print preview page."""
    response = Response(html, status=status, mimetype="text/html")
    response.vary.add("HX-Request")
    return response


def _typed() -> dict:
    """Return what was typed in the period form, to give it back with an error."""
    return {
        "from": request.args.get("from", "")[:40],
        "to": request.args.get("to", "")[:40],
        "errors": {},
    }


def _period_or_form(program: Program, build):
    """Parse the period; on bad input answer 422 with the preview and the typed values."""
    try:
        # In the user's language, like the rest of the period form around the document.
        return summary.parse_period(program, request.args), None
    except summary.PeriodError as error:
        form = _typed()
        form["errors"] = {error.field_name: error.message}
        period = summary.parse_period(program, {})
        return None, _preview(build(period, form).html, 422)


@bp.get("/groups/<slug>/summary")
@login_required
def group_summary(slug: str):
    """Preview the group summary for a period, with the form that chooses the period."""
    group = _group(slug)
    period, refused = _period_or_form(
        group.program, lambda p, form: summary.group_document(group, p, True, form)
    )
    if refused is not None:
        return refused
    return _preview(summary.group_document(group, period, preview=True).html)


@bp.get("/groups/<slug>/summary.pdf")
@login_required
def group_summary_pdf(slug: str):
    """Download the group summary for a period as PDF."""
    group = _group(slug)
    period, refused = _period_or_form(
        group.program, lambda p, form: summary.group_document(group, p, True, form)
    )
    if refused is not None:
        return refused
    return pdf_response(summary.group_document(group, period))


@bp.get("/program/report")
@login_required
def program_report():
    """Preview the program report (every group), with the form that chooses the period."""
    program = _program()
    period, refused = _period_or_form(
        program, lambda p, form: summary.program_document(program, p, True, form)
    )
    if refused is not None:
        return refused
    return _preview(summary.program_document(program, period, preview=True).html)


@bp.get("/program/report.pdf")
@login_required
def program_report_pdf():
    """Download the program report as PDF."""
    program = _program()
    period, refused = _period_or_form(
        program, lambda p, form: summary.program_document(program, p, True, form)
    )
    if refused is not None:
        return refused
    return pdf_response(summary.program_document(program, period))
