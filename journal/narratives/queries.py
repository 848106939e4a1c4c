"""Reads of the narrative parts of reports."""

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from journal.extensions import db
from journal.models import Group, Program, ReportText
from journal.reports.summary import Period

PROGRAM_SCOPE = "program"


def group_scope(group: Group) -> str:
    """Return the scope of a group's summary text."""
    return f"group:{group.id}"


def scope_name(scope: str) -> str:
    """Return what a scope's text is called ("a program összefoglalója")."""
    if scope == PROGRAM_SCOPE:
        return _("a program összefoglalója")
    group = db.session.get(Group, int(scope.partition(":")[2]))
    return _("a(z) %(group)s összefoglalója", group=group.name if group else scope)


@dataclass(frozen=True)
class Place:
    """Where a report text belongs: its scope and period (the days it is kept under)."""

    scope: str
    start: date
    end: date

    @property
    def draft_ident(self) -> str:
        """Return the identity of its autosaved drafts ("program:2026-01-01:2026-03-31")."""
        return f"{self.scope}:{self.start.isoformat()}:{self.end.isoformat()}"


def place(scope: str, period: Period, program: Program) -> Place:
    """Return where the text of a report for this period is kept: the default period (the
    program so far, whose end moves every day) keeps its text under the whole program's."""
    if period.default:
        return Place(scope, program.period_start, program.period_end)
    return Place(scope, period.start, period.end)


def text_at(where: Place) -> ReportText | None:
    """Return the text kept at this place, if one was written."""
    return db.session.scalar(
        select(ReportText).where(
            ReportText.scope == where.scope,
            ReportText.period_start == where.start,
            ReportText.period_end == where.end,
        )
    )


def latest_text(scope: str) -> ReportText | None:
    """Return the scope's text saved last, of any period: a period's first text starts from it."""
    return db.session.scalar(
        select(ReportText)
        .where(ReportText.scope == scope)
        .order_by(ReportText.updated_at.desc(), ReportText.id.desc())
        .limit(1)
    )


def texts_for(program: Program, period: Period, groups: list[Group]) -> dict[str, ReportText]:
    """Return the texts written for a report of this period, by scope: the program's and the
    given groups' (one query)."""
    scopes = [PROGRAM_SCOPE, *(group_scope(group) for group in groups)]
    where = place(PROGRAM_SCOPE, period, program)
    rows = db.session.scalars(
        select(ReportText).where(
            ReportText.scope.in_(scopes),
            ReportText.period_start == where.start,
            ReportText.period_end == where.end,
        )
    )
    return {text.scope: text for text in rows}
