"""Writes of the overview: a user's visits of the home page."""

from datetime import datetime, timedelta

from journal.models import User

VISIT_GAP = timedelta(hours=1)  # a longer pause between two views begins a new visit


def record_visit(user: User, now: datetime) -> datetime | None:
    """Note a view of the home page; return when the previous visit was (None: never)."""
    if user.visited_at is None or now - user.visited_at > VISIT_GAP:
        user.previous_visit_at = user.visited_at
    user.visited_at = now
    return user.previous_visit_at
