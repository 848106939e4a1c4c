"""Reads of shared notes, always filtered by what the user may see."""

import hashlib
from dataclasses import asdict, dataclass
from datetime import timedelta

from flask import g
from sqlalchemy import and_, func, or_, select, true
from sqlalchemy.orm import joinedload, lazyload, selectinload

from journal.extensions import db
from journal.forms import positive_int
from journal.groups.queries import in_groups
from journal.i18n import person_key, sort_hungarian
from journal.models import (
    Group,
    Membership,
    Note,
    NoteKind,
    Reaction,
    Reply,
    Role,
    User,
    Workshop,
    utcnow,
)
from journal.permissions import current_memberships, is_coordinator, mentored_group_ids

PAGE_SIZE = 20
BOARD_ORDER = (Note.created_at.desc(), Note.id.desc())  # newest first
RESTORE_WINDOW = timedelta(days=30)
DELETED_NOTICE = timedelta(minutes=10)  # how long a deleted note stays on the board as a notice


def visible_in_groups(user: User, group_ids: list[int] | None):
    """Return the SQL condition for live notes of these groups (None: of every group) the user
    may see.

    It mirrors `can_view_note` for notes that are not deleted: the author sees their own,
    mentors see mentor-only and hidden ones, members and the coordinator the rest.
    """
    memberships = current_memberships(user) if user.is_authenticated else []
    mentored = sorted(mentored_group_ids(user))
    if is_coordinator(user):
        others = or_(Note.group_id.in_(mentored), Note.mentor_only.is_(False))
    else:
        member = [m.group_id for m in memberships]
        shared = and_(
            Note.group_id.in_(member), Note.mentor_only.is_(False), Note.hidden_at.is_(None)
        )
        others = or_(Note.group_id.in_(mentored), shared)
    return and_(
        in_groups(Note.group_id, group_ids),
        Note.deleted_at.is_(None),
        or_(Note.author_id == user.id, others),
    )


@dataclass
class BoardFilters:
    """The board's filters and page, as read from the query string."""

    kind: str = ""
    workshop: int | None = None
    author: int | None = None
    page: int = 1

    @classmethod
    def from_args(cls, args) -> "BoardFilters":
        """Read the filters, ignoring anything malformed."""
        kind = args.get("kind", "")
        if kind not in {k.value for k in NoteKind}:
            kind = ""

        workshop, author, page = (positive_int(args.get(n)) for n in ("workshop", "author", "page"))
        return cls(kind, workshop, author, page or 1)

    def query_args(self, **changes) -> dict:
        """Return the non-empty filters as URL arguments, with some changed."""
        values = asdict(self) | {"page": self.page if self.page > 1 else None} | changes
        return {k: v for k, v in values.items() if v}


def _with_everything(query, grouped: bool = False):
    """Load what a note's fragment shows, a constant number of queries whatever the count:
    each collection in one more query, with its people joined in, and the note's author and
    workshop joined in too (one row each, no product) unless the query groups its rows
    (PostgreSQL would refuse the joined columns there), then in two more."""
    load = selectinload if grouped else joinedload
    return query.options(
        load(Note.author),
        load(Note.workshop),
        selectinload(Note.replies).joinedload(Reply.author),
        selectinload(Note.reactions).joinedload(Reaction.user),
    )


@dataclass
class BoardPage:
    """One page of the board; newest is the highest note id under its filters (what is new
    to someone looking at it is above it)."""

    notes: list[Note]
    page: int
    pages: int
    total: int
    newest: int = 0


def _board_condition(user: User, group: Group, filters: BoardFilters, condition=None):
    """Return the SQL condition for the notes the user may see under the board's filters (or
    for those of another condition)."""
    if condition is None:
        condition = visible_in_groups(user, [group.id])
    if filters.kind:
        condition = and_(condition, Note.kind == NoteKind(filters.kind))
    if filters.workshop:
        condition = and_(condition, Note.workshop_id == filters.workshop)
    if filters.author:
        condition = and_(condition, Note.author_id == filters.author)
    return condition


def _after(note: Note):
    """Return the SQL condition for notes newer than `note` in the board's order."""
    return or_(
        Note.created_at > note.created_at,
        and_(Note.created_at == note.created_at, Note.id > note.id),
    )


