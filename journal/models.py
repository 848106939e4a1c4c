"""Typed SQLAlchemy models: the program, its groups, people and their memberships."""

import enum
import secrets
import time as pytime
from datetime import UTC, date, datetime, time, tzinfo

from babel.dates import get_timezone
from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint, and_, event, or_
from sqlalchemy import Enum as SqlEnum
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import DateTime, TypeDecorator

from journal.extensions import db
from journal.markdown import stored

PROGRAM_TIMEZONE = "Europe/Budapest"


def utcnow() -> datetime:
    """Return the current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def program_zone() -> tzinfo:
    """Return the program's time zone (BABEL_DEFAULT_TIMEZONE, Europe/Budapest), from Babel's
    own zone data (pytz), so it does not depend on the system's time zone files."""
    name = current_app.config["BABEL_DEFAULT_TIMEZONE"] if has_app_context() else PROGRAM_TIMEZONE
    return get_timezone(name)


def local_today() -> date:
    """Return today's date where the program runs, not on the server's clock: between
    midnight and 1-2 am in Budapest the server (UTC) still says yesterday. Every "today" of
    the app (workshop begun, future days, memberships in force, document dates) comes from
    here."""
    return datetime.now(program_zone()).date()


def local_date(moment: datetime) -> date:
    """Return the program's calendar day of a stored moment (the day the board shows)."""
    return moment.astimezone(program_zone()).date()


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
    association: Mapped[str] = mapped_column(String(300), default="", server_default="")
    funder: Mapped[str | None] = mapped_column(String(300))
    grant_id: Mapped[str] = mapped_column(String(100), default="", server_default="")
    period_start: Mapped[date]
    period_end: Mapped[date]
    # Days after a workshop by which its journal is due (reminders, the coordinator's desk).
    journal_due_days: Mapped[int] = mapped_column(default=7, server_default="7")
    # Mentors and the coordinator must sign in with a second factor (a TOTP code).
    require_two_factor: Mapped[bool] = mapped_column(default=False, server_default=sa_false())

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
    # The home page's last view, and the one before the current visit ("since your last visit").
    visited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    previous_visit_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The program's day the last reminder digest was mailed: at most one a day.
    reminded_on: Mapped[date | None]
    # When the coordinator anonymised this former member (name, email and contact data
    # replaced by a label such as "Volt résztvevő 3"): irreversible, never offered again.
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Two-factor sign-in (journal/auth/two_factor.py): the TOTP secret (base32), when it was
    # confirmed with a code (None: not on), and the last time step a code was accepted for
    # (a code is never accepted twice).
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None]

    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="user", foreign_keys="Membership.user_id"
    )

    __table_args__ = (CheckConstraint("email = lower(email)", name="email_lowercase"),)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        """Tell whether the account may log in (an anonymised one never again)."""
        return self.active and self.anonymised_at is None

    # When the session being used was signed in (epoch seconds; security.load_user sets it),
    # so that signing in again (a password change) keeps the session's original age.
    signed_in_at = None  # an int once set; not a column

    def get_id(self) -> str:
        """Return the session identity: id, the current per-user session token, and when it
        was signed in (the server ends it after REMEMBER_COOKIE_DURATION, see security.py)."""
        signed_in = self.signed_in_at or int(pytime.time())
        return f"{self.id}:{self.session_token}:{signed_in}"

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
    joined_on: Mapped[date] = mapped_column(default=local_today)
    left_on: Mapped[date | None]
    # Bumped to revoke the member's private calendar-feed link (the link is an HMAC of it).
    calendar_generation: Mapped[int] = mapped_column(default=0)

    user: Mapped[User] = relationship(back_populates="memberships", foreign_keys=[user_id])
    group: Mapped[Group] = relationship(back_populates="memberships")

    __table_args__ = (UniqueConstraint("user_id", "group_id", name="uq_membership_user_group"),)

    @property
    def is_current(self) -> bool:
        """Tell whether the membership is in force today."""
        return self.left_on is None or self.left_on > local_today()

    @classmethod
    def current(cls, today: date | None = None):
        """Return the SQL condition of is_current: not left by today (what lists and
        permissions mean by a member)."""
        today = local_today() if today is None else today  # a date, or a bound parameter
        return or_(cls.left_on.is_(None), cls.left_on > today)

    @classmethod
    def in_force_during(cls, first: date, last: date | None = None):
        """Return the SQL condition for a membership in force on some day from first to last
        (one day when last is not given): joined by the end, not left by the start."""
        return and_(cls.joined_on <= (last or first), cls.current(first))


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


