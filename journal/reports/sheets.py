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


def _document(
    workshop: Workshop,
    template: str,
    kind: str,
    file_kind: str,
    preview: bool,
    pdf_url: str,
    **content,
) -> Document:
    """Render a workshop document (call it in Hungarian) with what every one needs: the head's
    facts, the PDF's title, subject and author, and in a preview the toolbar's links."""
    group, program = workshop.group, workshop.group.program
    mentors = [user.full_name for user in mentors_by_group([group])[workshop.group_id]]
    workshop_date = long_date(workshop.date)
    title = f"{group.name} – {kind} – {workshop_date}"
    html = render_template(
        template,
        title=title,
        # The PDF's subject line: what, which group, when, on what topic.
        doc_description=f"{kind}: {group.name} ({group.region}), {workshop_date}, {workshop.topic}",
        workshop=workshop,
        group=group,
        program_name=program.name,  # printed in every running header
        funder_line=funder_line(program, current_app.config["REPORT_FUNDER_LINE"]),
        mentors=mentors,
        # The PDF's author: the mentors who lead the workshop (else the association, the program).
        doc_author=", ".join(mentors) or program.association or program.name,
        time_span=time_span(workshop),
        workshop_date=workshop_date,
        status_labels=STATUS_LABELS,
        attended=ATTENDED,
        preview=preview,
        pdf_url=pdf_url if preview else None,
        back_url=url_for("workshops.show", workshop_id=workshop.id) if preview else None,
        held=workshop.status == WorkshopStatus.HELD,
        cancelled=workshop.status == WorkshopStatus.CANCELLED,
        **content,
    )
    filename = ascii_filename(first_word(program), group.slug, file_kind, workshop.date.isoformat())
    return Document(title=title, filename=filename + ".pdf", html=html)


def attendance_sheet(workshop: Workshop, filled: bool, preview: bool = False) -> Document:
    """Build the attendance sheet of a workshop: blank for printing, or filled from records."""
    statuses = attendance_by_user(workshop) if filled else {}
    guests = guests_of(workshop) if filled else []
    rows = sheet_rows(workshop, statuses)
    endpoint = "reports.attendance_sheet_filled_pdf" if filled else "reports.attendance_sheet_pdf"
    with force_locale("hu"):
        return _document(
            workshop,
            "reports/attendance_sheet.html",
            kind="Jelenléti ív (kitöltött)" if filled else "Jelenléti ív",
            file_kind="jelenleti_iv_kitoltott" if filled else "jelenleti_iv",
            preview=preview,
            pdf_url=url_for(endpoint, workshop_id=workshop.id),
            filled=filled,
            rows=rows,
            guests=guests,
            blank_rows=FILLED_EXTRA_ROWS if filled else BLANK_GUEST_ROWS,
            attended_count=sum(1 for r in rows if r.status in ATTENDED),
        )


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
        return _document(
            workshop,
            "reports/workshop_record.html",
            kind="Foglalkozási napló",
            file_kind="foglalkozas",
            preview=preview,
            pdf_url=url_for("reports.workshop_record_pdf", workshop_id=workshop.id, **query),
            sections=[(str(spec_for(s.key).title), s) for s in sections],
            journal_state="missing" if not shown else ("draft" if is_draft else "final"),
            no_final_journal=NO_FINAL_JOURNAL,
            toggle_url=toggle_url,
            rows=rows,
            recorded=bool(statuses),
            guests=guests,
            attended_count=sum(1 for r in rows if r.status in ATTENDED),
        )