def board(user: User, group: Group, filters: BoardFilters) -> BoardPage:
    """Return a page of the notes the user may see, newest first, with the notes the user
    deleted a moment ago in their places (a notice with its way back, whatever refreshes the
    list: its poll, a note posted). Notices are not counted: a page holds PAGE_SIZE notes and
    the notices between its first note and the next page's."""
    condition = _board_condition(user, group, filters)
    total, newest = db.session.execute(
        select(func.count(Note.id), func.max(Note.id)).where(condition)
    ).one()
    pages = pages_of(total)
    page = min(filters.page, pages)
    notes = db.session.scalars(
        _with_everything(
            select(Note)
            .where(condition)
            .order_by(*BOARD_ORDER)
            .limit(PAGE_SIZE + 1)  # the next page's first note bounds this page's notices
            .offset((page - 1) * PAGE_SIZE)
        )
    ).all()
    notes, following = list(notes[:PAGE_SIZE]), notes[PAGE_SIZE:]
    just_deleted = and_(
        Note.group_id == group.id,
        Note.author_id == user.id,
        Note.deleted_at > utcnow() - DELETED_NOTICE,
    )
    bounds = [_after(following[0])] if following else []
    if page > 1 and notes:
        bounds.append(~_after(notes[0]))
    notices = db.session.scalars(
        select(Note).where(_board_condition(user, group, filters, just_deleted), *bounds)
    ).all()
    if notices:
        notes = sorted(notes + list(notices), key=lambda n: (n.created_at, n.id), reverse=True)
    return BoardPage(notes, page, pages, total, newest or 0)


