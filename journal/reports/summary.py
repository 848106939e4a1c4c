"""The group summary and the program report: period parsing and data assembly.

Everything a summary shows is gathered into plain dataclasses before a template sees it, with
a fixed number of queries per group (`selectinload` for collections, never a lazy load per
row). Journal text comes ONLY from `report_sections` (one small query per journal: that
function is the single gate for what a report may contain) and notes ONLY from
`report_notes`. The templates render in Hungarian whatever the user's language.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date

from babel.dates import get_month_names
from flask import render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from journal.extensions import db
from journal.groups.queries import mentors_by_group
from journal.i18n import long_date, percent, person_key, rounded, sort_hungarian
from journal.journals.queries import report_sections
from journal.journals.sections import spec_for
from journal.models import (
    AttendanceStatus,
    Group,
    JournalStatus,
    Membership,
    Program,
    Role,
    Workshop,
    WorkshopMethod,
    WorkshopStatus,
    local_date,
    local_today,
)
from journal.notes.forms import kind_labels
from journal.notes.queries import report_notes
from journal.program.queries import coordinators
from journal.reports.documents import Document, ascii_filename
from journal.tasks import is_unclosed
from journal.workshops.queries import ATTENDED

# 60 % attendance: the program's threshold for a participant who "completed" the period.
COMPLETION_RATE = 0.6
# Workshop columns per attendance-matrix table on a landscape A4 page.
MATRIX_COLUMNS = 15

# The word of each attendance status: on the sheets, and beside its mark in the legend.
STATUS_LABELS = {
    AttendanceStatus.PRESENT: "jelen",
    AttendanceStatus.LATE: "késett",
    AttendanceStatus.EXCUSED: "igazoltan hiányzott",
    AttendanceStatus.ABSENT: "hiányzott",
}
MARKS = {
    AttendanceStatus.PRESENT: "J",
    AttendanceStatus.LATE: "K",
    AttendanceStatus.EXCUSED: "I",
    AttendanceStatus.ABSENT: "H",
}
MARK_LEGEND = (*((MARKS[s], STATUS_LABELS[s]) for s in MARKS), ("–", "nincs rögzítve"))
STATUS_WORDS = {
    WorkshopStatus.HELD: "megtartva",
    WorkshopStatus.PLANNED: "tervezett",
    WorkshopStatus.CANCELLED: "elmaradt",
}
UNCLOSED_WORD = "lezáratlan"  # planned, and its day has passed (journal/tasks.py's rule)
SUMMARY_CSS = "css/print-summary.css"

# The figures of a summary: the words of each, and what it counts. The group table of the
# program report heads its columns with the same words, so that the two read alike.
FIGURE_WORDS = {
    "held": ("Megtartott alkalom", "a megtartottként lezárt foglalkozások"),
    "journals": (
        "Véglegesített napló",
        "megtartott alkalmak, amelyek naplóját a mentor véglegesítette",
    ),
    "cancelled": ("Elmaradt alkalom", "elmaradtként lezárt foglalkozások, okukkal együtt"),
    "unclosed": (
        "Lezáratlan alkalom",
        "napja elmúlt, de még nincs megtartottként vagy elmaradtként lezárva",
    ),
    "planned": (
        "Tervezett alkalom",
        "még előttünk álló foglalkozások a program végéig (az időszakban és utána)",
    ),
    "hours": ("Időtartam", "a megtartott foglalkozások hossza összesen"),
    "participants": ("Résztvevő", "az időszakban a csoporthoz tartozó résztvevők"),
    "average_attendance": ("Átlagos jelenlét", "jelen lévő résztvevők alkalmanként"),
    "rate": ("Részvételi arány", "jelen vagy késett, a rögzített jelenlétű alkalmakra vetítve"),
    "reaching": (
        f"Legalább {round(100 * COMPLETION_RATE)} % részvétel",
        f"résztvevők, akiknek részvételi aránya legalább {round(100 * COMPLETION_RATE)} %",
    ),
}
# What a held workshop without a final journal says, wherever it is listed.
NO_FINAL_JOURNAL = "nincs véglegesített napló"


# --- The period --------------------------------------------------------------------------


class PeriodError(ValueError):
    """A period the user typed that cannot be used; the message is in the user's language."""

    def __init__(self, message: str, field_name: str):
        """Remember the message and which field it belongs to."""
        super().__init__(message)
        self.message = message
        self.field_name = field_name


