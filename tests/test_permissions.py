"""Truth tables of every predicate in journal/permissions.py over roles × own and other group.

Roles: an anonymous visitor, a participant and the mentor of group alfa, the coordinator who
also mentors group gamma, a former mentor of alfa (membership ended 30 days ago) and a
deactivated coordinator. "own" is the role's group (gamma for the coordinator, alfa for the
others); "other" is group beta. Each table cell is "x" (allowed), "." (refused) or "·" (the
object does not exist for this role, e.g. an anonymous visitor's own note).
"""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from flask_login import AnonymousUserMixin
from werkzeug.exceptions import Forbidden, NotFound

from journal import permissions
from journal.extensions import db
from journal.models import (
    Journal,
    JournalSection,
    Note,
    NoteKind,
    Role,
    Visibility,
    Workshop,
    WorkshopStatus,
    local_today,
    utcnow,
)
from tests.factories import make_group, make_membership, make_user

ANON = "anonymous"
PART = "participant"
MENT = "mentor"
COORD = "coordinator_mentor"
FORMER = "former_mentor"
DEACT = "deactivated_coordinator"
ROLES = (ANON, PART, MENT, COORD, FORMER, DEACT)

COLUMNS = {
    "user": ("",),
    "group": ("own", "other"),
    "workshop": ("own", "other"),
    "journal": ("own", "other", "mine"),
    "section": (
        "own-private",
        "own-coordination",
        "own-group",
        "other-private",
        "other-coordination",
        "other-group",
        "mine-private",
    ),
    "note": ("peer", "mine", "mentor_only", "hidden", "deleted", "other"),
    "person": ("self", "peer"),
}

# One line per predicate: its kind of target (the columns, see COLUMNS), then one row per role
# with one cell per column. Group and workshop columns: own, other. Journal columns: the own
# group's journal (by its current mentor), the other group's, and the journal the role wrote
# itself (the former mentor's is an older one of alfa). Section columns: own private,
# coordination and group section; the same of the other group; the private section of the
# role's own journal. Note columns: a peer's difficulty in the own group, the role's own one
# there, a peer's mentor-only one, a peer's hidden one, a peer's deleted one, and a
# difficulty in the other group. Person columns: the role's own account, and a participant of
# group alfa.
TRUTH_TABLES = """
predicate                    kind      anon    partic  mentor  coord   former  deact
is_coordinator               user      .       .       .       x       .       .
can_manage_people            user      .       .       .       x       .       .
can_download_program_report  user      .       .       .       x       .       .
can_edit_program_settings    user      .       .       .       x       .       .
can_send_reminders           user      .       .       .       x       .       .
can_write_program_text       user      .       .       .       x       .       .
can_view_methods             user      .       x       x       x       .       .
can_write_methods            user      .       .       x       x       .       .
can_say_used_too             user      .       .       x       x       .       .
can_print_handout            user      .       .       x       x       .       .
can_export_compendium        user      .       .       .       x       .       .
can_be_required_two_factor   user      .       .       x       x       .       .
can_export_program_data      user      .       .       .       x       .       .
can_edit_privacy_notice      user      .       .       .       x       .       .
is_member_of                 group     ..      x.      x.      x.      ..      ..
is_mentor_of                 group     ..      ..      x.      x.      ..      ..
can_view_group               group     ..      x.      x.      xx      ..      ..
can_manage_workshops         group     ..      ..      x.      xx      ..      ..
can_record_attendance        group     ..      ..      x.      xx      ..      ..
can_write_journal            group     ..      ..      x.      x.      ..      ..
can_add_note                 group     ..      x.      x.      x.      ..      ..
can_download_group_report    group     ..      ..      x.      xx      ..      ..
can_follow_journals          group     ..      ..      x.      xx      ..      ..
can_view_participation       group     ..      ..      x.      xx      ..      ..
can_write_group_text         group     ..      ..      x.      x.      ..      ..
can_export_group_data        group     ..      ..      x.      xx      ..      ..
can_view_workshop            workshop  ..      x.      x.      xx      ..      ..
can_edit_journal             journal   ..·     ..·     x.x     x.x     ...     ..·
can_read_section             section   ......· ..x...· xxx...x xxx.xxx ......x ......·
can_view_note                note      .·....  xx....  xxxx..  xxxx.x  .x....  .·....
can_edit_note                note      .·....  .x....  .x....  .x....  ......  .·....
can_moderate_note            note      .·....  ......  xxxx..  xxxx.x  ......  .·....
can_react_to_note            note      .·....  x.....  x.x...  x.x...  ......  .·....
can_reply_to_note            note      .·....  xx....  xxx...  xxx...  ......  .·....
can_pick_note_for_report     note      .·....  ......  xx....  xx....  ......  .·....
can_export_personal_data     person    ·.      x.      x.      xx      x.      ..
can_anonymise_person         person    ·.      ..      ..      .x      ..      ..
can_reset_two_factor         person    ·.      ..      ..      .x      ..      ..
"""
# can_pick_note_for_report: "marks a group-visible note"; a hidden note is not group-visible.