# --- Workshops, attendance and journals -------------------------------------------------


def _enum(enum_class) -> SqlEnum:
    """Store a str enum by its values, as a portable VARCHAR with a check constraint."""
    return SqlEnum(
        enum_class,
        native_enum=False,
        length=20,
        values_callable=lambda e: [m.value for m in e],
        create_constraint=True,
    )


class RecoveryCode(db.Model):
    """A single-use code that signs in instead of a TOTP code (stored hashed)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SubmittedForm(db.Model):
    """The one-time key of a form that creates something (journal/once.py), written in the
    transaction that creates it: the same form sent again creates nothing."""

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    # Where the first answer sent the browser (a plain form's redirect), if anywhere.
    location: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class WorkshopStatus(enum.StrEnum):
    """Where a workshop stands."""

    PLANNED = "planned"
    HELD = "held"
    CANCELLED = "cancelled"


class Workshop(db.Model):
    """One workshop (műhelyfoglalkozás) of a group."""

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("mentor_group.id"), index=True)
    date: Mapped[date]
    start_time: Mapped[time | None]
    end_time: Mapped[time | None]
    place: Mapped[str] = mapped_column(String(200), default="")
    topic: Mapped[str] = mapped_column(String(200))
    agenda: Mapped[str] = mapped_column(Text, default="")
    methods: Mapped[str] = mapped_column(Text, default="")  # one method per line
    status: Mapped[WorkshopStatus] = mapped_column(
        _enum(WorkshopStatus), default=WorkshopStatus.PLANNED
    )
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    group: Mapped[Group] = relationship()
    attendance: Mapped[list["Attendance"]] = relationship(
        back_populates="workshop", cascade="all, delete-orphan"
    )
    guests: Mapped[list["Guest"]] = relationship(
        back_populates="workshop", cascade="all, delete-orphan"
    )
    journal: Mapped["Journal | None"] = relationship(back_populates="workshop")
    plan: Mapped[list["WorkshopMethod"]] = relationship(
        back_populates="workshop", cascade="all, delete-orphan", order_by="WorkshopMethod.position"
    )

    __table_args__ = (db.Index("ix_workshop_group_date", "group_id", "date"),)

    @property
    def has_begun(self) -> bool:
        """Tell whether the workshop's day has come: only then can it be marked held and its
        attendance recorded."""
        return self.date <= local_today()

    @property
    def takes_attendance(self) -> bool:
        """Tell whether attendance and guests can be recorded: from the workshop's day, unless
        it was cancelled (marked held after all, it takes them again)."""
        return self.has_begun and self.status != WorkshopStatus.CANCELLED

    @property
    def free_methods(self) -> list[str]:
        """Return the methods typed as free text (before the library), one per line."""
        return [m.strip() for m in self.methods.splitlines() if m.strip()]

    @property
    def method_list(self) -> list[str]:
        """Return the names of the workshop's methods: its plan's, then any typed as text."""
        return [step.method.name for step in self.plan] + self.free_methods

    @property
    def plan_minutes(self) -> int:
        """Return the running time of the plan's methods, in minutes."""
        return sum(step.minutes or 0 for step in self.plan)


class WorkshopMethod(db.Model):
    """A method of the library in a workshop's plan, with its minutes, in the plan's order."""

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id"), index=True)
    method_id: Mapped[int] = mapped_column(ForeignKey("method.id"), index=True)
    minutes: Mapped[int | None]
    position: Mapped[int]

    workshop: Mapped[Workshop] = relationship(back_populates="plan")
    method: Mapped["Method"] = relationship()

    __table_args__ = (UniqueConstraint("workshop_id", "method_id", name="uq_workshop_method"),)


