"""Reads of the program overview: per group what is due, what is late and how attendance
goes; across groups the next workshops and the most shared difficulties; what changed since a
visit. Each read costs a fixed number of queries, however many groups there are."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import and_, case, func, or_, select

from journal.extensions import db
from journal.groups.queries import in_groups
from journal.models import (
    Attendance,
    Group,
    Journal,
    Note,
    NoteKind,
    Program,
    Reaction,
    Reply,
    User,
    Workshop,
    WorkshopStatus,
    program_zone,
)
from journal.notes.queries import visible_in_groups
from journal.tasks import Task, TaskKind, tasks_of_groups
from journal.workshops.queries import Rate, _attended_sum

TREND_LENGTH = 8  # the last held workshops a group's attendance trend shows
TASK_KINDS = tuple(TaskKind)


@dataclass
class Tasks:
    """A group's open tasks (journal/tasks.py), oldest first."""

    items: list[Task] = field(default_factory=list)

    def __bool__(self) -> bool:
        """Tell whether anything is due."""
        return bool(self.items)

    def of_kind(self, kind: str) -> list[Task]:
        """Return the tasks of one kind (a TaskKind value)."""
        return [task for task in self.items if task.kind == kind]


@dataclass
class GroupRow:
    """One group on the overview."""

    group: Group
    tasks: Tasks
    last: Workshop | None = None
    next: Workshop | None = None
    rate: Rate = field(default_factory=lambda: Rate(0, 0))
    trend: list[Rate] = field(default_factory=list)  # oldest first
    notes_month: int = 0
    metoo_month: int = 0


def open_tasks(group_ids: list[int], today: date) -> dict[int, Tasks]:
    """Return each group's open tasks on `today`, oldest first (one query)."""
    return {group_id: Tasks(items) for group_id, items in tasks_of_groups(group_ids, today).items()}


def _nearest(group_ids: list[int], condition, order) -> dict[int, Workshop]:
    """Return, per group, the first workshop meeting the condition in this order (one query)."""
    rank = func.row_number().over(partition_by=Workshop.group_id, order_by=order).label("rank")
    ranked = select(Workshop.id, rank).where(Workshop.group_id.in_(group_ids), condition).subquery()
    workshops = db.session.scalars(
        select(Workshop).join(ranked, ranked.c.id == Workshop.id).where(ranked.c.rank == 1)
    )
    return {workshop.group_id: workshop for workshop in workshops}


def _trends(group_ids: list[int]) -> dict[int, list[Rate]]:
    """Return each group's attendance rates of its last held workshops, oldest first (one
    query; a workshop without records is left out)."""
    rank = func.row_number().over(
        partition_by=Workshop.group_id, order_by=(Workshop.date.desc(), Workshop.id.desc())
    )
    last = (
        select(Workshop.id, Workshop.group_id, Workshop.date, rank.label("rank"))
        .where(Workshop.group_id.in_(group_ids), Workshop.status == WorkshopStatus.HELD)
        .subquery()
    )
    rows = db.session.execute(
        select(last.c.group_id, _attended_sum(), func.count())
        .join(Attendance, Attendance.workshop_id == last.c.id)
        .where(last.c.rank <= TREND_LENGTH)
        .group_by(last.c.group_id, last.c.id, last.c.date)
        .order_by(last.c.date, last.c.id)
    )
    trends = defaultdict(list)
    for group_id, attended, recorded in rows:
        trends[group_id].append(Rate(int(attended or 0), recorded))
    return trends


def _period_rates(group_ids: list[int], program: Program) -> dict[int, Rate]:
    """Return each group's attendance rate over the held workshops of the period (one query)."""
    rows = db.session.execute(
        select(Workshop.group_id, _attended_sum(), func.count())
        .join(Attendance, Attendance.workshop_id == Workshop.id)
        .where(
            Workshop.group_id.in_(group_ids),
            Workshop.status == WorkshopStatus.HELD,
            Workshop.date.between(program.period_start, program.period_end),
        )
        .group_by(Workshop.group_id)
    )
    return {group_id: Rate(int(attended or 0), count) for group_id, attended, count in rows}


def month_start(today: date) -> datetime:
    """Return the moment this month began where the program runs."""
    return datetime(today.year, today.month, 1, tzinfo=program_zone())


def _month_counts(user: User, group_ids: list[int], since: datetime) -> tuple[dict, dict]:
    """Return per group the notes the user may see added since `since`, and the "Nálam is"
    given to them since then (two queries)."""
    visible = visible_in_groups(user, group_ids)
    notes = db.session.execute(
        select(Note.group_id, func.count())
        .where(visible, Note.created_at >= since)
        .group_by(Note.group_id)
    )
    metoo = db.session.execute(
        select(Note.group_id, func.count(Reaction.id))
        .join(Reaction, Reaction.note_id == Note.id)
        .where(visible, Reaction.created_at >= since)
        .group_by(Note.group_id)
    )
    return dict(notes.all()), dict(metoo.all())


