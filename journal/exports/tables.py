"""What the spreadsheets hold: attendance (person × workshop, with rates), workshops and
participation per person, of one group or of every group, for a period.

Each export is a list of `Sheet`s of typed cells (text, dates, whole and decimal numbers), built
from the same figures as the PDF summaries (`reports.summary.group_summary`), so a number in a
spreadsheet is the number in the report. They hold names, workshops and attendance, and a
journal's state (final, draft, none), never a journal's or a note's text. Headers and words
are Hungarian, like the printed documents.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import force_locale
from sqlalchemy import select

from journal.extensions import db
from journal.groups.queries import mentors_by_group
from journal.i18n import rounded
from journal.models import Group, Journal, JournalStatus, Membership, Role, WorkshopStatus
from journal.reports.summary import (
    COMPLETION_RATE,
    MARKS,
    STATUS_LABELS,
    GroupSummary,
    Period,
    group_summary,
)

TEXT, DATE, INT, DECIMAL = "text", "date", "int", "decimal"

# The word of each attendance mark, as the summaries say it; nothing for "not recorded".
ATTENDANCE_WORDS = {MARKS[status]: word for status, word in STATUS_LABELS.items()} | {"–": ""}
JOURNAL_WORDS = {"final": "véglegesített", "draft": "piszkozat", "missing": "nincs"}


@dataclass(frozen=True)
class Column:
    """A column: its header, the kind of its cells and its width in characters."""

    header: str
    kind: str = TEXT
    width: int = 14


@dataclass
class Sheet:
    """One table: a title (the worksheet's name), its columns and its rows of cell values."""

    title: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)


@dataclass(frozen=True)
class Export:
    """What one download holds: its title (the workbook's) and its sheets."""

    title: str
    sheets: list[Sheet]


# The three exports: key → (Hungarian title, file-name word).
KINDS = {
    "attendance": ("Jelenlét", "jelenlet"),
    "workshops": ("Foglalkozások", "foglalkozasok"),
    "participation": ("Részvétel személyenként", "reszvetel"),
}


def _rate(attended: int, recorded: int) -> float | None:
    """Return a rate as a percentage with one decimal, or None when nothing was recorded."""
    return rounded(100 * attended / recorded, 1) if recorded else None


def _attendance_sheet(summary: GroupSummary, with_group: bool) -> Sheet:
    """Return the attendance matrix of a group: a row per participant, a column per held
    workshop, then the counts and the rate."""
    columns = [Column("Név", width=26), Column("Intézmény", width=28), Column("Település")]
    columns += [Column(f"{row.day:%Y.%m.%d.}", width=12) for row in summary.held]
    columns += [
        Column("Jelen (alkalom)", INT, 10),
        Column("Rögzített (alkalom)", INT, 10),
        Column("Részvételi arány (%)", DECIMAL, 12),
    ]
    sheet = Sheet(summary.name if with_group else "Jelenlét", columns)
    for person in summary.participants:
        sheet.rows.append(
            [person.name, person.institution, person.settlement]
            + [ATTENDANCE_WORDS[mark] for mark in person.marks]
            + [person.attended, person.recorded, _rate(person.attended, person.recorded)]
        )
    return sheet


def _workshop_rows(summary: GroupSummary, journal_states: dict[int, str]) -> list[list]:
    """Return one row per workshop of the period."""
    rows = []
    for row in summary.workshops:
        start, _, end = row.time_span.partition("–")
        held = row.status == WorkshopStatus.HELD
        rows.append(
            [
                summary.name,
                row.day,
                start,
                end,
                row.place,
                row.topic,
                row.status_word,
                "; ".join(row.methods),
                JOURNAL_WORDS[journal_states.get(row.id, "missing")],
                row.attended if held else None,
                row.recorded if held else None,
                row.guests,
                # Hours held, as the summaries count them: a planned time is no hour yet.
                rounded(row.hours, 2) if held and row.hours is not None else None,
                row.cancel_reason,
            ]
        )
    return rows


