"""The benchmark's data sets: the demo program and a generated program ten times larger."""

import random
import unicodedata
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import select

from journal import create_app
from journal.demo import seed_demo
from journal.extensions import db
from journal.models import (
    Attendance,
    AttendanceStatus,
    Group,
    Membership,
    Program,
    Role,
    User,
    Workshop,
    WorkshopStatus,
)

PASSWORD = "muhelynaplo"
COORDINATOR_EMAIL = "jozsa.kata@example.org"  # the demo program's coordinator
BIG_GROUP = "nagycsoport"
BIG_GROUP_SIZE = 80
JOURNAL_GROUP = "harminc"  # issue 3's workshop page: 30 members, all 7 journal sections
JOURNAL_GROUP_SIZE = 30
BOARD_NOTES = 50  # issue 12's board page: the journal group's board holds this many notes
GENERATED_GROUPS = 45  # with the five demo groups: 50
SMALL_GROUP_SIZES = (3, 8)  # participants per generated group: about 10 × the demo's 36 in all
ATTENDANCE = [
    AttendanceStatus.PRESENT,
    AttendanceStatus.LATE,
    AttendanceStatus.EXCUSED,
    AttendanceStatus.ABSENT,
]
HELD_WORKSHOPS = 6  # per generated group, every 16 days from the program's start, with attendance

# A cheap hash keeps the generation quick; the served app upgrades it at the first login.
GENERATION_CONFIG = {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 16, "ARGON2_PARALLELISM": 1}


def _words(text: str) -> list[str]:
    """Split a block of names at whitespace."""
    return text.split()


FAMILY_NAMES = _words("""Nagy Kovács Tóth Szabó Horváth Varga Kiss Molnár Németh Farkas Balogh Papp
Takács Juhász Lakatos Mészáros Oláh Simon Rácz Fekete Szilágyi Török Fehér Balázs Gál Kis
Szűcs Kocsis Orsós Pintér Fodor Szalai Sipos Magyar Lukács Gulyás Biró Király Katona László
Jakab Bogdán Balog Sándor Boros Fazekas Kelemen Antal Orosz Somogyi Fülöp Veres Budai Vincze
Hegedűs Deák Pap Bálint Illés Pál Vass Szőke Fábián Vörös Lengyel Bognár Bodnár Szücs Hajdu
Halász Jónás Máté Székely Gáspár Csonka Ács Ördög Őri Ürge Zsigmond Csizmadia Dózsa""")
GIVEN_NAMES = _words("""Anna Ágnes Andrea Éva Erzsébet Katalin Ildikó Judit Zsuzsanna Márta Eszter
Orsolya Réka Dóra Noémi Petra Boglárka Zsófia Lilla Enikő Ádám Bence Balázs Csaba Dániel
Gábor Gergely Imre István János László Levente Máté Péter Tamás Zoltán Ödön Ábel Örs
Kristóf Attila Szilvia Tímea Viktória Hajnalka Nóra Rita Krisztián Olivér Úrsula""")
SETTLEMENTS = _words("""Abony Ajka Baja Barcs Berettyóújfalu Békés Bicske Bonyhád Cegléd Csongrád
Dombóvár Dunaújváros Edelény Encs Esztergom Fehérgyarmat Gödöllő Gyula Hajdúszoboszló
Hatvan Jászberény Kalocsa Kapuvár Kaposvár Karcag Keszthely Kisbér Kiskőrös Kisvárda Kőszeg
Lenti Makó Marcali Mezőtúr Mohács Monor Mór Nagyatád Nagykanizsa Orosháza Ózd Paks Pápa
Püspökladány Sárvár Siklós Szarvas Szécsény Szentendre Szigetvár Tab Tamási Tapolca Tokaj
Törökszentmiklós Vác Várpalota Zalaszentgrót Zirc""")
INSTITUTIONS = [
    "Művelődési Ház",
    "Közösségi Ház",
    "Városi Könyvtár",
    "Faluház és Könyvtár",
    "IKSZT Közösségi Tér",
    "Kulturális Központ",
    "Közösségi Színtér",
    "Népfőiskolai Társaság",
]
THEMES = [
    "közösségfejlesztés",
    "önkéntesség",
    "helyi értékek",
    "ifjúsági munka",
    "digitális kompetenciák",
    "partnerség",
    "reflektív szakmai működés",
]
GOALS = (
    "A program célja, hogy {region} térségében dolgozó közművelődési szakemberek saját "
    "gyakorlatukat tudatosítva, szakmai tanulási folyamat keretében erősítsék "
    "együttműködésüket. A mentorálás hangsúlyai: {themes}; a tapasztalatmegosztás és a "
    "szakmán belüli együttműködés erősítése."
)


