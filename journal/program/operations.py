"""Writes of the program's settings: flush, never commit."""

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _

from journal.domain import NotAllowed
from journal.extensions import db
from journal.i18n import long_date
from journal.models import Program, User
from journal.narratives.operations import follow_program_period
from journal.permissions import can_edit_program_settings
from journal.program.queries import workshop_span


@dataclass
class ProgramSettings:
    """The program's editable settings."""

    name: str
    association: str
    funder: str
    grant_id: str
    period_start: date
    period_end: date
    journal_due_days: int
    require_two_factor: bool = False


def update_settings(user: User, program: Program, settings: ProgramSettings) -> list[str]:
    """Save the program's settings; refuse a period that leaves a workshop outside it. Return
    the scopes of the report texts that did not follow a changed period (_set_period)."""
    if not can_edit_program_settings(user):
        raise NotAllowed
    if settings.period_end < settings.period_start:
        raise NotAllowed(_("A program vége nem lehet korábbi a kezdeténél."))
    first, last = workshop_span(program)
    if first is not None and (first < settings.period_start or last > settings.period_end):
        # A workshop outside the period would vanish from every summary.
        raise NotAllowed(
            _(
                "Az időszaknak tartalmaznia kell minden alkalmat (az első: %(first)s, "
                "az utolsó: %(last)s).",
                first=long_date(first),
                last=long_date(last),
            )
        )
    program.name = settings.name.strip()
    program.association = settings.association.strip()
    program.funder = settings.funder.strip() or None
    program.grant_id = settings.grant_id.strip()
    kept = _set_period(program, settings.period_start, settings.period_end)
    program.journal_due_days = settings.journal_due_days
    program.require_two_factor = settings.require_two_factor
    db.session.flush()
    return kept


def widen_period(program: Program, day: date) -> None:
    """Stretch the program's period to include the day."""
    _set_period(program, min(program.period_start, day), max(program.period_end, day))
    db.session.flush()


def _set_period(program: Program, start: date, end: date) -> list[str]:
    """Give the program a period; the texts of its report so far follow it. Return the
    scopes whose text did not (follow_program_period)."""
    kept = follow_program_period((program.period_start, program.period_end), (start, end))
    program.period_start, program.period_end = start, end
    return kept