@dataclass(frozen=True)
class Period:
    """A closed date interval, whether it is the default (the whole program so far), and
    whether draft journals are to be shown too (marked as drafts)."""

    start: date
    end: date
    default: bool = False
    drafts: bool = False

    @property
    def label(self) -> str:
        """Return "2025. november 1. – 2026. június 30."."""
        return f"{long_date(self.start)} – {long_date(self.end)}"

    @property
    def months(self) -> tuple[str, str]:
        """Return the first and last month as "2025-11", for file names."""
        return self.start.strftime("%Y-%m"), self.end.strftime("%Y-%m")

    def query_args(self) -> dict[str, str]:
        """Return the query arguments that select this period (none for the default)."""
        args = {} if self.default else {"from": self.start.isoformat(), "to": self.end.isoformat()}
        return args | ({"drafts": "1"} if self.drafts else {})

    def __contains__(self, day: date) -> bool:
        """Tell whether a day falls in the period."""
        return self.start <= day <= self.end


# A month as a number or a name: "2025-11", "2025. 11.", "2025.11.", "2025. november".
_MONTH_PART = r"(\d{1,2}|[^\W\d_]+)"
_MONTH = re.compile(rf"^(\d{{4}})(?:[-.]\s*|\.?\s+){_MONTH_PART}\.?$")
_DAY = re.compile(rf"^(\d{{4}})(?:[-.]\s*|\.?\s+){_MONTH_PART}(?:[-.]\s*|\s+)(\d{{1,2}})\.?$")
# Month names in Hungarian and in English (the UI has both), from the CLDR data.
_MONTH_NAMES = tuple(
    tuple(name.lower() for _, name in sorted(get_month_names("wide", locale=lang).items()))
    for lang in ("hu", "en")
)


def _month_number(text: str) -> int:
    """Return the month of "11", "november", "nov" or "November"; 0 if it is none."""
    if text.isdigit():
        return int(text)
    word = text.lower()
    for names in _MONTH_NAMES:
        for number, name in enumerate(names, start=1):
            if word == name or (len(word) >= 3 and name.startswith(word)):
                return number
    return 0


def parse_day(text: str, field_name: str, end_of_month: bool) -> date:
    """Parse "2025-11-14", "2025. 11. 14.", "2025. november 14.", "2025-11", "2025.11." or
    "2025. november" into a date."""
    value = text.strip()
    try:
        if (match := _DAY.match(value)) and _month_number(match[2]):
            return date(int(match[1]), _month_number(match[2]), int(match[3]))
        if (match := _MONTH.match(value)) and (month := _month_number(match[2])):
            year = int(match[1])
            last = calendar.monthrange(year, month)[1] if month <= 12 else 1
            return date(year, month, last if end_of_month else 1)
    except ValueError:
        raise PeriodError(_("Nem létező dátum."), field_name) from None
    raise PeriodError(
        _("Adjon meg dátumot (ÉÉÉÉ-HH-NN) vagy hónapot, például 2025-11 vagy 2025. november."),
        field_name,
    )


