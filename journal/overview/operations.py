"""Writes of the overview: a user's visits of the home page."""

from datetime import datetime, timedelta

from journal.models import User

VISIT_GAP = timedelta(hours=1)  # a longer pause between two views begins a new visit
VISIT_PRECISION = timedelta(minutes=5)  # views closer than this to the last one write nothing


def record_visit(user: User, now: datetime) -> datetime | None:
    """Note a view of the home page; return when the previous visit was (None: never).

    The view is stored at most every few minutes, so reloading the home page does not write
    each time."""
    if user.visited_at is None or now - user.visited_at > VISIT_GAP:
        user.previous_visit_at = user.visited_at
        user.visited_at = now
    elif now - user.visited_at > VISIT_PRECISION:
        user.visited_at = now
    return user.previous_visit_at
