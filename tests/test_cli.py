"""Command-line tasks: init-db, seed-demo, create-user, groups."""

from sqlalchemy import func, select

from journal.auth.passwords import verify_password
from journal.demo import demo_email, load_program
from journal.extensions import db
from journal.models import (
    Attendance,
    Group,
    Guest,
    Membership,
    Program,
    Role,
    User,
    Workshop,
    WorkshopStatus,
)


def _counts() -> dict:
    """Count the rows of every table the seed writes."""
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Program, Group, User, Membership, Workshop, Attendance, Guest)
    }


def test_seed_demo_loads_the_real_program(runner):
    """Five groups with their slugs, mentors and 6–10 participants each."""
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    slugs = set(db.session.scalars(select(Group.slug)))
    assert slugs == {"komlo-hegyhat", "tata", "kecskemet", "sumeg", "heves"}
    mentors = {
        g.slug: [m.user.full_name for m in g.memberships if m.role == Role.MENTOR]
        for g in db.session.scalars(select(Group))
    }
    assert mentors == {
        "komlo-hegyhat": ["Schaff Anikó"],
        "tata": ["Szabó Csaba"],
        "kecskemet": ["Józsa Kata"],
        "sumeg": ["Oszkai Réka"],
        "heves": ["Buzás Eszter"],
    }
    for group in db.session.scalars(select(Group)):
        participants = [m for m in group.memberships if m.role == Role.PARTICIPANT]
        assert 6 <= len(participants) <= 10, group.slug
        assert all(m.institution and m.settlement for m in participants)
    kata = db.session.scalar(select(User).where(User.email == "jozsa.kata@example.org"))
    assert kata.is_coordinator
    assert verify_password(kata.password_hash, "muhelynaplo")
    assert "Kecskemét" in db.session.scalar(select(Group.region).where(Group.slug == "kecskemet"))
    assert len(load_program()["groups"]) == 5


def test_seed_demo_twice_leaves_one_copy(runner):
    """Running the seed again changes no counts."""
    runner.invoke(args=["seed-demo"])
    first = _counts()
    result = runner.invoke(args=["seed-demo", "--password", "masik-jelszo"])
    assert result.exit_code == 0, result.output
    assert _counts() == first
    assert first["Program"] == 1 and first["Group"] == 5
    assert first["Workshop"] >= 20 and first["Attendance"] > 100 and first["Guest"] >= 3
    anyone = db.session.scalar(select(User).where(User.email == "schaff.aniko@example.org"))
    db.session.refresh(anyone)
    assert verify_password(anyone.password_hash, "masik-jelszo")


def test_demo_emails_have_no_accents():
    """Demo logins are family.given@example.org without accents."""
    assert demo_email("Józsa", "Kata") == "jozsa.kata@example.org"
    assert demo_email("Őri", "Judit") == "ori.judit@example.org"
    assert demo_email("Szűcs", "Attila") == "szucs.attila@example.org"


def test_create_user_with_roles(runner):
    """create-user makes a mentor of one group and participant of another."""
    runner.invoke(args=["seed-demo"])
    result = runner.invoke(
        args=[
            "create-user",
            "Uj.Mentor@Example.org",
            "--family",
            "Új",
            "--given",
            "Mentor",
            "--password",
            "eleg-hosszu-jelszo",
            "--mentor-of",
            "tata",
            "--member-of",
            "sumeg",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "uj.mentor@example.org"))
    roles = {m.group.slug: m.role for m in user.memberships}
    assert roles == {"tata": Role.MENTOR, "sumeg": Role.PARTICIPANT}
    assert verify_password(user.password_hash, "eleg-hosszu-jelszo")