class AttendanceStatus(enum.StrEnum):
    """A member's presence at a workshop."""

    PRESENT = "present"
    ABSENT = "absent"
    EXCUSED = "excused"
    LATE = "late"


class Attendance(db.Model):
    """Whether a group member was at a workshop."""

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    status: Mapped[AttendanceStatus] = mapped_column(_enum(AttendanceStatus))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    workshop: Mapped[Workshop] = relationship(back_populates="attendance")
    user: Mapped[User] = relationship(foreign_keys=[user_id])

    __table_args__ = (
        UniqueConstraint("workshop_id", "user_id", name="uq_attendance_workshop_user"),
    )


class Guest(db.Model):
    """Someone at a workshop who is not a member of the group."""

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    institution: Mapped[str] = mapped_column(String(200), default="")

    workshop: Mapped[Workshop] = relationship(back_populates="guests")


class JournalStatus(enum.StrEnum):
    """A journal is a draft until the mentor finalises it."""

    DRAFT = "draft"
    FINAL = "final"


class Visibility(enum.StrEnum):
    """Who may read a journal section besides its mentor."""

    PRIVATE = "private"  # the mentor alone
    COORDINATION = "coordination"  # also the coordinator
    GROUP = "group"  # also the group's participants


class Journal(db.Model):
    """The mentor's journal of one workshop."""

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id"), unique=True)
    # The mentor who writes it; "private" sections are for this person alone.
    author_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    status: Mapped[JournalStatus] = mapped_column(_enum(JournalStatus), default=JournalStatus.DRAFT)
    finalised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finalised_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    workshop: Mapped[Workshop] = relationship(back_populates="journal")
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    sections: Mapped[list["JournalSection"]] = relationship(
        back_populates="journal", cascade="all, delete-orphan", order_by="JournalSection.position"
    )


class RenderedBody:
    """A Markdown `body` with its sanitized HTML, rendered once when the body is written
    (journal/markdown.py `stored`, set by the listener at the end of this module) by the
    pipeline version `body_html_version`; a row of another version is rendered on reading
    until `flask init-db` renders it again."""

    body_html: Mapped[str | None] = mapped_column(Text)
    body_html_version: Mapped[int | None]


class JournalSection(RenderedBody, db.Model):
    """One section of a journal, with its own visibility, report flag and version."""

    id: Mapped[int] = mapped_column(primary_key=True)
    journal_id: Mapped[int] = mapped_column(ForeignKey("journal.id"), index=True)
    key: Mapped[str] = mapped_column(String(40))  # e.g. "reflection"; titles live in code
    position: Mapped[int]
    body: Mapped[str] = mapped_column(Text, default="")
    visibility: Mapped[Visibility] = mapped_column(_enum(Visibility))
    in_report: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))

    journal: Mapped[Journal] = relationship(back_populates="sections")
    revisions: Mapped[list["SectionRevision"]] = relationship(
        back_populates="section", cascade="all, delete-orphan", order_by="SectionRevision.version"
    )

    __table_args__ = (
        UniqueConstraint("journal_id", "key", name="uq_journal_section_key"),
        CheckConstraint("NOT (in_report AND visibility = 'private')", name="private_not_in_report"),
    )


