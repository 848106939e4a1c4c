"""Writes for workshops, attendance, guests and calendar links: flush, never commit."""

from dataclasses import dataclass
from datetime import date, time

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from journal.domain import (  # noqa: F401 (views use operations.*)
    HeldWithRecords,
    NotAllowed,
    NotYet,
    OutsidePeriod,
    StaleVersion,
    WasCancelled,
    versioned_update,
)
from journal.extensions import db
from journal.methods.operations import method_named, plan_step
from journal.models import (
    Attendance,
    AttendanceStatus,
    Group,
    Guest,
    Membership,
    User,
    Workshop,
    WorkshopStatus,
    utcnow,
)
from journal.permissions import can_manage_workshops, can_record_attendance
from journal.program.operations import widen_period


@dataclass
class WorkshopData:
    """The editable fields of a workshop."""

    date: date
    start_time: time | None
    end_time: time | None
    place: str
    topic: str
    agenda: str
    methods: str
    # The plan: library methods by name (one not in the library yet is added), with minutes.
    plan: tuple[tuple[str, int | None], ...] = ()


def _columns(data: WorkshopData) -> dict:
    """Return the edited fields as stored: texts trimmed, and the free methods one per line,
    without blank lines or surrounding spaces."""
    return {
        "date": data.date,
        "start_time": data.start_time,
        "end_time": data.end_time,
        "place": data.place.strip(),
        "topic": data.topic.strip(),
        "agenda": data.agenda.strip(),
        "methods": "\n".join(line.strip() for line in data.methods.splitlines() if line.strip()),
    }


def _within_period(group: Group, day: date, widen: bool) -> None:
    """Refuse a day outside the program's period unless the user confirmed to widen it; then
    widen it (a workshop outside the period would vanish from every summary)."""
    program = group.program
    if program.period_start <= day <= program.period_end:
        return
    if not widen:
        raise OutsidePeriod(program, day)
    widen_period(program, day)


def create_workshop(user: User, group: Group, data: WorkshopData, widen: bool = False) -> Workshop:
    """Add a planned workshop to the group; a day outside the program's period needs `widen`,
    which stretches the period to it."""
    if not can_manage_workshops(user, group):
        raise NotAllowed
    _within_period(group, data.date, widen)
    workshop = Workshop(
        group=group, **_columns(data), status=WorkshopStatus.PLANNED, created_by_id=user.id
    )
    db.session.add(workshop)
    db.session.flush()
    _set_plan(user, workshop, data.plan)
    return workshop


def _set_plan(user: User, workshop: Workshop, plan: tuple[tuple[str, int | None], ...]) -> None:
    """Make the workshop's plan these methods with their minutes (left blank: the library's
    for the method), in this order; a method named twice is kept once, where it first came."""
    steps, seen = [], set()
    for name, minutes in plan:
        method = method_named(user, name)
        if method.id not in seen:
            seen.add(method.id)
            steps.append(plan_step(method, minutes, len(steps)))
    current = [(s.method_id, s.minutes) for s in workshop.plan]
    if current == [(s.method_id, s.minutes) for s in steps]:
        return
    workshop.plan.clear()
    db.session.flush()  # the old steps go before the new ones take their places
    workshop.plan.extend(steps)
    db.session.flush()


def _versioned_update(workshop: Workshop, base_version: int, **values) -> None:
    """Write the values only if the stored version is still the base version.

    The check and the write are one UPDATE, so two saves racing from the same version can
    never both succeed, on any database.
    """
    if not versioned_update(workshop, base_version, updated_at=utcnow(), **values):
        raise StaleVersion(workshop)


def update_workshop(
    user: User, workshop: Workshop, base_version: int, data: WorkshopData, widen: bool = False
) -> None:
    """Save the edited fields, unless someone saved a newer version meanwhile; a day outside
    the program's period needs `widen`, which stretches the period to it."""
    if not can_manage_workshops(user, workshop.group):
        raise NotAllowed
    _within_period(workshop.group, data.date, widen)
    _versioned_update(workshop, base_version, **_columns(data))
    _set_plan(user, workshop, data.plan)


def cancel_workshop(
    user: User, workshop: Workshop, base_version: int, reason: str, confirmed: bool = False
) -> None:
    """Mark the workshop cancelled, with the reason. A held one with attendance or a journal
    needs `confirmed`: they would leave every summary (HeldWithRecords says what is there)."""
    if not can_manage_workshops(user, workshop.group):
        raise NotAllowed
    if workshop.status == WorkshopStatus.HELD and not confirmed:
        attendance = db.session.scalar(
            select(func.count()).where(Attendance.workshop_id == workshop.id)
        )
        if attendance or workshop.journal is not None:
            raise HeldWithRecords(attendance, workshop.journal)
    _versioned_update(
        workshop, base_version, status=WorkshopStatus.CANCELLED, cancel_reason=reason.strip()
    )


def mark_held(user: User, workshop: Workshop, base_version: int) -> None:
    """Mark the workshop held (also a cancelled one that took place after all), from its day."""
    if not can_manage_workshops(user, workshop.group):
        raise NotAllowed
    if not workshop.has_begun:
        raise NotYet
    _versioned_update(workshop, base_version, status=WorkshopStatus.HELD, cancel_reason="")


def _check_takes_attendance(workshop: Workshop) -> None:
    """Raise NotYet before the workshop's day, WasCancelled for a cancelled workshop."""
    if not workshop.has_begun:
        raise NotYet
    if not workshop.takes_attendance:
        raise WasCancelled


def set_attendance(
    user: User, workshop: Workshop, attendee: Membership, status: AttendanceStatus
) -> Attendance:
    """Record one participant's presence; setting it again just changes it."""
    if not can_record_attendance(user, workshop.group):
        raise NotAllowed
    _check_takes_attendance(workshop)

    def existing() -> Attendance | None:
        """Return the stored row for this workshop and person."""
        return db.session.scalar(
            select(Attendance).where(
                Attendance.workshop_id == workshop.id, Attendance.user_id == attendee.user_id
            )
        )

    row = existing()
    if row is None:
        # Two taps racing can both try to insert; the unique constraint lets one win and the
        # other then updates the winner's row.
        try:
            with db.session.begin_nested():
                row = Attendance(
                    workshop_id=workshop.id,
                    user_id=attendee.user_id,
                    status=status,
                    recorded_by_id=user.id,
                )
                db.session.add(row)
        except IntegrityError:
            row = existing()
    row.status = status
    row.recorded_by_id = user.id
    row.recorded_at = utcnow()
    db.session.flush()
    return row


def add_guest(user: User, workshop: Workshop, name: str, institution: str) -> Guest:
    """Add a guest who is not a member of the group (from the workshop's day)."""
    if not can_record_attendance(user, workshop.group):
        raise NotAllowed
    _check_takes_attendance(workshop)
    guest = Guest(workshop_id=workshop.id, name=name.strip(), institution=institution.strip())
    db.session.add(guest)
    db.session.flush()
    return guest


def remove_guest(user: User, workshop: Workshop, guest_id: int) -> bool:
    """Remove a guest of this workshop; tell whether there was one to remove."""
    if not can_record_attendance(user, workshop.group):
        raise NotAllowed
    guest = db.session.get(Guest, guest_id)
    if guest is None or guest.workshop_id != workshop.id:
        return False
    db.session.delete(guest)
    db.session.flush()
    return True


def renew_calendar_link(membership: Membership) -> None:
    """Revoke the member's calendar link by moving to the next generation."""
    db.session.execute(
        update(Membership)
        .where(Membership.id == membership.id)
        .values(calendar_generation=Membership.calendar_generation + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(membership)
