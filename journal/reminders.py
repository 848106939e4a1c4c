"""Reminder digests of open tasks (journal/tasks.py): who gets one today, its text, sending it.

A mentor gets the open tasks of the groups they mentor; the coordinator also gets the
program's counts per group. At most one digest a day per person (`User.reminded_on`), and only
when something is open. Links are absolute, on PUBLIC_URL; the text is in the reader's
language.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select, update

from journal.extensions import db
from journal.i18n import long_date, sort_hungarian
from journal.links import public_url
from journal.mail import mail_configured, send_plain
from journal.models import Group, User
from journal.program.queries import coordinators as program_coordinators
from journal.program.queries import current_program
from journal.tasks import Task, TaskCounts, TaskKind, open_tasks, open_tasks_of_mentors, task_counts


@dataclass
class Reminder:
    """What one person is reminded of: their own open tasks, and for the coordinator the
    program's counts per group."""

    user: User
    tasks: list[Task] = field(default_factory=list)
    program: list[tuple[Group, TaskCounts]] = field(default_factory=list)

    @property
    def is_due(self) -> bool:
        """Tell whether there is anything to remind of."""
        return bool(self.tasks) or any(counts.total for _group, counts in self.program)


def _groups() -> dict[int, Group]:
    """Return every group by id (one query)."""
    return {group.id: group for group in db.session.scalars(select(Group))}


def reminders_due(today: date) -> list[Reminder]:
    """Return the digests to send today: everyone with something open who has not had one
    today (a fixed number of queries)."""
    reminders: dict[int, Reminder] = {}
    for entry in open_tasks_of_mentors(today):
        reminders[entry.mentor.id] = Reminder(entry.mentor, entry.tasks)
    coordinators = program_coordinators()
    if coordinators:
        groups = sort_hungarian(_groups().values(), key=lambda g: g.name)
        counts = task_counts([g.id for g in groups], today)
        program = [(group, counts[group.id]) for group in groups]
        for user in coordinators:
            reminders.setdefault(user.id, Reminder(user)).program = program
    return [r for r in reminders.values() if r.is_due and r.user.reminded_on != today]


def reminder_for(user: User, today: date) -> Reminder:
    """Return one mentor's digest of their own open tasks (the coordinator's button)."""
    return Reminder(user, open_tasks(user, today))


def _task_line(task: Task, groups: dict[int, Group], due_days: int) -> str:
    """Return one task as a line of the digest, with how long ago and whether overdue."""
    line = _(
        "%(group)s: %(topic)s (%(date)s), %(days)s napja",
        group=groups[task.group_id].name,
        topic=task.topic,
        date=long_date(task.day),
        days=task.days_since,
    )
    if task.kind == TaskKind.JOURNAL:
        if task.overdue:
            line += " – " + _("lejárt a %(days)s napos határidő", days=due_days)
        else:
            line += " – " + _("határidő: az alkalom után %(days)s nap", days=due_days)
    return line


def _task_link(task: Task) -> str:
    """Return the absolute address where the task is done."""
    if task.kind == TaskKind.JOURNAL:
        return public_url("journals.journal", workshop_id=task.workshop_id)
    anchor = "#attendance" if task.kind == TaskKind.ATTENDANCE else ""
    return public_url("workshops.show", workshop_id=task.workshop_id) + anchor


SECTIONS = (
    (TaskKind.JOURNAL, lambda: _("Megírandó naplók (megtartott alkalmak végleges napló nélkül):")),
    (
        TaskKind.UNCLOSED,
        lambda: _("Lezáratlan alkalmak: jelölje megtartottnak vagy elmaradtnak:"),
    ),
    (TaskKind.ATTENDANCE, lambda: _("Rögzítetlen jelenlét (megtartott alkalmak):")),
)


def _body(reminder: Reminder, groups: dict[int, Group], due_days: int, today: date) -> str:
    """Return the digest's text in the current language."""
    lines = [_("Kedves %(name)s!", name=reminder.user.full_name), ""]
    if reminder.tasks:
        lines += [_("Nyitott feladatai a Műhelynaplóban (%(date)s):", date=long_date(today)), ""]
        for kind, title in SECTIONS:
            tasks = [t for t in reminder.tasks if t.kind == kind]
            if tasks:
                lines.append(title())
                for task in tasks:
                    lines += [f"- {_task_line(task, groups, due_days)}", f"  {_task_link(task)}"]
                lines.append("")
    if reminder.program:
        lines += [_("A program csoportjainak nyitott feladatai:"), ""]
        for group, counts in reminder.program:
            lines.append(
                f"- {group.name}: "
                + _(
                    "hiányzó vagy piszkozat napló: %(journals)s (ebből határidőn túl: "
                    "%(overdue)s) · lezáratlan alkalom: %(unclosed)s · rögzítetlen jelenlét: "
                    "%(attendance)s",
                    journals=counts.journals,
                    overdue=counts.overdue_journals,
                    unclosed=counts.unclosed,
                    attendance=counts.attendance,
                )
            )
            lines.append(f"  {public_url('groups.group', slug=group.slug)}")
        lines.append("")
    lines.append(_("Ezt az emlékeztetőt a Műhelynapló küldte, naponta legfeljebb egyszer."))
    return "\n".join(lines) + "\n"


def compose(reminder: Reminder, today: date) -> tuple[str, str]:
    """Return the digest's subject and text in the reader's language, links on PUBLIC_URL."""
    program = current_program()
    due_days = program.journal_due_days if program else 7
    groups = _groups()
    with (
        current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]),
        force_locale(reminder.user.language or "hu"),
    ):
        subject = _("Emlékeztető: nyitott feladatok a Műhelynaplóban")
        return subject, _body(reminder, groups, due_days, today)


def mark_reminded(user: User, today: date) -> None:
    """Record that the user got today's digest (flush, never commit)."""
    db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(reminded_on=today)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(user, ["reminded_on"])


@dataclass
class Outcome:
    """How a reminder run went."""

    sent: int = 0
    failed: int = 0
    printed: int = 0


def send_reminder(reminder: Reminder, today: date) -> bool:
    """Mail one digest and mark the person reminded today; tell whether the server took it
    (a refusal marks nothing, so it is sent again at the next run)."""
    subject, body = compose(reminder, today)
    if not send_plain(reminder.user, subject, body):
        return False
    mark_reminded(reminder.user, today)
    return True


def send_reminders(today: date, echo: Callable[[str], None], commit: Callable[[], None]) -> Outcome:
    """Send today's digests, committing after each one sent; without MAIL_SERVER print each
    instead and change nothing."""
    outcome = Outcome()
    for reminder in reminders_due(today):
        if not mail_configured():
            subject, body = compose(reminder, today)
            echo(f"To: {reminder.user.email}\nSubject: {subject}\n\n{body}")
            outcome.printed += 1
        elif send_reminder(reminder, today):
            commit()
            outcome.sent += 1
        else:
            outcome.failed += 1
    return outcome
