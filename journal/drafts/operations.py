"""Writes of drafts: they take the acting user, flush, and never commit.

One draft per user and key, shared by all the user's devices. An editor knows the stamp of
the draft it last wrote or restored (see `stamp`); it may replace or remove only that draft.
A draft written meanwhile by another editor (a phone, another tab) is never overwritten
unseen: the write raises NewerDraft, and the view shows both texts.
"""

import json
from datetime import UTC, datetime

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from journal.extensions import db
from journal.models import Draft, User, utcnow

BODY_MAX = 200_000  # twice the longest editor: a draft is never refused for its length
FIELDS_MAX = 20_000


class BadDraft(Exception):
    """The draft cannot be kept as sent (too long, malformed); the message is for the log."""


class NewerDraft(Exception):
    """The user's draft under the key was written by an editor the acting one never saw."""

    def __init__(self, draft: Draft):
        super().__init__("newer draft")
        self.draft = draft


def stamp(draft: Draft | datetime | None) -> str:
    """Return the token an editor keeps of a draft it wrote or restored ("" for none)."""
    moment = draft.saved_at if isinstance(draft, Draft) else draft
    return moment.isoformat() if moment is not None else ""


def normalise_body(body: str) -> str:
    """Use one line ending, so the same text sent twice compares equal."""
    return (body or "").replace("\r\n", "\n").replace("\r", "\n")


def _own(user: User, key: str) -> Draft | None:
    """Return the user's draft under the key, read afresh from the database."""
    return db.session.scalar(
        select(Draft)
        .where(Draft.user_id == user.id, Draft.key == key)
        .execution_options(populate_existing=True)
    )


def _moment(known: str | None) -> datetime | None:
    """Return the moment a stamp names (see `stamp`), or None for none or a malformed one."""
    try:
        moment = datetime.fromisoformat(known or "")
        return moment.astimezone(UTC) if moment.tzinfo is not None else None
    except (ValueError, OverflowError):  # not a stamp, or a moment UTC cannot hold
        return None


def _replace(user: User, key: str, saved_at: datetime, values: dict) -> bool:
    """Overwrite the user's draft under the key if it is still the one saved at `saved_at`;
    tell whether it was."""
    result = db.session.execute(
        update(Draft)
        .where(Draft.user_id == user.id, Draft.key == key, Draft.saved_at == saved_at)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _unseen(
    draft: Draft | None, known: str | None, kept: tuple[str, ...], fields: dict | None = None
) -> bool:
    """Tell whether the draft is one the editor never saw and holds something a write would
    lose: a text not in `kept` or, given `fields`, a field of its own with another value
    there."""
    if draft is None or stamp(draft) == (known or ""):
        return False
    if normalise_body(draft.body) not in {normalise_body(text) for text in kept}:
        return True
    own = json.loads(draft.fields or "{}")
    return fields is not None and any(fields.get(name) != value for name, value in own.items())


def save_draft(
    user: User,
    key: str,
    body: str,
    fields: dict | None,
    base_version: int | None,
    known: str | None = None,
) -> datetime:
    """Keep the user's current text under the key, replacing the draft the editor knew
    (`known`, its stamp); return when. Raise NewerDraft if another editor wrote meanwhile."""
    body = normalise_body(body)
    encoded = json.dumps(fields or {}, ensure_ascii=False, separators=(",", ":"))
    if len(body) > BODY_MAX or len(encoded) > FIELDS_MAX:
        raise BadDraft("draft too long")
    values = {"body": body, "fields": encoded, "base_version": base_version, "saved_at": utcnow()}
    # The usual case, an editor replacing its own last draft, is one statement.
    if (known_at := _moment(known)) is not None and _replace(user, key, known_at, values):
        return values["saved_at"]
    current = _own(user, key)
    if _unseen(current, known, (body,), fields or {}):
        raise NewerDraft(current)
    if current is not None:
        # Only if nobody wrote between the read above and now (another worker, another device).
        if _replace(user, key, current.saved_at, values):
            return values["saved_at"]
        if (current := _own(user, key)) is not None:
            raise NewerDraft(current)
    try:
        # A savepoint: two editors creating the same draft at once must not fail the request.
        with db.session.begin_nested():
            db.session.add(Draft(user_id=user.id, key=key, **values))
    except IntegrityError:
        raise NewerDraft(_own(user, key)) from None
    return values["saved_at"]


def clear_draft(
    user: User,
    key: str,
    known: str | None,
    kept: tuple[str, ...] = (),
    fields: dict | None = None,
) -> None:
    """Forget the user's draft under the key that the editor knew (call it in the transaction
    of the real save). Raise NewerDraft, keeping it, if it is a draft the editor never saw
    whose text is not in `kept` (the saved or the submitted text) or, given the submitted
    `fields` (a note's title), whose own fields differ from them."""
    current = _own(user, key)
    if current is None:
        return
    if _unseen(current, known, kept, fields):
        raise NewerDraft(current)
    db.session.execute(
        delete(Draft).where(Draft.id == current.id).execution_options(synchronize_session=False)
    )
