"""Reads for workshops and attendance; each costs a fixed number of queries."""

from dataclasses import dataclass

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import joinedload

from journal.extensions import db
from journal.i18n import person_key, rounded, sort_hungarian
from journal.models import (
    Attendance,
    AttendanceStatus,
    Group,
    Guest,
    Membership,
    Role,
    User,
    Workshop,
    WorkshopStatus,
    local_today,
)
from journal.permissions import can_view_workshop, require_visible

PAST_PER_PAGE = 20
ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)


def visible_workshop(user: User, workshop_id: int) -> Workshop | None:
    """Return the workshop with its group if the user may see it, else None."""
    workshop = db.session.scalar(
        select(Workshop).where(Workshop.id == workshop_id).options(joinedload(Workshop.group))
    )
    if workshop is None or not can_view_workshop(user, workshop):
        return None
    return workshop


def visible_workshop_or_404(user: User, workshop_id: int) -> Workshop:
    """Return the workshop (with its group) if the user may see it, else answer 404.

    The one loader of the workshop and journal views.
    """
    workshop = visible_workshop(user, workshop_id)
    require_visible(workshop is not None)
    return workshop


def upcoming_workshops(group: Group) -> list[Workshop]:
    """Return the group's workshops from today on, soonest first."""
    return list(
        db.session.scalars(
            select(Workshop)
            .where(Workshop.group_id == group.id, Workshop.date >= local_today())
            .options(joinedload(Workshop.journal))  # today's may be held: its journal status
            .order_by(Workshop.date, Workshop.start_time, Workshop.id)
        )
    )


@dataclass
class PastPage:
    """One page of a group's past workshops, newest first."""

    items: list[Workshop]
    page: int
    pages: int


