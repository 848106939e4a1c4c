"""Which kinds of draft keys exist, and who may keep a draft of each.

A key is "<prefix>:<ident>" ("section:12", "note:45", "note:new:group:3"). Each feature
registers its prefix with a predicate; an unregistered prefix answers 404, so a draft can
only ever be kept of something its author may edit right now.
"""

from collections.abc import Callable

from journal.forms import positive_int
from journal.models import User

KEY_MAX = 80  # the column's length

CanEdit = Callable[[User, str], bool]
_KINDS: dict[str, CanEdit] = {}


def register_draft_kind(prefix: str, can_edit: CanEdit) -> None:
    """Allow drafts with keys "<prefix>:<ident>", kept while can_edit(user, ident) holds."""
    if not prefix or ":" in prefix:
        raise ValueError(f"bad draft prefix {prefix!r}")
    _KINDS[prefix] = can_edit


def draft_key(prefix: str, *parts: object) -> str:
    """Return the draft key of a thing ("section", 12 → "section:12"); the only builder of keys."""
    return ":".join([prefix, *(str(part) for part in parts)])


def key_number(text: str) -> int | None:
    """Return the id a key names, only as draft_key writes it ("12"; not "012", " 12" or "+12",
    which would keep a second draft of the same thing that no page shows or clears)."""
    number = positive_int(text)
    return number if number is not None and str(number) == text else None


def may_draft(user: User, key: str) -> bool:
    """Tell whether the user may keep a draft under this key now (a well-formed one)."""
    if not key or len(key) > KEY_MAX or not key.isascii() or not key.isprintable():
        return False
    prefix, _, ident = key.partition(":")
    check = _KINDS.get(prefix)
    if not ident or not user.is_authenticated or check is None:
        return False
    return bool(check(user, ident))


def _can_edit_section(user: User, ident: str) -> bool:
    """Only the editor of a section keeps a draft of it (permissions.can_edit_journal).

    The section, its journal, workshop and group come in one query: autosave runs every few
    seconds, so this check must stay cheap (see bench/autosave.py).
    """
    from sqlalchemy import select
    from sqlalchemy.orm import joinedload

    from journal.extensions import db
    from journal.models import Journal, JournalSection, Workshop
    from journal.permissions import can_edit_journal

    section_id = key_number(ident)
    if section_id is None:
        return False
    section = db.session.scalar(
        select(JournalSection)
        .where(JournalSection.id == section_id)
        .options(
            joinedload(JournalSection.journal)
            .joinedload(Journal.workshop)
            .joinedload(Workshop.group)
        )
    )
    # The author of a journal reads every section of it, so editing implies reading.
    return section is not None and can_edit_journal(user, section.journal)


def _can_edit_note(user: User, ident: str) -> bool:
    """The author drafts an edit of their note; a member drafts a new note of their group."""
    from journal.extensions import db
    from journal.models import Group, Note
    from journal.permissions import can_add_note, can_edit_note

    parts = ident.split(":")
    if len(parts) == 1 and (note_id := key_number(parts[0])) is not None:
        note = db.session.get(Note, note_id)
        return note is not None and note.deleted_at is None and can_edit_note(user, note)
    if len(parts) == 3 and parts[:2] == ["new", "group"] and (gid := key_number(parts[2])):
        group = db.session.get(Group, gid)
        return group is not None and can_add_note(user, group)
    return False


def _can_reply(user: User, ident: str) -> bool:
    """Who may reply to a live note drafts the reply ("reply:<note id>")."""
    from journal.extensions import db
    from journal.models import Note
    from journal.permissions import can_reply_to_note

    note_id = key_number(ident)
    note = db.session.get(Note, note_id) if note_id is not None else None
    return note is not None and can_reply_to_note(user, note)  # a live note's


register_draft_kind("section", _can_edit_section)
register_draft_kind("note", _can_edit_note)
register_draft_kind("reply", _can_reply)