def parse_period(program: Program, args, today: date | None = None) -> Period:
    """Return the period the query arguments `from`/`to` choose; default: the program so far.

    Raises PeriodError (a message in the user's language) for a date that cannot be read, an
    end before the start, or a period wholly outside the program.
    """
    today = today or local_today()
    so_far = min(program.period_end, max(today, program.period_start))
    raw_from = (args.get("from") or "").strip()
    raw_to = (args.get("to") or "").strip()
    # The "drafts too" checkbox: any value but an empty one means ticked.
    drafts = bool((args.get("drafts") or "").strip())
    if not raw_from and not raw_to:
        return Period(program.period_start, so_far, default=True, drafts=drafts)
    start = parse_day(raw_from, "from", end_of_month=False) if raw_from else program.period_start
    end = parse_day(raw_to, "to", end_of_month=True) if raw_to else so_far
    if end < program.period_start or start > program.period_end:
        raise PeriodError(
            _(
                "Az időszak kívül esik a programon (%(start)s – %(end)s).",
                start=long_date(program.period_start),
                end=long_date(program.period_end),
            ),
            "from" if start > program.period_end else "to",
        )
    if end < start:
        raise PeriodError(_("Az időszak vége nem lehet korábbi a kezdeténél."), "to")
    # Nothing happens outside the program: a wider period (1900–9999) shows as the program's.
    start, end = max(start, program.period_start), min(end, program.period_end)
    # Typed as the default shows it, it is the default (its texts are kept under the program's).
    default = (start, end) == (program.period_start, so_far)
    return Period(start, end, default=default, drafts=drafts)


# --- What a summary shows ------------------------------------------------------------------


@dataclass(frozen=True)
class WorkshopRow:
    """One workshop of the period, as the workshops table and the matrix show it."""

    id: int
    number: int  # 1-based among the period's held workshops (0 if not held)
    day: date
    date_text: str  # "2025. november 14."
    short_date: str  # "11. 14."
    time_span: str
    place: str
    topic: str
    methods: tuple[str, ...]
    status: WorkshopStatus
    status_word: str  # "megtartva", "elmaradt", "tervezett" or "lezáratlan"
    unclosed: bool  # planned, though its day has passed (journal/tasks.py's rule)
    cancel_reason: str
    attended: int
    recorded: int
    guests: int
    hours: float | None

    @property
    def anchor(self) -> str:
        """Return the id of the workshop's journal heading."""
        return f"w{self.id}"


@dataclass(frozen=True)
class ParticipantRow:
    """One participant: where they work, their marks per held workshop and their rate."""

    user_id: int
    name: str
    institution: str
    settlement: str
    marks: tuple[str, ...]
    attended: int
    recorded: int

    @property
    def rate(self) -> float | None:
        """Return attended / recorded, or None if nothing was recorded."""
        return self.attended / self.recorded if self.recorded else None

    @property
    def reaching(self) -> bool:
        """Tell whether the participant's rate is at least COMPLETION_RATE (the one test)."""
        return self.rate is not None and self.rate >= COMPLETION_RATE - 1e-9

    @property
    def percent(self) -> str:
        """Return "83 %" or "–"."""
        return percent(None if self.rate is None else 100 * self.rate)


@dataclass(frozen=True)
class JournalEntry:
    """One held workshop's journal as the report shows it: its report-level sections if the
    journal is final (or a draft, when drafts were asked for), else nothing but that fact."""

    workshop: WorkshopRow
    sections: tuple[tuple[str, str], ...]  # (section title, Markdown body)
    state: str  # "final", "draft" (shown only when asked for) or "missing"

    @property
    def draft(self) -> bool:
        """Tell whether the entry shows a draft journal."""
        return self.state == "draft"


@dataclass(frozen=True)
class NoteEntry:
    """A note marked for the report, with its author's consent."""

    title: str
    kind: str
    body: str
    link: str
    author: str
    date_text: str
    workshop_text: str


