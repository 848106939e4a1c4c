"""Writes for authentication: invitations, passwords and sessions (flush, never commit)."""

import hashlib
import secrets
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from journal.auth.passwords import hash_password
from journal.extensions import db
from journal.models import Invitation, User, utcnow


class InvalidInvitation(Exception):
    """The link is unknown, used or expired."""


def _digest(token: str) -> str:
    """Return the stored form of a link token."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_invitation(user: User, created_by: User | None, purpose: str = "invite") -> str:
    """Create a single-use link token for the user to set a password; return the token."""
    now = utcnow()
    # An older unused link of the same user stops working when a new one is made.
    revoke_invitations(user, now)
    token = secrets.token_urlsafe(32)
    db.session.add(
        Invitation(
            user=user,
            token_hash=_digest(token),
            purpose=purpose,
            created_by_id=created_by.id if created_by else None,
            created_at=now,
            expires_at=now + current_app.config["INVITATION_LIFETIME"],
        )
    )
    db.session.flush()
    return token


def revoke_invitations(user: User, now: datetime | None = None) -> None:
    """Make every unused link of the user stop working for good."""
    now = now or utcnow()
    for open_link in db.session.scalars(
        select(Invitation).where(Invitation.user_id == user.id, Invitation.used_at.is_(None))
    ):
        open_link.used_at = now


def find_invitation(token: str) -> Invitation:
    """Return the open invitation for a token, or raise InvalidInvitation."""
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.token_hash == _digest(token))
    )
    if (
        invitation is None
        or invitation.used_at is not None
        or invitation.expires_at <= utcnow()
        or not invitation.user.active
    ):
        raise InvalidInvitation
    return invitation


def redeem_invitation(token: str, password: str) -> User:
    """Set the password from an invitation link, use the link up and end other sessions."""
    invitation = find_invitation(token)
    invitation.used_at = utcnow()
    set_password(invitation.user, password)
    db.session.flush()
    return invitation.user


def set_password(user: User, password: str) -> None:
    """Store a new password and end every session of the user."""
    user.password_hash = hash_password(password)
    user.end_all_sessions()
