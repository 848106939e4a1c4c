"""Writes of the privacy notice (flush, never commit)."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from journal.domain import StaleVersion, versioned_update
from journal.extensions import db
from journal.markdown import stored
from journal.models import PrivacyNotice, User, utcnow
from journal.privacy.queries import NOTICE_ID, stored_notice


def save_notice(actor: User, base_version: int, body: str) -> PrivacyNotice:
    """Save the notice written from base_version (0: the default, never saved); raise
    StaleVersion when someone saved another version meanwhile."""
    notice = stored_notice()
    if notice is None:
        if base_version != 0:
            raise StaleVersion(None)
        notice = PrivacyNotice(id=NOTICE_ID, body=body, version=1, updated_by_id=actor.id)
        try:
            with db.session.begin_nested():
                db.session.add(notice)
        except IntegrityError:
            raise StaleVersion(stored_notice()) from None
        return notice
    written = versioned_update(
        notice,
        base_version,
        body=body,
        updated_at=utcnow(),
        updated_by_id=actor.id,
        **stored(body),
    )
    if not written:
        raise StaleVersion(notice)
    return notice