@dataclass(frozen=True)
class Figures:
    """The closing figures of a summary."""

    held: int
    journals: int  # held workshops whose journal is final
    cancelled: int
    unclosed: int  # planned, in the period, and their day has passed
    planned: int  # planned in the period, today or later
    planned_later: int  # planned after the period (and not before today), until the program's end
    hours: float
    hours_missing: int  # held workshops without a start and end time
    participants: int
    average_attendance: float | None  # people per held workshop with recorded attendance
    average_rate: float | None  # attended / recorded over the period
    reaching: int  # participants at or over COMPLETION_RATE

    @property
    def upcoming(self) -> int:
        """Return the planned workshops still ahead, in the period and after it."""
        return self.planned + self.planned_later

    @property
    def hours_text(self) -> str:
        """Return "12,5" (Hungarian decimal comma)."""
        return _decimal(self.hours)

    @property
    def average_attendance_text(self) -> str:
        """Return "6,3 fő" or "–"."""
        return "–" if self.average_attendance is None else f"{_decimal(self.average_attendance)} fő"

    @property
    def average_rate_text(self) -> str:
        """Return "78 %" or "–"."""
        return percent(None if self.average_rate is None else 100 * self.average_rate)


@dataclass(frozen=True)
class GroupSummary:
    """Everything the summary of one group shows."""

    group_id: int
    slug: str
    name: str
    region: str
    mentors: tuple[str, ...]
    goals: str
    themes: tuple[str, ...]
    period: Period
    participants: tuple[ParticipantRow, ...]
    workshops: tuple[WorkshopRow, ...]  # every workshop of the period, by date
    held: tuple[WorkshopRow, ...]
    journals: tuple[JournalEntry, ...]
    notes: tuple[NoteEntry, ...]
    figures: Figures
    matrix_chunks: tuple[tuple[int, int], ...] = field(default=())  # [start, stop) of held

    @property
    def anchor(self) -> str:
        """Return the prefix of this group's ids in a document holding several groups."""
        return f"g-{self.slug}"


def _decimal(value: float) -> str:
    """Return a number with at most one decimal, Hungarian style: 12,5 / 12."""
    text = f"{rounded(value, 1):.1f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _hours(workshop: Workshop) -> float | None:
    """Return the length of a workshop in hours, or None without start and end."""
    if not (workshop.start_time and workshop.end_time):
        return None
    minutes = (workshop.end_time.hour * 60 + workshop.end_time.minute) - (
        workshop.start_time.hour * 60 + workshop.start_time.minute
    )
    return max(minutes, 0) / 60


def time_span(workshop: Workshop) -> str:
    """Return "10:00–13:00", "10:00" or "" for the workshop's time."""
    if not workshop.start_time:
        return ""
    span = workshop.start_time.strftime("%H:%M")
    if workshop.end_time:
        span += "–" + workshop.end_time.strftime("%H:%M")
    return span


def _workshops(group: Group, period: Period) -> list[Workshop]:
    """Load the group's workshops of the period with attendance, guests and journal."""
    return list(
        db.session.scalars(
            select(Workshop)
            .where(
                Workshop.group_id == group.id,
                Workshop.date >= period.start,
                Workshop.date <= period.end,
            )
            .options(
                selectinload(Workshop.attendance),
                selectinload(Workshop.guests),
                selectinload(Workshop.journal),
                selectinload(Workshop.plan).selectinload(WorkshopMethod.method),
            )
            .order_by(Workshop.date, Workshop.start_time, Workshop.id)
        )
    )


def _planned_later(group: Group, period: Period, today: date) -> int:
    """Count the group's planned workshops after the period, until the program's end, that are
    still ahead (one whose day has passed is unclosed, not planned)."""
    return len(
        db.session.scalars(
            select(Workshop.id).where(
                Workshop.group_id == group.id,
                Workshop.status == WorkshopStatus.PLANNED,
                Workshop.date > period.end,
                Workshop.date >= today,
                Workshop.date <= group.program.period_end,
            )
        ).all()
    )


def _participants(group: Group, period: Period, attended_ids: set[int]) -> list[Membership]:
    """Load the participant memberships in force during the period, or with attendance in it."""
    memberships = db.session.scalars(
        select(Membership)
        .where(
            Membership.group_id == group.id,
            Membership.role == Role.PARTICIPANT,
            or_(
                Membership.user_id.in_(sorted(attended_ids)),
                Membership.in_force_during(period.start, period.end),
            ),
        )
        .options(selectinload(Membership.user))
    ).all()
    return sort_hungarian(memberships, key=lambda m: person_key(m.user))


