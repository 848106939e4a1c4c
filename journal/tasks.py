"""Reads of the mentors' open tasks: journals to write, workshops to close, attendance to record.

A task belongs to a workshop whose day has passed:
- `journal`: held, and its journal is missing or still a draft; due `journal_due_days` (the
  program's setting) after the workshop, overdue after that;
- `unclosed`: still planned ("lezáratlan"): the mentor marks it held or cancelled;
- `attendance`: held, and nobody's attendance is recorded.

Every function costs a fixed number of queries, whatever the number of workshops or groups:
the reminders (journal/reminders.py) and the coordinator's pages build on them.
"""

import enum
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from sqlalchemy import Select, and_, bindparam, exists, or_, select

from journal.extensions import db
from journal.i18n import person_key, sort_hungarian
from journal.models import (
    Attendance,
    Group,
    Journal,
    JournalStatus,
    Membership,
    Program,
    Role,
    User,
    Workshop,
    WorkshopStatus,
)


class TaskKind(enum.StrEnum):
    """What is to be done about a workshop."""

    JOURNAL = "journal"
    UNCLOSED = "unclosed"
    ATTENDANCE = "attendance"


@dataclass(frozen=True)
class Task:
    """One open task: what, which workshop, how long ago, and whether it is past its due day."""

    kind: TaskKind
    workshop_id: int
    group_id: int
    topic: str
    day: date
    days_since: int
    overdue: bool = False
    draft: bool = False  # a journal begun but not final
    version: int = 0  # the workshop's, for an action taken from the list

    @property
    def late(self) -> bool:
        """Tell whether it is late: a journal past its due day; the others are tasks only
        once their workshop's day has passed, and late from then."""
        return self.overdue or self.kind != TaskKind.JOURNAL


@dataclass
class TaskCounts:
    """A group's open tasks, counted (the coordinator's digest)."""

    journals: int = 0
    overdue_journals: int = 0
    unclosed: int = 0
    attendance: int = 0

    @property
    def total(self) -> int:
        """Return how many tasks are open in all."""
        return self.journals + self.unclosed + self.attendance


def is_unclosed(status: WorkshopStatus, day: date, today: date) -> bool:
    """Tell whether a workshop is "lezáratlan": still planned, though its day has passed."""
    return status == WorkshopStatus.PLANNED and day < today


@cache
def _open_workshops_query() -> Select:
    """Build the query of the bound groups' workshops before the bound day that leave
    something to do, oldest first (built once, its values bound per call)."""
    recorded = exists().where(Attendance.workshop_id == Workshop.id)
    return (
        select(
            Workshop.id,
            Workshop.group_id,
            Workshop.topic,
            Workshop.date,
            Workshop.version,
            Workshop.status,
            Journal.status,
            recorded,
            Program.journal_due_days,
        )
        .join(Group, Group.id == Workshop.group_id)
        .join(Program, Program.id == Group.program_id)
        .outerjoin(Journal, Journal.workshop_id == Workshop.id)
        .where(
            Workshop.group_id.in_(bindparam("group_ids", expanding=True)),
            Workshop.date < bindparam("today"),
            or_(
                Workshop.status == WorkshopStatus.PLANNED,
                and_(
                    Workshop.status == WorkshopStatus.HELD,
                    or_(Journal.status.is_(None), Journal.status != JournalStatus.FINAL, ~recorded),
                ),
            ),
        )
        .order_by(Workshop.date, Workshop.id)
    )


def tasks_of_groups(group_ids: list[int], today: date) -> dict[int, list[Task]]:
    """Return the open tasks of each of these groups, oldest workshop first (one query)."""
    if not group_ids:
        return {}
    rows = db.session.execute(_open_workshops_query(), {"group_ids": group_ids, "today": today})
    tasks: dict[int, list[Task]] = {group_id: [] for group_id in group_ids}
    for wid, group_id, topic, day, version, status, journal, has_attendance, due_days in rows:
        since = (today - day).days
        common = {"workshop_id": wid, "group_id": group_id, "topic": topic, "day": day}
        common |= {"days_since": since, "version": version}
        if is_unclosed(status, day, today):
            tasks[group_id].append(Task(TaskKind.UNCLOSED, **common))
            continue
        if journal != JournalStatus.FINAL:
            draft = journal == JournalStatus.DRAFT
            tasks[group_id].append(
                Task(TaskKind.JOURNAL, overdue=since > due_days, draft=draft, **common)
            )
        if not has_attendance:
            tasks[group_id].append(Task(TaskKind.ATTENDANCE, **common))
    return tasks


def _mentored_groups(today: date, user: User | None = None) -> list[tuple[User, int]]:
    """Return (mentor, group id) for every membership as mentor in force today of an active
    user, or only the given user's (one query)."""
    query = (
        select(User, Membership.group_id)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.role == Role.MENTOR, Membership.current(today), User.active.is_(True))
    )
    if user is not None:
        query = query.where(User.id == user.id)
    return [(user, group_id) for user, group_id in db.session.execute(query)]


def open_tasks(user: User, today: date) -> list[Task]:
    """Return the open tasks of the groups the user mentors today, oldest first (two queries)."""
    group_ids = [group_id for _user, group_id in _mentored_groups(today, user)]
    by_group = tasks_of_groups(group_ids, today)
    return sorted(
        (task for tasks in by_group.values() for task in tasks),
        key=lambda t: (t.day, t.workshop_id),
    )


@dataclass
class MentorTasks:
    """A mentor and the open tasks of the groups they mentor."""

    mentor: User
    tasks: list[Task] = field(default_factory=list)


def open_tasks_of_mentors(today: date) -> list[MentorTasks]:
    """Return every active mentor with their open tasks (maybe none), in Hungarian order of
    names (two queries)."""
    pairs = _mentored_groups(today)
    by_group = tasks_of_groups(sorted({group_id for _user, group_id in pairs}), today)
    mentors: dict[int, MentorTasks] = {}
    for user, group_id in pairs:
        mentors.setdefault(user.id, MentorTasks(user)).tasks.extend(by_group[group_id])
    for entry in mentors.values():
        entry.tasks.sort(key=lambda t: (t.day, t.workshop_id))
    return sort_hungarian(mentors.values(), key=lambda m: person_key(m.mentor))


def task_counts(group_ids: list[int], today: date) -> dict[int, TaskCounts]:
    """Count the open tasks of each of these groups (one query)."""
    counts: dict[int, TaskCounts] = {}
    for group_id, tasks in tasks_of_groups(group_ids, today).items():
        entry = counts[group_id] = TaskCounts()
        for task in tasks:
            if task.kind == TaskKind.JOURNAL:
                entry.journals += 1
                entry.overdue_journals += task.overdue
            elif task.kind == TaskKind.UNCLOSED:
                entry.unclosed += 1
            else:
                entry.attendance += 1
    return counts
