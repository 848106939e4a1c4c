"""Writes of drafts: they take the acting user, flush, and never commit."""

import json
from datetime import datetime

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError

from journal.extensions import db
from journal.models import Draft, User, utcnow

BODY_MAX = 200_000  # twice the longest editor: a draft is never refused for its length
FIELDS_MAX = 20_000


class BadDraft(Exception):
    """The draft cannot be kept as sent (too long, malformed); the message is for the log."""


def save_draft(
    user: User, key: str, body: str, fields: dict | None, base_version: int | None
) -> datetime:
    """Keep the user's current text under the key, replacing their previous draft; return when."""
    body = (body or "").replace("\r\n", "\n")
    encoded = json.dumps(fields or {}, ensure_ascii=False, separators=(",", ":"))
    if len(body) > BODY_MAX or len(encoded) > FIELDS_MAX:
        raise BadDraft("draft too long")
    values = {"body": body, "fields": encoded, "base_version": base_version, "saved_at": utcnow()}
    # An UPDATE first: autosaves of one editor mostly replace an existing row.
    result = db.session.execute(
        update(Draft)
        .where(Draft.user_id == user.id, Draft.key == key)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 0:
        try:
            # A savepoint: two tabs creating the same draft at once must not fail the request.
            with db.session.begin_nested():
                db.session.add(Draft(user_id=user.id, key=key, **values))
        except IntegrityError:
            db.session.execute(
                update(Draft)
                .where(Draft.user_id == user.id, Draft.key == key)
                .values(**values)
                .execution_options(synchronize_session=False)
            )
    return values["saved_at"]


def clear_draft(user: User, key: str) -> None:
    """Forget the user's draft under the key (call it in the transaction of the real save)."""
    db.session.execute(
        delete(Draft)
        .where(Draft.user_id == user.id, Draft.key == key)
        .execution_options(synchronize_session=False)
    )
