"""Reads of the program overview: per group what is due, what is late and how attendance
goes; across groups the next workshops and the most shared difficulties; what changed since a
visit. Each read costs a fixed number of queries, however many groups there are."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache

from sqlalchemy import (
    Row,
    Select,
    and_,
    bindparam,
    case,
    func,
    literal_column,
    or_,
    select,
    union_all,
)

from journal.extensions import db
from journal.groups.queries import in_bound_groups
from journal.i18n import percent
from journal.models import (
    ME_TOO_KINDS,
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
OVERVIEW_COLUMNS = (TaskKind.UNCLOSED, TaskKind.JOURNAL, TaskKind.ATTENDANCE)

# The queries of a fixed shape are built once (functools.cache) with their values as bound
# parameters: building a statement cost more CPU than SQLAlchemy and SQLite took to run it.
# Only the SQL is kept; every request runs it anew.


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

    @property
    def columns(self) -> list[tuple[str, list[Task]]]:
        """Return (kind, its tasks) in the overview's column order: unclosed, journal,
        attendance (one pass over the tasks)."""
        columns: dict[str, list[Task]] = {kind: [] for kind in OVERVIEW_COLUMNS}
        for task in self.items:
            columns[task.kind].append(task)
        return list(columns.items())


@dataclass
class Trend:
    """A group's attendance over its last held workshops with records, oldest first, as a
    sparkline: its percentages and the points of its line in an 80 × 24 box (worked out here
    once per row, not by filters per point in the template)."""

    percents: list[int]

    @property
    def points(self) -> str:
        """Return the polyline's points, "x,y " each: x from 2 to 78, y from 22 (0 %) to 2
        (100 %)."""
        if len(self.percents) < 2:
            return ""
        step = 76 / (len(self.percents) - 1)
        return "".join(
            f"{2 + i * step:.1f},{22 - p * 0.2:.1f} " for i, p in enumerate(self.percents)
        )

    @property
    def text(self) -> str:
        """Return the percentages for screen readers: "80 %, 75 %"."""
        return ", ".join(percent(p) for p in self.percents)


@dataclass
class GroupRow:
    """One group on the overview."""

    group: Group
    tasks: Tasks
    last: Row | None = None  # id, date and topic of the last held workshop
    next: Row | None = None  # of the next planned one
    rate: Rate = field(default_factory=lambda: Rate(0, 0))
    trend: Trend = field(default_factory=lambda: Trend([]))
    notes_month: int = 0
    metoo_month: int = 0


def open_tasks(group_ids: list[int], today: date) -> dict[int, Tasks]:
    """Return each group's open tasks on `today`, oldest first (one query)."""
    return {group_id: Tasks(items) for group_id, items in tasks_of_groups(group_ids, today).items()}


@cache
def _workshop_lines_query() -> Select:
    """Build the query of each held and each coming planned workshop of the bound groups with
    its attendance counted, newest first: held ones by id on a tie, planned ones by start time
    (a group's next is then the last of its planned rows, in the database's own order of a
    missing start time)."""
    planned = Workshop.status == WorkshopStatus.PLANNED
    held = Workshop.status == WorkshopStatus.HELD
    return (
        select(
            Workshop.id,
            Workshop.group_id,
            Workshop.date,
            Workshop.topic,
            Workshop.status,
            _attended_sum(),
            func.count(Attendance.id),
        )
        .outerjoin(Attendance, Attendance.workshop_id == Workshop.id)
        .where(
            Workshop.group_id.in_(bindparam("group_ids", expanding=True)),
            or_(held, and_(planned, Workshop.date >= bindparam("today"))),
        )
        .group_by(Workshop.id)
        .order_by(
            Workshop.group_id,
            Workshop.date.desc(),
            case((planned, Workshop.start_time)).desc(),
            Workshop.id.desc(),
        )
    )


