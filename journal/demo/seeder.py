"""Load the demo program (program.toml) through the app's own operations, dated from a day.

Run by `flask --app journal seed-demo` and by tests, never by a request. Every date in the
file is a number of days from the day of loading, so the demo is always a program in its
middle. Loading again updates the people (their password) and adds only what is missing: a
workshop or note already there (by its group and topic or title) is left as it is, also
when it is loaded on a later day.
"""

import tomllib
import unicodedata
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import select

from journal.auth.passwords import hash_password
from journal.domain import StaleVersion
from journal.extensions import db
from journal.journals.operations import finalise, save_section, start_journal
from journal.methods.operations import NameTaken, create_method
from journal.models import (
    ME_TOO_KINDS,
    AttendanceStatus,
    Group,
    Membership,
    Note,
    NoteKind,
    Program,
    Role,
    User,
    Visibility,
    Workshop,
    WorkshopStatus,
    local_today,
    program_zone,
    utcnow,
)
from journal.narratives.operations import save_text
from journal.narratives.queries import PROGRAM_SCOPE, Place, group_scope
from journal.notes.operations import add_note, add_reply, set_in_report, set_reaction
from journal.people.operations import add_to_group, set_role
from journal.program.queries import current_program
from journal.workshops.operations import (
    WorkshopData,
    add_guest,
    cancel_workshop,
    create_workshop,
    mark_held,
    set_attendance,
)

PROGRAM_FILE = Path(__file__).with_name("program.toml")
DEMO_PASSWORD = "muhelynaplo"
# How a held workshop lists who was not simply present (everyone else was).
NOT_PRESENT = {
    "late": AttendanceStatus.LATE,
    "excused": AttendanceStatus.EXCUSED,
    "absent": AttendanceStatus.ABSENT,
}


class DemoDataError(ValueError):
    """The demo file says something the seeder cannot load; the message says where."""


def load_program(path: Path = PROGRAM_FILE) -> dict:
    """Read the demo program file."""
    with path.open("rb") as file:
        return tomllib.load(file)


def demo_email(family: str, given: str) -> str:
    """Return the demo login of a person: family.given@example.org without accents."""
    plain = unicodedata.normalize("NFKD", f"{family}.{given}".lower())
    return "".join(c for c in plain if not unicodedata.combining(c)) + "@example.org"


def seed_demo(
    password: str = DEMO_PASSWORD, today: date | None = None, data: dict | None = None
) -> None:
    """Load the demo program as of `today` (default: today where the program runs); flush,
    never commit. Loading it again changes only the demo people's password."""
    _Seeder(data or load_program(), today or local_today(), hash_password(password)).run()


def seed_program(today: date | None = None, data: dict | None = None) -> None:
    """Load only the program and its groups (names, regions, goals, themes) from the demo file,
    the period around `today`: where a real deployment starts, with no demo person, workshop,
    note or account. Flush, never commit; loading it again changes nothing but the groups'
    texts, back to the file's."""
    data = data or load_program()
    # The file's association, funder and grant are the demo's stand-ins: a real program's
    # documents must not carry them. The coordinator fills them in on /program/settings.
    program = {
        k: v for k, v in data["program"].items() if k not in ("association", "funder", "grant_id")
    }
    seeder = _Seeder(data | {"program": program}, today or local_today(), "")
    seeder._program()
    seeder._groups()


