"""Writes of the overview: a user's visits of the home page."""

from datetime import datetime, timedelta

from sqlalchemy import case, or_, update

from journal.extensions import db
from journal.models import User

VISIT_GAP = timedelta(hours=1)  # a longer pause between two views begins a new visit
VISIT_PRECISION = timedelta(minutes=5)  # views closer than this to the last one write nothing


def visit_due(user: User, now: datetime) -> bool:
    """Tell whether a view of the home page now is to be noted (at most every few minutes)."""
    return user.visited_at is None or now - user.visited_at > VISIT_PRECISION


def record_visit(user: User, now: datetime) -> None:
    """Note a view of the home page: after a pause of over an hour the last view becomes the
    previous visit. One conditional UPDATE, so it reads and writes in one statement (SQLite
    never has to turn the request's read into a write)."""
    new_visit = or_(User.visited_at.is_(None), User.visited_at < now - VISIT_GAP)
    db.session.execute(
        update(User)
        .where(
            User.id == user.id,
            or_(User.visited_at.is_(None), User.visited_at < now - VISIT_PRECISION),
        )
        .values(
            previous_visit_at=case((new_visit, User.visited_at), else_=User.previous_visit_at),
            visited_at=now,
        )
        .execution_options(synchronize_session=False)
    )