def past_workshops(group: Group, page: int) -> PastPage:
    """Return a page of the group's workshops before today, newest first (two queries)."""
    where = (Workshop.group_id == group.id, Workshop.date < local_today())
    total = db.session.scalar(select(func.count()).select_from(Workshop).where(*where)) or 0
    pages = max(1, -(-total // PAST_PER_PAGE))
    page = min(max(1, page), pages)
    items = list(
        db.session.scalars(
            select(Workshop)
            .where(*where)
            .options(joinedload(Workshop.journal))  # its status, in the same query
            .order_by(Workshop.date.desc(), Workshop.start_time.desc(), Workshop.id.desc())
            .limit(PAST_PER_PAGE)
            .offset((page - 1) * PAST_PER_PAGE)
        )
    )
    return PastPage(items, page, pages)


@dataclass
class Rate:
    """How many of the recorded attendances were attended (present or late)."""

    attended: int
    recorded: int

    @property
    def percent(self) -> int | None:
        """Return the rate in whole percent, or None when nothing is recorded."""
        return int(rounded(100 * self.attended / self.recorded)) if self.recorded else None


def _attended_sum():
    """Return the SQL sum of attended rows (present or late)."""
    return func.sum(case((Attendance.status.in_(ATTENDED), 1), else_=0))


def workshop_rates(workshop_ids: list[int]) -> dict[int, Rate]:
    """Return the attendance rate of each held workshop among these, in one query."""
    if not workshop_ids:
        return {}
    rows = db.session.execute(
        select(Attendance.workshop_id, _attended_sum(), func.count())
        .join(Workshop, Workshop.id == Attendance.workshop_id)
        .where(Attendance.workshop_id.in_(workshop_ids), Workshop.status == WorkshopStatus.HELD)
        .group_by(Attendance.workshop_id)
    )
    return {wid: Rate(int(attended or 0), count) for wid, attended, count in rows}


def participant_rates(group: Group) -> dict[int, Rate]:
    """Return each user's attendance rate over the group's held workshops, in one query."""
    rows = db.session.execute(
        select(Attendance.user_id, _attended_sum(), func.count())
        .join(Workshop, Workshop.id == Attendance.workshop_id)
        .where(Workshop.group_id == group.id, Workshop.status == WorkshopStatus.HELD)
        .group_by(Attendance.user_id)
    )
    return {uid: Rate(int(attended or 0), count) for uid, attended, count in rows}


def others_rated(group: Group, rates: dict[int, Rate], listed: set[int]) -> list[Membership]:
    """Return, in Hungarian order, the memberships of the people with an attendance rate in
    the group who are not among the participants `listed` (they left, their login was
    disabled, or they mentor it now): their attendance counts in the group's rate."""
    others = [uid for uid in rates if uid not in listed]
    rows = db.session.scalars(
        select(Membership)
        .where(Membership.group_id == group.id, Membership.user_id.in_(others))
        .options(joinedload(Membership.user))
    ).all()
    return sort_hungarian(rows, key=lambda m: person_key(m.user))


def _on_the_day(workshop: Workshop):
    """Return the SQL condition for a participant of the workshop: a member of its group on
    its day (so nobody who joined later or had left by then), or anyone recorded there."""
    recorded = select(Attendance.user_id).where(Attendance.workshop_id == workshop.id)
    return and_(
        Membership.group_id == workshop.group_id,
        Membership.role == Role.PARTICIPANT,
        or_(Membership.in_force_during(workshop.date), Membership.user_id.in_(recorded)),
    )


def attendees(workshop: Workshop) -> list[Membership]:
    """Return the workshop's participants (with users), in Hungarian order (one query):
    members of the group on its day with an active account, and anyone recorded there."""
    return attendees_with_status(workshop)[0]


def attendees_with_status(
    workshop: Workshop,
) -> tuple[list[Membership], dict[int, AttendanceStatus]]:
    """Return the workshop's participants (see attendees) and the status recorded for each of
    them (by user id), in one query."""
    rows = db.session.execute(
        select(Membership, Attendance.status)
        .join(
            Attendance,
            and_(Attendance.workshop_id == workshop.id, Attendance.user_id == Membership.user_id),
            isouter=True,
        )
        .where(_on_the_day(workshop))
        .options(joinedload(Membership.user))
    ).all()
    # A recorded attendance always has a status: None means nothing was recorded.
    members = sort_hungarian(
        [m for m, status in rows if m.user.active or status is not None],
        key=lambda m: person_key(m.user),
    )
    return members, {m.user_id: status for m, status in rows if status is not None}


def attendance_by_user(workshop: Workshop) -> dict[int, AttendanceStatus]:
    """Return the recorded status of each attendee of the workshop, in one query."""
    rows = db.session.execute(
        select(Attendance.user_id, Attendance.status).where(Attendance.workshop_id == workshop.id)
    )
    return {key: value for key, value in rows}


def has_records(workshop: Workshop) -> bool:
    """Tell whether any attendance or guest is recorded for the workshop."""
    attendance = select(Attendance.id).where(Attendance.workshop_id == workshop.id)
    guests = select(Guest.id).where(Guest.workshop_id == workshop.id)
    return bool(db.session.scalar(select(attendance.exists() | guests.exists())))


def guests_of(workshop: Workshop) -> list[Guest]:
    """Return the workshop's guests in the order they were added."""
    return list(
        db.session.scalars(select(Guest).where(Guest.workshop_id == workshop.id).order_by(Guest.id))
    )


def attendee(workshop: Workshop, user_id: int) -> Membership | None:
    """Return the membership of this participant of the workshop (see attendees)."""
    return db.session.scalar(
        select(Membership)
        .where(_on_the_day(workshop), Membership.user_id == user_id)
        .options(joinedload(Membership.user))
    )


def own_membership(user: User, group: Group) -> Membership | None:
    """Return the user's current membership in the group, if any."""
    return db.session.scalar(
        select(Membership).where(
            Membership.user_id == user.id, Membership.group_id == group.id, Membership.current()
        )
    )


def group_workshops_for_feed(group: Group) -> list[Workshop]:
    """Return every workshop of the group for its calendar feed, oldest first."""
    return list(
        db.session.scalars(
            select(Workshop)
            .where(Workshop.group_id == group.id)
            .order_by(Workshop.date, Workshop.id)
        )
    )


def group_page_context(user: User, group: Group, page: int) -> dict:
    """Return what the group page shows about workshops, attendance and the calendar link."""
    from journal.links import public_url
    from journal.permissions import can_follow_journals, can_manage_workshops
    from journal.workshops.ics import feed_token

    past = past_workshops(group, page)
    membership = own_membership(user, group)
    rates = participant_rates(group)
    return {
        "upcoming_workshops": upcoming_workshops(group),
        "past_workshops": past,
        "workshop_rates": workshop_rates([w.id for w in past.items]),
        "participant_rates": rates,
        "may_manage_workshops": can_manage_workshops(user, group),
        "may_follow_journals": can_follow_journals(user, group),
        "calendar_url": (
            public_url("workshops.feed", feed_token=feed_token(membership)) if membership else None
        ),
    }


def participation(person: User, group: Group) -> list[tuple[Workshop, AttendanceStatus | None]]:
    """Return the group's held workshops while the person was its member (or where they were
    recorded), oldest first, each with their recorded attendance (one query)."""
    rows = db.session.execute(
        select(Workshop, Attendance.status)
        .outerjoin(
            Membership,
            and_(Membership.group_id == Workshop.group_id, Membership.user_id == person.id),
        )
        .outerjoin(
            Attendance,
            and_(Attendance.workshop_id == Workshop.id, Attendance.user_id == person.id),
        )
        .where(
            Workshop.group_id == group.id,
            Workshop.status == WorkshopStatus.HELD,
            or_(Membership.in_force_during(Workshop.date), Attendance.id.is_not(None)),
        )
        .order_by(Workshop.date, Workshop.id)
    )
    return [(workshop, status) for workshop, status in rows]


def rate_of(statuses: list[AttendanceStatus | None]) -> Rate:
    """Return the attendance rate of these recorded statuses (None: not recorded)."""
    recorded = [status for status in statuses if status is not None]
    return Rate(sum(status in ATTENDED for status in recorded), len(recorded))