class SectionRevision(db.Model):
    """A saved version of a journal section (restoring one makes a new revision)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("journal_section.id"), index=True)
    version: Mapped[int]
    body: Mapped[str] = mapped_column(Text)
    visibility: Mapped[Visibility] = mapped_column(_enum(Visibility))
    in_report: Mapped[bool] = mapped_column(default=False)
    is_amendment: Mapped[bool] = mapped_column(default=False)  # saved after finalising
    author_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    section: Mapped[JournalSection] = relationship(back_populates="revisions")
    author: Mapped[User | None] = relationship()

    __table_args__ = (
        UniqueConstraint("section_id", "version", name="uq_section_revision_version"),
    )


class Draft(db.Model):
    """Unsaved text autosaved to the server, per person and per thing being edited.

    `key` names what is edited ("section:12", "note:new:group:3", "note:45"); `base_version`
    is the version the text was started from, so saving it later can detect a conflict.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    key: Mapped[str] = mapped_column(String(80))
    body: Mapped[str] = mapped_column(Text, default="")
    fields: Mapped[str] = mapped_column(Text, default="{}")  # other fields, as JSON
    base_version: Mapped[int | None]
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("user_id", "key", name="uq_draft_user_key"),)


# --- Shared notes ---------------------------------------------------------------------------


class NoteKind(enum.StrEnum):
    """What a shared note is."""

    GOOD_PRACTICE = "good_practice"  # jó gyakorlat
    QUESTION = "question"  # kérdés
    DIFFICULTY = "difficulty"  # nehézség
    RESOURCE = "resource"  # forrás
    REFLECTION = "reflection"  # reflexió


# The kinds a colleague answers with "Nálam is" (me too).
ME_TOO_KINDS = (NoteKind.DIFFICULTY, NoteKind.QUESTION)


