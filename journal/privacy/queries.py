"""Reads of the privacy notice."""

from __future__ import annotations

from pathlib import Path

from journal.extensions import db
from journal.models import PrivacyNotice
from journal.program.queries import current_program

DEFAULT_NOTICE = Path(__file__).with_name("default_notice.md")
NOTICE_ID = 1


def stored_notice() -> PrivacyNotice | None:
    """Return the notice the coordinator wrote, or None before she has."""
    return db.session.get(PrivacyNotice, NOTICE_ID)


def default_notice() -> str:
    """Return the notice the app starts with (Markdown), naming the program and association."""
    program = current_program()
    name = program.name if program else "Műhelynapló"
    association = (program.association if program else "") or "a program szervezője"
    text = DEFAULT_NOTICE.read_text(encoding="utf-8")
    return text.replace("{association}", association).replace("{program}", name)