@dataclass
class Dataset:
    """A built SQLite database and what the benchmark needs to know about it."""

    name: str
    path: Path
    groups: int = 0
    users: int = 0
    participants: int = 0
    workshops: int = 0
    attendance: int = 0
    group_sizes: dict[str, int] = field(default_factory=dict)  # slug: current members
    journal_workshop: int | None = None  # the workshop of JOURNAL_GROUP with a full journal
    journal_mentor: str | None = None  # that group's mentor's email

    @property
    def url(self) -> str:
        """Return the SQLAlchemy URL of the database."""
        return f"sqlite:///{self.path}"


def _slug(text: str) -> str:
    """Return an ASCII slug of a settlement name."""
    plain = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in plain if c.isascii() and (c.isalnum() or c == "-"))


def _app(path: Path) -> Flask:
    """Create an app on the database at path, with a cheap password hash."""
    config = {
        "PUBLIC_URL": "http://localhost",
        "SECRET_KEY": "bench",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
    }
    return create_app(config | GENERATION_CONFIG)


def _person(n: int, rng: random.Random, password_hash: str, **kw) -> User:
    """Create one generated person with a unique email."""
    user = User(
        email=f"szemely{n}@example.org",
        family_name=rng.choice(FAMILY_NAMES),
        given_name=rng.choice(GIVEN_NAMES),
        password_hash=password_hash,
        **kw,
    )
    db.session.add(user)
    return user


def _workshops(group: Group, participants: list[User], rng: random.Random) -> None:
    """Give a generated group six held workshops with attendance, a cancelled and a planned one."""
    # The demo's program started about four months before the day it was loaded: every held
    # and the cancelled workshop fall before that day.
    start = group.program.period_start
    days = [start + timedelta(days=4 + 16 * i) for i in range(HELD_WORKSHOPS + 1)]
    days.append(date.today() + timedelta(days=14))
    for i, day in enumerate(days):
        status = WorkshopStatus.HELD
        if i == HELD_WORKSHOPS:
            status = WorkshopStatus.CANCELLED
        elif i > HELD_WORKSHOPS:
            status = WorkshopStatus.PLANNED
        workshop = Workshop(
            group=group,
            date=day,
            start_time=time(14),
            end_time=time(17),
            place=group.region,
            topic=rng.choice(THEMES).capitalize(),
            agenda="Ráhangolódás, kiscsoportos munka, lezáró kör.",
            methods="esetmegbeszélés\nreflektív napló",
            status=status,
            cancel_reason="Betegség miatt elmarad." if status == WorkshopStatus.CANCELLED else "",
        )
        db.session.add(workshop)
        if status == WorkshopStatus.HELD:
            for user in participants:
                status = rng.choices(ATTENDANCE, weights=(80, 8, 7, 5))[0]
                db.session.add(Attendance(workshop=workshop, user=user, status=status))


def _generate(program: Program, password_hash: str, count: int = GENERATED_GROUPS) -> None:
    """Add generated groups (45 by default) to the demo program, one with 80 participants,
    with workshops; beyond the list of settlements their names and slugs are numbered."""
    rng = random.Random(2025)
    counter = iter(range(1, 1_000_000))
    for index in range(count):
        settlement = SETTLEMENTS[index % len(SETTLEMENTS)]
        lap = index // len(SETTLEMENTS)
        big = index == 0
        themes = rng.sample(THEMES, 3)
        group = Group(
            program=program,
            slug=BIG_GROUP if big else _slug(settlement) + (f"-{lap + 1}" if lap else ""),
            name=(
                "Megyei közművelődési hálózat"
                if big
                else f"{settlement} műhely" + (f" {lap + 1}." if lap else "")
            ),
            region=f"{settlement} térsége",
            goals=GOALS.format(region=settlement, themes=", ".join(themes)),
            themes="\n".join(themes),
        )
        db.session.add(group)
        mentors = 2 if index % 5 == 0 else 1
        size = BIG_GROUP_SIZE if big else rng.randint(*SMALL_GROUP_SIZES)
        participants = []
        for i in range(mentors + size):
            role = Role.MENTOR if i < mentors else Role.PARTICIPANT
            user = _person(next(counter), rng, password_hash)
            if role == Role.PARTICIPANT:
                participants.append(user)
            db.session.add(
                Membership(
                    user=user,
                    group=group,
                    role=role,
                    institution=rng.choice(INSTITUTIONS),
                    settlement=rng.choice(SETTLEMENTS),
                    joined_on=program.period_start,
                )
            )
        _workshops(group, participants, rng)
        if big:
            # Former members and deactivated accounts: loaded or filtered, never shown.
            for i in range(8):
                user = _person(next(counter), rng, password_hash, active=i % 2 == 0)
                left = program.period_start + timedelta(days=60) if i % 2 == 0 else None
                db.session.add(
                    Membership(
                        user=user,
                        group=group,
                        role=Role.PARTICIPANT,
                        institution=rng.choice(INSTITUTIONS),
                        settlement=settlement,
                        joined_on=program.period_start,
                        left_on=left,
                    )
                )


