"""Reads of drafts: always of the acting user, never anybody else's."""

import json

from sqlalchemy import select

from journal.drafts.kinds import may_draft
from journal.drafts.operations import stamp
from journal.extensions import db
from journal.models import Draft, User


def draft_for(user: User, key: str) -> Draft | None:
    """Return the user's own draft under this key, if the user may still edit the thing."""
    if not user.is_authenticated or not may_draft(user, key):
        return None
    return db.session.scalar(select(Draft).where(Draft.user_id == user.id, Draft.key == key))


def drafts_by_key(user: User, keys: list[str]) -> dict[str, Draft]:
    """Return the user's own drafts under these keys (one query)."""
    if not user.is_authenticated or not keys:
        return {}
    drafts = db.session.scalars(select(Draft).where(Draft.user_id == user.id, Draft.key.in_(keys)))
    return {draft.key: draft for draft in drafts}


def drafts_of_kind(user: User, prefix: str) -> dict[str, Draft]:
    """Return all the user's own drafts of one kind ("reply": "reply:…"), by key (one query)."""
    if not user.is_authenticated:
        return {}
    drafts = db.session.scalars(
        select(Draft).where(Draft.user_id == user.id, Draft.key.startswith(prefix + ":"))
    )
    return {draft.key: draft for draft in drafts}


def draft_fields(draft: Draft) -> dict:
    """Return the draft's other fields as a dict (empty if unreadable)."""
    try:
        fields = json.loads(draft.fields or "{}")
    except ValueError:
        return {}
    return fields if isinstance(fields, dict) else {}


def as_json(draft: Draft | None) -> dict:
    """Return what the browser needs to restore a draft."""
    if draft is None:
        return {"exists": False}
    return {
        "exists": True,
        "body": draft.body,
        "fields": draft_fields(draft),
        "base_version": draft.base_version,
        "saved_at": draft.saved_at.isoformat(),
        "draft": stamp(draft),
    }