def test_a_real_deployment_starts_with_the_program_and_no_demo_account(runner, app):
    """seed-program creates the program and its five groups and no person: the coordinator
    made next reaches the settings, a mentor joins a group by its slug. Twice: no change."""
    from journal.models import Program

    for _ in range(2):
        result = runner.invoke(args=["seed-program"])
        assert result.exit_code == 0, result.output
    assert "heves, kecskemet, komlo-hegyhat, sumeg, tata" in result.output
    assert db.session.scalar(select(func.count()).select_from(Program)) == 1
    program = db.session.scalar(select(Program))  # none of the demo's stand-in names
    assert (program.association, program.funder or "", program.grant_id) == ("", "", "")
    assert db.session.scalar(select(func.count()).select_from(Group)) == 5
    assert db.session.scalar(select(func.count()).select_from(User)) == 0
    for extra in (["--coordinator"], ["--mentor-of", "tata"]):
        made = runner.invoke(
            args=["create-user", f"x{len(extra)}@example.org", "--family", "Valódi",
                  "--given", "Név", "--password", "hosszu-es-egyedi-jelszo", *extra]
        )  # fmt: skip
        assert made.exit_code == 0, made.output
    client = app.test_client()
    login = {"email": "x1@example.org", "password": "hosszu-es-egyedi-jelszo"}
    assert client.post("/login", data=login).status_code == 303
    assert client.get("/program/settings").status_code == 200


def test_create_user_keeps_the_password_rules(runner):
    """A password given on the command line meets the set-password page's rules: "abc" is
    refused (in English) and nobody is created."""
    base = ["create-user", "gyenge@example.org", "--family", "Gyenge", "--given", "Jelszó"]
    for weak, said in (("abc", "at least 10"), ("1234567890", "too easy to guess")):
        result = runner.invoke(args=[*base, "--password", weak])
        assert result.exit_code != 0 and said in result.output, result.output
    assert db.session.scalar(select(User).where(User.email == "gyenge@example.org")) is None


def test_create_user_without_password_prints_a_link(runner):
    """Without --password, a single-use link is printed."""
    result = runner.invoke(args=["create-user", "a@example.org", "--family", "A", "--given", "B"])
    assert result.exit_code == 0, result.output
    assert "/invitation/" in result.output


def test_create_user_refuses_duplicates_and_unknown_groups(runner):
    """Bad input stops with a message and creates nobody."""
    runner.invoke(args=["create-user", "a@example.org", "--family", "A", "--given", "B"])
    again = runner.invoke(args=["create-user", "A@example.org", "--family", "A", "--given", "B"])
    assert again.exit_code != 0 and "already exists" in again.output
    unknown = runner.invoke(
        args=["create-user", "c@example.org", "--family", "C", "--given", "D", "--member-of", "x"]
    )
    assert unknown.exit_code != 0 and "No group" in unknown.output
    db.session.rollback()
    assert db.session.scalar(select(User).where(User.email == "c@example.org")) is None


def test_groups_lists_slugs_and_members(runner):
    """The groups command names each slug and its members."""
    runner.invoke(args=["seed-demo"])
    result = runner.invoke(args=["groups"])
    assert "tata: Ifjúsági közösségfejlesztés (Tata)" in result.output
    assert "Szabó Csaba <szabo.csaba@example.org>" in result.output


def test_seed_demo_has_realistic_workshops(runner):
    """Each group has held workshops with attendance, plus planned ones; one is cancelled."""
    runner.invoke(args=["seed-demo"])
    program = db.session.scalar(select(Program))
    for spec in load_program()["groups"]:
        group = db.session.scalar(select(Group).where(Group.slug == spec["slug"]))
        workshops = db.session.scalars(select(Workshop).where(Workshop.group_id == group.id)).all()
        held = [w for w in workshops if w.status == WorkshopStatus.HELD]
        assert len(held) >= 3 and any(w.status == WorkshopStatus.PLANNED for w in workshops)
        assert all(program.period_start <= w.date <= program.period_end for w in workshops)
        for workshop in held:
            recorded = db.session.scalar(
                select(func.count()).where(Attendance.workshop_id == workshop.id)
            )
            participants = db.session.scalar(
                select(func.count()).where(
                    Membership.group_id == group.id, Membership.role == Role.PARTICIPANT
                )
            )
            assert recorded == participants
    cancelled = db.session.scalars(
        select(Workshop).where(Workshop.status == WorkshopStatus.CANCELLED)
    ).all()
    assert cancelled and all(w.cancel_reason for w in cancelled)
