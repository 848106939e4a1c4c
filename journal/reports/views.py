"""PDF reports: attendance sheets and the workshop record (preview and PDF of each).

The group summary and the program report live in summary_views.py; every PDF goes through
documents.pdf_response.
"""

from flask import Blueprint, Response
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from journal.i18n import select_locale
from journal.models import Workshop
from journal.permissions import can_download_group_report, require_visible
from journal.reports import sheets
from journal.reports.documents import pdf_response
from journal.workshops.queries import visible_workshop

bp = Blueprint("reports", __name__)


@bp.app_context_processor
def report_helpers() -> dict:
    """Give templates the report download predicate."""
    return {"can_download_group_report": can_download_group_report}


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
                "Dátum (ÉÉÉÉ-HH-NN) vagy hónap (ÉÉÉÉ-HH). Üresen hagyva: a program kezdetétől máig."
            ),
            "from": _("Kezdete"),
            "to": _("Vége"),
            "example": _("pl. %(example)s"),
            "show": _("Megjelenítés"),
        }


def _workshop(workshop_id: int) -> Workshop:
    """Load a workshop whose documents the user may download, or answer 404."""
    workshop = visible_workshop(current_user, workshop_id)
    require_visible(
        workshop is not None and can_download_group_report(current_user, workshop.group)
    )
    return workshop


def _preview(html: str) -> Response:
    """Answer a print preview page."""
    response = Response(html, mimetype="text/html")
    response.vary.add("HX-Request")
    return response


@bp.get("/workshops/<int:workshop_id>/attendance-sheet")
@login_required
def attendance_sheet(workshop_id: int):
    """Preview the blank attendance sheet of a workshop."""
    workshop = _workshop(workshop_id)
    return _preview(sheets.attendance_sheet(workshop, filled=False, preview=True).html)


@bp.get("/workshops/<int:workshop_id>/attendance-sheet.pdf")
@login_required
def attendance_sheet_pdf(workshop_id: int):
    """Download the blank attendance sheet of a workshop as PDF."""
    workshop = _workshop(workshop_id)
    return pdf_response(sheets.attendance_sheet(workshop, filled=False))


@bp.get("/workshops/<int:workshop_id>/attendance-sheet/filled")
@login_required
def attendance_sheet_filled(workshop_id: int):
    """Preview the attendance sheet filled in from the recorded attendance."""
    workshop = _workshop(workshop_id)
    return _preview(sheets.attendance_sheet(workshop, filled=True, preview=True).html)


@bp.get("/workshops/<int:workshop_id>/attendance-sheet/filled.pdf")
@login_required
def attendance_sheet_filled_pdf(workshop_id: int):
    """Download the filled attendance sheet as PDF."""
    workshop = _workshop(workshop_id)
    return pdf_response(sheets.attendance_sheet(workshop, filled=True))


@bp.get("/workshops/<int:workshop_id>/record")
@login_required
def workshop_record(workshop_id: int):
    """Preview the record of a workshop: report-level journal sections and attendance."""
    workshop = _workshop(workshop_id)
    return _preview(sheets.workshop_record(workshop, preview=True).html)


@bp.get("/workshops/<int:workshop_id>/record.pdf")
@login_required
def workshop_record_pdf(workshop_id: int):
    """Download the record of a workshop as PDF."""
    workshop = _workshop(workshop_id)
    return pdf_response(sheets.workshop_record(workshop))
