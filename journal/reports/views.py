"""PDF reports, each with its HTML preview: the attendance sheets and the workshop record, the
group summary and the program report (for a period). Every PDF goes through
documents.pdf_response.
"""

from functools import partial

from flask import Blueprint, Response, request
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from journal.groups.queries import group_or_404
from journal.i18n import select_locale
from journal.models import Group, Program, Workshop
from journal.permissions import (
    can_download_group_report,
    can_download_program_report,
    require_visible,
)
from journal.program.queries import program_or_404
from journal.reports import sheets, summary
from journal.reports.documents import pdf_response
from journal.workshops.queries import visible_workshop

bp = Blueprint("reports", __name__)


@bp.app_template_global()
def screen_words() -> dict[str, str]:
    """Return the words of a preview's screen-only parts (toolbar, period form) in the user's
    language: the documents are rendered in Hungarian whatever the user's language, the
    controls around them need not be."""
    language = select_locale()
    with force_locale(language):
        return {
            "lang": language,
            "nav": _("Dokumentum"),
            "label": _("Nyomtatási előnézet"),
            "back": _("Vissza"),
            "download": _("PDF letöltése"),
            "period": _("Időszak"),
            "period_hint": _(
                "Dátum (ÉÉÉÉ-HH-NN) vagy hónap (2025. november, 2025-11). Üresen hagyva: a "
                "program kezdetétől máig."
            ),
            "drafts": _("A piszkozat naplók is"),
            "drafts_hint": _(
                "Bejelölve a még nem véglegesített naplók is bekerülnek, minden oldalukon "
                "„PISZKOZAT” jelöléssel; enélkül csak a véglegesített naplók."
            ),
            "from": _("Kezdete"),
            "to": _("Vége"),
            "example": _("pl. %(example)s"),
            "show": _("Megjelenítés"),
            "with_draft": _("A piszkozat napló megjelenítése (PISZKOZAT jelöléssel)"),
            "without_draft": _("Csak véglegesített napló"),
            "edit_program_text": _("A program összefoglalójának szerkesztése"),
            "write_program_text": _("A program összefoglalójának megírása"),
            "edit_group_text": _("A csoport összefoglalójának szerkesztése"),
            "write_group_text": _("A csoport összefoglalójának megírása"),
        }


def _workshop(workshop_id: int) -> Workshop:
    """Load a workshop whose documents the user may download, or answer 404."""
    workshop = visible_workshop(current_user, workshop_id)
    require_visible(
        workshop is not None and can_download_group_report(current_user, workshop.group)
    )
    return workshop


def _preview(html: str, status: int = 200) -> Response:
    """Answer a print preview page."""
    response = Response(html, status=status, mimetype="text/html")
    response.vary.add("HX-Request")
    return response


def _answer(build) -> Response:
    """Answer what `build(preview=...)` makes: its PDF at a `_pdf` endpoint, else its preview."""
    if request.endpoint.endswith("_pdf"):
        return pdf_response(build(preview=False))
    return _preview(build(preview=True).html)


@bp.get("/workshops/<int:workshop_id>/attendance-sheet")
@bp.get("/workshops/<int:workshop_id>/attendance-sheet.pdf", endpoint="attendance_sheet_pdf")
@login_required
def attendance_sheet(workshop_id: int):
    """Preview the blank attendance sheet of a workshop, or download it as PDF."""
    workshop = _workshop(workshop_id)
    return _answer(partial(sheets.attendance_sheet, workshop, filled=False))


@bp.get("/workshops/<int:workshop_id>/attendance-sheet/filled")
@bp.get(
    "/workshops/<int:workshop_id>/attendance-sheet/filled.pdf",
    endpoint="attendance_sheet_filled_pdf",
)
@login_required
def attendance_sheet_filled(workshop_id: int):
    """Preview the attendance sheet filled in from the records, or download it as PDF."""
    workshop = _workshop(workshop_id)
    return _answer(partial(sheets.attendance_sheet, workshop, filled=True))


@bp.get("/workshops/<int:workshop_id>/record")
@bp.get("/workshops/<int:workshop_id>/record.pdf", endpoint="workshop_record_pdf")
@login_required
def workshop_record(workshop_id: int):
    """Preview the record of a workshop (journal sections, attendance), or download it as PDF."""
    workshop = _workshop(workshop_id)
    drafts = bool(request.args.get("drafts"))
    return _answer(partial(sheets.workshop_record, workshop, drafts=drafts))


# --- Group summary and program report (for a period) ---


def _group(slug: str) -> Group:
    """Load a group whose summary the user may download, or answer 404."""
    group = group_or_404(slug)
    require_visible(can_download_group_report(current_user, group))
    return group


def _program() -> Program:
    """Load the program, for the coordinator only, or answer 404."""
    require_visible(can_download_program_report(current_user))
    return program_or_404()


def _for_period(program: Program, build) -> Response:
    """Answer a document for the period asked in the query string: its preview, or its PDF.
    Bad input answers 422 with the preview of the whole program so far and the period form
    as typed, with the error (in the user's language, like the rest of the form)."""
    try:
        period = summary.parse_period(program, request.args)
    except summary.PeriodError as error:
        typed = {name: request.args.get(name, "")[:40] for name in ("from", "to", "drafts")}
        form = typed | {"errors": {error.field_name: error.message}}
        return _preview(build(summary.parse_period(program, {}), True, form).html, 422)
    return _answer(partial(build, period, form=None))


@bp.get("/groups/<slug>/summary")
@bp.get("/groups/<slug>/summary.pdf", endpoint="group_summary_pdf")
@login_required
def group_summary(slug: str):
    """Preview the group summary for a period (with the period form), or download it as PDF."""
    group = _group(slug)
    return _for_period(group.program, partial(summary.group_document, group))


@bp.get("/program/report")
@bp.get("/program/report.pdf", endpoint="program_report_pdf")
@login_required
def program_report():
    """Preview the program report for a period (with the period form), or download it as PDF."""
    program = _program()
    return _for_period(program, partial(summary.program_document, program))