WORKSHOP_COLUMNS = [
    Column("Csoport", width=26),
    Column("Dátum", DATE, 12),
    Column("Kezdés", width=8),
    Column("Befejezés", width=9),
    Column("Helyszín", width=24),
    Column("Téma", width=36),
    Column("Állapot", width=12),
    Column("Módszerek", width=36),
    Column("Napló", width=14),
    Column("Jelen (fő)", INT, 9),
    Column("Rögzített (fő)", INT, 9),
    Column("Vendég (fő)", INT, 9),
    Column("Időtartam (óra)", DECIMAL, 10),
    Column("Elmaradás oka", width=30),
]

PARTICIPATION_COLUMNS = [
    Column("Csoport", width=26),
    Column("Név", width=26),
    Column("Intézmény", width=28),
    Column("Település"),
    Column("Csatlakozott", DATE, 12),
    Column("Kilépett", DATE, 12),
    Column("Jelen", INT, 8),
    Column("Késett", INT, 8),
    Column("Igazoltan hiányzott", INT, 10),
    Column("Hiányzott", INT, 9),
    Column("Rögzített alkalom", INT, 10),
    Column("Részvételi arány (%)", DECIMAL, 12),
    Column(f"Legalább {round(100 * COMPLETION_RATE)} %", width=10),
]


def _journal_states(summary: GroupSummary) -> dict[int, str]:
    """Return each held workshop's journal state (final, draft or missing), whether or not
    the summary shows drafts: the export says only which state, never what a journal says."""
    ids = [row.id for row in summary.held]
    if not ids:
        return {}
    states = db.session.execute(
        select(Journal.workshop_id, Journal.status).where(Journal.workshop_id.in_(ids))
    ).all()
    return {
        workshop_id: "final" if status == JournalStatus.FINAL else "draft"
        for workshop_id, status in states
    }


def _memberships(group: Group) -> dict[int, Membership]:
    """Return the group's participant memberships by user id."""
    return {
        m.user_id: m
        for m in db.session.scalars(
            select(Membership).where(
                Membership.group_id == group.id, Membership.role == Role.PARTICIPANT
            )
        )
    }


def _participation_rows(summary: GroupSummary, memberships: dict[int, Membership]) -> list[list]:
    """Return one row per participant: membership dates, counts per mark and the rate."""
    rows = []
    for person in summary.participants:
        membership = memberships.get(person.user_id)
        counts = {mark: person.marks.count(mark) for mark in "JKIH"}
        rows.append(
            [
                summary.name,
                person.name,
                person.institution,
                person.settlement,
                membership.joined_on if membership else None,
                membership.left_on if membership else None,
                counts["J"],
                counts["K"],
                counts["I"],
                counts["H"],
                person.recorded,
                _rate(person.attended, person.recorded),
                # Nothing recorded of them yet (joined today): no verdict, as no rate.
                ("igen" if person.reaching else "nem") if person.recorded else None,
            ]
        )
    return rows


def build_export(key: str, groups: list[Group], period: Period) -> Export:
    """Gather one export (attendance, workshops or participation) of the given groups."""
    title, _word = KINDS[key]
    with force_locale("hu"):
        mentors = mentors_by_group(groups)
        summaries = [group_summary(group, period, mentors[group.id]) for group in groups]
        several = len(groups) > 1
        if key == "attendance":
            sheets = [_attendance_sheet(summary, several) for summary in summaries]
        elif key == "workshops":
            sheet = Sheet("Foglalkozások", list(WORKSHOP_COLUMNS))
            for summary in summaries:
                sheet.rows += _workshop_rows(summary, _journal_states(summary))
            sheets = [sheet]
        else:
            sheet = Sheet("Részvétel", list(PARTICIPATION_COLUMNS))
            for group, summary in zip(groups, summaries, strict=True):
                sheet.rows += _participation_rows(summary, _memberships(group))
            sheets = [sheet]
    return Export(title, sheets)