def _workshop_lines(group_ids: list[int], today: date, program: Program) -> dict[int, dict]:
    """Return, per group, its last held and next planned workshop (rows of id, date and topic),
    its attendance rate over the period's held workshops and its trend over its last held ones
    (one query)."""
    rows = db.session.execute(_workshop_lines_query(), {"group_ids": group_ids, "today": today})
    lines = {
        group_id: {"last": None, "next": None, "rate": Rate(0, 0), "trend": Trend([])}
        for group_id in group_ids
    }
    held: dict[int, int] = defaultdict(int)
    start, end = program.period_start, program.period_end
    period: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        line = lines[row.group_id]
        if row.status != WorkshopStatus.HELD:
            line["next"] = row
            continue
        attended, recorded = int(row[5] or 0), row[6]
        if line["last"] is None and row.date <= today:
            line["last"] = row
        if held[row.group_id] < TREND_LENGTH and recorded:
            line["trend"].percents.append(Rate(attended, recorded).percent)
        held[row.group_id] += 1
        if recorded and start <= row.date <= end:
            period[row.group_id][0] += attended
            period[row.group_id][1] += recorded
    for group_id, (attended, recorded) in period.items():
        lines[group_id]["rate"] = Rate(attended, recorded)
    for line in lines.values():
        line["trend"].percents.reverse()  # oldest first
    return lines


def month_start(today: date) -> datetime:
    """Return the moment this month began where the program runs."""
    return datetime(today.year, today.month, 1, tzinfo=program_zone())


def _month_counts(user: User, group_ids: list[int], since: datetime) -> tuple[dict, dict]:
    """Return per group the notes the user may see added since `since`, and the "Nálam is"
    given to them since then (one query)."""
    visible = visible_in_groups(user, group_ids)
    rows = db.session.execute(
        union_all(
            select(literal_column("0"), Note.group_id, func.count())
            .where(visible, Note.created_at >= since)
            .group_by(Note.group_id),
            select(literal_column("1"), Note.group_id, func.count(Reaction.id))
            .join(Reaction, Reaction.note_id == Note.id)
            .where(visible, Note.kind.in_(ME_TOO_KINDS), Reaction.created_at >= since)
            .group_by(Note.group_id),
        )
    )
    counts: tuple[dict, dict] = ({}, {})
    for kind, group_id, count in rows:
        counts[kind][group_id] = count
    return counts


def group_rows(
    user: User, groups: list[Group], program: Program, today: date, tasks: dict[int, Tasks]
) -> list[GroupRow]:
    """Return the overview's row of each group, with its open tasks from `tasks` (open_tasks
    of at least these groups) (a fixed number of queries)."""
    ids = [group.id for group in groups]
    lines = _workshop_lines(ids, today, program)
    notes, metoo = _month_counts(user, ids, month_start(today))
    return [
        GroupRow(
            group=group,
            tasks=tasks[group.id],
            **lines[group.id],
            notes_month=notes.get(group.id, 0),
            metoo_month=metoo.get(group.id, 0),
        )
        for group in groups
    ]


@cache
def _next_workshops_query(every: bool) -> Select:
    """Build the query of the next planned workshops of the bound groups (every: of all) from
    the bound day, in date order, at most the bound limit."""
    return (
        select(
            Workshop.id,
            Workshop.date,
            Workshop.start_time,
            Workshop.topic,
            Group.name.label("group_name"),
        )
        .join(Group, Group.id == Workshop.group_id)
        .where(
            in_bound_groups(Workshop.group_id, every),
            Workshop.status == WorkshopStatus.PLANNED,
            Workshop.date >= bindparam("today"),
        )
        .order_by(Workshop.date, Workshop.start_time, Workshop.id)
        .limit(bindparam("limit"))
    )


def next_workshops(group_ids: list[int] | None, today: date, limit: int = 10) -> list[Row]:
    """Return the next planned workshops of these groups (None: of all), in date order, as rows
    of id, date, start time, topic and group name."""
    values = {"today": today, "limit": limit} | (
        {} if group_ids is None else {"group_ids": group_ids}
    )
    return list(db.session.execute(_next_workshops_query(group_ids is None), values))


@cache
def _shared_difficulties_query(every: bool) -> Select:
    """Build the query of the difficulties with the most "Nálam is" in the bound groups (every:
    in all), at most the bound limit."""
    count = func.count(Reaction.id).label("metoo")
    return (
        select(Note.title, Group.name, count)
        .join(Reaction, Reaction.note_id == Note.id)
        .join(Group, Group.id == Note.group_id)
        .where(
            in_bound_groups(Note.group_id, every),
            Note.kind == NoteKind.DIFFICULTY,
            Note.deleted_at.is_(None),
            Note.hidden_at.is_(None),
            Note.mentor_only.is_(False),
        )
        .group_by(Note.id, Note.title, Group.name)
        .order_by(count.desc(), Note.id.desc())
        .limit(bindparam("limit"))
    )