class Note(RenderedBody, db.Model):
    """A shared note of a group member, on the group's board or a workshop."""

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("mentor_group.id"), index=True)
    workshop_id: Mapped[int | None] = mapped_column(ForeignKey("workshop.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    kind: Mapped[NoteKind] = mapped_column(_enum(NoteKind))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str] = mapped_column(String(500), default="")
    mentor_only: Mapped[bool] = mapped_column(default=False)  # "csak a mentornak"
    hide_reactors: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    hidden_reason: Mapped[str] = mapped_column(Text, default="")
    in_report: Mapped[bool] = mapped_column(default=False)  # the mentor's pick
    report_consent_withdrawn: Mapped[bool] = mapped_column(default=False)

    group: Mapped[Group] = relationship()
    workshop: Mapped[Workshop | None] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    replies: Mapped[list["Reply"]] = relationship(
        back_populates="note", cascade="all, delete-orphan", order_by="Reply.created_at"
    )
    reactions: Mapped[list["Reaction"]] = relationship(
        back_populates="note", cascade="all, delete-orphan"
    )

    __table_args__ = (
        db.Index("ix_note_group_created", "group_id", "created_at"),
        # Every column the board's visibility rule and its token read (notes.queries.board_token):
        # SQLite counts a group's visible notes from this index alone. Not on PostgreSQL: its
        # planner took the index for search's visibility check (a scan of every visible note
        # instead of a look-up per match, 37 → 62 ms a search), and it counts rows fast without.
        db.Index(
            "ix_note_board",
            "group_id",
            "deleted_at",
            "mentor_only",
            "hidden_at",
            "author_id",
            "updated_at",
        ).ddl_if(dialect="sqlite"),
    )


class Reply(RenderedBody, db.Model):
    """A short reply under a note."""

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("note.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    note: Mapped[Note] = relationship(back_populates="replies")
    author: Mapped[User] = relationship()


class Reaction(db.Model):
    """A "Nálam is" (me too) on a note."""

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("note.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    note: Mapped[Note] = relationship(back_populates="reactions")
    user: Mapped[User] = relationship()

    __table_args__ = (UniqueConstraint("note_id", "user_id", name="uq_reaction_note_user"),)


class ReportText(RenderedBody, db.Model):
    """A narrative part of a report for a period: the coordinator's summary of the program
    (scope "program") or a group's mentor's summary of the group (scope "group:<id>")."""

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(20))
    period_start: Mapped[date]
    period_end: Mapped[date]
    body: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))

    revisions: Mapped[list["ReportTextRevision"]] = relationship(
        back_populates="text",
        order_by="ReportTextRevision.version.desc()",
        cascade="all, delete-orphan",
    )

    __table_args__ = (
        UniqueConstraint("scope", "period_start", "period_end", name="uq_report_text_period"),
    )


class ReportTextRevision(db.Model):
    """One saved version of a report text, kept as written."""

    id: Mapped[int] = mapped_column(primary_key=True)
    text_id: Mapped[int] = mapped_column(ForeignKey("report_text.id"), index=True)
    version: Mapped[int]
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    text: Mapped[ReportText] = relationship(back_populates="revisions")
    author: Mapped[User | None] = relationship()


class Method(RenderedBody, db.Model):
    """A group-mentoring method of the program's library (módszertár): what it is for, for how
    many, how long, with what, and its steps (the Markdown `body`), variations and source."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # The name folded (case and accents aside: methods/operations.name_key): one of each.
    name_key: Mapped[str] = mapped_column(String(200), unique=True)
    aim: Mapped[str] = mapped_column(Text, default="")
    group_size: Mapped[str] = mapped_column(String(100), default="")
    minutes: Mapped[int | None]
    materials: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")  # the steps
    variations: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[str] = mapped_column(String(500), default="")  # comma-separated
    version: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))

    revisions: Mapped[list["MethodRevision"]] = relationship(
        back_populates="method",
        order_by="MethodRevision.version.desc()",
        cascade="all, delete-orphan",
    )

    used_too: Mapped[list["MethodUsedToo"]] = relationship(
        back_populates="method", cascade="all, delete-orphan"
    )

    @property
    def tag_list(self) -> list[str]:
        """Return the tags as a list."""
        return [tag.strip() for tag in self.tags.split(",") if tag.strip()]


class MethodRevision(db.Model):
    """One saved version of a method, every field as it was (JSON)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    method_id: Mapped[int] = mapped_column(ForeignKey("method.id"), index=True)
    version: Mapped[int]
    fields: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    method: Mapped[Method] = relationship(back_populates="revisions")
    author: Mapped[User | None] = relationship()

    __table_args__ = (UniqueConstraint("method_id", "version", name="uq_method_revision_version"),)


class MethodUsedToo(db.Model):
    """An "Ezt én is használtam" (I used it too) of a mentor or the coordinator on a method."""

    id: Mapped[int] = mapped_column(primary_key=True)
    method_id: Mapped[int] = mapped_column(ForeignKey("method.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    method: Mapped[Method] = relationship(back_populates="used_too")

    __table_args__ = (UniqueConstraint("method_id", "user_id", name="uq_method_used_too_user"),)


class PrivacyNotice(RenderedBody, db.Model):
    """The privacy notice (adatkezelési tájékoztató) the coordinator writes: one row, id 1."""

    id: Mapped[int] = mapped_column(primary_key=True)
    body: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))


def _render_body(target: RenderedBody, body: str, _old, _initiator) -> None:
    """Keep a body's HTML with it whenever the ORM sets the body (a new row, an edit)."""
    for column, value in stored(body).items():
        setattr(target, column, value)


# The one place a text's HTML follows its body; a bulk UPDATE (versioned_update) passes
# markdown.stored() itself.
for _model in (JournalSection, Note, Reply, ReportText, Method, PrivacyNotice):
    event.listen(_model.body, "set", _render_body)


class SearchDocument(db.Model):
    """The searchable text of one workshop, journal section, note, reply or report text,
    folded (lower case, no accents, words only) so that both engines match what people type;
    journal/search/index.py keeps it current in the writing transaction. Who may read it is
    not stored here: the search joins the source row and applies the pages' own rules."""

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # journal/search/index.py KINDS
    source_id: Mapped[int]
    subkind: Mapped[str] = mapped_column(String(40), default="")  # a note's kind, a section key
    group_id: Mapped[int | None] = mapped_column(ForeignKey("mentor_group.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    day: Mapped[date]  # the workshop's day, or the day it was written
    title: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        UniqueConstraint("kind", "source_id", name="uq_search_document_source"),
        db.Index("ix_search_document_group_day", "group_id", "day"),
    )