def _workshop_row(workshop: Workshop, number: int, today: date) -> WorkshopRow:
    """Turn a loaded workshop into its row."""
    attended = sum(1 for a in workshop.attendance if a.status in ATTENDED)
    unclosed = is_unclosed(workshop.status, workshop.date, today)
    return WorkshopRow(
        id=workshop.id,
        number=number,
        day=workshop.date,
        date_text=long_date(workshop.date),
        short_date=f"{workshop.date.month:02d}. {workshop.date.day:02d}.",
        time_span=time_span(workshop),
        place=workshop.place,
        topic=workshop.topic,
        methods=tuple(workshop.method_list),
        status=workshop.status,
        status_word=UNCLOSED_WORD if unclosed else STATUS_WORDS[workshop.status],
        unclosed=unclosed,
        cancel_reason=workshop.cancel_reason.strip()
        if workshop.status == WorkshopStatus.CANCELLED
        else "",
        attended=attended,
        recorded=len(workshop.attendance),
        guests=len(workshop.guests),
        hours=_hours(workshop),
    )


def _note_entry(note, labels: dict[str, str]) -> NoteEntry:
    """Turn a report note into its entry."""
    return NoteEntry(
        title=note.title,
        kind=str(labels.get(note.kind.value, note.kind.value)),
        body=note.body,
        link=note.link,
        author=note.author.full_name,
        date_text=long_date(local_date(note.created_at)),
        workshop_text=(
            f"{long_date(note.workshop.date)} – {note.workshop.topic}" if note.workshop else ""
        ),
    )


def _note_in_period(note, period: Period) -> bool:
    """Tell whether a note belongs to the period: its workshop's date, else its creation."""
    if note.workshop is not None:
        return note.workshop.date in period
    return local_date(note.created_at) in period


def _journal_entry(workshop: Workshop, row: WorkshopRow, drafts: bool) -> JournalEntry:
    """Return what the report shows of a held workshop's journal: a final journal's report
    sections, a draft's only when drafts were asked for, else that there is no final one."""
    journal = workshop.journal
    if journal is None or (journal.status != JournalStatus.FINAL and not drafts):
        return JournalEntry(row, (), "missing")
    sections = tuple(
        (str(spec_for(s.key).title), s.body) for s in report_sections(journal) if s.body.strip()
    )
    state = "final" if journal.status == JournalStatus.FINAL else "draft"
    return JournalEntry(row, sections, state)