def shared_difficulties(group_ids: list[int] | None, limit: int = 5) -> list[tuple[str, str, int]]:
    """Return the difficulties with the most "Nálam is" across these groups (None: all), as
    (title, group name, count): only what every member of the group sees (never mentor-only,
    hidden or deleted) and never who wrote it or who said "Nálam is"."""
    values = {"limit": limit} | ({} if group_ids is None else {"group_ids": group_ids})
    rows = db.session.execute(_shared_difficulties_query(group_ids is None), values)
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


@cache
def _workshop_changes(every: bool) -> tuple[Select, ...]:
    """Build the counts, per group of the bound ones (every: of all), of the workshops planned
    and held and the journals finalised since the bound moment, each row led by its kind; what
    the bound user did (planned, finalised) is not news to them."""
    in_these = in_bound_groups(Workshop.group_id, every)
    since, me = bindparam("since"), bindparam("me")
    return (
        select(literal_column("0"), Workshop.group_id, func.count())
        .where(in_these, Workshop.created_at > since, Workshop.created_by_id.is_distinct_from(me))
        .group_by(Workshop.group_id),
        select(literal_column("1"), Workshop.group_id, func.count())
        .where(in_these, Workshop.status == WorkshopStatus.HELD, Workshop.updated_at > since)
        .group_by(Workshop.group_id),
        select(literal_column("2"), Workshop.group_id, func.count())
        .join(Journal, Journal.workshop_id == Workshop.id)
        .where(in_these, Journal.finalised_at > since, Journal.finalised_by_id.is_distinct_from(me))
        .group_by(Workshop.group_id),
    )


def changes_since(user: User, group_ids: list[int] | None, since: datetime) -> dict[int, Changes]:
    """Return, per group, what happened since `since` that the user may see and did not do
    themselves: workshops planned and held, journals finalised, notes and replies added (one
    query)."""
    visible = visible_in_groups(user, group_ids)  # the user's own: built per call
    moment = bindparam("since")
    counts = [
        *_workshop_changes(group_ids is None),
        select(literal_column("3"), Note.group_id, func.count())
        .where(visible, Note.created_at > moment, Note.author_id != user.id)
        .group_by(Note.group_id),
        select(literal_column("4"), Note.group_id, func.count(Reply.id))
        .join(Reply, Reply.note_id == Note.id)
        .where(visible, Reply.deleted_at.is_(None), Reply.created_at > moment)
        .where(Reply.author_id != user.id)
        .group_by(Note.group_id),
    ]
    values = {"since": since, "me": user.id}
    values |= {} if group_ids is None else {"group_ids": group_ids}
    fields = ("planned", "held", "finalised", "notes", "replies")
    changes: dict[int, Changes] = defaultdict(Changes)
    for kind, group_id, count in db.session.execute(union_all(*counts), values):
        setattr(changes[group_id], fields[kind], count)
    return {group_id: change for group_id, change in changes.items() if change}


@cache
def _next_per_group_query() -> Select:
    """Build the query of each bound group's first planned workshop from the bound day."""
    rank = func.row_number().over(
        partition_by=Workshop.group_id, order_by=(Workshop.date, Workshop.start_time, Workshop.id)
    )
    ranked = (
        select(Workshop.id, Workshop.group_id, Workshop.date, Workshop.topic, rank.label("rank"))
        .where(
            Workshop.group_id.in_(bindparam("group_ids", expanding=True)),
            Workshop.status == WorkshopStatus.PLANNED,
            Workshop.date >= bindparam("today"),
        )
        .subquery()
    )
    return select(ranked).where(ranked.c.rank == 1)


def next_per_group(group_ids: list[int], today: date) -> dict[int, Row]:
    """Return each group's next planned workshop from today, as a row of its id, date and
    topic (one query)."""
    rows = db.session.execute(_next_per_group_query(), {"group_ids": group_ids, "today": today})
    return {row.group_id: row for row in rows}
