"""What every feature's operations raise, and the one versioned write they all use.

Views catch these where they have a better answer (a form with both texts, say); anything
uncaught is answered once, in journal/errors.py: NotAllowed 403, StaleVersion 409, NotYet 422.
"""

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm.attributes import set_committed_value

from journal.extensions import db
from journal.search import index as search_index


class StaleVersion(Exception):
    """The row changed since the user loaded it; `current` is what is stored now."""

    def __init__(self, current):
        """Keep the stored row, to show what the other person saved."""
        super().__init__("stale version")
        self.current = current


class NotAllowed(Exception):
    """The change is not possible; the message, if any, says why in Hungarian."""


class NotYet(Exception):
    """The workshop's day has not come: it cannot be held or have attendance or guests yet."""


class WasCancelled(Exception):
    """The workshop was cancelled: it has no attendance or guests to record."""


class HeldWithRecords(Exception):
    """A held workshop with attendance or a journal is to be cancelled: they would leave every
    summary, report and export (kept, and back once it is marked held), so the user confirms."""

    def __init__(self, attendance: int, journal):
        """Keep what was recorded: the number of attendance records and the journal, if any."""
        super().__init__("held workshop with records")
        self.attendance = attendance
        self.journal = journal


class OutsidePeriod(Exception):
    """The workshop's day is outside the program's period: saving it needs the user's
    confirmation, which widens the period (else it would vanish from every summary)."""

    def __init__(self, program, day):
        """Keep the program and the day, to say what the period would become."""
        super().__init__("outside the program's period")
        self.program = program
        self.day = day


def versioned_update(row, base_version: int, *conditions, **values) -> bool:
    """Write the values to the row only if its stored version is still `base_version` (and
    the extra conditions hold), raising the version by one; tell whether it was written.

    The check and the write are one UPDATE, so two saves racing from the same version can
    never both succeed, on any database. Written, the row in the session takes the values it
    was given (no reload), and its search entry is written again; not written, the row is
    expired, so that reading it shows what is stored.
    """
    model = type(row)
    values = {"version": base_version + 1, **values}
    result = db.session.execute(
        update(model)
        .where(model.id == row.id, model.version == base_version, *conditions)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.expire(row)
        return False
    for name, value in values.items():
        set_committed_value(row, name, value)
    # Read again when next used: a column the database sets on every update (onupdate), and a
    # relationship whose foreign key was written (a note moved to another workshop).
    mapper = db.inspect(model)
    stale = [c.key for c in model.__table__.columns if c.onupdate and c.key not in values]
    stale += [r.key for r in mapper.relationships if any(c.key in values for c in r.local_columns)]
    if stale:
        db.session.expire(row, stale)
    search_index.refresh(row)  # the ORM does not see a bulk UPDATE: the index is told here
    return True


def set_mark(model, on: bool | None, **keys) -> bool:
    """Add (on) or remove (not on) the one row of `model` with these column values (a
    "Nálam is", an "Ezt én is használtam"); None means the opposite of now. Return whether it
    is now on. Adding it twice (a double tap) adds it once."""
    mine = [getattr(model, name) == value for name, value in keys.items()]
    if on is None:
        on = db.session.scalar(select(model.id).where(*mine)) is None
    if on:
        # Said already (the other tap of a double tap): the insert does nothing, and fails
        # nothing (on PostgreSQL a failed insert would also log an error).
        insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[db.engine.dialect.name]
        db.session.execute(insert(model).values(**keys).on_conflict_do_nothing())
    else:
        db.session.execute(delete(model).where(*mine).execution_options(synchronize_session=False))
    db.session.flush()
    return on