def group_summary(
    group: Group, period: Period, mentors: list | None = None, today: date | None = None
) -> GroupSummary:
    """Gather what the summary of one group shows for a period; draft journals only if asked."""
    if mentors is None:
        mentors = mentors_by_group([group])[group.id]
    today = today or local_today()
    workshops = _workshops(group, period)
    held_models = [w for w in workshops if w.status == WorkshopStatus.HELD]
    numbers = {w.id: index for index, w in enumerate(held_models, start=1)}
    rows = [_workshop_row(w, numbers.get(w.id, 0), today) for w in workshops]
    held = [row for row in rows if row.status == WorkshopStatus.HELD]

    statuses: dict[tuple[int, int], AttendanceStatus] = {}
    recorded_workshops: set[int] = set()
    for workshop in held_models:
        for record in workshop.attendance:
            statuses[(record.user_id, workshop.id)] = record.status
            recorded_workshops.add(workshop.id)
    attended_ids = {user_id for user_id, _ in statuses}
    participants = []
    for membership in _participants(group, period, attended_ids):
        marks, attended, recorded = [], 0, 0
        for row in held:
            status = statuses.get((membership.user_id, row.id))
            # Only what was recorded of them counts, as on the group's pages: not a workshop
            # before they joined, nor one where nobody tapped their name.
            if status is not None:
                recorded += 1
                attended += status in ATTENDED
            marks.append(MARKS[status] if status is not None else "–")
        participants.append(
            ParticipantRow(
                user_id=membership.user_id,
                name=membership.user.full_name,
                institution=membership.institution,
                settlement=membership.settlement,
                marks=tuple(marks),
                attended=attended,
                recorded=recorded,
            )
        )

    by_id = {row.id: row for row in held}
    journals = [_journal_entry(w, by_id[w.id], period.drafts) for w in held_models]

    labels = kind_labels()
    notes = [_note_entry(n, labels) for n in report_notes(group) if _note_in_period(n, period)]

    with_attendance = [row for row in held if row.id in recorded_workshops]
    attended_total = sum(row.attended for row in with_attendance)
    recorded_total = sum(row.recorded for row in with_attendance)
    hours = [row.hours for row in held]
    figures = Figures(
        held=len(held),
        journals=sum(1 for entry in journals if entry.state == "final"),
        cancelled=sum(1 for row in rows if row.status == WorkshopStatus.CANCELLED),
        unclosed=sum(1 for row in rows if row.unclosed),
        planned=sum(1 for row in rows if row.status == WorkshopStatus.PLANNED and not row.unclosed),
        planned_later=_planned_later(group, period, today),
        hours=sum(h for h in hours if h is not None),
        hours_missing=sum(1 for h in hours if h is None),
        participants=len(participants),
        average_attendance=attended_total / len(with_attendance) if with_attendance else None,
        average_rate=attended_total / recorded_total if recorded_total else None,
        reaching=sum(1 for p in participants if p.reaching),
    )
    chunks = tuple(
        (start, min(start + MATRIX_COLUMNS, len(held)))
        for start in range(0, len(held), MATRIX_COLUMNS)
    )
    return GroupSummary(
        group_id=group.id,
        slug=group.slug,
        name=group.name,
        region=group.region,
        mentors=tuple(user.full_name for user in mentors),
        goals=group.goals,
        themes=tuple(group.theme_list),
        period=period,
        participants=tuple(participants),
        workshops=tuple(rows),
        held=tuple(held),
        journals=tuple(journals),
        notes=tuple(notes),
        figures=figures,
        matrix_chunks=chunks,
    )


def program_groups(program: Program) -> list[Group]:
    """Load the program's groups in Hungarian order of their names."""
    groups = db.session.scalars(
        select(Group).where(Group.program_id == program.id).options(selectinload(Group.program))
    ).all()
    return sort_hungarian(groups, key=lambda g: g.name)


# --- Documents -------------------------------------------------------------------------------


def first_word(program: Program) -> str:
    """Return the program's first word, for file names ("kapcsolodasok")."""
    return (program.name.split() or ["muhelynaplo"])[0]


def signers(mentors: list | tuple = ()) -> list[tuple[str, str]]:
    """Return who signs a summary, with their role: the coordinator, then each current mentor
    of the group (one line for someone who is both)."""
    roles: dict[str, list[str]] = {}
    for user in coordinators():
        roles.setdefault(user.full_name, []).append("koordinátor")
    for user in mentors:
        roles.setdefault(user.full_name, []).append("mentor")
    return [(name, ", ".join(words)) for name, words in roles.items()]


def _document_context(program: Program, period: Period) -> dict:
    """Return what every summary and report template needs besides its own content."""
    return {
        "program": program,
        "program_name": program.name,
        "doc_author": program.association or program.name,
        "issued": long_date(local_today()),
        "legend": MARK_LEGEND,
        "figure_words": FIGURE_WORDS,
        "no_final_journal": NO_FINAL_JOURNAL,
        "drafts": period.drafts,
        "summary_css": url_for("static", filename=SUMMARY_CSS),
    }


