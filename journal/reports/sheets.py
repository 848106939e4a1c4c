"""The documents of one workshop: attendance sheet (blank or filled) and workshop record.

Each builder loads what its template shows (never a private journal section: only
`report_sections`), renders the print template in Hungarian and returns a `Document`; the
same template with `preview=True` is the in-browser preview.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, render_template, url_for
from flask_babel import force_locale

from journal.groups.queries import mentors_by_group
from journal.i18n import long_date
from journal.journals.queries import journal_of, report_sections
from journal.journals.sections import spec_for
from journal.models import (
    AttendanceStatus,
    JournalStatus,
    Workshop,
    WorkshopStatus,
)
from journal.program.queries import funder_line
from journal.reports.documents import Document, ascii_filename
from journal.reports.summary import NO_FINAL_JOURNAL, STATUS_LABELS, first_word, time_span
from journal.workshops.queries import ATTENDED, attendance_by_user, attendees, guests_of

# Blank rows for guests at the end of a blank sheet; a filled sheet adds two after its guests.
BLANK_GUEST_ROWS = 4
FILLED_EXTRA_ROWS = 2


@dataclass(frozen=True)
class SheetRow:
    """One participant on an attendance sheet."""

    name: str
    institution: str
    settlement: str
    status: AttendanceStatus | None


def sheet_rows(workshop: Workshop, statuses: dict[int, AttendanceStatus]) -> list[SheetRow]:
    """Return the workshop's participants (as its attendance list has them: members of the
    group on its day with an active account, and anyone recorded), in Hungarian order."""
    return [
        SheetRow(m.user.full_name, m.institution, m.settlement, statuses.get(m.user_id))
        for m in attendees(workshop)
    ]


def _base_context(workshop: Workshop, preview: bool, pdf_endpoint: str, **kw) -> dict:
    """Return what every workshop document's template needs."""
    program = workshop.group.program
    mentors = [user.full_name for user in mentors_by_group([workshop.group])[workshop.group_id]]
    return {
        "workshop": workshop,
        "group": workshop.group,
        "program_name": program.name,  # printed in every running header
        "funder_line": funder_line(program, current_app.config["REPORT_FUNDER_LINE"]),
        "mentors": mentors,
        # The PDF's author: the mentors who lead the workshop (else the association, the program).
        "doc_author": ", ".join(mentors) or program.association or program.name,
        "time_span": time_span(workshop),
        "workshop_date": long_date(workshop.date),
        "status_labels": STATUS_LABELS,
        "attended": ATTENDED,
        "preview": preview,
        "pdf_url": url_for(pdf_endpoint, workshop_id=workshop.id, **kw) if preview else None,
        "back_url": url_for("workshops.show", workshop_id=workshop.id) if preview else None,
        "held": workshop.status == WorkshopStatus.HELD,
        "cancelled": workshop.status == WorkshopStatus.CANCELLED,
    }


def _description(kind: str, workshop: Workshop, context: dict) -> str:
    """Return the PDF's subject line: what, which group, when, on what topic."""
    return (
        f"{kind}: {workshop.group.name} ({workshop.group.region}), "
        f"{context['workshop_date']}, {workshop.topic}"
    )


def _slug_parts(workshop: Workshop) -> tuple[str, str]:
    """Return the program's first word and the group's slug, for file names."""
    return first_word(workshop.group.program), workshop.group.slug


def attendance_sheet(workshop: Workshop, filled: bool, preview: bool = False) -> Document:
    """Build the attendance sheet of a workshop: blank for printing, or filled from records."""
    statuses = attendance_by_user(workshop) if filled else {}
    guests = guests_of(workshop) if filled else []
    rows = sheet_rows(workshop, statuses)
    endpoint = "reports.attendance_sheet_filled_pdf" if filled else "reports.attendance_sheet_pdf"
    with force_locale("hu"):
        context = _base_context(workshop, preview, endpoint)
        title_kind = "Jelenléti ív (kitöltött)" if filled else "Jelenléti ív"
        title = f"{workshop.group.name} – {title_kind} – {context['workshop_date']}"
        html = render_template(
            "reports/attendance_sheet.html",
            title=title,
            doc_description=_description(title_kind, workshop, context),
            filled=filled,
            rows=rows,
            guests=guests,
            blank_rows=FILLED_EXTRA_ROWS if filled else BLANK_GUEST_ROWS,
            attended_count=sum(1 for r in rows if r.status in ATTENDED),
            **context,
        )
    kind = "jelenleti_iv_kitoltott" if filled else "jelenleti_iv"
    filename = ascii_filename(*_slug_parts(workshop), kind, workshop.date.isoformat()) + ".pdf"
    return Document(title=title, filename=filename, html=html)


def workshop_record(workshop: Workshop, preview: bool = False, drafts: bool = False) -> Document:
    """Build the one- or two-page record of a workshop: report sections and attendance. A draft
    journal's sections only when drafts were asked for, and then marked on every page."""
    journal = journal_of(workshop)
    is_draft = journal is not None and journal.status != JournalStatus.FINAL
    shown = journal is not None and (drafts or not is_draft)
    sections = report_sections(journal) if shown else []
    query = {"drafts": "1"} if drafts and is_draft else {}
    # The preview of a draft offers the other view: with the draft, or without it.
    toggle_url = None
    if preview and is_draft:
        toggle = {} if drafts else {"drafts": "1"}
        toggle_url = url_for("reports.workshop_record", workshop_id=workshop.id, **toggle)
    statuses = attendance_by_user(workshop)
    rows = [r for r in sheet_rows(workshop, statuses) if r.status is not None]
    guests = guests_of(workshop)
    with force_locale("hu"):
        context = _base_context(workshop, preview, "reports.workshop_record_pdf", **query)
        title = f"{workshop.group.name} – Foglalkozási napló – {context['workshop_date']}"
        html = render_template(
            "reports/workshop_record.html",
            title=title,
            doc_description=_description("Foglalkozási napló", workshop, context),
            sections=[(str(spec_for(s.key).title), s) for s in sections],
            journal_state="missing" if not shown else ("draft" if is_draft else "final"),
            no_final_journal=NO_FINAL_JOURNAL,
            toggle_url=toggle_url,
            rows=rows,
            recorded=bool(statuses),
            guests=guests,
            attended_count=sum(1 for r in rows if r.status in ATTENDED),
            **context,
        )
    filename = (
        ascii_filename(*_slug_parts(workshop), "foglalkozas", workshop.date.isoformat()) + ".pdf"
    )
    return Document(title=title, filename=filename, html=html)