def group_rows(
    user: User, groups: list[Group], program: Program, today: date, tasks: dict[int, Tasks]
) -> list[GroupRow]:
    """Return the overview's row of each group, with its open tasks from `tasks` (open_tasks
    of at least these groups) (a fixed number of queries)."""
    ids = [group.id for group in groups]
    held = and_(Workshop.status == WorkshopStatus.HELD, Workshop.date <= today)
    last = _nearest(ids, held, (Workshop.date.desc(), Workshop.id.desc()))
    upcoming = next_per_group(ids, today)
    rates = _period_rates(ids, program)
    trends = _trends(ids)
    notes, metoo = _month_counts(user, ids, month_start(today))
    return [
        GroupRow(
            group=group,
            tasks=tasks[group.id],
            last=last.get(group.id),
            next=upcoming.get(group.id),
            rate=rates.get(group.id, Rate(0, 0)),
            trend=trends.get(group.id, []),
            notes_month=notes.get(group.id, 0),
            metoo_month=metoo.get(group.id, 0),
        )
        for group in groups
    ]


def next_workshops(group_ids: list[int] | None, today: date, limit: int = 10) -> list[Workshop]:
    """Return the next planned workshops of these groups (None: of all), in date order."""
    return list(
        db.session.scalars(
            select(Workshop)
            .where(
                in_groups(Workshop.group_id, group_ids),
                Workshop.status == WorkshopStatus.PLANNED,
                Workshop.date >= today,
            )
            .order_by(Workshop.date, Workshop.start_time, Workshop.id)
            .limit(limit)
        )
    )


def shared_difficulties(group_ids: list[int] | None, limit: int = 5) -> list[tuple[str, str, int]]:
    """Return the difficulties with the most "Nálam is" across these groups (None: all), as
    (title, group name, count): only what every member of the group sees (never mentor-only,
    hidden or deleted) and never who wrote it or who said "Nálam is"."""
    count = func.count(Reaction.id).label("metoo")
    rows = db.session.execute(
        select(Note.title, Group.name, count)
        .join(Reaction, Reaction.note_id == Note.id)
        .join(Group, Group.id == Note.group_id)
        .where(
            in_groups(Note.group_id, group_ids),
            Note.kind == NoteKind.DIFFICULTY,
            Note.deleted_at.is_(None),
            Note.hidden_at.is_(None),
            Note.mentor_only.is_(False),
        )
        .group_by(Note.id, Note.title, Group.name)
        .order_by(count.desc(), Note.id.desc())
        .limit(limit)
    )
    return [tuple(row) for row in rows]


@dataclass
class Changes:
    """What happened in one group since a moment."""

    planned: int = 0
    held: int = 0
    finalised: int = 0
    notes: int = 0
    replies: int = 0

    def __bool__(self) -> bool:
        """Tell whether anything happened."""
        return any((self.planned, self.held, self.finalised, self.notes, self.replies))


def changes_since(user: User, group_ids: list[int] | None, since: datetime) -> dict[int, Changes]:
    """Return, per group, what happened since `since` that the user may see: workshops planned
    and held, journals finalised, notes and replies added (four queries)."""
    changes = defaultdict(Changes)
    planned = Workshop.created_at > since
    held = and_(Workshop.status == WorkshopStatus.HELD, Workshop.updated_at > since)
    rows = db.session.execute(
        select(
            Workshop.group_id,
            func.sum(case((planned, 1), else_=0)),
            func.sum(case((held, 1), else_=0)),
        )
        .where(in_groups(Workshop.group_id, group_ids), or_(planned, held))
        .group_by(Workshop.group_id)
    )
    for group_id, new, done in rows:
        changes[group_id].planned, changes[group_id].held = int(new or 0), int(done or 0)
    finalised = db.session.execute(
        select(Workshop.group_id, func.count())
        .join(Journal, Journal.workshop_id == Workshop.id)
        .where(in_groups(Workshop.group_id, group_ids), Journal.finalised_at > since)
        .group_by(Workshop.group_id)
    )
    for group_id, count in finalised:
        changes[group_id].finalised = count
    visible = visible_in_groups(user, group_ids)
    notes = db.session.execute(
        select(Note.group_id, func.count())
        .where(visible, Note.created_at > since)
        .group_by(Note.group_id)
    )
    for group_id, count in notes:
        changes[group_id].notes = count
    replies = db.session.execute(
        select(Note.group_id, func.count(Reply.id))
        .join(Reply, Reply.note_id == Note.id)
        .where(visible, Reply.deleted_at.is_(None), Reply.created_at > since)
        .group_by(Note.group_id)
    )
    for group_id, count in replies:
        changes[group_id].replies = count
    return {group_id: change for group_id, change in changes.items() if change}


def next_per_group(group_ids: list[int], today: date) -> dict[int, Workshop]:
    """Return each group's next planned workshop from today (one query)."""
    coming = and_(Workshop.status == WorkshopStatus.PLANNED, Workshop.date >= today)
    return _nearest(group_ids, coming, (Workshop.date, Workshop.start_time, Workshop.id))
