"""Reads for journals, filtered by what the user may read."""

from journal.models import User, Workshop


def journal_context(user: User, workshop: Workshop) -> dict:
    """Return what templates/journals/_journal.html needs to show this workshop's journal."""
    return {}