def _texts_context(program: Program, period: Period, groups: list[Group], preview: bool) -> dict:
    """Return the narrative texts written for the period (by scope) and, in a preview, where
    the user may write each (journal/narratives)."""
    from flask_login import current_user

    from journal.narratives import queries as narratives
    from journal.permissions import can_write_group_text, can_write_program_text

    links = {}
    if preview:
        args = {k: v for k, v in period.query_args().items() if k in ("from", "to")}
        if can_write_program_text(current_user):
            links[narratives.PROGRAM_SCOPE] = url_for("narratives.program_text", **args)
        for group in groups:
            if can_write_group_text(current_user, group):
                url = url_for("narratives.group_text", slug=group.slug, **args)
                links[narratives.group_scope(group)] = url
    return {"texts": narratives.texts_for(program, period, groups), "text_links": links}


def group_document(
    group: Group, period: Period, preview: bool = False, form: dict | None = None
) -> Document:
    """Build the group summary document (the PDF's HTML, or the preview with its form)."""
    program = group.program
    mentors = mentors_by_group([group])[group.id]
    with force_locale("hu"):
        summary = group_summary(group, period, mentors)
        title = f"{group.name} – Összefoglaló – {period.label}"
        html = render_template(
            "reports/summary.html",
            title=title,
            doc_description=f"{group.name} ({group.region}) mentorcsoport összefoglalója",
            summary=summary,
            signers=signers(mentors),
            **_document_context(program, period),
            **_texts_context(program, period, [group], preview),
            preview=preview,
            form=form or _form_values(period),
            pdf_url=url_for("reports.group_summary_pdf", slug=group.slug, **period.query_args())
            if preview and not (form and form["errors"])
            else None,
            back_url=url_for("groups.group", slug=group.slug) if preview else None,
            form_action=url_for("reports.group_summary", slug=group.slug) if preview else None,
        )
    filename = ascii_filename(first_word(program), group.slug, "osszefoglalo", *period.months)
    return Document(title=title, filename=filename + ".pdf", html=html)


def program_document(
    program: Program, period: Period, preview: bool = False, form: dict | None = None
) -> Document:
    """Build the program report: a program summary, then every group's summary."""
    groups = program_groups(program)
    mentors = mentors_by_group(groups)
    with force_locale("hu"):
        summaries = [group_summary(g, period, mentors[g.id]) for g in groups]
        title = f"{program.name} – Programbeszámoló – {period.label}"
        html = render_template(
            "reports/program.html",
            title=title,
            doc_description=f"{program.name}: a mentorcsoportok összefoglalója",
            summaries=summaries,
            totals=_totals(summaries),
            period=period,
            signers=signers(),
            **_document_context(program, period),
            **_texts_context(program, period, groups, preview),
            preview=preview,
            form=form or _form_values(period),
            pdf_url=url_for("reports.program_report_pdf", **period.query_args())
            if preview and not (form and form["errors"])
            else None,
            back_url=url_for("groups.home") if preview else None,
            form_action=url_for("reports.program_report") if preview else None,
        )
    filename = ascii_filename(first_word(program), "programbeszamolo", *period.months)
    return Document(title=title, filename=filename + ".pdf", html=html)


def _totals(summaries: list[GroupSummary]) -> dict:
    """Return the program-wide figures of the summary table's last row."""
    attended = sum(sum(r.attended for r in s.held if r.recorded) for s in summaries)
    recorded = sum(sum(r.recorded for r in s.held if r.recorded) for s in summaries)
    counts = ("held", "journals", "cancelled", "unclosed", "upcoming", "participants", "reaching")
    return {key: sum(getattr(s.figures, key) for s in summaries) for key in counts} | {
        "hours": _decimal(sum(s.figures.hours for s in summaries)),
        "rate": percent(100 * attended / recorded if recorded else None),
    }


def _form_values(period: Period) -> dict:
    """Return the period form's values for a period (empty dates for the default)."""
    return {"from": "", "to": "", "drafts": ""} | period.query_args() | {"errors": {}}