def _parse(text: str) -> dict[str, tuple[str, list[str]]]:
    """Read the truth tables: predicate → (kind, one row of cells per role)."""
    lines = text.strip().splitlines()[1:]
    return {name: (kind, rows) for name, kind, *rows in (line.split() for line in lines)}


TABLES = _parse(TRUTH_TABLES)

# Section visibilities readable per journal: p(rivate), c(oordination), g(roup), "-" none.
READABLE: dict[str, tuple[str, str, str]] = {
    # role: (own, other, mine)
    ANON: ("-", "-", "·"),
    PART: ("g", "-", "·"),
    MENT: ("pcg", "-", "pcg"),
    COORD: ("pcg", "cg", "pcg"),
    FORMER: ("-", "-", "pcg"),
    DEACT: ("-", "-", "·"),
}

LETTERS = {Visibility.PRIVATE: "p", Visibility.COORDINATION: "c", Visibility.GROUP: "g"}


@dataclass
class Cast:
    """The people and objects the truth tables are evaluated on."""

    users: dict[str, object]
    own: dict[str, str]  # role → key of the role's own group
    groups: dict[str, object]
    workshops: dict[str, Workshop]
    journals: dict[str, Journal]
    sections: dict[tuple[str, Visibility], JournalSection]
    notes: dict[tuple[str, str], Note]
    mine: dict[str, str]  # role → key of the journal the role wrote
    peers: dict[str, object]  # group key → a participant of it

    def target(self, kind: str, column: str, role: str):
        """Return the object a table column stands for, for this role (None: it does not exist)."""
        own = self.own[role]
        if kind in ("group", "workshop"):
            objects = self.groups if kind == "group" else self.workshops
            return objects[own if column == "own" else "beta"]
        if kind == "journal":
            key = {"own": own, "other": "beta", "mine": self.mine.get(role)}[column]
            return self.journals.get(key)
        if kind == "section":
            scope, visibility = column.split("-")
            key = {"own": own, "other": "beta", "mine": self.mine.get(role)}[scope]
            return self.sections.get((key, Visibility(visibility)))
        if kind == "person":
            if column == "self":
                return None if role == ANON else self.users[role]
            return self.peers["alfa"]
        if kind == "note":
            if column == "mine":
                return self.notes.get(("mine", role))
            return self.notes[("beta", "peer") if column == "other" else (own, column)]
        raise AssertionError(kind)


@pytest.fixture
def cast(app) -> Cast:
    """Three groups, the six roles, and a workshop, a journal and notes in each group."""
    groups = {
        "alfa": make_group(slug="alfa", name="Alfa csoport"),
        "beta": make_group(slug="beta", name="Béta csoport"),
        "gamma": make_group(slug="gamma", name="Gamma csoport"),
    }
    users = {
        PART: make_user(password=None),
        MENT: make_user(password=None),
        COORD: make_user(password=None, is_coordinator=True),
        FORMER: make_user(password=None),
        DEACT: make_user(password=None, is_coordinator=True, active=False),
    }
    peers = {key: make_user(password=None) for key in groups}
    mentor_b = make_user(password=None)
    make_membership(users[PART], groups["alfa"])
    make_membership(users[MENT], groups["alfa"], Role.MENTOR)
    make_membership(users[COORD], groups["gamma"], Role.MENTOR)
    make_membership(
        users[FORMER],
        groups["alfa"],
        Role.MENTOR,
        joined_on=local_today() - timedelta(days=300),
        left_on=local_today() - timedelta(days=30),
    )
    make_membership(mentor_b, groups["beta"], Role.MENTOR)
    for key, group in groups.items():
        make_membership(peers[key], group)
    users[ANON] = AnonymousUserMixin()

    workshops, journals, sections = {}, {}, {}
    authors = {
        "alfa": users[MENT],
        "beta": mentor_b,
        "gamma": users[COORD],
        "alfa-old": users[FORMER],
    }
    for key, author in authors.items():
        group = groups[key.removesuffix("-old")]
        workshop = Workshop(
            group=group, date=date(2025, 11, 14), topic="Téma", status=WorkshopStatus.HELD
        )
        db.session.add(workshop)
        db.session.flush()
        journal = Journal(workshop_id=workshop.id, author_id=author.id)
        db.session.add(journal)
        db.session.flush()
        for position, (section_key, visibility) in enumerate(
            (("topic", Visibility.GROUP), ("process", Visibility.COORDINATION),
             ("reflection", Visibility.PRIVATE)),
            start=1,
        ):  # fmt: skip
            section = JournalSection(
                journal_id=journal.id, key=section_key, position=position, visibility=visibility
            )
            db.session.add(section)
            sections[(key, visibility)] = section
        workshops.setdefault(key, workshop)
        journals[key] = journal

    def note(author, group_key: str, **kw) -> Note:
        """Add a difficulty."""
        now = utcnow()
        item = Note(
            group_id=groups[group_key].id,
            author_id=author.id,
            kind=NoteKind.DIFFICULTY,
            title="Nehézség",
            created_at=now,
            updated_at=now,
            **kw,
        )
        db.session.add(item)
        return item

    notes = {}
    for key in ("alfa", "gamma", "beta"):
        notes[(key, "peer")] = note(peers[key], key)
        notes[(key, "mentor_only")] = note(peers[key], key, mentor_only=True)
        notes[(key, "hidden")] = note(peers[key], key, hidden_at=utcnow())
        notes[(key, "deleted")] = note(peers[key], key, deleted_at=utcnow())
    for role in (PART, MENT, FORMER):
        notes[("mine", role)] = note(users[role], "alfa")
    notes[("mine", COORD)] = note(users[COORD], "gamma")
    db.session.commit()
    return Cast(
        users=users,
        own={role: "gamma" if role == COORD else "alfa" for role in ROLES},
        groups=groups,
        workshops=workshops,
        journals=journals,
        sections=sections,
        notes=notes,
        mine={MENT: "alfa", COORD: "gamma", FORMER: "alfa-old"},
        peers=peers,
    )