def _journal_group(dataset: Dataset, program: Program, password_hash: str) -> None:
    """Add a group of 30 participants whose latest held workshop has every journal section."""
    from journal.journals.operations import save_section, start_journal
    from journal.models import NoteKind
    from journal.notes.operations import add_note

    rng = random.Random(30)
    group = Group(
        program=program,
        slug=JOURNAL_GROUP,
        name="Harminc fős műhely",
        region="Bács-Kiskun",
        goals=GOALS.format(region="Kecskemét", themes=", ".join(THEMES[:3])),
        themes="\n".join(THEMES[:3]),
    )
    db.session.add(group)
    people = [_person(90_000 + i, rng, password_hash) for i in range(JOURNAL_GROUP_SIZE + 1)]
    for i, user in enumerate(people):
        role = Role.MENTOR if i == 0 else Role.PARTICIPANT
        db.session.add(
            Membership(
                user=user,
                group=group,
                role=role,
                institution=rng.choice(INSTITUTIONS),
                settlement=rng.choice(SETTLEMENTS),
                joined_on=program.period_start,
            )
        )
    _workshops(group, people[1:], rng)
    db.session.flush()
    workshop = db.session.scalar(
        select(Workshop)
        .where(Workshop.group_id == group.id, Workshop.status == WorkshopStatus.HELD)
        .order_by(Workshop.date.desc())
    )
    journal = start_journal(people[0], workshop)
    db.session.flush()
    for section in journal.sections:
        text = "\n\n".join(
            f"{rng.choice(THEMES).capitalize()}: " + " ".join(rng.choices(_words(GOALS), k=40))
            for _ in range(3)
        )
        save_section(people[0], section, section.version, text, section.visibility, False)
    db.session.flush()
    dataset.journal_workshop, dataset.journal_mentor = workshop.id, people[0].email
    # The board of BOARD_NOTES notes by the group's participants, some about the workshop.
    for i in range(BOARD_NOTES):
        author = people[1 + i % JOURNAL_GROUP_SIZE]
        add_note(
            author,
            group,
            kind=list(NoteKind)[i % len(NoteKind)],
            title=f"{rng.choice(THEMES).capitalize()} – {i + 1}. jegyzet",
            body=" ".join(rng.choices(_words(GOALS), k=60)),
            link="",
            workshop=workshop if i % 3 == 0 else None,
            mentor_only=False,
            hide_reactors=False,
        )
    db.session.flush()


def _describe(dataset: Dataset) -> Dataset:
    """Fill in the counts of a dataset from its database."""
    today = date.today()
    dataset.groups = db.session.query(Group).count()
    dataset.users = db.session.query(User).count()
    dataset.workshops = db.session.query(Workshop).count()
    dataset.attendance = db.session.query(Attendance).count()
    for group in db.session.scalars(select(Group)):
        current = [
            m
            for m in group.memberships
            if m.user.active and (m.left_on is None or m.left_on > today)
        ]
        dataset.group_sizes[group.slug] = len(current)
        dataset.participants += sum(m.role == Role.PARTICIPANT for m in current)
    return dataset


def build(name: str, directory: Path, large: bool, groups: int = GENERATED_GROUPS) -> Dataset:
    """Create the demo database, or the demo plus generated groups (45 by default: 50 in all,
    with the journal group)."""
    dataset = Dataset(name=name, path=directory / f"{name}.sqlite")
    app = _app(dataset.path)
    with app.app_context():
        upgrade()
        seed_demo(PASSWORD)
        if large:
            program = db.session.scalar(select(Program))
            coordinator = db.session.scalar(select(User).where(User.email == COORDINATOR_EMAIL))
            _generate(program, coordinator.password_hash, groups)
            _journal_group(dataset, program, coordinator.password_hash)
        db.session.commit()
        _describe(dataset)
        db.session.remove()
        db.engine.dispose()
    return dataset
