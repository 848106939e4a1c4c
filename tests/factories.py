"""Factory helpers for tests: every argument has a default, every object is flushed."""

import itertools
from datetime import date

from journal.auth.passwords import hash_password
from journal.extensions import db
from journal.models import Group, Membership, Program, Role, User

PASSWORD = "jelszo-teszt-123"
_counter = itertools.count(1)


def make_program(**kw) -> Program:
    """Create a program."""
    values = {
        "name": "Kapcsolódások – Csoportos Mentorálás 2.0",
        "period_start": date(2025, 11, 1),
        "period_end": date(2026, 6, 30),
    } | kw
    program = Program(**values)
    db.session.add(program)
    db.session.flush()
    return program


def make_group(program: Program | None = None, **kw) -> Group:
    """Create a group (and a program if none is given)."""
    n = next(_counter)
    if program is None:
        program = db.session.scalar(db.select(Program)) or make_program()
    values = {
        "slug": f"csoport-{n}",
        "name": f"Csoport {n}",
        "region": f"Régió {n}",
        "goals": "Célok",
        "themes": "téma",
    } | kw
    group = Group(program=program, **values)
    db.session.add(group)
    db.session.flush()
    return group


def make_user(password: str | None = PASSWORD, **kw) -> User:
    """Create an active user with a known password."""
    n = next(_counter)
    values = {
        "email": f"user{n}@example.org",
        "family_name": f"Próba{n}",
        "given_name": "Ádám",
    } | kw
    user = User(password_hash=hash_password(password) if password else None, **values)
    db.session.add(user)
    db.session.flush()
    return user


LONG_AGO = date(2024, 9, 1)


def make_membership(user: User, group: Group, role: Role = Role.PARTICIPANT, **kw) -> Membership:
    """Put a user into a group."""
    # Joined long ago by default, so that the test workshops (from 2025) find their members.
    values = {"institution": "Művelődési Ház", "settlement": "Tata", "joined_on": LONG_AGO} | kw
    membership = Membership(user=user, group=group, role=role, **values)
    db.session.add(membership)
    db.session.flush()
    return membership


def make_world() -> dict:
    """Create two groups, each with a mentor and two participants, and a coordinator."""
    group_a = make_group(slug="alfa", name="Alfa csoport", region="Alfa régió")
    group_b = make_group(slug="beta", name="Béta csoport", region="Béta régió")
    people = {
        "coordinator": make_user(family_name="Koordinátor", given_name="Kata", is_coordinator=True),
        "mentor_a": make_user(family_name="Mentor", given_name="Aladár"),
        "participant_a": make_user(family_name="Résztvevő", given_name="Aranka"),
        "participant_a2": make_user(family_name="Társ", given_name="Ágota"),
        "mentor_b": make_user(family_name="Mentor", given_name="Béla"),
        "participant_b": make_user(family_name="Résztvevő", given_name="Borbála"),
    }
    make_membership(people["mentor_a"], group_a, Role.MENTOR)
    make_membership(
        people["participant_a"], group_a, institution="Alfa-ház", settlement="Alfafalva"
    )
    make_membership(people["participant_a2"], group_a)
    make_membership(people["mentor_b"], group_b, Role.MENTOR)
    make_membership(
        people["participant_b"], group_b, institution="Béta-ház", settlement="Bétafalva"
    )
    db.session.commit()
    return {"group_a": group_a, "group_b": group_b, **people}


def make_workshop(group: Group, **kw):
    """Create a held workshop of a group."""
    from journal.models import Workshop, WorkshopStatus

    values = {
        "date": date(2025, 11, 14),
        "topic": "Közösségi terek a településen",
        "place": "Művelődési Ház",
        "status": WorkshopStatus.HELD,
    } | kw
    workshop = Workshop(group=group, **values)
    db.session.add(workshop)
    db.session.flush()
    return workshop


def make_journal(workshop, author: User, bodies: dict[str, str] | None = None, **kw):
    """Start a workshop's journal with its seven sections, optionally filled (key → text)."""
    from journal.journals.operations import save_section, start_journal

    journal = start_journal(author, workshop)
    for key, value in (kw | {}).items():
        setattr(journal, key, value)
    db.session.flush()
    for section in journal.sections:
        if bodies and section.key in bodies:
            save_section(
                author, section, section.version, bodies[section.key], section.visibility, False
            )
    db.session.flush()
    return journal
