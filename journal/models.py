"""Typed SQLAlchemy models: the program, its groups, people and their memberships."""

import enum
import secrets
from datetime import UTC, date, datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy import Enum as SqlEnum
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import DateTime, TypeDecorator

from journal.extensions import db


def utcnow() -> datetime:
    """Return the current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored as UTC and always read back timezone-aware (SQLite forgets zones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        """Store aware datetimes converted to UTC; refuse naive ones."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        """Return an aware UTC datetime."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def new_session_token() -> str:
    """Return a fresh random per-user session token."""
    return secrets.token_urlsafe(24)


class Role(enum.StrEnum):
    """What a person is in a group."""

    MENTOR = "mentor"
    PARTICIPANT = "participant"


class Program(db.Model):
    """The mentoring program: one per deployment for now."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    funder: Mapped[str | None] = mapped_column(String(300))
    period_start: Mapped[date]
    period_end: Mapped[date]

    groups: Mapped[list["Group"]] = relationship(back_populates="program")


class Group(db.Model):
    """A regional mentor group."""

    __tablename__ = "mentor_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id"), index=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    region: Mapped[str] = mapped_column(String(200))
    goals: Mapped[str] = mapped_column(Text, default="")
    themes: Mapped[str] = mapped_column(Text, default="")  # one theme per line

    program: Mapped[Program] = relationship(back_populates="groups")
    memberships: Mapped[list["Membership"]] = relationship(back_populates="group")

    @property
    def theme_list(self) -> list[str]:
        """Return the themes as a list."""
        return [t.strip() for t in self.themes.splitlines() if t.strip()]


class User(UserMixin, db.Model):
    """A person who can log in."""

    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased, so the unique constraint is case-insensitive on every database.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    family_name: Mapped[str] = mapped_column(String(100))
    given_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    language: Mapped[str] = mapped_column(String(5), default="hu")
    is_coordinator: Mapped[bool] = mapped_column(default=False)
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="user", foreign_keys="Membership.user_id"
    )

    __table_args__ = (CheckConstraint("email = lower(email)", name="email_lowercase"),)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        """Tell whether the account may log in."""
        return self.active

    def get_id(self) -> str:
        """Return the session identity: id and the current per-user session token."""
        return f"{self.id}:{self.session_token}"

    @property
    def full_name(self) -> str:
        """Return the name in Hungarian order, family name first."""
        return f"{self.family_name} {self.given_name}"

    def end_all_sessions(self) -> None:
        """Invalidate every session and remember-me cookie of this user."""
        self.session_token = new_session_token()


class Membership(db.Model):
    """A person's place in a group, as mentor or participant."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("mentor_group.id"), index=True)
    role: Mapped[Role] = mapped_column(
        SqlEnum(Role, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])
    )
    institution: Mapped[str] = mapped_column(String(200), default="")
    settlement: Mapped[str] = mapped_column(String(100), default="")
    joined_on: Mapped[date] = mapped_column(default=date.today)
    left_on: Mapped[date | None]

    user: Mapped[User] = relationship(back_populates="memberships", foreign_keys=[user_id])
    group: Mapped[Group] = relationship(back_populates="memberships")

    __table_args__ = (UniqueConstraint("user_id", "group_id", name="uq_membership_user_group"),)

    @property
    def is_current(self) -> bool:
        """Tell whether the membership is in force today."""
        return self.left_on is None or self.left_on > date.today()


class Invitation(db.Model):
    """A single-use, expiring link to set a password (invitation or reset)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(20))  # "invite" or "reset"
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