class _Seeder:
    """One loading of the demo file: the day it counts from and what it has loaded so far."""

    def __init__(self, data: dict, today: date, password_hash: str):
        """Keep the file's data, the day of loading and the one hash every demo login shares."""
        self.data = data
        self.today = today
        # One hash for every demo account: they share the demo password and the seed is quick.
        self.password_hash = password_hash
        self.people: dict[str, User] = {}
        self.groups: dict[str, Group] = {}
        self.mentors: dict[str, User] = {}
        self.coordinator: User | None = None
        self.program: Program | None = None

    def run(self) -> None:
        """Load every part of the file, in the order they depend on each other."""
        self._program()
        self._groups()
        self._people()
        self._memberships()
        for item in self.data.get("methods", []):
            self._method(item)
        for item in self.data["workshops"]:
            self._workshop(item)
        for item in self.data.get("notes", []):
            self._note(item)
        for item in self.data.get("report_texts", []):
            self._report_text(item)
        db.session.flush()

    # --- dates -------------------------------------------------------------------------------

    def day(self, offset: int) -> date:
        """Return the date `offset` days from the day of loading."""
        return self.today + timedelta(days=offset)

    def moment(self, day: date, clock: str) -> datetime:
        """Return the UTC moment of a local "HH:MM" on a day, never later than now."""
        zone = program_zone()
        naive = datetime.combine(day, time.fromisoformat(clock))
        # Babel's zones are pytz zones, which must localize rather than be attached.
        local = zone.localize(naive) if hasattr(zone, "localize") else naive.replace(tzinfo=zone)
        return min(local.astimezone(UTC), utcnow())

    # --- program, groups, people -------------------------------------------------------------

    def _program(self) -> None:
        """Create the program with its period around the day of loading (once)."""
        spec = self.data["program"]
        # One program per deployment: found again even after the coordinator renamed it.
        self.program = current_program()
        if self.program is None:
            self.program = Program(
                name=spec["name"],
                association=spec.get("association", ""),
                funder=spec.get("funder"),
                grant_id=spec.get("grant_id", ""),
                period_start=self.day(spec["start"]),
                period_end=self.day(spec["end"]),
                journal_due_days=spec.get("journal_due_days", 7),
            )
            db.session.add(self.program)
            db.session.flush()

    def _groups(self) -> None:
        """Create or update the groups."""
        for spec in self.data["groups"]:
            group = db.session.scalar(select(Group).where(Group.slug == spec["slug"]))
            if group is None:
                group = Group(slug=spec["slug"], program=self.program)
                db.session.add(group)
            group.name, group.region, group.goals = spec["name"], spec["region"], spec["goals"]
            group.themes = "\n".join(spec["themes"])
            self.groups[group.slug] = group
        db.session.flush()

    def _people(self) -> None:
        """Create or update every demo person, with the demo password."""
        for spec in self.data["people"]:
            email = demo_email(spec["family"], spec["given"])
            user = db.session.scalar(select(User).where(User.email == email))
            if user is None:
                user = User(email=email, family_name=spec["family"], given_name=spec["given"])
                db.session.add(user)
            user.password_hash = self.password_hash
            user.active = True
            user.is_coordinator = spec.get("coordinator", False)
            if user.is_coordinator:
                self.coordinator = user
            self.people[user.full_name] = user
        db.session.flush()

    def person(self, name: str, where: str) -> User:
        """Return the person the file names, or stop with a message."""
        if name not in self.people:
            raise DemoDataError(f"{where}: nobody called {name!r} in people")
        return self.people[name]

    def group(self, slug: str, where: str) -> Group:
        """Return the group the file names, or stop with a message."""
        if slug not in self.groups:
            raise DemoDataError(f"{where}: no group {slug!r} in groups")
        return self.groups[slug]

    def _memberships(self) -> None:
        """Put the people into their groups from the program's first day (the coordinator
        acts, as on the people page)."""
        for slug, spec in self.data["memberships"].items():
            group = self.group(slug, f"memberships.{slug}")
            mentor = self._member(group, Role.MENTOR, spec["mentor"])
            self.mentors[slug] = mentor
            for entry in spec["participants"]:
                self._member(group, Role.PARTICIPANT, entry)

    def _member(self, group: Group, role: Role, entry: dict) -> User:
        """Make one person a member of the group in this role (again, if they had left)."""
        user = self.person(entry["person"], f"memberships.{group.slug}")
        membership = db.session.scalar(
            select(Membership).where(Membership.user_id == user.id, Membership.group_id == group.id)
        )
        if membership is None or not membership.is_current:
            add_to_group(
                self.coordinator,
                user,
                group,
                role,
                entry["institution"],
                entry["settlement"],
                joined_on=self.program.period_start,
            )
        else:
            if membership.role != role:
                set_role(self.coordinator, membership, role)
            membership.institution = entry["institution"]
            membership.settlement = entry["settlement"]
        return user

    # --- workshops and journals --------------------------------------------------------------

    def _workshop(self, spec: dict) -> None:
        """Add a workshop (with its attendance, guests and journal) unless the group has it."""
        where = f"workshop {spec.get('topic')!r}"
        group = self.group(spec["group"], where)
        exists = db.session.scalar(
            select(Workshop.id).where(
                Workshop.group_id == group.id, Workshop.topic == spec["topic"]
            )
        )
        if exists:
            return
        status = WorkshopStatus(spec["status"])
        _check_day(spec, status, where)
        mentor = self.mentors[group.slug]
        workshop = create_workshop(
            mentor,
            group,
            WorkshopData(
                date=self.day(spec["day"]),
                start_time=time.fromisoformat(spec["start"]) if "start" in spec else None,
                end_time=time.fromisoformat(spec["end"]) if "end" in spec else None,
                place=spec.get("place", ""),
                topic=spec["topic"],
                agenda=spec.get("agenda", ""),
                methods="\n".join(spec.get("typed_methods", [])),
                # The plan: the library's methods by name, for the minutes the library gives.
                plan=tuple((name, None) for name in spec.get("methods", [])),
            ),
        )
        if status == WorkshopStatus.HELD:
            mark_held(mentor, workshop, workshop.version)
            self._attendance(workshop, mentor, spec, where)
            for guest in spec.get("guests", []):
                add_guest(mentor, workshop, guest["name"], guest.get("institution", ""))
        elif status == WorkshopStatus.CANCELLED:
            cancel_workshop(mentor, workshop, workshop.version, spec["cancel_reason"])
        if "journal" in spec:
            if status != WorkshopStatus.HELD:
                raise DemoDataError(f"{where}: only a held workshop has a journal")
            self._journal(workshop, mentor, spec["journal"], where)

    def _attendance(self, workshop: Workshop, mentor: User, spec: dict, where: str) -> None:
        """Record every participant of the workshop's day: present unless listed otherwise."""
        listed = {name: status for key, status in NOT_PRESENT.items() for name in spec.get(key, [])}
        members = db.session.scalars(
            select(Membership).where(
                Membership.group_id == workshop.group_id,
                Membership.role == Role.PARTICIPANT,
                Membership.in_force_during(workshop.date),
            )
        ).all()
        names = {m.user.full_name for m in members}
        if unknown := set(listed) - names:
            raise DemoDataError(f"{where}: not a participant: {', '.join(sorted(unknown))}")
        for membership in members:
            status = listed.get(membership.user.full_name, AttendanceStatus.PRESENT)
            set_attendance(mentor, workshop, membership, status)

    def _journal(self, workshop: Workshop, mentor: User, spec: dict, where: str) -> None:
        """Write the mentor's journal of the workshop that evening, and finalise it the next
        morning if the file says so (amendments come after that)."""
        journal = start_journal(mentor, workshop)
        written = self.moment(workshop.date, spec["written"])
        journal.created_at = written
        sections = spec["sections"]
        if missing := {s.key for s in journal.sections} - set(sections):
            raise DemoDataError(f"{where}: journal sections missing: {', '.join(sorted(missing))}")
        for section in journal.sections:
            text = sections[section.key]
            save_section(
                mentor,
                section,
                section.version,
                text["text"],
                Visibility(text["visibility"]),
                text["in_report"],
            )
            section.updated_at = written
            for revision in section.revisions:
                revision.created_at = written
        if "finalised" not in spec:
            return
        finalise(mentor, journal)
        journal.finalised_at = self.moment(workshop.date + timedelta(days=1), spec["finalised"])
        by_key = {s.key: s for s in journal.sections}
        for amendment in spec.get("amendments", []):
            section = by_key[amendment["section"]]
            save_section(
                mentor,
                section,
                section.version,
                f"{section.body}\n\n{amendment['append']}",
                section.visibility,
                section.in_report,
            )
        db.session.flush()

    # --- notes -------------------------------------------------------------------------------

    def _report_text(self, spec: dict) -> None:
        """Write a report's narrative text for the whole program's period: the coordinator's
        (no group) or a group's mentor's (once: a text already there is kept)."""
        program = self.program
        if "group" in spec:
            group = self.group(spec["group"], "report_texts")
            scope, author = group_scope(group), self.mentors[spec["group"]]
        else:
            scope, author = PROGRAM_SCOPE, self.coordinator
        where = Place(scope, program.period_start, program.period_end)
        try:
            with db.session.begin_nested():
                save_text(author, where, 0, spec["body"].strip())
        except StaleVersion:
            pass  # loaded before

    def _method(self, spec: dict) -> None:
        """Add a method to the library as the coordinator (once: one of that name is kept)."""
        values = {
            "name": spec["name"], "aim": spec.get("aim", ""),
            "group_size": spec.get("group_size", ""), "minutes": spec.get("minutes"),
            "materials": spec.get("materials", "").strip(), "body": spec["steps"].strip(),
            "variations": spec.get("variations", "").strip(),
            "source": spec.get("source", "").strip(), "tags": spec.get("tags", ""),
        }  # fmt: skip
        try:
            with db.session.begin_nested():
                create_method(self.coordinator, values)
        except NameTaken:
            pass  # loaded before

    def _note(self, spec: dict) -> None:
        """Add a note with its "Nálam is" and replies, unless its author has it already."""
        where = f"note {spec.get('title')!r}"
        group = self.group(spec["group"], where)
        author = self.person(spec["author"], where)
        exists = db.session.scalar(
            select(Note.id).where(
                Note.group_id == group.id, Note.author_id == author.id, Note.title == spec["title"]
            )
        )
        if exists:
            return
        workshop = None
        if "workshop" in spec:
            workshop = db.session.scalar(
                select(Workshop).where(
                    Workshop.group_id == group.id, Workshop.date == self.day(spec["workshop"])
                )
            )
            if workshop is None:
                raise DemoDataError(f"{where}: the group has no workshop on day {spec['workshop']}")
        note = add_note(
            author,
            group,
            kind=NoteKind(spec["kind"]),
            title=spec["title"],
            body=spec.get("body", ""),
            link=spec.get("link", ""),
            workshop=workshop,
            mentor_only=spec.get("mentor_only", False),
            hide_reactors=False,
        )
        if spec.get("me_too") and note.kind not in ME_TOO_KINDS:
            raise DemoDataError(f'{where}: "Nálam is" is said only to a difficulty or question')
        for name in spec.get("me_too", []):
            set_reaction(self.person(name, where), note, on=True)
        for reply_spec in spec.get("replies", []):
            reply = add_reply(self.person(reply_spec["author"], where), note, reply_spec["text"])
            reply.created_at = self.moment(self.day(reply_spec["day"]), reply_spec["time"])
        if spec.get("in_report"):
            set_in_report(self.mentors[group.slug], note, True)
        note.created_at = note.updated_at = self.moment(self.day(spec["day"]), spec["time"])
        db.session.flush()


def _check_day(spec: dict, status: WorkshopStatus, where: str) -> None:
    """Refuse a held workshop after the day of loading, and a planned one before it unless
    the file marks it `left_open` (an overdue workshop on purpose)."""
    day, left_open = spec["day"], spec.get("left_open", False)
    if status == WorkshopStatus.HELD and day > 0:
        raise DemoDataError(f"{where}: held on day {day}, after the day of loading")
    if status == WorkshopStatus.PLANNED and (day < 0) != left_open:
        raise DemoDataError(
            f"{where}: planned on day {day}; only a past one may be, and says left_open = true"
        )
    if left_open and status != WorkshopStatus.PLANNED:
        raise DemoDataError(f"{where}: only a planned workshop can be left open")