def test_every_predicate_has_a_truth_table():
    """A new predicate in permissions.py must get a truth table here."""
    missing = sorted(set(permissions.PREDICATES) - set(TABLES))
    assert not missing, f"new predicates {missing}: add their truth tables to TABLES"
    assert set(TABLES) <= set(permissions.PREDICATES)


def _cells(name: str):
    """Yield (role, column, expected) for every cell of a predicate's table that applies."""
    kind, rows = TABLES[name]
    assert len(rows) == len(ROLES), f"{name}: a row per role"
    for role, row in zip(ROLES, rows, strict=True):
        assert len(row) == len(COLUMNS[kind]), f"{name}, {role}: one cell per column"
        for column, cell in zip(COLUMNS[kind], row, strict=True):
            if cell != "·":
                yield role, column, cell == "x"


def _evaluate(cast: Cast, name: str, role: str, column: str) -> bool:
    """Ask the predicate about one cell."""
    kind, _ = TABLES[name]
    predicate = permissions.PREDICATES[name]
    user = cast.users[role]
    if kind == "user":
        return predicate(user)
    target = cast.target(kind, column, role)
    assert target is not None, f"{name}: no {column} object for {role}; mark the cell '·'"
    return predicate(user, target)


@pytest.mark.parametrize("name", sorted(TABLES))
def test_truth_table(cast, name):
    """The predicate answers every role and target as its table says."""
    wrong = [
        f"{role} × {column or '-'}: expected {expected}, got {got}"
        for role, column, expected in _cells(name)
        if (got := _evaluate(cast, name, role, column)) is not expected
    ]
    assert not wrong, f"{name}:\n" + "\n".join(wrong)


def test_readable_visibilities(cast):
    """Each role reads exactly the section visibilities of its table, per journal."""
    wrong = []
    for role, row in READABLE.items():
        for column, cell in zip(COLUMNS["journal"], row, strict=True):
            if cell == "·":
                continue
            journal = cast.target("journal", column, role)
            got = permissions.readable_visibilities(cast.users[role], journal)
            letters = "".join(LETTERS[v] for v in Visibility if v in got) or "-"
            if letters != cell:
                wrong.append(f"{role} × {column}: expected {cell}, got {letters}")
    assert not wrong, "\n".join(wrong)


def test_read_section_agrees_with_readable_visibilities(cast):
    """can_read_section is readable_visibilities applied to the section, for every cell."""
    for role in ROLES:
        user = cast.users[role]
        for section in cast.sections.values():
            readable = permissions.readable_visibilities(user, section.journal)
            assert permissions.can_read_section(user, section) is (section.visibility in readable)


def test_membership_ends_on_its_last_day(app):
    """A membership that ends today no longer counts; one that ends tomorrow still does."""
    group = make_group()
    today, tomorrow = make_user(password=None), make_user(password=None)
    make_membership(today, group, left_on=local_today())
    make_membership(tomorrow, group, left_on=local_today() + timedelta(days=1))
    db.session.commit()
    assert permissions.current_memberships(today) == []
    assert not permissions.is_member_of(today, group)
    assert permissions.is_member_of(tomorrow, group)


def test_require_answers_403_and_require_visible_404(app):
    """`require` refuses with 403, `require_visible` hides with 404, and both let True pass."""
    permissions.require(True)
    permissions.require_visible(True)
    with pytest.raises(Forbidden):
        permissions.require(False)
    with pytest.raises(NotFound):
        permissions.require_visible(False)


@pytest.mark.parametrize("state", ["hidden_at", "deleted_at"])
def test_mentor_cannot_pick_own_hidden_or_deleted_note(cast, state):
    """The author sees their own hidden or deleted note, but as a mentor still may not pick it."""
    mentor = cast.users[MENT]
    note = cast.notes[("mine", MENT)]
    assert permissions.can_pick_note_for_report(mentor, note)
    setattr(note, state, utcnow())
    assert permissions.can_view_note(mentor, note)
    assert not permissions.can_pick_note_for_report(mentor, note)