def pages_of(total: int) -> int:
    """Return how many pages the board's notes fill (at least one)."""
    return max(1, -(-total // PAGE_SIZE))


def board_count(user: User, group: Group, filters: BoardFilters) -> BoardPage:
    """Return the board's count and pages under the filters, without its notes: what a
    deletion or a restoring changes beside the note."""
    condition = _board_condition(user, group, filters)
    total = db.session.scalar(select(func.count(Note.id)).where(condition))
    pages = pages_of(total)
    return BoardPage([], min(filters.page, pages), pages, total)


def count_newer(user: User, group: Group, filters: BoardFilters, newest: int) -> int:
    """Count the notes of others under the filters added after the note `newest` (a note the
    user posts goes on top of the list at once)."""
    condition = and_(
        _board_condition(user, group, filters), Note.id > newest, Note.author_id != user.id
    )
    return db.session.scalar(select(func.count(Note.id)).where(condition)) or 0


def _token(values) -> str:
    """Return the short token of the board's state (its counts and last changes)."""
    return hashlib.blake2s(repr(tuple(values)).encode(), digest_size=8).hexdigest()


def _state_parts(user: User, group: Group, posted: Note | None = None) -> tuple:
    """Return the visible notes' condition and the parts of the board's state, one row each:
    the notes' count and last change (and, given a note just posted, the same without it), the
    count and newest id of their replies and of their reactions (a withdrawn "Nálam is" lowers
    the count). Each part reads the visible notes once; on SQLite from the index ix_note_board
    alone, not the table's rows."""
    visible = visible_in_groups(user, [group.id])
    columns = [func.count(Note.id), func.max(Note.updated_at)]
    if posted is not None:
        others = Note.id != posted.id
        columns += [column.filter(others) for column in columns]
    replies = (
        select(func.count(Reply.id), func.max(Reply.id))
        .join(Note, Reply.note_id == Note.id)
        .where(visible, Reply.deleted_at.is_(None))
    )
    reactions = (
        select(func.count(Reaction.id), func.max(Reaction.id))
        .join(Note, Reaction.note_id == Note.id)
        .where(visible)
    )
    parts = [part.subquery() for part in (select(*columns).where(visible), replies, reactions)]
    return visible, parts, parts[0].join(parts[1], true()).join(parts[2], true())


def board_token(user: User, group: Group) -> str:
    """Return a short token that changes whenever anything the user sees on the board changes
    (one statement)."""
    _visible, parts, one_row_each = _state_parts(user, group)
    return _token(db.session.execute(select(*parts).select_from(one_row_each)).one())


@dataclass
class PostedBoard:
    """The board's unfiltered first page just after the user posted a note, read in one
    statement, so in one snapshot even while others write: its token before the note and now,
    its count now, and the note that went on to the next page (if the page was full)."""

    before: str
    token: str
    total: int
    dropped: int | None


def posted_board(user: User, group: Group, note: Note) -> PostedBoard:
    """Return the board's state just after the user posted the note (flushed)."""
    visible, parts, one_row_each = _state_parts(user, group, note)
    next_page = select(Note.id).where(visible).order_by(*BOARD_ORDER).offset(PAGE_SIZE).limit(1)
    row = db.session.execute(
        select(*parts, next_page.scalar_subquery()).select_from(one_row_each)
    ).one()
    total, last, total_before, last_before, *others, dropped = row
    return PostedBoard(
        before=_token((total_before, last_before, *others)),
        token=_token((total, last, *others)),
        total=total,
        dropped=dropped,
    )


def shared_difficulties(user: User, group: Group) -> list[Note]:
    """Return the visible difficulties of the group, those with the most "Nálam is" first."""
    count = func.count(Reaction.id)
    return db.session.scalars(
        _with_everything(
            select(Note)
            .outerjoin(Reaction, Reaction.note_id == Note.id)
            .where(visible_in_groups(user, [group.id]), Note.kind == NoteKind.DIFFICULTY)
            .group_by(Note.id)
            .order_by(count.desc(), Note.created_at.desc()),
            grouped=True,
        )
    ).all()


def deleted_notes(user: User, group: Group) -> list[Note]:
    """Return the user's own notes in the group deleted within the restore window."""
    return list(
        db.session.scalars(
            select(Note)
            .where(
                Note.group_id == group.id,
                Note.author_id == user.id,
                Note.deleted_at > utcnow() - RESTORE_WINDOW,
            )
            .order_by(Note.deleted_at.desc())
        )
    )


def note_with_everything(note_id: int) -> Note | None:
    """Load one note with what its fragment shows."""
    return db.session.scalar(_with_everything(select(Note).where(Note.id == note_id)))


def note_for_reaction(note_id: int) -> Note | None:
    """Load one note with what its "Nálam is" fragment shows: its group joined in, and its
    reactions with their people in one query when first read (after the reaction is written)."""
    return db.session.scalar(
        select(Note)
        .where(Note.id == note_id)
        .options(joinedload(Note.group), lazyload(Note.reactions).joinedload(Reaction.user))
    )


def mentor_ids(group_id: int) -> frozenset[int]:
    """Return the ids of the group's current mentors, once per request."""
    cache = g.setdefault("note_mentor_ids", {})
    if group_id not in cache:
        cache[group_id] = frozenset(
            db.session.scalars(
                select(Membership.user_id).where(
                    Membership.group_id == group_id,
                    Membership.role == Role.MENTOR,
                    Membership.current(),
                )
            )
        )
    return cache[group_id]


def group_workshops(group: Group) -> list[Workshop]:
    """Return the group's workshops, newest first, for the note form and the filter."""
    return list(
        db.session.scalars(
            select(Workshop)
            .where(Workshop.group_id == group.id)
            .order_by(Workshop.date.desc(), Workshop.id.desc())
        )
    )


def note_authors(user: User, group: Group) -> list[User]:
    """Return the people who wrote notes the user can see, in Hungarian order."""
    authors = db.session.scalars(
        select(User).where(
            User.id.in_(select(Note.author_id).where(visible_in_groups(user, [group.id])))
        )
    )
    return sort_hungarian(authors, key=person_key)


def report_notes(group: Group) -> list[Note]:
    """Return the notes the mentor picked for the report whose authors still consent.

    Mentor-only, deleted and hidden notes never reach a report.
    """
    return list(
        db.session.scalars(
            _with_everything(
                select(Note)
                .where(
                    Note.group_id == group.id,
                    Note.in_report.is_(True),
                    Note.report_consent_withdrawn.is_(False),
                    Note.mentor_only.is_(False),
                    Note.deleted_at.is_(None),
                    Note.hidden_at.is_(None),
                )
                .order_by(Note.created_at)
            )
        )
    )
